// Shopify's @idempotent keys as they really are in 2026-10, end to end: writes refused as "not
// applied" (ADJUST_QUANTITIES_FAILED, SERVICE_UNAVAILABLE, IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED)
// are sent again under a new key and land exactly once; an unanswered write older than its key's
// lifetime is settled by reading, never resent (the simulator forgets keys after a window, so a
// resend would apply twice). Every expectation is read from the simulator (/_sim/state, /_sim/log).
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-idem.myshopify.com", "shpat_idem_source", true};
const e2e_store kDest{"dest-a", "dest-a-idem.myshopify.com", "shpat_idem_dest_a", false};
const std::string kSku = "TEE-RED-S";

e2e_options two_way(int level) { return pair_options(kSource, kDest, kSku, level, "stock", "two_way"); }

struct adjust_call {
  std::string shop, key, outcome;
};

// InventoryAdjust calls to either store since seq, in order.
std::vector<adjust_call> adjusts(const e2e_env& env, std::uint64_t since) {
  std::vector<adjust_call> out;
  auto j = parse(env.sim_get("/_sim/log?operation=InventoryAdjust&since=" + std::to_string(since)));
  for (std::size_t i = 0; i < j->size("/calls"); ++i) {
    auto p = "/calls/" + std::to_string(i);
    out.push_back({j->str(p + "/shop"), j->str(p + "/idempotency_key"), j->str(p + "/outcome")});
  }
  return out;
}

bool both_at(const e2e_env& env, std::int64_t q) {
  return env.level(kSource.shop, kSku) == q && env.level(kDest.shop, kSku) == q;
}

std::string levels(const e2e_env& env) {
  return "source=" + std::to_string(env.level(kSource.shop, kSku).value_or(-1)) +
         " dest-a=" + std::to_string(env.level(kDest.shop, kSku).value_or(-1));
}

} // namespace

// Each "not applied, try again" code answered once: the change still lands, exactly once, and
// the attempt after a refusal goes under a new key (the refused key is never sent again).
TEST(E2eIdempotency, each_not_applied_code_once_still_converges_with_every_change_applied_once) {
  e2e_env env(two_way(20));
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("stock", {"sku:" + kSku}));
  ASSERT_TRUE(env.webhooks_idle());
  const auto seq = env.log_seq();
  struct step {
    const char* code;
    const e2e_store* sold_in;
  };
  std::int64_t expected = 20;
  for (auto s : {step{"ADJUST_QUANTITIES_FAILED", &kSource}, step{"SERVICE_UNAVAILABLE", &kDest},
                 step{"IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED", &kSource}}) {
    SCOPED_TRACE(s.code);
    auto f = env.sim_post("/_sim/faults", std::string(R"({"user_error_next":1,"user_error_code":")") + s.code +
                                            R"(","operations":["InventoryAdjust"]})");
    ASSERT_EQ(f.rfind("HTTP", 0), std::string::npos) << f;
    ASSERT_EQ(env.sale(s.sold_in->shop, kSku).rfind("HTTP", 0), std::string::npos);
    --expected;
    ASSERT_TRUE(env.wait_until([&] { return both_at(env, expected); }, 15s))
      << levels(env) << "\n" << env.control("item", R"({"group":"stock","identity":"sku:TEE-RED-S"})") << "\n"
      << env.daemon_output();
  }
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(both_at(env, 17)) << levels(env);
  auto calls = adjusts(env, seq);
  std::set<std::string> refused, applied;
  for (auto& c : calls) {
    if (c.outcome == "applied")
      applied.insert(c.key);
    else
      refused.insert(c.key);
  }
  EXPECT_EQ(applied.size(), 3u) << "one adjust per sale, each applied once";
  EXPECT_EQ(refused.size(), 3u) << "each code answered once";
  for (auto& k : refused)
    EXPECT_EQ(applied.count(k), 0u) << "a refused key sent again: " << k;
  int previous_attempt_failed = 0;
  for (auto& c : calls)
    previous_attempt_failed += c.outcome == "previous_attempt_failed";
  EXPECT_EQ(previous_attempt_failed, 0) << "a key whose attempt failed was reused";
  auto item = env.control("item", R"({"group":"stock","identity":"sku:TEE-RED-S"})");
  EXPECT_EQ(item.find("blocked"), std::string::npos) << item;
  EXPECT_EQ(env.stop_daemon(), 0);
}

// A write Shopify applied whose answer never came back, and a daemon that stops before it learns
// the outcome: restarted after the key's lifetime (1 s here, both in the simulator and in the
// daemon's config), it reads the level instead of resending, so the change is applied once.
TEST(E2eIdempotency, an_old_unanswered_write_is_settled_by_reading_not_resent) {
  auto o = two_way(20);
  o.daemon_toml = "idempotency_key_max_age_s = 1\n";
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("stock", {"sku:" + kSku}));
  ASSERT_TRUE(env.webhooks_idle());
  const auto seq = env.log_seq();
  // The next adjust applies and is never answered; keys live 1 s.
  auto f = env.sim_post("/_sim/faults",
                        R"({"lost_next":1,"lost_mode":"hang","operations":["InventoryAdjust"],"idempotency_window_s":1})");
  ASSERT_EQ(f.rfind("HTTP", 0), std::string::npos) << f;
  ASSERT_EQ(env.sale(kSource.shop, kSku).rfind("HTTP", 0), std::string::npos);
  ASSERT_TRUE(env.wait_until([&] { return adjusts(env, seq).size() == 1; }, 10s)) << env.daemon_output();
  ASSERT_TRUE(env.wait_until([&] { return both_at(env, 19); }, 5s)) << levels(env);
  env.kill_daemon(); // the batch is in the outbox, its outcome unknown to the daemon
  const auto key = adjusts(env, seq).at(0).key;
  std::this_thread::sleep_for(2500ms); // past both the simulator's window and the daemon's limit

  ASSERT_TRUE(env.start_daemon()) << env.daemon_output();
  ASSERT_TRUE(env.wait_mapped()) << env.daemon_output();
  ASSERT_TRUE(env.wait_settled("stock", {"sku:" + kSku})) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(both_at(env, 19)) << levels(env) << " (18 would be the sale applied twice)";
  int with_key = 0;
  for (auto& c : adjusts(env, seq))
    with_key += c.key == key;
  EXPECT_EQ(with_key, 1) << "the old key was sent again";
  EXPECT_GE(env.calls(kDest.shop, "InventoryLevels", seq, ""), 1) << "settled by reading the level";
  EXPECT_NE(env.daemon_output().find("not sent again"), std::string::npos) << env.daemon_output();
  EXPECT_EQ(env.stop_daemon(), 0);
}
