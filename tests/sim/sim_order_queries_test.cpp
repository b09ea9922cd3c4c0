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
  auto j = sim.alpha("OrderForSync", R"({"lines":100,"id":"gid://shopify/Order/)" + id + R"("})");
  EXPECT_EQ(j->str("/data/order/id"), "gid://shopify/Order/" + id);
  EXPECT_EQ(j->str("/data/order/displayFinancialStatus"), "PAID");
  EXPECT_EQ(j->num("/data/order/lineItems/nodes/0/quantity"), 1);
  EXPECT_EQ(j->str("/data/order/lineItems/nodes/0/sku"), "SHIRT-M");
  EXPECT_EQ(j->str("/data/order/lineItems/nodes/0/variant/id").rfind("gid://shopify/ProductVariant/", 0), 0u);
  EXPECT_FALSE(j->flag("/data/order/lineItems/pageInfo/hasNextPage"));
  auto gone = sim.alpha("OrderForSync", R"({"lines":100,"id":"gid://shopify/Order/1"})");
  EXPECT_TRUE(gone->is_null("/data/order"));
}

TEST(SimOrderQueries, OrderForSyncGivesLinesAHundredAtATimeWithACursor) {
  // A full page of OrderForSync is requested at 900 points (lineItems(first: 100) of 8 each):
  // three in a row need more than the Standard bucket holds.
  sim_process sim(small_scenario("", R"({"max":20000,"restore":1000})"));
  auto r = sim.post("/_sim/sale", R"({"store":"alpha.myshopify.com","sku":"SHIRT-S","quantity":1,"lines":250})");
  ASSERT_TRUE(r->has("/order_id")) << r->dump();
  const auto id = std::to_string(r->num("/order_id"));
  std::set<std::string> lines;
  std::string after = "null";
  std::vector<std::size_t> pages;
  for (int guard = 0; guard < 5; ++guard) {
    auto j = sim.alpha("OrderForSync", R"({"lines":100,"id":"gid://shopify/Order/)" + id + R"(","linesAfter":)" + after + "}");
    const auto n = j->size("/data/order/lineItems/nodes");
    pages.push_back(n);
    for (std::size_t i = 0; i < n; ++i)
      lines.insert(j->str("/data/order/lineItems/nodes/" + std::to_string(i) + "/id"));
    if (!j->flag("/data/order/lineItems/pageInfo/hasNextPage"))
      break;
    after = "\"" + j->str("/data/order/lineItems/pageInfo/endCursor") + "\"";
  }
  EXPECT_EQ(pages, (std::vector<std::size_t>{100, 100, 50}));
  EXPECT_EQ(lines.size(), 250u); // every line once
  // `$lines` sizes the answer (a small bucket's reads ask fewer).
  auto small = sim.alpha("OrderForSync", R"({"lines":30,"id":"gid://shopify/Order/)" + id + R"("})");
  EXPECT_EQ(small->size("/data/order/lineItems/nodes"), 30u);
  EXPECT_TRUE(small->flag("/data/order/lineItems/pageInfo/hasNextPage"));
}

TEST(SimOrderQueries, DraftOrdersUpdatedSinceListsByUpdatedAt) {
  sim_process sim(small_scenario());
  auto d = sim.post("/_sim/draft_order", R"({"store":"alpha.myshopify.com","lines":[{"sku":"SHIRT-S","quantity":1}]})");
  auto id = std::to_string(d->num("/id"));
  auto j = sim.alpha("DraftOrdersUpdatedSince", R"({"first":10,"query":"updated_at:>=2020-01-01T00:00:00Z"})");
  ASSERT_EQ(j->size("/data/draftOrders/nodes"), 1u) << j->dump();
  EXPECT_EQ(j->str("/data/draftOrders/nodes/0/id"), "gid://shopify/DraftOrder/" + id);
  auto full = sim.alpha("DraftOrderForSync", R"({"lines":100,"id":"gid://shopify/DraftOrder/)" + id + R"("})");
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

// in the reads: the content the webhook carries, in GraphQL's names and units.
TEST(SimOrderQueries, ForSyncReadsCarryTheOrdersContent) {
  sim_process sim(small_scenario());
  auto r = sim.post("/_sim/sale", R"({"store":"alpha.myshopify.com","sku":"SHIRT-M","quantity":1,
    "requires_shipping":false,
    "line_tax_lines":[{"title":"VAT","price":"2.00","rate":0.2}],
    "shipping_lines":[{"title":"Standard","code":"STANDARD","source":"shopify","price":"5.00",
                       "tax_lines":[{"title":"VAT","price":"1.00","rate":0.2}]}],
    "tax_lines":[{"title":"VAT","price":"3.00","rate":0.2}],
    "discount_codes":[{"code":"SPRING10","amount":"1.00","type":"percentage"}],
    "discount_applications":[{"type":"discount_code","code":"SPRING10","value":"10.0","value_type":"percentage",
                              "target_type":"line_item"},
                             {"type":"automatic","title":"Winter","value":"2.00","value_type":"fixed_amount",
                              "target_type":"line_item"}],
    "total_discounts":"3.00","taxes_included":true})");
  auto id = std::to_string(r->num("/order_id"));
  auto j = sim.alpha("OrderForSync", R"({"lines":100,"id":"gid://shopify/Order/)" + id + R"("})");
  const std::string o = "/data/order";
  EXPECT_FALSE(j->flag(o + "/lineItems/nodes/0/requiresShipping")) << j->dump();
  EXPECT_TRUE(j->flag(o + "/lineItems/nodes/0/taxable"));
  EXPECT_EQ(j->str(o + "/lineItems/nodes/0/taxLines/0/priceSet/shopMoney/amount"), "2.00");
  EXPECT_EQ(simdjson::minify(j->at(o + "/lineItems/nodes/0/taxLines/0/rate")), "0.2");
  EXPECT_EQ(j->str(o + "/shippingLines/nodes/0/code"), "STANDARD");
  EXPECT_EQ(j->str(o + "/shippingLines/nodes/0/originalPriceSet/shopMoney/amount"), "5.00");
  EXPECT_EQ(j->str(o + "/shippingLines/nodes/0/taxLines/0/title"), "VAT");
  EXPECT_EQ(j->str(o + "/taxLines/0/priceSet/shopMoney/amount"), "3.00");
  EXPECT_TRUE(j->flag(o + "/taxesIncluded"));
  EXPECT_EQ(j->str(o + "/discountCodes/0"), "SPRING10");
  EXPECT_EQ(j->str(o + "/totalDiscountsSet/shopMoney/amount"), "3.00");
  EXPECT_EQ(j->str(o + "/discountApplications/nodes/0/__typename"), "DiscountCodeApplication");
  EXPECT_EQ(j->str(o + "/discountApplications/nodes/0/code"), "SPRING10");
  EXPECT_EQ(j->str(o + "/discountApplications/nodes/0/targetType"), "LINE_ITEM");
  EXPECT_EQ(j->str(o + "/discountApplications/nodes/0/value/__typename"), "PricingPercentageValue");
  EXPECT_EQ(simdjson::minify(j->at(o + "/discountApplications/nodes/0/value/percentage")), "10.0");
  EXPECT_EQ(j->str(o + "/discountApplications/nodes/1/__typename"), "AutomaticDiscountApplication");
  EXPECT_EQ(j->str(o + "/discountApplications/nodes/1/title"), "Winter");
  EXPECT_EQ(j->str(o + "/discountApplications/nodes/1/value/amount"), "2.00");

  auto d = sim.post("/_sim/draft_order", R"({"store":"alpha.myshopify.com","lines":[{"sku":"SHIRT-S","quantity":1}],
    "tax_exempt":true,"shipping_line":{"title":"Freight","custom":true,"handle":null,"price":"40.00"},
    "applied_discount":{"title":"Trade","description":"","value":"15.0","value_type":"percentage","amount":"1.50"}})");
  auto full = sim.alpha("DraftOrderForSync", R"({"lines":100,"id":"gid://shopify/DraftOrder/)" + std::to_string(d->num("/id")) + R"("})");
  const std::string p = "/data/draftOrder";
  EXPECT_EQ(full->str(p + "/shippingLine/title"), "Freight") << full->dump();
  EXPECT_TRUE(full->is_null(p + "/shippingLine/shippingRateHandle"));
  EXPECT_EQ(full->str(p + "/shippingLine/originalPriceSet/shopMoney/amount"), "40.00");
  EXPECT_EQ(full->str(p + "/appliedDiscount/valueType"), "PERCENTAGE");
  EXPECT_EQ(full->str(p + "/appliedDiscount/amountSet/shopMoney/amount"), "1.50");
  EXPECT_TRUE(full->flag(p + "/taxExempt"));
  EXPECT_TRUE(full->is_null(p + "/lineItems/nodes/0/appliedDiscount"));
}
