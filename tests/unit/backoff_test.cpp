#include "domain/backoff.hpp"

#include <gtest/gtest.h>

using namespace shopsync;
using namespace std::chrono_literals;

TEST(backoff, grows_exponentially_within_the_jitter_band) {
  backoff_policy p{100ms, 10s, 2.0, 6};
  EXPECT_EQ(backoff_delay(p, 1, 0.0), 50ms);
  EXPECT_EQ(backoff_delay(p, 1, 1.0), 100ms);
  EXPECT_EQ(backoff_delay(p, 2, 0.0), 100ms);
  EXPECT_EQ(backoff_delay(p, 3, 0.5), 300ms); // step 400: 200 + 0.5 * 200
  EXPECT_EQ(backoff_delay(p, 4, 1.0), 800ms);
}

TEST(backoff, is_capped_at_the_maximum) {
  backoff_policy p{100ms, 1s, 2.0, 20};
  EXPECT_EQ(backoff_delay(p, 15, 1.0), 1000ms);
  EXPECT_EQ(backoff_delay(p, 15, 0.0), 500ms);
}

TEST(backoff, different_jitter_spreads_retries) {
  backoff_policy p{};
  EXPECT_NE(backoff_delay(p, 3, 0.1), backoff_delay(p, 3, 0.9));
}

TEST(backoff, retry_after_is_a_floor) {
  backoff_policy p{100ms, 1s, 2.0, 6};
  EXPECT_EQ(backoff_delay(p, 1, 0.0, 2000ms), 2000ms); // above the cap, still honoured
  EXPECT_EQ(backoff_delay(p, 4, 1.0, 10ms), 800ms);
}

TEST(backoff, bounded_attempts) {
  backoff_policy p{100ms, 1s, 2.0, 3};
  EXPECT_TRUE(may_attempt(p, 3));
  EXPECT_FALSE(may_attempt(p, 4));
}

TEST(backoff, parses_retry_after_seconds_only) {
  EXPECT_EQ(parse_retry_after("2"), 2000ms);
  EXPECT_EQ(parse_retry_after(" 1.5 "), 1500ms);
  EXPECT_EQ(parse_retry_after("0"), 0ms);
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
  EXPECT_FALSE(parse_retry_after(""));
  EXPECT_FALSE(parse_retry_after("-1"));
  EXPECT_FALSE(parse_retry_after("1.2.3"));
}

// An item's operation retries: equal jitter, doubling from the item's base up to its cap, the
// doublings counted up to 16 (the delay an item waited before this formula moved here).
TEST(backoff, operation_retries_double_up_to_the_cap_with_equal_jitter) {
  EXPECT_EQ(operation_retry_delay(100ms, 10s, 1, 0.0), 50ms);
  EXPECT_EQ(operation_retry_delay(100ms, 10s, 1, 1.0), 100ms);
  EXPECT_EQ(operation_retry_delay(100ms, 10s, 3, 0.5), 300ms);
  EXPECT_EQ(operation_retry_delay(100ms, 10s, 30, 1.0), 10s);
  EXPECT_EQ(operation_retry_delay(1ms, 1h, 40, 1.0), operation_retry_delay(1ms, 1h, 16, 1.0));
}

// An order's step retries: the whole step, plus up to jitter_share of it (orders' formula).
TEST(backoff, added_jitter_keeps_the_whole_step) {
  backoff_policy p{1000ms, 10s, 2.0, 10};
  p.fixed_share = 1.0;
  p.jitter_share = 0.2;
  EXPECT_EQ(backoff_delay(p, 1, 0.0), 1000ms);
  EXPECT_EQ(backoff_delay(p, 2, 0.5), 2200ms);
  EXPECT_EQ(backoff_delay(p, 9, 1.0), 12000ms);
}
