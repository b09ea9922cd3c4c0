// A restart is ready from the persisted mapping: webhooks are routed and mappings answered while
// the catalogs are still being read again (here: every CatalogPage answer held for 20 s).
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-rd.myshopify.com", "shpat_rd_source", true};
const e2e_store kDest{"dest", "dest-rd.myshopify.com", "shpat_rd_dest", false};

} // namespace

TEST(E2eReady, restart_routes_webhooks_from_the_persisted_mapping_before_the_catalog_reload_finishes) {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, {"TEE-RED-S", "MUG-WHITE"}, {10, 4});
  o.groups_toml = group_toml("mirror", {kDest}, "one_way");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "MUG-WHITE") == 10; }, 15s)) << env.daemon_output();
  ASSERT_EQ(env.stop_daemon(), 0) << env.daemon_output();

  // The catalog cannot be read again for 20 s after the restart.
  auto faults = env.sim_post("/_sim/faults", R"({"latency_ms":20000,"operations":["CatalogPage"]})");
  ASSERT_EQ(faults.rfind("HTTP", 0), std::string::npos) << faults;
  ASSERT_TRUE(env.start_daemon()) << env.daemon_output();
  ASSERT_TRUE(env.wait_mapped(10s)) << env.daemon_output();
  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 3).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 7; }, 15s)) << env.daemon_output();
  auto out = env.daemon_output();
  EXPECT_NE(out.find("persisted mapping loaded"), std::string::npos) << out;
  // Routed before the reload found the mapping unchanged (it is still waiting for its first page).
  EXPECT_EQ(out.find("mapping unchanged"), std::string::npos) << out;
  env.sim_post("/_sim/faults", R"({"latency_ms":0})");
}
