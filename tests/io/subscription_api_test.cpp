// subscription_api: the variables shopsync sends for webhook subscriptions and the answers it
// reads back, in Shopify's shapes (2026-10).
#include "io/subscription_api.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

TEST(SubscriptionApi, CreateSendsTheTopicEnumUriFormatJsonAndOurName) {
  EXPECT_EQ(subscription_create_variables("inventory_levels/update", "https://sync.example.com/webhooks", "shopsync"),
            R"({"topic":"INVENTORY_LEVELS_UPDATE","webhookSubscription":{"uri":"https://sync.example.com/webhooks",)"
            R"("format":"JSON","name":"shopsync"}})");
  EXPECT_EQ(subscriptions_page_variables(100, std::nullopt), R"({"first":100,"after":null})");
}

TEST(SubscriptionApi, APageGivesTopicsInShopsyncsNamesAndKeepsUnknownEnumsAsTheyAre) {
  auto page = parse_subscriptions_page(R"({"data":{"webhookSubscriptions":{"nodes":[
    {"id":"gid://shopify/WebhookSubscription/1","topic":"ORDERS_CREATE","uri":"https://a/x","name":"shopsync"},
    {"id":"gid://shopify/WebhookSubscription/2","topic":"CARTS_CREATE","uri":"https://b/y","name":null}],
    "pageInfo":{"hasNextPage":true,"endCursor":"abc"}}}})");
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->subscriptions.size(), 2u);
  EXPECT_EQ(page->subscriptions[0].topic, "orders/create");
  EXPECT_EQ(page->subscriptions[0].name, "shopsync");
  EXPECT_EQ(page->subscriptions[1].topic, "CARTS_CREATE");
  EXPECT_EQ(page->subscriptions[1].name, "");
  EXPECT_TRUE(page->has_next);
  EXPECT_EQ(page->end_cursor, "abc");
  auto broken = parse_subscriptions_page(R"({"data":{"webhookSubscriptions":{"nodes":[],"pageInfo":{"hasNextPage":true}}}})");
  EXPECT_FALSE(broken.ok());
  auto throttled = parse_subscriptions_page(R"({"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}]})");
  ASSERT_FALSE(throttled.ok());
  EXPECT_EQ(throttled.error().code, "THROTTLED");
}

TEST(SubscriptionApi, UserErrorsAreErrorsAndDeletingWhatIsAlreadyGoneIsNot) {
  auto dup = parse_subscription_written(R"({"data":{"webhookSubscriptionCreate":{"webhookSubscription":null,
    "userErrors":[{"field":["webhookSubscription","callbackUrl"],"message":"Address for this topic has already been taken"}]}}})",
                                        "webhookSubscriptionCreate");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "shopify.user_errors");
  EXPECT_EQ(dup.error().message, "webhookSubscription.callbackUrl: Address for this topic has already been taken");
  auto made = parse_subscription_written(R"({"data":{"webhookSubscriptionCreate":{"webhookSubscription":
    {"id":"gid://shopify/WebhookSubscription/7","topic":"APP_SCOPES_UPDATE","uri":"https://a/x","name":"shopsync"},
    "userErrors":[]}}})",
                                         "webhookSubscriptionCreate");
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_EQ(made->topic, "app/scopes_update");
  EXPECT_TRUE(parse_subscription_deleted(R"({"data":{"webhookSubscriptionDelete":{"deletedWebhookSubscriptionId":null,
    "userErrors":[{"field":["id"],"message":"Webhook subscription does not exist"}]}}})")
                .ok());
  EXPECT_FALSE(parse_subscription_deleted(R"({"data":{"webhookSubscriptionDelete":null}})").ok());
}

TEST(SubscriptionApi, TheAppInstallationGivesScopesAndApiVersions) {
  auto a = parse_app_installation(R"({"data":{"shop":{"name":"Main","myshopifyDomain":"main.myshopify.com"},
    "publicApiVersions":[{"handle":"2026-10","supported":true},{"handle":"unstable","supported":false}],
    "currentAppInstallation":{"accessScopes":[{"handle":"read_products"},{"handle":"write_inventory"}]}}})");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->shop_domain, "main.myshopify.com");
  EXPECT_EQ(a->scopes, (std::vector<std::string>{"read_products", "write_inventory"}));
  ASSERT_EQ(a->api_versions.size(), 2u);
  EXPECT_TRUE(a->api_versions[0].supported);
  EXPECT_FALSE(a->api_versions[1].supported);
  EXPECT_FALSE(parse_app_installation(R"({"data":{"shop":null}})").ok());
}
