#pragma once
// The guard rails of every sync group's writes, shared by the item actors (each
// asks before sending a write and reports the writes it owes), the router (which tells the
// items when their group is held or released) and the control actor (plan, approve, discard,
// status). Thread-safe. Sync rules live in the domain (mass_change_breaker, write_plan); this
// holds their state, persists each group's guard state and reports trips (log, /metrics).
//
// A group is in one of three states:
//   syncing  writes go out; each passes the group's mass-change breaker first;
//   planned  a group that never synced (start = "plan"), whose configuration changed since it
//            last synced, whose mapping a resync changed so that its alignment would write
//            (realigning), or whose held writes were discarded: nothing is written; its items
//            read every level and report what they owe: that is its plan;
//   tripped  the breaker tripped: writes are held (kept) until approve or discard.
// approve: syncing (the writes owed and held go out, not counted by the breaker); discard:
// planned (held writes are dropped, levels re-read, a new plan forms). `undo --apply` in a
// one-way group: planned (its Destinations keep the restored levels instead of following the
// Source straight back) until the merchant approves or discards.
// The state and why (domain/guard_record.hpp: the reason, since when, the trip's store and
// counts) are persisted in the meta column ("guard/<group>"), so a restart keeps a group held
// and `plan` still says why.
#include "domain/config.hpp"
#include "domain/group_mapping.hpp"
#include "domain/guard_record.hpp"
#include "domain/inventory_item_state.hpp"
#include "domain/mass_change_breaker.hpp"
#include "domain/two_writers.hpp"
#include "domain/write_plan.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace shopsync {

class metrics_registry;
class state_store;

enum class guard_state : std::uint8_t { syncing, planned, tripped };
const char* to_string(guard_state);

// What a group's configuration says about its stores, locations and match key: a change of it
// makes the group plan again (start = "plan").
std::string guard_fingerprint(const group_config&);

class group_guards {
public:
  // store and metrics may be null (tests). Reads every group's persisted state: a group with
  // none is planned when it says start = "plan" and has never been mapped, else syncing.
  group_guards(const config& cfg, state_store* store, metrics_registry* metrics);

  guard_state state(const std::string& group) const;
  bool holds(const std::string& group) const { return state(group) != guard_state::syncing; }
  std::optional<breaker_trip> trip(const std::string& group) const;
  // Why the group is held, as persisted (also after a restart): reason, since, the trip.
  guard_record record(const std::string& group) const;
  // The same for the merchant, one sentence naming the way out; empty while syncing.
  std::string held_because(const std::string& group) const;

  // A new mapping: each store's mapped levels (the breaker's share) and location names.
  void mapped(const group_mapping&);
  // Before sending a write that leaves `store`'s level (item, location) at `after`.
  // held / tripped_now: keep it (and, on tripped_now, tell the router to hold the group).
  breaker_decision admit(const std::string& group, const store_name& store, inventory_item_id item,
                         location_id location, std::optional<std::int64_t> before, std::int64_t after);

  // What one identity owes (replacing its earlier report); only kept while the group is held.
  void owed(const std::string& group, const std::string& identity, const std::vector<pending_write>& writes);
  std::vector<planned_write> plan_writes(const std::string& group) const;
  // The merchant's name of a mapped location (its id as text when unknown).
  std::string location_name(const std::string& group, const store_name& store, location_id location) const;
  std::size_t identities_reporting(const std::string& group) const;

  void approve(const std::string& group);
  void discard(const std::string& group);
  // `undo --apply` in a one-way group reversed shopsync's writes since `from_s` (unix
  // seconds): planned, so its Destinations are not set back to the Source's values before the
  // merchant acts (the caller holds the group's items before sending the undo).
  void hold_after_undo(const std::string& group, std::int64_t from_s);

  // Two writers: shopsync's confirmed sets and the changes others made, at one-way Destination
  // levels (the item actors feed their audit records). A level found fighting is logged once
  // and counted in /metrics; `two_writers` lists the group's findings.
  struct two_writer_level {
    std::string identity;
    store_name store;
    std::string location;
    two_writer_finding numbers;
  };
  void level_set(const std::string& group, const std::string& identity, const store_name& store, location_id location,
                 std::optional<std::int64_t> before, std::int64_t after);
  void level_changed(const std::string& group, const std::string& identity, const store_name& store,
                     location_id location, std::int64_t before, std::int64_t after);
  std::vector<two_writer_level> two_writers(const std::string& group) const;

  // A resync that changes the mapping plans the group again: the catalog names the identities
  // its new mapping remaps or adds (mapping_diff), for a syncing group whose start is "plan".
  // Each aligns anew; the first write one of them would make (its alignment found a level to
  // change) puts the group in planned instead of going out, so nothing is written for them
  // before approval; one whose alignment writes nothing leaves the list (realigned). Approve
  // and discard clear the list.
  void realigning(const std::string& group, const std::vector<std::string>& identities);
  // Before a write of `identity`: true when the identity is realigning and this call made the
  // group planned (the caller holds the write and tells the router to hold the group).
  bool replan_for(const std::string& group, const std::string& identity);
  void realigned(const std::string& group, const std::string& identity);

private:
  struct group_entry {
    const group_config* cfg = nullptr;
    guard_state state = guard_state::syncing;
    guard_record facts; // what is persisted: the state, why, since when
    mass_change_breaker breaker;
    std::map<std::pair<store_name, location_id>, std::string> location_names;
    std::map<std::string, std::vector<planned_write>> owed; // by identity
    two_writer_detector fights;
    std::map<std::string, two_writer_level> fight_levels; // by detector key
    std::set<std::string> realigning; // identities a resync remapped or added (realigning())
  };
  std::int64_t now_ms() const;
  group_entry* find(const std::string& group);
  const group_entry* find(const std::string& group) const;
  // Persists the state (with why) and updates the gauges.
  void set_state(group_entry&, guard_state, hold_reason = hold_reason::none, std::int64_t undone_from_s = 0);

  mutable std::mutex mu_;
  config cfg_;
  state_store* store_ = nullptr;
  metrics_registry* metrics_ = nullptr;
  std::map<std::string, group_entry> groups_;
  std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
};

} // namespace shopsync
