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
    "financial_status = \"PAID\"\n";
  e2e_env env(o);
  ASSERT_TRUE(env.sim_port());
  ASSERT_TRUE(env.start_daemon()) << env.daemon_output();
  ASSERT_TRUE(env.wait_mapped()) << env.daemon_output();
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
