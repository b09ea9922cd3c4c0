#pragma once
// A small blocking HTTP/1.1 client for tests (Beast, plain HTTP on loopback): keep-alive
// connection, reconnects after a close, a deadline per request. Never throws: a request without
// an answer comes back with status 0 and the reason in `error`.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace shopsync::testing {

struct http_response {
  int status = 0;            // 0: no answer (refused, closed, timed out)
  std::string error;
  std::string body;
  std::map<std::string, std::string> headers; // names lower-cased
};

using http_headers = std::vector<std::pair<std::string, std::string>>;

class http_client {
public:
  http_client(std::string host, std::uint16_t port);
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  http_response request(const std::string& method, const std::string& target, const std::string& body = {},
                        const http_headers& headers = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));
  http_response get(const std::string& target, const http_headers& headers = {}) {
    return request("GET", target, {}, headers);
  }
  http_response post(const std::string& target, const std::string& body, const http_headers& headers = {}) {
    return request("POST", target, body, headers);
  }
  // Drops the connection; the next request opens a new one.
  void close();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace shopsync::testing
