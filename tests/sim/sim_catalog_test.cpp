// Scenarios and generated catalogs: overlap controls between stores, Shopify-like ids (different
// per store, optionally above 2^53), pagination over a larger catalog, reset, refused scenarios.
#include "sim/sim_fixture.hpp"

#include <map>
#include <set>

using namespace shopsync::testing;

namespace {
std::string generated(const std::string& b_overlap, const std::string& extra_store_keys = "") {
  return R"({"app_secret":"s","stores":[
    {"shop":"a.myshopify.com","token":"ta","locations":["Main Warehouse","Outlet"],
     "catalog":{"generate":{"products":400,"variants_per_product":3,"available_min":1,"available_max":9}}},
    {"shop":"b.myshopify.com","token":"tb","locations":["Main Warehouse","Warehouse #2"],)" + extra_store_keys + R"(
     "catalog":{"generate":{"products":400,"variants_per_product":3)" + b_overlap + R"(}}}]})";
}

struct variant_row {
  std::int64_t id = 0, item = 0;
  std::string sku, barcode;
};

std::vector<variant_row> variants(sim_process& sim, const std::string& shop) {
  auto st = sim.get("/_sim/state?store=" + shop);
  std::vector<variant_row> out;
  simdjson::dom::array arr;
  EXPECT_EQ(st->at("/variants").get(arr), simdjson::SUCCESS);
  for (auto v : arr) {
    variant_row r;
    EXPECT_EQ(v["variant_id"].get(r.id), simdjson::SUCCESS);
    EXPECT_EQ(v["inventory_item_id"].get(r.item), simdjson::SUCCESS);
    std::string_view s;
    if (v["sku"].get(s) == simdjson::SUCCESS) r.sku = std::string(s);
    if (v["barcode"].get(s) == simdjson::SUCCESS) r.barcode = std::string(s);
    out.push_back(r);
  }
  return out;
}
} // namespace

TEST(SimCatalog, GeneratorOverlapControls) {
  sim_process sim(generated(R"(,"missing_rate":0.1,"duplicate_sku_rate":0.05,"barcode_only_rate":0.05,"extra_products":10)"));
  auto a = variants(sim, "a.myshopify.com");
  auto b = variants(sim, "b.myshopify.com");
  ASSERT_EQ(a.size(), 1200u);
  std::set<std::string> a_skus, b_skus;
  std::map<std::string, int> b_count;
  int barcode_only = 0;
  for (auto& v : a)
    a_skus.insert(v.sku);
  for (auto& v : b) {
    if (v.sku.empty()) {
      EXPECT_FALSE(v.barcode.empty());
      ++barcode_only;
    } else {
      b_skus.insert(v.sku);
      ++b_count[v.sku];
    }
  }
  EXPECT_EQ(a_skus.size(), 1200u) << "no duplicates without the control";
  int dups = 0, missing = 0, extra = 0;
  for (auto& [sku, n] : b_count)
    dups += n > 1;
  for (auto& s : a_skus)
    missing += !b_skus.count(s);
  for (auto& s : b_skus)
    extra += !a_skus.count(s);
  EXPECT_GT(dups, 10);
  EXPECT_GT(barcode_only, 20);
  EXPECT_GT(missing, 100);
  EXPECT_GE(extra, 20) << "10 store-only products of 3 variants (some barcode-only or duplicated)";
  EXPECT_LE(extra, 30);
  // Shared SKUs carry the same barcode in both stores (the same catalog universe).
  std::map<std::string, std::string> a_barcode;
  for (auto& v : a) a_barcode[v.sku] = v.barcode;
  for (auto& v : b)
    if (!v.sku.empty() && b_count[v.sku] == 1 && a_barcode.count(v.sku))
      EXPECT_EQ(a_barcode[v.sku], v.barcode) << v.sku;
}

TEST(SimCatalog, IdsAreLargeAndDifferPerStore) {
  sim_process sim(generated(""));
  auto a = variants(sim, "a.myshopify.com");
  auto b = variants(sim, "b.myshopify.com");
  std::set<std::int64_t> ids;
  for (auto* vs : {&a, &b})
    for (auto& v : *vs) {
      EXPECT_GT(v.id, 10'000'000'000'000);
      EXPECT_TRUE(ids.insert(v.id).second);
      EXPECT_TRUE(ids.insert(v.item).second);
    }
  EXPECT_NE(sim.location_id("a.myshopify.com", "Main Warehouse"), sim.location_id("b.myshopify.com", "Main Warehouse"));
}

TEST(SimCatalog, BigIdsAboveTwoToThe53SurviveGidsAndWebhookIntegers) {
  sim_process sim(generated("", R"("big_ids":true,)"));
  auto b = variants(sim, "b.myshopify.com");
  ASSERT_FALSE(b.empty());
  EXPECT_GT(b[0].item, (std::int64_t{1} << 53));
  auto r = sim.admin("b.myshopify.com", "tb", "CatalogPage", R"({"first":1})");
  auto j = parse_json(r.body);
  EXPECT_EQ(j->str("/data/productVariants/nodes/0/inventoryItem/id"), item_gid(b[0].item));
  sim.post("/_sim/set_level", R"({"store":"b.myshopify.com","inventory_item_id":)" + std::to_string(b[0].item) + R"(,"location":"Warehouse #2","available":77})");
  auto hooks = sim.get("/_sim/webhooks?bodies=1");
  EXPECT_EQ(hooks->num("/deliveries/0/body/inventory_item_id"), b[0].item) << "exact 64-bit integer";
}

TEST(SimCatalog, PaginationWalksALargerCatalog) {
  sim_process sim(generated("", R"("bucket":{"max":10000,"restore":1000},)"));
  std::set<std::string> seen;
  std::string after = "null";
  for (int page = 0; page < 10; ++page) {
    auto r = sim.admin("b.myshopify.com", "tb", "CatalogPage", R"({"first":200,"after":)" + after + "}");
    auto j = parse_json(r.body);
    ASSERT_TRUE(j->has("/data")) << r.body;
    for (std::size_t i = 0; i < j->size("/data/productVariants/nodes"); ++i)
      seen.insert(j->str("/data/productVariants/nodes/" + std::to_string(i) + "/id"));
    if (!j->flag("/data/productVariants/pageInfo/hasNextPage"))
      break;
    after = "\"" + j->str("/data/productVariants/pageInfo/endCursor") + "\"";
  }
  EXPECT_EQ(seen.size(), 1200u);
}

TEST(SimCatalog, ResetRestoresTheScenario) {
  sim_process sim(small_scenario());
  sim.post("/_sim/sale", R"({"store":"alpha.myshopify.com","sku":"MUG","quantity":3})");
  sim.alpha("Locations", R"({"first":5})");
  auto before_ids = sim.ids("alpha.myshopify.com", "MUG");
  sim.post("/_sim/reset", "{}");
  EXPECT_EQ(sim.level("alpha.myshopify.com", "MUG", "Main Warehouse"), 7);
  EXPECT_EQ(sim.ids("alpha.myshopify.com", "MUG"), before_ids) << "same seed, same ids";
  EXPECT_EQ(sim.get("/_sim/log")->size("/calls"), 0u);
  EXPECT_EQ(sim.get("/_sim/webhooks")->size("/deliveries"), 0u);
  EXPECT_EQ(sim.get("/_sim/state?store=alpha.myshopify.com&variants=0")->size("/orders"), 0u);
}

TEST(SimCatalog, GeneratedStoresFromFlagsAndRefusedScenarios) {
  {
    child_process p({binary_path("shopify-sim").string(), "--stores", "3", "--products", "5", "--port", "0"});
    auto line = p.wait_for_line("listening on ", std::chrono::seconds(10));
    ASSERT_TRUE(line);
    http_client c("127.0.0.1", port_from_listening_line(*line));
    auto r = c.get("/_sim/stores");
    auto j = parse_json(r.body);
    EXPECT_EQ(j->size("/stores"), 3u);
    EXPECT_EQ(j->str("/stores/2/shop"), "store-3.myshopify.com");
    EXPECT_EQ(p.stop(), 0) << "SIGTERM exits 0";
  }
  temp_dir dir;
  std::ofstream(dir / "bad.json") << R"({"stores":[{"shop":"x.myshopify.com"}]})";
  child_process bad({binary_path("shopify-sim").string(), "--scenario", (dir / "bad.json").string(), "--port", "0"}, true);
  EXPECT_FALSE(bad.wait_for_line("listening on ", std::chrono::seconds(10)));
  EXPECT_EQ(bad.stop(), 2);
  EXPECT_NE(bad.output().find("stores[0].token"), std::string::npos) << bad.output();
}

TEST(SimCatalog, DemoScenarioLoads) {
  sim_process sim(read_file(std::filesystem::path(SHOPSYNC_SOURCE_DIR) / "sim/scenarios/demo.json"));
  auto stores = sim.get("/_sim/stores");
  ASSERT_EQ(stores->size("/stores"), 3u);
  std::set<std::string> tokens;
  for (int i = 0; i < 3; ++i) {
    auto p = "/stores/" + std::to_string(i);
    EXPECT_EQ(stores->num(p + "/variants"), 40);
    EXPECT_EQ(stores->str(p + "/locations/0/name"), "Main Warehouse");
    EXPECT_NE(stores->str(p + "/locations/1/name"), "Main Warehouse");
    tokens.insert(stores->str(p + "/token"));
  }
  EXPECT_EQ(tokens, (std::set<std::string>{"shpat_demo_source", "shpat_demo_dest_a", "shpat_demo_dest_b"}));
  auto all = sim.get("/_sim/state?sku=TEE-RED-S");
  ASSERT_EQ(all->size("/stores"), 3u);
  EXPECT_EQ(all->str("/stores/1/shop"), "dest-a-demo.myshopify.com");
  EXPECT_EQ(all->size("/stores/2/variants"), 1u);
  auto r = sim.admin("dest-b-demo.myshopify.com", "shpat_demo_dest_b", "CatalogPage", R"({"first":1})");
  EXPECT_EQ(parse_json(r.body)->str("/data/productVariants/nodes/0/sku"), "TEE-RED-S");
}
