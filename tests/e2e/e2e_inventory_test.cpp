// Inventory sync end to end: shopsyncd against shopify-sim over real HTTP. Every expectation is
// a number read from the simulator's truth (/_sim/state, /_sim/log).
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <map>
#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-e2e.myshopify.com", "shpat_e2e_source", true};
const e2e_store kDestA{"dest-a", "dest-a-e2e.myshopify.com", "shpat_e2e_dest_a", false};
const e2e_store kDestB{"dest-b", "dest-b-e2e.myshopify.com", "shpat_e2e_dest_b", false};
const e2e_store kDestC{"dest-c", "dest-c-e2e.myshopify.com", "shpat_e2e_dest_c", false};

// Every listed store holds `expected` for sku at location.
bool all_at(const e2e_env& env, const std::vector<e2e_store>& stores, const std::string& sku, std::int64_t expected,
            const std::string& location = "Main Warehouse") {
  for (auto& s : stores)
    if (env.level(s.shop, sku, location) != expected)
      return false;
  return true;
}

std::string levels_of(const e2e_env& env, const std::vector<e2e_store>& stores, const std::vector<std::string>& skus) {
  std::string out;
  for (auto& s : stores)
    for (auto& sku : skus)
      for (auto loc : {"Main Warehouse", "Outlet"}) {
        auto l = env.level(s.shop, sku, loc);
        out += s.name + "/" + sku + "/" + loc + "=" + (l ? std::to_string(*l) : "null") + " ";
      }
  return out;
}

const std::vector<std::string> kSkus = {"TEE-RED-S", "MUG-WHITE", "CAP-GREEN"};
const std::vector<std::string> kIds = {"sku:TEE-RED-S", "sku:MUG-WHITE", "sku:CAP-GREEN"};

// The Source and `dests` in the two-way group "stock", every level at `level`.
e2e_options two_way_options(const std::vector<e2e_store>& dests, int level,
                            const std::vector<std::string>& skus = kSkus) {
  e2e_options o;
  o.stores = {kSource};
  o.stores.insert(o.stores.end(), dests.begin(), dests.end());
  o.scenario_json = uniform_scenario(o.stores, skus, std::vector<int>(o.stores.size(), level));
  o.groups_toml = group_toml("stock", dests, "two_way");
  return o;
}

// The first start of a two_way_options() run, up to every identity aligned and no webhook left
// to deliver.
::testing::AssertionResult start_settled(e2e_env& env, const std::vector<std::string>& identities = kIds) {
  if (auto mapped = env.start_mapped(); !mapped)
    return mapped;
  if (!env.wait_settled("stock", identities))
    return ::testing::AssertionFailure() << "not aligned in time\n" << env.daemon_output();
  if (!env.webhooks_idle())
    return ::testing::AssertionFailure() << "webhooks still pending";
  return ::testing::AssertionSuccess();
}

} // namespace

TEST(E2eInventory, one_way_aligns_three_destinations_carries_changes_and_undoes_manual_edits) {
  std::vector<e2e_store> dests = {kDestA, kDestB, kDestC};
  e2e_options o;
  o.stores = {kSource, kDestA, kDestB, kDestC};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {10, 0, 3, 7});
  o.groups_toml = group_toml("mirror", dests, "one_way");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());

  // Initial alignment: every Destination takes the Source's value, the Source is untouched.
  ASSERT_TRUE(env.wait_until(
    [&] {
      for (auto& sku : kSkus)
        for (auto loc : {"Main Warehouse", "Outlet"})
          if (!all_at(env, o.stores, sku, 10, loc))
            return false;
      return true;
    },
    15s))
    << levels_of(env, o.stores, kSkus) << env.daemon_output();

  // A Source sale and a Source restock reach all three.
  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 2).rfind("HTTP", 0), 0u);
  ASSERT_NE(env.restock(kSource.shop, "MUG-WHITE", 5, "Outlet").rfind("HTTP", 0), 0u);
  EXPECT_TRUE(env.wait_until([&] { return all_at(env, dests, "TEE-RED-S", 8); }, 10s))
    << levels_of(env, o.stores, kSkus);
  EXPECT_TRUE(env.wait_until([&] { return all_at(env, dests, "MUG-WHITE", 15, "Outlet"); }, 10s))
    << levels_of(env, o.stores, kSkus);

  // A manual edit in a Destination is set back to the Source's value; it does not flow back.
  ASSERT_NE(env.set_level(kDestB.shop, "CAP-GREEN", 42).rfind("HTTP", 0), 0u);
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDestB.shop, "CAP-GREEN") == 10; }, 10s))
    << levels_of(env, o.stores, kSkus);
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(env.level(kSource.shop, "CAP-GREEN"), 10);
  EXPECT_EQ(env.level(kSource.shop, "TEE-RED-S"), 8);
  EXPECT_EQ(env.level(kSource.shop, "MUG-WHITE", "Outlet"), 15);
  EXPECT_TRUE(all_at(env, o.stores, "CAP-GREEN", 10)) << levels_of(env, o.stores, kSkus);
  EXPECT_TRUE(all_at(env, o.stores, "TEE-RED-S", 8)) << levels_of(env, o.stores, kSkus);
  EXPECT_TRUE(all_at(env, o.stores, "TEE-RED-S", 10, "Outlet")) << levels_of(env, o.stores, kSkus);
}

TEST(E2eInventory, two_way_counts_concurrent_sales_in_both_stores) {
  auto o = two_way_options({kDestA}, 20);
  e2e_env env(o);
  ASSERT_TRUE(start_settled(env));

  // Sales in both stores at once, from two threads, on the same two SKUs.
  int source_sold = 0, dest_sold = 0;
  std::thread other([&] {
    for (int i = 0; i < 4; ++i)
      if (env.sale(kDestA.shop, i % 2 ? "TEE-RED-S" : "MUG-WHITE", 1 + i % 2).rfind("HTTP", 0) != 0)
        dest_sold += 1 + i % 2; // TEE: 2+2, MUG: 1+1
  });
  for (int i = 0; i < 4; ++i)
    if (env.sale(kSource.shop, i % 2 ? "TEE-RED-S" : "MUG-WHITE", 1).rfind("HTTP", 0) != 0)
      source_sold += 1; // TEE: 2, MUG: 2
  other.join();
  ASSERT_EQ(source_sold, 4);
  ASSERT_EQ(dest_sold, 6);

  // TEE: 20 - 2 (source) - 4 (dest); MUG: 20 - 2 - 2.
  EXPECT_TRUE(env.wait_until(
    [&] { return all_at(env, o.stores, "TEE-RED-S", 14) && all_at(env, o.stores, "MUG-WHITE", 16); }, 15s))
    << levels_of(env, o.stores, kSkus) << "\naudit: " << env.control("audit", R"({"item":"sku:TEE-RED-S","limit":100})");
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1s); // nothing more may happen
  EXPECT_TRUE(all_at(env, o.stores, "TEE-RED-S", 14)) << levels_of(env, o.stores, kSkus);
  EXPECT_TRUE(all_at(env, o.stores, "MUG-WHITE", 16)) << levels_of(env, o.stores, kSkus);
  EXPECT_TRUE(all_at(env, o.stores, "CAP-GREEN", 20)) << levels_of(env, o.stores, kSkus);
}

TEST(E2eInventory, one_sale_is_one_write_per_other_store_then_silence_and_the_echo_is_dropped) {
  auto o = two_way_options({kDestA, kDestB}, 12);
  e2e_env env(o);
  ASSERT_TRUE(start_settled(env));
  std::this_thread::sleep_for(500ms);
  auto seq = env.log_seq();

  ASSERT_NE(env.sale(kDestA.shop, "CAP-GREEN", 3).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.wait_until([&] { return all_at(env, o.stores, "CAP-GREEN", 9); }, 10s))
    << levels_of(env, o.stores, kSkus) << env.daemon_output();
  // The writes come back as webhooks; they must cause nothing more.
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(env.mutations(kSource.shop, seq), 1);
  EXPECT_EQ(env.mutations(kDestB.shop, seq), 1);
  EXPECT_EQ(env.mutations(kDestA.shop, seq), 0);
  EXPECT_TRUE(all_at(env, o.stores, "CAP-GREEN", 9)) << levels_of(env, o.stores, kSkus);

  auto audit = env.control("audit", R"({"item":"sku:CAP-GREEN","limit":200})");
  EXPECT_NE(audit.find("\"echo_dropped\""), std::string::npos) << audit;
}

TEST(E2eInventory, an_adjust_answered_without_its_level_is_not_sent_again_and_the_level_is_re_read) {
  auto o = two_way_options({kDestA}, 12);
  e2e_env env(o);
  ASSERT_TRUE(start_settled(env));
  auto seq = env.log_seq();
  // The next inventory mutation applies but its answer lists no changes.
  ASSERT_EQ(env.sim_post("/_sim/faults", R"({"unreported_next":1})").rfind("HTTP", 0), std::string::npos);
  ASSERT_NE(env.sale(kSource.shop, "MUG-WHITE", 2).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.wait_until([&] { return all_at(env, o.stores, "MUG-WHITE", 10); }, 10s))
    << levels_of(env, o.stores, kSkus);
  // Taken as applied and checked by a read: the item is at rest (it used to retry for ever,
  // answered each time from the same outcome record).
  EXPECT_TRUE(env.wait_settled("stock", {"sku:MUG-WHITE"}, 5s))
    << env.control("item", R"({"group":"stock","identity":"sku:MUG-WHITE"})");
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(env.mutations(kDestA.shop, seq), 1) << "sent once, never again";
  EXPECT_EQ(env.mutations(kSource.shop, seq), 0);
  EXPECT_TRUE(all_at(env, o.stores, "MUG-WHITE", 10)) << levels_of(env, o.stores, kSkus);
  auto audit = env.control("audit", R"({"item":"sku:MUG-WHITE","limit":100})");
  EXPECT_NE(audit.find("level after it not reported"), std::string::npos) << audit;
}

TEST(E2eInventory, duplicated_reordered_and_lost_webhooks_heal_after_reconcile) {
  auto o = two_way_options({kDestA}, 30);
  o.sim_args = {"--seed", "7"};
  e2e_env env(o);
  ASSERT_TRUE(start_settled(env));

  ASSERT_EQ(env.sim_post("/_sim/faults", R"({"webhook_duplicate_rate":0.3,"webhook_reorder_rate":0.5,)"
                                         R"("webhook_reorder_window_ms":300,"webhook_loss_rate":0.3})")
              .rfind("HTTP", 0),
            std::string::npos);
  std::map<std::string, int> sold;
  for (int i = 0; i < 18; ++i) {
    auto& store = i % 2 ? kSource : kDestA;
    auto& sku = kSkus[i % 3];
    if (env.sale(store.shop, sku, 1).rfind("HTTP", 0) != 0)
      sold[sku] += 1;
  }
  for (auto& sku : kSkus)
    ASSERT_EQ(sold[sku], 6);
  ASSERT_TRUE(env.webhooks_idle());
  auto lost = env.sim_get("/_sim/webhooks?topic=inventory_levels/update");
  EXPECT_NE(lost.find("\"lost\""), std::string::npos) << "the seed lost no webhook: the test proves nothing";

  // Loss stays on: reconciliation must heal with what it reads. One round is enough once the
  // delivered webhooks are applied.
  std::this_thread::sleep_for(1s);
  bool converged = false;
  for (int round = 0; round < 3 && !converged; ++round) {
    env.control("reconcile", R"({"group":"stock"})");
    converged = env.wait_until(
      [&] {
        for (auto& sku : kSkus)
          if (!all_at(env, o.stores, sku, 24))
            return false;
        return true;
      },
      6s);
    if (!converged)
      ADD_FAILURE() << "not converged after reconcile round " << round + 1 << ": " << levels_of(env, o.stores, kSkus);
  }
  ASSERT_TRUE(converged) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1s);
  for (auto& sku : kSkus) {
    EXPECT_TRUE(all_at(env, o.stores, sku, 24)) << levels_of(env, o.stores, kSkus);
    EXPECT_TRUE(all_at(env, o.stores, sku, 30, "Outlet")) << levels_of(env, o.stores, kSkus);
  }
}

// A reconcile round larger than the reconciler's read window (2,000 reads in flight): it walks
// every level, a window at a time, and heals a lost webhook of the very last identity.
TEST(E2eInventory, a_reconcile_round_walks_every_level_a_window_at_a_time) {
  std::vector<std::string> skus;
  for (int i = 0; i < 1300; ++i)
    skus.push_back("WIN-" + std::to_string(10000 + i));
  auto o = two_way_options({kDestA}, 20, skus);
  e2e_env env(o);
  ASSERT_TRUE(start_settled(env, {"sku:" + skus.back()}));
  // The last identity's change in the Destination is never announced.
  ASSERT_EQ(env.sim_post("/_sim/faults", R"({"webhook_loss_next":1})").rfind("HTTP", 0), std::string::npos);
  ASSERT_NE(env.restock(kDestA.shop, skus.back(), 5).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(env.level(kSource.shop, skus.back()), 20); // nobody told shopsync
  env.control("reconcile", R"({"group":"stock"})");
  EXPECT_TRUE(env.wait_until([&] { return env.level(kSource.shop, skus.back()) == 25; }, 30s))
    << env.daemon_output();
  // 1,300 identities x 2 locations in each of the 2 stores, every one read once: one line per
  // store with the round's own counts.
  for (auto& store : {kSource.name, kDestA.name})
    EXPECT_TRUE(env.wait_until(
      [&] {
        return env.daemon_output().find("reconcile group stock round 1: store " + store +
                                        ": 2600 levels read, ") != std::string::npos;
      },
      30s))
      << store << "\n" << env.daemon_output();
  EXPECT_NE(env.daemon_output().find("store dest-a: 2600 levels read, 1 differed (healed), 0 not stocked, 0 read errors"),
            std::string::npos)
    << env.daemon_output();
}
