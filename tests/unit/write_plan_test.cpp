// Plans: the summary of the writes a group would make, its digest, and the writes a
// paused inventory item state owes (what a plan is made of). Seeded properties:
// SHOPSYNC_PROPERTY_SEEDS=N runs N seeds (default 2000); SHOPSYNC_PROPERTY_SEED replays one.
#include "domain/inventory_item_state.hpp"
#include "domain/write_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace shopsync::testing {
namespace {

planned_write w(std::string store, std::string id, std::optional<std::int64_t> before, std::int64_t after) {
  return {std::move(store), std::move(id), "Main Warehouse", before, after};
}

TEST(WritePlan, CountsUpDownAndToZeroPerStoreWithTheBiggestChangesFirst) {
  auto p = summarize_plan({w("b", "sku:A", 10, 0), w("a", "sku:A", 10, 12), w("a", "sku:B", 50, 1),
                           w("a", "sku:C", 3, 3), w("a", "sku:D", std::nullopt, 7), w("a", "sku:E", 4, 0)},
                          {"b", "a"}, 2);
  EXPECT_EQ(p.changes, 5u); // sku:C changes nothing
  ASSERT_EQ(p.stores.size(), 2u);
  EXPECT_EQ(p.stores[0].store, "b");
  EXPECT_EQ(p.stores[0].to_zero, 1u);
  auto& a = p.stores[1];
  EXPECT_EQ(a.changes, 4u);
  EXPECT_EQ(a.up, 2u);
  EXPECT_EQ(a.down, 2u);
  EXPECT_EQ(a.to_zero, 1u);
  ASSERT_EQ(a.biggest.size(), 2u);
  EXPECT_EQ(a.biggest[0].identity, "sku:B"); // -49
  EXPECT_EQ(a.biggest[1].identity, "sku:D"); // +7 (unknown before counts from 0)
}

TEST(WritePlan, TheDigestNamesTheWritesNotTheirOrder) {
  std::vector<planned_write> one{w("a", "sku:A", 10, 0), w("a", "sku:B", 5, 6)};
  std::vector<planned_write> other{w("a", "sku:B", 5, 6), w("a", "sku:A", 10, 0), w("a", "sku:C", 2, 2)};
  EXPECT_EQ(plan_digest(one), plan_digest(other));
  EXPECT_EQ(summarize_plan(one, {}).id, plan_digest(one));
  auto stale = one;
  stale[1].after = 5; // a sale since: the level would now be set to 5
  EXPECT_NE(plan_digest(one), plan_digest(stale));
  EXPECT_EQ(plan_digest({}).size(), 16u);
}

std::uint64_t seeds() {
  if (const char* env = std::getenv("SHOPSYNC_PROPERTY_SEEDS"))
    if (auto n = std::strtoull(env, nullptr, 10); n > 0) return n;
  return 2000;
}

template <class F>
void for_seeds(std::uint64_t salt, F&& f) {
  const char* only = std::getenv("SHOPSYNC_PROPERTY_SEED");
  const auto n = only ? 1 : seeds();
  for (std::uint64_t i = 0; i < n; ++i) {
    auto seed = only ? std::strtoull(only, nullptr, 10) : salt * 1000003 + i;
    if (auto failure = f(seed); !failure.empty()) {
      ADD_FAILURE() << "seed " << seed << ": " << failure;
      return;
    }
  }
}

// Any set of writes: the counts add up, `biggest` is the true top of each store, and the
// digest ignores order and sees every change of value.
TEST(WritePlanProperty, SummaryAndDigestAgreeWithTheWrites) {
  for_seeds(11, [](std::uint64_t seed) -> std::string {
    std::mt19937_64 rng(seed);
    auto below = [&](std::uint64_t n) { return static_cast<std::int64_t>(rng() % n); };
    std::vector<planned_write> ws;
    const auto n = below(80);
    for (std::int64_t i = 0; i < n; ++i) {
      std::optional<std::int64_t> before;
      if (below(8)) before = below(60) - 5;
      ws.push_back(w("s" + std::to_string(below(3)), "sku:" + std::to_string(i), before, below(60) - 5));
    }
    const std::size_t top = 1 + static_cast<std::size_t>(below(6));
    auto p = summarize_plan(ws, {"s2"}, top);
    std::uint64_t changes = 0;
    for (auto& s : p.stores) {
      if (s.up + s.down != s.changes) return "up + down != changes in " + s.store;
      if (s.to_zero > s.down) return "to_zero > down in " + s.store;
      std::vector<std::int64_t> mags;
      for (auto& x : ws)
        if (x.store == s.store && x.before.value_or(0) != x.after) mags.push_back(std::abs(change_of(x)));
      std::sort(mags.rbegin(), mags.rend());
      if (mags.size() != s.changes) return "changes miscounted in " + s.store;
      if (s.biggest.size() != std::min(top, mags.size())) return "biggest has the wrong size";
      for (std::size_t k = 0; k < s.biggest.size(); ++k)
        if (std::abs(change_of(s.biggest[k])) != mags[k]) return "biggest is not the top of " + s.store;
      changes += s.changes;
    }
    if (changes != p.changes) return "total changes";
    if (!p.stores.empty() && p.stores.size() > 1 && std::any_of(ws.begin(), ws.end(), [](auto& x) {
          return x.store == "s2" && x.before.value_or(0) != x.after;
        }) && p.stores[0].store != "s2")
      return "store order not followed";
    auto shuffled = ws;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    if (plan_digest(shuffled) != p.id) return "digest depends on order";
    if (!ws.empty()) {
      auto changed = ws;
      auto& x = changed[static_cast<std::size_t>(below(changed.size()))];
      auto was_change = x.before.value_or(0) != x.after;
      x.after += 1 + below(5);
      auto is_change = x.before.value_or(0) != x.after;
      if ((was_change || is_change) && plan_digest(changed) == p.id) return "digest blind to a changed value";
    }
    return "";
  });
}

// A paused item state after its alignment reads (and sales found by hints and reads): what
// would_write() lists is exactly what resuming sends (set targets; adjusts as known + delta).
TEST(WritePlanProperty, APausedStateOwesWhatResumingSends) {
  std::map<std::string, long> tally;
  for_seeds(12, [&](std::uint64_t seed) -> std::string {
    std::mt19937_64 rng(seed);
    auto below = [&](std::uint64_t n) { return static_cast<std::int64_t>(rng() % n); };
    item_layout layout;
    layout.identity = "sku:P";
    layout.mode = below(2) ? sync_mode::one_way : sync_mode::two_way;
    const auto nstores = 2 + below(3), nslots = 1 + below(2);
    for (std::int64_t i = 0; i < nstores; ++i)
      layout.stores.push_back({"s" + std::to_string(i), static_cast<inventory_item_id>(100 + i)});
    for (std::int64_t s = 0; s < nslots; ++s) {
      item_slot slot;
      for (std::int64_t i = 0; i < nstores; ++i)
        slot.locations.push_back(static_cast<location_id>(1000 * (s + 1) + i));
      layout.slots.push_back(slot);
    }
    inventory_item_state sm(layout, 7);
    sm.set_paused(true);
    std::map<std::pair<std::size_t, std::size_t>, std::int64_t> truth;
    auto t = sm.align();
    // Answer every read with the truth; sometimes a sale changes a level and its hint comes.
    for (int round = 0; round < 6 && !t.commands.empty(); ++round) {
      transition next;
      for (auto& c : t.commands) {
        if (c.kind != op_kind::read) return "a paused state sent a write";
        auto key = std::make_pair(c.at.store, c.at.slot);
        if (!truth.count(key)) truth[key] = below(30);
        auto r = sm.read_result(c.at, c.op_id, truth[key]);
        next.commands.insert(next.commands.end(), r.commands.begin(), r.commands.end());
      }
      if (below(2)) {
        level_ref at{static_cast<std::size_t>(below(nstores)), static_cast<std::size_t>(below(nslots))};
        auto key = std::make_pair(at.store, at.slot);
        if (truth.count(key)) {
          truth[key] -= 1 + below(3);
          auto h = sm.hint(at, truth[key]);
          next.commands.insert(next.commands.end(), h.commands.begin(), h.commands.end());
          tally["sale"]++;
        }
      }
      t = std::move(next);
    }
    for (auto& c : t.commands)
      if (c.kind != op_kind::read) return "a paused state sent a write";
    if (!t.commands.empty()) return ""; // reads still out: not the moment to compare
    auto owed = sm.would_write();
    std::set<std::tuple<std::string, location_id, std::int64_t>> want, got;
    for (auto& p : owed) {
      if (p.before && *p.before == p.after) return "would_write lists a write that changes nothing";
      if (!p.before) return "would_write lists a write to a level not read";
      want.emplace(p.store, p.location, p.after);
    }
    auto views = sm.view();
    auto known_at = [&](level_ref at) -> std::optional<std::int64_t> {
      for (auto& v : views)
        if (v.at == at) return v.known;
      return std::nullopt;
    };
    auto resumed = sm.set_paused(false);
    for (auto& c : resumed.commands) {
      if (c.kind == op_kind::read) continue;
      auto after = c.kind == op_kind::set ? c.target : known_at(c.at).value_or(0) + c.delta;
      got.emplace(c.store, c.location, after);
    }
    if (want != got)
      return "would_write listed " + std::to_string(want.size()) + " writes, resuming sent " +
             std::to_string(got.size());
    tally[owed.empty() ? "nothing owed" : "writes owed"]++;
    return "";
  });
  EXPECT_GT(tally["writes owed"], 0);
  EXPECT_GT(tally["sale"], 0);
}

} // namespace
} // namespace shopsync::testing
