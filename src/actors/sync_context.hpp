#pragma once
// What the sync actors share: the state store, the audit log, the store links and the hook
// that marks an inbox entry applied. Owned by main(); outlives the actor system.
#include "actors/interfaces.hpp"
#include "actors/location_directory.hpp"
#include "actors/level_watch.hpp"
#include "actors/read_pressure.hpp"
#include "actors/stocking_report.hpp"
#include "io/audit_log.hpp"
#include "io/health_board.hpp"
#include "io/metrics.hpp"
#include "io/state_store.hpp"

#include <chrono>
#include <functional>
#include <map>

namespace shopsync {

class metrics_registry;
class group_guards;

struct sync_context {
  config cfg;
  state_store* store = nullptr;
  audit_log* audit = nullptr;
  std::map<store_name, store_link_actor> links;
  // One subscription keeper per store (webhook subscriptions and scopes).
  std::map<store_name, subscription_keeper_actor> keepers;
  metrics_registry* metrics = nullptr; // nullptr: not counted (tests)
  // Adds "inbox entry `seq` is applied" to a batch (the inbox's mark_applied).
  std::function<void(state_store::batch&, std::uint64_t seq)> mark_applied;
  std::chrono::milliseconds item_idle_timeout{30'000};
  // Item actors started by the router at a mapping (new identities to align, operations to
  // resume) that may be alive at once: they leave as soon as their work is done.
  std::size_t start_window = 20'000;
  // Levels not stocked at a mapped location (item actors write, `mappings --problems` reads).
  std::shared_ptr<stocking_report> stocking = std::make_shared<stocking_report>();
  // Location names, so replies show them instead of ids (catalog actors write, control reads).
  std::shared_ptr<location_directory> locations = std::make_shared<location_directory>();
  // What makes the daemon degraded (GET /healthz): store links report unauthorized stores.
  std::shared_ptr<health_board> health = std::make_shared<health_board>();
  // Stores where reads are scarce: the bucket not nearly full (store links write, item actors read).
  std::shared_ptr<read_pressure> pressure = std::make_shared<read_pressure>();
  // Levels not settled, since when (item actors write, /metrics reads); and how long is stuck.
  std::shared_ptr<level_watch> watch = std::make_shared<level_watch>();
  std::chrono::seconds stuck_level_after{300};
  // Plans, the mass-change breaker (actors/group_guard.hpp); nullptr: writes are not guarded.
  std::shared_ptr<group_guards> guards;
  std::chrono::milliseconds retry_base{200};
  std::chrono::milliseconds retry_max{30'000};

  const store_link_actor* link(const store_name& s) const {
    auto it = links.find(s);
    return it == links.end() ? nullptr : &it->second;
  }
};

} // namespace shopsync
