#pragma once
// The router: an accepted webhook (from the inbox) goes to the actor it concerns. Inventory
// level changes go to the item actor of their identity in every group the store belongs to
// (spawned on demand: at a mapping only identities whose persisted state needs it, see
// item_needs_actor; idle ones are passivated); product and SKU changes ask the group's catalog to resync; orders go
// to the order path. Until every group has a mapping, events wait here (they are already
// durable in the inbox).
#include "actors/level_snapshot.hpp"
#include "actors/messages.hpp"
#include "actors/order_path.hpp"
#include "actors/order_reconciler.hpp"
#include "actors/skip_log.hpp"
#include "actors/sync_context.hpp"

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

namespace shopsync {

// A live item actor and how many messages the router has sent it (see passivation in item.hpp).
struct item_entry {
  item_actor actor;
  std::uint64_t sent = 0;
  bool started = false; // started for a mapping (counts in router_state::starting_live)
};

// The start-up work of a mapping, in chunks so that the router keeps answering (and routing)
// meanwhile: the group's identities and its persisted states are walked together in key order
// (both sorted), a chunk per tick; identities with no state (to align) or with operations to
// resume go to `queue`, whose actors are started at most ctx->start_window alive at a time
// (they leave when their work is done) and 500 per tick, so the scheduler is not flooded.
struct pending_starts {
  group_mapping_ptr mapping;
  std::size_t scanned = 0;             // identities [0, scanned) are walked
  std::vector<std::uint32_t> queue;    // identity indexes whose actor is to start
  std::size_t next = 0;                // queue[next] is the next to start
  // A first mapping of daemon.bulk_read_threshold identities or more: its actors start once the
  // level snapshots of the group's stores are read (or failed), and answer their first
  // alignment's reads from them (actors/level_snapshot.hpp).
  bool seeding = false;
  std::shared_ptr<const level_snapshots> seed;
};

// A store's level snapshot for first alignments: read once, shared by every group that holds
// the store, dropped when every group's start-up walk is done.
struct snapshot_slot {
  bool pending = true;
  std::shared_ptr<const level_snapshot> snapshot; // nullptr: failed (read by query)
};

struct router_state {
  const sync_context* ctx = nullptr;
  std::map<std::string, group_mapping_ptr> mappings;  // by group
  std::map<std::string, catalog_actor> catalogs;      // by group
  std::map<std::string, reconciler_actor> reconcilers; // by group
  std::unordered_map<std::string, item_entry> items;  // live ones, by item_state_key(group, identity)
  std::set<std::string> paused;                       // groups
  std::map<std::string, pending_starts> starting;     // by group
  std::size_t starting_live = 0;                      // live items with started = true
  bool start_scheduled = false;
  std::deque<std::pair<std::uint64_t, webhook_envelope>> waiting; // until every mapping is in
  // orders/create and draft_orders/* (actors per order); shared with the order reconcilers.
  std::shared_ptr<order_path> orders;
  std::unique_ptr<skip_log> skips; // events with nothing to do, written a few at a time
  bool orders_resumed = false;
  std::map<std::string, order_reconciler_actor> order_reconcilers; // by order / draft_order group
  std::map<store_name, snapshot_slot> snapshots;
  bool snapshots_over = false; // the first start-up walks are done: no more snapshots
  // Reconcile reads equal to the persisted state of an item without a live actor, dropped
  // without loading it (reconcile_read_is_echo); tests read it.
  std::uint64_t reconcile_echoes_dropped = 0;
  static inline const char* name = "router";
};

router_actor::behavior_type router(router_actor::stateful_pointer<router_state> self, const sync_context* ctx);

} // namespace shopsync
