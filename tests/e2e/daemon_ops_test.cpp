// shopsyncd as systemd runs it, without Shopify: SIGHUP reloads what can change live and keeps
// the daemon up (an invalid file is refused); the watchdog pings stop when an actor stalls.
// The unit's notify socket is played by a Unix datagram socket the test reads.
#include "io/control_client.hpp"
#include "support/child_process.hpp"
#include "support/notify_socket.hpp"
#include "support/temp_dir.hpp"
#include "support/webhook_client.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <thread>

using namespace std::chrono_literals;
using shopsync::testing::binary_path;
using shopsync::testing::child_process;
using shopsync::testing::notify_socket;
using shopsync::testing::temp_dir;
using shopsync::testing::webhook_headers;

namespace {

std::size_t count(const std::vector<std::string>& lines, const std::string& what) {
  std::size_t n = 0;
  for (auto& l : lines)
    n += l == what;
  return n;
}

class daemon_ops : public ::testing::Test {
protected:
  void SetUp() override {
    std::ofstream(dir / "token_source") << "shpat_source\n";
    std::ofstream(dir / "token_dest") << "shpat_dest\n";
    std::ofstream(dir / "webhook_secret") << "old-secret\n";
    socket = (dir / "control.sock").string();
    config = (dir / "shopsync.toml").string();
    port = shopsync::testing::free_port();
    write_config("info", "two_way");
  }

  void write_config(const std::string& log_level, const std::string& strategy) {
    std::ofstream(config, std::ios::trunc)
      << "[daemon]\n"
      << "listen = \"127.0.0.1:" << port << "\"\n"
      << "control_socket = \"" << socket << "\"\n"
      << "data_dir = \"" << (dir / "data").string() << "\"\n"
      << "webhook_secret_files = [\"webhook_secret\"]\n"
      << "log_level = \"" << log_level << "\"\n"
      << "scheduler_threads = 2\n\n"
      << "[[stores]]\nname = \"main\"\nshop_domain = \"main-test.myshopify.com\"\n"
      << "role = \"source\"\nbase_url = \"http://127.0.0.1:1\"\naccess_token_file = \"token_source\"\n\n"
      << "[[stores]]\nname = \"outlet\"\nshop_domain = \"outlet-test.myshopify.com\"\n"
      << "role = \"destination\"\nbase_url = \"http://127.0.0.1:1\"\naccess_token_file = \"token_dest\"\n\n"
      << "[[groups]]\nname = \"stock\"\nsource = \"main\"\ndestinations = [\"outlet\"]\n"
      << "strategy = \"" << strategy << "\"\nmatch_by = \"sku\"\n";
  }

  // shopsyncd with extra environment ("NAME=value"), its stderr and stdout collected.
  std::unique_ptr<child_process> start(const std::vector<std::string>& env = {}) {
    std::vector<std::string> argv{"/usr/bin/env"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {binary_path("shopsyncd").string(), "--config", config});
    auto d = std::make_unique<child_process>(argv, true);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (shopsync::control_call(socket, "ping", "{}", 1s))
        return d;
      if (!d->running())
        break;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "shopsyncd did not answer ping:\n" << d->output();
    return d;
  }

  // Waits until the daemon's output holds `text` (after `from` characters).
  bool wait_output(child_process& d, const std::string& text, std::size_t from = 0,
                   std::chrono::milliseconds limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto out = d.output();
      if (out.size() > from && out.find(text, from) != std::string::npos)
        return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  int post(const std::string& secret, const std::string& id) {
    webhook_headers h;
    h.shop = "main-test.myshopify.com";
    h.secret = secret;
    h.webhook_id = id;
    return shopsync::testing::post_webhook(
             port, R"({"inventory_item_id":1,"location_id":2,"available":3,"updated_at":"2026-12-01T00:00:00Z"})", h)
      .status;
  }

  temp_dir dir{"shopsyncd-ops"};
  std::string socket, config;
  std::uint16_t port = 0;
};

} // namespace

TEST_F(daemon_ops, sighup_reloads_log_level_and_webhook_secret_names_what_needs_a_restart_and_survives_a_bad_file) {
  auto d = start();
  ASSERT_TRUE(d->running());
  EXPECT_EQ(post("old-secret", "wh-1"), 200);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(d->output().find("event=webhook_accepted"), std::string::npos) << "debug line at level info";

  // New secret, level debug, and a group change that cannot be applied live.
  std::ofstream(dir / "webhook_secret", std::ios::trunc) << "new-secret\n";
  write_config("debug", "one_way");
  auto mark = d->output().size();
  d->signal(SIGHUP);
  ASSERT_TRUE(wait_output(*d, "reload: applied:", mark)) << d->output();
  auto out = d->output().substr(mark);
  EXPECT_NE(out.find("daemon.log_level"), std::string::npos) << out;
  EXPECT_NE(out.find("webhook secrets"), std::string::npos) << out;
  EXPECT_NE(out.find("needs a restart (not applied, the old values stay in force): groups"), std::string::npos) << out;
  EXPECT_NE(out.find("the sync groups changed"), std::string::npos) << out;
  ASSERT_TRUE(d->running()) << d->output();

  // The new secret verifies, the old one no longer; the debug line shows.
  EXPECT_EQ(post("new-secret", "wh-2"), 200);
  EXPECT_EQ(post("old-secret", "wh-3"), 401);
  EXPECT_TRUE(wait_output(*d, "event=webhook_accepted", mark)) << d->output();
  // The groups it started with are still the ones it runs.
  auto status = shopsync::control_call(socket, "status");
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_NE(status->find("\"two_way\""), std::string::npos) << *status;

  // An invalid file: refused with an error naming the key, nothing changes, still running.
  std::ofstream(config, std::ios::app) << "\n[daemon.nope]\n";
  std::ofstream(dir / "webhook_secret", std::ios::trunc) << "third-secret\n";
  mark = d->output().size();
  d->signal(SIGHUP);
  ASSERT_TRUE(wait_output(*d, "reload refused, still running on the previous configuration", mark)) << d->output();
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(d->running()) << d->output();
  EXPECT_TRUE(shopsync::control_call(socket, "ping", "{}", 2s));
  EXPECT_EQ(post("new-secret", "wh-4"), 200);
  EXPECT_EQ(post("third-secret", "wh-5"), 401);

  EXPECT_EQ(d->stop(20s), 0) << d->output();
}

TEST_F(daemon_ops, watchdog_pings_only_while_the_actors_answer_and_stop_when_the_router_stalls) {
  notify_socket notify((dir / "notify.sock").string());
  // WatchdogSec=0.6s: a probe every 300 ms; the router blocks for good at its 6th probe.
  auto d = start({"NOTIFY_SOCKET=" + notify.path(), "WATCHDOG_USEC=600000", "SHOPSYNC_STALL_POINT=router_watchdog",
                  "SHOPSYNC_STALL_AFTER=6"});
  ASSERT_TRUE(d->running());
  std::vector<std::string> before;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (d->output().find("stall_point: blocking") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    auto more = notify.read_for(100ms);
    before.insert(before.end(), more.begin(), more.end());
  }
  ASSERT_NE(d->output().find("stall_point: blocking"), std::string::npos) << d->output();
  EXPECT_EQ(count(before, "READY=1"), 1u);
  EXPECT_GE(count(before, "WATCHDOG=1"), 1u);
  EXPECT_LE(count(before, "WATCHDOG=1"), 5u) << "a ping without a router answer";
  // No store answers (base_url port 1): nothing mapped, nobody refused a token either.
  EXPECT_GE(count(before, "STATUS=0/1 groups syncing, 0/2 stores unauthorized, inbox depth 0"), 1u)
    << ::testing::PrintToString(before);

  // Replies already under way may still land; after that, silence while probes keep failing.
  notify.read_for(500ms);
  auto after = notify.read_for(2500ms);
  EXPECT_EQ(count(after, "WATCHDOG=1"), 0u) << ::testing::PrintToString(after);
  EXPECT_TRUE(wait_output(*d, "watchdog: the actors did not answer a probe")) << d->output();
  EXPECT_NE(d->output().find("WATCHDOG=1 withheld"), std::string::npos) << d->output();
  d->signal(SIGKILL); // a stalled router never lets the orderly shutdown finish (systemd: SIGABRT)
}
