#pragma once
// A program started as a child process for a test (shopify-sim, shopsyncd, ...): its stdout is
// collected in the background so the test can wait for a line such as "listening on …"; the
// destructor stops it (SIGTERM, then SIGKILL after a grace period).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace shopsync::testing {

class child_process {
public:
  // argv[0] is the program path. stderr is inherited (shows in the test log) unless
  // merge_stderr, which collects it with stdout.
  explicit child_process(std::vector<std::string> argv, bool merge_stderr = false);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const noexcept { return pid_; }
  // The first stdout line starting with prefix (without the newline), or nullopt on timeout/EOF.
  std::optional<std::string> wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout);
  std::string output() const;
  bool running();
  // Sends SIGTERM, waits up to grace, then SIGKILL. Returns the exit code (128+signal if killed).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  void signal(int sig);

private:
  void reap(bool block);
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::optional<int> exit_code_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string out_;
  bool eof_ = false;
  std::thread reader_;
};

// The port in a "listening on 127.0.0.1:<port>" line; 0 when there is none.
std::uint16_t port_from_listening_line(const std::string& line);

// A program run to completion (no shell quoting beyond single quotes around each argument):
// its exit code (-1 when it did not exit normally) and its stdout and stderr together.
struct run_result {
  int exit_code = -1;
  std::string output;
};
run_result run_program(const std::vector<std::string>& argv);

} // namespace shopsync::testing
