// Connecting to stores as they are in December 2026, end to end against shopify-sim over real
// HTTP: client-credentials tokens that expire under a sync run, a revoked token or an
// uninstalled app putting a store in `unauthorized` with its writes held and drained once a
// token works again, and the authorization code grant's callback.
#include "e2e_fixture.hpp"
#include "io/hmac.hpp"
#include "io/oauth_callback.hpp"
#include "io/oauth_client.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-auth.myshopify.com", "shpat_auth_source", true};
const e2e_store kDest{"dest", "dest-auth.myshopify.com", "shpat_auth_dest", false};
const std::vector<std::string> kSkus = {"TEE-RED-S", "MUG-WHITE"};

e2e_options two_way(const e2e_store& dest, int level = 50) {
  e2e_options o;
  o.stores = {kSource, dest};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {level, level});
  o.groups_toml = group_toml("stock", {dest}, "two_way");
  return o;
}

std::unique_ptr<e2e_json> store_status(const e2e_env& env, const std::string& name) {
  auto all = parse(env.control("stores"));
  for (std::size_t i = 0; i < all->size(""); ++i)
    if (all->str("/" + std::to_string(i) + "/store") == name)
      return parse(simdjson::minify(all->root.at(i)));
  return parse("{}");
}

bool unauthorized(const e2e_env& env, const std::string& name) {
  auto s = store_status(env, name);
  bool v = false;
  return s->ok && s->root["unauthorized"].get(v) == simdjson::SUCCESS && v;
}

std::int64_t auth_stat(const e2e_env& env, const std::string& shop, const std::string& field) {
  return parse(env.sim_get("/_sim/auth?store=" + shop))->num("/" + field).value_or(-1);
}

std::string query_of(const std::string& url) {
  auto q = url.find('?');
  return q == std::string::npos ? std::string() : url.substr(q + 1);
}

std::string path_and_query(const std::string& url) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

// Replaces one query parameter's value (the rest kept as given).
std::string with_param(const std::string& query, const std::string& name, const std::string& value) {
  auto p = query.find(name + "=");
  auto end = query.find('&', p);
  return query.substr(0, p + name.size() + 1) + value + (end == std::string::npos ? "" : query.substr(end));
}

} // namespace

// A token lifetime of 3 s over a ~10 s run of sales in both stores: every change arrives once,
// no error reaches a requester or the store's status, and the tokens were really renewed.
TEST(e2e_auth, tokens_expiring_every_few_seconds_lose_and_double_nothing) {
  auto o = two_way(kDest);
  o.scenario_json.insert(1, R"("token_lifetime_s":3,)");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("stock", {"sku:TEE-RED-S", "sku:MUG-WHITE"}));
  int sold_source = 0, sold_dest = 0;
  auto until = std::chrono::steady_clock::now() + 10s;
  for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
    auto& sku = kSkus[i % 2];
    if (i % 3 == 0) {
      ASSERT_EQ(env.sale(kDest.shop, sku).rfind("HTTP", 0), std::string::npos);
      ++sold_dest;
    } else {
      ASSERT_EQ(env.sale(kSource.shop, sku).rfind("HTTP", 0), std::string::npos);
      ++sold_source;
    }
    std::this_thread::sleep_for(250ms);
  }
  // Each SKU's sales, wherever they happened, are taken off both stores exactly once.
  int sold[2] = {0, 0};
  for (int i = 0; i < sold_source + sold_dest; ++i)
    ++sold[i % 2];
  for (int k = 0; k < 2; ++k) {
    auto expected = 50 - sold[k];
    EXPECT_TRUE(env.wait_until(
      [&] { return env.level(kSource.shop, kSkus[k]) == expected && env.level(kDest.shop, kSkus[k]) == expected; }, 20s))
      << kSkus[k] << " source=" << env.level(kSource.shop, kSkus[k]).value_or(-999)
      << " dest=" << env.level(kDest.shop, kSkus[k]).value_or(-999) << " expected=" << expected << "\n"
      << env.daemon_output();
  }
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1s); // nothing more may move
  for (int k = 0; k < 2; ++k) {
    EXPECT_EQ(env.level(kSource.shop, kSkus[k]), 50 - sold[k]);
    EXPECT_EQ(env.level(kDest.shop, kSkus[k]), 50 - sold[k]);
  }
  for (auto& s : {kSource, kDest}) {
    EXPECT_GE(auth_stat(env, s.shop, "client_credentials_grants"), 3) << s.name; // renewed, not one token
    EXPECT_EQ(auth_stat(env, s.shop, "refused_grants"), 0) << s.name;
    auto st = store_status(env, s.name);
    EXPECT_EQ(st->num("/errors"), 0) << s.name << ": " << st->str("/last_error");
    EXPECT_EQ(st->str("/auth"), "client_credentials");
  }
  EXPECT_EQ(env.daemon_output().find("unauthorized"), std::string::npos) << env.daemon_output();
}

// The static path (a legacy app's token file): the token is revoked, the store becomes
// unauthorized (status, metrics, one error line), the Destination's writes are held without a
// retry loop; a new token written to the file is found by the quiet probe and the held writes
// drain, each applied once.
TEST(e2e_auth, a_revoked_token_holds_writes_until_a_new_one_works_then_they_drain_once) {
  auto dest = kDest;
  dest.auth = "static_token";
  e2e_env env(two_way(dest));
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("stock", {"sku:TEE-RED-S", "sku:MUG-WHITE"}));
  EXPECT_EQ(store_status(env, "dest")->str("/auth"), "static_token");
  env.sim_post("/_sim/auth/revoke", R"({"store":")" + kDest.shop + R"("})");
  for (int i = 0; i < 3; ++i)
    env.sale(kSource.shop, "TEE-RED-S");
  ASSERT_TRUE(env.wait_until([&] { return unauthorized(env, "dest"); }, 15s)) << env.daemon_output();
  EXPECT_EQ(env.level(kSource.shop, "TEE-RED-S"), 47);
  EXPECT_NE(env.metrics().find("shopsync_store_unauthorized{store=\"dest\"} 1"), std::string::npos) << env.metrics();
  EXPECT_NE(env.metrics().find("shopsync_store_unauthorized{store=\"source\"} 0"), std::string::npos);
  // Held: nothing reaches the store, and the refusals stay few (a probe a second, no loop).
  auto refused_before = auth_stat(env, kDest.shop, "refused_requests");
  std::this_thread::sleep_for(3s);
  auto refused_during = auth_stat(env, kDest.shop, "refused_requests") - refused_before;
  EXPECT_LE(refused_during, 8) << "a retry loop against a revoked token";
  EXPECT_EQ(env.level(kDest.shop, "TEE-RED-S"), 50);
  auto held = store_status(env, "dest");
  EXPECT_GE(held->num("/queue/writes").value_or(0) + held->num("/queue/batches").value_or(0), 1) << env.control("stores");
  // One error line per outage, naming the remedy.
  auto out = env.daemon_output();
  auto first = out.find("store dest (" + kDest.shop + ") is unauthorized");
  ASSERT_NE(first, std::string::npos) << out;
  EXPECT_EQ(out.find("store dest (" + kDest.shop + ") is unauthorized", first + 1), std::string::npos);
  EXPECT_NE(out.find("dest.token"), std::string::npos);

  // A new token: installed in the store and written to the file.
  auto seq = env.log_seq();
  env.sim_post("/_sim/auth/install", R"({"store":")" + kDest.shop + R"(","token":"shpat_auth_dest_new"})");
  std::ofstream(env.token_file("dest")) << "shpat_auth_dest_new\n";
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 47; }, 15s)) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(env.level(kDest.shop, "TEE-RED-S"), 47); // the three sales once, not twice
  EXPECT_EQ(env.level(kSource.shop, "TEE-RED-S"), 47);
  EXPECT_GE(env.mutations(kDest.shop, seq), 1);
  EXPECT_FALSE(unauthorized(env, "dest"));
  EXPECT_NE(env.metrics().find("shopsync_store_unauthorized{store=\"dest\"} 0"), std::string::npos);
  EXPECT_NE(env.daemon_output().find("store dest is authorized again"), std::string::npos);
}

// app/uninstalled makes the store unauthorized at once (no 401 needed); the client
// credentials are refused while the app is not installed; installing it again resumes the
// held writes by themselves.
TEST(e2e_auth, an_uninstalled_app_holds_the_store_until_it_is_installed_again) {
  e2e_env env(two_way(kDest));
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("stock", {"sku:TEE-RED-S", "sku:MUG-WHITE"}));
  env.sim_post("/_sim/auth/uninstall", R"({"store":")" + kDest.shop + R"("})");
  ASSERT_TRUE(env.wait_until([&] { return unauthorized(env, "dest"); }, 10s)) << env.daemon_output();
  EXPECT_NE(store_status(env, "dest")->str("/unauthorized_reason").find("uninstalled"), std::string::npos);
  env.sale(kSource.shop, "MUG-WHITE", 2);
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(env.level(kDest.shop, "MUG-WHITE"), 50);
  EXPECT_GE(auth_stat(env, kDest.shop, "refused_grants"), 1); // the probe asked, quietly
  env.sim_post("/_sim/auth/install", R"({"store":")" + kDest.shop + R"("})");
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "MUG-WHITE") == 48; }, 15s)) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(env.level(kDest.shop, "MUG-WHITE"), 48);
  EXPECT_FALSE(unauthorized(env, "dest"));
}

// A store outside the app's organization: not connected at first (unauthorized, nothing
// synced), `shopsyncctl connect` gives the install URL, the simulator's authorize endpoint
// approves and redirects to the daemon's callback; a wrong hmac or state is refused, the good
// callback stores the offline token and the store syncs.
TEST(e2e_auth, the_authorization_code_callback_refuses_a_wrong_state_or_hmac_and_connects_with_a_good_one) {
  auto dest = kDest;
  dest.auth = "authorization_code";
  e2e_env env(two_way(dest));
  ASSERT_TRUE(env.start_daemon()) << env.daemon_output();
  ASSERT_TRUE(env.wait_until([&] { return unauthorized(env, "dest"); }, 10s)) << env.control("stores");
  EXPECT_NE(store_status(env, "dest")->str("/unauthorized_reason").find("not connected"), std::string::npos);

  auto connect = parse(env.control("connect", R"({"store":"dest"})"));
  auto url = connect->str("/url");
  ASSERT_EQ(url.rfind("http://127.0.0.1:" + std::to_string(env.sim_port()) + "/admin/oauth/authorize?", 0), 0u)
    << env.control("connect", R"({"store":"dest"})");
  EXPECT_NE(url.find("client_id=sim-client-id"), std::string::npos);
  // The merchant opens it (Host: the shop) and approves: Shopify redirects to our callback.
  http_client sim("127.0.0.1", env.sim_port());
  auto approved = sim.request("GET", path_and_query(url), {}, {{"Host", kDest.shop}});
  ASSERT_EQ(approved.status, 302) << approved.body;
  auto callback = approved.headers["location"];
  ASSERT_EQ(callback.rfind("http://127.0.0.1:" + std::to_string(env.webhook_port()) + "/auth/callback?", 0), 0u)
    << callback;
  auto query = query_of(callback);

  http_client daemon("127.0.0.1", env.webhook_port());
  // A forged hmac.
  auto forged = with_param(query, "hmac", std::string(64, 'a'));
  EXPECT_EQ(daemon.get("/auth/callback?" + forged).status, 401);
  // A correctly signed callback with a state shopsync never issued.
  auto pairs = shopsync::parse_query_string(with_param(query, "state", std::string(32, 'b')));
  std::string unsigned_q;
  for (auto& [k, v] : pairs)
    if (k != "hmac")
      unsigned_q += (unsigned_q.empty() ? "" : "&") + k + "=" + shopsync::form_encode(v);
  pairs = shopsync::parse_query_string(unsigned_q);
  auto wrong_state = unsigned_q + "&hmac=" + shopsync::hmac_sha256_hex(env.webhook_secret(), shopsync::oauth_hmac_message(pairs));
  EXPECT_EQ(daemon.get("/auth/callback?" + wrong_state).status, 403);
  EXPECT_TRUE(unauthorized(env, "dest"));
  // The real one: connected, the token stored, the store usable.
  auto good = daemon.get("/auth/callback?" + query);
  EXPECT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(auth_stat(env, kDest.shop, "code_grants"), 1);
  ASSERT_TRUE(env.wait_mapped()) << env.daemon_output();
  ASSERT_TRUE(env.wait_until([&] { return !unauthorized(env, "dest"); }, 10s));
  EXPECT_EQ(store_status(env, "dest")->str("/auth"), "authorization_code");
  ASSERT_TRUE(env.wait_settled("stock", {"sku:TEE-RED-S", "sku:MUG-WHITE"}));
  env.sale(kSource.shop, "TEE-RED-S");
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 49; }, 10s)) << env.daemon_output();
  // The same callback again: its state was used.
  EXPECT_EQ(daemon.get("/auth/callback?" + query).status, 403);
  // The offline token survives a restart (kept in the state store).
  env.stop_daemon();
  ASSERT_TRUE(env.start_daemon());
  env.sale(kSource.shop, "TEE-RED-S");
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 48; }, 15s)) << env.daemon_output();
  EXPECT_EQ(auth_stat(env, kDest.shop, "code_grants"), 1);
}
