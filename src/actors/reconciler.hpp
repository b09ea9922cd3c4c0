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
#include "actors/interfaces.hpp"
#include "actors/sync_context.hpp"

#include <map>
#include <string>
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
  static inline const char* name = "reconciler";
};

reconciler_actor::behavior_type reconciler(reconciler_actor::stateful_pointer<reconciler_state> self,
                                           const sync_context* ctx, group_config group, router_actor router);

} // namespace shopsync
