#pragma once
// Webhook subscriptions and access scopes of one simulated app installation, as Shopify keeps
// them: app-specific subscriptions (declared in shopify.app.toml, the same for every store, not
// listed by the Admin API) and shop-specific ones made through the Admin API
// (webhookSubscriptionCreate, deleted by Shopify after 8 consecutive failed deliveries).
// Plain data and pure helpers; the simulator holds a store's mutex while it uses them.
#include "sim/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace shopsync::sim {

struct api_subscription {
  i64 id = 0;
  std::string topic; // WebhookSubscriptionTopic enum value, "INVENTORY_LEVELS_UPDATE"
  std::string uri;
  std::string name;  // may be empty
  std::string format = "JSON";
  i64 created_at = 0, updated_at = 0;
  int consecutive_failures = 0; // failed delivery attempts since the last success
};

// Shopify deletes an API-made subscription after this many consecutive failed deliveries.
inline constexpr int subscription_failure_limit = 8;

// The scopes an installation has when the scenario names none: everything shopsync asks for.
std::vector<std::string> default_scopes();

// "inventory_levels/update" -> "INVENTORY_LEVELS_UPDATE".
std::string topic_enum_of(const std::string& topic);
// A WebhookSubscriptionTopic value the simulator accepts (those of shopsync's topics and
// their neighbours in the 2026-10 enum).
bool known_topic_enum(const std::string& value);

// Why Shopify would refuse `uri` as a delivery address (a userError message), or nullopt. The
// simulator accepts plain http only to a loopback host: its tests have no TLS.
std::optional<std::string> uri_problem(const std::string& uri);

} // namespace shopsync::sim
