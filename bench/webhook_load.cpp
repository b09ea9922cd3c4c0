// Load generator for the webhook intake: N keep-alive connections posting signed
// inventory_levels/update webhooks, each with a unique X-Shopify-Webhook-Id, flat out or at
// a target rate. Reports accepted webhooks/s, p50/p99 ack latency and the CPU used by the
// server process (from /proc/<pid>/stat).
//
//   webhook_load --port 8080 [--connections 64] [--duration 10] [--warmup 2] [--rate 0]
//                [--server-pid PID] [--secret hush] [--shop shop-a.myshopify.com]
//                [--body FILE] [--path /webhooks]
//
// At a target rate, latency is measured from the time each request was due, not from when
// it was sent, so a stalled server cannot hide its queue (no coordinated omission).
#include "io/hmac.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using clk = std::chrono::steady_clock;

namespace {

struct settings {
  std::uint16_t port = 8080;
  int connections = 64;
  double duration = 10, warmup = 2, rate = 0;
  long server_pid = 0;
  std::string secret = "hush", shop = "shop-a.myshopify.com", path = "/webhooks";
  std::string body;
};

struct run_state {
  settings cfg;
  clk::time_point start, measure_from, stop_at;
  std::uint64_t next_ticket = 0, id_counter = 0;
  std::uint64_t ok = 0, non_ok = 0, errors = 0;
  std::vector<double> latencies_us; // measured window only
  std::string prefix, suffix;       // request text around the webhook id
  std::string run_id;
  int open = 0;
};

double cpu_seconds_of(long pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto close = s.rfind(')');
  if (close == std::string::npos)
    return 0;
  std::istringstream in(s.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15; ++i) { // fields 14 and 15: utime, stime (clock ticks)
    in >> field;
    if (i == 14)
      utime = std::stoull(field);
    if (i == 15)
      stime = std::stoull(field);
  }
  return double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
}

double self_cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

class connection : public std::enable_shared_from_this<connection> {
public:
  connection(asio::io_context& ioc, run_state& st) : socket_(ioc), timer_(ioc), st_(st) {}

  void start(const tcp::endpoint& ep) {
    socket_.async_connect(ep, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) {
        std::fprintf(stderr, "connect: %s\n", ec.message().c_str());
        ++self->st_.errors;
        return self->finish();
      }
      self->socket_.set_option(tcp::no_delay(true));
      ++self->st_.open;
      self->next();
    });
  }

private:
  void next() {
    auto now = clk::now();
    if (now >= st_.stop_at)
      return finish();
    if (st_.cfg.rate > 0) {
      auto ticket = st_.next_ticket++;
      due_ = st_.start + std::chrono::duration_cast<clk::duration>(std::chrono::duration<double>(ticket / st_.cfg.rate));
      if (due_ >= st_.stop_at)
        return finish();
      if (due_ > now) {
        timer_.expires_at(due_);
        timer_.async_wait([self = shared_from_this()](boost::system::error_code) { self->send(); });
        return;
      }
    } else {
      due_ = now;
    }
    send();
  }

  void send() {
    // One event per request: the daemon deduplicates on X-Shopify-Event-Id.
    auto id = st_.run_id + std::to_string(st_.id_counter++);
    request_.assign(st_.prefix);
    request_ += id;
    request_ += "\r\nX-Shopify-Event-Id: ";
    request_ += id;
    request_ += st_.suffix;
    sent_ = clk::now();
    if (st_.cfg.rate <= 0)
      due_ = sent_;
    asio::async_write(socket_, asio::buffer(request_), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      if (ec) {
        ++self->st_.errors;
        return self->finish();
      }
      self->in_.clear();
      self->read();
    });
  }

  void read() {
    auto old = in_.size();
    in_.resize(old + 4096);
    socket_.async_read_some(asio::buffer(in_.data() + old, 4096),
                            [self = shared_from_this(), old](boost::system::error_code ec, std::size_t n) {
                              self->in_.resize(old + n);
                              if (ec) {
                                ++self->st_.errors;
                                return self->finish();
                              }
                              self->on_data();
                            });
  }

  void on_data() {
    auto end = in_.find("\r\n\r\n");
    if (end == std::string::npos)
      return read();
    std::size_t len = 0;
    // Header names from our server and from Node differ in case.
    for (auto* name : {"Content-Length: ", "content-length: "}) {
      auto p = in_.find(name);
      if (p != std::string::npos && p < end)
        len = std::strtoul(in_.c_str() + p + std::strlen(name), nullptr, 10);
    }
    if (in_.size() < end + 4 + len)
      return read();
    int status = std::atoi(in_.c_str() + 9);
    auto done = clk::now();
    if (sent_ >= st_.measure_from) {
      if (status == 200)
        ++st_.ok;
      else
        ++st_.non_ok;
      st_.latencies_us.push_back(std::chrono::duration<double, std::micro>(done - due_).count());
    }
    if (status != 200 && st_.non_ok < 5)
      std::fprintf(stderr, "status %d: %s\n", status, in_.substr(end + 4).c_str());
    next();
  }

  void finish() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  run_state& st_;
  std::string request_, in_;
  clk::time_point due_, sent_;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty())
    return 0;
  auto k = static_cast<std::size_t>(p * double(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

} // namespace

int main(int argc, char** argv) {
  run_state st;
  auto& c = st.cfg;
  std::string body_file;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--port")
      c.port = static_cast<std::uint16_t>(std::stoi(val()));
    else if (a == "--connections")
      c.connections = std::stoi(val());
    else if (a == "--duration")
      c.duration = std::stod(val());
    else if (a == "--warmup")
      c.warmup = std::stod(val());
    else if (a == "--rate")
      c.rate = std::stod(val());
    else if (a == "--server-pid")
      c.server_pid = std::stol(val());
    else if (a == "--secret")
      c.secret = val();
    else if (a == "--shop")
      c.shop = val();
    else if (a == "--path")
      c.path = val();
    else if (a == "--body")
      body_file = val();
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (!body_file.empty()) {
    std::ifstream f(body_file, std::ios::binary);
    c.body.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  } else {
    c.body = R"({"inventory_item_id":45678901234567,"location_id":71234567890,"available":7,"updated_at":"2025-03-14T10:22:31-04:00","admin_graphql_api_id":"gid://shopify/InventoryLevel/71234567890?inventory_item_id=45678901234567"})";
  }
  // The body is the same for every request, so is its signature; only the webhook and event ids change.
  auto sig = shopsync::hmac_sha256_base64(c.secret, c.body);
  st.prefix = "POST " + c.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
              "X-Shopify-Topic: inventory_levels/update\r\nX-Shopify-Shop-Domain: " + c.shop +
              "\r\nX-Shopify-API-Version: 2026-10\r\nX-Shopify-Hmac-Sha256: " + sig +
              "\r\nX-Shopify-Triggered-At: 2025-03-14T14:22:31.000Z\r\n" +
              "X-Shopify-Webhook-Id: ";
  st.suffix = "\r\nContent-Length: " + std::to_string(c.body.size()) + "\r\n\r\n" + c.body;
  st.run_id = "bench-" + std::to_string(::getpid()) + "-" +
              std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + "-";

  asio::io_context ioc(1);
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), c.port);
  st.start = clk::now();
  st.measure_from = st.start + std::chrono::duration_cast<clk::duration>(std::chrono::duration<double>(c.warmup));
  st.stop_at = st.measure_from + std::chrono::duration_cast<clk::duration>(std::chrono::duration<double>(c.duration));
  st.latencies_us.reserve(static_cast<std::size_t>(c.rate > 0 ? c.rate * c.duration * 1.1 : 1e6));
  for (int i = 0; i < c.connections; ++i)
    std::make_shared<connection>(ioc, st)->start(ep);

  // CPU samples at the start and the end of the measured window.
  double server_cpu0 = 0, self_cpu0 = 0;
  asio::steady_timer sample(ioc);
  sample.expires_at(st.measure_from);
  sample.async_wait([&](boost::system::error_code) {
    if (c.server_pid)
      server_cpu0 = cpu_seconds_of(c.server_pid);
    self_cpu0 = self_cpu_seconds();
  });
  double server_cpu1 = 0, self_cpu1 = 0;
  asio::steady_timer sample_end(ioc);
  sample_end.expires_at(st.stop_at);
  sample_end.async_wait([&](boost::system::error_code) {
    if (c.server_pid)
      server_cpu1 = cpu_seconds_of(c.server_pid);
    self_cpu1 = self_cpu_seconds();
  });
  ioc.run();

  double window = c.duration;
  auto& lat = st.latencies_us;
  double p50 = percentile(lat, 0.50) / 1000, p99 = percentile(lat, 0.99) / 1000, p999 = percentile(lat, 0.999) / 1000;
  double maxv = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end()) / 1000;
  std::printf("accepted=%llu non_200=%llu errors=%llu connections=%d target_rate=%.0f window_s=%.1f\n",
              static_cast<unsigned long long>(st.ok), static_cast<unsigned long long>(st.non_ok),
              static_cast<unsigned long long>(st.errors), c.connections, c.rate, window);
  std::printf("accepted_per_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n", double(st.ok) / window, p50, p99,
              p999, maxv);
  if (c.server_pid)
    std::printf("server_cpu_cores=%.2f loadgen_cpu_cores=%.2f\n", (server_cpu1 - server_cpu0) / window,
                (self_cpu1 - self_cpu0) / window);
  return st.ok > 0 && st.errors == 0 ? 0 : 1;
}
