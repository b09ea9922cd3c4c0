// Webhooks acted on without a read when their updated_at proves them newer (the item state
// machine's "Times"): shopsyncd against shopify-sim, counting the Admin API's level reads in
// /_sim/log. Before this, every inventory_levels/update that differed from the known value
// cost an InventoryLevels read.
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-e2e.myshopify.com", "shpat_e2e_source", true};
const e2e_store kDest{"dest-a", "dest-a-e2e.myshopify.com", "shpat_e2e_dest_a", false};
const std::vector<std::string> kSkus = {"TEE-RED-S"};

bool both_at(const e2e_env& env, std::int64_t q) {
  return env.level(kSource.shop, "TEE-RED-S") == q && env.level(kDest.shop, "TEE-RED-S") == q;
}

std::string levels(const e2e_env& env) {
  auto show = [](std::optional<std::int64_t> l) { return l ? std::to_string(*l) : std::string("null"); };
  return "source=" + show(env.level(kSource.shop, "TEE-RED-S")) + " dest=" + show(env.level(kDest.shop, "TEE-RED-S"));
}

int level_reads(const e2e_env& env, std::uint64_t since) {
  return env.calls(kSource.shop, "InventoryLevels", since, "") + env.calls(kDest.shop, "InventoryLevels", since, "");
}

::testing::AssertionResult start_pair(e2e_env& env) {
  if (auto mapped = env.start_mapped(); !mapped)
    return mapped;
  if (!env.wait_settled("stock", {"sku:TEE-RED-S"}))
    return ::testing::AssertionFailure() << "not aligned in time\n" << env.daemon_output();
  if (!env.webhooks_idle())
    return ::testing::AssertionFailure() << "webhooks still pending";
  return ::testing::AssertionSuccess();
}

e2e_options pair() {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {20, 20});
  o.groups_toml = group_toml("stock", {kDest}, "two_way");
  return o;
}

} // namespace

TEST(E2eHintTime, a_plain_sale_in_each_store_of_a_two_way_pair_is_carried_without_a_level_read) {
  e2e_env env(pair());
  ASSERT_TRUE(start_pair(env));
  // The sale must fall in a later second than what the alignment read, and than our write's
  // createdAt by more than its slack (1 s): two seconds apart.
  std::this_thread::sleep_for(2100ms);
  const auto seq = env.log_seq();

  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 1).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.wait_until([&] { return both_at(env, 19); }, 10s)) << levels(env) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(2100ms);

  ASSERT_NE(env.sale(kDest.shop, "TEE-RED-S", 2).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.wait_until([&] { return both_at(env, 17); }, 10s)) << levels(env) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(500ms); // the echoes of our writes: nothing more may happen

  EXPECT_TRUE(both_at(env, 17)) << levels(env);
  EXPECT_EQ(level_reads(env, seq), 0)
    << "each sale's webhook is newer than what is known: no InventoryLevels read\n"
    << env.sim_get("/_sim/log?operation=InventoryLevels&since=" + std::to_string(seq))
    << "\naudit: " << env.control("audit", R"({"item":"sku:TEE-RED-S","limit":50})");
  EXPECT_EQ(env.mutations(kDest.shop, seq), 1);
  EXPECT_EQ(env.mutations(kSource.shop, seq), 1);
}

TEST(E2eHintTime, two_changes_in_one_second_still_converge) {
  e2e_env env(pair());
  ASSERT_TRUE(start_pair(env));
  std::this_thread::sleep_for(1100ms);
  // Two sales and a restock in a row: most likely within one second, so their webhooks carry the
  // same updated_at and cannot be ordered by it (a lower value is taken provisionally, a higher
  // one set aside, and the level read verify_after_s later); a second boundary between them makes
  // them plain newer hints. Either way the pair converges to 20 - 1 - 2 + 5.
  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 1).rfind("HTTP", 0), 0u);
  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 2).rfind("HTTP", 0), 0u);
  ASSERT_NE(env.restock(kSource.shop, "TEE-RED-S", 5).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.wait_until([&] { return both_at(env, 22); }, 10s)) << levels(env) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(both_at(env, 22)) << levels(env)
                                << "\naudit: " << env.control("audit", R"({"item":"sku:TEE-RED-S","limit":50})");
}

// A sale in the Destination right after our write there: its webhook's updated_at falls within
// the write's createdAt second (or the next one, within its slack), so the times cannot order it.
// The Destination's bucket is small (12 points, 1 a second), so our write leaves it below its
// reserve: reads are scarce there. Below both our write's result and the level before it, the
// sale is taken provisionally: carried to the Source at once, without the level read each such
// sale used to cost; the level is read once, verify_after_s later, unless a later webhook
// verified it first.
TEST(E2eHintTime, a_sale_within_the_second_of_our_write_is_carried_without_waiting_for_a_read) {
  auto o = pair();
  o.verify_after_s = 5;
  e2e_env env(o);
  ASSERT_TRUE(start_pair(env));
  ASSERT_EQ(env.sim_post("/_sim/bucket", R"({"store":")" + kDest.shop + R"(","max":12,"restore":1})").rfind("HTTP", 0),
            std::string::npos);
  std::this_thread::sleep_for(2100ms);
  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 1).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.wait_until([&] { return both_at(env, 19); }, 10s)) << levels(env) << env.daemon_output();
  const auto seq = env.log_seq();
  ASSERT_NE(env.sale(kDest.shop, "TEE-RED-S", 1).rfind("HTTP", 0), 0u); // within a second of our adjust
  ASSERT_TRUE(env.wait_until([&] { return both_at(env, 18); }, 4s)) << levels(env) << env.daemon_output();
  EXPECT_EQ(level_reads(env, seq), 0)
    << "carried before any read\naudit: " << env.control("audit", R"({"item":"sku:TEE-RED-S","limit":50})");
  std::this_thread::sleep_for(6s); // the verification
  ASSERT_TRUE(env.webhooks_idle());
  EXPECT_TRUE(both_at(env, 18)) << levels(env);
  EXPECT_LE(level_reads(env, seq), 1) << "at most the one verification read";
  const auto audit = env.control("audit", R"({"item":"sku:TEE-RED-S","limit":50})");
  EXPECT_NE(audit.find("to be verified"), std::string::npos) << "not taken provisionally (a second boundary?)\n" << audit;
}
