// Transport mechanics of the Admin API client against a tiny scripted loopback server:
// keep-alive reuse, timeouts, 429 Retry-After, 5xx and THROTTLED retries, headers.
#include "io/admin_client.hpp"
#include "io/io_threads.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

using namespace shopsync;
using namespace std::chrono_literals;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr const char* ok_body =
  R"({"data":{"shop":{"name":"x"}},"extensions":{"cost":{"requestedQueryCost":1,"actualQueryCost":1,)"
  R"("throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":999.0,"restoreRate":50.0}}}})";
constexpr const char* throttled_body =
  R"({"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],"extensions":{"cost":)"
  R"({"requestedQueryCost":10,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000.0,)"
  R"("currentlyAvailable":5.0,"restoreRate":50.0}}}})";

struct scripted {
  int status = 200;
  std::string body = ok_body;
  std::string retry_after;
  bool hang = false; // read the request, never answer
  bool close = false;
};

// A blocking one-thread-per-connection HTTP server whose answers are scripted per request.
class script_server {
public:
  explicit script_server(std::function<scripted(int n)> script) : script_(std::move(script)) {
    acceptor_.open(tcp::v4());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { accept_loop(); });
  }
  ~script_server() {
    stop_ = true;
    {
      // Wake the blocking accept, then the blocked reads.
      net::io_context ioc;
      tcp::socket poke(ioc);
      beast::error_code ec;
      poke.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
    }
    thread_.join();
    {
      std::lock_guard<std::mutex> lk(mu_);
      for (int fd : fds_)
        ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : conns_)
      t.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }
  int requests() const { return requests_; }
  std::vector<http::request<http::string_body>> seen() {
    std::lock_guard<std::mutex> lk(mu_);
    return seen_;
  }

private:
  void accept_loop() {
    while (!stop_) {
      beast::error_code ec;
      tcp::socket s(ioc_);
      acceptor_.accept(s, ec);
      if (ec || stop_)
        return;
      ++connections_;
      {
        std::lock_guard<std::mutex> lk(mu_);
        fds_.push_back(s.native_handle());
      }
      conns_.emplace_back([this, s = std::move(s)]() mutable { serve(std::move(s)); });
    }
  }
  void serve(tcp::socket s) {
    beast::flat_buffer buf;
    for (;;) {
      http::request<http::string_body> req;
      beast::error_code ec;
      http::read(s, buf, req, ec);
      if (ec)
        return;
      int n = requests_++;
      {
        std::lock_guard<std::mutex> lk(mu_);
        seen_.push_back(req);
      }
      auto sc = script_(n);
      if (sc.hang) {
        while (!stop_) {
          std::this_thread::sleep_for(10ms);
          char c;
          s.non_blocking(true);
          s.read_some(net::buffer(&c, 1), ec);
          if (ec && ec != net::error::would_block)
            return;
        }
        return;
      }
      http::response<http::string_body> res{static_cast<http::status>(sc.status), 11};
      res.set(http::field::content_type, "application/json");
      if (!sc.retry_after.empty())
        res.set(http::field::retry_after, sc.retry_after);
      res.body() = sc.body;
      res.keep_alive(!sc.close && req.keep_alive());
      res.prepare_payload();
      http::write(s, res, ec);
      if (ec || sc.close)
        return;
    }
  }

  net::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
  unsigned short port_ = 0;
  std::function<scripted(int)> script_;
  std::thread thread_;
  std::vector<std::thread> conns_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0}, requests_{0};
  std::mutex mu_;
  std::vector<http::request<http::string_body>> seen_;
  std::vector<int> fds_;
};

struct fixture {
  io_threads io{1};
  std::shared_ptr<admin_client> client;

  fixture(const std::string& url, admin_client_options opts = fast_options()) {
    admin_endpoint ep{"demo", "demo.myshopify.com", url, "2026-10", "shpat_secret"};
    client = admin_client::make(io.context(), ep, opts);
  }
  static admin_client_options fast_options() {
    admin_client_options o;
    o.connect_timeout = 1s;
    o.read_timeout = 1s;
    o.backoff = {20ms, 100ms, 2.0, 4};
    o.jitter = [] { return 0.5; };
    return o;
  }
  result<graphql_reply> call(request_safety safety = request_safety::idempotent,
                             std::string vars = R"({"idempotencyKey":"k-1"})") {
    std::promise<result<graphql_reply>> p;
    auto f = p.get_future();
    client->post({"InventoryAdjust", "mutation InventoryAdjust { x }", vars, safety, 10},
                 [&p](result<graphql_reply> r) { p.set_value(std::move(r)); });
    return f.get();
  }
};

} // namespace

TEST(admin_client, sends_host_token_and_graphql_body_and_reuses_the_connection) {
  script_server srv([](int) { return scripted{}; });
  fixture fx(srv.url());
  for (int i = 0; i < 5; ++i) {
    auto r = fx.call(request_safety::query, R"({"after":"a\"b"})");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->actual_cost, 1.0);
    ASSERT_TRUE(r->throttle);
    EXPECT_EQ(r->throttle->currently_available, 999.0);
  }
  EXPECT_EQ(srv.connections(), 1);
  EXPECT_EQ(fx.client->stats().connections_opened, 1u);
  auto req = srv.seen().at(0);
  EXPECT_EQ(req.target(), "/admin/api/2026-10/graphql.json");
  EXPECT_EQ(req[http::field::host], "demo.myshopify.com");
  EXPECT_EQ(req["X-Shopify-Access-Token"], "shpat_secret");
  EXPECT_EQ(req[http::field::content_type], "application/json");
  EXPECT_EQ(req.body(), R"({"query":"mutation InventoryAdjust { x }","variables":{"after":"a\"b"},)"
                        R"("operationName":"InventoryAdjust"})");
  auto st = fx.client->stats();
  EXPECT_EQ(st.requests, 5u);
  EXPECT_DOUBLE_EQ(st.cost_spent, 5.0);
  ASSERT_TRUE(st.bucket);
  EXPECT_EQ(st.bucket->maximum_available, 1000.0);
}

TEST(admin_client, a_closed_connection_is_replaced) {
  script_server srv([](int) { scripted s; s.close = true; return s; });
  fixture fx(srv.url());
  ASSERT_TRUE(fx.call().ok());
  ASSERT_TRUE(fx.call().ok());
  EXPECT_EQ(srv.connections(), 2);
}

TEST(admin_client, retries_5xx_with_the_same_body_then_succeeds) {
  script_server srv([](int n) { scripted s; if (n < 2) s.status = n == 0 ? 502 : 503; return s; });
  fixture fx(srv.url());
  auto r = fx.call();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->attempts, 3);
  auto seen = srv.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].body(), seen[2].body()); // same idempotency key, same variables
  EXPECT_EQ(fx.client->stats().retries, 2u);
}

TEST(admin_client, gives_up_after_bounded_attempts_with_a_typed_error) {
  script_server srv([](int) { scripted s; s.status = 500; return s; });
  fixture fx(srv.url());
  auto r = fx.call();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "admin.unavailable");
  EXPECT_EQ(srv.requests(), 4);
  EXPECT_EQ(fx.client->stats().errors, 1u);
}

TEST(admin_client, honours_retry_after_on_429) {
  script_server srv([](int n) {
    scripted s;
    if (n == 0) {
      s.status = 429;
      s.retry_after = "0.4";
      s.body = R"({"errors":"Too Many Requests"})";
    }
    return s;
  });
  fixture fx(srv.url());
  auto t0 = std::chrono::steady_clock::now();
  auto r = fx.call(request_safety::non_idempotent); // nothing ran on a 429: safe to retry
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 400ms);
  EXPECT_EQ(srv.requests(), 2);
  EXPECT_EQ(fx.client->stats().throttled, 1u);
}

TEST(admin_client, throttled_answers_wait_for_the_bucket_and_retry) {
  script_server srv([](int n) { scripted s; if (n == 0) s.body = throttled_body; return s; });
  fixture fx(srv.url());
  auto t0 = std::chrono::steady_clock::now();
  auto r = fx.call();
  ASSERT_TRUE(r.ok()) << r.error().message;
  // (10 - 5) / 50 per second = 100 ms.
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 100ms);
  EXPECT_EQ(srv.requests(), 2);
}

TEST(admin_client, read_timeout_is_retried_for_idempotent_calls) {
  script_server srv([](int n) { scripted s; s.hang = n == 0; return s; });
  auto o = fixture::fast_options();
  o.read_timeout = 200ms;
  fixture fx(srv.url(), o);
  auto r = fx.call(request_safety::idempotent);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(srv.requests(), 2);
  EXPECT_EQ(srv.seen()[0].body(), srv.seen()[1].body());
}

TEST(admin_client, a_sent_but_unanswered_order_is_uncertain_not_retried) {
  script_server srv([](int) { scripted s; s.hang = true; return s; });
  auto o = fixture::fast_options();
  o.read_timeout = 200ms;
  fixture fx(srv.url(), o);
  auto r = fx.call(request_safety::non_idempotent);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "admin.uncertain");
  EXPECT_EQ(srv.requests(), 1);
  // 5xx is uncertain too for a non-idempotent call.
  script_server srv5([](int) { scripted s; s.status = 502; return s; });
  fixture fx5(srv5.url());
  auto r5 = fx5.call(request_safety::non_idempotent);
  ASSERT_FALSE(r5.ok());
  EXPECT_EQ(r5.error().code, "admin.uncertain");
  EXPECT_EQ(srv5.requests(), 1);
}

TEST(admin_client, connection_refused_is_retried_then_reported) {
  unsigned short port;
  {
    net::io_context ioc;
    tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  } // closed: nothing listens there now
  fixture fx("http://127.0.0.1:" + std::to_string(port));
  auto r = fx.call(request_safety::non_idempotent); // never sent: retrying is safe
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "admin.unavailable");
  EXPECT_EQ(fx.client->stats().retries, 3u);
}

TEST(admin_client, permanent_http_errors_and_graphql_errors_are_typed) {
  script_server srv([](int n) {
    scripted s;
    if (n == 0) {
      s.status = 401;
      s.body = R"({"errors":"[API] Invalid API key or access token"})";
    } else {
      s.body = R"({"errors":[{"message":"Query cost is 3000","extensions":{"code":"MAX_COST_EXCEEDED"}}]})";
    }
    return s;
  });
  fixture fx(srv.url());
  auto r = fx.call();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "admin.unauthorized");
  auto g = fx.call();
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, "MAX_COST_EXCEEDED");
  EXPECT_EQ(srv.requests(), 2);
}

TEST(admin_client, concurrent_calls_share_a_bounded_pool) {
  std::atomic<int> in{0}, peak{0};
  script_server srv([&](int) {
    int now = ++in;
    int p = peak;
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    std::this_thread::sleep_for(30ms);
    --in;
    return scripted{};
  });
  auto o = fixture::fast_options();
  o.pool_size = 2;
  fixture fx(srv.url(), o);
  std::vector<std::promise<bool>> ps(8);
  for (auto& p : ps)
    fx.client->post({"Q", "query Q { x }", "{}", request_safety::query, 1},
                    [&p](result<graphql_reply> r) { p.set_value(r.ok()); });
  for (auto& p : ps)
    EXPECT_TRUE(p.get_future().get());
  EXPECT_LE(srv.connections(), 2);
  EXPECT_LE(peak.load(), 2);
}

TEST(admin_client, https_requires_a_verified_certificate) {
  // A plain HTTP server behind an https:// URL: the TLS handshake fails, typed, no hang.
  script_server srv([](int) { return scripted{}; });
  auto url = srv.url();
  url.replace(0, 4, "https");
  auto o = fixture::fast_options();
  o.backoff.max_attempts = 1;
  fixture fx(url, o);
  auto r = fx.call();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "admin.unavailable");
  EXPECT_NE(r.error().message.find("TLS"), std::string::npos) << r.error().message;
}
