#pragma once
// The local control socket: a Unix stream socket (mode 0660) on its own thread. Each line is a
// request; the peer's uid (SO_PEERCRED) must be on the allow list. Requests go to a handler that
// answers asynchronously (the daemon forwards them to its control actor); replies keep request
// order per connection.
#include "domain/result.hpp"
#include "io/control_protocol.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace shopsync {

class control_server {
public:
  using reply_fn = std::function<void(std::string reply_line)>;
  // Called on the server's thread; `reply` may be called from any thread, exactly once.
  using handler_fn = std::function<void(control_request, reply_fn reply)>;

  struct options {
    std::string path;
    std::vector<std::uint32_t> allowed_uids; // root and our own uid are always allowed
    unsigned mode = 0660;
  };

  // Binds the socket: a stale socket file (nobody listening) is replaced; a live daemon on the
  // same path is detected and refused.
  static result<std::unique_ptr<control_server>> start(options opts, handler_fn handler);
  ~control_server(); // stops, closes and removes the socket file
  void stop();

  control_server(const control_server&) = delete;
  control_server& operator=(const control_server&) = delete;

private:
  struct impl;
  explicit control_server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace shopsync
