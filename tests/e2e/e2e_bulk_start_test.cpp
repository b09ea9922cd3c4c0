// A first mapping above daemon.bulk_read_threshold aligns from one bulk level read per store
// (BulkLevels, actors/level_snapshot.hpp) instead of InventoryLevels queries; changes made in the
// store while or after the snapshot is read still reach the Destination (a webhook hint reaches a
// seeded item after its snapshot value and makes it read again); a failing bulk operation falls
// back to the level queries.
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "bulkstart-source.myshopify.com", "shpat_bulkstart_source", true};
const e2e_store kDest{"outlet", "bulkstart-outlet.myshopify.com", "shpat_bulkstart_outlet", false};
constexpr int kVariants = 600; // 300 products x 2, two locations each

std::string store_json(const e2e_store& s, int level) {
  return R"({"shop":")" + s.shop + R"(","token":")" + s.token +
         R"(","locations":["Main Warehouse","Outlet"],"bucket":{"max":20000,"restore":5000},)"
         R"("catalog":{"generate":{"products":300,"variants_per_product":2,"universe_seed":43,)"
         R"("available_min":)" +
         std::to_string(level) + R"(,"available_max":)" + std::to_string(level) + "}}}";
}

// The Source holds 4 everywhere, the Destination 7: its first alignment writes every level.
e2e_options options() {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = R"({"app_secret":"e2e-secret","app_id":580111,"stores":[)" + store_json(kSource, 4) + "," +
                    store_json(kDest, 7) + "]}";
  o.groups_toml = group_toml("big", {kDest}, "one_way");
  o.daemon_toml = "bulk_read_threshold = 100\n";
  return o;
}

bool ok(const std::string& answer) { return answer.rfind("HTTP", 0) == std::string::npos; }

std::string sku_at(const e2e_env& env, int i) {
  return parse(env.sim_get("/_sim/state?store=" + kSource.shop))->str("/variants/" + std::to_string(i) + "/sku");
}

// The Destination's levels that are not `want` (by SKU, except `skip`); -1 when unreadable.
int levels_off(const e2e_env& env, std::int64_t want, const std::map<std::string, std::int64_t>& other = {}) {
  auto j = parse(env.sim_get("/_sim/state?store=" + kDest.shop + "&limit=1000"));
  if (!j->ok || j->size("/variants") != kVariants)
    return -1;
  int off = 0;
  for (int i = 0; i < kVariants; ++i) {
    const auto v = "/variants/" + std::to_string(i);
    auto it = other.find(j->str(v + "/sku"));
    const auto expect = it == other.end() ? want : it->second;
    for (int l = 0; l < 2; ++l)
      if (j->num(v + "/levels/" + std::to_string(l) + "/available") != expect)
        ++off;
  }
  return off;
}

int level_reads(const e2e_env& env, std::uint64_t since) {
  return env.calls(kSource.shop, "InventoryLevels", since, "") + env.calls(kDest.shop, "InventoryLevels", since, "");
}

bool says(const e2e_env& env, const std::string& text) {
  return env.daemon_said(text);
}

} // namespace

TEST(E2eBulkStart, a_first_start_above_the_threshold_aligns_from_one_bulk_level_read_per_store) {
  e2e_env env(options());
  const auto seq = env.log_seq();
  ASSERT_TRUE(env.start_mapped()) << env.daemon_output();
  EXPECT_TRUE(env.wait_until([&] { return levels_off(env, 4) == 0; }, 60s))
    << levels_off(env, 4) << " Destination levels not aligned\n"
    << env.daemon_output();
  EXPECT_TRUE(says(env, "levels of source read through a bulk operation")) << env.daemon_output();
  EXPECT_TRUE(says(env, "levels of outlet read through a bulk operation")) << env.daemon_output();
  // Level queries would read 2 x 1,200 levels, 250 a query: at least 10 of them.
  EXPECT_LE(level_reads(env, seq), 2) << env.daemon_output();
  EXPECT_EQ(env.mutations(kSource.shop, seq), 0) << "one-way: nothing written to the Source";
  EXPECT_FALSE(says(env, "failed (")) << env.daemon_output();
}

TEST(E2eBulkStart, a_first_catalog_read_is_bulk_when_product_variants_count_reaches_the_threshold) {
  e2e_env env(options());
  const auto seq = env.log_seq();
  ASSERT_TRUE(env.start_mapped()) << env.daemon_output();
  EXPECT_EQ(env.calls(kSource.shop, "ProductVariantsCount", seq, "read"), 1);
  EXPECT_EQ(env.calls(kDest.shop, "ProductVariantsCount", seq, "read"), 1);
  EXPECT_EQ(env.calls(kSource.shop, "CatalogPage", seq, ""), 0) << env.daemon_output();
  EXPECT_EQ(env.calls(kDest.shop, "CatalogPage", seq, ""), 0) << env.daemon_output();
  EXPECT_TRUE(says(env, "source holds at least 100 variants")) << env.daemon_output();
  auto j = parse(env.control("mappings", R"({"group":"big","limit":0})"));
  EXPECT_EQ(j->num("/0/identities"), kVariants);
}

TEST(E2eBulkStart, changes_made_while_and_after_the_snapshot_is_read_reach_the_destination) {
  e2e_env env(options());
  // About 4 s per store's bulk read: the first change lands while it runs.
  ASSERT_TRUE(ok(env.sim_post("/_sim/faults", R"({"bulk_objects_per_second":300})")));
  const auto during = sku_at(env, 0), after = sku_at(env, kVariants - 1);
  ASSERT_FALSE(during.empty());
  ASSERT_FALSE(after.empty());
  ASSERT_TRUE(env.start_daemon()) << env.daemon_output();
  ASSERT_TRUE(env.wait_until([&] { return says(env, "reading source's levels through a bulk operation"); }, 30s))
    << env.daemon_output();
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(ok(env.set_level(kSource.shop, during, 9)));
  ASSERT_TRUE(env.wait_until([&] { return says(env, "levels of outlet read through a bulk operation"); }, 60s))
    << env.daemon_output();
  ASSERT_TRUE(ok(env.set_level(kSource.shop, after, 2, "Outlet")));
  const std::map<std::string, std::int64_t> changed{{during, -1}, {after, -1}};
  EXPECT_TRUE(env.wait_until(
    [&] {
      return env.level(kDest.shop, during) == 9 && env.level(kDest.shop, after, "Outlet") == 2 &&
             env.level(kDest.shop, after) == 4 && env.level(kDest.shop, during, "Outlet") == 4;
    },
    60s))
    << env.daemon_output();
  EXPECT_TRUE(env.wait_until([&] { return levels_off(env, 4, changed) == 4; }, 60s))
    << levels_off(env, 4, changed) << " levels off\n"
    << env.daemon_output();
  EXPECT_FALSE(says(env, "failed (")) << env.daemon_output();
}

// The snapshot's updatedAt comes with its values: a sale after the first start is taken from its
// webhook (newer than the level's last change) without reading the level.
TEST(E2eBulkStart, a_sale_after_a_bulk_first_start_reaches_the_destination_without_a_level_read) {
  e2e_env env(options());
  ASSERT_TRUE(env.start_mapped()) << env.daemon_output();
  ASSERT_TRUE(env.wait_until([&] { return levels_off(env, 4) == 0; }, 60s)) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1100ms); // a second after every level's last change
  const auto sku = sku_at(env, 7);
  const auto seq = env.log_seq();
  ASSERT_TRUE(ok(env.sale(kSource.shop, sku)));
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDest.shop, sku) == 3; }, 30s)) << env.daemon_output();
  EXPECT_EQ(env.calls(kSource.shop, "InventoryLevels", seq, ""), 0) << env.daemon_output();
}

TEST(E2eBulkStart, a_failing_bulk_level_read_falls_back_to_level_queries) {
  e2e_env env(options());
  // Every bulk operation fails: the catalogs' (read by pages then) and the levels'.
  ASSERT_TRUE(ok(env.sim_post("/_sim/faults", R"({"bulk_fail_next":4,"bulk_fail_code":"INTERNAL_SERVER_ERROR"})")));
  const auto seq = env.log_seq();
  ASSERT_TRUE(env.start_mapped()) << env.daemon_output();
  EXPECT_TRUE(env.wait_until([&] { return levels_off(env, 4) == 0; }, 60s))
    << levels_off(env, 4) << " Destination levels not aligned\n"
    << env.daemon_output();
  EXPECT_TRUE(env.wait_until([&] { return says(env, "levels failed (") && says(env, "reads them by query"); }, 10s))
    << env.daemon_output();
  EXPECT_GE(level_reads(env, seq), 5) << "the failed store's 1,200 levels, by query";
}
