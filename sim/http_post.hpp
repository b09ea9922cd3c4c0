#pragma once
// Blocking HTTP/1.1 POSTs with connect and answer deadlines (for webhook deliveries), one
// connection per client kept alive between them.
//
// Why keep-alive: in production shopsyncd is reached through nginx, which keeps its upstream
// connections open (config/nginx: `keepalive 32`), so the daemon sees a few long-lived
// connections, never one per webhook. How Shopify connects to nginx is nginx's business.
// keep_alive = false plays a sender that opens a connection per POST (a daemon reached
// directly, or an nginx without upstream keep-alive).
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace shopsync::sim {

struct post_result {
  int status = 0;     // 0: no answer (refused, reset, timed out)
  std::string error;  // why there was no answer
};

class http_client {
public:
  explicit http_client(bool keep_alive = true);
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // url: http://host:port/path (plain HTTP only). A kept connection that turns out closed by
  // the other side before any answer (its idle timeout, a restart) is replaced by a new one
  // and the POST sent again, within the same deadlines: a sender does not count that as a
  // failed delivery. A timeout is never retried here.
  post_result post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string& body, std::chrono::milliseconds connect_timeout,
                   std::chrono::milliseconds answer_timeout);

  // Connections opened so far (tests: keep-alive at work).
  std::size_t connections_opened() const noexcept;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace shopsync::sim
