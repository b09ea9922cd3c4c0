// Shopify as it really is in 2026-10, end to end: a product deleted in a Destination while
// sales go on, an oversold Source in a one-way group, and a store whose name is no URI.
// Every expectation is read from the simulator's truth (/_sim/state, /_sim/log).
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

// A store named `name` in shopsync, `slug` in its shop domain and token.
e2e_store store(const std::string& name, const std::string& slug, bool source = false) {
  return {name, slug + "-e2e.myshopify.com", "shpat_e2e_" + slug, source};
}
const e2e_store kSource = store("source", "source", true);
const e2e_store kDestA = store("dest-a", "dest-a"), kDestB = store("dest-b", "dest-b");
const std::vector<std::string> kSkus = {"TEE-RED-S", "MUG-WHITE", "CAP-GREEN"};

e2e_options one_way(const std::vector<e2e_store>& dests, const std::vector<int>& levels) {
  e2e_options o;
  o.stores = {kSource};
  o.stores.insert(o.stores.end(), dests.begin(), dests.end());
  o.scenario_json = uniform_scenario(o.stores, kSkus, levels);
  o.groups_toml = group_toml("mirror", dests, "one_way");
  return o;
}

bool all_at(const e2e_env& env, const std::vector<e2e_store>& stores, const std::string& sku, std::int64_t v) {
  for (auto& s : stores)
    if (env.level(s.shop, sku) != v)
      return false;
  return true;
}

// Admin calls of `operation` to `shop` since `seq` whose variables name the inventory item.
int calls_naming(const e2e_env& env, const std::string& shop, const std::string& operation, std::uint64_t seq,
                 std::int64_t item) {
  auto log = env.sim_get("/_sim/log?store=" + shop + "&operation=" + operation + "&since=" + std::to_string(seq));
  const std::string needle = "gid://shopify/InventoryItem/" + std::to_string(item) + "\"";
  int n = 0;
  for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1))
    ++n;
  return n;
}

} // namespace

TEST(E2eEdges, a_product_deleted_in_a_destination_is_reported_and_never_written_while_the_others_sync) {
  e2e_env env(one_way({kDestA, kDestB}, {10, 10, 10}));
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("mirror", {"sku:TEE-RED-S", "sku:MUG-WHITE", "sku:CAP-GREEN"})) << env.daemon_output();

  // The merchant deletes the tee in dest-a, while the Source goes on selling it.
  auto deleted = parse(env.sim_post("/_sim/product/delete", R"({"store":")" + kDestA.shop + R"(","sku":"TEE-RED-S"})"));
  auto item = deleted->num("/inventory_item_ids/0");
  ASSERT_TRUE(item) << env.daemon_output();
  const auto seq = env.log_seq();

  // Reported by store name and identity.
  std::string problems;
  ASSERT_TRUE(env.wait_until(
    [&] {
      problems = env.control("mappings", R"({"problems":true})");
      return problems.find("\"deleted\"") != std::string::npos;
    },
    10s))
    << problems << env.daemon_output();
  const std::string reported = R"("kind":"deleted","identity":"sku:TEE-RED-S","store":"dest-a")";
  EXPECT_NE(problems.find(reported), std::string::npos) << problems;

  // Sales go on: the other identities and the other Destination keep syncing.
  env.sale(kSource.shop, "TEE-RED-S", 3);
  env.sale(kSource.shop, "MUG-WHITE", 1);
  ASSERT_TRUE(env.wait_until([&] { return all_at(env, {kDestB}, "TEE-RED-S", 7); }, 15s)) << env.daemon_output();
  ASSERT_TRUE(env.wait_until([&] { return all_at(env, {kDestA, kDestB}, "MUG-WHITE", 9); }, 15s))
    << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1s);

  // Nothing was written to the deleted item since it was deleted (nor read, once unmapped).
  EXPECT_EQ(calls_naming(env, kDestA.shop, "InventorySet", seq, *item), 0) << env.sim_get("/_sim/log?store=" + kDestA.shop);
  EXPECT_EQ(calls_naming(env, kDestA.shop, "InventoryAdjust", seq, *item), 0);
  EXPECT_EQ(env.calls(kDestA.shop, "InventorySet", seq, "user_errors"), 0);
  // A restart loads the mapping with the deletion and still writes nothing there.
  EXPECT_EQ(env.stop_daemon(), 0);
  const auto seq2 = env.log_seq();
  ASSERT_TRUE(env.start_daemon());
  env.sale(kSource.shop, "TEE-RED-S", 1);
  ASSERT_TRUE(env.wait_until([&] { return all_at(env, {kDestB}, "TEE-RED-S", 6); }, 15s)) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  EXPECT_EQ(calls_naming(env, kDestA.shop, "InventorySet", seq2, *item), 0);
  problems = env.control("mappings", R"({"problems":true})");
  EXPECT_NE(problems.find(reported), std::string::npos) << problems;
}

TEST(E2eEdges, an_oversold_source_shows_zero_in_its_destination_which_then_stays_quiet) {
  e2e_env env(one_way({kDestA}, {3, 3}));
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("mirror", {"sku:TEE-RED-S", "sku:MUG-WHITE", "sku:CAP-GREEN"})) << env.daemon_output();

  env.set_level(kSource.shop, "TEE-RED-S", -2); // oversold: legal in Shopify
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDestA.shop, "TEE-RED-S") == 0; }, 15s))
    << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  // At rest: no write and no read loop over a few seconds.
  const auto seq = env.log_seq();
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(env.mutations(kDestA.shop, seq), 0);
  EXPECT_EQ(env.calls(kDestA.shop, "InventorySet", seq, ""), 0); // refused ones too
  EXPECT_EQ(env.calls(kDestA.shop, "InventoryLevels", seq, ""), 0);
  EXPECT_EQ(env.calls(kSource.shop, "InventoryLevels", seq, ""), 0);
  EXPECT_EQ(env.level(kSource.shop, "TEE-RED-S"), -2); // the Source is left as it is
  auto item = env.control("item", R"({"group":"mirror","identity":"sku:TEE-RED-S"})");
  EXPECT_EQ(item.find("blocked"), std::string::npos) << item;

  env.restock(kSource.shop, "TEE-RED-S", 7); // -2 -> 5
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDestA.shop, "TEE-RED-S") == 5; }, 15s))
    << env.daemon_output();
}

TEST(E2eEdges, a_store_whose_name_is_no_uri_still_gets_its_writes) {
  const e2e_store depot = store("Dépôt Nord #2", "depot-nord");
  e2e_env env(one_way({depot}, {8, 1}));
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_until([&] { return all_at(env, {depot}, "TEE-RED-S", 8); }, 20s)) << env.daemon_output();
  env.sale(kSource.shop, "TEE-RED-S", 3);
  ASSERT_TRUE(env.wait_until([&] { return all_at(env, {depot}, "TEE-RED-S", 5); }, 15s)) << env.daemon_output();
  auto log = parse(env.sim_get("/_sim/log?store=" + depot.shop + "&operation=InventorySet"));
  ASSERT_GT(log->size("/calls"), 0u);
  EXPECT_EQ(env.calls(depot.shop, "InventorySet", 0, "user_errors"), 0);
  EXPECT_EQ(log->str("/calls/0/variables/input/referenceDocumentUri").rfind(
              "gid://shopsync/SyncBatch/D%C3%A9p%C3%B4t%20Nord%20%232/", 0),
            0u)
    << log->str("/calls/0/variables/input/referenceDocumentUri");
}
