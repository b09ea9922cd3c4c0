// The rate limit of repeated warnings: the first at once, then one per interval with the count
// of those kept quiet, per key.
#include "io/warn_limiter.hpp"

#include <gtest/gtest.h>

using namespace shopsync;
using namespace std::chrono_literals;

TEST(warn_limiter, first_at_once_then_one_per_interval_with_the_quiet_count) {
  warn_limiter w{30s};
  const auto t0 = warn_limiter::clock_type::time_point{} + 1000s;
  EXPECT_EQ(w.report("dest\nunauthorized", t0), 0u);
  EXPECT_FALSE(w.report("dest\nunauthorized", t0 + 1s));
  EXPECT_FALSE(w.report("dest\nunauthorized", t0 + 29s));
  EXPECT_EQ(w.report("dest\nunauthorized", t0 + 30s), 2u); // two kept quiet since
  EXPECT_FALSE(w.report("dest\nunauthorized", t0 + 31s));
  EXPECT_EQ(w.report("dest\nunauthorized", t0 + 90s), 1u);
  EXPECT_EQ(w.report("dest\nunauthorized", t0 + 200s), 0u); // quiet for long: nothing to add
}

TEST(warn_limiter, keys_are_limited_independently) {
  warn_limiter w{30s};
  const auto t0 = warn_limiter::clock_type::time_point{} + 1000s;
  EXPECT_TRUE(w.report("source\nserver_error", t0));
  EXPECT_TRUE(w.report("dest\nserver_error", t0));
  EXPECT_TRUE(w.report("source\ntransport", t0 + 1s));
  EXPECT_FALSE(w.report("source\nserver_error", t0 + 2s));
}

TEST(warn_limiter, the_quiet_count_is_told_to_a_quiet_one_too) {
  warn_limiter w{30s};
  const auto t0 = warn_limiter::clock_type::time_point{} + 1000s;
  std::uint64_t quiet = 99;
  EXPECT_TRUE(w.report("k", t0, &quiet));
  EXPECT_EQ(quiet, 0u);
  EXPECT_FALSE(w.report("k", t0 + 1s, &quiet));
  EXPECT_EQ(quiet, 0u) << "none kept quiet before this one";
  EXPECT_FALSE(w.report("k", t0 + 2s, &quiet));
  EXPECT_EQ(quiet, 1u);
  EXPECT_EQ(w.report("k", t0 + 40s, &quiet), 2u);
  EXPECT_EQ(quiet, 2u);
}
