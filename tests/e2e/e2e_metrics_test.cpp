// What an operator watches, end to end against shopify-sim: /metrics (every series prefixed
// shopsync_, typed, `promtool check metrics` clean, covering the store links, webhooks, sync
// lag, unsettled levels, orders, mapping problems and reconcile rounds), the warnings an Admin
// API outage leaves in the log (naming the store and the cause, rate-limited), and /healthz
// saying "degraded" while a store is unauthorized.
#include "e2e_fixture.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-met.myshopify.com", "shpat_met_source", true};
const e2e_store kDest{"dest", "dest-met.myshopify.com", "shpat_met_dest", false};
const std::vector<std::string> kSkus = {"TEE-RED-S", "MUG-WHITE"};

std::string scrape(const e2e_env& env, const std::string& target = "/metrics") {
  http_client c("127.0.0.1", env.webhook_port());
  return c.get(target).body;
}

int healthz_status(const e2e_env& env, const std::string& target) {
  http_client c("127.0.0.1", env.webhook_port());
  return c.get(target).status;
}

// The value of one series ("name{labels}" exactly as rendered); nullopt when absent.
std::optional<double> value_of(const std::string& text, const std::string& series) {
  auto at = text.find("\n" + series + " ");
  if (at == std::string::npos)
    return std::nullopt;
  auto start = at + 1 + series.size() + 1;
  return std::strtod(text.c_str() + start, nullptr);
}

// Families (# TYPE lines) of a scrape.
std::set<std::string> families(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("# TYPE ", 0) == 0)
      out.insert(line.substr(7, line.find(' ', 7) - 7));
  return out;
}

bool have_promtool() { return std::system("command -v promtool >/dev/null 2>&1") == 0; }

// promtool check metrics on the text: its exit status and what it said.
std::pair<int, std::string> promtool_check(const std::string& text) {
  temp_dir dir{"shopsync-promtool"};
  auto in = (dir.path() / "metrics.txt").string(), out = (dir.path() / "out.txt").string();
  std::ofstream(in) << text;
  int rc = std::system(("promtool check metrics < " + in + " > " + out + " 2>&1").c_str());
  std::ifstream f(out);
  std::stringstream said;
  said << f.rdbuf();
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, said.str()};
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1))
    ++n;
  return n;
}

// The shopsync_ metric names an expression uses, histogram series (_bucket, _sum, _count) by
// their family's name when `known` has it.
std::set<std::string> metric_names(const std::string& expr, const std::set<std::string>& known) {
  std::set<std::string> out;
  const std::string prefix = "shopsync_";
  for (auto p = expr.find(prefix); p != std::string::npos; p = expr.find(prefix, p + 1)) {
    if (p > 0 && (std::isalnum(static_cast<unsigned char>(expr[p - 1])) || expr[p - 1] == '_'))
      continue;
    auto e = p;
    while (e < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[e])) || expr[e] == '_'))
      ++e;
    auto name = expr.substr(p, e - p);
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string sfx = suffix;
      if (name.size() > sfx.size() && name.compare(name.size() - sfx.size(), sfx.size(), sfx) == 0 &&
          known.count(name.substr(0, name.size() - sfx.size())))
        name = name.substr(0, name.size() - sfx.size());
    }
    out.insert(name);
  }
  return out;
}

// Every target expression of a Grafana dashboard (panels[].targets[].expr); fails on invalid JSON.
std::vector<std::string> dashboard_exprs(const std::string& json) {
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << "contrib/grafana/shopsync.json is not valid JSON";
  simdjson::dom::array panels;
  if (root["panels"].get(panels) != simdjson::SUCCESS)
    return out;
  for (auto panel : panels) {
    simdjson::dom::array targets;
    if (panel["targets"].get(targets) != simdjson::SUCCESS)
      continue;
    for (auto t : targets) {
      std::string_view expr;
      EXPECT_EQ(t["expr"].get(expr), simdjson::SUCCESS);
      out.emplace_back(expr);
    }
  }
  return out;
}

std::string source_file(const std::string& relative) {
  return read_file(std::filesystem::path(SHOPSYNC_SOURCE_DIR) / relative);
}

std::string order_group() {
  return "[[groups]]\nname = \"orders\"\nsource = \"source\"\ndestinations = [\"dest\"]\nstrategy = \"order\"\n"
         "match_by = \"sku\"\nlocations = \"by_name\"\n\n[groups.orders]\nfinancial_statuses = [\"paid\"]\n";
}

} // namespace

// A day in the life (a Destination order reaches the Source, a lost webhook is healed by a
// reconcile round), then one scrape: every family the operator's alerts and dashboard use is
// there, prefixed, typed, and promtool finds nothing to say.
TEST(E2eMetrics, metrics_cover_what_operators_alert_on_and_pass_promtool) {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {10, 10});
  o.groups_toml = order_group();
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("orders", {"sku:TEE-RED-S", "sku:MUG-WHITE"}));

  // An order in the Destination: created once in the Source, its stock carried back one-way.
  ASSERT_NE(env.sale(kDest.shop, "TEE-RED-S", 2).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.wait_until([&] { return env.order_count(kSource.shop) == 1; }, 15s)) << env.daemon_output();
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 8; }, 15s)) << env.daemon_output();
  // A sale in the Source, carried to the Destination: one sync lag observed.
  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 1).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 7; }, 15s)) << env.daemon_output();
  // A Source change whose webhook is lost: the reconcile round finds and heals it.
  ASSERT_EQ(env.sim_post("/_sim/faults", R"({"webhook_loss_next":1})").rfind("HTTP", 0), std::string::npos);
  ASSERT_NE(env.restock(kSource.shop, "MUG-WHITE", 5).rfind("HTTP", 0), 0u);
  ASSERT_TRUE(env.webhooks_idle());
  env.control("reconcile", R"({"group":"orders"})");
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "MUG-WHITE") == 15; }, 15s)) << env.daemon_output();
  ASSERT_TRUE(env.wait_until(
    [&] { return env.daemon_output().find("reconcile group orders round 1: store source: 4 levels read, 1 differed") !=
                 std::string::npos; },
    10s))
    << env.daemon_output();

  std::string m;
  ASSERT_TRUE(env.wait_until(
    [&] {
      m = scrape(env);
      return value_of(m, "shopsync_orders{group=\"orders\",state=\"created\"}") == 1.0 &&
             value_of(m, "shopsync_levels_unsettled{group=\"orders\"}") == 0.0;
    },
    20s))
    << m;
  for (auto& f : families(m))
    EXPECT_EQ(f.rfind("shopsync_", 0), 0u) << f << " is not prefixed shopsync_";
  auto have = families(m);
  for (auto* f : {"shopsync_admin_requests_total", "shopsync_admin_request_duration_seconds",
                  "shopsync_admin_throttled_total", "shopsync_admin_bucket_available_points",
                  "shopsync_admin_bucket_maximum_points", "shopsync_store_unauthorized", "shopsync_token_expiry_seconds",
                  "shopsync_webhooks_total", "shopsync_webhook_ack_seconds",
                  "shopsync_webhook_last_received_timestamp_seconds", "shopsync_inbox_depth",
                  "shopsync_inbox_batch_size", "shopsync_inbox_queue_seconds", "shopsync_inbox_write_seconds",
                  "shopsync_sync_lag_seconds", "shopsync_levels_unsettled", "shopsync_levels_stuck",
                  "shopsync_levels_unsettled_oldest_seconds", "shopsync_orders", "shopsync_mapping_problems",
                  "shopsync_reconcile_rounds_total", "shopsync_reconcile_levels_read_total",
                  "shopsync_reconcile_levels_healed_total", "shopsync_reconcile_last_round_timestamp_seconds",
                  "shopsync_order_reconcile_rounds_total"})
    EXPECT_TRUE(have.count(f)) << "missing " << f << "\n" << m;

  EXPECT_GT(value_of(m, "shopsync_admin_requests_total{store=\"source\"}").value_or(0), 0);
  EXPECT_GT(value_of(m, "shopsync_admin_bucket_maximum_points{store=\"dest\"}").value_or(0), 0);
  auto expiry = value_of(m, "shopsync_token_expiry_seconds{store=\"source\"}");
  ASSERT_TRUE(expiry) << m;
  EXPECT_GT(*expiry, 0); // the simulator's tokens last a day
  EXPECT_GE(value_of(m, "shopsync_sync_lag_seconds_count{group=\"orders\"}").value_or(0), 1) << m;
  EXPECT_EQ(value_of(m, "shopsync_reconcile_levels_healed_total{group=\"orders\",store=\"source\"}"), 1.0) << m;
  EXPECT_EQ(value_of(m, "shopsync_reconcile_rounds_total{group=\"orders\"}"), 1.0) << m;
  EXPECT_GE(value_of(m, "shopsync_inbox_write_seconds_count").value_or(0), 1) << m;
  // The Destination's order webhook: its time, by store name and topic.
  auto last = value_of(m, "shopsync_webhook_last_received_timestamp_seconds{store=\"dest\",topic=\"orders/create\"}");
  ASSERT_TRUE(last) << m;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(*last, static_cast<double>(now), 120);
  EXPECT_EQ(value_of(m, "shopsync_mapping_problems{group=\"orders\",kind=\"duplicate\"}"), 0.0) << m;

  // One info line for the order created in the Source; none per sale for an unchanged mapping.
  auto out = env.daemon_output();
  EXPECT_EQ(count_of(out, "event=order_created group=orders store=dest"), 1u) << out;
  EXPECT_EQ(out.find("mapping unchanged"), std::string::npos) << out;
  // One for the level a write of ours changed, the location by name.
  EXPECT_EQ(count_of(out, "group orders: sku:TEE-RED-S in store dest at location \"Main Warehouse\": 8 -> 7"), 1u)
    << out;

  // What the operator's tools read is what the daemon exports: every metric an alert or a
  // dashboard panel names, and every family is documented. Error series appear with the first
  // error (the 401 test below sees it; webhook_server tests see the unusable count).
  auto exported = have;
  exported.insert("shopsync_admin_errors_total");
  exported.insert("shopsync_webhooks_unusable_total");
  auto dashboard = dashboard_exprs(source_file("contrib/grafana/shopsync.json"));
  EXPECT_GE(dashboard.size(), 20u);
  for (auto& expr : dashboard)
    for (auto& name : metric_names(expr, have))
      EXPECT_TRUE(exported.count(name)) << "the dashboard uses " << name << ", which the daemon does not export";
  auto alerts = metric_names(source_file("contrib/prometheus/alerts.yml"), have);
  EXPECT_GE(alerts.size(), 10u);
  for (auto& name : alerts)
    EXPECT_TRUE(exported.count(name)) << "alerts.yml uses " << name << ", which the daemon does not export";
  auto docs = source_file("docs/metrics.md");
  for (auto& f : exported)
    EXPECT_NE(docs.find("`" + f + "`"), std::string::npos) << f << " is not documented in docs/metrics.md";

  if (!have_promtool())
    GTEST_SKIP() << "promtool not installed (Debian package prometheus; scripts/setup.sh installs it)";
  auto [rc, said] = promtool_check(m);
  EXPECT_EQ(rc, 0) << said << "\n" << m;
  EXPECT_EQ(said, "") << m;
}

// Every Admin call answered 401 for a while: the log warns (naming the store and the cause, a
// few lines, not one per request), the error and unauthorized series move, /healthz says
// degraded; once the store answers again, all of it clears and the held sale goes through.
TEST(E2eMetrics, admin_calls_refused_with_401_warn_count_and_degrade_healthz_until_they_work_again) {
  auto o = pair_options(kSource, kDest, "TEE-RED-S", 20, "stock", "two_way");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("stock", {"sku:TEE-RED-S"}));
  EXPECT_EQ(scrape(env, "/healthz"), "ok\n");
  auto before = scrape(env);
  EXPECT_FALSE(value_of(before, "shopsync_admin_errors_total{store=\"dest\",class=\"unauthorized\"}"));

  ASSERT_EQ(env.sim_post("/_sim/faults", R"({"error_rate":1.0,"error_status":401})").rfind("HTTP", 0),
            std::string::npos);
  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 3).rfind("HTTP", 0), 0u);
  // The store the daemon calls first: the Source (a read of the sale's level), or the
  // Destination when the sale's webhook is newer than what is known (taken without a read).
  std::string store;
  ASSERT_TRUE(env.wait_until(
    [&] {
      auto m = scrape(env);
      for (auto* s : {"source", "dest"})
        if (value_of(m, std::string("shopsync_store_unauthorized{store=\"") + s + "\"}") == 1.0)
          store = s;
      return !store.empty();
    }, 15s))
    << env.daemon_output();
  std::this_thread::sleep_for(4s); // refused all along (probes every second)

  auto m = scrape(env);
  EXPECT_GE(value_of(m, "shopsync_admin_errors_total{store=\"" + store + "\",class=\"unauthorized\"}").value_or(0), 2) << m;
  auto health = scrape(env, "/healthz");
  EXPECT_EQ(health.rfind("degraded\n", 0), 0u) << health;
  EXPECT_NE(health.find("store " + store + ": unauthorized"), std::string::npos) << health;
  EXPECT_EQ(healthz_status(env, "/healthz"), 200); // still takes webhooks: load balancers keep it
  EXPECT_EQ(healthz_status(env, "/healthz?strict=1"), 503);

  auto out = env.daemon_output();
  const std::string warning = "store " + store + ": Admin API";
  auto first = out.find(warning);
  ASSERT_NE(first, std::string::npos) << out;
  auto line = out.substr(out.rfind('\n', first) + 1, out.find('\n', first) - out.rfind('\n', first) - 1);
  EXPECT_NE(line.find("warning"), std::string::npos) << line;
  EXPECT_NE(line.find("(unauthorized): HTTP 401"), std::string::npos) << line;
  EXPECT_LE(count_of(out, warning), 3u) << "rate-limited: not one line per refused request\n" << out;

  // The store answers again: the probe finds it, the held change goes through, health clears.
  ASSERT_EQ(env.sim_post("/_sim/faults", R"({"error_rate":0})").rfind("HTTP", 0), std::string::npos);
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 17; }, 15s)) << env.daemon_output();
  EXPECT_TRUE(env.wait_until([&] { return scrape(env, "/healthz") == "ok\n"; }, 5s)) << scrape(env, "/healthz");
  EXPECT_EQ(value_of(scrape(env), "shopsync_store_unauthorized{store=\"" + store + "\"}"), 0.0);
}

// 503s for a few seconds: warned about (store, cause), counted as server errors, rate-limited;
// the change still lands once the store recovers.
TEST(E2eMetrics, admin_server_errors_are_warned_about_and_counted_by_class) {
  auto o = pair_options(kSource, kDest, "TEE-RED-S", 20, "stock", "one_way");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("stock", {"sku:TEE-RED-S"}));
  ASSERT_EQ(env.sim_post("/_sim/faults", R"({"error_rate":1.0,"error_status":503})").rfind("HTTP", 0),
            std::string::npos);
  ASSERT_NE(env.sale(kSource.shop, "TEE-RED-S", 1).rfind("HTTP", 0), 0u);
  // The Source (a read of the sale's level) or the Destination (the sale's webhook taken
  // without a read when newer than what is known): whichever the daemon calls.
  std::string store;
  ASSERT_TRUE(env.wait_until(
    [&] {
      auto m = scrape(env);
      for (auto* s : {"source", "dest"})
        if (value_of(m, std::string("shopsync_admin_errors_total{store=\"") + s + "\",class=\"server_error\"}").value_or(0) >= 3)
          store = s;
      return !store.empty();
    },
    15s))
    << scrape(env);
  ASSERT_EQ(env.sim_post("/_sim/faults", R"({"error_rate":0})").rfind("HTTP", 0), std::string::npos);
  // The item's own retries back off (up to 30 s between two).
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 19; }, 45s)) << env.daemon_output();
  auto out = env.daemon_output();
  auto first = out.find("(server_error): HTTP 503");
  ASSERT_NE(first, std::string::npos) << out;
  auto line = out.substr(out.rfind('\n', first) + 1, out.find('\n', first) - out.rfind('\n', first) - 1);
  EXPECT_NE(line.find("warning"), std::string::npos) << line;
  EXPECT_NE(line.find("store " + store + ": Admin API "), std::string::npos) << line;
  EXPECT_LE(count_of(out, "(server_error): HTTP 503"), 2u) << out;
  EXPECT_EQ(scrape(env, "/healthz"), "ok\n"); // a passing outage is not a degraded daemon
}
