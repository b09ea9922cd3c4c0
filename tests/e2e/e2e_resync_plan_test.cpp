// A resync that changes the mapping plans the group again, end to end against the
// simulator. A running group (start = "plan", its first plan approved) learns from a resync that
// a Destination's SKU moved to another product (the product webhooks were lost): the group is
// planned with the writes the new match's alignment would make, writes nothing for them before
// approval (a sale meanwhile is recorded in the plan), and exactly the plan after it. A resync
// that changes nothing leaves the group syncing. The catalog reload at start is such a resync:
// a catalog changed while the daemon was down plans the group too.
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-replan.myshopify.com", "shpat_rp_source", true};
const e2e_store kDest{"dest-a", "dest-a-replan.myshopify.com", "shpat_rp_dest_a", false};
const std::vector<std::string> kSkus = {"TEE-RED-S", "MUG-WHITE", "CAP-GREEN"};


std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1))
    n++;
  return n;
}

bool ok(const std::string& answer) { return answer.rfind("HTTP", 0) == std::string::npos; }

} // namespace

TEST(E2eResyncPlan, a_resync_that_remaps_a_sku_plans_the_group_and_writes_exactly_the_plan_after_approval) {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {10, 10});
  o.groups_toml = "# start: the daemon's default\n" + group_toml("mirror", {kDest}, "one_way");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  // Never synced: planned; nothing differs, so the first plan is empty. Approved: syncing.
  ASSERT_EQ(group_state(env, "mirror"), "planned");
  auto first = parse(env.control("approve", R"({"group":"mirror"})"));
  ASSERT_EQ(first->str("/approved"), "mirror") << env.control("status");
  ASSERT_EQ(group_state(env, "mirror"), "syncing");
  ASSERT_TRUE(env.webhooks_idle());

  // In the Destination, SKU CAP-GREEN moves to a new product whose levels are 4; the product
  // webhooks that would tell the daemon are lost: only a resync finds it.
  ASSERT_TRUE(ok(env.sim_post("/_sim/faults",
                              R"({"webhook_loss_topics":["products/create","products/update","inventory_items/update"]})")));
  ASSERT_TRUE(ok(env.sim_post("/_sim/product", R"({"store":")" + kDest.shop +
                                                  R"(","handle":"cap-new","variants":[{"sku":"CAP-NEW","available":4}]})")));
  ASSERT_TRUE(ok(env.sim_post("/_sim/variant/update",
                              R"({"store":")" + kDest.shop + R"(","sku":"CAP-GREEN","new_sku":"CAP-OLD"})")));
  ASSERT_TRUE(ok(env.sim_post("/_sim/variant/update",
                              R"({"store":")" + kDest.shop + R"(","sku":"CAP-NEW","new_sku":"CAP-GREEN"})")));
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(group_state(env, "mirror"), "syncing");
  ASSERT_EQ(env.level(kDest.shop, "CAP-GREEN"), 4);

  auto seq = env.log_seq();
  auto resync = parse(env.control("resync", R"({"group":"mirror"})"));
  ASSERT_EQ(resync->str("/resync"), "started");
  ASSERT_TRUE(env.wait_until([&] { return group_state(env, "mirror") == "planned"; }, 20s))
    << "the resync's new match would write, but the group was not planned\n"
    << env.daemon_output();

  // The plan: the new CAP-GREEN variant's two levels, 4 -> 10.
  std::unique_ptr<e2e_json> plan;
  ASSERT_TRUE(env.wait_until(
    [&] {
      plan = parse(env.control("plan", R"({"group":"mirror"})"));
      return plan->num("/0/changes") == 2;
    },
    15s))
    << env.control("plan", R"({"group":"mirror"})") << env.daemon_output();
  EXPECT_EQ(plan->str("/0/state"), "planned");
  EXPECT_EQ(plan->str("/0/stores/0/store"), "dest-a");
  EXPECT_EQ(plan->num("/0/stores/0/up"), 2);
  EXPECT_EQ(plan->str("/0/stores/0/biggest/0/identity"), "sku:CAP-GREEN");
  EXPECT_EQ(plan->num("/0/stores/0/biggest/0/before"), 4);
  EXPECT_EQ(plan->num("/0/stores/0/biggest/0/after"), 10);

  // Nothing written for them while the group waits; a Source sale meanwhile is recorded and
  // joins the plan.
  ASSERT_TRUE(ok(env.sale(kSource.shop, "MUG-WHITE", 1)));
  ASSERT_TRUE(env.wait_until(
    [&] {
      plan = parse(env.control("plan", R"({"group":"mirror"})"));
      return plan->num("/0/changes") == 3;
    },
    15s))
    << env.control("plan", R"({"group":"mirror"})") << env.daemon_output();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(env.mutations(kDest.shop, seq), 0);
  EXPECT_EQ(env.mutations(kSource.shop, seq), 0);
  EXPECT_EQ(env.level(kDest.shop, "CAP-GREEN", "Main Warehouse"), 4);
  EXPECT_EQ(env.level(kDest.shop, "CAP-GREEN", "Outlet"), 4);
  EXPECT_EQ(env.level(kDest.shop, "MUG-WHITE"), 10);
  EXPECT_EQ(levels_set(env), 0u);

  // Approved: exactly the plan.
  auto approved = parse(env.control("approve", "{\"group\":\"mirror\",\"plan\":\"" + plan->str("/0/plan_id") + "\"}"));
  ASSERT_EQ(approved->str("/approved"), "mirror") << env.control("status");
  ASSERT_TRUE(env.wait_until(
    [&] {
      return env.level(kDest.shop, "CAP-GREEN", "Main Warehouse") == 10 &&
             env.level(kDest.shop, "CAP-GREEN", "Outlet") == 10 && env.level(kDest.shop, "MUG-WHITE") == 9;
    },
    15s))
    << env.daemon_output();
  EXPECT_EQ(group_state(env, "mirror"), "syncing");
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(levels_set(env), 3u);
  EXPECT_EQ(env.level(kDest.shop, "CAP-OLD"), 10); // the old variant is no longer synced, not touched
  EXPECT_EQ(env.mutations(kSource.shop, seq), 0);

  // A resync that changes nothing: the group keeps syncing, and a sale goes out at once.
  auto unchanged = count(env.daemon_output(), "catalog group=mirror: mapping unchanged");
  ASSERT_EQ(parse(env.control("resync", R"({"group":"mirror"})"))->str("/resync"), "started");
  ASSERT_TRUE(env.wait_until(
    [&] { return count(env.daemon_output(), "catalog group=mirror: mapping unchanged") > unchanged; }, 20s))
    << env.daemon_output();
  EXPECT_EQ(group_state(env, "mirror"), "syncing");
  ASSERT_TRUE(ok(env.sale(kSource.shop, "TEE-RED-S", 2)));
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 8; }, 15s)) << env.daemon_output();
  EXPECT_EQ(group_state(env, "mirror"), "syncing");
}

TEST(E2eResyncPlan, a_catalog_changed_while_the_daemon_was_down_plans_the_group_at_the_reload_on_start) {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {10, 10});
  o.groups_toml = "# start: the daemon's default\n" + group_toml("mirror", {kDest}, "one_way");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  ASSERT_EQ(parse(env.control("approve", R"({"group":"mirror"})"))->str("/approved"), "mirror");
  ASSERT_TRUE(env.webhooks_idle());
  ASSERT_EQ(env.stop_daemon(), 0);

  // While it is down, the Destination's MUG-WHITE moves to a new product at 3.
  ASSERT_TRUE(ok(env.sim_post("/_sim/product", R"({"store":")" + kDest.shop +
                                                  R"(","handle":"mug-new","variants":[{"sku":"MUG-NEW","available":3}]})")));
  ASSERT_TRUE(ok(env.sim_post("/_sim/variant/update",
                              R"({"store":")" + kDest.shop + R"(","sku":"MUG-WHITE","new_sku":"MUG-OLD"})")));
  ASSERT_TRUE(ok(env.sim_post("/_sim/variant/update",
                              R"({"store":")" + kDest.shop + R"(","sku":"MUG-NEW","new_sku":"MUG-WHITE"})")));
  auto seq = env.log_seq();
  ASSERT_TRUE(env.start_daemon());
  ASSERT_TRUE(env.wait_until([&] { return group_state(env, "mirror") == "planned"; }, 20s)) << env.daemon_output();
  std::unique_ptr<e2e_json> plan;
  ASSERT_TRUE(env.wait_until(
    [&] {
      plan = parse(env.control("plan", R"({"group":"mirror"})"));
      return plan->num("/0/changes") == 2;
    },
    15s))
    << env.control("plan", R"({"group":"mirror"})") << env.daemon_output();
  EXPECT_EQ(plan->str("/0/stores/0/biggest/0/identity"), "sku:MUG-WHITE");
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(env.mutations(kDest.shop, seq), 0);
  EXPECT_EQ(env.level(kDest.shop, "MUG-WHITE"), 3);
}
