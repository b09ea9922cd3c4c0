#pragma once
// systemd's side of sd_notify(3) for tests: a Unix datagram socket to pass as $NOTIFY_SOCKET;
// read_for() returns what the daemon sent (READY=1, STATUS=..., WATCHDOG=1), a line each.
#include <chrono>
#include <string>
#include <vector>

namespace shopsync::testing {

class notify_socket {
public:
  explicit notify_socket(std::string path); // binds; throws when it cannot
  ~notify_socket();
  notify_socket(const notify_socket&) = delete;
  notify_socket& operator=(const notify_socket&) = delete;
  const std::string& path() const noexcept { return path_; }
  // Every line of every datagram that arrives within `limit`.
  std::vector<std::string> read_for(std::chrono::milliseconds limit);

private:
  std::string path_;
  int fd_ = -1;
};

} // namespace shopsync::testing
