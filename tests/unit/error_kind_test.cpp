// shopsync's own error kinds: each has one code, read back to the same kind; Shopify's codes
// and unknown ones are foreign.
#include "domain/error_kind.hpp"
#include "domain/result.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace shopsync::testing {
namespace {

TEST(error_kind, every_kind_has_its_own_code_and_reads_back) {
  std::set<std::string> codes;
  for (auto i = std::uint8_t(error_kind::foreign) + 1; i <= std::uint8_t(last_error_kind); ++i) {
    auto k = error_kind(i);
    std::string code(code_of(k));
    EXPECT_FALSE(code.empty()) << int(i);
    EXPECT_TRUE(codes.insert(code).second) << code;
    EXPECT_EQ(error_kind_of_code(code), k) << code;
    // The "admin.*" family is exactly the admin kinds.
    EXPECT_EQ(is_admin_failure(k), code.rfind("admin.", 0) == 0) << code;
  }
}

TEST(error_kind, shopify_and_unknown_codes_are_foreign) {
  EXPECT_EQ(error_kind_of_code("THROTTLED"), error_kind::foreign);
  EXPECT_EQ(error_kind_of_code("CHANGE_FROM_QUANTITY_STALE"), error_kind::foreign);
  EXPECT_EQ(error_kind_of_code("admin.something_new"), error_kind::foreign);
  EXPECT_EQ(error_kind_of_code(""), error_kind::foreign);
  EXPECT_FALSE(is_admin_failure(error_kind::foreign));
}

TEST(error_kind, an_error_made_from_a_kind_carries_its_code) {
  error e{error_kind::admin_unauthorized, "401"};
  EXPECT_EQ(e.kind, error_kind::admin_unauthorized);
  EXPECT_EQ(e.code, "admin.unauthorized");
  EXPECT_EQ(e.message, "401");
  error s{"THROTTLED", "slow down"};
  EXPECT_EQ(s.kind, error_kind::foreign);
  EXPECT_EQ(s.code, "THROTTLED");
}

} // namespace
} // namespace shopsync::testing
