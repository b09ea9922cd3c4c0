// A store with a small cost bucket: requests are sized to fit it, so the daemon
// reaches mapped and aligned where a 2,000-point-sized request (a catalog page of 100 variants:
// 302 points; a level read of 100 levels: 301) would be THROTTLED for ever; and a store where
// not even one item fits says so at warn, naming the store, instead of stalling silently.
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "small-source.myshopify.com", "shpat_small_source", true};
const e2e_store kDest{"outlet", "small-outlet.myshopify.com", "shpat_small_outlet", false};

std::string store_json(const e2e_store& s, int available, const std::string& bucket) {
  return R"({"shop":")" + s.shop + R"(","token":")" + s.token +
         R"(","locations":["Main Warehouse","Outlet"],"bucket":)" + bucket +
         R"(,"catalog":{"generate":{"products":100,"variants_per_product":1,"universe_seed":21,)"
         R"("available_min":)" + std::to_string(available) + R"(,"available_max":)" + std::to_string(available) +
         "}}}";
}

e2e_options small_bucket_options(const std::string& bucket) {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = R"({"app_secret":"e2e-secret","app_id":580111,"stores":[)" + store_json(kSource, 7, bucket) +
                    "," + store_json(kDest, 3, bucket) + "]}";
  o.groups_toml = group_toml("small", {kDest}, "one_way");
  return o;
}

// Every stocked level of every variant of the shop holds `want`.
bool all_levels_are(const e2e_env& env, const std::string& shop, std::int64_t want, std::string& first_off) {
  auto j = parse(env.sim_get("/_sim/state?store=" + shop));
  if (!j->ok || j->size("/variants") == 0)
    return false;
  for (std::size_t v = 0; v < j->size("/variants"); ++v) {
    auto p = "/variants/" + std::to_string(v);
    for (std::size_t l = 0; l < j->size(p + "/levels"); ++l) {
      auto a = j->num(p + "/levels/" + std::to_string(l) + "/available");
      if (a && *a != want) {
        first_off = j->str(p + "/sku") + " = " + std::to_string(*a);
        return false;
      }
    }
  }
  return true;
}

} // namespace

TEST(E2ePlanLimits, a_250_point_bucket_gets_pages_and_reads_that_fit_it_and_the_group_maps_and_aligns) {
  e2e_env env(small_bucket_options(R"({"max":250,"restore":125})"));
  ASSERT_TRUE(env.sim_port());
  ASSERT_TRUE(env.start_daemon()) << env.daemon_output();
  ASSERT_TRUE(env.wait_mapped(60s)) << env.daemon_output();
  auto m = parse(env.control("mappings", R"({"group":"small","problems":true})"));
  ASSERT_TRUE(m->ok);
  EXPECT_EQ(m->num("/0/identities"), 100);
  std::string off;
  EXPECT_TRUE(env.wait_until([&] { return all_levels_are(env, kDest.shop, 7, off); }, 60s))
    << "first level not aligned: " << off << "\n" << env.daemon_output();
  // Pages and reads that fit: 100 variants in pages of at most half the bucket, and after the
  // first refusal (the bucket's size was not known yet) no request was refused again.
  for (auto* shop : {&kSource.shop, &kDest.shop}) {
    EXPECT_GE(env.calls(*shop, "CatalogPage", 0, "read"), 3) << *shop;
    EXPECT_LE(env.calls(*shop, "CatalogPage", 0, "throttled"), 2) << *shop;
    EXPECT_GE(env.calls(*shop, "InventoryLevels", 0, "read"), 2) << *shop;
    EXPECT_LE(env.calls(*shop, "InventoryLevels", 0, "throttled"), 3) << *shop;
  }
}

TEST(E2ePlanLimits, a_bucket_too_small_for_one_variant_is_a_warning_naming_the_store) {
  // One variant's page costs 5 points; the bucket holds 4.
  e2e_env env(small_bucket_options(R"({"max":4,"restore":4})"));
  ASSERT_TRUE(env.sim_port());
  ASSERT_TRUE(env.start_daemon()) << env.daemon_output();
  EXPECT_TRUE(env.wait_until(
    [&] {
      auto out = env.daemon_output();
      return out.find("store source: stalled: even one catalog variant costs more") != std::string::npos;
    },
    30s))
    << env.daemon_output();
}

// Bulk operations for large catalogs.
namespace {

const e2e_store kBigSource{"source", "bulk-source.myshopify.com", "shpat_bulk_source", true};
const e2e_store kBigDest{"outlet", "bulk-outlet.myshopify.com", "shpat_bulk_outlet", false};

std::string big_store_json(const e2e_store& s) {
  return R"({"shop":")" + s.shop + R"(","token":")" + s.token +
         R"(","locations":["Main Warehouse","Outlet"],"bucket":{"max":20000,"restore":5000},)"
         R"("catalog":{"generate":{"products":150,"variants_per_product":2,"universe_seed":31,)"
         R"("available_min":4,"available_max":4,"missing_rate":0.02,"duplicate_sku_rate":0.01}}})";
}

e2e_options bulk_options() {
  e2e_options o;
  o.stores = {kBigSource, kBigDest};
  o.scenario_json = R"({"app_secret":"e2e-secret","app_id":580111,"stores":[)" + big_store_json(kBigSource) + "," +
                    big_store_json(kBigDest) + "]}";
  o.groups_toml = group_toml("big", {kBigDest}, "one_way");
  o.daemon_toml = "bulk_read_threshold = 100\n";
  return o;
}

// The mapping as `mappings` lists it (identities, problems): what must not depend on how the
// catalog was read.
std::string mapping_of(const e2e_env& env) {
  auto j = parse(env.control("mappings", R"({"group":"big","limit":0})"));
  std::string out = std::to_string(j->num("/0/identities").value_or(-1)) + " identities;";
  for (std::size_t i = 0; i < j->size("/0/mapped"); ++i) {
    auto p = "/0/mapped/" + std::to_string(i);
    out += j->str(p + "/identity");
    for (std::size_t k = 0; k < j->size(p + "/stores"); ++k)
      out += "," + std::to_string(j->num(p + "/stores/" + std::to_string(k) + "/variant").value_or(0));
    out += ";";
  }
  for (std::size_t i = 0; i < j->size("/0/problems"); ++i)
    out += j->str("/0/problems/" + std::to_string(i) + "/kind") + ":" + j->str("/0/problems/" + std::to_string(i) + "/identity") + ";";
  return out;
}

std::size_t completed_bulk(const e2e_env& env, const std::string& shop) {
  auto j = parse(env.sim_get("/_sim/bulk?store=" + shop));
  std::size_t n = 0;
  for (std::size_t i = 0; i < j->size("/bulk_operations"); ++i)
    n += j->str("/bulk_operations/" + std::to_string(i) + "/status") == "COMPLETED";
  return n;
}

} // namespace

TEST(E2eBulkReads, a_catalog_above_the_threshold_is_read_through_a_bulk_operation_and_maps_as_pages_did) {
  e2e_env env(bulk_options());
  // The first read is paged when productVariantsCount cannot tell the catalog's size.
  ASSERT_EQ(env.sim_post("/_sim/faults", R"({"error_next":2,"error_status":400,"operations":["ProductVariantsCount"]})")
              .rfind("HTTP", 0),
            std::string::npos);
  const auto first = env.log_seq();
  ASSERT_TRUE(env.start_mapped()) << env.daemon_output();
  ASSERT_EQ(env.sim_post("/_sim/faults", R"({"operations":[]})").rfind("HTTP", 0), std::string::npos);
  const auto paged = mapping_of(env);
  ASSERT_GT(paged.size(), 1000u) << paged;
  EXPECT_GE(env.calls(kBigSource.shop, "CatalogPage", first, ""), 2) << "the first read (size unknown) is paged";
  // Each store's levels were read in bulk for the first alignment (and the catalogs were not).
  EXPECT_TRUE(env.wait_until([&] { return completed_bulk(env, kBigSource.shop) == 1; }, 30s)) << env.daemon_output();
  // Now each store is known to hold 300 variants (above 100): a resync reads them in bulk.
  const auto seq = env.log_seq();
  ASSERT_EQ(env.control("resync", R"({"group":"big"})").rfind("ERROR", 0), std::string::npos);
  EXPECT_TRUE(env.wait_until([&] { return completed_bulk(env, kBigDest.shop) >= 2; }, 30s)) << env.daemon_output();
  EXPECT_TRUE(env.wait_until(
    [&] { return env.daemon_output().find("outlet read through a bulk operation") != std::string::npos; }, 30s))
    << env.daemon_output();
  EXPECT_EQ(completed_bulk(env, kBigSource.shop), 2u);
  EXPECT_EQ(env.calls(kBigSource.shop, "CatalogPage", seq, ""), 0) << "no page read once bulk worked";
  EXPECT_EQ(mapping_of(env), paged);
}

TEST(E2eBulkReads, a_failing_bulk_operation_falls_back_to_pages) {
  e2e_env env(bulk_options());
  ASSERT_TRUE(env.start_mapped()) << env.daemon_output();
  const auto paged = mapping_of(env);
  ASSERT_EQ(env.sim_post("/_sim/faults", R"({"bulk_fail_next":2,"bulk_fail_code":"INTERNAL_SERVER_ERROR"})")
              .rfind("HTTP", 0),
            std::string::npos);
  const auto seq = env.log_seq();
  ASSERT_EQ(env.control("resync", R"({"group":"big"})").rfind("ERROR", 0), std::string::npos);
  EXPECT_TRUE(env.wait_until([&] { return env.calls(kBigDest.shop, "CatalogPage", seq, "read") >= 3; }, 30s))
    << env.daemon_output();
  EXPECT_GE(env.calls(kBigSource.shop, "CatalogPage", seq, "read"), 3);
  EXPECT_TRUE(env.wait_until(
    [&] { return env.daemon_output().find("bulk read of outlet failed") != std::string::npos; }, 10s))
    << env.daemon_output();
  EXPECT_TRUE(env.wait_until([&] { return mapping_of(env) == paged; }, 20s));
}
