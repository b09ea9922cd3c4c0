#pragma once
// The public URL Shopify delivers webhooks to ([webhooks] public_url). Pure.
#include <optional>
#include <string>

namespace shopsync {

// Why `url` cannot be a webhook address, or nullopt when it can: https://host[:port]/path, or
// http:// to a loopback host (127.0.0.1, ::1, localhost: the simulator and tests). Shopify
// refuses plain http for real stores.
std::optional<std::string> public_url_problem(const std::string& url);

} // namespace shopsync
