// Two writers: another app that sets a Destination level back after each of
// shopsync's sets is reported once; ordinary sales after sets are not.
// SHOPSYNC_PROPERTY_SEEDS=N runs N seeds (default 2000); SHOPSYNC_PROPERTY_SEED replays one.
#include "domain/two_writers.hpp"
#include "property_seeds.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <string>

namespace shopsync::testing {
namespace {

TEST(TwoWriters, AnAppSettingTheLevelBackAfterEachSetIsReportedOnceAtTheThirdFight) {
  two_writer_detector d;
  int reports = 0;
  std::int64_t now = 0;
  for (int round = 0; round < 10; ++round) {
    d.set_by_us("dest-a/1@7", 40, 10, now += 1000);       // shopsync follows the Source: 10
    reports += d.changed_by_other("dest-a/1@7", 10, 40, now += 2000); // the other app: 40 again
    if (round == 2) EXPECT_EQ(reports, 1);
  }
  EXPECT_EQ(reports, 1);
  auto f = d.findings();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].level, "dest-a/1@7");
  EXPECT_EQ(f[0].total_fights, 10u);
  EXPECT_EQ(f[0].ours, 10);
  EXPECT_EQ(f[0].theirs, 40);
}

TEST(TwoWriters, ChangesLongAfterASetOrAlongItOrASetLeftAloneAreNoFight) {
  two_writer_detector d;
  d.set_by_us("L", 40, 10, 0);
  EXPECT_FALSE(d.changed_by_other("L", 10, 40, 61'000)); // too late: not "right after"
  d.set_by_us("L", 40, 10, 100'000);
  EXPECT_FALSE(d.changed_by_other("L", 10, 9, 101'000)); // a sale of one after a drop of 30
  d.set_by_us("L", 9, 20, 110'000);
  EXPECT_FALSE(d.changed_by_other("L", 20, 25, 111'000)); // the same way as the set
  // Two fights, one set left alone, two fights: no streak of three.
  for (int k = 0; k < 2; ++k) {
    d.set_by_us("M", 40, 10, 200'000 + k * 10'000);
    EXPECT_FALSE(d.changed_by_other("M", 10, 40, 201'000 + k * 10'000));
  }
  d.set_by_us("M", 40, 10, 230'000);
  d.set_by_us("M", 10, 12, 240'000);
  for (int k = 0; k < 2; ++k) {
    d.set_by_us("M", 40, 10, 250'000 + k * 10'000);
    EXPECT_FALSE(d.changed_by_other("M", 10, 40, 251'000 + k * 10'000));
  }
  EXPECT_TRUE(d.findings().empty());
}

std::uint64_t seeds() { return shopsync::testing::property_seeds(2000); }

// Many levels; on some another app answers every set of shopsync's by setting its own value
// back within seconds; elsewhere the Source moves and customers buy a unit or two at random
// moments (sometimes right after a set). Exactly the fought levels are reported, each once.
TEST(TwoWritersProperty, ExactlyTheFoughtLevelsAreReportedOnce) {
  const char* only = std::getenv("SHOPSYNC_PROPERTY_SEED");
  long found = 0;
  for (std::uint64_t i = 0, n = only ? 1 : seeds(); i < n; ++i) {
    const auto seed = only ? std::strtoull(only, nullptr, 10) : 31 * 1000003 + i;
    std::mt19937_64 rng(seed);
    auto below = [&](std::uint64_t k) { return static_cast<std::int64_t>(rng() % k); };
    two_writer_detector d;
    const int nlevels = 1 + static_cast<int>(below(8));
    std::map<int, bool> fought;
    std::map<int, std::int64_t> value, app_value;
    std::map<int, int> reports, sets;
    for (int l = 0; l < nlevels; ++l) {
      fought[l] = below(3) == 0;
      value[l] = 20 + below(30);
      app_value[l] = value[l];
    }
    std::int64_t now = 0;
    for (int step = 0; step < 300; ++step) {
      now += 1000 + below(60'000);
      int l = static_cast<int>(below(static_cast<std::uint64_t>(nlevels)));
      auto key = "L" + std::to_string(l);
      // The Source moved by several units: shopsync sets the level.
      auto target = value[l] + (below(2) ? 1 : -1) * (3 + below(10));
      if (target < 0) target = 0;
      if (target == value[l]) continue;
      d.set_by_us(key, value[l], target, now);
      sets[l]++;
      auto before = value[l];
      value[l] = target;
      if (fought[l]) {
        now += 500 + below(5000);
        reports[l] += d.changed_by_other(key, value[l], before, now); // the app's own value again
        value[l] = before;
      } else if (below(3) == 0 && value[l] > 0) {
        now += below(5000); // a customer buys a unit right after
        reports[l] += d.changed_by_other(key, value[l], value[l] - 1, now);
        value[l]--;
      }
    }
    for (int l = 0; l < nlevels; ++l) {
      if (reports[l] > 1) {
        ADD_FAILURE() << "seed " << seed << ": level " << l << " reported " << reports[l] << " times";
        return;
      }
      if (!fought[l] && reports[l]) {
        ADD_FAILURE() << "seed " << seed << ": level " << l << " has one writer and was reported";
        return;
      }
      if (fought[l] && sets[l] >= 3 && !reports[l]) {
        ADD_FAILURE() << "seed " << seed << ": level " << l << " was fought " << sets[l] << " times, not reported";
        return;
      }
      found += reports[l];
    }
    if (d.findings().size() != static_cast<std::size_t>(std::count_if(reports.begin(), reports.end(), [](auto& r) { return r.second > 0; }))) {
      ADD_FAILURE() << "seed " << seed << ": findings() disagree with the reports";
      return;
    }
  }
  EXPECT_GT(found, 0);
}

} // namespace
} // namespace shopsync::testing
