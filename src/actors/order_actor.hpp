#pragma once
// The order actor: a thin CAF shell around domain/order_sync for one Destination order or
// draft order. Its loop (see order_sync_state.hpp): feed an input, store encode() and the
// audit records in one RocksDB batch (with the inbox entry that caused it), then execute the
// command through the Source's store_link and feed the answer back. It quits when the order
// is at rest; the router spawns it again for a later event (the persisted state is loaded
// first, so a duplicated orders/create is recognised), and resume_orders() respawns every
// order that was in flight when the daemon stopped.
//
// Persistence (state_store):
//   orders: "o/<group>/<store>/<kind>/<id>"  → order_sync::encode()
//   audit:  through io/audit_log, in the same batch: subject "<store>/<id>" (order_subject),
//           kind = the order_sync audit event (create_sent, created, unmapped_line, ...),
//           cause = "<order label>: <detail>"
#include "actors/messages.hpp"
#include "domain/order_sync_state.hpp"
#include "io/audit_log.hpp"
#include "io/state_store.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace shopsync {

struct order_key;

// What every order actor shares (the daemon builds one).
struct order_actor_env {
  state_store* store = nullptr; // outlives every actor
  audit_log* audit = nullptr;   // nullptr: decisions are not audited
  std::function<order_time()> clock;  // empty: system_clock::now
  std::function<double()> jitter;     // [0, 1); empty: a random generator
  // A GraphQL call with no answer within this time counts as uncertain (a mutation) or
  // transient (a query). Longer than the store_link's own retries.
  std::chrono::milliseconds request_timeout{std::chrono::minutes(3)};
  // HOOK for the intake: adds "inbox entry <seq> applied" to the batch that stores the state
  // the event led to (called only for seq != 0). Empty: nothing is marked.
  std::function<void(state_store::batch&, std::uint64_t inbox_seq)> mark_inbox_applied;
  // HOOK for /metrics: an order the order reconciler found (no webhook had brought it) started.
  std::function<void(const order_key&)> found_by_reconcile;
};

// What an order actor needs of its sync group.
struct order_group_env {
  std::string group;             // sync group name (part of the key)
  order_sync_settings settings;  // strategy, options, app id, retry policy
  graphql_executor_actor source; // the Source's store_link
  // (Destination store, its variant) -> the Source variant, through the group's current
  // mapping; nullopt: no match. Called on the actor's thread: must be thread-safe.
  std::function<std::optional<variant_id>(const store_name&, variant_id)> resolve;
  // Whether the group's writes are held (planned or tripped): a create then waits
  // (order_sync::set_group_held). Empty: never held. Called on the actor's thread.
  std::function<bool()> held;
};

struct order_key {
  std::string group;
  store_name store; // Destination store
  order_doc_kind kind = order_doc_kind::order;
  shopify_id id = 0;
};

// The audit subject of a Destination order or draft order: "<store>/<id>".
std::string order_subject(std::string_view store, shopify_id id);

// "f/<group>/<store>/<kind>/<id>" → "reconcile": the order reconciler found the order (no
// webhook had brought it); absent: its webhook did. Written with the state it started.
std::string order_found_key(const order_key&);

// "o/<group>/<store>/<order|draft_order>/<id>"; parse_order_key is its inverse.
std::string order_state_key(const order_key&);
std::optional<order_key> parse_order_key(std::string_view key);

// True when nothing is in flight and no timer is pending: the actor may quit.
bool order_at_rest(order_phase);

struct order_actor_state {
  static inline const char* name = "order";
  order_actor_env env;
  order_group_env group;
  order_key key;
  order_destination destination;
  std::optional<order_sync> machine;
  int inflight = 0; // requests sent and not yet answered (at most one in practice)
};

// Spawned per key. The persisted state, if any, is loaded at start. With `resume`, the step
// that was in flight continues right away (resume_orders uses it).
order_actor::behavior_type order_actor_impl(order_actor::stateful_pointer<order_actor_state> self,
                                            order_actor_env env, order_group_env group,
                                            order_key key, order_destination destination,
                                            bool resume);

order_actor spawn_order_actor(caf::actor_system& sys, order_actor_env env, order_group_env group,
                              order_key key, order_destination destination, bool resume = false);

// At startup: every persisted order that is not at rest gets its actor back (resumed).
// `group_env` gives each group's environment (nullopt: the group is gone; the order is left
// as it is and logged); `destination_of` the shop domain of a Destination store;
// `spawned` lets the router register the actor under its key. Returns how many were resumed.
result<std::size_t> resume_orders(
  caf::actor_system& sys, const order_actor_env& env,
  const std::function<std::optional<order_group_env>(const std::string& group)>& group_env,
  const std::function<void(const order_key&, const order_actor&)>& spawned = {});

} // namespace shopsync
