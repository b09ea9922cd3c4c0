// The reconciler's reads reach the item actors of its own group only (hints addressed by group
// and identity, not webhooks made up and routed to every group of the store): a Source in two
// groups whose update webhook was lost heals in the group reconciled, and the other group heals
// at its own reconcile.
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-rh.myshopify.com", "shpat_rh_source", true};
const e2e_store kDestA{"dest-a", "dest-a-rh.myshopify.com", "shpat_rh_dest_a", false};
const e2e_store kDestB{"dest-b", "dest-b-rh.myshopify.com", "shpat_rh_dest_b", false};

bool ok(const std::string& answer) { return answer.rfind("HTTP", 0) == std::string::npos; }

} // namespace

TEST(E2eReconcileHint, a_reconcile_round_heals_its_own_group_and_no_other) {
  e2e_options o;
  o.stores = {kSource, kDestA, kDestB};
  o.scenario_json = uniform_scenario(o.stores, {"TEE-RED-S"}, {10, 10, 10});
  o.groups_toml = group_toml("to-a", {kDestA}, "one_way") + group_toml("to-b", {kDestB}, "one_way");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.webhooks_idle());
  // Both groups' first alignment is over (its reads would see the change below).
  ASSERT_TRUE(env.wait_settled("to-a", {"sku:TEE-RED-S"})) << env.daemon_output();
  ASSERT_TRUE(env.wait_settled("to-b", {"sku:TEE-RED-S"})) << env.daemon_output();

  // The Source changes and its webhook is lost: neither group knows.
  ASSERT_TRUE(ok(env.sim_post("/_sim/faults", R"({"webhook_loss_topics":["inventory_levels/update"]})")));
  ASSERT_TRUE(ok(env.set_level(kSource.shop, "TEE-RED-S", 7)));
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(env.level(kDestA.shop, "TEE-RED-S"), 10);
  ASSERT_EQ(env.level(kDestB.shop, "TEE-RED-S"), 10);

  env.control("reconcile", R"({"group":"to-a"})");
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDestA.shop, "TEE-RED-S") == 7; }, 15s)) << env.daemon_output();
  // The other group's item actors were not told: its Destination waits for its own reconcile.
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(env.level(kDestB.shop, "TEE-RED-S"), 10) << "a reconcile of group to-a fed group to-b";

  env.control("reconcile", R"({"group":"to-b"})");
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDestB.shop, "TEE-RED-S") == 7; }, 15s)) << env.daemon_output();
}
