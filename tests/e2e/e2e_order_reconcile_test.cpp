// The order reconciler end to end: a Destination order or draft order whose every webhook was
// lost still reaches the Source, once, at the next round; after a stop longer than Shopify's
// retry window the first round catches up every order placed meanwhile; a late webhook and
// the reconciler racing for one order make one Source order.
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-orec.myshopify.com", "shpat_orec_source", true};
const e2e_store kDest{"dest-b", "dest-b-orec.myshopify.com", "shpat_orec_dest_b", false};
const std::vector<std::string> kSkus = {"TEE-RED-S", "MUG-WHITE", "CAP-GREEN", "SOCK-BLACK"};

// Rounds every 2 s; an order older than 1 s is the reconciler's to take.
constexpr int kInterval = 2;

e2e_options options(const std::string& strategy, int level = 10) {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {level, level});
  o.groups_toml = "[[groups]]\nname = \"orders\"\nsource = \"source\"\ndestinations = [\"dest-b\"]\nstrategy = \"" +
                  strategy +
                  "\"\nmatch_by = \"sku\"\nlocations = \"by_name\"\n\n[groups.orders]\nfinancial_statuses = [\"paid\"]\n"
                  "inventory_behaviour = \"DECREMENT_OBEYING_POLICY\"\nfinancial_status = \"PAID\"\n";
  o.daemon_toml = "order_reconcile_interval_s = " + std::to_string(kInterval) +
                  "\norder_reconcile_grace_s = 1\norder_reconcile_overlap_s = 30\norder_reconcile_page_size = 20\n";
  return o;
}

bool ok(const std::string& answer) { return answer.rfind("HTTP", 0) != 0; }

void settle(e2e_env& env) {
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(env.webhooks_idle());
}

std::int64_t found_by_reconcile(const e2e_env& env) {
  auto m = env.metrics();
  auto at = m.find("shopsync_orders_found_by_reconcile_total{group=\"orders\",kind=\"order\"}");
  if (at == std::string::npos)
    return -1;
  return std::stoll(m.substr(m.find(' ', at) + 1));
}

// Deliveries of orders/create from the Destination in `state` (the sim's summary counts every topic).
std::size_t order_deliveries(const e2e_env& env, const std::string& state) {
  auto hooks = parse(env.sim_get("/_sim/webhooks?store=" + kDest.shop + "&topic=orders/create"));
  std::size_t n = 0;
  for (std::size_t i = 0; i < hooks->size("/deliveries"); ++i)
    if (hooks->str("/deliveries/" + std::to_string(i) + "/state") == state)
      ++n;
  return n;
}

} // namespace

TEST(E2eOrderReconcile, an_order_whose_every_webhook_is_lost_reaches_the_source_within_one_interval) {
  e2e_env env(options("order"));
  ASSERT_TRUE(env.start_mapped());
  settle(env);
  EXPECT_EQ(found_by_reconcile(env), 0) << env.metrics();
  ASSERT_TRUE(ok(env.sim_post("/_sim/faults", R"({"webhook_loss_topics":["orders/create"]})")));

  auto sale = env.sale(kDest.shop, "TEE-RED-S", 2);
  ASSERT_TRUE(ok(sale)) << sale;
  const auto id = std::to_string(parse(sale)->num("/order_id").value_or(0));
  // Within one interval after the grace (plus the time the machine needs under load).
  EXPECT_TRUE(env.wait_until([&] { return env.order_count(kSource.shop) >= 1; }, std::chrono::seconds(kInterval + 10)))
    << env.daemon_output();
  EXPECT_EQ(order_deliveries(env, "delivered"), 0u) << "the webhook was not lost";
  EXPECT_EQ(order_deliveries(env, "lost"), 1u);

  // Rounds go on: the order is known, never fed again.
  std::this_thread::sleep_for(std::chrono::seconds(2 * kInterval + 1));
  settle(env);
  EXPECT_EQ(env.order_count(kSource.shop), 1u);
  EXPECT_EQ(env.app_order_count(kSource.shop), 1u);
  EXPECT_EQ(env.level(kSource.shop, "TEE-RED-S"), 8); // the Source order took its 2
  auto order = env.control("order", R"({"store":"dest-b","id":)" + id + "}");
  EXPECT_NE(order.find("\"found_by\":\"reconcile\""), std::string::npos) << order;
  EXPECT_NE(order.find("\"state\":\"created\""), std::string::npos) << order;
  EXPECT_EQ(found_by_reconcile(env), 1) << env.metrics();

  // An order shopsync created in the Source is never taken for a Destination order: the
  // Destination has its one sale, the Source the one order shopsync made.
  EXPECT_EQ(env.order_count(kDest.shop), 1u);
  auto orders = parse(env.control("orders"));
  EXPECT_EQ(orders->num("/count"), 1) << env.control("orders");
}

TEST(E2eOrderReconcile, an_order_of_more_lines_than_one_answer_holds_is_read_whole_and_created_whole) {
  e2e_env env(options("order", 300));
  ASSERT_TRUE(env.start_mapped());
  settle(env);
  ASSERT_TRUE(ok(env.sim_post("/_sim/faults", R"({"webhook_loss_topics":["orders/create"]})")));
  // 230 lines: three answers (100, 100, 30) before the order is whole.
  auto sale = env.sim_post("/_sim/sale", R"({"store":")" + kDest.shop +
                                           R"(","sku":"MUG-WHITE","location":"Main Warehouse","quantity":1,"lines":230})");
  ASSERT_TRUE(ok(sale)) << sale;
  EXPECT_TRUE(env.wait_until([&] { return env.order_count(kSource.shop) >= 1; }, std::chrono::seconds(kInterval + 20)))
    << env.daemon_output();
  settle(env);
  auto source = parse(env.sim_get("/_sim/state?store=" + kSource.shop + "&variants=0"));
  ASSERT_EQ(source->size("/orders"), 1u);
  EXPECT_EQ(source->size("/orders/0/line_items"), 230u) << "the Source order is short";
  EXPECT_EQ(env.level(kSource.shop, "MUG-WHITE"), 300 - 230);
  EXPECT_EQ(order_deliveries(env, "delivered"), 0u) << "the webhook was not lost";
}

TEST(E2eOrderReconcile, on_a_store_whose_bucket_cannot_hold_a_100_line_read_the_order_is_read_in_smaller_answers) {
  e2e_env env(options("order", 300));
  ASSERT_TRUE(env.start_mapped());
  settle(env);
  // A 300-point bucket: a read of 100 lines costs ~900 points, so Shopify answers THROTTLED for
  // ever; the reconciler must ask fewer lines per answer, not stall.
  ASSERT_TRUE(ok(env.sim_post("/_sim/bucket", R"({"store":")" + kDest.shop + R"(","max":300,"restore":150})")));
  ASSERT_TRUE(ok(env.sim_post("/_sim/faults", R"({"webhook_loss_topics":["orders/create"]})")));
  const auto seq = env.log_seq();
  auto sale = env.sim_post("/_sim/sale", R"({"store":")" + kDest.shop +
                                           R"(","sku":"MUG-WHITE","location":"Main Warehouse","quantity":1,"lines":60})");
  ASSERT_TRUE(ok(sale)) << sale;
  EXPECT_TRUE(env.wait_until([&] { return env.order_count(kSource.shop) >= 1; }, std::chrono::seconds(kInterval + 30)))
    << env.daemon_output();
  settle(env);
  auto source = parse(env.sim_get("/_sim/state?store=" + kSource.shop + "&variants=0"));
  ASSERT_EQ(source->size("/orders"), 1u);
  EXPECT_EQ(source->size("/orders/0/line_items"), 60u) << "the Source order is short";
  EXPECT_EQ(env.calls(kSource.shop, "OrderCreate", seq), 1);
  // Refused while too big, then answered: 60 lines in answers that fit 300 points.
  EXPECT_GE(env.calls(kDest.shop, "OrderForSync", seq, "throttled"), 1);
  EXPECT_GE(env.calls(kDest.shop, "OrderForSync", seq, "read"), 3);
}

TEST(E2eOrderReconcile, fifty_orders_placed_while_the_daemon_was_down_past_the_retry_window_are_created_once) {
  auto o = options("order", 100);
  // Shopify's 8 retries over ~4 h (13,900 s) pass in 1.4 s: "6 hours" of downtime is the time it
  // takes every delivery to fail for good (sim/README.md, known differences).
  o.sim_args = {"--time-scale", "0.0001"};
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  settle(env);
  ASSERT_EQ(env.stop_daemon(), 0);

  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(ok(env.sale(kDest.shop, kSkus[static_cast<std::size_t>(i) % kSkus.size()], 1)));
  ASSERT_TRUE(env.webhooks_idle(30s));
  ASSERT_EQ(order_deliveries(env, "failed"), 50u) << env.sim_get("/_sim/webhooks?topic=orders/create");
  ASSERT_EQ(order_deliveries(env, "delivered"), 0u);

  auto seq = env.log_seq();
  ASSERT_TRUE(env.start_daemon());
  EXPECT_TRUE(env.wait_until([&] { return env.order_count(kSource.shop) >= 50; }, 90s))
    << env.order_count(kSource.shop) << " of 50\n" << env.daemon_output();
  std::this_thread::sleep_for(std::chrono::seconds(2 * kInterval + 1));
  settle(env);
  EXPECT_EQ(env.order_count(kSource.shop), 50u);
  EXPECT_EQ(env.calls(kSource.shop, "OrderCreate", seq), 50) << "an order created twice";
  // Paged: 50 orders at 20 a page.
  EXPECT_GE(env.calls(kDest.shop, "OrdersCreatedSince", seq, "read"), 3);
  auto orders = env.control("orders");
  EXPECT_EQ(parse(orders)->num("/count"), 50);
  std::size_t by_reconcile = 0;
  for (auto p = orders.find("\"found_by\":\"reconcile\""); p != std::string::npos;
       p = orders.find("\"found_by\":\"reconcile\"", p + 1))
    ++by_reconcile;
  EXPECT_EQ(by_reconcile, 50u);
}

TEST(E2eOrderReconcile, a_late_webhook_and_the_reconciler_racing_for_the_same_orders_make_one_source_order_each) {
  auto o = options("order");
  o.daemon_toml = "order_reconcile_interval_s = 1\norder_reconcile_grace_s = 0\norder_reconcile_overlap_s = 30\n";
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  settle(env);
  // Deliveries arrive 0.5-2.5 s late: rounds every second take many orders first, and the
  // webhooks land on orders the reconciler is feeding at that very moment.
  ASSERT_TRUE(ok(env.sim_post("/_sim/faults", R"({"webhook_delay_ms":500,"webhook_delay_jitter_ms":2000})")));
  auto seq = env.log_seq();
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(ok(env.sale(kDest.shop, kSkus[static_cast<std::size_t>(i) % kSkus.size()], 1)));
    std::this_thread::sleep_for(150ms);
  }
  ASSERT_TRUE(env.webhooks_idle(20s));
  EXPECT_TRUE(env.wait_until([&] { return env.order_count(kSource.shop) >= 12; }, 30s)) << env.daemon_output();
  std::this_thread::sleep_for(3s);
  settle(env);
  EXPECT_EQ(env.order_count(kSource.shop), 12u);
  EXPECT_EQ(env.calls(kSource.shop, "OrderCreate", seq), 12);
  EXPECT_EQ(env.calls(kSource.shop, "OrderCreate", seq, ""), 12);
  EXPECT_EQ(order_deliveries(env, "delivered"), 12u); // both paths really ran for every order
  EXPECT_GT(found_by_reconcile(env), 0) << "the reconciler never won a race: the test raced nothing";
}

TEST(E2eOrderReconcile, a_lost_draft_orders_update_updates_the_source_draft_at_the_next_round) {
  e2e_env env(options("draft_order"));
  ASSERT_TRUE(env.start_mapped());
  settle(env);
  auto created = env.sim_post("/_sim/draft_order", R"({"store":")" + kDest.shop +
                                                     R"(","lines":[{"sku":"SOCK-BLACK","quantity":1}],"email":"b@example.com"})");
  ASSERT_TRUE(ok(created)) << created;
  auto id = std::to_string(parse(created)->num("/id").value_or(0));
  EXPECT_TRUE(env.wait_until([&] { return env.draft_count(kSource.shop) >= 1; }, 10s)) << env.daemon_output();
  settle(env);

  ASSERT_TRUE(ok(env.sim_post("/_sim/faults", R"({"webhook_loss_topics":["draft_orders/update"]})")));
  auto seq = env.log_seq();
  auto updated = env.sim_post("/_sim/draft_order/update", R"({"store":")" + kDest.shop + R"(","id":)" + id +
                                                            R"(,"lines":[{"sku":"SOCK-BLACK","quantity":3}]})");
  ASSERT_TRUE(ok(updated)) << updated;
  auto source_qty = [&] {
    return parse(env.sim_get("/_sim/state?store=" + kSource.shop + "&variants=0"))->num("/draft_orders/0/line_items/0/quantity");
  };
  EXPECT_TRUE(env.wait_until([&] { return source_qty() == 3; }, std::chrono::seconds(kInterval + 10)))
    << env.sim_get("/_sim/state?store=" + kSource.shop + "&variants=0") << env.daemon_output();
  std::this_thread::sleep_for(std::chrono::seconds(2 * kInterval + 1));
  settle(env);
  EXPECT_EQ(env.draft_count(kSource.shop), 1u);
  EXPECT_EQ(env.calls(kSource.shop, "DraftOrderUpdate", seq), 1);
  EXPECT_EQ(env.calls(kSource.shop, "DraftOrderCreate", seq, ""), 0);
}

TEST(E2eOrderReconcile, import_orders_counts_in_a_dry_run_then_backfills_history_once) {
  e2e_env env(options("order"));
  // History: sales before the group's first start are not imported by themselves.
  // (The daemon is not up yet: the sales' webhooks would only be retried into its start.)
  ASSERT_TRUE(ok(env.sim_post(
    "/_sim/faults", R"({"webhook_loss_topics":["orders/create","inventory_levels/update","products/update"]})")));
  ASSERT_TRUE(ok(env.sale(kDest.shop, "MUG-WHITE", 1)));
  ASSERT_TRUE(ok(env.sale(kDest.shop, "CAP-GREEN", 1)));
  std::this_thread::sleep_for(2100ms); // strictly before the first start, to the second
  ASSERT_TRUE(ok(env.sim_post("/_sim/faults", R"({"webhook_loss_topics":[]})")));
  ASSERT_TRUE(env.start_mapped());
  std::this_thread::sleep_for(std::chrono::seconds(2 * kInterval + 1));
  settle(env);
  EXPECT_EQ(env.order_count(kSource.shop), 0u) << "history imported without being asked";

  auto dry = env.control("import-orders", R"({"group":"orders","since":"2020-01-01T00:00:00Z"})");
  EXPECT_NE(dry.find("\"would_import\":2"), std::string::npos) << dry;
  std::this_thread::sleep_for(std::chrono::seconds(kInterval + 1));
  EXPECT_EQ(env.order_count(kSource.shop), 0u) << "a dry run imported";

  auto applied = env.control("import-orders", R"({"group":"orders","since":"2020-01-01T00:00:00Z","apply":true})");
  EXPECT_NE(applied.find("\"import\":\"started\""), std::string::npos) << applied;
  EXPECT_TRUE(env.wait_until([&] { return env.order_count(kSource.shop) >= 2; }, 20s)) << env.daemon_output();
  std::this_thread::sleep_for(std::chrono::seconds(2 * kInterval + 1));
  settle(env);
  EXPECT_EQ(env.order_count(kSource.shop), 2u);
}
