// Connecting to a store: shopsyncd keeps each store's webhook subscriptions through
// the Admin API, heals what a vanished subscription missed, names missing access scopes, and
// `doctor` names every problem of a broken configuration. Against shopify-sim over real HTTP.
#include "e2e_fixture.hpp"

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-subs.myshopify.com", "shpat_subs_source", true};
const e2e_store kDest{"dest-a", "dest-a-subs.myshopify.com", "shpat_subs_dest_a", false};

// Inventory groups need these ten topics in every store (domain/store_needs.hpp).
constexpr std::size_t kInventoryTopics = 10;

std::string webhooks_toml(int check_interval_s) {
  return "[webhooks]\npublic_url = \"@WEBHOOK_URL@\"\nmanage = true\ncheck_interval_s = " +
         std::to_string(check_interval_s) + "\n";
}

// The store's API-made subscriptions that deliver to the daemon and carry shopsync's name.
std::size_t ours(const e2e_env& env, const std::string& shop) {
  auto j = parse(env.sim_get("/_sim/subscriptions?store=" + shop));
  auto want = "http://127.0.0.1:" + std::to_string(env.webhook_port()) + "/webhooks";
  std::size_t n = 0;
  for (std::size_t i = 0; i < j->size("/subscriptions"); ++i) {
    auto p = "/subscriptions/" + std::to_string(i);
    n += j->str(p + "/uri") == want && j->str(p + "/name") == "shopsync";
  }
  return n;
}

e2e_options no_app_subscriptions(int check_interval_s) {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, {"TEE-RED-S"}, {10, 10});
  o.groups_toml = group_toml("stock", {kDest}, "one_way");
  o.sim_args = {"--no-app-subscriptions"}; // nothing reaches the daemon unless it subscribes
  o.extra_toml = webhooks_toml(check_interval_s);
  return o;
}

} // namespace

TEST(E2eSubscriptions, AStoreWithNoSubscriptionsGetsAllItNeedsAtStartAndSalesFlowThroughThem) {
  e2e_env env(no_app_subscriptions(300));
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(e2e_env::wait_until([&] { return ours(env, kSource.shop) == kInventoryTopics && ours(env, kDest.shop) == kInventoryTopics; }, 20s))
    << env.sim_get("/_sim/subscriptions?store=" + kSource.shop) << "\n" << env.daemon_output();
  // A sale reaches the daemon only through those subscriptions (reconcile is hourly here).
  ASSERT_EQ(env.level(kDest.shop, "TEE-RED-S"), 10);
  env.sale(kSource.shop, "TEE-RED-S", 3);
  EXPECT_TRUE(e2e_env::wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 7; }, 15s))
    << env.sim_get("/_sim/webhooks?store=" + kSource.shop) << env.daemon_output();
  // shopsyncctl webhooks: every wanted topic subscribed, per store.
  auto view = env.control("webhooks", R"({"store":"source"})");
  auto j = parse(view);
  ASSERT_TRUE(j->ok) << view;
  EXPECT_EQ(j->size("/0/topics"), kInventoryTopics) << view;
  for (std::size_t i = 0; i < j->size("/0/topics"); ++i)
    EXPECT_EQ(j->str("/0/topics/" + std::to_string(i) + "/state"), "subscribed") << view;
  EXPECT_EQ(j->size("/0/scopes/missing"), 0u) << view;
  // And the doctor, asked through the running daemon, finds nothing to fix.
  auto doc = env.control("doctor");
  auto d = parse(doc);
  ASSERT_TRUE(d->ok) << doc;
  EXPECT_EQ(d->str("/text").find("FAIL"), std::string::npos) << d->str("/text");
}

TEST(E2eSubscriptions, ASubscriptionDeletedWhileRunningIsRecreatedAndWhatItMissedHeals) {
  e2e_env env(no_app_subscriptions(3600)); // checks only when asked: no race with the deletion
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(e2e_env::wait_until([&] { return ours(env, kSource.shop) == kInventoryTopics; }, 20s)) << env.daemon_output();
  ASSERT_TRUE(e2e_env::wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 10; }, 10s));
  // The subscriptions are made before the group's start-up alignment reads the levels: a sale
  // before that read would reach the daemon through it, not through a webhook. Wait for it.
  ASSERT_TRUE(env.wait_settled("stock", {"sku:TEE-RED-S"})) << env.daemon_output();
  // Shopify deletes the Source's inventory_levels/update subscription (8 failed deliveries)...
  auto del = parse(env.sim_post("/_sim/subscriptions/delete",
                                R"({"store":")" + kSource.shop + R"(","topic":"inventory_levels/update"})"));
  ASSERT_EQ(del->num("/deleted"), 1);
  // ... and a sale happens meanwhile: its level change reaches nobody.
  auto since = parse(env.sim_get("/_sim/webhooks?since=999999999"))->num("/next_seq").value_or(0);
  env.sale(kSource.shop, "TEE-RED-S", 4);
  ASSERT_TRUE(env.webhooks_idle());
  auto missed = env.sim_get("/_sim/webhooks?store=" + kSource.shop + "&topic=inventory_levels/update&since=" +
                            std::to_string(since));
  ASSERT_NE(missed.find("\"state\":\"unsubscribed\""), std::string::npos) << missed;
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(env.level(kDest.shop, "TEE-RED-S"), 10) << "the sale must not have reached the daemon" << env.daemon_output();
  // The next check finds it gone: recreated, reported, and the group reconciled.
  env.control("webhooks", R"({"check":true})");
  EXPECT_TRUE(e2e_env::wait_until([&] { return ours(env, kSource.shop) == kInventoryTopics; }, 15s)) << env.daemon_output();
  EXPECT_TRUE(e2e_env::wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 6; }, 15s)) << env.daemon_output();
  auto out = env.daemon_output();
  EXPECT_NE(out.find("the subscription to inventory_levels/update has vanished"), std::string::npos) << out;
  auto view = parse(env.control("webhooks", R"({"store":"source"})"));
  EXPECT_EQ(view->num("/0/vanished"), 1);
  // Since it was recreated, a new sale flows again without help.
  env.sale(kSource.shop, "TEE-RED-S", 1);
  EXPECT_TRUE(e2e_env::wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 5; }, 15s)) << env.daemon_output();
}

TEST(E2eSubscriptions, AMissingScopeIsNamedAndAScopesUpdateTriggersANewCheck) {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, {"TEE-RED-S"}, {10, 10});
  // dest-a's installation lacks write_inventory.
  auto at = o.scenario_json.find("\"shop\":\"" + kDest.shop + "\"");
  ASSERT_NE(at, std::string::npos);
  o.scenario_json.insert(at, R"("scopes":["read_products","read_locations","read_inventory"],)");
  o.groups_toml = group_toml("stock", {kDest}, "one_way");
  o.extra_toml = webhooks_toml(3600);
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  const std::string expected = "store dest-a lacks the access scope write_inventory (needed for one-way inventory sync "
                               "(group stock))";
  EXPECT_TRUE(e2e_env::wait_until([&] { return env.daemon_output().find(expected) != std::string::npos; }, 15s))
    << env.daemon_output();
  auto view = parse(env.control("webhooks", R"({"store":"dest-a"})"));
  ASSERT_EQ(view->size("/0/scopes/missing"), 1u);
  EXPECT_EQ(view->str("/0/scopes/missing/0/scope"), "write_inventory");
  EXPECT_EQ(parse(env.control("webhooks", R"({"store":"source"})"))->size("/0/scopes/missing"), 0u);
  // The merchant approves the scope: Shopify sends app/scopes_update and the daemon checks again.
  env.sim_post("/_sim/scopes", R"({"store":")" + kDest.shop +
                                 R"(","scopes":["read_products","read_locations","read_inventory","write_inventory"]})");
  EXPECT_TRUE(e2e_env::wait_until(
    [&] { return parse(env.control("webhooks", R"({"store":"dest-a"})"))->size("/0/scopes/missing") == 0; }, 15s))
    << env.daemon_output();
  EXPECT_NE(env.daemon_output().find("the app's access scopes changed"), std::string::npos);
}

TEST(E2eSubscriptions, DoctorOnABrokenConfigurationNamesEachProblem) {
  const e2e_store bad_token{"dest-a", "dest-a-subs.myshopify.com", "shpat_subs_dest_a", false};
  const e2e_store few_scopes{"dest-b", "dest-b-subs.myshopify.com", "shpat_subs_dest_b", false};
  const e2e_store gone{"dest-c", "dest-c-subs.myshopify.com", "shpat_subs_dest_c", false};
  e2e_options o;
  o.stores = {kSource, bad_token, few_scopes, gone};
  o.scenario_json = uniform_scenario(o.stores, {"TEE-RED-S"}, {5, 5, 5, 5});
  // dest-b: no write_inventory, and a location the Source does not have instead of "Outlet".
  auto at = o.scenario_json.find("\"shop\":\"" + few_scopes.shop + "\"");
  ASSERT_NE(at, std::string::npos);
  auto end = o.scenario_json.find("\"shop\":\"" + gone.shop + "\"");
  auto part = o.scenario_json.substr(at, end - at);
  for (auto p = part.find("Outlet"); p != std::string::npos; p = part.find("Outlet"))
    part.replace(p, 6, "Pop-up Store");
  o.scenario_json.replace(at, end - at, R"("scopes":["read_products","read_locations","read_inventory"],)" + part);
  o.stores[1].auth = "static_token";  // a legacy app's token file...
  o.stores[1].token = "shpat_revoked"; // ...holding a token the store refuses
  o.groups_toml = group_toml("stock", {bad_token, few_scopes, gone}, "one_way");
  e2e_env env(o); // no [webhooks]: no public URL
  // dest-c's Admin API address answers nothing.
  std::string cfg;
  {
    std::ifstream in(env.config_path());
    std::stringstream ss;
    ss << in.rdbuf();
    cfg = ss.str();
  }
  auto c = cfg.find("name = \"dest-c\"");
  ASSERT_NE(c, std::string::npos);
  auto b = cfg.find("base_url = ", c);
  cfg.replace(b, cfg.find('\n', b) - b, "base_url = \"http://127.0.0.1:1\"");
  std::ofstream(env.config_path()) << cfg;

  child_process doctor({binary_path("shopsyncd").string(), "--config", env.config_path(), "--check-config", "--online"},
                       true);
  ASSERT_TRUE(e2e_env::wait_until([&] { return !doctor.running(); }, 60s)) << doctor.output();
  EXPECT_EQ(doctor.stop(), 1) << "a failed check must fail the command";
  auto out = doctor.output();
  auto line_with = [&](const std::string& a, const std::string& b2) {
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
      if (line.find(a) != std::string::npos && line.find(b2) != std::string::npos)
        return line;
    return std::string();
  };
  EXPECT_NE(line_with("dest-c", "FAIL  domain reachable"), "") << out;
  EXPECT_NE(line_with("dest-c", "domain reachable").find("127.0.0.1:1"), std::string::npos) << out;
  EXPECT_NE(line_with("dest-a", "FAIL  token obtained").find("refused the token"), std::string::npos) << out;
  EXPECT_NE(line_with("dest-b", "FAIL  scopes").find("write_inventory"), std::string::npos) << out;
  auto loc = line_with("dest-b", "locations found and mapped");
  EXPECT_NE(loc.find("\"Pop-up Store\" is not mapped"), std::string::npos) << out;
  EXPECT_NE(loc.find("Source location \"Outlet\" has no counterpart"), std::string::npos) << out;
  EXPECT_NE(line_with("source", "subscriptions present").find("missing: app/uninstalled"), std::string::npos) << out;
  EXPECT_NE(line_with("source", "FAIL  public URL configured").find("public_url is not set"), std::string::npos) << out;
  EXPECT_NE(line_with("source", "ok    token obtained"), "") << out;
  EXPECT_NE(line_with("source", "ok    scopes"), "") << out;
}
