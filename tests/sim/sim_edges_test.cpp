// Edges of Shopify 2026-10 the simulator plays: deleted products and variants (products/delete,
// inventory_items/delete, INVALID_INVENTORY_ITEM, gone from catalog pages), sets below 0
// (INVALID_QUANTITY_NEGATIVE, or applied in the other reading) and referenceDocumentUri checked
// as an RFC 3986 URI.
#include "sim/sim_fixture.hpp"
#include "support/http_receiver.hpp"

#include <map>

using namespace shopsync::testing;

namespace {

const std::string shop = "alpha.myshopify.com";

std::string set_vars(const std::string& key, std::int64_t item, std::int64_t loc, int qty,
                     const std::string& reference = "gid://shopsync/SyncBatch/alpha/1") {
  return R"({"idempotencyKey":")" + key + R"(","input":{"name":"available","reason":"correction","referenceDocumentUri":")" +
         reference + R"(","quantities":[{"inventoryItemId":")" + item_gid(item) + R"(","locationId":")" +
         location_gid(loc) + R"(","quantity":)" + std::to_string(qty) + R"(,"changeFromQuantity":null}]}})";
}

std::string first_code(const json_doc& j) {
  if (j.size("/data/inventorySetQuantities/userErrors") == 0)
    return "";
  return j.str("/data/inventorySetQuantities/userErrors/0/code");
}

std::size_t catalog_rows_with_sku(sim_process& sim, const std::string& sku) {
  auto page = sim.alpha("CatalogPage", R"({"first":100})");
  std::size_t n = 0;
  for (std::size_t i = 0; i < page->size("/data/productVariants/nodes"); ++i) {
    auto p = "/data/productVariants/nodes/" + std::to_string(i) + "/sku";
    if (!page->is_null(p) && page->str(p) == sku)
      ++n;
  }
  return n;
}

} // namespace

TEST(SimEdges, DeletingAProductSendsShopifysDeletionWebhooksAndTheItemsAreGoneEverywhere) {
  http_receiver rx;
  sim_process sim(small_scenario(), {"--webhook-url", rx.url(), "--time-scale", "0.001"});
  auto [variant, item] = sim.ids(shop, "SHIRT-M");
  auto main_loc = sim.location_id(shop, "Main Warehouse");
  auto product = sim.get("/_sim/state?store=" + shop + "&sku=SHIRT-M")->num("/variants/0/product_id");

  auto del = sim.post("/_sim/product/delete", R"({"store":"alpha.myshopify.com","sku":"SHIRT-M"})");
  EXPECT_EQ(del->num("/product_id"), product);
  EXPECT_EQ(del->size("/inventory_item_ids"), 3u); // S, M and L

  // products/delete ({"id"} only), then inventory_items/delete for each of its three items.
  ASSERT_TRUE(rx.wait_for(4, std::chrono::seconds(10))) << rx.count();
  std::map<std::string, std::vector<std::string>> bodies;
  for (auto& r : rx.requests())
    bodies[r.headers["x-shopify-topic"]].push_back(r.body);
  ASSERT_EQ(bodies["products/delete"].size(), 1u);
  EXPECT_EQ(bodies["products/delete"][0], R"({"id":)" + std::to_string(product) + "}");
  ASSERT_EQ(bodies["inventory_items/delete"].size(), 3u);
  bool found = false;
  for (auto& b : bodies["inventory_items/delete"]) {
    auto j = parse_json(b);
    found = found || j->num("/id") == item;
    EXPECT_TRUE(j->is_null("/country_code_of_origin"));
  }
  EXPECT_TRUE(found);

  // Gone from catalog pages, level reads, the state and the control API.
  EXPECT_EQ(catalog_rows_with_sku(sim, "SHIRT-M"), 0u);
  EXPECT_EQ(catalog_rows_with_sku(sim, "MUG"), 1u);
  EXPECT_EQ(sim.get("/_sim/state?store=" + shop + "&sku=SHIRT-M")->size("/variants"), 0u);
  auto read = sim.alpha("InventoryLevels", R"({"ids":["gid://shopify/InventoryLevel/)" + std::to_string(main_loc) +
                                             "?inventory_item_id=" + std::to_string(item) + R"("]})");
  EXPECT_TRUE(read->is_null("/data/nodes/0"));
  sim.post("/_sim/sale", R"({"store":"alpha.myshopify.com","sku":"SHIRT-M"})", 404);

  // Writes to it: INVALID_INVENTORY_ITEM, nothing applied.
  auto w = sim.alpha("InventorySet", set_vars("del-1", item, main_loc, 3));
  EXPECT_EQ(first_code(*w), "INVALID_INVENTORY_ITEM") << w->dump();
  EXPECT_TRUE(w->is_null("/data/inventorySetQuantities/inventoryAdjustmentGroup"));
  (void)variant;
}

TEST(SimEdges, DeletingOneVariantSendsItsItemDeletionAndTheProductWithoutIt) {
  http_receiver rx;
  sim_process sim(small_scenario(), {"--webhook-url", rx.url(), "--time-scale", "0.001"});
  auto [variant, item] = sim.ids(shop, "SHIRT-L");
  sim.post("/_sim/variant/delete", R"({"store":"alpha.myshopify.com","sku":"SHIRT-L"})");
  ASSERT_TRUE(rx.wait_for(2, std::chrono::seconds(10))) << rx.count();
  std::map<std::string, std::vector<std::string>> bodies;
  for (auto& r : rx.requests())
    bodies[r.headers["x-shopify-topic"]].push_back(r.body);
  ASSERT_EQ(bodies["inventory_items/delete"].size(), 1u);
  EXPECT_EQ(parse_json(bodies["inventory_items/delete"][0])->num("/id"), item);
  ASSERT_EQ(bodies["products/update"].size(), 1u);
  auto pu = parse_json(bodies["products/update"][0]);
  EXPECT_EQ(pu->size("/variants"), 2u);
  EXPECT_EQ(pu->size("/variant_gids"), 2u);
  EXPECT_EQ(bodies.count("products/delete"), 0u);
  EXPECT_EQ(catalog_rows_with_sku(sim, "SHIRT-L"), 0u);
  EXPECT_EQ(catalog_rows_with_sku(sim, "SHIRT-S"), 1u);
  // A product keeps one variant: its last one is deleted with the product.
  sim.post("/_sim/variant/delete", R"({"store":"alpha.myshopify.com","sku":"MUG"})", 409);
  (void)variant;
}

TEST(SimEdges, ASetBelowZeroIsRefusedAsNegativeUnlessTheOtherReadingIsPlayed) {
  sim_process sim(small_scenario());
  auto item = sim.ids(shop, "SHIRT-S").second;
  auto main_loc = sim.location_id(shop, "Main Warehouse");
  auto refused = sim.alpha("InventorySet", set_vars("neg-1", item, main_loc, -2));
  EXPECT_EQ(first_code(*refused), "INVALID_QUANTITY_NEGATIVE") << refused->dump();
  EXPECT_EQ(sim.level(shop, "SHIRT-S", "Main Warehouse"), 10);
  // Adjusts may go below 0, as before.
  auto adj = sim.alpha("InventoryAdjust", R"({"idempotencyKey":"neg-2","input":{"name":"available","reason":"correction","changes":[{"inventoryItemId":")" +
                                             item_gid(item) + R"(","locationId":")" + location_gid(main_loc) +
                                             R"(","delta":-12,"changeFromQuantity":null}]}})");
  EXPECT_EQ(adj->num("/data/inventoryAdjustQuantities/inventoryAdjustmentGroup/changes/0/quantityAfterChange"), -2);
  // The other reading of Shopify: negative sets applied.
  EXPECT_EQ(sim.post("/_sim/faults", R"({"negative_sets":"apply"})")->str("/negative_sets"), "apply");
  auto applied = sim.alpha("InventorySet", set_vars("neg-3", item, main_loc, -3));
  EXPECT_EQ(first_code(*applied), "") << applied->dump();
  EXPECT_EQ(sim.level(shop, "SHIRT-S", "Main Warehouse"), -3);
  sim.post("/_sim/faults", R"({"negative_sets":"sometimes"})", 400);
}

TEST(SimEdges, ReferenceDocumentUriMustBeAnRfc3986Uri) {
  sim_process sim(small_scenario());
  auto item = sim.ids(shop, "SHIRT-S").second;
  auto main_loc = sim.location_id(shop, "Main Warehouse");
  int n = 0;
  for (std::string ok : {"gid://shopsync/SyncBatch/D%C3%A9p%C3%B4t%20Nord%20%232/17", "https://example.com/a?b=c#d",
                         "urn:isbn:0451450523", "gid://warehouse-app/PurchaseOrder/PO-2024-001"}) {
    auto j = sim.alpha("InventorySet", set_vars("uri-" + std::to_string(n++), item, main_loc, 4, ok));
    EXPECT_EQ(first_code(*j), "") << ok << ": " << j->dump();
  }
  for (std::string bad : {"gid://shopsync/SyncBatch/Dépôt Nord #2/17", "gid://shopsync/SyncBatch/a b/1",
                          "gid://shopsync/x#1#2", "no-scheme", "1gid://x", "gid://x/%zz", "gid://x/a{b}"}) {
    auto j = sim.alpha("InventorySet", set_vars("uri-" + std::to_string(n++), item, main_loc, 5, bad));
    EXPECT_EQ(first_code(*j), "INVALID_REFERENCE_DOCUMENT") << bad << ": " << j->dump();
  }
  EXPECT_EQ(sim.level(shop, "SHIRT-S", "Main Warehouse"), 4);
}
