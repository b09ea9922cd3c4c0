#include "io/base_url.hpp"

#include <string_view>

namespace shopsync {

result<parsed_url> parse_base_url(const std::string& base_url, const std::string& shop_domain) {
  parsed_url u;
  std::string_view s = base_url;
  if (s.empty()) {
    u.host = shop_domain;
    u.port = "443";
    return u;
  }
  if (s.substr(0, 7) == "http://") {
    u.tls = false;
    s.remove_prefix(7);
  } else if (s.substr(0, 8) == "https://") {
    s.remove_prefix(8);
  } else {
    return error{error_kind::admin_config, "base_url must start with http:// or https://: " + base_url};
  }
  auto slash = s.find('/');
  std::string_view hostport = s.substr(0, slash);
  if (slash != std::string_view::npos) {
    u.prefix = std::string(s.substr(slash));
    while (!u.prefix.empty() && u.prefix.back() == '/')
      u.prefix.pop_back();
  }
  auto colon = hostport.rfind(':');
  if (colon != std::string_view::npos && hostport.find(']') == std::string_view::npos) {
    u.host = std::string(hostport.substr(0, colon));
    u.port = std::string(hostport.substr(colon + 1));
  } else {
    u.host = std::string(hostport);
    u.port = u.tls ? "443" : "80";
  }
  if (u.host.empty())
    return error{error_kind::admin_config, "base_url has no host: " + base_url};
  return u;
}

} // namespace shopsync
