// The simulator's token endpoint and authorization: client-credentials tokens that expire,
// 401s with Shopify's body for expired, unknown and revoked tokens, the static token kept
// working, uninstall with its app/uninstalled webhook, and an authorize redirect whose hmac
// shopsync's own verifier (written separately from the simulator's signer) accepts.
#include "io/oauth_callback.hpp"
#include "sim_fixture.hpp"
#include "support/http_receiver.hpp"

#include <thread>

using namespace shopsync::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kUnauthorized =
  R"JSON({"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"})JSON";

http_response grant(sim_process& sim, const std::string& shop, const std::string& body,
                    const std::string& type = "application/x-www-form-urlencoded") {
  return sim.client().request("POST", "/admin/oauth/access_token", body, {{"Host", shop}, {"Content-Type", type}});
}

std::string token_of(const http_response& r) { return parse_json(r.body)->str("/access_token"); }

} // namespace

TEST(SimAuth, ClientCredentialsTokensWorkUntilTheyExpireAndTheStaticTokenKeepsWorking) {
  sim_process sim(small_scenario(R"("client_id":"cid","token_lifetime_s":2,)"));
  auto r = grant(sim, "alpha.myshopify.com", "grant_type=client_credentials&client_id=cid&client_secret=test-secret");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = parse_json(r.body);
  EXPECT_EQ(doc->num("/expires_in"), 2);
  EXPECT_NE(doc->str("/scope").find("write_inventory"), std::string::npos);
  auto token = doc->str("/access_token");
  EXPECT_EQ(token.rfind("shpat_", 0), 0u);
  EXPECT_EQ(sim.admin("alpha.myshopify.com", token, "Locations", R"({"first":5})").status, 200);
  // A token of one store is not another's.
  EXPECT_EQ(sim.admin("beta.myshopify.com", token, "Locations", R"({"first":5})").status, 401);
  // JSON is accepted too.
  auto j = grant(sim, "beta.myshopify.com",
                 R"({"grant_type":"client_credentials","client_id":"cid","client_secret":"test-secret"})",
                 "application/json");
  EXPECT_EQ(j.status, 200) << j.body;
  std::this_thread::sleep_for(2100ms);
  auto expired = sim.admin("alpha.myshopify.com", token, "Locations", R"({"first":5})");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.body, kUnauthorized);
  EXPECT_EQ(sim.admin("alpha.myshopify.com", "shpat_alpha", "Locations", R"({"first":5})").status, 200);
  // Wrong secret: refused with an OAuth error.
  auto bad = grant(sim, "alpha.myshopify.com", "grant_type=client_credentials&client_id=cid&client_secret=nope");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(parse_json(bad.body)->str("/error"), "invalid_client");
  auto stats = sim.get("/_sim/auth?store=alpha.myshopify.com");
  EXPECT_EQ(stats->num("/client_credentials_grants"), 1);
  EXPECT_EQ(stats->num("/refused_grants"), 1);
  EXPECT_GE(stats->num("/refused_requests"), 1);
}

TEST(SimAuth, RevokeKillsEveryTokenAndUninstallAlsoRefusesGrantsAndSaysSo) {
  http_receiver rx;
  sim_process sim(small_scenario(R"("client_id":"cid",)"), {"--webhook-url", rx.url(), "--time-scale", "0.001"});
  const std::string form = "grant_type=client_credentials&client_id=cid&client_secret=test-secret";
  auto token = token_of(grant(sim, "alpha.myshopify.com", form));
  sim.post("/_sim/auth/revoke", R"({"store":"alpha.myshopify.com"})");
  EXPECT_EQ(sim.admin("alpha.myshopify.com", token, "Locations", R"({"first":5})").status, 401);
  EXPECT_EQ(sim.admin("alpha.myshopify.com", "shpat_alpha", "Locations", R"({"first":5})").status, 401);
  // A revoked token is not an uninstalled app: a new grant works.
  auto fresh = token_of(grant(sim, "alpha.myshopify.com", form));
  EXPECT_EQ(sim.admin("alpha.myshopify.com", fresh, "Locations", R"({"first":5})").status, 200);

  sim.post("/_sim/auth/uninstall", R"({"store":"alpha.myshopify.com"})");
  EXPECT_EQ(sim.admin("alpha.myshopify.com", fresh, "Locations", R"({"first":5})").status, 401);
  EXPECT_EQ(grant(sim, "alpha.myshopify.com", form).status, 400);
  ASSERT_TRUE(rx.wait_for(1, 10s));
  auto hook = rx.requests().at(0);
  EXPECT_EQ(hook.headers["x-shopify-topic"], "app/uninstalled");
  EXPECT_EQ(hook.headers["x-shopify-shop-domain"], "alpha.myshopify.com");
  auto shop = parse_json(hook.body);
  EXPECT_EQ(shop->str("/myshopify_domain"), "alpha.myshopify.com");
  EXPECT_GT(shop->num("/id"), 0);

  sim.post("/_sim/auth/install", R"({"store":"alpha.myshopify.com","token":"shpat_alpha_2"})");
  EXPECT_EQ(grant(sim, "alpha.myshopify.com", form).status, 200);
  EXPECT_EQ(sim.admin("alpha.myshopify.com", "shpat_alpha_2", "Locations", R"({"first":5})").status, 200);
}

TEST(SimAuth, AuthorizeRedirectsWithASignedCodeThatIsExchangedOnceForAnOfflineToken) {
  sim_process sim(small_scenario(R"("client_id":"cid",)"));
  auto r = sim.client().request(
    "GET", "/admin/oauth/authorize?client_id=cid&scope=read_inventory&redirect_uri=https%3A%2F%2Fsync.example.com%2Fauth%2Fcallback&state=s123",
    {}, {{"Host", "beta.myshopify.com"}});
  ASSERT_EQ(r.status, 302) << r.body;
  auto loc = r.headers["location"];
  ASSERT_EQ(loc.rfind("https://sync.example.com/auth/callback?", 0), 0u) << loc;
  auto query = loc.substr(loc.find('?') + 1);
  EXPECT_TRUE(shopsync::verify_oauth_hmac(query, "test-secret")) << query;
  EXPECT_FALSE(shopsync::verify_oauth_hmac(query, "other-secret"));
  std::string code, state;
  for (auto& [k, v] : shopsync::parse_query_string(query)) {
    if (k == "code") code = v;
    if (k == "state") state = v;
  }
  EXPECT_EQ(state, "s123");
  auto body = "client_id=cid&client_secret=test-secret&code=" + code;
  auto t = grant(sim, "beta.myshopify.com", body);
  ASSERT_EQ(t.status, 200) << t.body;
  auto doc = parse_json(t.body);
  EXPECT_FALSE(doc->has("/expires_in")); // offline: does not expire
  EXPECT_EQ(sim.admin("beta.myshopify.com", doc->str("/access_token"), "Locations", R"({"first":5})").status, 200);
  EXPECT_EQ(grant(sim, "beta.myshopify.com", body).status, 400); // once
  EXPECT_EQ(grant(sim, "alpha.myshopify.com", "client_id=cid&client_secret=test-secret&code=" + code).status, 400);
}
