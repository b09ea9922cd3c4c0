#pragma once
// A tiny HTTP server on 127.0.0.1 (ephemeral port) that records every request it receives, for
// tests that are called back (webhooks) or that play a remote API. What it answers is
// programmable per request: a status and a body, or silence for a while.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace shopsync::testing {

struct received_request {
  std::string method, target, body;
  std::map<std::string, std::string> headers; // names lower-cased
  std::chrono::steady_clock::time_point at;
};

struct receiver_reply {
  int status = 200;
  std::chrono::milliseconds delay{0}; // wait before answering (to exceed a caller's deadline)
  std::string body = "{}";            // sent as application/json
  bool then_close = false;            // answer as keep-alive, then close (an idle timeout's close)
};

class http_receiver {
public:
  // reply(n, request): what to answer to the n-th request (0-based); default 200 at once.
  explicit http_receiver(std::function<receiver_reply(std::size_t, const received_request&)> reply = {});
  ~http_receiver();
  std::uint16_t port() const;
  std::string url(const std::string& path = "/webhooks") const;
  std::vector<received_request> requests() const;
  std::size_t count() const;
  // Connections accepted so far.
  std::size_t connections() const;
  // Blocks until at least n requests arrived or the timeout passed; true when they did.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout) const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace shopsync::testing
