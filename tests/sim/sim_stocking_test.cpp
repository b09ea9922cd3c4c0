// Stocking as Shopify 2026-10 does it: no ITEM_NOT_STOCKED_AT_LOCATION; a write at a location
// where the item is not stocked stocks it (inventory_levels/connect); the merchant stocks and
// removes items by hand (/_sim/stock, /_sim/unstock → connect / disconnect); a level stocked
// again gets a new id of its own.
#include "sim/sim_fixture.hpp"

using namespace shopsync::testing;

namespace {

struct SimStocking : ::testing::Test {
  sim_process sim{small_scenario()};
  const std::string shop = "alpha.myshopify.com";
  std::int64_t main_loc = sim.location_id(shop, "Main Warehouse");
  std::int64_t outlet = sim.location_id(shop, "Outlet");
  std::int64_t shirt_l = sim.ids(shop, "SHIRT-L").second;

  // The deliveries of a topic, with their bodies (/deliveries/<i>/body/...).
  std::unique_ptr<json_doc> hooks(const std::string& topic) {
    sim.get("/_sim/webhooks/wait_idle?timeout_ms=5000");
    return sim.get("/_sim/webhooks?store=" + shop + "&bodies=1&topic=" + topic);
  }
  std::unique_ptr<json_doc> read_level(std::int64_t loc) {
    return sim.alpha("InventoryLevels", R"({"ids":[")" + item_gid(shirt_l) + R"("],"locationId":")" +
                                            location_gid(loc) + R"("})");
  }
};

} // namespace

TEST_F(SimStocking, AWriteWhereTheItemIsNotStockedStocksItAndSaysSo) {
  ASSERT_TRUE(read_level(outlet)->is_null("/data/nodes/0/inventoryLevel"));
  auto j = sim.alpha("InventorySet", R"({"idempotencyKey":"s-1","input":{"name":"available","reason":"correction",
      "quantities":[{"inventoryItemId":")" + item_gid(shirt_l) + R"(","locationId":")" + location_gid(outlet) +
                                          R"(","quantity":3,"changeFromQuantity":null}]}})");
  EXPECT_EQ(j->size("/data/inventorySetQuantities/userErrors"), 0u) << j->dump();
  EXPECT_EQ(j->num("/data/inventorySetQuantities/inventoryAdjustmentGroup/changes/0/quantityAfterChange"), 3);
  EXPECT_EQ(sim.level(shop, "SHIRT-L", "Outlet"), 3);
  auto level = read_level(outlet);
  EXPECT_EQ(level->num("/data/nodes/0/inventoryLevel/quantities/0/quantity"), 3);
  auto connect = hooks("inventory_levels/connect");
  ASSERT_EQ(connect->size("/deliveries"), 1u);
  EXPECT_EQ(connect->num("/deliveries/0/body/inventory_item_id"), shirt_l);
  EXPECT_EQ(connect->num("/deliveries/0/body/location_id"), outlet);
  EXPECT_EQ(connect->str("/deliveries/0/body/admin_graphql_api_id"), level->str("/data/nodes/0/inventoryLevel/id"));
  auto update = hooks("inventory_levels/update");
  ASSERT_EQ(update->size("/deliveries"), 1u);
  EXPECT_EQ(update->num("/deliveries/0/body/available"), 3);
}

TEST_F(SimStocking, TheMerchantUnstocksAndStocksAgainUnderANewLevelId) {
  auto before = read_level(main_loc)->str("/data/nodes/0/inventoryLevel/id");
  auto gone = sim.post("/_sim/unstock", R"({"store":")" + shop + R"(","sku":"SHIRT-L","location":"Main Warehouse"})");
  EXPECT_TRUE(gone->is_null("/levels/0/available"));
  EXPECT_TRUE(read_level(main_loc)->is_null("/data/nodes/0/inventoryLevel"));
  // The old level's GID finds nothing any more.
  auto old = sim.alpha("InventoryLevels", R"({"ids":[")" + before + R"("]})");
  EXPECT_TRUE(old->is_null("/data/nodes/0"));
  auto disconnect = hooks("inventory_levels/disconnect");
  ASSERT_EQ(disconnect->size("/deliveries"), 1u);
  EXPECT_EQ(disconnect->num("/deliveries/0/body/inventory_item_id"), shirt_l);
  EXPECT_EQ(disconnect->num("/deliveries/0/body/location_id"), main_loc);
  sim.post("/_sim/unstock", R"({"store":")" + shop + R"(","sku":"SHIRT-L","location":"Main Warehouse"})", 409);

  auto back = sim.post("/_sim/stock", R"({"store":")" + shop + R"(","sku":"SHIRT-L","location":"Main Warehouse","available":4})");
  EXPECT_EQ(back->num("/levels/0/available"), 4);
  auto now = read_level(main_loc);
  EXPECT_EQ(now->num("/data/nodes/0/inventoryLevel/quantities/0/quantity"), 4);
  EXPECT_NE(now->str("/data/nodes/0/inventoryLevel/id"), before) << "a new level, a new id";
  auto connect = hooks("inventory_levels/connect");
  ASSERT_EQ(connect->size("/deliveries"), 1u);
  EXPECT_EQ(connect->num("/deliveries/0/body/location_id"), main_loc);
  sim.post("/_sim/stock", R"({"store":")" + shop + R"(","sku":"SHIRT-L","location":"Main Warehouse"})", 409);
}

TEST_F(SimStocking, AnInactiveLevelIsAnsweredWithIsActiveFalse) {
  sim.post("/_sim/stock", R"({"store":")" + shop + R"(","sku":"SHIRT-L","location":"Outlet","available":2,"active":false})");
  auto level = read_level(outlet);
  EXPECT_FALSE(level->flag("/data/nodes/0/inventoryLevel/isActive"));
  EXPECT_EQ(level->num("/data/nodes/0/inventoryLevel/quantities/0/quantity"), 2);
}
