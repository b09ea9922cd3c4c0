// orders: which Destination orders qualify (financial_statuses = ["any"]), the
// record a skipped order leaves, and the content a synced order carries to the Source
// (requires_shipping, shipping lines, taxes, a discount code), end to end through the
// simulator's sale endpoint, its orders/create webhook and its orderCreate.
#include "e2e_order_content_checks.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-oc.myshopify.com", "shpat_oc_source", true};
const e2e_store kDest{"dest-c", "dest-c-oc.myshopify.com", "shpat_oc_dest_c", false};
const std::vector<std::string> kSkus = {"TEE-RED-S", "MUG-WHITE"};

e2e_options content_options(const std::string& statuses) {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {10, 10}, {});
  o.groups_toml = "[[groups]]\nname = \"orders\"\nsource = \"source\"\ndestinations = [\"dest-c\"]\n"
                  "strategy = \"order\"\nmatch_by = \"sku\"\nlocations = \"by_name\"\n\n[groups.orders]\n"
                  "financial_statuses = " + statuses + "\ninventory_behaviour = \"BYPASS\"\n";
  return o;
}

std::string sale_id(const std::string& answer) { return std::to_string(parse(answer)->num("/order_id").value_or(0)); }

std::string source_state(e2e_env& env) { return env.sim_get("/_sim/state?store=" + kSource.shop + "&variants=0"); }

} // namespace

TEST(E2eOrderContent, financial_statuses_any_syncs_every_status) {
  e2e_env env(content_options("[\"any\"]"));
  ASSERT_TRUE(env.start_mapped());
  for (const char* status : {"voided", "pending", "paid"})
    ASSERT_NE(env.sale(kDest.shop, "MUG-WHITE", 1, "Main Warehouse", status).rfind("HTTP", 0), 0u);
  EXPECT_TRUE(env.wait_until([&] { return env.app_order_count(kSource.shop) >= 3; }, 15s))
    << env.control("orders", R"({"state":"skipped"})") << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  EXPECT_EQ(env.app_order_count(kSource.shop), 3u) << source_state(env);
  EXPECT_EQ(parse(env.control("orders", R"({"state":"skipped"})"))->num("/count"), 0);
}

TEST(E2eOrderContent, a_skipped_order_is_listed_with_its_name_reason_and_time) {
  e2e_env env(content_options("[\"paid\"]"));
  ASSERT_TRUE(env.start_mapped());
  auto sale = env.sale(kDest.shop, "MUG-WHITE", 1, "Main Warehouse", "voided");
  ASSERT_NE(sale.rfind("HTTP", 0), 0u) << sale;
  const auto name = parse(sale)->str("/name");
  EXPECT_TRUE(env.wait_until(
    [&] { return parse(env.control("orders", R"({"state":"skipped"})"))->num("/count") == 1; }, 10s))
    << env.control("orders", "{}") << env.daemon_output();
  auto list = parse(env.control("orders", R"({"state":"skipped"})"));
  EXPECT_EQ(list->str("/orders/0/store"), "dest-c");
  EXPECT_EQ(list->str("/orders/0/order"), name);
  EXPECT_EQ(std::to_string(list->num("/orders/0/id").value_or(0)), sale_id(sale));
  EXPECT_NE(list->str("/orders/0/reason").find("voided"), std::string::npos) << list->str("/orders/0/reason");
  EXPECT_EQ(list->str("/orders/0/received_at").size(), 20u) << list->str("/orders/0/received_at"); // 2026-12-04T18:55:00Z
  EXPECT_EQ(env.app_order_count(kSource.shop), 0u);
}

TEST(E2eOrderContent, shipping_taxes_a_discount_and_requires_shipping_reach_the_source_order) {
  e2e_env env(content_options("[\"paid\"]"));
  ASSERT_TRUE(env.start_mapped());
  const std::string body = content_sale_body(kDest.shop, "TEE-RED-S");
  auto sale = env.sim_post("/_sim/sale", body);
  ASSERT_NE(sale.rfind("HTTP", 0), 0u) << sale;
  EXPECT_TRUE(env.wait_until([&] { return env.app_order_count(kSource.shop) >= 1; }, 15s)) << env.daemon_output();
  auto st = parse(source_state(env));
  const auto o = source_order_of(*st, sale_id(sale));
  ASSERT_FALSE(o.empty()) << source_state(env);
  expect_sale_content(*st, o, source_state(env));
  EXPECT_NE(st->str(o + "/source_name"), "shopsync") << "sourceName is for an attribution handle";

  // A Destination line that needs no shipping (a gift card, a download) stays so.
  auto digital = env.sim_post("/_sim/sale", R"({"store":")" + kDest.shop +
                                              R"(","sku":"MUG-WHITE","quantity":1,"requires_shipping":false})");
  ASSERT_NE(digital.rfind("HTTP", 0), 0u) << digital;
  EXPECT_TRUE(env.wait_until([&] { return env.app_order_count(kSource.shop) >= 2; }, 15s)) << env.daemon_output();
  st = parse(source_state(env));
  bool seen = false;
  for (std::size_t i = 0; i < st->size("/orders"); ++i) {
    auto p = "/orders/" + std::to_string(i);
    if (st->str(p + "/source_identifier").find(sale_id(digital)) == std::string::npos)
      continue;
    seen = true;
    EXPECT_FALSE(flag_at(*st, p + "/line_items/0/requires_shipping"));
  }
  EXPECT_TRUE(seen) << source_state(env);
}
