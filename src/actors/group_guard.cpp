#include "actors/group_guard.hpp"

#include "io/metrics.hpp"
#include "io/order_reconcile_api.hpp"
#include "io/state_store.hpp"

#include <spdlog/spdlog.h>

namespace shopsync {

namespace {

std::string state_key(const std::string& group) { return "guard/" + group; }

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

} // namespace

const char* to_string(guard_state s) {
  switch (s) {
    case guard_state::syncing: return "syncing";
    case guard_state::planned: return "planned";
    case guard_state::tripped: return "tripped";
  }
  return "?";
}

std::string guard_fingerprint(const group_config& g) {
  std::string f = g.source + "|";
  for (auto& d : g.destinations) f += d + ",";
  f += "|" + std::string(to_string(g.match_by)) + "|" + (g.locations_by_name ? "by_name" : "explicit");
  for (auto& p : g.location_pairs) f += "|" + p.source + ">" + p.store + ":" + p.destination;
  // A short hash: the value is compared, never read back.
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : f) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return std::to_string(h);
}

group_guards::group_guards(const config& cfg, state_store* store, metrics_registry* metrics)
    : cfg_(cfg), store_(store), metrics_(metrics) {
  for (auto& g : cfg_.groups) {
    auto& e = groups_[g.name];
    e.cfg = &g;
    e.breaker = mass_change_breaker(g.breaker);
    std::optional<guard_record> stored;
    bool mapped_before = false;
    if (store_) {
      if (auto v = store_->get(column::meta, state_key(g.name)); v && *v) {
        stored = decode_guard_record(**v);
        if (!stored)
          spdlog::warn("guard: group={} its stored guard state is damaged ({}): taken as never seen", g.name, **v);
      }
      if (auto m = store_->get(column::mapping, "group/" + g.name); m && *m) mapped_before = true;
    }
    if (stored && stored->state != group_state::syncing) {
      // Held when the daemon stopped: held still, for the same reason (the trip's store and
      // counts included), persisted as it was.
      e.facts = *stored;
      e.state = stored->state == group_state::tripped ? guard_state::tripped : guard_state::planned;
      set_state(e, e.state, stored->reason, stored->undone_from_s);
      continue;
    }
    guard_state s = guard_state::syncing;
    hold_reason why = hold_reason::none;
    if (stored) {
      if (g.start_with_plan && stored->fingerprint != guard_fingerprint(g)) {
        s = guard_state::planned;
        why = hold_reason::config_changed;
        spdlog::warn("guard: group={} its stores, locations or match key changed since it last synced: "
                     "planned, its writes wait for `shopsyncctl approve {}`", g.name, g.name);
      }
    } else if (g.start_with_plan && !mapped_before) {
      // Never synced (a deployment from before the guard has a mapping: it synced).
      s = guard_state::planned;
      why = hold_reason::never_synced;
      spdlog::info("guard: group={} has never synced: planned, its writes wait for `shopsyncctl approve {}`", g.name,
                   g.name);
    }
    set_state(e, s, why);
  }
}

group_guards::group_entry* group_guards::find(const std::string& group) {
  auto it = groups_.find(group);
  return it == groups_.end() ? nullptr : &it->second;
}

const group_guards::group_entry* group_guards::find(const std::string& group) const {
  auto it = groups_.find(group);
  return it == groups_.end() ? nullptr : &it->second;
}

void group_guards::set_state(group_entry& e, guard_state s, hold_reason why, std::int64_t undone_from_s) {
  const auto& name = e.cfg->name;
  // The facts of a hold that goes on (a restart, or an undo while tripped keeps the trip) are
  // kept; a new hold starts its own.
  guard_record r;
  r.state = s == guard_state::syncing ? group_state::syncing
            : s == guard_state::planned ? group_state::planned
                                        : group_state::tripped;
  if (s == guard_state::syncing) {
    r.fingerprint = guard_fingerprint(*e.cfg);
  } else {
    r.reason = why;
    const bool same_hold = e.facts.state == r.state && e.facts.reason == why && e.facts.since_s != 0;
    r.since_s = same_hold ? e.facts.since_s : unix_now();
    r.undone_from_s = undone_from_s;
    if (s == guard_state::tripped && e.breaker.trip()) {
      auto& t = *e.breaker.trip();
      r.trip = held_trip{t.store, t.drops, t.allowance, t.mapped};
    } else if (s != guard_state::syncing && e.facts.trip && why != hold_reason::discarded) {
      r.trip = e.facts.trip; // still held since the trip (restarted, or undone meanwhile)
    }
  }
  e.state = s;
  e.facts = r;
  if (store_) {
    auto v = encode(r);
    if (auto w = store_->put(column::meta, state_key(name), v); !w)
      spdlog::error("guard: group={} cannot persist its state {}: {}", name, to_string(s), w.error().message);
  }
  if (metrics_) {
    metrics_->gauge("shopsync_breaker_tripped", "1 while the group's mass-change breaker holds its writes",
                    {{"group", name}})
      .set(s == guard_state::tripped ? 1 : 0);
    metrics_->gauge("shopsync_group_planned", "1 while the group waits for its plan to be approved",
                    {{"group", name}})
      .set(s == guard_state::planned ? 1 : 0);
    // Present (0) from the start, so an alert on it has a series to watch.
    metrics_->gauge("shopsync_two_writer_levels", "Destination levels another writer keeps changing back after shopsync",
                    {{"group", name}})
      .set(static_cast<double>(e.fight_levels.size()));
  }
}

guard_state group_guards::state(const std::string& group) const {
  std::lock_guard lock(mu_);
  auto* e = find(group);
  return e ? e->state : guard_state::syncing;
}

std::optional<breaker_trip> group_guards::trip(const std::string& group) const {
  std::lock_guard lock(mu_);
  auto* e = find(group);
  if (!e) return std::nullopt;
  if (e->breaker.trip()) return e->breaker.trip();
  if (e->state == guard_state::tripped && e->facts.trip) { // tripped before a restart
    auto& t = *e->facts.trip;
    return breaker_trip{t.store, t.drops, t.allowance, t.mapped, 0};
  }
  return std::nullopt;
}

guard_record group_guards::record(const std::string& group) const {
  std::lock_guard lock(mu_);
  auto* e = find(group);
  return e ? e->facts : guard_record{};
}

std::string group_guards::held_because(const std::string& group) const {
  auto r = record(group);
  if (r.state == group_state::syncing) return {};
  const auto since = r.since_s ? " at " + iso8601_utc(r.since_s) : std::string();
  std::string text;
  switch (r.reason) {
    case hold_reason::never_synced:
      text = "a new group: nothing is written before its plan is approved";
      break;
    case hold_reason::config_changed:
      text = "its stores, locations or match key changed since it last synced";
      break;
    case hold_reason::discarded:
      text = "its held writes were discarded" + since + ": every level was read again, this is the new plan";
      break;
    case hold_reason::undone:
      text = "undo of shopsync's writes since " + iso8601_utc(r.undone_from_s) + " applied" + since +
             ": the Destinations keep the restored levels and do not follow the Source until you approve "
             "(restore the Source first: the plan shows what following it would write)";
      break;
    case hold_reason::breaker:
    case hold_reason::none:
      if (r.trip)
        text = "breaker tripped by store " + r.trip->store + since + ": shopsync's writes would drop " +
               std::to_string(r.trip->drops) + " levels to zero or by more than half within the window (allowed " +
               std::to_string(r.trip->allowance) + " of " + std::to_string(r.trip->mapped) + " mapped)";
      else if (r.state == group_state::tripped)
        text = "the mass-change breaker tripped";
      else
        text = "a plan waits for approval";
      break;
  }
  return text;
}

void group_guards::mapped(const group_mapping& m) {
  std::lock_guard lock(mu_);
  auto* e = find(m.group());
  if (!e) return;
  e->location_names.clear();
  const auto& slots = m.locations().slots;
  std::vector<store_name> stores{e->cfg->source};
  stores.insert(stores.end(), e->cfg->destinations.begin(), e->cfg->destinations.end());
  for (std::size_t i = 0; i < stores.size(); ++i) {
    std::uint64_t with_location = 0;
    for (auto& s : slots)
      if (auto loc = s.in_store(i)) {
        with_location++;
        e->location_names[{stores[i], *loc}] = s.name;
      }
    // Every identity in every mapped location: an upper bound (an identity a store lacks is
    // counted too), which only makes the share a little more lenient.
    e->breaker.set_mapped_levels(stores[i], with_location * m.size());
  }
}

breaker_decision group_guards::admit(const std::string& group, const store_name& store, inventory_item_id item,
                                     location_id location, std::optional<std::int64_t> before,
                                     std::int64_t after) {
  std::lock_guard lock(mu_);
  auto* e = find(group);
  if (!e) return breaker_decision::pass;
  if (e->state != guard_state::syncing) return breaker_decision::held;
  auto d = e->breaker.admit(store, std::to_string(item) + "@" + std::to_string(location), before, after, now_ms());
  if (d == breaker_decision::tripped_now) {
    auto& t = *e->breaker.trip();
    spdlog::error("guard: group={} store={}: breaker tripped: shopsync's writes would drop {} levels to zero or by "
                  "more than half within {} s (allowed: {} of {} mapped); the group's writes are held until "
                  "`shopsyncctl approve {}` (send them) or `shopsyncctl discard {}` (drop them, plan again); "
                  "`shopsyncctl plan {}` shows them",
                  group, store, t.drops,
                  std::chrono::duration_cast<std::chrono::seconds>(e->breaker.limits().window).count(), t.allowance,
                  t.mapped, group, group, group);
    if (metrics_)
      metrics_->counter("shopsync_breaker_trips_total", "Times a group's mass-change breaker tripped",
                        {{"group", group}, {"store", store}})
        .inc();
    set_state(*e, guard_state::tripped, hold_reason::breaker);
  }
  return d;
}

std::int64_t group_guards::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - epoch_).count();
}

namespace {
std::string fight_key(const std::string& identity, const store_name& store, location_id location) {
  return store + '\x1f' + identity + '\x1f' + std::to_string(location);
}
} // namespace

void group_guards::level_set(const std::string& group, const std::string& identity, const store_name& store,
                             location_id location, std::optional<std::int64_t> before, std::int64_t after) {
  std::lock_guard lock(mu_);
  if (auto* e = find(group))
    e->fights.set_by_us(fight_key(identity, store, location), before, after, now_ms());
}

void group_guards::level_changed(const std::string& group, const std::string& identity, const store_name& store,
                                 location_id location, std::int64_t before, std::int64_t after) {
  std::lock_guard lock(mu_);
  auto* e = find(group);
  if (!e) return;
  auto key = fight_key(identity, store, location);
  if (!e->fights.changed_by_other(key, before, after, now_ms())) return;
  auto it = e->location_names.find({store, location});
  auto name = it == e->location_names.end() ? std::to_string(location) : it->second;
  e->fight_levels[key] = {identity, store, name, {}};
  spdlog::warn("guard: group={} store={} identity={} location=\"{}\": another writer sets this level back after "
               "each of shopsync's writes ({} times in a row, last: shopsync {}, the other {}); shopsync goes on "
               "following the Source: stop the other app from writing here, or take the store out of the group",
               group, store, identity, name, e->fights.limits().times, before, after);
  if (metrics_)
    metrics_->gauge("shopsync_two_writer_levels", "Destination levels another writer keeps changing back after shopsync",
                    {{"group", group}})
      .set(static_cast<double>(e->fight_levels.size()));
}

std::vector<group_guards::two_writer_level> group_guards::two_writers(const std::string& group) const {
  std::lock_guard lock(mu_);
  std::vector<two_writer_level> out;
  auto* e = find(group);
  if (!e) return out;
  for (auto& f : e->fights.findings()) {
    auto it = e->fight_levels.find(f.level);
    if (it == e->fight_levels.end()) continue;
    auto l = it->second;
    l.numbers = f;
    out.push_back(std::move(l));
  }
  return out;
}

void group_guards::owed(const std::string& group, const std::string& identity,
                        const std::vector<pending_write>& writes) {
  std::lock_guard lock(mu_);
  auto* e = find(group);
  if (!e) return;
  if (e->state == guard_state::syncing || writes.empty()) {
    e->owed.erase(identity);
    return;
  }
  std::vector<planned_write> named;
  for (auto& w : writes) {
    auto it = e->location_names.find({w.store, w.location});
    named.push_back({w.store, identity, it == e->location_names.end() ? std::to_string(w.location) : it->second,
                     w.before, w.after});
  }
  e->owed[identity] = std::move(named);
}

std::vector<planned_write> group_guards::plan_writes(const std::string& group) const {
  std::lock_guard lock(mu_);
  std::vector<planned_write> out;
  if (auto* e = find(group))
    for (auto& [identity, ws] : e->owed) out.insert(out.end(), ws.begin(), ws.end());
  return out;
}

std::string group_guards::location_name(const std::string& group, const store_name& store,
                                        location_id location) const {
  std::lock_guard lock(mu_);
  if (auto* e = find(group))
    if (auto it = e->location_names.find({store, location}); it != e->location_names.end())
      return it->second;
  return std::to_string(location);
}

std::size_t group_guards::identities_reporting(const std::string& group) const {
  std::lock_guard lock(mu_);
  auto* e = find(group);
  return e ? e->owed.size() : 0;
}

void group_guards::realigning(const std::string& group, const std::vector<std::string>& identities) {
  std::lock_guard lock(mu_);
  auto* e = find(group);
  if (!e || !e->cfg->start_with_plan || e->state != guard_state::syncing || identities.empty()) return;
  e->realigning.insert(identities.begin(), identities.end());
  spdlog::info("guard: group={} a resync changed the mapping of {} identities: if their alignment would write, "
               "the group is planned first", group, identities.size());
}

bool group_guards::replan_for(const std::string& group, const std::string& identity) {
  std::lock_guard lock(mu_);
  auto* e = find(group);
  if (!e || e->state != guard_state::syncing || !e->realigning.count(identity)) return false;
  spdlog::warn("guard: group={} a resync changed the mapping and {} (one of {} identities remapped or new) would be "
               "written: planned, its writes wait for `shopsyncctl approve {}` (`shopsyncctl plan {}` shows them)",
               group, identity, e->realigning.size(), group, group);
  e->realigning.clear();
  set_state(*e, guard_state::planned);
  return true;
}

void group_guards::realigned(const std::string& group, const std::string& identity) {
  std::lock_guard lock(mu_);
  if (auto* e = find(group)) e->realigning.erase(identity);
}

void group_guards::approve(const std::string& group) {
  std::lock_guard lock(mu_);
  auto* e = find(group);
  if (!e) return;
  spdlog::info("guard: group={} approved ({}): its writes go out", group, to_string(e->state));
  e->breaker.reset();
  e->owed.clear();
  e->realigning.clear();
  set_state(*e, guard_state::syncing);
}

void group_guards::discard(const std::string& group) {
  std::lock_guard lock(mu_);
  auto* e = find(group);
  if (!e) return;
  spdlog::info("guard: group={} discarded ({}): held writes dropped, planning again", group, to_string(e->state));
  e->breaker.reset();
  e->owed.clear();
  e->realigning.clear();
  set_state(*e, guard_state::planned, hold_reason::discarded);
}

void group_guards::hold_after_undo(const std::string& group, std::int64_t from_s) {
  std::lock_guard lock(mu_);
  auto* e = find(group);
  if (!e) return;
  spdlog::warn("guard: group={} undo of shopsync's writes since {} applied: planned, its Destinations keep the "
               "restored levels until `shopsyncctl approve {}` (they then follow the Source again: restore it "
               "first) or `shopsyncctl discard {}`",
               group, iso8601_utc(from_s), group, group);
  set_state(*e, guard_state::planned, hold_reason::undone, from_s);
}

} // namespace shopsync
