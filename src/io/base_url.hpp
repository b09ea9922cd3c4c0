#pragma once
// Where a store's HTTP endpoints are: https://{shop_domain} in production, or a configured
// base_url ("http://127.0.0.1:P" for the simulator). Shared by the Admin API client and the
// OAuth token endpoint client.
#include "domain/result.hpp"

#include <string>

namespace shopsync {

struct parsed_url {
  bool tls = true;
  std::string host, port, prefix; // prefix: a path before /admin/..., without trailing '/'
};

// error code "admin.config" when base_url is malformed.
result<parsed_url> parse_base_url(const std::string& base_url, const std::string& shop_domain);

} // namespace shopsync
