// Every fault shopify-sim injects, switched at run time through /_sim/faults or given as a flag,
// and the same seed giving the same faults.
#include "sim/sim_fixture.hpp"
#include "support/http_receiver.hpp"

#include <set>

using namespace shopsync::testing;

namespace {
const char* locations_vars = R"({"first":10})";

std::string adjust(std::int64_t item, std::int64_t loc, const std::string& key, int delta) {
  return R"({"idempotencyKey":")" + key + R"(","input":{"name":"available","reason":"correction","changes":[{"inventoryItemId":")" +
         item_gid(item) + R"(","locationId":")" + location_gid(loc) + R"(","delta":)" + std::to_string(delta) +
         R"(,"changeFromQuantity":null}]}})";
}

std::vector<int> statuses(sim_process& sim, int n) {
  std::vector<int> out;
  for (int i = 0; i < n; ++i)
    out.push_back(sim.admin("alpha.myshopify.com", "shpat_alpha", "Locations", locations_vars).status);
  return out;
}
} // namespace

TEST(SimFaults, ServerErrorsAreAnsweredBeforeAnythingRuns) {
  sim_process sim(small_scenario());
  auto [v, item] = sim.ids("alpha.myshopify.com", "MUG");
  auto loc = sim.location_id("alpha.myshopify.com", "Main Warehouse");
  sim.post("/_sim/faults", R"({"error_next":1,"error_status":502})");
  auto r = sim.admin("alpha.myshopify.com", "shpat_alpha", "InventoryAdjust", adjust(item, loc, "e-1", -1));
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(sim.level("alpha.myshopify.com", "MUG", "Main Warehouse"), 7) << "not applied";
  r = sim.admin("alpha.myshopify.com", "shpat_alpha", "InventoryAdjust", adjust(item, loc, "e-1", -1));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(sim.level("alpha.myshopify.com", "MUG", "Main Warehouse"), 6);
  auto log = sim.get("/_sim/log?operation=InventoryAdjust");
  EXPECT_EQ(log->num("/calls/0/http_status"), 502);
  EXPECT_EQ(log->str("/calls/0/fault"), "http_502");
  EXPECT_EQ(log->str("/calls/1/outcome"), "applied");
  sim.post("/_sim/faults", R"({"error_next":1,"error_status":429})");
  r = sim.admin("alpha.myshopify.com", "shpat_alpha", "Locations", locations_vars);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers["retry-after"], "2.0");
  // A rate limited to some operations.
  sim.post("/_sim/faults", R"({"error_rate":1,"error_status":503,"operations":["CatalogPage"]})");
  EXPECT_EQ(sim.admin("alpha.myshopify.com", "shpat_alpha", "CatalogPage", R"({"first":1})").status, 503);
  EXPECT_EQ(sim.admin("alpha.myshopify.com", "shpat_alpha", "Locations", locations_vars).status, 200);
}

TEST(SimFaults, ThrottledRegardlessOfTheBucket) {
  sim_process sim(small_scenario());
  sim.post("/_sim/faults", R"({"throttle_next":2})");
  for (int i = 0; i < 2; ++i) {
    auto t = sim.alpha("Locations", locations_vars);
    EXPECT_EQ(t->str("/errors/0/extensions/code"), "THROTTLED");
    EXPECT_EQ(t->num("/extensions/cost/throttleStatus/currentlyAvailable"), 2000) << "the bucket is full";
  }
  EXPECT_TRUE(sim.alpha("Locations", locations_vars)->has("/data/locations"));
}

TEST(SimFaults, AddedLatency) {
  sim_process sim(small_scenario());
  sim.post("/_sim/faults", R"({"latency_ms":200,"latency_jitter_ms":50})");
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(sim.admin("alpha.myshopify.com", "shpat_alpha", "Locations", locations_vars).status, 200);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(ms, 200);
  auto log = sim.get("/_sim/log");
  EXPECT_EQ(log->str("/calls/0/fault").rfind("latency:", 0), 0u);
}

TEST(SimFaults, AppliedButNeverAnsweredThenTheRetryIsReplayed) {
  sim_process sim(small_scenario());
  auto [v, item] = sim.ids("alpha.myshopify.com", "MUG");
  auto loc = sim.location_id("alpha.myshopify.com", "Main Warehouse");
  for (std::string mode : {"hang", "drop"}) {
    sim.post("/_sim/faults", R"({"lost_next":1,"lost_mode":")" + mode + "\"}");
    auto before = sim.level("alpha.myshopify.com", "MUG", "Main Warehouse");
    auto r = sim.admin("alpha.myshopify.com", "shpat_alpha", "InventoryAdjust", adjust(item, loc, "lost-" + mode, -2),
                       std::chrono::milliseconds(400));
    EXPECT_EQ(r.status, 0) << mode;
    if (mode == "hang")
      EXPECT_EQ(r.error, "timeout");
    EXPECT_EQ(sim.level("alpha.myshopify.com", "MUG", "Main Warehouse"), before - 2) << mode << ": applied";
    // The client retries with the same key: the first result, not a second decrement.
    auto again = sim.admin("alpha.myshopify.com", "shpat_alpha", "InventoryAdjust", adjust(item, loc, "lost-" + mode, -2));
    ASSERT_EQ(again.status, 200);
    EXPECT_EQ(parse_json(again.body)->num("/data/inventoryAdjustQuantities/inventoryAdjustmentGroup/changes/0/quantityAfterChange"), before - 2);
    EXPECT_EQ(sim.level("alpha.myshopify.com", "MUG", "Main Warehouse"), before - 2) << mode;
  }
  auto log = sim.get("/_sim/log?operation=InventoryAdjust");
  ASSERT_EQ(log->size("/calls"), 4u);
  EXPECT_EQ(log->str("/calls/0/fault"), "lost_hang");
  EXPECT_EQ(log->str("/calls/1/outcome"), "replayed");
  EXPECT_EQ(log->str("/calls/2/fault"), "lost_drop");
}

TEST(SimFaults, SameSeedSameFaults) {
  auto run = [](const std::string& seed) {
    sim_process sim(small_scenario(), {"--seed", seed, "--fault-error-rate", "0.5"});
    return statuses(sim, 24);
  };
  auto a = run("7"), b = run("7"), c = run("8");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(std::count(a.begin(), a.end(), 503) > 0 && std::count(a.begin(), a.end(), 200) > 0, true);
}

TEST(SimFaults, FlagsSetTheStartingFaultsAndResetRestoresThem) {
  sim_process sim(small_scenario(), {"--fault-throttle-rate", "1", "--fault-webhook-loss-rate", "0.25",
                                     "--fault-operations", "Locations,CatalogPage"});
  auto f = sim.get("/_sim/faults");
  EXPECT_EQ(f->str("/lost_mode"), "hang");
  double loss = 0;
  ASSERT_EQ(f->at("/webhook_loss_rate").get(loss), simdjson::SUCCESS);
  EXPECT_EQ(loss, 0.25);
  EXPECT_EQ(sim.alpha("Locations", locations_vars)->str("/errors/0/extensions/code"), "THROTTLED");
  EXPECT_EQ(f->str("/operations/1"), "Locations");
  EXPECT_TRUE(sim.alpha("OrdersByOrigin", R"({"query":"tag:'x'"})")->has("/data")) << "not in --fault-operations";
  sim.post("/_sim/faults", R"({"throttle_rate":0})");
  EXPECT_TRUE(sim.alpha("Locations", locations_vars)->has("/data"));
  sim.post("/_sim/reset", "{}");
  EXPECT_EQ(sim.alpha("Locations", locations_vars)->str("/errors/0/extensions/code"), "THROTTLED");
  sim.post("/_sim/faults", R"({"lost_mode":"sideways"})", 400);
}

TEST(SimFaults, WebhookDuplicationKeepsTheEventIdAndChangesTheWebhookId) {
  http_receiver rx;
  sim_process sim(small_scenario(), {"--webhook-url", rx.url()});
  sim.post("/_sim/faults", R"({"webhook_duplicate_rate":1})");
  sim.post("/_sim/set_level", R"({"store":"alpha.myshopify.com","sku":"MUG","available":3})");
  ASSERT_TRUE(rx.wait_for(2, std::chrono::seconds(5)));
  auto r = rx.requests();
  EXPECT_EQ(r[0].headers["x-shopify-event-id"], r[1].headers["x-shopify-event-id"]);
  EXPECT_NE(r[0].headers["x-shopify-webhook-id"], r[1].headers["x-shopify-webhook-id"]);
  EXPECT_EQ(r[0].body, r[1].body);
}

TEST(SimFaults, WebhookLossAndDelay) {
  http_receiver rx;
  sim_process sim(small_scenario(), {"--webhook-url", rx.url()});
  sim.post("/_sim/faults", R"({"webhook_loss_rate":1})");
  sim.post("/_sim/set_level", R"({"store":"alpha.myshopify.com","sku":"MUG","available":3})");
  sim.post("/_sim/faults", R"({"webhook_loss_rate":0,"webhook_delay_ms":300})");
  auto t0 = std::chrono::steady_clock::now();
  sim.post("/_sim/set_level", R"({"store":"alpha.myshopify.com","sku":"MUG","available":4})");
  ASSERT_TRUE(rx.wait_for(1, std::chrono::seconds(5)));
  EXPECT_GE(std::chrono::duration_cast<std::chrono::milliseconds>(rx.requests()[0].at - t0).count(), 290);
  EXPECT_EQ(parse_json(rx.requests()[0].body)->num("/available"), 4) << "the first one was lost";
  auto stats = sim.get("/_sim/webhooks");
  EXPECT_EQ(stats->str("/deliveries/0/state"), "lost");
  EXPECT_EQ(stats->num("/summary/lost"), 1);
  EXPECT_EQ(rx.count(), 1u);
}

TEST(SimFaults, WebhookReordering) {
  http_receiver rx;
  sim_process sim(small_scenario(), {"--webhook-url", rx.url(), "--webhook-threads", "4"});
  sim.post("/_sim/faults", R"({"webhook_reorder_rate":0.5,"webhook_reorder_window_ms":600})");
  for (int i = 1; i <= 12; ++i)
    sim.post("/_sim/set_level", R"({"store":"alpha.myshopify.com","sku":"MUG","available":)" + std::to_string(100 + i) + "}");
  ASSERT_TRUE(rx.wait_for(12, std::chrono::seconds(5)));
  std::vector<std::int64_t> seen;
  for (auto& r : rx.requests())
    seen.push_back(parse_json(r.body)->num("/available"));
  EXPECT_FALSE(std::is_sorted(seen.begin(), seen.end())) << "later changes overtook earlier ones";
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 12u) << "none lost";
}

TEST(SimFaults, SameKeyWhileTheFirstIsStillRunningIsConcurrent) {
  sim_process sim(small_scenario());
  auto [v, item] = sim.ids("alpha.myshopify.com", "MUG");
  auto loc = sim.location_id("alpha.myshopify.com", "Main Warehouse");
  sim.post("/_sim/faults", R"({"latency_ms":1000,"operations":["InventoryAdjust"]})");
  http_response first;
  std::thread t([&] {
    http_client c("127.0.0.1", sim.port());
    first = c.post("/admin/api/2026-10/graphql.json",
                   R"({"query":"q","operationName":"InventoryAdjust","variables":)" + adjust(item, loc, "slow", -1) + "}",
                   {{"Host", "alpha.myshopify.com"}, {"X-Shopify-Access-Token", "shpat_alpha"}});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto second = sim.alpha("InventoryAdjust", adjust(item, loc, "slow", -1));
  t.join();
  EXPECT_EQ(second->str("/data/inventoryAdjustQuantities/userErrors/0/code"), "IDEMPOTENCY_CONCURRENT_REQUEST");
  EXPECT_EQ(parse_json(first.body)->num("/data/inventoryAdjustQuantities/inventoryAdjustmentGroup/changes/0/quantityAfterChange"), 6);
  EXPECT_EQ(sim.level("alpha.myshopify.com", "MUG", "Main Warehouse"), 6);
}
