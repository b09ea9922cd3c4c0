#pragma once
// The sync side's /metrics series that are not counted where they happen: set from a new
// mapping, counted by the router and the item actors, or read when /metrics is scraped.
//
//   shopsync_mapping_problems{group,kind}          identities or locations not synced, by kind
//                                                  (matcher and location problems, and the
//                                                  levels not stocked: not_stocked, inactive,
//                                                  disconnect_seen)
//   shopsync_webhook_last_received_timestamp_seconds{store,topic}
//                                                  unix time of the last webhook accepted
//   shopsync_sync_lag_seconds{group}               webhook received → every write it led to
//                                                  confirmed (histogram)
//   shopsync_levels_unsettled{group}               levels dirty or with an operation in flight
//   shopsync_levels_stuck{group}                   of those, unsettled longer than
//                                                  sync_context::stuck_level_after
//   shopsync_levels_unsettled_oldest_seconds{group}
//   shopsync_orders{group,state}                   persisted orders and draft orders by state
//   shopsync_reconcile_levels_healed_total{group,store}
//                                                  levels a reconcile read found different
//                                                  from what shopsync knew (a lost or late
//                                                  webhook, healed)
//   shopsync_reconcile_echoes_dropped_total{group,store}
//                                                  reconcile reads equal to the persisted state
//                                                  of an item at rest, dropped by the router
//                                                  without loading the item
//   shopsync_catalog_product_webhooks_total{group,outcome}
//                                                  products/update and products/create seen by
//                                                  a group's catalog: "unchanged" (every variant
//                                                  as held: a sale's, dropped) or "changed"
// Every function does nothing when the registry is null (tests without metrics).
#include "actors/sync_context.hpp"
#include "domain/group_mapping.hpp"

#include <chrono>
#include <string>

namespace shopsync {

class metrics_registry;

// After a new mapping of `group`: every kind is set (0 when none), so a solved problem shows.
void export_mapping_problems(metrics_registry* m, const std::string& group, const group_mapping& mapping);

// A webhook accepted for `store` (by name) and `topic`, now.
void note_webhook_received(metrics_registry* m, const std::string& store, const std::string& topic);

// One webhook's way through an item: from its arrival to its last write confirmed.
void observe_sync_lag(metrics_registry* m, const std::string& group, std::chrono::steady_clock::duration lag);

// A reconcile read of `store`'s level differed from what the item knew.
void note_reconcile_healed(metrics_registry* m, const std::string& group, const std::string& store);
std::uint64_t reconcile_healed(metrics_registry* m, const std::string& group, const std::string& store);

// A reconcile read of `store`'s level was an echo of an item's persisted state: dropped unloaded.
void note_reconcile_echo_dropped(metrics_registry* m, const std::string& group, const std::string& store);

// A product webhook reached `group`'s catalog: it changed what the group matches on, or not.
void note_product_webhook(metrics_registry* m, const std::string& group, bool changed);

// Registers the series read at scrape time (levels unsettled, orders by state, levels not
// stocked) for every group of ctx.cfg. Orders are counted from the state store at most every
// `orders_every` (a scan of the orders column).
void export_at_scrape(metrics_registry& m, const sync_context& ctx,
                      std::chrono::seconds orders_every = std::chrono::seconds(15));

} // namespace shopsync
