// The webhook server's hot path, byte for byte: the pre-serialised 200 answers must be what
// Beast's serializer writes for the same response, other requests must still take the general
// path, and the per-connection header arena must hold requests of any header size in turn.
#include "io/hmac.hpp"
#include "io/inbox.hpp"
#include "io/metrics.hpp"
#include "io/webhook_server.hpp"
#include "support/temp_dir.hpp"
#include "support/webhook_client.hpp"
#include "support/webhook_server_fixture.hpp"

#include <boost/beast/http.hpp>

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>

#include <sstream>

using namespace shopsync;
using namespace shopsync::testing;
using namespace std::chrono_literals;
namespace http = boost::beast::http;

namespace {

// The shared server fixture with the general path's timeouts, and headers up to 16 KiB.
struct answer_fixture : webhook_server_fixture {
  answer_fixture()
    : webhook_server_fixture([](webhook_server::options& o) {
        o.max_header_bytes = 16 * 1024;
        o.header_timeout = o.body_timeout = 5s;
      }) {}
};

std::string request(const std::string& id, const std::string& topic = "inventory_levels/update",
                    const std::string& version = "HTTP/1.1", const std::string& extra_headers = "") {
  return "POST /webhooks " + version + "\r\nHost: x\r\nX-Shopify-Topic: " + topic +
         "\r\nX-Shopify-Shop-Domain: shop-a.myshopify.com\r\nX-Shopify-Webhook-Id: " + id +
         "\r\nX-Shopify-Hmac-Sha256: " + hmac_sha256_base64("hush", level_body()) + "\r\n" + extra_headers +
         "Content-Length: " + std::to_string(level_body().size()) + "\r\n\r\n" + level_body();
}

// One answer's exact bytes (header and Content-Length body), or "" on timeout or close.
std::string read_answer(int fd, std::string& pending) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  for (;;) {
    auto end = pending.find("\r\n\r\n");
    if (end != std::string::npos) {
      auto at = pending.find("Content-Length: ");
      if (at != std::string::npos && at < end) {
        auto len = std::stoul(pending.substr(at + 16));
        if (pending.size() >= end + 4 + len) {
          auto answer = pending.substr(0, end + 4 + len);
          pending.erase(0, answer.size());
          return answer;
        }
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      return {};
    char buf[4096];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      return {};
    pending.append(buf, static_cast<std::size_t>(n));
  }
}

// What Beast's serializer writes for the server's plain-text answer (as respond() builds it).
std::string beast_answer(http::status status, const std::string& body, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{status, version};
  res.set(http::field::server, "shopsyncd");
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.keep_alive(keep_alive);
  res.body() = body;
  res.prepare_payload();
  std::ostringstream out;
  out << res;
  return out.str();
}

} // namespace

TEST(webhook_answer_bytes, pre_serialised_200s_are_what_beast_writes) {
  answer_fixture f;
  raw_connection c(f.port);
  std::string pending;
  ASSERT_TRUE(c.send(request("wh-bytes-1")));
  EXPECT_EQ(read_answer(c.fd(), pending), beast_answer(http::status::ok, "ok\n", 11, true));
  ASSERT_TRUE(c.send(request("wh-bytes-1")));
  EXPECT_EQ(read_answer(c.fd(), pending), beast_answer(http::status::ok, "duplicate\n", 11, true));
  ASSERT_TRUE(c.send(request("wh-bytes-2", "shop/update"))); // kept aside: the general path
  EXPECT_EQ(read_answer(c.fd(), pending),
            beast_answer(http::status::ok, "kept aside: topic shop/update is not parsed\n", 11, true));
  // Pipelined: two requests in one send, two answers in order on the same connection.
  ASSERT_TRUE(c.send(request("wh-bytes-3") + request("wh-bytes-3")));
  EXPECT_EQ(read_answer(c.fd(), pending), beast_answer(http::status::ok, "ok\n", 11, true));
  EXPECT_EQ(read_answer(c.fd(), pending), beast_answer(http::status::ok, "duplicate\n", 11, true));
  auto m = f.metrics.render();
  EXPECT_NE(m.find("shopsync_webhooks_total{topic=\"inventory_levels/update\",outcome=\"accepted\"} 2\n"), std::string::npos) << m;
  EXPECT_NE(m.find("shopsync_webhooks_total{topic=\"inventory_levels/update\",outcome=\"duplicate\"} 2\n"), std::string::npos) << m;
  EXPECT_NE(m.find("shopsync_webhooks_total{topic=\"other\",outcome=\"unusable\"} 1\n"), std::string::npos) << m;
}

TEST(webhook_answer_bytes, http_1_0_and_connection_close_get_beasts_own_answer) {
  answer_fixture f;
  {
    raw_connection c(f.port);
    std::string pending;
    ASSERT_TRUE(c.send(request("wh-10", "inventory_levels/update", "HTTP/1.0", "Connection: keep-alive\r\n")));
    EXPECT_EQ(read_answer(c.fd(), pending), beast_answer(http::status::ok, "ok\n", 10, true));
  }
  raw_connection c(f.port);
  std::string pending;
  ASSERT_TRUE(c.send(request("wh-close", "inventory_levels/update", "HTTP/1.1", "Connection: close\r\n")));
  EXPECT_EQ(read_answer(c.fd(), pending), beast_answer(http::status::ok, "ok\n", 11, false));
  EXPECT_TRUE(c.closed_within(2s));
}

TEST(webhook_answer_bytes, requests_with_large_then_small_headers_share_a_connection) {
  answer_fixture f;
  raw_connection c(f.port);
  std::string pending;
  // Over the connection's 2 KiB header arena: the fields spill to the heap.
  std::string big;
  for (int i = 0; i < 40; ++i)
    big += "X-Padding-" + std::to_string(i) + ": " + std::string(200, char('a' + i % 26)) + "\r\n";
  for (int round = 0; round < 3; ++round) {
    auto id = "wh-arena-" + std::to_string(round);
    ASSERT_TRUE(c.send(request(id + "-big", "inventory_levels/update", "HTTP/1.1", big)));
    EXPECT_EQ(read_answer(c.fd(), pending), beast_answer(http::status::ok, "ok\n", 11, true));
    ASSERT_TRUE(c.send(request(id + "-small")));
    EXPECT_EQ(read_answer(c.fd(), pending), beast_answer(http::status::ok, "ok\n", 11, true));
  }
  // Every delivery was stored with its own headers.
  for (int round = 0; round < 3; ++round)
    for (auto* kind : {"-big", "-small"}) {
      auto seen = f.store->get(column::dedup, inbox::dedup_key("shop-a.myshopify.com",
                                                               "wh-arena-" + std::to_string(round) + kind));
      ASSERT_TRUE(seen.ok());
      EXPECT_TRUE(seen->has_value()) << round << kind;
    }
  EXPECT_EQ(f.in->depth(), 6u);
}
