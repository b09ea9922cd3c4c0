// A reconcile round over a mapping above daemon.bulk_read_threshold reads each store's
// levels through one bulk operation (BulkLevels) instead of InventoryLevels queries, and heals a
// lost webhook as the queries did (the snapshot's values are hints: the item actor re-reads the
// level that differs); a failing bulk operation falls back to the queries.
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "bulkrec-source.myshopify.com", "shpat_bulkrec_source", true};
const e2e_store kDest{"outlet", "bulkrec-outlet.myshopify.com", "shpat_bulkrec_outlet", false};

std::string store_json(const e2e_store& s) {
  return R"({"shop":")" + s.shop + R"(","token":")" + s.token +
         R"(","locations":["Main Warehouse","Outlet"],"bucket":{"max":20000,"restore":5000},)"
         R"("catalog":{"generate":{"products":300,"variants_per_product":2,"universe_seed":41,)"
         R"("available_min":4,"available_max":4}}})";
}

e2e_options options() {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = R"({"app_secret":"e2e-secret","app_id":580111,"stores":[)" + store_json(kSource) + "," +
                    store_json(kDest) + "]}";
  o.groups_toml = group_toml("big", {kDest}, "one_way");
  o.daemon_toml = "bulk_read_threshold = 100\n";
  return o;
}

bool ok(const std::string& answer) { return answer.rfind("HTTP", 0) == std::string::npos; }

std::string first_sku(const e2e_env& env, const std::string& shop) {
  auto j = parse(env.sim_get("/_sim/state?store=" + shop));
  return j->str("/variants/0/sku");
}

int level_reads(const e2e_env& env, std::uint64_t since) {
  return env.calls(kSource.shop, "InventoryLevels", since, "") + env.calls(kDest.shop, "InventoryLevels", since, "");
}

int bulk_starts(const e2e_env& env, std::uint64_t since) {
  return env.calls(kSource.shop, "BulkOperationRunQuery", since, "") +
         env.calls(kDest.shop, "BulkOperationRunQuery", since, "");
}

// Mapped, aligned, then the Source's level of `sku` changes and its webhook is lost.
void lose_a_change(e2e_env& env, const std::string& sku) {
  ASSERT_TRUE(env.start_mapped()) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  ASSERT_TRUE(env.wait_settled("big", {"sku:" + sku})) << env.daemon_output();
  ASSERT_TRUE(ok(env.sim_post("/_sim/faults", R"({"webhook_loss_topics":["inventory_levels/update"]})")));
  ASSERT_TRUE(ok(env.set_level(kSource.shop, sku, 9)));
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(env.level(kDest.shop, sku), 4);
}

} // namespace

TEST(E2eBulkReconcile, a_round_above_the_threshold_reads_levels_in_bulk_and_heals_a_lost_webhook) {
  e2e_env env(options());
  const auto sku = first_sku(env, kSource.shop);
  ASSERT_FALSE(sku.empty());
  lose_a_change(env, sku);
  if (HasFatalFailure())
    return;
  const auto seq = env.log_seq();
  env.control("reconcile", R"({"group":"big"})");
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDest.shop, sku) == 9; }, 30s)) << env.daemon_output();
  EXPECT_TRUE(env.wait_until(
    [&] { return env.daemon_output().find("levels of outlet read through a bulk operation") != std::string::npos; },
    10s))
    << env.daemon_output();
  EXPECT_EQ(bulk_starts(env, seq), 2) << "one BulkOperationRunQuery per store";
  // A round by query reads 2 x 2 x 600 levels, 250 a query: at least 10 queries. What is left
  // are the item actor's own reads of the one level that differed.
  EXPECT_LE(level_reads(env, seq), 3) << env.daemon_output();
  EXPECT_EQ(env.daemon_output().find("failed ("), std::string::npos) << env.daemon_output();
}

TEST(E2eBulkReconcile, a_failing_bulk_operation_falls_back_to_level_queries) {
  e2e_env env(options());
  const auto sku = first_sku(env, kSource.shop);
  ASSERT_FALSE(sku.empty());
  lose_a_change(env, sku);
  if (HasFatalFailure())
    return;
  ASSERT_TRUE(ok(env.sim_post("/_sim/faults", R"({"bulk_fail_next":2,"bulk_fail_code":"INTERNAL_SERVER_ERROR"})")));
  const auto seq = env.log_seq();
  env.control("reconcile", R"({"group":"big"})");
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDest.shop, sku) == 9; }, 30s)) << env.daemon_output();
  EXPECT_TRUE(env.wait_until(
    [&] { return env.daemon_output().find("bulk read of source's levels failed") != std::string::npos; }, 10s))
    << env.daemon_output();
  EXPECT_TRUE(env.wait_until([&] { return level_reads(env, seq) >= 10; }, 30s)) << level_reads(env, seq);
}

// Once sales were carried (their levels' known times set: the Source's by its read's updatedAt,
// the Destination's by the write's createdAt), a bulk round's values equal to what the items know
// are still dropped without loading an item: the file's updatedAt is not newer than known_at.
// (Without the file's times, the 12 levels of the 3 items, which know their times, each start
// their item: 2388 of 2400 are dropped.)
TEST(E2eBulkReconcile, after_sales_carried_by_their_webhooks_a_round_loads_no_item_for_a_level_it_knows) {
  e2e_env env(options());
  auto state = parse(env.sim_get("/_sim/state?store=" + kSource.shop));
  std::vector<std::string> skus, ids;
  for (int i = 0; i < 3; ++i) {
    skus.push_back(state->str("/variants/" + std::to_string(i) + "/sku"));
    ids.push_back("sku:" + skus.back());
  }
  ASSERT_TRUE(env.start_mapped()) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  for (auto& sku : skus)
    ASSERT_TRUE(ok(env.set_level(kSource.shop, sku, 7)));
  for (auto& sku : skus)
    ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, sku) == 7; }, 20s)) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  ASSERT_TRUE(env.wait_settled("big", ids)) << env.daemon_output();
  // A restart: no item is live, each waits in its persisted state.
  ASSERT_EQ(env.stop_daemon(), 0) << env.daemon_output();
  ASSERT_TRUE(env.start_daemon()) << env.daemon_output();
  ASSERT_TRUE(env.wait_mapped()) << env.daemon_output();
  const auto seq = env.log_seq();
  env.control("reconcile", R"({"group":"big"})");
  auto dropped = [&] {
    http_client c("127.0.0.1", env.webhook_port());
    auto text = c.get("/metrics").body;
    double sum = 0;
    for (auto at = text.find("\nshopsync_reconcile_echoes_dropped_total{"); at != std::string::npos;
         at = text.find("\nshopsync_reconcile_echoes_dropped_total{", at + 1))
      sum += std::strtod(text.c_str() + text.find("} ", at) + 2, nullptr);
    return sum;
  };
  EXPECT_TRUE(env.wait_until([&] { return dropped() >= 2400; }, 30s))
    << dropped() << " of 2 stores x 600 variants x 2 locations\n" << [&] {
         std::string out;
         for (auto& id : ids)
           out += env.control("item", R"({"group":"big","identity":")" + id + "\"}") + "\n" +
                  env.control("audit", R"({"item":")" + id + R"(","limit":40})") + "\n";
         return out;
       }();
  EXPECT_EQ(level_reads(env, seq), 0) << "a level of the round was read again";
}
