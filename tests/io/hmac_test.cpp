#include "io/hmac.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace shopsync;
using shopsync::testing::read_file;
using shopsync::testing::shared_path;

TEST(hmac, matches_the_readme_check_values) {
  auto body = read_file(shared_path("shopify/webhooks/inventory_levels_update.json"));
  ASSERT_EQ(body.size(), 216u);
  EXPECT_EQ(hmac_sha256_base64("hush", body), "kltOIo/ziXkxEJ6WC0JmBJpJBT2LRzagZuvT5+8Lthg=");
  EXPECT_EQ(hmac_sha256_base64("test_secret_key", ""), "wde+AV/P/S1RUZlUH69IkPgPFLVGtBzMGLvoVzqwiwo=");
}

TEST(hmac, verifies_against_any_configured_secret) {
  auto body = read_file(shared_path("shopify/webhooks/inventory_levels_update.json"));
  const std::string sig = "kltOIo/ziXkxEJ6WC0JmBJpJBT2LRzagZuvT5+8Lthg=";
  EXPECT_TRUE(verify_hmac_sha256_base64(sig, body, {"hush"}));
  EXPECT_TRUE(verify_hmac_sha256_base64(sig, body, {"new-secret", "hush"})); // rotation: old one still accepted
  EXPECT_TRUE(verify_hmac_sha256_base64(sig, body, {"hush", "new-secret"}));
  EXPECT_FALSE(verify_hmac_sha256_base64(sig, body, {"new-secret"}));
  EXPECT_FALSE(verify_hmac_sha256_base64(sig, body, {}));
  EXPECT_TRUE(verify_hmac_sha256_base64("wde+AV/P/S1RUZlUH69IkPgPFLVGtBzMGLvoVzqwiwo=", "", {"test_secret_key"}));
}

TEST(hmac, refuses_wrong_truncated_hex_and_empty_signatures) {
  auto body = read_file(shared_path("shopify/webhooks/inventory_levels_update.json"));
  const std::string sig = "kltOIo/ziXkxEJ6WC0JmBJpJBT2LRzagZuvT5+8Lthg=";
  std::string flipped = sig;
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_hmac_sha256_base64(flipped, body, {"hush"}));
  EXPECT_FALSE(verify_hmac_sha256_base64(sig.substr(0, 43), body, {"hush"}));
  EXPECT_FALSE(verify_hmac_sha256_base64(sig + "=", body, {"hush"}));
  EXPECT_FALSE(verify_hmac_sha256_base64("", body, {"hush"}));
  EXPECT_FALSE(verify_hmac_sha256_base64(sig, body + " ", {"hush"})); // a changed body
  // An empty secret in the list must not make the empty-key HMAC acceptable.
  EXPECT_FALSE(verify_hmac_sha256_base64(hmac_sha256_base64("", body), body, {""}));
}
