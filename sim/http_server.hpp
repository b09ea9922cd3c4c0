#pragma once
// A small blocking HTTP/1.1 server (Beast): one thread per connection, keep-alive. Enough for a
// simulator, and it makes "applied but never answered" easy: the connection thread just stays
// silent (hang) or closes the socket (drop).
#include "sim/simulator.hpp"

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace shopsync::sim {

class http_server {
public:
  http_server(simulator& sim, const std::string& address, std::uint16_t port);
  ~http_server();
  std::uint16_t port() const noexcept { return port_; }
  // Accepts connections until stop() (from another thread or a signal watcher).
  void run();
  void stop();

private:
  struct impl;
  simulator& sim_;
  std::uint16_t port_ = 0;
  impl* impl_;
  std::atomic<bool> stopping_{false};
};

} // namespace shopsync::sim
