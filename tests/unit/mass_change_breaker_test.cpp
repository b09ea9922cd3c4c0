// The mass-change breaker: behaviour tests, then seeded properties against a naive model
// (every passed big drop kept in a list; the window recomputed from scratch at each write).
// SHOPSYNC_PROPERTY_SEEDS=N runs N seeds per property (default 2000); SHOPSYNC_PROPERTY_SEED
// replays one.
#include "domain/mass_change_breaker.hpp"
#include "property_seeds.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <tuple>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace shopsync::testing {
namespace {

constexpr std::int64_t minute = 60'000;

TEST(MassChangeBreaker, AllowanceIsTheSmallerOfShareAndCountButNeverBelowTheFloor) {
  breaker_limits l; // 20 %, 100 levels, floor 5
  EXPECT_EQ(breaker_allowance(l, 100), 20u);
  EXPECT_EQ(breaker_allowance(l, 10'000), 100u);
  EXPECT_EQ(breaker_allowance(l, 3), 5u);
  EXPECT_EQ(breaker_allowance(l, 0), 5u);
}

TEST(MassChangeBreaker, ABigDropIsToZeroOrByMoreThanHalfOfALevelThatHeldStock) {
  EXPECT_TRUE(big_drop(10, 0));
  EXPECT_TRUE(big_drop(10, 4));
  EXPECT_TRUE(big_drop(1, 0));
  EXPECT_TRUE(big_drop(10, -2));
  EXPECT_FALSE(big_drop(10, 5));
  EXPECT_FALSE(big_drop(10, 9));
  EXPECT_FALSE(big_drop(0, 0));
  EXPECT_FALSE(big_drop(-3, 0));
  EXPECT_FALSE(big_drop(std::nullopt, 0));
  EXPECT_FALSE(big_drop(5, 50));
}

TEST(MassChangeBreaker, AWipeTripsAtTheWriteBeyondTheAllowanceAndHoldsEveryWriteAfter) {
  mass_change_breaker b;
  b.set_mapped_levels("dest", 100); // allowance 20
  int passed = 0;
  std::optional<int> tripped_at;
  for (int i = 0; i < 100; ++i) {
    auto d = b.admit("dest", "L" + std::to_string(i), 30, 0, 1000 + i);
    if (d == breaker_decision::pass)
      passed++;
    if (d == breaker_decision::tripped_now)
      tripped_at = i;
  }
  EXPECT_EQ(passed, 20);
  ASSERT_TRUE(tripped_at);
  EXPECT_EQ(*tripped_at, 20);
  ASSERT_TRUE(b.tripped());
  EXPECT_EQ(b.trip()->store, "dest");
  EXPECT_EQ(b.trip()->drops, 21u);
  EXPECT_EQ(b.trip()->allowance, 20u);
  // Held means held: even a restock waits.
  EXPECT_EQ(b.admit("dest", "L0", 0, 30, 2000), breaker_decision::held);
  b.reset();
  EXPECT_FALSE(b.tripped());
  EXPECT_EQ(b.admit("dest", "L0", 0, 30, 2000), breaker_decision::pass);
}

TEST(MassChangeBreaker, DropsOlderThanTheWindowNoLongerCount) {
  breaker_limits l;
  l.window = std::chrono::minutes(10);
  mass_change_breaker b(l);
  b.set_mapped_levels("dest", 10); // allowance 5 (floor)
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(b.admit("dest", "L" + std::to_string(i), 8, 0, i * minute), breaker_decision::pass);
  EXPECT_EQ(b.drops("dest", 5 * minute), 5u);
  // Ten minutes after the first drop it has left the window: room for one more.
  EXPECT_EQ(b.admit("dest", "L5", 8, 0, 10 * minute), breaker_decision::pass);
  EXPECT_EQ(b.admit("dest", "L6", 8, 0, 10 * minute + 1), breaker_decision::tripped_now);
  b.reset();
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(b.admit("dest", "M" + std::to_string(i), 8, 0, i * minute), breaker_decision::pass);
  EXPECT_EQ(b.admit("dest", "M5", 8, 0, 11 * minute), breaker_decision::pass); // M0 and M1 left
  EXPECT_EQ(b.admit("dest", "M6", 8, 0, 11 * minute + 1), breaker_decision::pass);
  EXPECT_EQ(b.admit("dest", "M7", 8, 0, 11 * minute + 2), breaker_decision::tripped_now);
}

TEST(MassChangeBreaker, TheSameLevelDroppedAgainCountsOnceAndStoresCountApart) {
  mass_change_breaker b;
  b.set_mapped_levels("a", 10);
  b.set_mapped_levels("b", 10);
  for (int k = 0; k < 50; ++k)
    EXPECT_EQ(b.admit("a", "L1", 10, 0, k), breaker_decision::pass);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(b.admit("a", "A" + std::to_string(i), 10, 0, 100 + i),
              i < 4 ? breaker_decision::pass : breaker_decision::tripped_now);
  }
  EXPECT_EQ(b.trip()->store, "a");
}

// --- properties

std::uint64_t seeds() { return shopsync::testing::property_seeds(2000); }

template <class F>
void for_seeds(std::uint64_t salt, F&& f) {
  const char* only = std::getenv("SHOPSYNC_PROPERTY_SEED");
  const auto n = only ? 1 : seeds();
  for (std::uint64_t i = 0; i < n; ++i) {
    auto seed = only ? std::strtoull(only, nullptr, 10) : salt * 1000003 + i;
    auto failure = f(seed);
    if (!failure.empty()) {
      ADD_FAILURE() << "seed " << seed << ": " << failure;
      return;
    }
  }
}

// A store's levels and the writes shopsync makes to them. A flash sale: thousands of sales of
// one to three units each, at random levels and random moments, each level selling at most
// half of what it held at the start: never a trip, every write passes.
TEST(MassChangeBreakerProperty, AFlashSaleOfThousandsOfSmallSalesNeverTrips) {
  long writes = 0;
  for_seeds(1, [&](std::uint64_t seed) -> std::string {
    std::mt19937_64 rng(seed);
    auto below = [&](std::uint64_t n) { return static_cast<std::int64_t>(rng() % n); };
    const auto nlevels = 20 + below(500);
    const auto nstores = 1 + below(3);
    breaker_limits l;
    l.window = std::chrono::milliseconds(minute * (1 + below(15)));
    l.max_share = 0.05 + 0.3 * static_cast<double>(below(100)) / 100.0;
    l.max_levels = 1 + static_cast<std::uint64_t>(below(200));
    mass_change_breaker b(l);
    std::vector<std::vector<std::int64_t>> level(nstores), start(nstores);
    for (std::int64_t s = 0; s < nstores; ++s) {
      b.set_mapped_levels("s" + std::to_string(s), static_cast<std::uint64_t>(nlevels));
      for (std::int64_t i = 0; i < nlevels; ++i)
        level[s].push_back(6 + below(200));
      start[s] = level[s];
    }
    std::int64_t now = below(1'000'000);
    const auto sales = 1000 + below(4000);
    for (std::int64_t k = 0; k < sales; ++k) {
      now += below(2000); // a sale every second on average: a busy flash sale
      auto s = below(static_cast<std::uint64_t>(nstores));
      auto i = below(static_cast<std::uint64_t>(nlevels));
      auto q = 1 + below(3);
      if (level[s][i] - q < (start[s][i] + 1) / 2)
        continue; // this level has sold half its stock: the sale goes elsewhere
      auto before = level[s][i];
      level[s][i] -= q;
      writes++;
      auto d = b.admit("s" + std::to_string(s), std::to_string(i), before, level[s][i], now);
      if (d != breaker_decision::pass)
        return "sale " + std::to_string(k) + " at level " + std::to_string(i) + " (" + std::to_string(before) +
               " -> " + std::to_string(level[s][i]) + ") was " + to_string(d);
    }
    return "";
  });
  EXPECT_GT(writes, 1000);
}

// The Source wiped to zero, with ordinary sales around it: the breaker trips, at most the
// allowance of each store's levels were dropped by writes that passed (the window's writes
// made), and nothing passes after the trip.
TEST(MassChangeBreakerProperty, AWipeTripsWithAtMostTheAllowanceDropped) {
  long trips = 0;
  for_seeds(2, [&](std::uint64_t seed) -> std::string {
    std::mt19937_64 rng(seed);
    auto below = [&](std::uint64_t n) { return static_cast<std::int64_t>(rng() % n); };
    const auto nlevels = 10 + below(1000);
    breaker_limits l;
    l.window = std::chrono::milliseconds(minute * (1 + below(15)));
    l.max_share = 0.05 + 0.5 * static_cast<double>(below(100)) / 100.0;
    l.max_levels = 1 + static_cast<std::uint64_t>(below(200));
    l.min_levels = static_cast<std::uint64_t>(below(8));
    mass_change_breaker b(l);
    b.set_mapped_levels("dest", static_cast<std::uint64_t>(nlevels));
    const auto allowance = breaker_allowance(l, static_cast<std::uint64_t>(nlevels));
    if (allowance >= static_cast<std::uint64_t>(nlevels))
      return ""; // a breaker that allows the whole catalog cannot trip on it
    std::vector<std::int64_t> level;
    for (std::int64_t i = 0; i < nlevels; ++i)
      level.push_back(1 + below(100));
    std::set<std::int64_t> dropped;
    std::int64_t now = 0;
    bool tripped = false;
    std::vector<std::int64_t> order(static_cast<std::size_t>(nlevels));
    for (std::int64_t i = 0; i < nlevels; ++i)
      order[static_cast<std::size_t>(i)] = i;
    std::shuffle(order.begin(), order.end(), rng);
    for (auto i : order) {
      now += below(100); // the wipe's writes come within seconds
      if (below(4) == 0) { // a sale somewhere meanwhile
        auto j = below(static_cast<std::uint64_t>(nlevels));
        if (level[j] > 4) {
          auto d = b.admit("dest", std::to_string(j), level[j], level[j] - 1, now);
          if (d == breaker_decision::pass)
            level[j]--;
          else if (!tripped)
            return "a sale of one unit tripped it";
        }
      }
      auto before = level[i];
      auto d = b.admit("dest", std::to_string(i), before, 0, now);
      if (d == breaker_decision::tripped_now) {
        if (tripped)
          return "tripped twice";
        tripped = true;
        if (b.trip()->drops != dropped.size() + 1)
          return "trip reports " + std::to_string(b.trip()->drops) + " drops, " + std::to_string(dropped.size()) +
                 " were made";
      } else if (d == breaker_decision::pass) {
        if (tripped)
          return "a write passed after the trip";
        level[i] = 0;
        dropped.insert(i);
      }
    }
    if (!tripped)
      return "a wipe of " + std::to_string(nlevels) + " levels did not trip (allowance " + std::to_string(allowance) + ")";
    if (dropped.size() > allowance)
      return std::to_string(dropped.size()) + " levels dropped, allowance " + std::to_string(allowance);
    trips++;
    return "";
  });
  EXPECT_GT(trips, 0);
}

// Any sequence of writes (big drops and not, repeated levels, times spread over several windows)
// against the naive model: the same decision at every write.
TEST(MassChangeBreakerProperty, DecidesLikeTheNaiveModel) {
  std::map<std::string, long> tally;
  for_seeds(3, [&](std::uint64_t seed) -> std::string {
    std::mt19937_64 rng(seed);
    auto below = [&](std::uint64_t n) { return static_cast<std::int64_t>(rng() % n); };
    breaker_limits l;
    l.window = std::chrono::milliseconds(1 + below(5000));
    l.max_share = static_cast<double>(below(100)) / 100.0;
    l.max_levels = static_cast<std::uint64_t>(below(30));
    l.min_levels = static_cast<std::uint64_t>(below(6));
    mass_change_breaker b(l);
    const std::int64_t nstores = 1 + below(3), nlevels = 1 + below(60);
    for (std::int64_t s = 0; s < nstores; ++s)
      b.set_mapped_levels("s" + std::to_string(s), static_cast<std::uint64_t>(below(100)));
    std::vector<std::tuple<std::int64_t, std::string, std::string>> passed_drops; // (time, store, level)
    bool tripped = false;
    std::int64_t now = 0;
    for (int k = 0; k < 400; ++k) {
      now += below(300);
      if (below(50) == 0) {
        b.reset();
        passed_drops.clear();
        tripped = false;
        tally["reset"]++;
      }
      auto store = "s" + std::to_string(below(static_cast<std::uint64_t>(nstores)));
      auto lvl = std::to_string(below(static_cast<std::uint64_t>(nlevels)));
      std::optional<std::int64_t> before;
      if (below(10))
        before = below(40) - 5;
      auto after = below(40) - 5;
      auto d = b.admit(store, lvl, before, after, now);
      // The model.
      breaker_decision want = breaker_decision::pass;
      if (tripped) {
        want = breaker_decision::held;
      } else if (big_drop(before, after)) {
        std::set<std::string> in_window;
        for (auto& [t, s, v] : passed_drops)
          if (s == store && t > now - static_cast<std::int64_t>(l.window.count()))
            in_window.insert(v);
        if (!in_window.count(lvl) && in_window.size() + 1 > b.allowance(store))
          want = breaker_decision::tripped_now;
      }
      if (d != want)
        return "write " + std::to_string(k) + ": " + to_string(d) + ", the model says " + to_string(want);
      if (d == breaker_decision::tripped_now)
        tripped = true;
      if (d == breaker_decision::pass && big_drop(before, after))
        passed_drops.emplace_back(now, store, lvl);
      tally[to_string(d)]++;
    }
    return "";
  });
  // Every rule was reached (coverage marks).
  EXPECT_GT(tally["pass"], 0);
  EXPECT_GT(tally["held"], 0);
  EXPECT_GT(tally["tripped_now"], 0);
  EXPECT_GT(tally["reset"], 0);
}

} // namespace
} // namespace shopsync::testing
