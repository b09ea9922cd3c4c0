#pragma once
// Webhook signature as Shopify computes it: standard base64 (with padding) of
// HMAC-SHA256(key = app client secret, message = the raw body bytes).
#include <string>
#include <string_view>

namespace shopsync::sim {

std::string hmac_sha256_base64(std::string_view secret, std::string_view body);

} // namespace shopsync::sim
