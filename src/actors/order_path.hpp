#pragma once
// The order path: what the router calls for orders/create and draft_orders/* (its
// `orders` callback), what the control actor calls for `retry`, and what startup calls to
// resume. Keeps one order actor per key (destination store, kind, id) while it runs, so two
// events of one order never meet two actors; an event sent to an actor that quit meanwhile
// comes back as an error and goes to a fresh one (it loads the persisted state first).
//
// Which groups an event concerns: orders/create of a Destination of every `order` and
// `draft_order` group; draft_orders/create|update of a Destination of every `draft_order`
// group. Lines resolve through the group's current mapping (set_mapping); until a group has
// one, dispatch() returns false and the event stays in the inbox.
//
// Wiring in shopsyncd (one order_path, outliving the actor system's order actors):
//   order_path_options po{cfg, env, link, retry};   env.store/audit from main,
//     env.mark_inbox_applied = sync_context::mark_applied, link = the store_link of a store
//   router_state::orders = [&](seq, e, sc) { return path.dispatch(seq, e, sc); }
//   each mapping the catalog publishes → path.set_mapping(group, mapping)
//   at startup, after the links exist → path.resume()
//   control: "orders"/"order" → order_control_query(cmd, args, store, &audit);
//            "retry" → parse_order_ref(args), path.actor_for(store, id), then
//            request(actor, order_retry_atom) and reply with the state it answers
#include "actors/order_actor.hpp"
#include "domain/group_mapping.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace shopsync {

struct order_path_options {
  config cfg;          // stores and groups (copied)
  order_actor_env env; // store, audit, clock, inbox hook
  // The store_link of a store (nullopt: not running). Called on dispatch and resume.
  std::function<std::optional<graphql_executor_actor>(const store_name&)> link;
  order_retry_policy retry;
  // Whether a group's writes are held (planned or tripped); its orders' creates then
  // wait (phase `held`). Empty: never held. Thread-safe (called by the order actors).
  std::function<bool(const std::string& group)> held;
  // Where an ignored event's record (audit "skipped" and inbox mark) goes: the router's
  // skip_log, written a few at a time. Empty: written at once. Called where dispatch is.
  std::function<void(std::uint64_t inbox_seq, audit_entry)> skipped;
};

// The orders of `group` waiting in phase `held` (a scan of the orders column).
std::size_t count_held_orders(const state_store&, const std::string& group);

// (Destination store, variant) -> Source variant through a mapping; nullopt: no match.
std::optional<variant_id> resolve_variant(const group_mapping&, const store_name& destination,
                                          variant_id);

class order_path {
public:
  order_path(caf::actor_system& sys, order_path_options opts);

  // The router's order path. False: a group it concerns has no mapping yet (keep it).
  // Events of stores that are in no order group are accepted and ignored (true).
  bool dispatch(std::uint64_t inbox_seq, const webhook_envelope&, const store_config& store);

  // The order reconciler's way in: a document it read, as its webhook would have carried it
  // (no inbox entry), for one group. `done(taken)` runs on another actor's thread once the
  // order actor took it (its state is persisted) or could not (no mapping yet, actor gone).
  void dispatch_found(const std::string& group, const webhook_envelope&, const store_config& store,
                      std::function<void(bool taken)> done);

  // The catalog published (or changed) a group's mapping; actors see it at their next input.
  void set_mapping(const std::string& group, group_mapping_ptr mapping);

  // The running actor of a persisted order, or a fresh one that loads it (shopsyncctl retry:
  // request order_retry_atom from it). Error "order.not_found" / "order.group_gone".
  result<order_actor> actor_for(std::string_view store, shopify_id id);

  // At startup: resume_orders() with this path's groups; the actors are registered. The held
  // orders of a group that syncs (approved before the daemon stopped) go on.
  result<std::size_t> resume();

  // The group syncs again (approved): each of its held orders goes on to its create,
  // once (order_retry_atom to its actor, which loads the persisted state). Discard leaves the
  // group planned: its orders stay held (a sale is never dropped). Returns how many.
  std::size_t release_held(const std::string& group);

  // Settings of an order group (strategy, options, app id, retry policy); nullopt: not one.
  std::optional<order_sync_settings> settings(const std::string& group) const;

  std::size_t running() const; // actors alive (for status)

  // Orderly shutdown: every running order actor quits (each step is persisted; resume()
  // continues at the next start).
  void stop();

  struct shared; // mappings and the registry, shared with the actors' callbacks and helpers

private:
  void ignore(std::uint64_t inbox_seq, const webhook_envelope&, const store_config&, const char* why);
  std::optional<order_group_env> group_env(const std::string& group) const;
  order_actor get_or_spawn(const order_key&, const order_group_env&, const order_destination&);
  void deliver(const order_key&, const order_group_env&, const order_destination&, order_event);

  caf::actor_system& sys_;
  order_path_options opts_;
  std::shared_ptr<shared> shared_;
};

} // namespace shopsync
