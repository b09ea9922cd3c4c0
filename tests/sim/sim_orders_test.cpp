// Orders and draft orders through the Admin API: inventoryBehaviour, tags, app ids, look-ups by tag.
#include "sim/sim_fixture.hpp"

#include <chrono>
#include <thread>

using namespace shopsync::testing;

namespace {
std::string order_vars(std::int64_t variant, int qty, const std::string& tag, const std::string& behaviour) {
  return R"({"order":{"name":"DEST-A-#1042","email":"jane@example.com","currency":"USD","financialStatus":"PAID",
    "lineItems":[{"variantId":")" + variant_gid(variant) + R"(","quantity":)" + std::to_string(qty) +
         R"(,"priceSet":{"shopMoney":{"amount":"19.99","currencyCode":"USD"}}}],
    "tags":[")" + tag + R"(","second"],"sourceName":"shopsync","sourceIdentifier":"dest-a/1042"})" +
         (behaviour.empty() ? "" : R"(,"options":{"inventoryBehaviour":")" + behaviour + R"(","sendReceipt":false})") + "}";
}
} // namespace

TEST(SimOrders, BypassIsTheDefaultAndLeavesStockAlone) {
  sim_process sim(small_scenario());
  auto [variant, item] = sim.ids("alpha.myshopify.com", "SHIRT-S");
  auto j = sim.alpha("OrderCreate", order_vars(variant, 2, "origin:1", ""));
  EXPECT_EQ(j->size("/data/orderCreate/userErrors"), 0u) << j->dump();
  EXPECT_EQ(j->str("/data/orderCreate/order/id").rfind("gid://shopify/Order/", 0), 0u);
  EXPECT_EQ(j->str("/data/orderCreate/order/name"), "DEST-A-#1042");
  EXPECT_EQ(j->str("/data/orderCreate/order/tags/0"), "origin:1");
  EXPECT_EQ(j->str("/data/orderCreate/order/sourceIdentifier"), "dest-a/1042");
  EXPECT_EQ(sim.level("alpha.myshopify.com", "SHIRT-S", "Main Warehouse"), 10);
  auto hooks = sim.get("/_sim/webhooks?bodies=1");
  ASSERT_EQ(hooks->size("/deliveries"), 2u) << "orders/create and products/update only";
  EXPECT_EQ(hooks->str("/deliveries/0/topic"), "orders/create");
  EXPECT_EQ(hooks->num("/deliveries/0/body/app_id"), 580111);
  EXPECT_EQ(hooks->str("/deliveries/0/body/tags"), "origin:1, second");
  EXPECT_EQ(hooks->str("/deliveries/0/body/line_items/0/price"), "19.99");
  (void)item;
}

TEST(SimOrders, DecrementTakesStockAndEmitsLevelUpdates) {
  sim_process sim(small_scenario());
  auto [variant, item] = sim.ids("alpha.myshopify.com", "SHIRT-M");
  auto j = sim.alpha("OrderCreate", order_vars(variant, 3, "origin:2", "DECREMENT_OBEYING_POLICY"));
  EXPECT_EQ(j->size("/data/orderCreate/userErrors"), 0u) << j->dump();
  EXPECT_EQ(sim.level("alpha.myshopify.com", "SHIRT-M", "Main Warehouse"), 2);
  auto lv = sim.get("/_sim/webhooks?bodies=1&topic=inventory_levels/update");
  ASSERT_EQ(lv->size("/deliveries"), 1u);
  EXPECT_EQ(lv->num("/deliveries/0/body/inventory_item_id"), item);
  EXPECT_EQ(lv->num("/deliveries/0/body/available"), 2);
  // Obeying the policy: 2 left, 3 wanted → refused, nothing created.
  auto no = sim.alpha("OrderCreate", order_vars(variant, 3, "origin:3", "DECREMENT_OBEYING_POLICY"));
  EXPECT_TRUE(no->is_null("/data/orderCreate/order"));
  EXPECT_EQ(no->str("/data/orderCreate/userErrors/0/code"), "INVENTORY_CLAIM_FAILED");
  // Ignoring it: oversold to -1.
  sim.alpha("OrderCreate", order_vars(variant, 3, "origin:4", "DECREMENT_IGNORING_POLICY"));
  EXPECT_EQ(sim.level("alpha.myshopify.com", "SHIRT-M", "Main Warehouse"), -1);
  auto st = sim.get("/_sim/state?store=alpha.myshopify.com&variants=0");
  EXPECT_EQ(st->size("/orders"), 2u);
}

TEST(SimOrders, OrdersByOriginFindsByTag) {
  sim_process sim(small_scenario());
  auto variant = sim.ids("alpha.myshopify.com", "MUG").first;
  sim.alpha("OrderCreate", order_vars(variant, 1, "shopsync-origin:dest-a.myshopify.com:1042", ""));
  auto found = sim.alpha("OrdersByOrigin", R"({"query":"tag:'shopsync-origin:dest-a.myshopify.com:1042'"})");
  ASSERT_EQ(found->size("/data/orders/nodes"), 1u);
  EXPECT_EQ(found->str("/data/orders/nodes/0/tags/0"), "shopsync-origin:dest-a.myshopify.com:1042");
  EXPECT_EQ(found->str("/data/orders/nodes/0/sourceIdentifier"), "dest-a/1042");
  auto none = sim.alpha("OrdersByOrigin", R"({"query":"tag:'shopsync-origin:dest-a.myshopify.com:9'"})");
  EXPECT_EQ(none->size("/data/orders/nodes"), 0u);
  auto unknown = sim.alpha("OrderCreate", order_vars(42, 1, "x", ""));
  EXPECT_EQ(unknown->str("/data/orderCreate/userErrors/0/field/1"), "lineItems");
}

TEST(SimOrders, DraftOrderLifecycle) {
  sim_process sim(small_scenario());
  auto variant = sim.ids("alpha.myshopify.com", "SHIRT-S").first;
  auto c = sim.alpha("DraftOrderCreate", R"({"input":{"email":"jane@example.com","tags":["shopsync-origin:dest-a.myshopify.com:D17"],
     "lineItems":[{"variantId":")" + variant_gid(variant) + R"(","quantity":2}]}})");
  EXPECT_EQ(c->str("/data/draftOrderCreate/draftOrder/status"), "OPEN");
  EXPECT_FALSE(c->has("/data/draftOrderCreate/userErrors/0"));
  auto id = c->str("/data/draftOrderCreate/draftOrder/id");
  auto u = sim.alpha("DraftOrderUpdate", R"({"id":")" + id + R"(","input":{"lineItems":[{"variantId":")" + variant_gid(variant) + R"(","quantity":3}],"note":"updated"}})");
  EXPECT_EQ(u->str("/data/draftOrderUpdate/draftOrder/id"), id);
  auto inv = sim.alpha("DraftOrderInvoiceSend", R"({"id":")" + id + R"("})");
  EXPECT_EQ(inv->str("/data/draftOrderInvoiceSend/draftOrder/status"), "INVOICE_SENT");
  auto found = sim.alpha("DraftOrdersByOrigin", R"({"query":"tag:'shopsync-origin:dest-a.myshopify.com:D17'"})");
  ASSERT_EQ(found->size("/data/draftOrders/nodes"), 1u);
  EXPECT_EQ(found->str("/data/draftOrders/nodes/0/status"), "INVOICE_SENT");
  auto missing = sim.alpha("DraftOrderUpdate", R"({"id":"gid://shopify/DraftOrder/1","input":{"note":"x"}})");
  EXPECT_TRUE(missing->is_null("/data/draftOrderUpdate/draftOrder"));
  EXPECT_FALSE(missing->has("/data/draftOrderUpdate/userErrors/0/code")) << "draft order errors carry no code";
  auto hooks = sim.get("/_sim/webhooks?bodies=1");
  std::vector<std::string> topics;
  for (std::size_t i = 0; i < hooks->size("/deliveries"); ++i)
    topics.push_back(hooks->str("/deliveries/" + std::to_string(i) + "/topic"));
  EXPECT_EQ(topics, (std::vector<std::string>{"draft_orders/create", "draft_orders/update", "draft_orders/update"}));
  EXPECT_EQ(hooks->num("/deliveries/2/body/line_items/0/quantity"), 3);
  EXPECT_EQ(hooks->str("/deliveries/2/body/status"), "invoice_sent");
  EXPECT_EQ(hooks->num("/deliveries/0/body/api_client_id"), 580111);
}

TEST(SimOrders, MerchantSideDraftOrdersAndSales) {
  sim_process sim(small_scenario());
  auto d = sim.post("/_sim/draft_order", R"({"store":"beta.myshopify.com","lines":[{"sku":"SHIRT-S","quantity":1}],"email":"a@b.c"})");
  auto id = d->num("/id");
  sim.post("/_sim/draft_order/update", R"({"store":"beta.myshopify.com","id":)" + std::to_string(id) + R"(,"status":"completed"})");
  EXPECT_EQ(sim.level("beta.myshopify.com", "SHIRT-S", "Main Warehouse"), 0) << "completing takes the stock";
  auto st = sim.get("/_sim/state?store=beta.myshopify.com&variants=0");
  EXPECT_EQ(st->str("/draft_orders/0/status"), "completed");
  EXPECT_EQ(st->num("/draft_orders/0/order_id"), st->num("/orders/0/id"));
  auto sale = sim.post("/_sim/sale", R"({"store":"beta.myshopify.com","sku":"SHIRT-M","quantity":1})");
  EXPECT_EQ(sale->num("/available"), 0);
  sim.post("/_sim/restock", R"({"store":"beta.myshopify.com","sku":"SHIRT-M","delta":5})");
  EXPECT_EQ(sim.level("beta.myshopify.com", "SHIRT-M", "Main Warehouse"), 5);
  sim.post("/_sim/sale", R"({"store":"nope.myshopify.com","sku":"SHIRT-M"})", 404);
}

// OrderCreate's line requiresShipping defaults to false (Shopify's documented
// default), and the content given is what the webhook and /_sim/state show.
TEST(SimOrders, OrderContentIsKeptAndRequiresShippingDefaultsToFalse) {
  sim_process sim(small_scenario());
  auto variant = sim.ids("alpha.myshopify.com", "MUG").first;
  auto plain = sim.alpha("OrderCreate", order_vars(variant, 1, "origin:plain", ""));
  EXPECT_EQ(plain->size("/data/orderCreate/userErrors"), 0u) << plain->dump();
  auto rich = sim.alpha("OrderCreate", R"({"order":{"currency":"USD","tags":["origin:rich"],
    "lineItems":[{"variantId":")" + variant_gid(variant) + R"(","quantity":2,"requiresShipping":true,
      "priceSet":{"shopMoney":{"amount":"10.00","currencyCode":"USD"}},
      "taxLines":[{"title":"VAT","rate":"0.2","priceSet":{"shopMoney":{"amount":"4.00","currencyCode":"USD"}}}]}],
    "shippingLines":[{"title":"Standard","code":"STD","priceSet":{"shopMoney":{"amount":"5.00","currencyCode":"USD"}}}],
    "discountCode":{"itemPercentageDiscountCode":{"code":"TEN","percentage":10.0}},"taxesIncluded":true}})");
  EXPECT_EQ(rich->size("/data/orderCreate/userErrors"), 0u) << rich->dump();
  auto st = sim.get("/_sim/state?store=alpha.myshopify.com&variants=0");
  ASSERT_EQ(st->size("/orders"), 2u);
  EXPECT_FALSE(st->flag("/orders/0/line_items/0/requires_shipping"));
  EXPECT_TRUE(st->flag("/orders/1/line_items/0/requires_shipping"));
  EXPECT_EQ(st->str("/orders/1/line_items/0/tax_lines/0/price"), "4.00");
  EXPECT_EQ(st->str("/orders/1/shipping_lines/0/code"), "STD");
  EXPECT_EQ(st->str("/orders/1/discount_codes/0/code"), "TEN");
  EXPECT_EQ(st->str("/orders/1/total_discounts"), "2.00");
  EXPECT_TRUE(st->flag("/orders/1/taxes_included"));
  auto hooks = sim.get("/_sim/webhooks?bodies=1&topic=orders/create");
  ASSERT_EQ(hooks->size("/deliveries"), 2u);
  EXPECT_TRUE(hooks->flag("/deliveries/1/body/line_items/0/requires_shipping"));
  EXPECT_EQ(hooks->str("/deliveries/1/body/shipping_lines/0/price"), "5.00");
  EXPECT_EQ(hooks->str("/deliveries/1/body/discount_applications/0/value_type"), "percentage");
  // taxes on the order and on a line at once: refused, as Shopify does
  auto both = sim.alpha("OrderCreate", R"({"order":{"lineItems":[{"variantId":")" + variant_gid(variant) +
                                         R"(","quantity":1,"taxLines":[{"title":"VAT","rate":"0.2"}]}],
    "taxLines":[{"title":"VAT","rate":"0.2"}]}})");
  EXPECT_EQ(both->size("/data/orderCreate/userErrors"), 1u) << both->dump();
}

// Search_lag_ms hides a new order from orders(query:) for that long.
TEST(SimOrders, SearchLagHidesANewOrderFromTheLookupForAWhile) {
  sim_process sim(small_scenario());
  sim.post("/_sim/faults", R"({"search_lag_ms":1500})");
  auto variant = sim.ids("alpha.myshopify.com", "MUG").first;
  sim.alpha("OrderCreate", order_vars(variant, 1, "shopsync-origin:lag", ""));
  auto early = sim.alpha("OrdersByOrigin", R"({"query":"tag:'shopsync-origin:lag'"})");
  EXPECT_EQ(early->size("/data/orders/nodes"), 0u) << early->dump();
  std::this_thread::sleep_for(std::chrono::milliseconds(1700));
  auto late = sim.alpha("OrdersByOrigin", R"({"query":"tag:'shopsync-origin:lag'"})");
  EXPECT_EQ(late->size("/data/orders/nodes"), 1u) << late->dump();
  EXPECT_EQ(sim.get("/_sim/faults")->num("/search_lag_ms"), 1500);
}

// /_sim/sales places each sale as /_sim/sale would, no faster than the rate, and answers each
// one's moment on the Admin log's clock (null for a refused one, with the first reason).
TEST(SimOrders, ScriptedSalesArePlacedAtTheirRateLikeSingleSales) {
  sim_process sim(small_scenario());
  const auto item = sim.ids("beta.myshopify.com", "SHIRT-M").second;
  const auto before_s = sim.level("alpha.myshopify.com", "SHIRT-S", "Main Warehouse");
  const auto before_m = sim.level("beta.myshopify.com", "SHIRT-M", "Main Warehouse");
  auto j = sim.post("/_sim/sales", R"({"rate":20,"sales":[
    {"store":"alpha.myshopify.com","sku":"SHIRT-S","location":"Main Warehouse","quantity":2},
    {"store":"nope.myshopify.com","sku":"SHIRT-S"},
    {"store":"alpha.myshopify.com","sku":"NO-SUCH-SKU"},
    {"store":"alpha.myshopify.com","sku":"SHIRT-S","location":"Nowhere"},
    {"store":"beta.myshopify.com","inventory_item_id":)" + std::to_string(item) + R"(,"tags":["flash"]}]})");
  ASSERT_EQ(j->size("/at_ms"), 5u) << j->dump();
  EXPECT_EQ(j->num("/refused"), 3);
  EXPECT_EQ(j->str("/first_refusal"), "sale 1: unknown store");
  EXPECT_TRUE(j->is_null("/at_ms/1"));
  EXPECT_TRUE(j->is_null("/at_ms/2"));
  EXPECT_TRUE(j->is_null("/at_ms/3"));
  double first = 0, last = 0;
  ASSERT_EQ(j->at("/at_ms/0").get(first), simdjson::SUCCESS);
  ASSERT_EQ(j->at("/at_ms/4").get(last), simdjson::SUCCESS);
  EXPECT_GE(last - first, 195.0) << "the fifth sale is due 200 ms after the first at 20/s";
  EXPECT_EQ(sim.level("alpha.myshopify.com", "SHIRT-S", "Main Warehouse"), before_s - 2);
  EXPECT_EQ(sim.level("beta.myshopify.com", "SHIRT-M", "Main Warehouse"), before_m - 1);
  auto st = sim.get("/_sim/state?store=beta.myshopify.com&variants=0");
  ASSERT_EQ(st->size("/orders"), 1u);
  EXPECT_EQ(st->str("/orders/0/tags"), "flash");
  auto hooks = sim.get("/_sim/webhooks?store=alpha.myshopify.com");
  std::size_t orders = 0;
  for (std::size_t i = 0; i < hooks->size("/deliveries"); ++i)
    orders += hooks->str("/deliveries/" + std::to_string(i) + "/topic") == "orders/create";
  EXPECT_EQ(orders, 1u) << "the sale emits what a single sale does";
  sim.post("/_sim/sales", R"({"sales":[]})", 400);
}
