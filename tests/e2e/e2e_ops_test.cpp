// Operating shopsyncd against the simulator: a client secret fixed in its file takes effect on
// SIGHUP; the STATUS= line follows groups syncing and stores unauthorized; a backup restored
// into a fresh data dir brings the orders and the audit trail back, and a backup is never
// mistaken for live data.
#include "e2e_fixture.hpp"
#include "io/control_client.hpp"
#include "support/notify_socket.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;
namespace fs = std::filesystem;

namespace {

const e2e_store kSource{"source", "source-ops.myshopify.com", "shpat_ops_source", true};
const e2e_store kDest{"dest", "dest-ops.myshopify.com", "shpat_ops_dest", false};
const std::vector<std::string> kSkus = {"TEE-RED-S", "MUG-WHITE"};

bool unauthorized(const e2e_env& env, const std::string& name) {
  auto all = parse(env.control("stores"));
  for (std::size_t i = 0; i < all->size(""); ++i)
    if (all->str("/" + std::to_string(i) + "/store") == name)
      return simdjson::minify(all->root.at(i)).find("\"unauthorized\":true") != std::string::npos;
  return false;
}

// Sets environment variables for the daemons this test starts, and removes them afterwards.
class scoped_env {
public:
  explicit scoped_env(std::vector<std::pair<std::string, std::string>> vars) : vars_(std::move(vars)) {
    for (auto& [k, v] : vars_)
      ::setenv(k.c_str(), v.c_str(), 1);
  }
  ~scoped_env() {
    for (auto& [k, v] : vars_)
      ::unsetenv(k.c_str());
  }

private:
  std::vector<std::pair<std::string, std::string>> vars_;
};

std::size_t count(const std::vector<std::string>& lines, const std::string& what) {
  std::size_t n = 0;
  for (auto& l : lines)
    n += l == what;
  return n;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (auto nl = text.find('\n'); nl != std::string::npos; at = nl + 1, nl = text.find('\n', at))
    if (nl > at)
      out.push_back(text.substr(at, nl - at));
  return out;
}

// The elements of a JSON array, each minified.
std::vector<std::string> rows(const std::string& json_array) {
  std::vector<std::string> out;
  auto j = parse(json_array);
  if (j->ok && j->root.is_array())
    for (auto e : simdjson::dom::array(j->root))
      out.push_back(simdjson::minify(e));
  return out;
}

e2e_options two_way(const e2e_store& dest = kDest) {
  e2e_options o;
  o.stores = {kSource, dest};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {20, 20});
  o.groups_toml = group_toml("stock", {dest}, "two_way");
  return o;
}

} // namespace

// The client credentials grant keeps its secret in memory: only a reload can hand it a new one.
TEST(e2e_ops, a_client_secret_fixed_in_its_file_takes_effect_on_sighup) {
  e2e_env env(two_way());
  auto secret_file = fs::path(env.config_path()).parent_path() / "app-client-secret";
  std::ofstream(secret_file, std::ios::trunc) << "a-wrong-secret\n";
  ASSERT_TRUE(env.start_daemon()) << env.daemon_output();
  ASSERT_TRUE(env.wait_until([&] { return unauthorized(env, "source") && unauthorized(env, "dest"); }, 15s))
    << env.control("stores") << env.daemon_output();
  EXPECT_FALSE(env.wait_mapped(1s));

  std::ofstream(secret_file, std::ios::trunc) << env.webhook_secret() << "\n";
  env.signal_daemon(SIGHUP);
  EXPECT_TRUE(env.wait_mapped(20s)) << env.control("stores") << env.daemon_output();
  EXPECT_FALSE(unauthorized(env, "source"));
  EXPECT_FALSE(unauthorized(env, "dest"));
  auto out = env.daemon_output();
  EXPECT_NE(out.find("apps.e2e-app.client_secret_file (secret)"), std::string::npos) << out;
  EXPECT_NE(out.find("webhook secrets"), std::string::npos) << out; // the app's secret signs webhooks too

  // Webhooks verify with the new secret: a sale reaches the other store.
  ASSERT_TRUE(env.wait_settled("stock", {"sku:TEE-RED-S"}));
  env.sale(kSource.shop, "TEE-RED-S", 2);
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 18; }, 15s)) << env.daemon_output();
  EXPECT_EQ(env.stop_daemon(), 0);
}

TEST(e2e_ops, status_line_follows_groups_syncing_and_unauthorized_stores) {
  auto dest = kDest;
  dest.auth = "static_token"; // a revoked token file cannot be renewed: the store stays unauthorized
  e2e_env env(two_way(dest));
  notify_socket notify((fs::path(env.config_path()).parent_path() / "notify.sock").string());
  // WatchdogSec=1s: a probe (and a STATUS= line) every 500 ms.
  scoped_env vars({{"NOTIFY_SOCKET", notify.path()}, {"WATCHDOG_USEC", "1000000"}});
  ASSERT_TRUE(env.start_mapped());
  auto seen = [&](const std::string& line) {
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline)
      if (count(notify.read_for(500ms), line) > 0)
        return true;
    return false;
  };
  EXPECT_TRUE(seen("STATUS=1/1 groups syncing, 0/2 stores unauthorized, inbox depth 0")) << env.daemon_output();
  EXPECT_TRUE(seen("WATCHDOG=1"));

  ASSERT_TRUE(env.wait_settled("stock", {"sku:TEE-RED-S"}));
  env.sim_post("/_sim/auth/revoke", R"({"store":")" + kDest.shop + R"("})");
  env.sale(kSource.shop, "TEE-RED-S");
  ASSERT_TRUE(env.wait_until([&] { return unauthorized(env, "dest"); }, 15s)) << env.daemon_output();
  EXPECT_TRUE(seen("STATUS=1/1 groups syncing, 1/2 stores unauthorized, inbox depth 0")) << env.daemon_output();

  env.control("pause", R"({"group":"stock"})");
  EXPECT_TRUE(seen("STATUS=0/1 groups syncing, 1/2 stores unauthorized, inbox depth 0")) << env.daemon_output();
}

TEST(e2e_ops, backup_then_restore_into_a_fresh_data_dir_brings_back_orders_and_audit) {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {10, 10});
  o.groups_toml = "[[groups]]\nname = \"orders\"\nsource = \"source\"\ndestinations = [\"dest\"]\nstrategy = \"order\"\n"
                  "match_by = \"sku\"\nlocations = \"by_name\"\n";
  e2e_env env(std::move(o));
  ASSERT_TRUE(env.start_mapped());
  auto sale = env.sale(kDest.shop, "TEE-RED-S", 2);
  ASSERT_NE(sale.rfind("HTTP", 0), 0u) << sale;
  auto order_id = std::to_string(parse(sale)->num("/order_id").value_or(0));
  ASSERT_TRUE(env.wait_until([&] { return env.order_count(kSource.shop) == 1; }, 15s)) << env.daemon_output();
  ASSERT_TRUE(env.wait_until(
    [&] { return env.control("orders", "{}").find("\"state\":\"created\"") != std::string::npos; }, 10s))
    << env.control("orders", "{}");
  // Settled: the order's own echoes (its Source order's webhooks, the level moves) are in.
  ASSERT_TRUE(env.webhooks_idle());
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(env.webhooks_idle());
  auto ctl = binary_path("shopsyncctl").string();
  auto orders_before = run_program({ctl, "--socket", env.socket(), "orders"});
  auto audit_before = env.control("audit", R"({"limit":1000})");
  ASSERT_EQ(orders_before.exit_code, 0) << orders_before.output;
  ASSERT_NE(orders_before.output.find(order_id), std::string::npos) << orders_before.output;
  ASSERT_GT(parse(audit_before)->size(""), 0u) << audit_before;

  // The default place: a new folder under the data dir's backups/.
  auto data_dir = fs::path(env.state_dir()).parent_path();
  auto by_default = run_program({ctl, "--socket", env.socket(), "--json", "backup"});
  ASSERT_EQ(by_default.exit_code, 0) << by_default.output;
  auto default_dir = parse(by_default.output)->str("/backup");
  EXPECT_EQ(default_dir.rfind((data_dir / "backups").string() + "/shopsync-", 0), 0u) << by_default.output;
  EXPECT_TRUE(fs::exists(fs::path(default_dir) / "shopsync-backup.json")) << default_dir;
  EXPECT_TRUE(fs::exists(fs::path(default_dir) / "state" / "CURRENT")) << default_dir;
  // Elsewhere, named by the operator; the same name twice is refused.
  auto backup = (data_dir.parent_path() / "backup-1").string();
  auto to = run_program({ctl, "--socket", env.socket(), "backup", "--to", backup});
  ASSERT_EQ(to.exit_code, 0) << to.output;
  EXPECT_NE(to.output.find(backup), std::string::npos) << to.output;
  auto again = run_program({ctl, "--socket", env.socket(), "backup", "--to", backup});
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find("exists already"), std::string::npos) << again.output;
  ASSERT_EQ(env.stop_daemon(), 0);

  auto shopsyncd = binary_path("shopsyncd").string();
  // A backup is not live data: starting on it is refused with what to do.
  auto on_backup = run_program({shopsyncd, "--config", env.config_path(), "--data-dir", backup});
  EXPECT_EQ(on_backup.exit_code, 1) << on_backup.output;
  EXPECT_NE(on_backup.output.find("holds a backup"), std::string::npos) << on_backup.output;
  EXPECT_NE(on_backup.output.find("--restore-from"), std::string::npos) << on_backup.output;
  auto on_state = run_program({shopsyncd, "--config", env.config_path(), "--data-dir", backup + "/state"});
  EXPECT_EQ(on_state.exit_code, 1) << on_state.output;
  EXPECT_NE(on_state.output.find("is itself a RocksDB database"), std::string::npos) << on_state.output;

  // Restoring over data is refused without --force.
  auto over = run_program({shopsyncd, "--config", env.config_path(), "--restore-from", backup});
  EXPECT_EQ(over.exit_code, 1) << over.output;
  EXPECT_NE(over.output.find("already holds data"), std::string::npos) << over.output;
  EXPECT_NE(over.output.find("--force"), std::string::npos) << over.output;

  // A fresh data dir: the old one is gone (a lost disk).
  fs::rename(data_dir, data_dir.parent_path() / "data-lost");
  auto restored = run_program({shopsyncd, "--config", env.config_path(), "--restore-from", backup});
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_NE(restored.output.find("restored " + backup), std::string::npos) << restored.output;

  ASSERT_TRUE(env.start_daemon()) << env.daemon_output();
  auto orders_after = run_program({ctl, "--socket", env.socket(), "orders"});
  EXPECT_EQ(orders_after.exit_code, 0) << orders_after.output;
  for (auto& line : lines(orders_before.output))
    EXPECT_NE(orders_after.output.find(line), std::string::npos) << line << "\nnot in:\n" << orders_after.output;
  auto audit_after = run_program({ctl, "--socket", env.socket(), "audit", "--limit", "1000"});
  EXPECT_EQ(audit_after.exit_code, 0) << audit_after.output;
  // Every decision recorded before the backup is there again (the restarted daemon may add more).
  // Rows name their location, and the restarted daemon knows the Destination's location names
  // only once its catalog has read that store (until then a row shows the id): poll for it.
  auto before_rows = rows(audit_before);
  std::vector<std::string> after_rows;
  auto all_back = [&] {
    after_rows = rows(env.control("audit", R"({"limit":1000})"));
    for (auto& row : before_rows)
      if (std::find(after_rows.begin(), after_rows.end(), row) == after_rows.end())
        return false;
    return true;
  };
  EXPECT_TRUE(env.wait_until(all_back, 15s)) << env.daemon_output();
  for (auto& row : before_rows)
    EXPECT_NE(std::find(after_rows.begin(), after_rows.end(), row), after_rows.end()) << row;
  EXPECT_NE(audit_after.output.find("dest/" + order_id), std::string::npos) << audit_after.output;
  // Nothing is created twice after the restore.
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(env.order_count(kSource.shop), 1u);
  ASSERT_EQ(env.stop_daemon(), 0);

  // --force on a stopped data dir: the data it replaces is moved aside, not deleted. With
  // --data-dir the configuration (and its secrets) is not needed at all.
  auto moved = data_dir.parent_path() / "data-lost" / "backups" / fs::path(default_dir).filename();
  auto forced = run_program({shopsyncd, "--config", "/nonexistent.toml", "--data-dir", data_dir.string(), "--restore-from",
                     moved.string(), "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_NE(forced.output.find(".before-restore-"), std::string::npos) << forced.output;
}
