// Debian's nginx, configured from config/nginx/shopsync.conf, in front of the webhook
// server: signed webhooks pass with body and headers intact, bad ones are refused.
#include "io/hmac.hpp"
#include "io/inbox.hpp"
#include "io/metrics.hpp"
#include "io/webhook_server.hpp"
#include "support/temp_dir.hpp"
#include "support/webhook_client.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

using namespace shopsync;
using namespace shopsync::testing;
using namespace std::chrono_literals;

namespace {

const char* nginx_binary = "/usr/sbin/nginx";

bool can_connect(std::uint16_t port) {
  try {
    raw_connection c(port);
    return true;
  } catch (...) {
    return false;
  }
}

// The sample server block with its listen lines and upstream address pointed at the test's
// ports; the location logic is used as shipped.
std::string adapt_sample(std::uint16_t listen_port, std::uint16_t upstream_port) {
  std::ifstream in(std::string(SHOPSYNC_SOURCE_DIR) + "/config/nginx/shopsync.conf");
  std::string line, out;
  bool listen_done = false;
  int upstreams = 0;
  while (std::getline(in, line)) {
    auto first = line.find_first_not_of(' ');
    std::string trimmed = first == std::string::npos ? "" : line.substr(first);
    if (trimmed.rfind("listen ", 0) == 0) {
      if (!listen_done)
        out += "    listen 127.0.0.1:" + std::to_string(listen_port) + ";\n";
      listen_done = true;
      continue;
    }
    if (trimmed.rfind("server 127.0.0.1:8080;", 0) == 0) {
      out += "    server 127.0.0.1:" + std::to_string(upstream_port) + ";\n";
      ++upstreams;
      continue;
    }
    out += line + "\n";
  }
  if (!listen_done || upstreams != 1)
    throw std::runtime_error("config/nginx/shopsync.conf no longer has the expected listen/server lines");
  return out;
}

class nginx_process {
public:
  nginx_process(const temp_dir& dir, std::uint16_t listen_port, std::uint16_t upstream_port) {
    auto root = dir.str();
    {
      std::ofstream f(root + "/shopsync.conf");
      f << adapt_sample(listen_port, upstream_port);
    }
    std::ostringstream conf;
    conf << "worker_processes 1;\n"
         << (::geteuid() == 0 ? "user root root;\n" : "") << "error_log " << root << "/error.log info;\n"
         << "pid " << root << "/nginx.pid;\n"
         << "events { worker_connections 256; }\n"
         << "http {\n"
         << "  access_log " << root << "/access.log;\n"
         << "  client_body_temp_path " << root << "/client_body;\n"
         << "  proxy_temp_path " << root << "/proxy;\n"
         << "  fastcgi_temp_path " << root << "/fastcgi;\n"
         << "  uwsgi_temp_path " << root << "/uwsgi;\n"
         << "  scgi_temp_path " << root << "/scgi;\n"
         << "  include " << root << "/shopsync.conf;\n"
         << "}\n";
    {
      std::ofstream f(root + "/nginx.conf");
      f << conf.str();
    }
    error_log_ = root + "/error.log";
    pid_ = ::fork();
    if (pid_ == 0) {
      std::string prefix = root + "/";
      std::string cfg = root + "/nginx.conf";
      ::execl(nginx_binary, nginx_binary, "-p", prefix.c_str(), "-c", cfg.c_str(), "-g", "daemon off;",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !can_connect(listen_port); ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("nginx exited at start: " + read_file(error_log_));
      }
      std::this_thread::sleep_for(25ms);
    }
    if (!can_connect(listen_port))
      throw std::runtime_error("nginx does not listen: " + read_file(error_log_));
  }
  ~nginx_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  std::string error_log() const { return read_file(error_log_); }

private:
  pid_t pid_ = -1;
  std::string error_log_;
};

std::size_t count(state_store& s, column c) {
  std::size_t n = 0;
  (void)s.scan(c, "", [&](std::string_view, std::string_view) {
    ++n;
    return true;
  });
  return n;
}

} // namespace

TEST(nginx_webhook, signed_webhooks_pass_through_nginx_and_bad_ones_are_refused) {
  if (::access(nginx_binary, X_OK) != 0)
    GTEST_SKIP() << "nginx is not installed at " << nginx_binary;

  temp_dir dir{"nginx-webhook-test"};
  auto store = state_store::open({dir.str() + "/db", true, true});
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto in = inbox::open(**store, {});
  ASSERT_TRUE(in.ok());
  metrics_registry metrics;
  std::mutex mu;
  std::vector<webhook_envelope> accepted;
  webhook_server::options o;
  o.port = 0;
  o.io_threads = 1;
  o.shop_domains = {"shop-a.myshopify.com"};
  o.secrets = {"hush"};
  webhook_server server(o, **in, metrics, [&](std::uint64_t, webhook_envelope e) {
    std::lock_guard l(mu);
    accepted.push_back(std::move(e));
  });
  auto upstream = server.start();
  ASSERT_TRUE(upstream.ok()) << upstream.error().message;
  server.set_ready(true);

  temp_dir ngx_dir{"nginx"};
  auto port = free_port();
  nginx_process nginx(ngx_dir, port, *upstream);

  auto body = read_file(shared_path("shopify/webhooks/orders_create.json"));
  webhook_headers h;
  h.topic = "orders/create";
  h.webhook_id = "via-nginx-1";

  // Several deliveries on one client connection, in both path forms.
  {
    raw_connection c(port);
    ASSERT_TRUE(c.send(webhook_request(body, h)));
    auto r = c.read_reply();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body << nginx.error_log();
    auto h2 = h;
    h2.webhook_id = "via-nginx-2";
    h2.path = "/webhooks/orders/create";
    ASSERT_TRUE(c.send(webhook_request(body, h2)));
    r = c.read_reply();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    // The same delivery again: a duplicate, answered 200, stored once.
    ASSERT_TRUE(c.send(webhook_request(body, h2)));
    r = c.read_reply();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(count(**store, column::inbox), 2u);
  {
    std::lock_guard l(mu);
    ASSERT_EQ(accepted.size(), 2u);
    EXPECT_EQ(accepted[0].webhook_id, "via-nginx-1");
    EXPECT_EQ(accepted[0].event_id, "ev-via-nginx-1");
    EXPECT_EQ(accepted[0].api_version, "2026-10");
    EXPECT_EQ(std::get<order_created>(accepted[0].event).id, 5812345678901u);
  }
  auto stored = (*in)->get(1);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->delivery.body, body); // byte for byte

  // A chunked request is buffered by nginx and still verifies.
  {
    raw_connection c(port);
    auto h3 = h;
    h3.webhook_id = "via-nginx-chunked";
    auto req = webhook_request(body, h3);
    auto cl = req.find("Content-Length: ");
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", body.size());
    req = req.substr(0, cl) + "Transfer-Encoding: chunked\r\n\r\n" + size + body + "\r\n0\r\n\r\n";
    ASSERT_TRUE(c.send(req));
    auto r = c.read_reply();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
  EXPECT_EQ(count(**store, column::inbox), 3u);

  // Refused through nginx: bad signature, unknown shop, wrong secret.
  auto bad = h;
  bad.webhook_id = "bad-1";
  bad.hmac = hmac_sha256_base64("hush", body + "tampered");
  EXPECT_EQ(post_webhook(port, body, bad).status, 401);
  bad.webhook_id = "bad-2";
  bad.hmac.reset();
  bad.secret = "wrong";
  EXPECT_EQ(post_webhook(port, body, bad).status, 401);
  bad.webhook_id = "bad-3";
  bad.secret = "hush";
  bad.shop = "stranger.myshopify.com";
  EXPECT_EQ(post_webhook(port, body, bad).status, 401);
  EXPECT_EQ(count(**store, column::inbox), 3u);
  EXPECT_EQ(count(**store, column::dedup), 3u);

  // nginx's own refusals: over 5 MiB, other methods, other paths.
  {
    raw_connection c(port);
    auto req = webhook_request(body, h);
    req = req.substr(0, req.find("Content-Length: ")) + "Content-Length: 6291456\r\n\r\n";
    ASSERT_TRUE(c.send(req));
    auto r = c.read_reply();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  EXPECT_EQ(http_get(port, "/webhooks").status, 403);
  EXPECT_EQ(http_get(port, "/admin").status, 404);
  EXPECT_EQ(http_get(port, "/webhooks/orders/create/x").status, 404);
  // The operator's endpoints, from loopback.
  EXPECT_EQ(http_get(port, "/healthz").status, 200);
  auto m = http_get(port, "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("shopsync_webhooks_total{topic=\"orders/create\",outcome=\"accepted\"} 3"), std::string::npos)
      << m.body;

  server.stop();
  (*in)->stop();
}
