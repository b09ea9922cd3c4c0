// The level watch behind shopsync_levels_unsettled / _stuck / _unsettled_oldest_seconds: an
// identity's time runs from the moment it becomes unsettled until it is settled again.
#include "actors/level_watch.hpp"

#include <gtest/gtest.h>

using namespace shopsync;
using namespace std::chrono_literals;

TEST(level_watch, counts_unsettled_levels_and_those_stuck_past_the_threshold) {
  level_watch w;
  const auto t0 = level_watch::clock_type::time_point{} + 1000s;
  w.update("stock", "sku:A", 2, t0);
  w.update("stock", "sku:B", 1, t0 + 200s);
  w.update("other", "sku:A", 5, t0);
  auto s = w.of("stock", t0 + 301s, 300s);
  EXPECT_EQ(s.unsettled, 3u);
  EXPECT_EQ(s.stuck, 2u); // sku:A only: unsettled for 301 s
  EXPECT_DOUBLE_EQ(s.oldest_seconds, 301.0);

  // Still unsettled with another count: its time goes on.
  w.update("stock", "sku:A", 1, t0 + 310s);
  s = w.of("stock", t0 + 320s, 300s);
  EXPECT_EQ(s.unsettled, 2u);
  EXPECT_EQ(s.stuck, 1u);
  EXPECT_DOUBLE_EQ(s.oldest_seconds, 320.0);

  // Settled: gone; unsettled again later: a new time.
  w.update("stock", "sku:A", 0, t0 + 330s);
  w.update("stock", "sku:A", 1, t0 + 340s);
  s = w.of("stock", t0 + 350s, 300s);
  EXPECT_EQ(s.unsettled, 2u);
  EXPECT_EQ(s.stuck, 0u);
  EXPECT_DOUBLE_EQ(s.oldest_seconds, 150.0); // sku:B, since t0 + 200 s
  EXPECT_EQ(w.of("none", t0, 300s).unsettled, 0u);
}
