#pragma once
// The order reconciler (one per order or draft_order group): a thin shell around
// domain/order_reconcile, one machine per Destination and kind of document (orders; draft
// orders in draft_order groups). Every `daemon.order_reconcile_interval_s`, when the router
// says every mapping is in (after a restart: the catch-up round), and on
// `shopsyncctl reconcile --orders`, it lists each Destination's documents through its
// store_link (cheap pages, the link keeps the cost bucket), reads in full only those the order
// states do not know, and hands each to order_path::dispatch_found: the webhook's path (same
// filters, same exactly-once order actor, same audit), marked "found by reconcile".
//
// Persistence (state_store, column orders):
//   "r/<group>/<store>/<orders|draft_orders>" → order_reconcile::encode() (watermark, fed ids)
//   "f/..." (order_found_key) is written by the order actor with the state it starts.
// /metrics: shopsync_orders_found_by_reconcile_total{group,kind} (counted by the order actor's
// hook: a rate above zero means webhooks are being lost) and
// shopsync_order_reconcile_rounds_total{group,store,kind}.
#include "actors/messages.hpp"
#include "actors/order_path.hpp"
#include "actors/sync_context.hpp"
#include "domain/order_reconcile.hpp"
#include "io/order_reconcile_api.hpp"

#include <optional>
#include <string>
#include <vector>

namespace shopsync {

struct order_cursor {
  store_name store;
  reconcile_doc kind = reconcile_doc::orders;
  order_reconcile machine;
  std::size_t found = 0; // documents fed and taken in this daemon's life
  // Lines one document read asks for: halved each time the store refuses a read as never
  // fitting its cost bucket (a small plan's bucket cannot hold a 100-line read).
  std::size_t lines_per_read = order_read_lines;
};

struct order_reconciler_state {
  static inline const char* name = "order_reconciler";
  const sync_context* ctx = nullptr;
  group_config group;
  std::shared_ptr<order_path> path; // shared with the router (a late answer may outlive it)
  std::vector<order_cursor> cursors;
  // import-orders dry run: the reply waits for every cursor's listing.
  std::optional<caf::typed_response_promise<std::string>> dry_run_reply;
  std::size_t dry_run_left = 0, dry_run_count = 0;
  std::int64_t dry_run_since = 0;
};

// "r/<group>/<store>/<orders|draft_orders>"
std::string order_cursor_key(const std::string& group, const store_name& store, reconcile_doc kind);

order_reconciler_actor::behavior_type order_reconciler(
  order_reconciler_actor::stateful_pointer<order_reconciler_state> self, const sync_context* ctx,
  group_config group, std::shared_ptr<order_path> path);

} // namespace shopsync
