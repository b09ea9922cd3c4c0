#include "domain/config.hpp"

#include <strings.h>

namespace shopsync {

const char* to_string(store_role r) { return r == store_role::source ? "source" : "destination"; }

const char* to_string(sync_strategy s) {
  switch (s) {
    case sync_strategy::one_way: return "one_way";
    case sync_strategy::two_way: return "two_way";
    case sync_strategy::draft_order: return "draft_order";
    case sync_strategy::order: return "order";
  }
  return "?";
}

const char* to_string(match_key k) {
  switch (k) {
    case match_key::handle: return "handle";
    case match_key::sku: return "sku";
    case match_key::barcode: return "barcode";
  }
  return "?";
}

std::optional<store_role> parse_store_role(const std::string& s) {
  if (s == "source") return store_role::source;
  if (s == "destination") return store_role::destination;
  return std::nullopt;
}

std::optional<sync_strategy> parse_strategy(const std::string& s) {
  if (s == "one_way") return sync_strategy::one_way;
  if (s == "two_way") return sync_strategy::two_way;
  if (s == "draft_order") return sync_strategy::draft_order;
  if (s == "order") return sync_strategy::order;
  return std::nullopt;
}

std::optional<match_key> parse_match_key(const std::string& s) {
  if (s == "handle") return match_key::handle;
  if (s == "sku") return match_key::sku;
  if (s == "barcode") return match_key::barcode;
  return std::nullopt;
}

const char* to_string(auth_method m) {
  switch (m) {
    case auth_method::static_token: return "static_token";
    case auth_method::client_credentials: return "client_credentials";
    case auth_method::authorization_code: return "authorization_code";
  }
  return "?";
}

std::optional<auth_method> parse_auth_method(const std::string& s) {
  if (s == "static_token") return auth_method::static_token;
  if (s == "client_credentials") return auth_method::client_credentials;
  if (s == "authorization_code") return auth_method::authorization_code;
  return std::nullopt;
}

const app_config* config::find_app(const std::string& name) const {
  for (auto& a : apps)
    if (a.name == name) return &a;
  return nullptr;
}

const store_config* config::find_store(const std::string& name) const {
  for (auto& s : stores)
    if (s.name == name) return &s;
  return nullptr;
}

// Host names are case-insensitive; proxies and people do not always write them in lower case.
const group_config* config::find_group(const std::string& name) const {
  for (auto& g : groups)
    if (g.name == name) return &g;
  return nullptr;
}

const store_config* config::find_store_by_domain(const std::string& shop_domain) const {
  for (auto& s : stores)
    if (::strcasecmp(s.shop_domain.c_str(), shop_domain.c_str()) == 0) return &s;
  return nullptr;
}

} // namespace shopsync
