// Shopify's answers to an inventory write, read into what the item state machine does next.
#include "io/write_answer.hpp"

#include <gtest/gtest.h>

namespace shopsync::testing {
namespace {

failure_kind kind_of(const char* code) { return classify_write_failure(error{code, ""}); }
failure_kind kind_of(error_kind k) { return classify_write_failure(error{k, ""}); }

TEST(write_answer, classifies_shopify_codes) {
  EXPECT_EQ(kind_of("CHANGE_FROM_QUANTITY_STALE"), failure_kind::stale);
  EXPECT_EQ(kind_of("ITEM_NOT_STOCKED_AT_LOCATION"), failure_kind::permanent);
  EXPECT_EQ(kind_of("NON_MUTABLE_INVENTORY_ITEM"), failure_kind::permanent);
  EXPECT_EQ(kind_of("IDEMPOTENCY_KEY_PARAMETER_MISMATCH"), failure_kind::permanent);
  EXPECT_EQ(kind_of("IDEMPOTENCY_CONCURRENT_REQUEST"), failure_kind::transient);
  EXPECT_EQ(kind_of("THROTTLED"), failure_kind::transient);
  EXPECT_EQ(kind_of(error_kind::admin_unavailable), failure_kind::transient);
  EXPECT_EQ(kind_of(error_kind::admin_uncertain), failure_kind::transient);
}

// shopsync's own failures are read by kind, never by their code string.
TEST(write_answer, own_failures_are_classified_by_kind) {
  for (auto i = std::uint8_t(error_kind::foreign) + 1; i <= std::uint8_t(last_error_kind); ++i) {
    auto k = error_kind(i);
    if (is_admin_failure(k))
      EXPECT_EQ(kind_of(k), failure_kind::transient) << code_of(k);
  }
  // The same string without the kind (a code Shopify might send) is not one of ours.
  EXPECT_EQ(kind_of("admin.unavailable"), failure_kind::permanent);
  EXPECT_EQ(kind_of("shopsync.key_expired"), failure_kind::permanent);
}

// 2026-10: the three codes that say "not applied, try again" were permanent blocks before.
TEST(write_answer, not_applied_codes_are_retried_under_a_new_key_not_blocked) {
  EXPECT_EQ(kind_of("IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"), failure_kind::not_applied);
  EXPECT_EQ(kind_of("ADJUST_QUANTITIES_FAILED"), failure_kind::not_applied);
  EXPECT_EQ(kind_of("SERVICE_UNAVAILABLE"), failure_kind::not_applied);
}

TEST(write_answer, an_expired_key_is_settled_by_reading) {
  EXPECT_EQ(kind_of(error_kind::key_expired), failure_kind::expired);
}

} // namespace
} // namespace shopsync::testing
