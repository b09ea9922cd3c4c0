// shopsyncd as a real process: start on a temporary data dir and socket, answer status over
// the socket and through shopsyncctl, stop in order on SIGTERM (exit 0, socket gone), start
// again on the same data dir.
#include "io/control_client.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <thread>

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using shopsync::testing::binary_path;
using shopsync::testing::run_program;
using shopsync::testing::run_result;
using shopsync::testing::temp_dir;

namespace {

pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::freopen(log.c_str(), "a", stderr);
    std::freopen(log.c_str(), "a", stdout);
    ::execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// Waits for a child; -1 when it did not exit in time.
int wait_exit(pid_t pid, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(20ms);
  }
  return -1;
}

class daemon_lifecycle : public ::testing::Test {
protected:
  void SetUp() override {
    std::ofstream(dir / "token_source") << "shpat_source\n";
    std::ofstream(dir / "token_dest") << "shpat_dest\n";
    std::ofstream(dir / "webhook_secret") << "hush\n";
    socket = (dir / "control.sock").string();
    config = (dir / "shopsync.toml").string();
    std::ofstream(config) << "[daemon]\n"
                          << "listen = \"127.0.0.1:" << shopsync::testing::free_port() << "\"\n"
                          << "control_socket = \"" << socket << "\"\n"
                          << "data_dir = \"" << (dir / "data").string() << "\"\n"
                          << "webhook_secret_files = [\"webhook_secret\"]\n"
                          << "log_level = \"debug\"\n"
                          << "scheduler_threads = 2\n\n"
                          << "[[stores]]\nname = \"main\"\nshop_domain = \"main-test.myshopify.com\"\n"
                          << "role = \"source\"\nbase_url = \"http://127.0.0.1:1\"\naccess_token_file = \"token_source\"\n\n"
                          << "[[stores]]\nname = \"outlet\"\nshop_domain = \"outlet-test.myshopify.com\"\n"
                          << "role = \"destination\"\nbase_url = \"http://127.0.0.1:1\"\naccess_token_file = \"token_dest\"\n\n"
                          << "[[groups]]\nname = \"stock\"\nsource = \"main\"\ndestinations = [\"outlet\"]\n"
                          << "strategy = \"two_way\"\nmatch_by = \"sku\"\n";
    log = (dir / "daemon.log").string();
  }

  pid_t start_daemon() {
    auto pid = spawn({binary_path("shopsyncd").string(), "--config", config}, log);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (shopsync::control_call(socket, "ping", "{}", 1s))
        return pid;
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        ADD_FAILURE() << "shopsyncd exited early:\n" << shopsync::testing::read_file(log);
        return -1;
      }
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "shopsyncd did not answer ping:\n" << shopsync::testing::read_file(log);
    return pid;
  }

  int stop_daemon(pid_t pid) {
    ::kill(pid, SIGTERM);
    int code = wait_exit(pid, 20s);
    if (code == -1) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    return code;
  }

  temp_dir dir{"shopsyncd-e2e"};
  std::string socket, config, log;
};

} // namespace

TEST_F(daemon_lifecycle, status_over_socket_and_cli_then_orderly_shutdown_and_restart) {
  auto pid = start_daemon();
  ASSERT_GT(pid, 0);

  auto status = shopsync::control_call(socket, "status");
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_NE(status->find("\"main-test.myshopify.com\""), std::string::npos) << *status;
  EXPECT_NE(status->find("\"two_way\""), std::string::npos) << *status;
  EXPECT_NE(status->find("\"uptime_s\""), std::string::npos) << *status;

  auto table = run_program({binary_path("shopsyncctl").string(), "--socket", socket, "status"});
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("outlet-test.myshopify.com"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("destination"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("stock"), std::string::npos) << table.output;

  auto json = run_program({binary_path("shopsyncctl").string(), "--socket", socket, "--json", "status"});
  EXPECT_EQ(json.exit_code, 0) << json.output;
  EXPECT_EQ(json.output.rfind("{\"version\":", 0), 0u) << json.output;

  // A second daemon on the same socket is refused while the first runs.
  auto second = run_program({binary_path("shopsyncd").string(), "--config", config, "--data-dir",
                     (dir / "data2").string()});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.output.find("already listening"), std::string::npos) << second.output;

  EXPECT_EQ(stop_daemon(pid), 0) << shopsync::testing::read_file(log);
  EXPECT_FALSE(fs::exists(socket)) << "control socket left behind";

  // The same data dir opens again.
  pid = start_daemon();
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(shopsync::control_call(socket, "status"));
  EXPECT_EQ(stop_daemon(pid), 0) << shopsync::testing::read_file(log);
}

TEST_F(daemon_lifecycle, cli_reports_a_daemon_that_is_not_running) {
  auto r = run_program({binary_path("shopsyncctl").string(), "--socket", socket, "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("not running"), std::string::npos) << r.output;
}

TEST_F(daemon_lifecycle, check_config_accepts_valid_and_names_the_bad_key) {
  auto ok = run_program({binary_path("shopsyncd").string(), "--config", config, "--check-config"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  std::ofstream(config, std::ios::app) << "\n[[groups]]\nname = \"broken\"\nsource = \"main\"\n"
                                       << "destinations = [\"outlet\"]\nstrategy = \"sideways\"\n";
  auto bad = run_program({binary_path("shopsyncd").string(), "--config", config, "--check-config"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("strategy"), std::string::npos) << bad.output;
}

TEST_F(daemon_lifecycle, check_config_reads_secrets_from_the_credentials_dir_as_the_unit_does) {
  // The unit's layout: the secrets are not beside the configuration but where LoadCredential=
  // puts them ($CREDENTIALS_DIRECTORY), under the names the configuration gives.
  auto creds = dir / "credentials";
  fs::create_directories(creds);
  for (auto name : {"token_source", "token_dest", "webhook_secret"})
    fs::rename(dir / name, creds / name);
  auto beside = run_program({binary_path("shopsyncd").string(), "--config", config, "--check-config"});
  EXPECT_EQ(beside.exit_code, 1) << beside.output;
  EXPECT_NE(beside.output.find("cannot read " + dir.str() + "/"), std::string::npos) << beside.output;

  auto checked = run_program({binary_path("shopsyncd").string(), "--config", config, "--check-config", "--credentials-dir",
                      creds.string()});
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_NE(checked.output.find("is valid"), std::string::npos) << checked.output;
  EXPECT_NE(checked.output.find("relative secret paths read from " + creds.string()), std::string::npos)
    << checked.output;

  auto missing = run_program({binary_path("shopsyncd").string(), "--config", config, "--check-config", "--credentials-dir",
                      (dir / "nowhere").string()});
  EXPECT_NE(missing.exit_code, 0) << missing.output;
  EXPECT_NE(missing.output.find("nowhere"), std::string::npos) << missing.output;
  auto alone = run_program({binary_path("shopsyncd").string(), "--config", config, "--credentials-dir", creds.string()});
  EXPECT_NE(alone.exit_code, 0) << "only with --check-config: " << alone.output;
  EXPECT_NE(alone.output.find("check-config"), std::string::npos) << alone.output;
}
