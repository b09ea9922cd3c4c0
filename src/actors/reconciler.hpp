#pragma once
// The reconciler (one per sync group): at the configured interval, and on request, reads
// every mapped level through the store links and feeds each value to the router as a hint for
// its (group, identity) (reconcile_hint). The item state machines take them as they take
// webhooks: they drop what they already know and re-read what differs, so a lost webhook heals
// without a special path.
// Each round ends with one line per store: levels read, not stocked, read errors and the levels
// found different (healed), at info, or at warn when reads failed; and the metrics
// shopsync_reconcile_rounds_total{group}, shopsync_reconcile_levels_read_total{group,store},
// shopsync_reconcile_errors_total{group,store}, shopsync_reconcile_last_round_timestamp_seconds{group}.
// A round over a mapping of daemon.bulk_read_threshold identities or more reads each
// store's levels through one bulk operation (BulkLevels) instead of level queries. Its values
// are hints like the others (a snapshot older than a webhook is re-read, never written back); a
// mapped level the file does not list, at a location it lists, is not stocked; the levels of a
// location it does not list, and every level of a store whose bulk read failed, are read by
// query as before.
#include "actors/messages.hpp"
#include "actors/sync_context.hpp"

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace shopsync {

struct reconciler_state {
  const sync_context* ctx = nullptr;
  group_config group;
  router_actor router;
  group_mapping_ptr mapping;
  bool running = false;
  // A round walks the mapping it started with, a window of reads at a time: at a million
  // identities, four million reads (and the hints they bring) at once would hold gigabytes.
  group_mapping_ptr round_mapping;
  std::size_t next_identity = 0, next_store = 0, next_slot = 0;
  std::size_t outstanding = 0;
  std::uint64_t rounds = 0;
  // This round's counts per store (a summary line each at its end; not running totals).
  struct round_counts {
    std::uint64_t read = 0, not_stocked = 0, errors = 0;
    std::uint64_t healed_before = 0; // shopsync_reconcile_levels_healed_total at the round's start
    std::string last_error;
  };
  std::map<store_name, round_counts> round;
  // The stores of this round read through bulk operations, by group store index,
  // while their operations run (the walk by query starts when none is left).
  struct bulk_read {
    std::uint64_t load = 0;
    std::optional<std::uint64_t> expected; // levels the file held (known when the operation ended)
    std::uint64_t arrived = 0;             // levels of the file arrived here
    std::uint64_t received = 0, not_stocked = 0; // of them, the mapped ones
    std::unordered_map<location_id, std::size_t> slot_of; // the store's mapped locations
    std::vector<bool> seen;                               // identity x slot: listed in the file
    std::set<location_id> listed;                         // locations with a level in the file
  };
  std::map<std::size_t, bulk_read> bulk;
  std::uint64_t bulk_loads = 0;
  // (store x slot) read by query this round; empty: all of them.
  std::vector<bool> by_query;
  // Bulk chunks waiting for the router: at most a window of hints is sent before the router has
  // answered a request sent after them (its mailbox is in order), so a file read faster than
  // the items take its hints does not pile millions of messages up in the router (2 GiB at 1 M).
  std::deque<std::pair<std::size_t, std::vector<level_value>>> chunks; // (store, levels)
  std::size_t unacked = 0;
  bool ack_waiting = false;
  static inline const char* name = "reconciler";
};

reconciler_actor::behavior_type reconciler(reconciler_actor::stateful_pointer<reconciler_state> self,
                                           const sync_context* ctx, group_config group, router_actor router);

} // namespace shopsync
