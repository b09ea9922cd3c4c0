#pragma once
// Shopify webhook signatures: base64(HMAC-SHA256(secret, raw body)). Verification tries
// every configured secret (Shopify may sign with the old one for an hour after a rotation)
// and compares in constant time. Each thread keeps one reusable OpenSSL MAC context.
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

// Standard base64 with padding (44 characters for SHA-256); empty if OpenSSL fails.
std::string hmac_sha256_base64(std::string_view key, std::string_view message);

// Lower-case hex (64 characters), as the OAuth redirect's `hmac` parameter; empty if OpenSSL fails.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// True when `signature` (the X-Shopify-Hmac-Sha256 header) is the HMAC of `message` under
// any of `secrets`. Every secret is tried whatever the outcome, and no comparison stops at
// the first differing byte. An empty signature or an empty secret list never verifies.
bool verify_hmac_sha256_base64(std::string_view signature, std::string_view message,
                               const std::vector<std::string>& secrets);

} // namespace shopsync
