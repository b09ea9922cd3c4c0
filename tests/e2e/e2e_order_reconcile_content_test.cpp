// meets the promise that no order is lost: an order whose every orders/create delivery was lost reaches the
// Source through the reconciler's GraphQL read (OrderForSync) with the same content its webhook
// would have carried: requires_shipping, shipping lines with their taxes, taxes, a discount code.
#include "e2e_order_content_checks.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-orcc.myshopify.com", "shpat_orcc_source", true};
const e2e_store kDest{"dest-b", "dest-b-orcc.myshopify.com", "shpat_orcc_dest_b", false};
const std::vector<std::string> kSkus = {"TEE-RED-S", "MUG-WHITE"};

constexpr int kInterval = 2; // reconcile rounds every 2 s; an order older than 1 s is theirs

e2e_options options() {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {10, 10}, {});
  o.groups_toml = "[[groups]]\nname = \"orders\"\nsource = \"source\"\ndestinations = [\"dest-b\"]\n"
                  "strategy = \"order\"\nmatch_by = \"sku\"\nlocations = \"by_name\"\n\n[groups.orders]\n"
                  "financial_statuses = [\"paid\"]\ninventory_behaviour = \"BYPASS\"\n";
  o.daemon_toml = "order_reconcile_interval_s = " + std::to_string(kInterval) +
                  "\norder_reconcile_grace_s = 1\norder_reconcile_overlap_s = 30\n";
  return o;
}

bool ok(const std::string& answer) { return answer.rfind("HTTP", 0) != 0; }

std::string source_state(e2e_env& env) { return env.sim_get("/_sim/state?store=" + kSource.shop + "&variants=0"); }

} // namespace

TEST(E2eOrderReconcileContent, an_order_found_by_the_reconciler_carries_shipping_taxes_discount_and_requires_shipping) {
  e2e_env env(options());
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.webhooks_idle());
  ASSERT_TRUE(ok(env.sim_post("/_sim/faults", R"({"webhook_loss_topics":["orders/create"]})")));

  auto sale = env.sim_post("/_sim/sale", content_sale_body(kDest.shop, "TEE-RED-S"));
  ASSERT_TRUE(ok(sale)) << sale;
  const auto id = std::to_string(parse(sale)->num("/order_id").value_or(0));
  EXPECT_TRUE(env.wait_until([&] { return env.app_order_count(kSource.shop) >= 1; }, std::chrono::seconds(kInterval + 15)))
    << env.daemon_output();
  auto order = env.control("order", R"({"store":"dest-b","id":)" + id + "}");
  EXPECT_NE(order.find("\"found_by\":\"reconcile\""), std::string::npos) << "the webhook was not lost: " << order;

  auto st = parse(source_state(env));
  const auto o = source_order_of(*st, id);
  ASSERT_FALSE(o.empty()) << source_state(env);
  expect_sale_content(*st, o, source_state(env));

  // A line that needs no shipping stays so through the read too.
  auto digital = env.sim_post("/_sim/sale", R"({"store":")" + kDest.shop +
                                              R"(","sku":"MUG-WHITE","quantity":1,"requires_shipping":false})");
  ASSERT_TRUE(ok(digital)) << digital;
  const auto digital_id = std::to_string(parse(digital)->num("/order_id").value_or(0));
  EXPECT_TRUE(env.wait_until([&] { return env.app_order_count(kSource.shop) >= 2; }, std::chrono::seconds(kInterval + 15)))
    << env.daemon_output();
  st = parse(source_state(env));
  const auto d = source_order_of(*st, digital_id);
  ASSERT_FALSE(d.empty()) << source_state(env);
  EXPECT_FALSE(flag_at(*st, d + "/line_items/0/requires_shipping")) << st->str(d);
}
