#include "domain/throttle_model.hpp"

#include <gtest/gtest.h>

using namespace shopsync;
using namespace std::chrono_literals;

namespace {
const throttle_model::time_point t0{std::chrono::seconds(1000)};
}

TEST(throttle_model, unknown_state_lets_the_first_request_go) {
  throttle_model m;
  EXPECT_FALSE(m.known());
  EXPECT_EQ(m.delay_before(1000, t0), 0ms);
  EXPECT_FALSE(m.available(t0).has_value());
}

TEST(throttle_model, waits_cost_minus_available_over_restore_rate) {
  throttle_model m;
  m.observe({2000, 50, 100}, t0);
  EXPECT_EQ(m.delay_before(40, t0), 0ms);
  EXPECT_EQ(m.delay_before(250, t0), 2000ms); // (250 - 50) / 100 per s
  // Refilled locally in between responses.
  EXPECT_EQ(m.delay_before(250, t0 + 1500ms), 500ms);
  EXPECT_EQ(m.delay_before(250, t0 + 2s), 0ms);
  EXPECT_DOUBLE_EQ(*m.available(t0 + 1s), 150);
}

TEST(throttle_model, refill_stops_at_the_bucket_size) {
  throttle_model m;
  m.observe({1000, 900, 50}, t0);
  EXPECT_DOUBLE_EQ(*m.available(t0 + 60s), 1000);
  // A cost above the bucket waits for a full bucket, not forever.
  m.observe({1000, 0, 50}, t0);
  EXPECT_EQ(m.delay_before(5000, t0), 20000ms);
}

TEST(throttle_model, reservations_keep_concurrent_requests_apart) {
  throttle_model m;
  m.observe({100, 30, 10}, t0);
  EXPECT_EQ(m.delay_before(20, t0), 0ms);
  m.reserve(20);
  EXPECT_EQ(m.delay_before(20, t0), 1000ms); // 10 left, needs 20
  m.release(20);
  EXPECT_EQ(m.delay_before(20, t0), 0ms);
}

TEST(throttle_model, throttled_with_status_waits_for_the_refill) {
  throttle_model m;
  m.observe({2000, 1500, 100}, t0);
  m.on_throttled(throttle_status{2000, 5, 100}, 105, t0 + 1s);
  EXPECT_EQ(m.delay_before(105, t0 + 1s), 1000ms);
}

TEST(throttle_model, throttled_without_status_distrusts_the_local_estimate) {
  throttle_model m;
  m.observe({2000, 2000, 100}, t0);
  m.on_throttled(std::nullopt, 300, t0);
  EXPECT_GT(m.delay_before(300, t0), 0ms);
  EXPECT_LE(m.delay_before(300, t0), 10ms);
  // Unknown bucket: nothing learnt, the caller's backoff applies.
  throttle_model u;
  u.on_throttled(std::nullopt, 300, t0);
  EXPECT_FALSE(u.known());
}

TEST(throttle_model, a_status_that_claims_enough_is_not_believed_on_throttled) {
  throttle_model m;
  m.on_throttled(throttle_status{1000, 1000, 50}, 200, t0);
  EXPECT_GT(m.delay_before(200, t0), 0ms);
}

// The store link's view of a client's stats: the same wait as the model's own, and shopsync's
// shares of the bucket (write reserve, scarce reads).
TEST(throttle_model, wait_for_and_reads_scarce_on_a_status) {
  const throttle_status s{2000, 0, 100};
  EXPECT_EQ(wait_for(s, 5, 10), 50ms);
  EXPECT_EQ(wait_for(s, 10, 10), 0ms);
  EXPECT_EQ(wait_for(s, 1000, 5000), 10'000ms) << "waits for a full bucket at most";
  EXPECT_EQ(wait_for({2000, 0, 0}, 0, 10), 0ms);
  EXPECT_TRUE(reads_scarce(s, 1799));
  EXPECT_FALSE(reads_scarce(s, 1800));
}
