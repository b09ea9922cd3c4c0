#include "sim/subscriptions.hpp"

#include <algorithm>
#include <cctype>

namespace shopsync::sim {

std::vector<std::string> default_scopes() {
  return {"read_products", "read_locations", "read_inventory", "write_inventory",
          "read_orders", "write_orders", "read_draft_orders", "write_draft_orders"};
}

std::string topic_enum_of(const std::string& topic) {
  std::string out = topic;
  for (auto& c : out)
    c = c == '/' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool known_topic_enum(const std::string& value) {
  // From WebhookSubscriptionTopic in admin-2026-10.introspection.json.gz.
  static const char* const values[] = {
      "APP_PURCHASES_ONE_TIME_UPDATE", "APP_SCOPES_UPDATE", "APP_SUBSCRIPTIONS_UPDATE", "APP_UNINSTALLED",
      "DRAFT_ORDERS_CREATE", "DRAFT_ORDERS_DELETE", "DRAFT_ORDERS_UPDATE", "INVENTORY_ITEMS_CREATE",
      "INVENTORY_ITEMS_DELETE", "INVENTORY_ITEMS_UPDATE", "INVENTORY_LEVELS_CONNECT",
      "INVENTORY_LEVELS_DISCONNECT", "INVENTORY_LEVELS_UPDATE", "LOCATIONS_ACTIVATE", "LOCATIONS_CREATE",
      "LOCATIONS_DEACTIVATE", "LOCATIONS_DELETE", "LOCATIONS_UPDATE", "ORDERS_CANCELLED", "ORDERS_CREATE",
      "ORDERS_DELETE", "ORDERS_EDITED", "ORDERS_FULFILLED", "ORDERS_PAID", "ORDERS_UPDATED",
      "PRODUCTS_CREATE", "PRODUCTS_DELETE", "PRODUCTS_UPDATE", "SHOP_UPDATE"};
  return std::any_of(std::begin(values), std::end(values), [&](const char* v) { return value == v; });
}

std::optional<std::string> uri_problem(const std::string& uri) {
  if (uri.empty())
    return std::string("Address can't be blank");
  std::string rest;
  bool https = uri.rfind("https://", 0) == 0;
  if (https)
    rest = uri.substr(8);
  else if (uri.rfind("http://", 0) == 0)
    rest = uri.substr(7);
  else if (uri.rfind("pubsub://", 0) == 0 || uri.rfind("arn:aws:events:", 0) == 0)
    return std::nullopt;
  else
    return std::string("Address is invalid");
  auto host = rest.substr(0, rest.find('/'));
  if (auto c = host.rfind(':'); c != std::string::npos)
    host.resize(c);
  if (host.empty() || rest.find(' ') != std::string::npos)
    return std::string("Address is invalid");
  if (!https && host != "127.0.0.1" && host != "localhost")
    return std::string("Address protocol http:// is not supported");
  return std::nullopt;
}

} // namespace shopsync::sim
