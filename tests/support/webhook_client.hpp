#pragma once
// A blocking HTTP/1.1 client over raw loopback sockets, for tests that need to send
// exactly the bytes they mean (oversized headers, slow bodies, chunked bodies) and to see
// how the server answers or closes.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shopsync::testing {

struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers; // names lower-cased
  std::string body;
};

class raw_connection {
public:
  explicit raw_connection(std::uint16_t port, const std::string& host = "127.0.0.1");
  ~raw_connection();
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  bool send(const std::string& bytes); // false if the peer is gone
  // One response (Content-Length or close-delimited body); nullopt on timeout or close.
  std::optional<http_reply> read_reply(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True when the server closes the connection within the timeout (reads and drops data).
  bool closed_within(std::chrono::milliseconds timeout);
  int fd() const noexcept { return fd_; }

private:
  int fd_ = -1;
  std::string pending_;
};

struct webhook_headers {
  std::string topic = "inventory_levels/update";
  std::string shop = "shop-a.myshopify.com";
  std::string webhook_id = "wh-1";
  // X-Shopify-Event-Id, the daemon's dedup key. Unset: "ev-" + webhook_id (one event per
  // delivery); empty: no header.
  std::optional<std::string> event_id;
  std::optional<std::string> hmac; // default: computed with secret
  std::string secret = "hush";
  std::string path = "/webhooks";
  std::vector<std::pair<std::string, std::string>> extra;
  bool keep_alive = true;
};

// The request text of a signed webhook delivery.
std::string webhook_request(const std::string& body, const webhook_headers& h);
// One delivery on a fresh connection.
http_reply post_webhook(std::uint16_t port, const std::string& body, const webhook_headers& h);
// GET on a fresh connection.
http_reply http_get(std::uint16_t port, const std::string& target);

} // namespace shopsync::testing
