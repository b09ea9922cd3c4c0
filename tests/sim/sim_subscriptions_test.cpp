// shopify-sim's webhook subscriptions and app installation: the Admin API to list, create,
// update and delete subscriptions (with Shopify's userErrors), delivery only to subscribed topics
// and URIs, one event id shared by every subscription an event goes through, deletion of an
// API-made subscription after 8 consecutive failed deliveries, and per-store scopes with
// app/scopes_update.
#include "sim/sim_fixture.hpp"
#include "support/http_receiver.hpp"

#include <set>
#include <thread>

using namespace shopsync::testing;

namespace {

std::string create_vars(const std::string& topic, const std::string& uri) {
  return R"({"topic":")" + topic + R"(","webhookSubscription":{"uri":")" + uri + R"(","format":"JSON","name":"shopsync"}})";
}

} // namespace

TEST(SimSubscriptions, CreateListPaginateFilterUpdateAndDeleteWithShopifysUserErrors) {
  sim_process sim(small_scenario());
  auto c1 = sim.alpha("WebhookSubscriptionCreate", create_vars("INVENTORY_LEVELS_UPDATE", "https://a.example.com/hooks"));
  ASSERT_EQ(c1->size("/data/webhookSubscriptionCreate/userErrors"), 0u) << c1->dump();
  auto id1 = c1->str("/data/webhookSubscriptionCreate/webhookSubscription/id");
  EXPECT_EQ(id1.rfind("gid://shopify/WebhookSubscription/", 0), 0u);
  EXPECT_EQ(c1->str("/data/webhookSubscriptionCreate/webhookSubscription/name"), "shopsync");
  sim.alpha("WebhookSubscriptionCreate", create_vars("ORDERS_CREATE", "https://a.example.com/hooks"));
  sim.alpha("WebhookSubscriptionCreate", create_vars("PRODUCTS_UPDATE", "https://b.example.com/hooks"));
  // The same topic and address twice.
  auto dup = sim.alpha("WebhookSubscriptionCreate", create_vars("ORDERS_CREATE", "https://a.example.com/hooks"));
  ASSERT_EQ(dup->size("/data/webhookSubscriptionCreate/userErrors"), 1u);
  EXPECT_EQ(dup->str("/data/webhookSubscriptionCreate/userErrors/0/message"), "Address for this topic has already been taken");
  EXPECT_TRUE(dup->is_null("/data/webhookSubscriptionCreate/webhookSubscription"));
  auto http = sim.alpha("WebhookSubscriptionCreate", create_vars("ORDERS_CREATE", "http://a.example.com/hooks"));
  EXPECT_EQ(http->str("/data/webhookSubscriptionCreate/userErrors/0/message"), "Address protocol http:// is not supported");
  auto bad_topic = sim.alpha("WebhookSubscriptionCreate", create_vars("NOT_A_TOPIC", "https://a.example.com/hooks"));
  EXPECT_EQ(bad_topic->str("/errors/0/extensions/code"), "INVALID_VARIABLE");

  // Two pages of two, then one.
  auto p1 = sim.alpha("WebhookSubscriptions", R"({"first":2})");
  ASSERT_EQ(p1->size("/data/webhookSubscriptions/nodes"), 2u) << p1->dump();
  EXPECT_TRUE(p1->flag("/data/webhookSubscriptions/pageInfo/hasNextPage"));
  EXPECT_EQ(p1->str("/data/webhookSubscriptions/nodes/0/topic"), "INVENTORY_LEVELS_UPDATE");
  auto cursor = p1->str("/data/webhookSubscriptions/pageInfo/endCursor");
  auto p2 = sim.alpha("WebhookSubscriptions", R"({"first":2,"after":")" + cursor + "\"}");
  ASSERT_EQ(p2->size("/data/webhookSubscriptions/nodes"), 1u);
  EXPECT_FALSE(p2->flag("/data/webhookSubscriptions/pageInfo/hasNextPage"));
  EXPECT_EQ(p2->str("/data/webhookSubscriptions/nodes/0/uri"), "https://b.example.com/hooks");
  auto by_topic = sim.alpha("WebhookSubscriptions", R"({"first":10,"topics":["ORDERS_CREATE"]})");
  EXPECT_EQ(by_topic->size("/data/webhookSubscriptions/nodes"), 1u);
  auto by_uri = sim.alpha("WebhookSubscriptions", R"({"first":10,"uri":"https://a.example.com/hooks"})");
  EXPECT_EQ(by_uri->size("/data/webhookSubscriptions/nodes"), 2u);
  // The other store sees none of alpha's.
  auto r = sim.admin("beta.myshopify.com", "shpat_beta", "WebhookSubscriptions", R"({"first":10})");
  EXPECT_EQ(parse_json(r.body)->size("/data/webhookSubscriptions/nodes"), 0u);

  auto up = sim.alpha("WebhookSubscriptionUpdate", R"({"id":")" + id1 +
                                                      R"(","webhookSubscription":{"uri":"https://c.example.com/x"}})");
  EXPECT_EQ(up->str("/data/webhookSubscriptionUpdate/webhookSubscription/uri"), "https://c.example.com/x") << up->dump();
  auto del = sim.alpha("WebhookSubscriptionDelete", R"({"id":")" + id1 + "\"}");
  EXPECT_EQ(del->str("/data/webhookSubscriptionDelete/deletedWebhookSubscriptionId"), id1);
  auto again = sim.alpha("WebhookSubscriptionDelete", R"({"id":")" + id1 + "\"}");
  EXPECT_EQ(again->str("/data/webhookSubscriptionDelete/userErrors/0/message"), "Webhook subscription does not exist");
  EXPECT_EQ(sim.alpha("WebhookSubscriptions", R"({"first":10})")->size("/data/webhookSubscriptions/nodes"), 2u);
}

TEST(SimSubscriptions, DeliveriesGoOnlyToSubscribedTopicsAndOneEventKeepsItsIdAcrossSubscriptions) {
  http_receiver app, api;
  sim_process sim(small_scenario(), {"--webhook-url", app.url("/app"), "--time-scale", "0.001"});
  // The app-specific subscription (shopify.app.toml) is not listed by the Admin API.
  EXPECT_EQ(sim.alpha("WebhookSubscriptions", R"({"first":10})")->size("/data/webhookSubscriptions/nodes"), 0u);
  sim.alpha("WebhookSubscriptionCreate", create_vars("INVENTORY_LEVELS_UPDATE", api.url("/api")));
  sim.post("/_sim/sale", R"({"store":"alpha.myshopify.com","sku":"MUG","quantity":1})");
  ASSERT_TRUE(api.wait_for(1, std::chrono::seconds(10)));
  ASSERT_TRUE(app.wait_for(3, std::chrono::seconds(10))); // orders/create, inventory_levels/update, products/update
  sim.get("/_sim/webhooks/wait_idle?timeout_ms=5000");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto through_api = api.requests();
  ASSERT_EQ(through_api.size(), 1u) << "the API subscription is for one topic only";
  EXPECT_EQ(through_api[0].headers["x-shopify-topic"], "inventory_levels/update");
  std::string app_event, app_webhook;
  for (auto& r : app.requests())
    if (r.headers["x-shopify-topic"] == "inventory_levels/update") {
      app_event = r.headers["x-shopify-event-id"];
      app_webhook = r.headers["x-shopify-webhook-id"];
    }
  EXPECT_EQ(through_api[0].headers["x-shopify-event-id"], app_event);
  EXPECT_NE(through_api[0].headers["x-shopify-webhook-id"], app_webhook);
  EXPECT_FALSE(app_event.empty());
}

TEST(SimSubscriptions, AStoreWithoutAppSubscriptionsDeliversNothingUntilSubscribed) {
  http_receiver app;
  sim_process sim(small_scenario(), {"--webhook-url", app.url(), "--no-app-subscriptions", "--time-scale", "0.001"});
  sim.post("/_sim/sale", R"({"store":"alpha.myshopify.com","sku":"MUG","quantity":1})");
  sim.get("/_sim/webhooks/wait_idle?timeout_ms=5000");
  auto w = sim.get("/_sim/webhooks?store=alpha.myshopify.com");
  EXPECT_EQ(w->num("/summary/unsubscribed"), 3) << w->dump();
  EXPECT_EQ(app.count(), 0u);
}

TEST(SimSubscriptions, AnApiSubscriptionIsDeletedAfterEightConsecutiveFailedDeliveries) {
  http_receiver failing([](std::size_t, const received_request&) { return receiver_reply{500, {}}; });
  sim_process sim(small_scenario(), {"--no-app-subscriptions", "--time-scale", "0.0001"});
  sim.alpha("WebhookSubscriptionCreate", create_vars("INVENTORY_LEVELS_UPDATE", failing.url()));
  sim.post("/_sim/set_level", R"({"store":"alpha.myshopify.com","sku":"MUG","available":2})");
  ASSERT_TRUE(failing.wait_for(8, std::chrono::seconds(20)));
  sim.get("/_sim/webhooks/wait_idle?timeout_ms=5000");
  EXPECT_EQ(sim.alpha("WebhookSubscriptions", R"({"first":10})")->size("/data/webhookSubscriptions/nodes"), 0u)
    << sim.get("/_sim/subscriptions?store=alpha.myshopify.com")->dump();
  // Later events are not delivered at all.
  auto before = failing.count();
  sim.post("/_sim/set_level", R"({"store":"alpha.myshopify.com","sku":"MUG","available":3})");
  sim.get("/_sim/webhooks/wait_idle?timeout_ms=5000");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(failing.count(), before);
}

TEST(SimSubscriptions, ScopesAreAnsweredPerStoreAndAChangeSendsAppScopesUpdate) {
  http_receiver app;
  auto scenario = small_scenario();
  auto at = scenario.find(R"("shop":"beta.myshopify.com")");
  scenario.insert(at, R"("scopes":["read_products"],)");
  sim_process sim(scenario, {"--webhook-url", app.url(), "--time-scale", "0.001"});
  auto a = sim.alpha("AppInstallation", "{}");
  EXPECT_EQ(a->size("/data/currentAppInstallation/accessScopes"), 8u) << a->dump(); // everything shopsync needs
  EXPECT_EQ(a->str("/data/shop/myshopifyDomain"), "alpha.myshopify.com");
  auto b = parse_json(sim.admin("beta.myshopify.com", "shpat_beta", "AppInstallation", "{}").body);
  ASSERT_EQ(b->size("/data/currentAppInstallation/accessScopes"), 1u);
  EXPECT_EQ(b->str("/data/currentAppInstallation/accessScopes/0/handle"), "read_products");
  sim.post("/_sim/scopes", R"({"store":"beta.myshopify.com","scopes":["read_products","read_inventory"]})");
  ASSERT_TRUE(app.wait_for(1, std::chrono::seconds(10)));
  auto req = app.requests()[0];
  EXPECT_EQ(req.headers["x-shopify-topic"], "app/scopes_update");
  auto body = parse_json(req.body);
  EXPECT_EQ(body->size("/previous"), 1u);
  EXPECT_EQ(body->size("/current"), 2u);
  b = parse_json(sim.admin("beta.myshopify.com", "shpat_beta", "AppInstallation", "{}").body);
  EXPECT_EQ(b->size("/data/currentAppInstallation/accessScopes"), 2u);
}
