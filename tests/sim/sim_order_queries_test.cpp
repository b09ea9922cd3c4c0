// The order reconciler's queries: listings with Shopify's created_at / updated_at filters, sort
// keys and cursors; full reads in GraphQL's shape; a webhook topic lost for good.
#include "sim/sim_fixture.hpp"

#include <set>

using namespace shopsync::testing;

namespace {
std::string sale(sim_process& sim, const std::string& sku) {
  auto r = sim.post("/_sim/sale", R"({"store":"alpha.myshopify.com","sku":")" + sku + R"(","quantity":1})");
  return std::to_string(r->num("/order_id"));
}
} // namespace

TEST(SimOrderQueries, OrdersCreatedSinceFiltersSortsAndPagesByCursor) {
  sim_process sim(small_scenario());
  std::set<std::string> placed;
  for (int i = 0; i < 5; ++i)
    placed.insert(sale(sim, "SHIRT-S"));
  auto all = sim.alpha("OrdersCreatedSince", R"({"first":2,"after":null,"query":"created_at:>=2020-01-01T00:00:00Z"})");
  ASSERT_EQ(all->size("/data/orders/nodes"), 2u) << all->dump();
  EXPECT_TRUE(all->flag("/data/orders/pageInfo/hasNextPage"));
  std::set<std::string> seen;
  std::string last_created;
  auto take = [&](const json_doc& page) {
    for (std::size_t i = 0; i < page.size("/data/orders/nodes"); ++i) {
      auto p = "/data/orders/nodes/" + std::to_string(i);
      auto id = page.str(p + "/id");
      EXPECT_EQ(id.rfind("gid://shopify/Order/", 0), 0u);
      seen.insert(id.substr(std::string("gid://shopify/Order/").size()));
      EXPECT_GE(page.str(p + "/createdAt"), last_created); // ascending (same offset: text order)
      last_created = page.str(p + "/createdAt");
    }
  };
  take(*all);
  auto cursor = all->str("/data/orders/pageInfo/endCursor");
  for (int guard = 0; guard < 5; ++guard) {
    auto next = sim.alpha("OrdersCreatedSince",
                          R"({"first":2,"after":")" + cursor + R"(","query":"created_at:>=2020-01-01T00:00:00Z"})");
    take(*next);
    if (!next->flag("/data/orders/pageInfo/hasNextPage"))
      break;
    cursor = next->str("/data/orders/pageInfo/endCursor");
  }
  EXPECT_EQ(seen, placed);
  // A filter after every order: nothing, no cursor.
  auto none = sim.alpha("OrdersCreatedSince", R"({"first":50,"query":"created_at:>=2099-01-01T00:00:00Z"})");
  EXPECT_EQ(none->size("/data/orders/nodes"), 0u);
  EXPECT_TRUE(none->is_null("/data/orders/pageInfo/endCursor"));
  auto before = sim.alpha("OrdersCreatedSince", R"({"first":50,"query":"created_at:<2020-01-01T00:00:00Z"})");
  EXPECT_EQ(before->size("/data/orders/nodes"), 0u);
}

TEST(SimOrderQueries, OrderForSyncAnswersInGraphqlShape) {
  sim_process sim(small_scenario());
  auto id = sale(sim, "SHIRT-M");
  auto j = sim.alpha("OrderForSync", R"({"id":"gid://shopify/Order/)" + id + R"("})");
  EXPECT_EQ(j->str("/data/order/id"), "gid://shopify/Order/" + id);
  EXPECT_EQ(j->str("/data/order/displayFinancialStatus"), "PAID");
  EXPECT_EQ(j->num("/data/order/lineItems/nodes/0/quantity"), 1);
  EXPECT_EQ(j->str("/data/order/lineItems/nodes/0/sku"), "SHIRT-M");
  EXPECT_EQ(j->str("/data/order/lineItems/nodes/0/variant/id").rfind("gid://shopify/ProductVariant/", 0), 0u);
  EXPECT_FALSE(j->flag("/data/order/lineItems/pageInfo/hasNextPage"));
  auto gone = sim.alpha("OrderForSync", R"({"id":"gid://shopify/Order/1"})");
  EXPECT_TRUE(gone->is_null("/data/order"));
}

TEST(SimOrderQueries, DraftOrdersUpdatedSinceListsByUpdatedAt) {
  sim_process sim(small_scenario());
  auto d = sim.post("/_sim/draft_order", R"({"store":"alpha.myshopify.com","lines":[{"sku":"SHIRT-S","quantity":1}]})");
  auto id = std::to_string(d->num("/id"));
  auto j = sim.alpha("DraftOrdersUpdatedSince", R"({"first":10,"query":"updated_at:>=2020-01-01T00:00:00Z"})");
  ASSERT_EQ(j->size("/data/draftOrders/nodes"), 1u) << j->dump();
  EXPECT_EQ(j->str("/data/draftOrders/nodes/0/id"), "gid://shopify/DraftOrder/" + id);
  auto full = sim.alpha("DraftOrderForSync", R"({"id":"gid://shopify/DraftOrder/)" + id + R"("})");
  EXPECT_EQ(full->str("/data/draftOrder/status"), "OPEN");
  EXPECT_EQ(full->num("/data/draftOrder/lineItems/nodes/0/quantity"), 1);
}

TEST(SimOrderQueries, WebhookLossTopicsLoseEveryDeliveryOfThatTopicOnly) {
  // Subscribed (to a port nobody listens on): deliveries are attempted, so "lost" shows.
  sim_process sim(small_scenario(), {"--webhook-url", "http://127.0.0.1:1/webhooks"});
  sim.post("/_sim/faults", R"({"webhook_loss_topics":["orders/create"]})");
  sale(sim, "SHIRT-S");
  auto hooks = sim.get("/_sim/webhooks");
  std::size_t orders = 0, others = 0;
  for (std::size_t i = 0; i < hooks->size("/deliveries"); ++i) {
    auto p = "/deliveries/" + std::to_string(i);
    if (hooks->str(p + "/topic") == "orders/create") {
      ++orders;
      EXPECT_EQ(hooks->str(p + "/state"), "lost");
    } else {
      ++others;
      EXPECT_NE(hooks->str(p + "/state"), "lost");
    }
  }
  EXPECT_EQ(orders, 1u);
  EXPECT_GT(others, 0u);
  auto faults = sim.get("/_sim/faults");
  EXPECT_EQ(faults->str("/webhook_loss_topics/0"), "orders/create");
}
