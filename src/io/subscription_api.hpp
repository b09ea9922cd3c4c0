#pragma once
// The subscription keeper's and the doctor's side of the Admin API: variables for the
// documents of graphql_documents.hpp (WebhookSubscriptions, WebhookSubscriptionCreate/Update/
// Delete, AppInstallation) and typed answers. No transport: a store link or an admin_client
// sends the call and hands back the body.
//
// Answers: top-level `errors` → error{extensions.code or "shopify.error", message}; `data`
// missing → "shopify.no_data"; userErrors → "shopify.user_errors" with the messages joined;
// anything that is not a GraphQL answer → "subscription_api.bad_response".
#include "domain/result.hpp"
#include "domain/subscription_plan.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

inline constexpr int subscription_page_size = 100;

std::string subscriptions_page_variables(int first, const std::optional<std::string>& after);
// topic: shopsync's topic ("inventory_levels/update"); sent as the enum INVENTORY_LEVELS_UPDATE.
std::string subscription_create_variables(const std::string& topic, const std::string& uri, const std::string& name);
std::string subscription_update_variables(const std::string& id, const std::string& uri, const std::string& name);
std::string subscription_delete_variables(const std::string& id);

struct subscriptions_page {
  std::vector<present_subscription> subscriptions; // topic: shopsync's name when known, else the enum
  bool has_next = false;
  std::string end_cursor;
};
result<subscriptions_page> parse_subscriptions_page(std::string_view body);

// webhookSubscriptionCreate / Update: the subscription as Shopify now holds it.
result<present_subscription> parse_subscription_written(std::string_view body, std::string_view field);
// webhookSubscriptionDelete: ok, or the error. A subscription already gone is not an error.
status parse_subscription_deleted(std::string_view body);

struct api_version_row {
  std::string handle;
  bool supported = false;
};

struct app_installation {
  std::string shop_name, shop_domain;
  std::vector<api_version_row> api_versions;
  std::vector<std::string> scopes; // accessScopes handles
};
result<app_installation> parse_app_installation(std::string_view body);

} // namespace shopsync
