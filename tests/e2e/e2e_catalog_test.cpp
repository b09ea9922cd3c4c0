// A generated 10,000-variant catalog matched by sku, barcode and handle (one group each, one
// Destination each, one daemon), checked against what the simulator's stores really hold; and
// the duplicate-SKU report of `mappings {problems: true}`.
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-cat.myshopify.com", "shpat_cat_source", true};
const e2e_store kBySku{"by-sku", "by-sku-cat.myshopify.com", "shpat_cat_sku", false};
const e2e_store kByBarcode{"by-barcode", "by-barcode-cat.myshopify.com", "shpat_cat_barcode", false};
const e2e_store kByHandle{"by-handle", "by-handle-cat.myshopify.com", "shpat_cat_handle", false};

std::string store_json(const e2e_store& s, const std::string& rates) {
  return R"({"shop":")" + s.shop + R"(","token":")" + s.token +
         R"(","locations":["Main Warehouse","Outlet"],"bucket":{"max":1000000,"restore":1000000},)"
         R"("catalog":{"generate":{"products":5000,"variants_per_product":2,"universe_seed":11,)"
         R"("available_min":5,"available_max":5)" +
         rates + "}}}";
}

using key_fn = std::function<std::string(const e2e_json&, const std::string&)>;

// How many keys of each count a store holds (empty keys left out).
std::map<std::string, int> key_counts(const e2e_env& env, const std::string& shop, const key_fn& key) {
  std::map<std::string, int> out;
  auto j = parse(env.sim_get("/_sim/state?store=" + shop));
  for (std::size_t i = 0; i < j->size("/variants"); ++i) {
    auto k = key(*j, "/variants/" + std::to_string(i));
    if (!k.empty())
      out[k]++;
  }
  return out;
}

struct expectation {
  std::size_t matched = 0;
  std::set<std::string> duplicated; // keys twice or more in the Destination
  std::size_t source_variants = 0;
};

expectation expect_for(const std::map<std::string, int>& src, const std::map<std::string, int>& dst) {
  expectation e;
  for (auto& [k, n] : src)
    e.source_variants += n;
  for (auto& [k, n] : dst) {
    if (n > 1)
      e.duplicated.insert(k);
    auto it = src.find(k);
    if (n == 1 && it != src.end() && it->second == 1)
      ++e.matched;
  }
  return e;
}

const e2e_json* find_group(const e2e_json& j, const std::string& group, std::string& prefix) {
  for (std::size_t g = 0; g < j.size(""); ++g)
    if (j.str("/" + std::to_string(g) + "/group") == group) {
      prefix = "/" + std::to_string(g);
      return &j;
    }
  return nullptr;
}

} // namespace

TEST(E2eCatalog, ten_thousand_variants_match_by_sku_barcode_and_handle_and_duplicates_are_reported) {
  e2e_options o;
  o.stores = {kSource, kBySku, kByBarcode, kByHandle};
  o.sync_writes = false; // 30,000 item actors record their alignment; fsync each would be minutes
  o.scenario_json = R"({"app_secret":"e2e-secret","app_id":580111,"stores":[)" + store_json(kSource, "") + "," +
                    store_json(kBySku, R"(,"missing_rate":0.01,"duplicate_sku_rate":0.002,"extra_products":20)") +
                    "," + store_json(kByBarcode, R"(,"missing_rate":0.02,"barcode_only_rate":0.05)") + "," +
                    store_json(kByHandle, R"(,"missing_rate":0.01,"extra_products":10)") + "]}";
  auto group = [](const std::string& name, const std::string& dest, const std::string& by) {
    return "[[groups]]\nname = \"" + name + "\"\nsource = \"source\"\ndestinations = [\"" + dest +
           "\"]\nstrategy = \"one_way\"\nmatch_by = \"" + by + "\"\n\n";
  };
  o.groups_toml = group("sku", "by-sku", "sku") + group("barcode", "by-barcode", "barcode") +
                  group("handle", "by-handle", "handle");
  e2e_env env(o);
  ASSERT_TRUE(env.sim_port());
  ASSERT_TRUE(env.start_daemon()) << env.daemon_output();
  ASSERT_TRUE(env.wait_mapped(60s)) << env.daemon_output();

  key_fn sku = [](const e2e_json& j, const std::string& p) { return j.str(p + "/sku"); };
  key_fn barcode = [](const e2e_json& j, const std::string& p) { return j.str(p + "/barcode"); };
  key_fn handle = [](const e2e_json& j, const std::string& p) { return j.str(p + "/handle") + "/" + j.str(p + "/title"); };
  auto by_sku = expect_for(key_counts(env, kSource.shop, sku), key_counts(env, kBySku.shop, sku));
  auto by_barcode = expect_for(key_counts(env, kSource.shop, barcode), key_counts(env, kByBarcode.shop, barcode));
  auto by_handle = expect_for(key_counts(env, kSource.shop, handle), key_counts(env, kByHandle.shop, handle));
  ASSERT_EQ(by_sku.source_variants, 10000u);
  ASSERT_GT(by_sku.duplicated.size(), 5u) << "the generator made no duplicate SKU: the test proves nothing";
  ASSERT_LT(by_sku.matched, 9950u);

  auto all = parse(env.control("mappings", R"({"problems":true})"));
  ASSERT_TRUE(all->ok);
  std::string p;
  ASSERT_TRUE(find_group(*all, "sku", p)) << env.control("mappings", R"({"problems":true})");
  EXPECT_EQ(all->num(p + "/identities"), static_cast<std::int64_t>(by_sku.matched));
  std::set<std::string> reported;
  for (std::size_t i = 0; i < all->size(p + "/problems"); ++i) {
    auto q = p + "/problems/" + std::to_string(i);
    if (all->str(q + "/kind") == "duplicate") {
      EXPECT_EQ(all->str(q + "/store"), "by-sku");
      EXPECT_EQ(all->size(q + "/variants"), 2u);
      reported.insert(all->str(q + "/identity"));
    }
  }
  std::set<std::string> expected_keys;
  for (auto& k : by_sku.duplicated)
    expected_keys.insert("sku:" + k);
  EXPECT_EQ(reported, expected_keys);
  ASSERT_TRUE(find_group(*all, "barcode", p));
  EXPECT_EQ(all->num(p + "/identities"), static_cast<std::int64_t>(by_barcode.matched));
  EXPECT_LT(by_barcode.matched, 9900u);
  ASSERT_TRUE(find_group(*all, "handle", p));
  EXPECT_EQ(all->num(p + "/identities"), static_cast<std::int64_t>(by_handle.matched));
  EXPECT_LT(by_handle.matched, 9950u);

  // A mapped identity syncs: a Source sale of a matched SKU reaches its Destination.
  auto mapped = parse(env.control("mappings", R"({"group":"sku"})"));
  auto key = mapped->str("/0/mapped/0/identity");
  ASSERT_EQ(key.rfind("sku:", 0), 0u) << key;
  auto s = key.substr(4);
  ASSERT_NE(env.sale(kSource.shop, s, 2).rfind("HTTP", 0), 0u);
  EXPECT_TRUE(env.wait_until([&] { return env.level(kBySku.shop, s) == 3; }, 20s))
    << s << " in by-sku: " << env.level(kBySku.shop, s).value_or(-1) << "\n" << env.daemon_output();
}
