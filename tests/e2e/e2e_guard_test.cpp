// The guard rails, end to end against the simulator: a new group shows its plan and
// writes nothing before approval, then exactly the plan; a plan made stale by a sale is refused
// and re-made; a Source wiped to zero trips the mass-change breaker with at most the window's
// writes made, and the held writes are kept (sent on approve); a flash sale does not trip it;
// another app fighting over a level is reported once; undo restores the levels before T while
// keeping later sales.
#include "e2e_fixture.hpp"
#include "support/webhook_client.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-guard.myshopify.com", "shpat_g_source", true};
const e2e_store kDestA{"dest-a", "dest-a-guard.myshopify.com", "shpat_g_dest_a", false};
const e2e_store kDestB{"dest-b", "dest-b-guard.myshopify.com", "shpat_g_dest_b", false};
const std::vector<std::string> kSkus = {"TEE-RED-S", "MUG-WHITE", "CAP-GREEN"};
const std::vector<std::string> kLocations = {"Main Warehouse", "Outlet"};

std::vector<std::string> many_skus(int n) {
  std::vector<std::string> skus;
  for (int i = 0; i < n; ++i)
    skus.push_back("SKU-" + std::to_string(1000 + i));
  return skus;
}

// shopsyncctl's output (stdout and stderr) and exit code.
std::pair<int, std::string> ctl(const e2e_env& env, const std::string& args) {
  std::string cmd = "'" + binary_path("shopsyncctl").string() + "' --socket '" + env.socket() + "' " + args + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  while (auto n = std::fread(buf.data(), 1, buf.size(), p))
    out.append(buf.data(), n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}


std::int64_t zeros(const e2e_env& env, const e2e_store& s, const std::vector<std::string>& skus) {
  std::int64_t n = 0;
  for (auto& sku : skus)
    for (auto& loc : kLocations)
      if (env.level(s.shop, sku, loc) == 0)
        n++;
  return n;
}

bool all_at(const e2e_env& env, const std::vector<e2e_store>& stores, const std::vector<std::string>& skus,
            std::int64_t expected) {
  for (auto& s : stores)
    for (auto& sku : skus)
      for (auto& loc : kLocations)
        if (env.level(s.shop, sku, loc) != expected)
          return false;
  return true;
}

// One-way "mirror": the Source at 10, dest-a at 3, dest-b at 7; the group's start left to the
// daemon's default ("plan").
e2e_options planned_options() {
  e2e_options o;
  o.stores = {kSource, kDestA, kDestB};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {10, 3, 7});
  // No start key (the fixture would add start = "sync"): the daemon's default, "plan".
  o.groups_toml = "# start: the daemon's default\n" + group_toml("mirror", {kDestA, kDestB}, "one_way");
  return o;
}

// Waits until the group's plan lists `changes` levels (every level read).
std::unique_ptr<e2e_json> wait_plan(const e2e_env& env, const std::string& group, std::int64_t changes) {
  std::unique_ptr<e2e_json> plan;
  e2e_env::wait_until(
    [&] {
      plan = parse(env.control("plan", "{\"group\":\"" + group + "\"}"));
      return plan->num("/0/changes") == changes;
    },
    15s);
  return plan;
}

} // namespace

TEST(E2eGuard, a_new_group_writes_nothing_before_approval_and_exactly_the_plan_after_it) {
  e2e_env env(planned_options());
  auto seq = env.log_seq();
  ASSERT_TRUE(env.start_mapped());
  EXPECT_EQ(group_state(env, "mirror"), "planned");

  // 3 SKUs × 2 locations in each Destination: dest-a up by 7, dest-b up by 3.
  auto plan = wait_plan(env, "mirror", 12);
  ASSERT_EQ(plan->num("/0/changes"), 12) << env.control("plan", R"({"group":"mirror"})") << env.daemon_output();
  EXPECT_EQ(plan->str("/0/state"), "planned");
  EXPECT_EQ(plan->str("/0/stores/0/store"), "dest-a");
  EXPECT_EQ(plan->num("/0/stores/0/up"), 6);
  EXPECT_EQ(plan->num("/0/stores/0/down"), 0);
  EXPECT_EQ(plan->num("/0/stores/0/biggest/0/before"), 3);
  EXPECT_EQ(plan->num("/0/stores/0/biggest/0/after"), 10);
  EXPECT_EQ(plan->str("/0/stores/1/store"), "dest-b");
  EXPECT_EQ(plan->num("/0/stores/1/up"), 6);
  // `plan` without a group lists the held ones.
  EXPECT_EQ(parse(env.control("plan"))->str("/0/group"), "mirror");
  // As the merchant reads it: a table per store, the biggest changes, the way to approve; CSV.
  auto [code, table] = ctl(env, "plan mirror");
  EXPECT_EQ(code, 0) << table;
  EXPECT_NE(table.find("group mirror: planned, plan " + plan->str("/0/plan_id") + ", 12 levels would change"),
            std::string::npos) << table;
  EXPECT_NE(table.find("dest-a  6        6   0     0"), std::string::npos) << table;
  EXPECT_NE(table.find("Main Warehouse"), std::string::npos) << table;
  EXPECT_NE(table.find("shopsyncctl approve mirror --plan " + plan->str("/0/plan_id")), std::string::npos) << table;
  auto csv = ctl(env, "plan mirror --csv").second;
  EXPECT_EQ(csv.rfind("group,state,plan_id,store,identity,location,now,then\n", 0), 0u) << csv;
  EXPECT_NE(csv.find("mirror,planned," + plan->str("/0/plan_id") + ",dest-a,sku:CAP-GREEN,Main Warehouse,3,10\n"),
            std::string::npos) << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 13) << csv;
  EXPECT_NE(ctl(env, "status").second.find("group mirror is planned"), std::string::npos);
  EXPECT_EQ(ctl(env, "approve nosuch").first, 1);

  // Nothing is written while it waits, not even after a while.
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(env.mutations(kDestA.shop, seq), 0);
  EXPECT_EQ(env.mutations(kDestB.shop, seq), 0);
  EXPECT_EQ(env.mutations(kSource.shop, seq), 0);
  EXPECT_EQ(env.level(kDestA.shop, "TEE-RED-S"), 3);

  auto approved = parse(env.control("approve", "{\"group\":\"mirror\",\"plan\":\"" + plan->str("/0/plan_id") + "\"}"));
  ASSERT_EQ(approved->str("/approved"), "mirror") << env.control("status");
  ASSERT_TRUE(env.wait_until([&] { return all_at(env, {kDestA, kDestB}, kSkus, 10); }, 15s)) << env.daemon_output();
  EXPECT_EQ(group_state(env, "mirror"), "syncing");
  EXPECT_EQ(env.mutations(kSource.shop, seq), 0);
  // Exactly the plan: one confirmed set per planned level, nothing more.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(levels_set(env), 12u);
  // Approved once, it stays approved across a restart and syncs at once.
  ASSERT_EQ(env.stop_daemon(), 0);
  ASSERT_TRUE(env.start_daemon());
  EXPECT_EQ(group_state(env, "mirror"), "syncing");
  ASSERT_NE(env.sale(kSource.shop, "MUG-WHITE", 2).rfind("HTTP", 0), 0u);
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDestB.shop, "MUG-WHITE") == 8; }, 15s)) << env.daemon_output();
  // Its stores change (dest-b leaves): planned again, nothing written until approved.
  ASSERT_EQ(env.stop_daemon(), 0);
  env.set_groups("# start: the daemon's default\n" + group_toml("mirror", {kDestA}, "one_way"));
  ASSERT_TRUE(env.start_daemon());
  EXPECT_EQ(group_state(env, "mirror"), "planned");
  auto before = env.log_seq();
  ASSERT_NE(env.sale(kSource.shop, "MUG-WHITE", 1).rfind("HTTP", 0), 0u);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(env.mutations(kDestA.shop, before), 0);
  EXPECT_EQ(env.level(kDestA.shop, "MUG-WHITE"), 8);
}

TEST(E2eGuard, a_plan_made_stale_by_a_sale_is_refused_and_remade_never_applied_stale) {
  e2e_env env(planned_options());
  auto seq = env.log_seq();
  ASSERT_TRUE(env.start_mapped());
  auto first = wait_plan(env, "mirror", 12);
  auto stale_id = first->str("/0/plan_id");
  ASSERT_FALSE(stale_id.empty());

  // A Source sale while the group waits: counted, and the plan is re-made from it.
  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 2).rfind("HTTP", 0), 0u);
  std::unique_ptr<e2e_json> remade;
  ASSERT_TRUE(env.wait_until(
    [&] {
      remade = parse(env.control("plan", R"({"group":"mirror"})"));
      return remade->str("/0/plan_id") != stale_id && remade->num("/0/changes") == 12;
    },
    15s))
    << env.control("plan", R"({"group":"mirror"})");

  auto refused = env.control("approve", "{\"group\":\"mirror\",\"plan\":\"" + stale_id + "\"}");
  EXPECT_EQ(refused.rfind("ERROR stale_plan", 0), 0u) << refused;
  EXPECT_NE(refused.find(remade->str("/0/plan_id")), std::string::npos) << refused;
  EXPECT_EQ(group_state(env, "mirror"), "planned");
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(env.mutations(kDestA.shop, seq) + env.mutations(kDestB.shop, seq), 0);

  auto ok = env.control("approve", "{\"group\":\"mirror\",\"plan\":\"" + remade->str("/0/plan_id") + "\"}");
  ASSERT_EQ(parse(ok)->str("/approved"), "mirror") << ok;
  ASSERT_TRUE(env.wait_until(
    [&] {
      return env.level(kDestA.shop, "TEE-RED-S") == 8 && env.level(kDestB.shop, "TEE-RED-S") == 8 &&
             all_at(env, {kDestA, kDestB}, {"MUG-WHITE", "CAP-GREEN"}, 10);
    },
    15s))
    << env.daemon_output();
  // Never the stale value: each level was set once, straight to the re-made plan's value.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(levels_set(env), 12u);
}

TEST(E2eGuard, a_source_wiped_to_zero_trips_the_breaker_with_at_most_the_windows_writes_made) {
  const auto skus = many_skus(30); // 60 levels per store: 12 may drop within the window (20 %)
  e2e_options o;
  o.stores = {kSource, kDestA};
  o.scenario_json = uniform_scenario(o.stores, skus, {10, 10});
  o.groups_toml = group_toml("mirror", {kDestA}, "one_way");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  EXPECT_EQ(group_state(env, "mirror"), "syncing");
  ASSERT_TRUE(env.webhooks_idle());

  // An import empties the Source.
  for (auto& sku : skus)
    for (auto& loc : kLocations)
      env.set_level(kSource.shop, sku, 0, loc);
  ASSERT_TRUE(env.wait_until([&] { return group_state(env, "mirror") == "tripped"; }, 20s)) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1s);
  auto dropped = zeros(env, kDestA, skus);
  EXPECT_GT(dropped, 0);
  EXPECT_LE(dropped, 12) << "more than the window's writes were made";

  // Reported: the error log, /metrics, and the plan shows what is held.
  EXPECT_NE(env.daemon_output().find("breaker tripped"), std::string::npos);
  auto metrics = http_get(env.webhook_port(), "/metrics").body;
  EXPECT_NE(metrics.find("shopsync_breaker_tripped{group=\"mirror\"} 1"), std::string::npos) << metrics;
  auto plan = parse(env.control("plan"));
  EXPECT_EQ(plan->str("/0/state"), "tripped");
  EXPECT_EQ(plan->str("/0/trip/store"), "dest-a");
  EXPECT_EQ(plan->num("/0/trip/allowance"), 12);
  EXPECT_EQ(plan->num("/0/changes"), 60 - dropped) << env.control("plan");
  EXPECT_EQ(plan->num("/0/stores/0/to_zero"), 60 - dropped);

  EXPECT_EQ(plan->str("/0/reason"), "breaker");

  // Held, not dropped: still held after a restart, and approve sends them.
  ASSERT_EQ(env.stop_daemon(), 0);
  ASSERT_TRUE(env.start_daemon());
  EXPECT_EQ(group_state(env, "mirror"), "tripped");
  // After the restart the plan still says which store tripped it, when, and with which counts.
  auto again = parse(env.control("plan"));
  EXPECT_EQ(again->str("/0/trip/store"), "dest-a") << env.control("plan");
  EXPECT_EQ(again->num("/0/trip/allowance"), 12);
  EXPECT_EQ(again->num("/0/trip/mapped"), plan->num("/0/trip/mapped"));
  EXPECT_EQ(again->num("/0/trip/drops"), plan->num("/0/trip/drops"));
  EXPECT_EQ(again->str("/0/trip/at"), plan->str("/0/trip/at"));
  EXPECT_FALSE(again->str("/0/trip/at").empty());
  EXPECT_EQ(again->str("/0/reason"), "breaker");
  EXPECT_NE(again->str("/0/held_because").find("breaker tripped by store dest-a"), std::string::npos)
    << env.control("plan");
  EXPECT_NE(ctl(env, "plan mirror").second.find("why: breaker tripped by store dest-a at "), std::string::npos);
  EXPECT_NE(ctl(env, "status").second.find("why: breaker tripped by store dest-a"), std::string::npos);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(zeros(env, kDestA, skus), dropped);
  auto ok = env.control("approve", R"({"group":"mirror"})");
  ASSERT_EQ(parse(ok)->str("/approved"), "mirror") << ok;
  EXPECT_TRUE(env.wait_until([&] { return zeros(env, kDestA, skus) == 60; }, 20s))
    << zeros(env, kDestA, skus) << env.daemon_output();
  EXPECT_EQ(group_state(env, "mirror"), "syncing");
}

TEST(E2eGuard, a_flash_sale_of_hundreds_of_small_sales_does_not_trip_the_breaker) {
  const auto skus = many_skus(20);
  e2e_options o;
  o.stores = {kSource, kDestA};
  o.scenario_json = uniform_scenario(o.stores, skus, {40, 40});
  o.groups_toml = group_toml("mirror", {kDestA}, "one_way");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  // 400 sales of one unit: each level sells 10 of its 40 (Main Warehouse) or 10 (Outlet).
  for (int k = 0; k < 400; ++k)
    ASSERT_NE(env.sale(kSource.shop, skus[static_cast<std::size_t>(k) % skus.size()], 1,
                       kLocations[static_cast<std::size_t>(k / 20) % 2]).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.wait_until([&] { return all_at(env, {kDestA}, skus, 30); }, 30s)) << env.daemon_output();
  EXPECT_EQ(group_state(env, "mirror"), "syncing");
  EXPECT_EQ(env.daemon_output().find("breaker tripped"), std::string::npos);
}

TEST(E2eGuard, another_app_setting_a_destination_back_again_and_again_is_reported_once) {
  e2e_options o;
  o.stores = {kSource, kDestA};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {10, 10});
  o.groups_toml = group_toml("mirror", {kDestA}, "one_way");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  // The other app keeps dest-a's MUG-WHITE at 40; shopsync sets it back to the Source's 10.
  for (int round = 0; round < 6; ++round) {
    env.set_level(kDestA.shop, "MUG-WHITE", 40);
    ASSERT_TRUE(env.wait_until([&] { return env.level(kDestA.shop, "MUG-WHITE") == 10; }, 15s))
      << "round " << round << env.daemon_output();
  }
  auto problems = parse(env.control("mappings", R"({"group":"mirror","problems":true})"));
  ASSERT_EQ(problems->size("/0/two_writers"), 1u) << env.control("mappings", R"({"group":"mirror","problems":true})");
  EXPECT_EQ(problems->str("/0/two_writers/0/identity"), "sku:MUG-WHITE");
  EXPECT_EQ(problems->str("/0/two_writers/0/store"), "dest-a");
  EXPECT_EQ(problems->str("/0/two_writers/0/location"), "Main Warehouse");
  EXPECT_GE(problems->num("/0/two_writers/0/fights"), 3);
  EXPECT_EQ(problems->num("/0/two_writers/0/shopsync_value"), 10);
  EXPECT_EQ(problems->num("/0/two_writers/0/other_value"), 40);
  auto metrics = http_get(env.webhook_port(), "/metrics").body;
  EXPECT_NE(metrics.find("shopsync_two_writer_levels{group=\"mirror\"} 1"), std::string::npos) << metrics;
  // Reported once: one warning however long the fight goes on.
  auto out = env.daemon_output();
  std::size_t warnings = 0;
  for (auto p = out.find("another writer sets this level back"); p != std::string::npos;
       p = out.find("another writer sets this level back", p + 1))
    warnings++;
  EXPECT_EQ(warnings, 1u);
}

TEST(E2eGuard, undo_restores_the_levels_before_t_while_keeping_later_sales) {
  e2e_options o;
  o.stores = {kSource, kDestA};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {10, 10});
  o.groups_toml = group_toml("stock", {kDestA}, "two_way");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("stock", {"sku:TEE-RED-S", "sku:MUG-WHITE", "sku:CAP-GREEN"}));
  ASSERT_TRUE(env.webhooks_idle());
  // T: a whole second after everything settled (the audit's times are compared in seconds).
  auto t = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() + 1;
  std::this_thread::sleep_for(1500ms);

  // After T: a sale of 2 in the Source and one of 1 in dest-a, each carried to the other store.
  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 2).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDestA.shop, "TEE-RED-S") == 8; }, 15s)) << env.daemon_output();
  ASSERT_NE(env.sale(kDestA.shop, "TEE-RED-S", 1).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.wait_until([&] { return env.level(kSource.shop, "TEE-RED-S") == 7; }, 15s)) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());

  // The plan: shopsync took 2 from dest-a and 1 from the Source; nothing is written yet.
  auto args = "{\"group\":\"stock\",\"since\":\"" + std::to_string(t) + "\"";
  auto plan = parse(env.control("undo", args + "}"));
  ASSERT_EQ(plan->num("/levels"), 2) << env.control("undo", args + "}");
  std::map<std::string, std::int64_t> deltas;
  for (std::size_t i = 0; i < 2; ++i)
    deltas[plan->str("/writes/" + std::to_string(i) + "/store")] = *plan->num("/writes/" + std::to_string(i) + "/delta");
  EXPECT_EQ(deltas["dest-a"], 2);
  EXPECT_EQ(deltas["source"], 1);
  EXPECT_EQ(plan->str("/writes/0/location"), "Main Warehouse");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(env.level(kSource.shop, "TEE-RED-S"), 7);

  // Applied: each store is back at its level before T less its own sale since.
  auto applied = parse(env.control("undo", args + ",\"apply\":true}"));
  EXPECT_EQ(applied->num("/levels"), 2);
  ASSERT_TRUE(env.wait_until(
    [&] { return env.level(kSource.shop, "TEE-RED-S") == 8 && env.level(kDestA.shop, "TEE-RED-S") == 9; }, 15s))
    << "source " << env.level(kSource.shop, "TEE-RED-S").value_or(-1) << " dest-a "
    << env.level(kDestA.shop, "TEE-RED-S").value_or(-1) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1s); // the undo is not carried to the other store
  EXPECT_EQ(env.level(kSource.shop, "TEE-RED-S"), 8);
  EXPECT_EQ(env.level(kDestA.shop, "TEE-RED-S"), 9);
  // Audited as such, and a second undo of the same period owes nothing.
  auto audit = env.control("audit", R"({"item":"sku:TEE-RED-S","limit":200})");
  EXPECT_NE(audit.find("\"kind\":\"undone\""), std::string::npos) << audit;
  EXPECT_EQ(parse(env.control("undo", args + "}"))->num("/levels"), 0);
}

namespace {
std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
} // namespace

// One-way: the Destination follows its Source, so an undo must not only reverse shopsync's
// writes as deltas (a sale made since still counts) but keep the next alignment from setting
// the Destination straight back: the group is left planned, saying why, until the merchant
// approves (follow the Source again) or discards.
TEST(E2eGuard, undo_in_a_one_way_group_restores_the_destination_and_keeps_it_there_until_approved) {
  e2e_options o;
  o.stores = {kSource, kDestA};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {10, 10});
  // The breaker lets a whole wipe through: the writes to undo are all made.
  o.groups_toml = group_toml("mirror", {kDestA}, "one_way") + "[groups.breaker]\nmax_levels = 1000\nmin_levels = 1000\n";
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("mirror", {"sku:TEE-RED-S", "sku:MUG-WHITE", "sku:CAP-GREEN"}));
  ASSERT_TRUE(env.webhooks_idle());
  const auto t = unix_now() + 1; // the audit's times are compared in seconds
  std::this_thread::sleep_for(1500ms);

  // After T: a sale at dest-a (which the one-way group sets back up to the Source's 10), then
  // an import wipes the Source and shopsync writes the zeros through.
  ASSERT_NE(env.sale(kDestA.shop, "TEE-RED-S", 1).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.wait_until([&] { return levels_set(env) >= 1 && env.level(kDestA.shop, "TEE-RED-S") == 10; }, 15s))
    << env.daemon_output();
  for (auto& sku : kSkus)
    for (auto& loc : kLocations)
      env.set_level(kSource.shop, sku, 0, loc);
  ASSERT_TRUE(env.wait_until([&] { return zeros(env, kDestA, kSkus) == 6; }, 15s)) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  EXPECT_EQ(group_state(env, "mirror"), "syncing");

  auto args = "{\"group\":\"mirror\",\"since\":\"" + std::to_string(t) + "\"";
  auto undo = env.control("undo", args + ",\"apply\":true}");
  auto applied = parse(undo);
  ASSERT_EQ(applied->num("/levels"), 6) << undo;
  EXPECT_EQ(applied->str("/state"), "planned") << undo;
  // Before T every level held 10; TEE-RED-S sold one at dest-a's Main Warehouse since.
  auto restored = [&] {
    for (auto& sku : kSkus)
      for (auto& loc : kLocations)
        if (env.level(kDestA.shop, sku, loc) != (sku == "TEE-RED-S" && loc == "Main Warehouse" ? 9 : 10))
          return false;
    return true;
  };
  ASSERT_TRUE(env.wait_until(restored, 15s)) << env.level(kDestA.shop, "TEE-RED-S").value_or(-1)
                                             << env.daemon_output();
  EXPECT_EQ(group_state(env, "mirror"), "planned");
  auto plan = parse(env.control("plan", R"({"group":"mirror"})"));
  EXPECT_EQ(plan->str("/0/reason"), "undone") << env.control("plan", R"({"group":"mirror"})");
  EXPECT_NE(plan->str("/0/held_because").find("undo of shopsync's writes since"), std::string::npos);
  EXPECT_NE(ctl(env, "status").second.find("why: undo of shopsync's writes since"), std::string::npos);
  auto audit = env.control("audit", R"({"limit":1000})");
  std::size_t undone = 0;
  for (auto p = audit.find("\"kind\":\"undone\""); p != std::string::npos; p = audit.find("\"kind\":\"undone\"", p + 1))
    undone++;
  EXPECT_EQ(undone, 6u) << audit;

  // Still so after a while, after a Source change, and after a restart: no re-alignment.
  ASSERT_NE(env.restock(kSource.shop, "MUG-WHITE", 2).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(restored()) << env.daemon_output();
  ASSERT_EQ(env.stop_daemon(), 0);
  ASSERT_TRUE(env.start_daemon());
  EXPECT_EQ(group_state(env, "mirror"), "planned");
  EXPECT_EQ(parse(env.control("plan", R"({"group":"mirror"})"))->str("/0/reason"), "undone");
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(restored()) << env.daemon_output();
  // A second undo of the same period owes nothing.
  EXPECT_EQ(parse(env.control("undo", args + "}"))->num("/levels"), 0);

  // Approved: the Destination follows the Source again (the merchant's choice).
  auto ok = env.control("approve", R"({"group":"mirror"})");
  ASSERT_EQ(parse(ok)->str("/approved"), "mirror") << ok;
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDestA.shop, "MUG-WHITE") == 2 && zeros(env, kDestA, kSkus) == 5; }, 15s))
    << env.daemon_output();
  EXPECT_EQ(group_state(env, "mirror"), "syncing");
}

// Orders while the group is held: a Destination's order is kept (listed as held, counted in
// status and /metrics), never created in the Source before approve, and created exactly once
// after it — also when the daemon restarts while the order is held.
TEST(E2eGuard, an_order_of_a_planned_group_waits_held_and_is_created_exactly_once_after_approve) {
  e2e_options o;
  o.stores = {kSource, kDestA};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {10, 10});
  o.groups_toml = "[[groups]]\nname = \"orders\"\nsource = \"source\"\ndestinations = [\"dest-a\"]\n"
                  "strategy = \"order\"\nmatch_by = \"sku\"\nlocations = \"by_name\"\nstart = \"plan\"\n\n"
                  "[groups.orders]\nfinancial_statuses = [\"paid\"]\nlookup_window_s = 5\n";
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  EXPECT_EQ(group_state(env, "orders"), "planned");
  ASSERT_TRUE(env.webhooks_idle());

  auto sale = env.sale(kDestA.shop, "TEE-RED-S", 2);
  ASSERT_NE(sale.rfind("HTTP", 0), 0u) << sale;
  auto held = [&] {
    auto s = parse(env.control("status"));
    for (std::size_t i = 0; i < s->size("/groups"); ++i)
      if (s->str("/groups/" + std::to_string(i) + "/group") == "orders")
        return s->num("/groups/" + std::to_string(i) + "/held_orders").value_or(-1);
    return std::int64_t{-1};
  };
  ASSERT_TRUE(env.wait_until([&] { return held() == 1; }, 15s)) << env.control("status") << env.daemon_output();
  auto listed = parse(env.control("orders"));
  EXPECT_EQ(listed->str("/orders/0/state"), "held") << env.control("orders");
  EXPECT_NE(listed->str("/orders/0/reason").find("held"), std::string::npos);
  // The census of orders behind /metrics is taken at most every 15 s.
  EXPECT_TRUE(env.wait_until(
    [&] {
      return http_get(env.webhook_port(), "/metrics").body.find("shopsync_orders{group=\"orders\",state=\"held\"} 1") !=
             std::string::npos;
    },
    20s));
  EXPECT_EQ(env.app_order_count(kSource.shop), 0u) << "created while the group is planned";

  // Held across a restart: still held, still not created.
  ASSERT_EQ(env.stop_daemon(), 0);
  ASSERT_TRUE(env.start_daemon());
  EXPECT_EQ(group_state(env, "orders"), "planned");
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(held(), 1);
  EXPECT_EQ(env.app_order_count(kSource.shop), 0u);
  // Discarded: the level writes are dropped and planned again, the sale is not: still held.
  ASSERT_EQ(parse(env.control("discard", R"({"group":"orders"})"))->str("/state"), "planned");
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(held(), 1);
  EXPECT_EQ(env.app_order_count(kSource.shop), 0u);

  // Approved: created, exactly once.
  auto ok = env.control("approve", R"({"group":"orders"})");
  ASSERT_EQ(parse(ok)->str("/approved"), "orders") << ok;
  ASSERT_TRUE(env.wait_until([&] { return env.app_order_count(kSource.shop) >= 1; }, 15s)) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(env.app_order_count(kSource.shop), 1u);
  EXPECT_EQ(held(), 0);
  EXPECT_EQ(parse(env.control("orders"))->str("/orders/0/state"), "created") << env.control("orders");
  // And still once after another restart.
  ASSERT_EQ(env.stop_daemon(), 0);
  ASSERT_TRUE(env.start_daemon());
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(env.app_order_count(kSource.shop), 1u);
}
