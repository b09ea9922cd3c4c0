// ProductVariantsCount's answer (schema 2026-10: Count {count precision}): the count, a lower
// bound when the limit was reached (AT_LEAST); a null count or a missing field is an error.
#include "io/admin_api.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

TEST(variants_count, reads_the_count_whatever_its_precision) {
  auto exact = admin_api::parse_variants_count(R"({"data":{"productVariantsCount":{"count":600,"precision":"EXACT"}}})");
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(*exact, 600u);
  auto capped =
    admin_api::parse_variants_count(R"({"data":{"productVariantsCount":{"count":20000,"precision":"AT_LEAST"}}})");
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(*capped, 20000u);
  EXPECT_FALSE(admin_api::parse_variants_count(R"({"data":{"productVariantsCount":null}})").ok());
  EXPECT_FALSE(admin_api::parse_variants_count(R"({"data":{}})").ok());
  EXPECT_FALSE(admin_api::parse_variants_count(R"({"errors":[{"message":"x"}]})").ok());
}
