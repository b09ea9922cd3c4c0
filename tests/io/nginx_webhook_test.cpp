// Debian's nginx, configured from config/nginx/shopsync.conf, in front of the webhook
// server: signed webhooks pass with body and headers intact, bad ones are refused.
#include "io/hmac.hpp"
#include "io/inbox.hpp"
#include "io/metrics.hpp"
#include "io/webhook_server.hpp"
#include "support/http_receiver.hpp"
#include "support/temp_dir.hpp"
#include "support/webhook_client.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
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

// A sample (config/nginx/<file>) with its listen lines and upstream addresses pointed at the
// test's ports (`upstreams`: shipped port -> test port); the location logic is used as shipped.
std::string adapt_sample(const std::string& file, std::uint16_t listen_port,
                         const std::map<int, std::uint16_t>& upstreams) {
  std::ifstream in(std::string(SHOPSYNC_SOURCE_DIR) + "/config/nginx/" + file);
  std::string line, out;
  bool listen_done = false;
  std::size_t replaced = 0;
  while (std::getline(in, line)) {
    auto first = line.find_first_not_of(' ');
    std::string trimmed = first == std::string::npos ? "" : line.substr(first);
    if (trimmed.rfind("listen ", 0) == 0) {
      if (!listen_done)
        out += "    listen 127.0.0.1:" + std::to_string(listen_port) + ";\n";
      listen_done = true;
      continue;
    }
    bool done = false;
    for (auto& [from, to] : upstreams)
      if (trimmed.rfind("server 127.0.0.1:" + std::to_string(from) + ";", 0) == 0) {
        out += "    server 127.0.0.1:" + std::to_string(to) + ";\n";
        ++replaced;
        done = true;
      }
    if (!done)
      out += line + "\n";
  }
  if (!listen_done || replaced != upstreams.size())
    throw std::runtime_error("config/nginx/" + file + " no longer has the expected listen/server lines");
  return out;
}

std::string adapt_sample(std::uint16_t listen_port, std::uint16_t upstream_port) {
  return adapt_sample("shopsync.conf", listen_port, {{8080, upstream_port}});
}

// The http {} frame the samples are included in, with every path inside `root`.
std::string nginx_conf(const std::string& root, const std::string& included) {
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
       << "  include " << root << "/" << included << ";\n"
       << "}\n";
  return conf.str();
}

class nginx_process {
public:
  nginx_process(const temp_dir& dir, std::uint16_t listen_port, std::uint16_t upstream_port)
      : nginx_process(dir, listen_port, adapt_sample(listen_port, upstream_port)) {}
  // `sample`: the adapted text of a sample.
  nginx_process(const temp_dir& dir, std::uint16_t listen_port, const std::string& sample) {
    auto root = dir.str();
    {
      std::ofstream f(root + "/shopsync.conf");
      f << sample;
    }
    {
      std::ofstream f(root + "/nginx.conf");
      f << nginx_conf(root, "shopsync.conf");
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

namespace {

struct command_result {
  int exit_code = -1;
  std::string output;
};

command_result run_command(const std::string& cmd) {
  command_result r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  std::array<char, 4096> buf;
  while (auto n = std::fread(buf.data(), 1, buf.size(), p))
    r.output.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// `nginx -t` on an adapted sample.
command_result nginx_t(const temp_dir& dir, const std::string& sample) {
  auto root = dir.str();
  std::ofstream(root + "/shopsync.conf", std::ios::trunc) << sample;
  std::ofstream(root + "/nginx.conf", std::ios::trunc) << nginx_conf(root, "shopsync.conf");
  return run_command(std::string(nginx_binary) + " -t -p " + root + "/ -c " + root + "/nginx.conf");
}

// nginx >= 1.25.1 knows `http2 on;` (older ones only `listen ... http2`).
bool nginx_knows_http2_directive() {
  auto v = run_command(std::string(nginx_binary) + " -v").output;
  int major = 0, minor = 0, patch = 0;
  auto at = v.find("nginx/");
  if (at == std::string::npos || std::sscanf(v.c_str() + at, "nginx/%d.%d.%d", &major, &minor, &patch) != 3)
    return false;
  return major > 1 || (major == 1 && (minor > 25 || (minor == 25 && patch >= 1)));
}

// The sample's "#tls:" lines made live, on a free port with a throw-away certificate.
std::string with_tls(const std::string& sample, const std::string& cert, const std::string& key, std::uint16_t port) {
  std::istringstream in(sample);
  std::string line, out;
  bool http2_directive = nginx_knows_http2_directive();
  while (std::getline(in, line)) {
    auto at = line.find("#tls: ");
    if (at == std::string::npos) {
      out += line + "\n";
      continue;
    }
    auto directive = line.substr(at + 6);
    if (directive.rfind("listen [::]", 0) == 0)
      continue; // no IPv6 needed here
    if (directive.rfind("listen ", 0) == 0)
      directive = "listen 127.0.0.1:" + std::to_string(port) + " ssl" + (http2_directive ? "" : " http2") + ";";
    if (directive == "http2 on;" && !http2_directive)
      continue;
    if (directive.rfind("ssl_certificate_key ", 0) == 0)
      directive = "ssl_certificate_key " + key + ";";
    else if (directive.rfind("ssl_certificate ", 0) == 0)
      directive = "ssl_certificate " + cert + ";";
    out += "    " + directive + "\n";
  }
  return out;
}

} // namespace

// Both samples as shipped (and with their TLS lines enabled) pass `nginx -t`; they use the
// current `http2 on;` spelling, never the deprecated `listen ... http2`.
TEST(nginx_sample, both_samples_pass_nginx_t_also_with_their_tls_lines) {
  if (::access(nginx_binary, X_OK) != 0)
    GTEST_SKIP() << "nginx is not installed at " << nginx_binary;
  temp_dir dir{"nginx-t"};
  auto cert = dir.str() + "/cert.pem", key = dir.str() + "/key.pem";
  auto made = run_command("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " + key +
                          " -out " + cert);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  for (auto [file, upstreams] : std::vector<std::pair<std::string, std::map<int, std::uint16_t>>>{
         {"shopsync.conf", {{8080, 18080}}}, {"shopsync-instances.conf", {{8081, 18081}, {8082, 18082}}}}) {
    auto shipped = read_file(std::string(SHOPSYNC_SOURCE_DIR) + "/config/nginx/" + file);
    EXPECT_NE(shipped.find("#tls: http2 on;"), std::string::npos) << file;
    EXPECT_EQ(shipped.find("ssl http2;\n    #"), std::string::npos) << file;
    EXPECT_NE(shipped.find("limit_req zone="), std::string::npos) << file;
    auto plain = adapt_sample(file, free_port(), upstreams);
    auto t = nginx_t(dir, plain);
    EXPECT_EQ(t.exit_code, 0) << file << ":\n" << t.output;
    auto tls = with_tls(plain, cert, key, free_port());
    ASSERT_NE(tls.find("ssl_certificate " + cert), std::string::npos) << tls;
    t = nginx_t(dir, tls);
    EXPECT_EQ(t.exit_code, 0) << file << " with TLS:\n" << t.output << "\n" << tls;
  }
}

// Several shopsyncd: each webhook goes to the instance that owns its shop (X-Shopify-Shop-Domain),
// each OAuth callback by its shop parameter; nothing else is public; limit_req answers 429.
TEST(nginx_instances, webhooks_and_oauth_callbacks_reach_the_instance_that_owns_the_shop) {
  if (::access(nginx_binary, X_OK) != 0)
    GTEST_SKIP() << "nginx is not installed at " << nginx_binary;
  http_receiver eu, us;
  temp_dir ngx_dir{"nginx-instances"};
  auto port = free_port();
  nginx_process nginx(ngx_dir, port,
                      adapt_sample("shopsync-instances.conf", port, {{8081, eu.port()}, {8082, us.port()}}));
  auto body = read_file(shared_path("shopify/webhooks/orders_create.json"));
  auto deliver = [&](const std::string& shop, const std::string& id) {
    webhook_headers h;
    h.topic = "orders/create";
    h.shop = shop;
    h.webhook_id = id;
    return post_webhook(port, body, h).status;
  };
  EXPECT_EQ(deliver("example-us.myshopify.com", "us-1"), 200) << nginx.error_log();
  EXPECT_EQ(deliver("example-outlet.myshopify.com", "eu-1"), 200);
  EXPECT_EQ(deliver("example-us-outlet.myshopify.com", "us-2"), 200);
  EXPECT_EQ(deliver("stranger.myshopify.com", "x-1"), 200); // the default instance answers (and refuses it)
  ASSERT_TRUE(us.wait_for(2, 5s));
  ASSERT_TRUE(eu.wait_for(2, 5s));
  auto us_got = us.requests(), eu_got = eu.requests();
  ASSERT_EQ(us_got.size(), 2u);
  ASSERT_EQ(eu_got.size(), 2u);
  EXPECT_EQ(us_got[0].headers["x-shopify-shop-domain"], "example-us.myshopify.com");
  EXPECT_EQ(us_got[1].headers["x-shopify-webhook-id"], "us-2");
  EXPECT_EQ(eu_got[0].headers["x-shopify-webhook-id"], "eu-1");
  EXPECT_EQ(eu_got[1].headers["x-shopify-shop-domain"], "stranger.myshopify.com");
  EXPECT_EQ(us_got[0].body, body); // byte for byte
  EXPECT_EQ(us_got[0].target, "/webhooks");

  EXPECT_EQ(http_get(port, "/auth/callback?shop=example-us-outlet.myshopify.com&code=c1&state=s").status, 200);
  ASSERT_TRUE(us.wait_for(3, 5s));
  EXPECT_EQ(us.requests()[2].target, "/auth/callback?shop=example-us-outlet.myshopify.com&code=c1&state=s");
  EXPECT_EQ(eu.count(), 2u);

  // Nothing else is public.
  EXPECT_EQ(http_get(port, "/metrics").status, 404);
  EXPECT_EQ(http_get(port, "/healthz").status, 404);
  EXPECT_EQ(http_get(port, "/webhooks").status, 403);
  // The callback's limit (1/s, burst 5): a quick series is cut short with 429.
  int limited = 0;
  for (int i = 0; i < 10; ++i)
    limited += http_get(port, "/auth/callback?shop=example-main.myshopify.com").status == 429;
  EXPECT_GE(limited, 1);
}
