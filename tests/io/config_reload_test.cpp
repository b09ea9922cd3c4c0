// SIGHUP's plan: a file edited under a running daemon, loaded again, compared with what runs.
// Log level, secrets and token files change live; everything else is named as needing a
// restart, with its key, including keys this code does not know.
#include "io/config_reload.hpp"
#include "support/config_text.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

using namespace shopsync;
using shopsync::testing::temp_dir;

namespace {

std::string replace(std::string text, const std::string& from, const std::string& to) {
  return shopsync::testing::replace_once(std::move(text), from, to);
}

const std::string k_config = replace(shopsync::testing::minimal_config_text(),
                                     "webhook_secret_files = [\"webhook-secret\"]\n",
                                     "webhook_secret_files = [\"webhook-secret\"]\nlog_level = \"info\"\n");

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

class config_reload : public ::testing::Test {
protected:
  void SetUp() override {
    ::unsetenv("CREDENTIALS_DIRECTORY");
    write("main.token", "shpat_main\n");
    write("outlet.token", "shpat_outlet\n");
    write("webhook-secret", "hush\n");
    write("shopsync.toml", k_config);
    auto r = load_config_snapshot(path());
    ASSERT_TRUE(r) << r.error().message;
    running = std::move(*r);
  }
  void write(const std::string& name, const std::string& content) {
    std::ofstream(dir.path() / name, std::ios::trunc) << content;
  }
  std::string path() const { return (dir.path() / "shopsync.toml").string(); }
  reload_plan plan_for(const std::string& text) {
    write("shopsync.toml", text);
    auto next = load_config_snapshot(path());
    EXPECT_TRUE(next) << next.error().message;
    return next ? plan_reload(running, *next) : reload_plan{};
  }

  temp_dir dir{"shopsync-reload"};
  config_snapshot running;
};

} // namespace

TEST_F(config_reload, the_same_file_changes_nothing) { EXPECT_TRUE(plan_for(k_config).empty()); }

TEST_F(config_reload, log_level_and_secret_contents_change_live) {
  write("outlet.token", "shpat_outlet_new\n");
  write("webhook-secret", "rotated\n");
  auto p = plan_for(replace(k_config, "log_level = \"info\"", "log_level = \"debug\""));
  EXPECT_TRUE(p.restart.empty()) << join_keys(p.restart);
  EXPECT_TRUE(has(p.live, "daemon.log_level")) << join_keys(p.live);
  EXPECT_TRUE(has(p.live, "webhook secrets")) << join_keys(p.live);
  EXPECT_TRUE(has(p.live, "stores.outlet.access_token_file (token)")) << join_keys(p.live);
  EXPECT_FALSE(has(p.live, "stores.main.access_token_file (token)")) << join_keys(p.live);

  write("shopsync.toml", replace(k_config, "log_level = \"info\"", "log_level = \"debug\""));
  auto next = load_config_snapshot(path());
  ASSERT_TRUE(next);
  auto now = apply_live(running.cfg, next->cfg);
  EXPECT_EQ(now.daemon.log_level, "debug");
  EXPECT_EQ(now.daemon.webhook_secrets, std::vector<std::string>{"rotated"});
  EXPECT_EQ(now.find_store("outlet")->access_token, "shpat_outlet_new");
}

TEST_F(config_reload, a_token_file_renamed_changes_live_when_its_content_differs) {
  write("outlet2.token", "shpat_other\n");
  auto p = plan_for(replace(k_config, "access_token_file = \"outlet.token\"", "access_token_file = \"outlet2.token\""));
  EXPECT_TRUE(p.restart.empty()) << join_keys(p.restart);
  EXPECT_TRUE(has(p.live, "stores.outlet.access_token_file (token)")) << join_keys(p.live);
}

TEST_F(config_reload, groups_stores_and_daemon_keys_need_a_restart_and_are_named) {
  auto text = replace(k_config, "strategy = \"one_way\"", "strategy = \"two_way\"");
  text = replace(text, "listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:8081\"");
  text = replace(text, "role = \"destination\"", "role = \"destination\"\nmax_in_flight = 4");
  auto p = plan_for(text);
  EXPECT_TRUE(p.live.empty()) << join_keys(p.live);
  EXPECT_TRUE(has(p.restart, "groups")) << join_keys(p.restart);
  EXPECT_TRUE(has(p.restart, "daemon.listen")) << join_keys(p.restart);
  EXPECT_TRUE(has(p.restart, "stores.outlet.max_in_flight")) << join_keys(p.restart);
  EXPECT_EQ(p.restart.size(), 3u) << join_keys(p.restart);
  // Not taken over: the running model keeps its values.
  write("shopsync.toml", text);
  auto next = load_config_snapshot(path());
  ASSERT_TRUE(next);
  auto now = apply_live(running.cfg, next->cfg);
  EXPECT_EQ(now.daemon.listen_port, 8080);
  EXPECT_EQ(now.groups.at(0).strategy, sync_strategy::one_way);
}

TEST_F(config_reload, a_store_added_or_a_new_table_is_a_restart) {
  auto text = replace(k_config, "[[groups]]", R"([[stores]]
name = "third"
shop_domain = "third.myshopify.com"
role = "destination"
access_token_file = "outlet.token"

[webhooks]
check_interval_s = 60

[[groups]])");
  auto p = plan_for(text);
  EXPECT_TRUE(has(p.restart, "stores.third")) << join_keys(p.restart);
  EXPECT_TRUE(has(p.restart, "webhooks")) << join_keys(p.restart);
  EXPECT_TRUE(p.live.empty()) << join_keys(p.live);
}

TEST_F(config_reload, an_invalid_file_is_an_error_naming_the_key) {
  write("shopsync.toml", replace(k_config, "log_level = \"info\"", "log_level = \"loud\""));
  auto next = load_config_snapshot(path());
  ASSERT_FALSE(next);
  EXPECT_NE(next.error().message.find("log_level"), std::string::npos) << next.error().message;
  write("shopsync.toml", k_config + "\n[[groups]\n");
  EXPECT_FALSE(load_config_snapshot(path()));
}
