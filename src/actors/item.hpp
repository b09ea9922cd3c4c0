#pragma once
// The item actor: one per mapped identity of a sync group. It holds the identity's
// inventory_item_state, persists every transition (state, audit, inbox mark) in one batch
// BEFORE it sends the transition's commands to the store links, and feeds their answers
// back. The state is its own outbox: after a restart, restart() re-sends what was in flight
// with the same op ids and idempotency keys.
// Passivation: when it has been idle (and not paused) for ctx->item_idle_timeout with no
// message from the router, it asks the router to forget it; the router grants that only when
// every message it sent has been handled, then sends shutdown_atom. The next message for the
// identity spawns a new actor, which rehydrates the persisted state. An actor the router
// started for a mapping (leave_when_idle: an identity to align, operations to resume) asks to
// leave as soon as its work is done, so that a first alignment of a million identities does not
// keep a million actors alive.
#include "actors/level_snapshot.hpp"
#include "actors/messages.hpp"
#include "actors/sync_context.hpp"

#include <chrono>
#include <optional>
#include <random>
#include <string>

namespace shopsync {

struct item_holder {
  const sync_context* ctx = nullptr;
  std::string group;
  std::string key; // levels column key
  std::optional<inventory_item_state> sm;
  std::minstd_rand jitter{std::random_device{}()};
  router_actor router;            // asked for passivation
  std::uint64_t from_router = 0;  // messages from the router handled
  std::uint64_t at_last_tick = 0; // from_router at the previous idle tick
  std::chrono::milliseconds hold{0}; // grace period of a held Destination sale (order groups)
  std::uint64_t hold_timer = 0;      // the newest release timer; older ones are ignored
  bool verify_armed = false;         // a verify timer is on its way (unverified levels)
  std::optional<item_layout> next_layout; // a remap waiting for the ops in flight to finish
  bool leave_when_idle = false;   // asks the router to forget it whenever idle (see item.cpp)
  std::uint64_t asked_at = ~std::uint64_t{0}; // from_router when it last asked
  bool stock_unstocked = false;   // the group's option (set into the state at every start)
  std::vector<unstocked_level> reported; // what the stocking report last got from this actor
  // shopsync_sync_lag_seconds: the arrival of the oldest webhook not yet synced, and whether a
  // write was confirmed since (observed when every level is settled again).
  std::optional<std::chrono::steady_clock::time_point> lag_from;
  bool lag_wrote = false;
  std::size_t unsettled = 0; // what the level watch last got from this actor
  group_mapping_ptr names;   // the mapping the actor started with: location names for the log
  std::vector<std::string> slot_names;   // the Source location of each slot (the layout's; not persisted)
  // The group's writes are held (planned or tripped, actors/group_guard.hpp); the
  // writes the guard held (their ops stay in flight in the state, sent on approve); whether the
  // merchant paused the group (a release does not resume it then); the owed writes reported.
  bool guarded = false;
  bool user_paused = false;
  bool bypass_guard = false; // sending approved writes
  std::vector<command> held;
  bool owes_reported = false;
  // A new life aligning: if a resync remapped or added the identity (group_guards::realigning),
  // its first write plans the group instead; cleared once the life is idle.
  bool realigning = false;
  // Answers the first alignment's reads of a new state (actors/level_snapshot.hpp); dropped
  // once they are answered.
  std::shared_ptr<const level_snapshots> seed;
  static inline const char* name = "item";
};

// Loads the identity's state (or creates it from `layout` and aligns it) and serves it.
// `names`: the group's mapping, for location names in the log (nullptr: ids).
item_actor::behavior_type item(item_actor::stateful_pointer<item_holder> self, const sync_context* ctx,
                               std::string group, item_layout layout, router_actor router,
                               bool leave_when_idle = false, group_mapping_ptr names = nullptr);

// The same, with level snapshots that answer the first alignment's reads when the identity has
// no persisted state at all (a new identity of a first mapping; see level_snapshot.hpp).
item_actor::behavior_type seeded_item(item_actor::stateful_pointer<item_holder> self, const sync_context* ctx,
                                      std::string group, item_layout layout, router_actor router,
                                      bool leave_when_idle, group_mapping_ptr names,
                                      std::shared_ptr<const level_snapshots> seed);

// Whether an identity whose persisted state is `stored` needs its actor at start-up: the state
// does not decode or does not fit `layout` (it starts anew and aligns), operations are in flight
// (to resume), work is left, it is paused, or a level is not stocked (its actor reports it).
// Otherwise it can wait for its first message.
bool item_needs_actor(const std::string& stored, const item_layout& layout);

// Whether a reconcile read of (store, location) finding `available` (at `updated_at`, the
// level's updatedAt in the read; nullopt: not answered) would change nothing for an identity
// without a live actor whose persisted state is `stored`: its actor would have nothing to do at
// start-up (item_needs_actor is false) and its machine takes the value as an echo that changes
// nothing (inventory_item_state::echo_of). The router then drops the read instead of loading the
// item. False when the state does not decode or fit `layout`, or the level is not mapped there.
bool reconcile_read_is_echo(const std::string& stored, const item_layout& layout, const store_name& store,
                            location_id location, std::int64_t available,
                            std::optional<shopify_time> updated_at = std::nullopt);

// The levels column key of an identity.
std::string item_state_key(const std::string& group, const std::string& identity);

} // namespace shopsync
