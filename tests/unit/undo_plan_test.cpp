// Undo: reversing shopsync's own changes since a time as deltas, from audit facts.
// The property: a level's history of sales, restocks, manual edits and shopsync's writes (sets
// and adjusts, audited with their before and after), undone since a random moment, ends at its
// value then plus every change made by others since; undoing again owes nothing.
// SHOPSYNC_PROPERTY_SEEDS=N runs N seeds (default 2000); SHOPSYNC_PROPERTY_SEED replays one.
#include "domain/inventory_item_state.hpp"
#include "domain/undo_plan.hpp"
#include "property_seeds.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace shopsync::testing {
namespace {

TEST(UndoPlan, OwnChangesAreSetsAdjustsAndUndosOnly) {
  EXPECT_EQ(own_change_of("level_set", 10, 0, 0), -10);
  EXPECT_EQ(own_change_of("level_set", std::nullopt, 4, 0), 4);
  EXPECT_EQ(own_change_of("delta_propagated", 5, 3, -2), -2);
  EXPECT_FALSE(own_change_of("undone", 3, 5, 2)); // the request; its adjust is counted when confirmed
  EXPECT_FALSE(own_change_of("external_change", 5, 3, -2));
  EXPECT_FALSE(own_change_of("observed", std::nullopt, 3, 0));
  EXPECT_FALSE(own_change_of("echo_dropped", 3, 3, 0));
}

TEST(UndoPlan, OneNegatedSumPerLevelAndOnlyTheStoreAsked) {
  std::vector<own_change> c{{"sku:A", "dest-a", 1, -10}, {"sku:A", "dest-a", 1, -5}, {"sku:A", "dest-b", 1, -10},
                            {"sku:B", "dest-a", 1, 3},   {"sku:B", "dest-a", 1, -3}};
  auto all = plan_undo(c);
  ASSERT_EQ(all.size(), 2u); // sku:B sums to 0: nothing to undo
  EXPECT_EQ(all[0].store, "dest-a");
  EXPECT_EQ(all[0].delta, 15);
  EXPECT_EQ(all[0].changes, 2u);
  EXPECT_EQ(all[1].store, "dest-b");
  EXPECT_EQ(all[1].delta, 10);
  auto b = plan_undo(c, "dest-b");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].delta, 10);
}

// The state machine's side: an undo delta at a two-way level is sent there as an adjust and is
// shopsync's own change (never carried to the other store); a one-way level refuses it.
TEST(UndoPlan, AnUndoDeltaIsAdjustedAtItsLevelOnlyAndAuditedAsUndone) {
  item_layout layout;
  layout.identity = "sku:A";
  layout.mode = sync_mode::two_way;
  layout.stores = {{"source", 1}, {"dest", 2}};
  layout.slots = {{{location_id{10}, location_id{20}}}};
  inventory_item_state sm(layout, 1);
  auto t = sm.align();
  for (int round = 0; round < 4 && !t.commands.empty(); ++round) {
    transition next;
    for (auto& c : t.commands) {
      auto r = c.kind == op_kind::read ? sm.read_result(c.at, c.op_id, 10) : sm.write_result(c.at, c.op_id, c.target);
      next.commands.insert(next.commands.end(), r.commands.begin(), r.commands.end());
    }
    t = std::move(next);
  }
  ASSERT_TRUE(sm.idle());
  auto u = sm.undo({1, 0}, 3, "undo since T");
  ASSERT_EQ(u.commands.size(), 1u);
  EXPECT_EQ(u.commands[0].kind, op_kind::adjust);
  EXPECT_EQ(u.commands[0].store, "dest");
  EXPECT_EQ(u.commands[0].delta, 3);
  ASSERT_FALSE(u.audit.empty());
  EXPECT_EQ(u.audit[0].kind, audit_kind::undone);
  EXPECT_EQ(u.audit[0].delta, 3);
  auto done = sm.write_result({1, 0}, u.commands[0].op_id, 13);
  EXPECT_TRUE(done.commands.empty()) << "the undo must not travel to the other store";
  bool confirmed = false;
  for (auto& a : done.audit) confirmed = confirmed || (a.kind == audit_kind::delta_propagated && a.delta == 3);
  EXPECT_TRUE(confirmed);
  EXPECT_TRUE(sm.idle());

  layout.mode = sync_mode::one_way;
  inventory_item_state one(layout, 1);
  auto refused = one.undo({1, 0}, 3, "undo"); // not read yet: no certain starting point
  EXPECT_TRUE(refused.commands.empty());
}

// A one-way machine driven against a simulated store (one slot): commands answered as Shopify
// would, at random moments (or all of them, `drain`).
struct one_way_rig {
  std::vector<std::int64_t> q;   // the stores' real quantities
  inventory_item_state sm;
  std::vector<command> out;      // sent, not answered yet
  std::vector<audit_record> audit;
  std::vector<int> audit_time;
  int now = 0;

  static item_layout layout(std::size_t stores) {
    item_layout l;
    l.identity = "sku:A";
    l.mode = sync_mode::one_way;
    item_slot slot;
    for (std::size_t i = 0; i < stores; ++i) {
      l.stores.push_back({i == 0 ? "source" : "dest-" + std::to_string(i), 100 + i});
      slot.locations.push_back(location_id{10 + i});
    }
    l.slots = {slot};
    return l;
  }
  explicit one_way_rig(std::vector<std::int64_t> initial) : q(std::move(initial)), sm(layout(q.size()), 1) {}

  void take(transition t) {
    for (auto& a : t.audit) {
      audit.push_back(a);
      audit_time.push_back(now);
    }
    out.insert(out.end(), t.commands.begin(), t.commands.end());
  }
  bool in_flight_at(std::size_t store) const {
    for (auto& c : out)
      if (c.at.store == store) return true;
    return false;
  }
  void answer(std::size_t k) {
    auto c = out[k];
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(k));
    auto& v = q[c.at.store];
    if (c.kind == op_kind::read) return take(sm.read_result(c.at, c.op_id, v));
    if (c.kind == op_kind::set) v = c.target;
    else v += c.delta;
    take(sm.write_result(c.at, c.op_id, v));
  }
  void drain() {
    for (int guard = 0; guard < 1000 && !out.empty(); ++guard) answer(0);
  }
  std::vector<own_change> own_since(int t) const {
    std::vector<own_change> mine;
    for (std::size_t i = 0; i < audit.size(); ++i)
      if (audit_time[i] >= t)
        if (auto c = own_change_of(to_string(audit[i].kind), audit[i].before, audit[i].after, audit[i].delta))
          mine.push_back({"sku:A", audit[i].store, audit[i].location, *c});
    return mine;
  }
};

// One-way: a Destination follows its Source, so an undo there is an adjust sent even
// while the machine is paused, and the set back to the Source's value waits behind it (shown
// as owed) until the holder resumes.
TEST(UndoPlan, AOneWayUndoIsSentWhilePausedAndTheSetToTheSourceWaitsBehindIt) {
  one_way_rig r({10, 10});
  r.take(r.sm.align());
  r.drain();
  ASSERT_TRUE(r.sm.idle());
  r.q[0] = 0; // the Source wiped: shopsync sets the Destination to 0
  r.take(r.sm.hint({0, 0}, 0));
  r.drain();
  ASSERT_EQ(r.q[1], 0);
  r.take(r.sm.set_paused(true));
  auto u = r.sm.undo({1, 0}, 10, "undo since T");
  ASSERT_EQ(u.commands.size(), 1u);
  EXPECT_EQ(u.commands[0].kind, op_kind::adjust);
  EXPECT_EQ(u.commands[0].delta, 10);
  EXPECT_TRUE(r.sm.is_undo(u.commands[0]));
  EXPECT_EQ(u.audit.at(0).kind, audit_kind::undone);
  r.take(std::move(u));
  r.drain();
  EXPECT_EQ(r.q[1], 10);
  EXPECT_TRUE(r.out.empty()) << "paused: the Destination is not set back to the Source's 0";
  auto owed = r.sm.would_write();
  ASSERT_EQ(owed.size(), 1u);
  EXPECT_EQ(owed[0].before, 10);
  EXPECT_EQ(owed[0].after, 0);
  EXPECT_TRUE(r.own_since(0).size() >= 2u);
  // The Source's level takes no undo: shopsync never wrote it.
  EXPECT_TRUE(r.sm.undo({0, 0}, 5, "undo").commands.empty());
  // Resumed (the merchant approved): it follows the Source again.
  r.take(r.sm.set_paused(false));
  r.drain();
  EXPECT_EQ(r.q[1], 0);
}

std::uint64_t seeds();

// The property, one-way: the Source changes and Destinations sell at random while shopsync
// follows; at a random T the machine is paused (the group held) and shopsync's changes since T
// undone. Each Destination ends at its level at T plus its own sales since (some racing the
// undo), the machine sends nothing else while paused, and undoing again owes nothing.
TEST(UndoPlanProperty, OneWayDestinationsReturnToTheirLevelAtTLessTheirSalesAndStayThere) {
  const char* only = std::getenv("SHOPSYNC_PROPERTY_SEED");
  std::map<std::string, long> tally;
  for (std::uint64_t i = 0, n = only ? 1 : seeds(); i < n; ++i) {
    const auto seed = only ? std::strtoull(only, nullptr, 10) : 23 * 1000003 + i;
    std::mt19937_64 rng(seed);
    auto below = [&](std::uint64_t k) { return static_cast<std::int64_t>(rng() % k); };
    const auto stores = static_cast<std::size_t>(2 + below(2));
    std::vector<std::int64_t> initial;
    for (std::size_t s = 0; s < stores; ++s) initial.push_back(below(30));
    one_way_rig r(initial);
    r.take(r.sm.align());
    const int steps = 10 + static_cast<int>(below(60)), t = static_cast<int>(below(static_cast<std::uint64_t>(steps)));
    std::vector<std::int64_t> at_t, sold(stores, 0);
    auto sale = [&](std::size_t d) {
      auto k = 1 + below(3);
      r.q[d] -= k;
      sold[d] += k;
      r.take(r.sm.hint({d, 0}, r.q[d]));
      tally["sale"]++;
    };
    for (r.now = 0; r.now < steps; ++r.now) {
      if (r.now == t) {
        r.now = t - 1; // T falls between writes: every level known and at rest, before T
        r.drain();
        r.now = t;
        at_t = r.q;
        std::fill(sold.begin(), sold.end(), 0);
      }
      switch (below(4)) {
        case 0: // the Source changes (an import, a sale there, a restock)
          r.q[0] = below(3) == 0 ? 0 : below(40);
          r.take(r.sm.hint({0, 0}, r.q[0]));
          break;
        case 1: { // a sale at a Destination, never racing a set (a set overwrites what raced it)
          auto d = static_cast<std::size_t>(1 + below(static_cast<std::uint64_t>(stores - 1)));
          if (!r.sm.paused() && !r.in_flight_at(d)) sale(d);
          break;
        }
        default:
          if (!r.out.empty()) r.answer(static_cast<std::size_t>(below(r.out.size())));
      }
    }
    r.drain();
    if (at_t.empty()) continue;
    // The group is held, then shopsync's changes since T are undone.
    r.take(r.sm.set_paused(true));
    r.drain();
    const auto writes = plan_undo(r.own_since(t));
    for (auto& w : writes) {
      auto at = r.sm.find_level(w.store, w.location);
      ASSERT_TRUE(at) << "seed " << seed;
      auto u = r.sm.undo(*at, w.delta, "undo");
      for (auto& c : u.commands)
        if (!r.sm.is_undo(c) && c.kind != op_kind::read) ADD_FAILURE() << "seed " << seed << ": a set while held";
      r.take(std::move(u));
      tally["undone"]++;
      // Sales racing the undo's adjusts: they commute with it.
      if (below(2)) sale(at->store);
      if (!r.out.empty()) r.answer(static_cast<std::size_t>(below(r.out.size())));
    }
    r.drain();
    for (std::size_t d = 1; d < stores; ++d)
      if (r.q[d] != at_t[d] - sold[d]) {
        ADD_FAILURE() << "seed " << seed << ": Destination " << d << " is " << r.q[d] << ", at T it was " << at_t[d]
                      << " and sold " << sold[d] << " since";
        return;
      }
    if (!plan_undo(r.own_since(t)).empty()) {
      ADD_FAILURE() << "seed " << seed << ": a second undo of the same period still owes writes";
      return;
    }
    if (!writes.empty()) tally["held after"]++;
  }
  EXPECT_GT(tally["undone"], 0);
  EXPECT_GT(tally["sale"], 0);
  EXPECT_GT(tally["held after"], 0);
}

std::uint64_t seeds() { return shopsync::testing::property_seeds(2000); }

struct audit_fact {
  int time;
  std::string kind;
  std::optional<std::int64_t> before, after;
  std::int64_t delta;
  std::size_t level;
};

TEST(UndoPlanProperty, RestoresTheLevelsBeforeTWhileKeepingLaterSales) {
  const char* only = std::getenv("SHOPSYNC_PROPERTY_SEED");
  std::map<std::string, long> tally;
  for (std::uint64_t i = 0, n = only ? 1 : seeds(); i < n; ++i) {
    const auto seed = only ? std::strtoull(only, nullptr, 10) : 21 * 1000003 + i;
    std::mt19937_64 rng(seed);
    auto below = [&](std::uint64_t k) { return static_cast<std::int64_t>(rng() % k); };
    const auto nlevels = static_cast<std::size_t>(1 + below(6));
    std::vector<std::int64_t> level(nlevels), external_since(nlevels, 0), at_t(nlevels);
    for (auto& l : level) l = below(50);
    std::vector<audit_fact> audit;
    const int steps = 20 + static_cast<int>(below(80)), t = static_cast<int>(below(static_cast<std::uint64_t>(steps)));
    for (int step = 0; step < steps; ++step) {
      if (step == t) at_t = level;
      auto l = static_cast<std::size_t>(below(nlevels));
      switch (below(5)) {
        case 0: { // a sale or restock, by someone else
          auto d = below(7) - 4;
          level[l] += d;
          if (step >= t) external_since[l] += d;
          audit.push_back({step, "external_change", level[l] - d, level[l], d, l});
          break;
        }
        case 1: { // a manual edit, by someone else
          auto v = below(40);
          if (step >= t) external_since[l] += v - level[l];
          audit.push_back({step, "external_change", level[l], v, v - level[l], l});
          level[l] = v;
          break;
        }
        case 2: { // shopsync sets it (one-way, or an alignment); sometimes a level not read before
          auto v = below(40);
          std::optional<std::int64_t> before = level[l];
          audit.push_back({step, "level_set", before, v, 0, l});
          level[l] = v;
          tally["set"]++;
          break;
        }
        case 3: { // shopsync adjusts it (two-way)
          auto d = below(21) - 10;
          audit.push_back({step, "delta_propagated", level[l], level[l] + d, d, l});
          level[l] += d;
          tally["adjust"]++;
          break;
        }
        default: // a record that is no write: ignored
          audit.push_back({step, below(2) ? "echo_dropped" : "observed", level[l], level[l], 0, l});
      }
    }
    if (t >= steps) at_t = level;
    auto undo_since = [&](int since) {
      std::vector<own_change> mine;
      for (auto& a : audit)
        if (a.time >= since)
          if (auto c = own_change_of(a.kind, a.before, a.after, a.delta))
            mine.push_back({"sku:P", "s" + std::to_string(a.level), static_cast<location_id>(a.level), *c});
      return plan_undo(mine);
    };
    for (auto& w : undo_since(t)) {
      auto l = static_cast<std::size_t>(w.location);
      audit.push_back({steps, undone_kind, level[l], level[l] + w.delta, w.delta, l});
      audit.push_back({steps, "delta_propagated", level[l], level[l] + w.delta, w.delta, l}); // its adjust
      level[l] += w.delta;
      tally["undone"]++;
    }
    for (std::size_t l = 0; l < nlevels; ++l)
      if (level[l] != at_t[l] + external_since[l]) {
        ADD_FAILURE() << "seed " << seed << ": level " << l << " is " << level[l] << ", before T it was " << at_t[l]
                      << " and others changed it by " << external_since[l];
        return;
      }
    if (!undo_since(t).empty()) {
      ADD_FAILURE() << "seed " << seed << ": a second undo of the same period still owes writes";
      return;
    }
  }
  EXPECT_GT(tally["undone"], 0);
  EXPECT_GT(tally["set"], 0);
  EXPECT_GT(tally["adjust"], 0);
}

} // namespace
} // namespace shopsync::testing
