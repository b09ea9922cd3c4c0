// Stocking end to end (Shopify 2026-10: a write where the item is not stocked stocks it). A
// Destination where the item is not stocked at a mapped location is reported by
// `mappings --problems` and never written (the simulator's level stays unstocked); once the
// merchant stocks it there (inventory_levels/connect) it is synced. A level the merchant removes
// (inventory_levels/disconnect) is not written again.
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-e2e.myshopify.com", "shpat_e2e_source", true};
const e2e_store kDestA{"dest-a", "dest-a-e2e.myshopify.com", "shpat_e2e_dest_a", false};

// Whether `mappings --problems` lists (store, location, identity) as not stocked.
bool reported(const e2e_env& env, const std::string& store, const std::string& location, const std::string& identity) {
  auto j = parse(env.control("mappings", R"({"problems":true})"));
  if (!j || !j->ok)
    return false;
  for (std::size_t i = 0; i < j->size("/0/unstocked"); ++i) {
    auto p = "/0/unstocked/" + std::to_string(i);
    if (j->str(p + "/store") == store && j->str(p + "/location") == location && j->str(p + "/identity") == identity)
      return true;
  }
  return false;
}

// dest-a does not stock TEE-RED-S at its Outlet.
e2e_options options() {
  e2e_options o;
  o.stores = {kSource, kDestA};
  auto scenario = uniform_scenario(o.stores, {"TEE-RED-S", "MUG-WHITE"}, {10, 3});
  auto store = scenario.find(kDestA.shop);
  auto outlet = scenario.find(R"(,"Outlet":3)", store);
  EXPECT_NE(outlet, std::string::npos);
  scenario.erase(outlet, std::string(R"(,"Outlet":3)").size());
  o.scenario_json = scenario;
  o.groups_toml = group_toml("mirror", {kDestA}, "one_way");
  return o;
}

} // namespace

TEST(E2eStocking, an_item_not_stocked_at_a_destination_is_reported_never_written_and_synced_once_stocked) {
  e2e_env env(options());
  ASSERT_EQ(env.level(kDestA.shop, "TEE-RED-S", "Outlet"), std::nullopt);
  ASSERT_TRUE(env.start_mapped());
  // Everything else aligns to the Source.
  ASSERT_TRUE(env.wait_until(
    [&] {
      return env.level(kDestA.shop, "TEE-RED-S") == 10 && env.level(kDestA.shop, "MUG-WHITE") == 10 &&
             env.level(kDestA.shop, "MUG-WHITE", "Outlet") == 10;
    },
    15s))
    << env.daemon_output();
  EXPECT_TRUE(env.wait_until([&] { return reported(env, "dest-a", "Outlet", "sku:TEE-RED-S"); }, 10s))
    << env.control("mappings", R"({"problems":true})");
  EXPECT_FALSE(reported(env, "dest-a", "Main Warehouse", "sku:TEE-RED-S"));

  // A Source change there is not carried to the unstocked level: nothing stocks it.
  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 2, "Outlet").rfind("HTTP", 0), 0u);
  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 1).rfind("HTTP", 0), 0u);
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDestA.shop, "TEE-RED-S") == 9; }, 10s));
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(env.level(kDestA.shop, "TEE-RED-S", "Outlet"), std::nullopt) << "written, so stocked by shopsync";

  // The merchant stocks it (inventory_levels/connect): it follows the Source from now on.
  auto stocked = env.sim_post("/_sim/stock", R"({"store":")" + kDestA.shop +
                                                 R"(","sku":"TEE-RED-S","location":"Outlet","available":0})");
  ASSERT_NE(stocked.rfind("HTTP", 0), 0u) << stocked;
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDestA.shop, "TEE-RED-S", "Outlet") == 8; }, 10s))
    << env.daemon_output();
  EXPECT_TRUE(env.wait_until([&] { return !reported(env, "dest-a", "Outlet", "sku:TEE-RED-S"); }, 10s))
    << env.control("mappings", R"({"problems":true})");
  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 3, "Outlet").rfind("HTTP", 0), 0u);
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDestA.shop, "TEE-RED-S", "Outlet") == 5; }, 10s));
}

TEST(E2eStocking, a_level_the_merchant_removes_is_reported_and_not_written_again) {
  e2e_env env(options());
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDestA.shop, "MUG-WHITE") == 10; }, 15s)) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  auto gone = env.sim_post("/_sim/unstock", R"({"store":")" + kDestA.shop + R"(","sku":"MUG-WHITE","location":"Main Warehouse"})");
  ASSERT_NE(gone.rfind("HTTP", 0), 0u) << gone;
  EXPECT_TRUE(env.wait_until([&] { return reported(env, "dest-a", "Main Warehouse", "sku:MUG-WHITE"); }, 10s))
    << env.control("mappings", R"({"problems":true})");
  // Source changes go on elsewhere, never to the removed level.
  ASSERT_NE(env.sale(kSource.shop, "MUG-WHITE", 4).rfind("HTTP", 0), 0u);
  ASSERT_NE(env.sale(kSource.shop, "MUG-WHITE", 1, "Outlet").rfind("HTTP", 0), 0u);
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDestA.shop, "MUG-WHITE", "Outlet") == 9; }, 10s));
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(env.level(kDestA.shop, "MUG-WHITE"), std::nullopt) << "written, so stocked again by shopsync";
}
