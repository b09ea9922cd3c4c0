// The cap on log lines of one kind: so many a second, then the count of those skipped.
#include "io/per_second_limiter.hpp"

#include <gtest/gtest.h>

using namespace shopsync;
using namespace std::chrono_literals;

TEST(per_second_limiter, at_most_n_a_second_then_the_skipped_count_with_the_next_window) {
  per_second_limiter l{2};
  const auto t0 = per_second_limiter::clock_type::time_point{} + 1000s;
  EXPECT_EQ(l.allow(t0), 0u);
  EXPECT_EQ(l.allow(t0 + 100ms), 0u);
  EXPECT_FALSE(l.allow(t0 + 200ms));
  EXPECT_FALSE(l.allow(t0 + 999ms));
  EXPECT_EQ(l.allow(t0 + 1s), 2u) << "the two skipped are said with the first of the next second";
  EXPECT_EQ(l.allow(t0 + 1100ms), 0u);
  EXPECT_FALSE(l.allow(t0 + 1200ms));
  EXPECT_EQ(l.allow(t0 + 5s), 1u);
  EXPECT_EQ(l.allow(t0 + 9s), 0u) << "quiet for long: nothing to add";
}
