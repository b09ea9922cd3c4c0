// shopify-sim over real HTTP: authentication, reads with cursor pagination, cost and throttling.
#include "sim/sim_fixture.hpp"
#include "io/graphql_documents.hpp"

#include <set>

using namespace shopsync::testing;

TEST(SimAdminApi, WrongTokenIs401AndUnknownShopIs404) {
  sim_process sim(small_scenario());
  auto r = sim.admin("alpha.myshopify.com", "shpat_beta", "Locations", R"({"first":10})");
  EXPECT_EQ(r.status, 401);
  r = sim.admin("nowhere.myshopify.com", "shpat_alpha", "Locations", R"({"first":10})");
  EXPECT_EQ(r.status, 404);
  r = sim.admin("alpha.myshopify.com:443", "shpat_alpha", "Locations", R"({"first":10})");
  EXPECT_EQ(r.status, 200) << "the port in Host is ignored";
}

TEST(SimAdminApi, EveryDocumentOperationIsAnsweredWithItsExampleVariables) {
  sim_process sim(small_scenario());
  for (auto& doc : shopsync::graphql::all_documents()) {
    auto r = sim.admin("alpha.myshopify.com", "shpat_alpha", std::string(doc.operation), std::string(doc.example_variables));
    ASSERT_EQ(r.status, 200) << doc.operation;
    auto j = parse_json(r.body);
    EXPECT_TRUE(j->has("/extensions/cost/throttleStatus/currentlyAvailable")) << doc.operation << r.body;
    if (j->has("/errors"))
      EXPECT_NE(j->str("/errors/0/extensions/code"), "SIM_UNKNOWN_OPERATION") << doc.operation;
  }
  auto r = sim.admin("alpha.myshopify.com", "shpat_alpha", "NoSuchOperation", "{}");
  EXPECT_EQ(parse_json(r.body)->str("/errors/0/extensions/code"), "SIM_UNKNOWN_OPERATION");
}

TEST(SimAdminApi, CatalogPagesWalkEveryVariantOnceWithCursors) {
  sim_process sim(small_scenario());
  std::set<std::string> ids, skus;
  std::string after = "null";
  int pages = 0;
  for (;;) {
    auto j = sim.alpha("CatalogPage", R"({"first":2,"after":)" + after + "}");
    auto n = j->size("/data/productVariants/nodes");
    for (std::size_t i = 0; i < n; ++i) {
      auto p = "/data/productVariants/nodes/" + std::to_string(i);
      EXPECT_TRUE(ids.insert(j->str(p + "/id")).second);
      EXPECT_EQ(j->str(p + "/id").rfind("gid://shopify/ProductVariant/", 0), 0u);
      EXPECT_EQ(j->str(p + "/inventoryItem/id").rfind("gid://shopify/InventoryItem/", 0), 0u);
      EXPECT_TRUE(j->has(p + "/product/handle"));
      EXPECT_TRUE(j->has(p + "/selectedOptions/0/value"));
      if (!j->is_null(p + "/sku"))
        skus.insert(j->str(p + "/sku"));
    }
    // 2 + first × (variant, selectedOptions, inventoryItem, product): Shopify's connection rule.
    EXPECT_EQ(j->num("/extensions/cost/requestedQueryCost"), 2 + 2 * 4);
    EXPECT_EQ(j->num("/extensions/cost/actualQueryCost"), 2 + static_cast<std::int64_t>(n) * 4);
    ++pages;
    if (!j->flag("/data/productVariants/pageInfo/hasNextPage"))
      break;
    after = "\"" + j->str("/data/productVariants/pageInfo/endCursor") + "\"";
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(skus, (std::set<std::string>{"SHIRT-S", "SHIRT-M", "SHIRT-L", "MUG"})) << "the cap has a barcode only";
}

// Levels are read by (inventory item, location): nodes(ids: InventoryItem GIDs) with
// inventoryLevel(locationId). Not stocked: inventoryLevel null; unknown item: node null.
TEST(SimAdminApi, LevelsByInventoryItemAndLocation) {
  sim_process sim(small_scenario());
  auto locs = sim.alpha("Locations", R"({"first":50,"after":null})");
  ASSERT_EQ(locs->size("/data/locations/nodes"), 2u);
  EXPECT_EQ(locs->str("/data/locations/nodes/0/name"), "Main Warehouse");
  auto main_id = sim.location_id("alpha.myshopify.com", "Main Warehouse");
  auto outlet_id = sim.location_id("alpha.myshopify.com", "Outlet");
  auto [v, item] = sim.ids("alpha.myshopify.com", "SHIRT-L");
  auto vars = [&](std::int64_t loc) {
    return R"({"ids":[")" + item_gid(item) + R"(","gid://shopify/InventoryItem/2"],"locationId":")" +
           location_gid(loc) + R"("})";
  };
  auto j = sim.alpha("InventoryLevels", vars(main_id));
  ASSERT_EQ(j->size("/data/nodes"), 2u) << j->dump();
  EXPECT_EQ(j->str("/data/nodes/0/id"), item_gid(item));
  EXPECT_EQ(j->num("/data/nodes/0/inventoryLevel/quantities/0/quantity"), 2);
  EXPECT_EQ(j->str("/data/nodes/0/inventoryLevel/quantities/0/name"), "available");
  EXPECT_TRUE(j->flag("/data/nodes/0/inventoryLevel/isActive"));
  EXPECT_TRUE(j->is_null("/data/nodes/1")) << "no such item";
  // The level's GID carries a number of its own, not the location's.
  auto level_gid = j->str("/data/nodes/0/inventoryLevel/id");
  EXPECT_EQ(level_gid.rfind("gid://shopify/InventoryLevel/", 0), 0u);
  EXPECT_EQ(level_gid.find("/" + std::to_string(main_id) + "?"), std::string::npos) << level_gid;
  EXPECT_NE(level_gid.find("?inventory_item_id=" + std::to_string(item)), std::string::npos);
  auto o = sim.alpha("InventoryLevels", vars(outlet_id));
  EXPECT_FALSE(o->is_null("/data/nodes/0")) << "the item exists";
  EXPECT_TRUE(o->is_null("/data/nodes/0/inventoryLevel")) << "SHIRT-L is not stocked at the Outlet";
}

// A level GID Shopify gave is found by nodes(); one made up from the location id finds nothing,
// as in a real store.
TEST(SimAdminApi, LevelGidsAreTheLevelsOwnAndMadeUpOnesFindNothing) {
  sim_process sim(small_scenario());
  auto main_id = sim.location_id("alpha.myshopify.com", "Main Warehouse");
  auto [v, item] = sim.ids("alpha.myshopify.com", "SHIRT-L");
  auto read = sim.alpha("InventoryLevels", R"({"ids":[")" + item_gid(item) + R"("],"locationId":")" +
                                               location_gid(main_id) + R"("})");
  auto real = read->str("/data/nodes/0/inventoryLevel/id");
  auto made_up = "gid://shopify/InventoryLevel/" + std::to_string(main_id) + "?inventory_item_id=" + std::to_string(item);
  ASSERT_NE(real, made_up);
  auto j = sim.alpha("InventoryLevels", R"({"ids":[")" + real + R"(",")" + made_up + R"("]})");
  ASSERT_EQ(j->size("/data/nodes"), 2u);
  EXPECT_EQ(j->num("/data/nodes/0/quantities/0/quantity"), 2);
  EXPECT_EQ(j->str("/data/nodes/0/location/id"), location_gid(main_id));
  EXPECT_TRUE(j->is_null("/data/nodes/1")) << "a GID built from the location id is not a level's";
  // The state shows the level's id too.
  auto st = sim.get("/_sim/state?store=alpha.myshopify.com&sku=SHIRT-L");
  EXPECT_EQ("gid://shopify/InventoryLevel/" + std::to_string(st->num("/variants/0/levels/0/level_id")) +
                "?inventory_item_id=" + std::to_string(item),
            real);
}

TEST(SimAdminApi, ThrottledWhenTheBucketLacksTheRequestedCostAndRefundsTheDifference) {
  sim_process sim(small_scenario("", R"({"max":100,"restore":1})"));
  // Requests 2 + 20*4 = 82, costs 2 + 5*4 = 22: 60 points come back.
  auto j = sim.alpha("CatalogPage", R"({"first":20})");
  EXPECT_EQ(j->num("/extensions/cost/requestedQueryCost"), 82);
  EXPECT_EQ(j->num("/extensions/cost/actualQueryCost"), 22);
  EXPECT_EQ(j->num("/extensions/cost/throttleStatus/maximumAvailable"), 100);
  auto avail = j->num("/extensions/cost/throttleStatus/currentlyAvailable");
  EXPECT_GE(avail, 78);
  EXPECT_LE(avail, 79);
  // 82 > ~78 left: THROTTLED, nothing runs, nothing is charged.
  auto t = sim.alpha("CatalogPage", R"({"first":20})");
  EXPECT_FALSE(t->has("/data"));
  EXPECT_EQ(t->str("/errors/0/message"), "Throttled");
  EXPECT_EQ(t->str("/errors/0/extensions/code"), "THROTTLED");
  EXPECT_TRUE(t->is_null("/extensions/cost/actualQueryCost"));
  EXPECT_EQ(t->num("/extensions/cost/requestedQueryCost"), 82);
  EXPECT_GE(t->num("/extensions/cost/throttleStatus/currentlyAvailable"), 78);
  // A cheaper call still fits.
  auto ok = sim.alpha("Locations", R"({"first":10})");
  EXPECT_TRUE(ok->has("/data/locations"));
  auto log = sim.get("/_sim/log?store=alpha.myshopify.com");
  ASSERT_EQ(log->size("/calls"), 3u);
  EXPECT_EQ(log->str("/calls/1/outcome"), "throttled");
  EXPECT_TRUE(log->is_null("/calls/1/actual_cost"));
}

TEST(SimAdminApi, FirstAbove250AndMoreThan250IdsAreRefused) {
  sim_process sim(small_scenario());
  auto j = sim.alpha("CatalogPage", R"({"first":251})");
  EXPECT_FALSE(j->has("/data"));
  EXPECT_TRUE(j->has("/errors/0/extensions/code"));
  std::string ids = "[";
  for (int i = 0; i < 251; ++i)
    ids += std::string(i ? "," : "") + "\"gid://shopify/InventoryItem/" + std::to_string(i + 1) + "\"";
  ids += "]";
  auto big = sim.alpha("InventoryLevels", R"({"ids":)" + ids + R"(,"locationId":"gid://shopify/Location/1"})");
  EXPECT_FALSE(big->has("/data"));
  EXPECT_EQ(big->str("/errors/0/extensions/code"), "MAX_INPUT_SIZE_EXCEEDED") << big->dump();
  EXPECT_TRUE(big->is_null("/extensions/cost/actualQueryCost"));
}
