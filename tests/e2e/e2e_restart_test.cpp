// kill -9 of shopsyncd right after a burst of webhooks was acknowledged, then a restart on the
// same data dir: what the inbox accepted is applied, nothing is lost or duplicated.
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-k9.myshopify.com", "shpat_k9_source", true};
const e2e_store kDestA{"dest-a", "dest-a-k9.myshopify.com", "shpat_k9_dest_a", false};
const e2e_store kDestB{"dest-b", "dest-b-k9.myshopify.com", "shpat_k9_dest_b", false};

// Every delivery the simulator made so far was answered 2xx (nothing pending or retrying).
bool all_acknowledged(const e2e_env& env) {
  auto j = parse(env.sim_get("/_sim/webhooks?since=0"));
  return j->num("/summary/pending") == 0;
}

} // namespace

TEST(E2eRestart, kill_9_after_acknowledged_burst_then_restart_converges_without_duplicates) {
  e2e_options o;
  o.stores = {kSource, kDestA, kDestB};
  o.scenario_json = uniform_scenario(o.stores, {"TEE-RED-S", "MUG-WHITE"}, {50, 50, 50});
  o.groups_toml =
    "[[groups]]\nname = \"stock\"\nsource = \"source\"\ndestinations = [\"dest-a\"]\nstrategy = \"two_way\"\n"
    "match_by = \"sku\"\n\n"
    "[[groups]]\nname = \"orders\"\nsource = \"source\"\ndestinations = [\"dest-b\"]\nstrategy = \"order\"\n"
    "match_by = \"sku\"\n\n[groups.orders]\nfinancial_statuses = [\"paid\"]\nname_prefix = \"B-\"\n"
    "financial_status = \"PAID\"\n"
    // A create in flight at the kill is looked up for the whole window before a re-create
    // (the simulator's search does not lag here): the shortest window keeps the test quick.
    "lookup_window_s = 5\n";
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(500ms);

  // Slow OrderCreate answers, so that the kill finds orders requested but not yet confirmed.
  ASSERT_EQ(env.sim_post("/_sim/faults", R"({"latency_ms":300,"operations":["OrderCreate"]})").rfind("HTTP", 0),
            std::string::npos);
  // The burst: TEE 5 in the Source, 5 in dest-a, 4 paid orders in dest-b; MUG 5 + 5.
  int sold = 0;
  for (int i = 0; i < 5; ++i) {
    sold += env.sale(kSource.shop, "TEE-RED-S").rfind("HTTP", 0) != 0;
    sold += env.sale(kDestA.shop, "TEE-RED-S").rfind("HTTP", 0) != 0;
    sold += env.sale(kSource.shop, "MUG-WHITE").rfind("HTTP", 0) != 0;
    sold += env.sale(kDestA.shop, "MUG-WHITE").rfind("HTTP", 0) != 0;
    if (i < 4)
      sold += env.sale(kDestB.shop, "TEE-RED-S").rfind("HTTP", 0) != 0;
  }
  ASSERT_EQ(sold, 24);
  // Kill as soon as every delivery was acknowledged: the daemon is still working through them.
  ASSERT_TRUE(env.wait_until([&] { return all_acknowledged(env); }, 10s));
  env.kill_daemon();
  auto orders_at_kill = env.app_order_count(kSource.shop);
  std::string at_kill = "at kill: " + std::to_string(orders_at_kill) + " of 4 Source orders, TEE in Source " +
                        std::to_string(env.level(kSource.shop, "TEE-RED-S").value_or(-1)) + ", in dest-a " +
                        std::to_string(env.level(kDestA.shop, "TEE-RED-S").value_or(-1));
  RecordProperty("at_kill", at_kill);
  std::cout << "[          ] " << at_kill << "\n";

  ASSERT_TRUE(env.start_daemon()) << env.daemon_output();
  ASSERT_TRUE(env.wait_mapped()) << env.daemon_output();
  // Webhooks sent while it was down are retried by the simulator; a reconcile covers the rest.
  ASSERT_TRUE(env.webhooks_idle(15s));
  env.control("reconcile", "{}");
  // TEE: 50 - 5 - 5 - 4 everywhere; MUG: 50 - 5 - 5 everywhere.
  auto converged = [&] {
    for (auto* s : {&kSource, &kDestA, &kDestB}) {
      if (env.level(s->shop, "TEE-RED-S") != 36)
        return false;
      if (env.level(s->shop, "MUG-WHITE") != 40)
        return false;
    }
    return true;
  };
  bool ok = env.wait_until(converged, 20s);
  std::string levels;
  for (auto* s : {&kSource, &kDestA, &kDestB})
    levels += s->name + ": TEE " + std::to_string(env.level(s->shop, "TEE-RED-S").value_or(-1)) + " MUG " +
              std::to_string(env.level(s->shop, "MUG-WHITE").value_or(-1)) + "; ";
  EXPECT_TRUE(ok) << levels << " orders at kill: " << orders_at_kill << "\n" << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(converged());
  EXPECT_EQ(env.app_order_count(kSource.shop), 4u) << "orders at kill: " << orders_at_kill;
  EXPECT_TRUE(env.wait_until([&] { return env.inbox_depth() == 0; }, 10s)) << env.control("status");
  EXPECT_EQ(env.stop_daemon(), 0);
}

// A mapping change that alters a live identity's layout (here its locations, after a config
// change and a restart): the running item actor takes the new layout itself, once nothing of
// its old life is in flight, and from then on only the new layout syncs.
TEST(E2eRestart, a_changed_location_mapping_reaches_a_live_item_as_a_new_state) {
  const e2e_store src{"source", "source-remap.myshopify.com", "shpat_remap_source", true};
  const e2e_store dst{"dest-a", "dest-a-remap.myshopify.com", "shpat_remap_dest", false};
  e2e_options o;
  o.stores = {src, dst};
  o.scenario_json = uniform_scenario(o.stores, {"REMAP-1"}, {10, 10});
  auto group = [](const std::string& locations) {
    return "[[groups]]\nname = \"stock\"\nsource = \"source\"\ndestinations = [\"dest-a\"]\n"
           "strategy = \"two_way\"\nmatch_by = \"sku\"\n" + locations;
  };
  o.groups_toml = group("locations = \"by_name\"\n");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("stock", {"sku:REMAP-1"})) << env.daemon_output();
  ASSERT_EQ(env.stop_daemon(), 0) << env.daemon_output();

  // Only Main Warehouse from now on. The catalog reload that brings the new mapping is held
  // back, so the identity's actor is live (started by a sale) when the new layout arrives.
  env.set_groups(group("locations = \"explicit\"\n\n[[groups.location_pairs]]\nsource = \"Main Warehouse\"\n"
                       "store = \"dest-a\"\ndestination = \"Main Warehouse\"\n"));
  ASSERT_EQ(env.sim_post("/_sim/faults", R"({"latency_ms":3000,"operations":["CatalogPage"]})").rfind("HTTP", 0),
            std::string::npos);
  ASSERT_TRUE(env.start_daemon()) << env.daemon_output();
  ASSERT_TRUE(env.wait_mapped(10s)) << env.daemon_output();
  ASSERT_NE(env.sale(dst.shop, "REMAP-1", 1, "Outlet").rfind("HTTP", 0), 0u);
  // The old layout still maps Outlet: the sale reaches the Source there.
  EXPECT_TRUE(env.wait_until([&] { return env.level(src.shop, "REMAP-1", "Outlet") == 9; }, 10s))
    << env.daemon_output();
  env.sim_post("/_sim/faults", R"({"latency_ms":0})");
  const std::string view_args = R"({"group":"stock","identity":"sku:REMAP-1"})";
  auto levels_in_view = [&] {
    auto v = env.control("item", view_args);
    std::size_t n = 0;
    for (auto at = v.find("\"location\":"); at != std::string::npos; at = v.find("\"location\":", at + 1))
      ++n;
    return n;
  };
  EXPECT_TRUE(env.wait_until([&] { return levels_in_view() == 2; }, 15s)) << env.control("item", view_args);
  auto out = env.daemon_output();
  EXPECT_NE(out.find("identity=sku:REMAP-1: mapping changed under a live actor, starting a new state"),
            std::string::npos)
    << out;
  ASSERT_TRUE(env.wait_settled("stock", {"sku:REMAP-1"})) << env.control("item", view_args);

  // The new life: Outlet no longer syncs, Main Warehouse does.
  ASSERT_NE(env.sale(dst.shop, "REMAP-1", 2, "Outlet").rfind("HTTP", 0), 0u);
  ASSERT_NE(env.sale(dst.shop, "REMAP-1", 3, "Main Warehouse").rfind("HTTP", 0), 0u);
  EXPECT_TRUE(env.wait_until([&] { return env.level(src.shop, "REMAP-1", "Main Warehouse") == 7; }, 10s))
    << env.control("item", view_args) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(env.level(src.shop, "REMAP-1", "Outlet"), 9);
  EXPECT_EQ(env.level(dst.shop, "REMAP-1", "Outlet"), 7);
  EXPECT_EQ(env.level(dst.shop, "REMAP-1", "Main Warehouse"), 7);
}
