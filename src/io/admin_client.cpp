#include "io/admin_client.hpp"

#include "io/base_url.hpp"
#include "io/json_writer.hpp"
#include "io/metrics.hpp"
#include "io/token_source.hpp"
#include "io/warn_limiter.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <deque>
#include <mutex>
#include <random>

namespace shopsync {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

std::string graphql_body(const graphql_call& call) {
  json_writer w;
  w.begin_object();
  w.field("query", call.query);
  w.key("variables").raw(call.variables_json.empty() ? std::string_view{"{}"} : call.variables_json);
  w.field("operationName", call.operation);
  w.end_object();
  return std::move(w).str();
}

namespace {

double default_jitter() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

struct connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  clock_type::time_point idle_since{};
  bool reused = false;

  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  template <class F>
  void with_stream(F&& f) {
    if (tls)
      f(*tls);
    else
      f(*plain);
  }
  void shutdown() {
    beast::error_code ec;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    tcp().socket().close(ec);
  }
};

// What one response means for the call.
struct parsed_body {
  std::optional<double> actual_cost;
  double requested_cost = 0;
  std::optional<throttle_status> throttle;
  bool throttled = false;
  std::optional<error> top_error; // first non-THROTTLED top-level error
  bool valid = false;
};

parsed_body parse_body(std::string& body) {
  parsed_body out;
  thread_local simdjson::ondemand::parser parser;
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::document doc;
  if (parser.iterate(body.data(), body.size(), body.capacity()).get(doc))
    return out;
  simdjson::ondemand::object root;
  if (doc.get_object().get(root))
    return out;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key))
      return out;
    simdjson::ondemand::value v;
    if (field.value().get(v))
      return out;
    if (key == "errors") {
      simdjson::ondemand::array errs;
      if (v.get_array().get(errs))
        continue;
      for (auto e : errs) {
        simdjson::ondemand::object eo;
        if (e.get_object().get(eo))
          continue;
        std::string message, code;
        for (auto ef : eo) {
          std::string_view k;
          if (ef.unescaped_key().get(k))
            break;
          if (k == "message") {
            std::string_view m;
            if (!ef.value().get_string().get(m))
              message = std::string(m);
          } else if (k == "extensions") {
            simdjson::ondemand::object ext;
            if (ef.value().get_object().get(ext))
              continue;
            std::string_view c;
            if (!ext.find_field_unordered("code").get_string().get(c))
              code = std::string(c);
          }
        }
        if (code == "THROTTLED")
          out.throttled = true;
        else if (!out.top_error)
          out.top_error = code.empty() ? error{error_kind::admin_graphql, message} : error{code, message};
      }
    } else if (key == "extensions") {
      simdjson::ondemand::object ext;
      if (v.get_object().get(ext))
        continue;
      simdjson::ondemand::object cost;
      if (ext.find_field_unordered("cost").get_object().get(cost))
        continue;
      for (auto cf : cost) {
        std::string_view k;
        if (cf.unescaped_key().get(k))
          break;
        simdjson::ondemand::value cv;
        if (cf.value().get(cv))
          break;
        if (k == "actualQueryCost") {
          double d;
          if (!cv.get_double().get(d))
            out.actual_cost = d;
        } else if (k == "requestedQueryCost") {
          double d;
          if (!cv.get_double().get(d))
            out.requested_cost = d;
        } else if (k == "throttleStatus") {
          simdjson::ondemand::object ts;
          if (cv.get_object().get(ts))
            continue;
          throttle_status s;
          int seen = 0;
          for (auto tf : ts) {
            std::string_view tk;
            double d;
            if (tf.unescaped_key().get(tk) || tf.value().get_double().get(d))
              break;
            if (tk == "maximumAvailable")
              s.maximum_available = d, ++seen;
            else if (tk == "currentlyAvailable")
              s.currently_available = d, ++seen;
            else if (tk == "restoreRate")
              s.restore_rate = d, ++seen;
          }
          if (seen == 3)
            out.throttle = s;
        }
      }
    }
  }
  out.valid = true;
  return out;
}

class client_impl;

struct exchange {
  graphql_call call;
  admin_client::callback done;
  http::request<http::string_body> req;
  std::optional<http::response_parser<http::string_body>> parser;
  std::unique_ptr<connection> conn;
  net::steady_timer timer;
  int attempt = 0;           // attempts that counted against the policy
  int throttled_retries = 0; // THROTTLED/429 retries (bounded separately)
  double reserved = 0;
  std::string token;    // the one this attempt sends (from the endpoint's token source)
  bool renewed = false; // a refusal already got a fresh token
  clock_type::time_point sent_at{};

  exchange(net::strand<net::io_context::executor_type>& strand) : timer(strand) {}
};
using exchange_ptr = std::shared_ptr<exchange>;

constexpr int max_throttled_retries = 30;

// The store's shopsync_admin_* series (see admin_client.hpp); every member null when not exported.
struct admin_metrics {
  metrics_registry* reg = nullptr;
  std::string store;
  counter_metric* requests = nullptr;
  counter_metric* throttled = nullptr;
  histogram_metric* duration = nullptr;
  gauge_metric* bucket_available = nullptr;
  gauge_metric* bucket_maximum = nullptr;

  admin_metrics(metrics_registry* r, std::string s) : reg(r), store(std::move(s)) {
    if (!reg)
      return;
    requests = &reg->counter("shopsync_admin_requests_total", "Admin API HTTP requests sent (every attempt)",
                             {{"store", store}});
    throttled = &reg->counter("shopsync_admin_throttled_total",
                              "Admin API answers THROTTLED or HTTP 429 (the request is sent again later)",
                              {{"store", store}});
    duration = &reg->histogram("shopsync_admin_request_duration_seconds",
                               "Admin API request sent to answer read, in seconds",
                               {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}, {{"store", store}});
    bucket_available = &reg->gauge("shopsync_admin_bucket_available_points",
                                   "Cost points left in the store's Admin API bucket at the last answer",
                                   {{"store", store}});
    bucket_maximum = &reg->gauge("shopsync_admin_bucket_maximum_points",
                                 "Size of the store's Admin API cost bucket, in cost points", {{"store", store}});
  }
  // Failed attempts are rare: the series is looked up each time.
  void error(const char* cls) const {
    if (reg)
      reg->counter("shopsync_admin_errors_total", "Failed Admin API attempts by class",
                   {{"store", store}, {"class", cls}})
        .inc();
  }
};

class client_impl final : public admin_client {
public:
  client_impl(net::io_context& ioc, admin_endpoint ep, admin_client_options opts)
    : ioc_(ioc), strand_(net::make_strand(ioc)), ssl_ctx_(ssl::context::tls_client),
      ep_(std::move(ep)), opts_(std::move(opts)), metrics_(opts_.metrics, ep_.store),
      failure_log_(opts_.failure_log_interval) {
    if (!opts_.jitter)
      opts_.jitter = default_jitter;
    if (opts_.pool_size == 0)
      opts_.pool_size = 1;
    auto u = parse_base_url(ep_.base_url, ep_.shop_domain);
    if (u.ok()) {
      url_ = std::move(u.value());
    } else {
      config_error_ = u.error();
    }
    target_ = url_.prefix + "/admin/api/" + ep_.api_version + "/graphql.json";
    boost::system::error_code ec;
    ssl_ctx_.set_default_verify_paths(ec);
    ssl_ctx_.set_verify_mode(ssl::verify_peer);
  }

  const admin_endpoint& endpoint() const noexcept override { return ep_; }

  void post(graphql_call call, callback done, std::chrono::milliseconds delay) override {
    auto ex = std::make_shared<exchange>(strand_);
    ex->call = std::move(call);
    ex->done = std::move(done);
    auto& req = ex->req;
    req.method(http::verb::post);
    req.target(target_);
    req.version(11);
    req.set(http::field::host, ep_.shop_domain);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::accept, "application/json");
    req.set(http::field::user_agent, "shopsync/0.1");
    req.set("X-Shopify-Access-Token", ep_.access_token);
    req.keep_alive(true);
    req.body() = graphql_body(ex->call);
    req.prepare_payload();
    {
      std::lock_guard<std::mutex> lk(mu_);
      ++stats_.requests;
    }
    auto self = std::static_pointer_cast<client_impl>(shared_from_this());
    net::post(strand_, [self, ex, delay] {
      if (self->config_error_)
        return self->finish(ex, *self->config_error_);
      if (delay.count() > 0) {
        ex->timer.expires_after(delay);
        ex->timer.async_wait([self, ex](beast::error_code) { self->start(ex); });
      } else {
        self->start(ex);
      }
    });
  }

  admin_client_stats stats() const override {
    std::lock_guard<std::mutex> lk(mu_);
    auto s = stats_;
    s.bucket = throttle_.last_status();
    s.available = throttle_.available(clock_type::now());
    return s;
  }

  void close() override {
    auto self = std::static_pointer_cast<client_impl>(shared_from_this());
    net::post(strand_, [self] {
      for (auto& c : self->idle_) {
        c->shutdown();
        --self->open_;
      }
      self->idle_.clear();
    });
  }

private:
  // --- one attempt: token, throttle wait, connection, exchange
  void start(const exchange_ptr& ex) {
    if (!ep_.tokens)
      return start_attempt(ex);
    auto self = shared();
    ep_.tokens->token([self, ex](result<std::string> r) {
      net::post(self->strand_, [self, ex, r = std::move(r)]() mutable {
        if (!r.ok()) {
          self->attempt_failed(ex, r.error().kind == error_kind::admin_unauthorized ? "unauthorized" : "token",
                               "no access token: " + r.error().message);
          if (r.error().kind == error_kind::admin_unavailable) {
            ++ex->attempt;
            return self->retry_or_fail(ex, r.error(), std::nullopt);
          }
          return self->finish(ex, r.error());
        }
        ex->token = std::move(r.value());
        ex->req.set("X-Shopify-Access-Token", ex->token);
        self->start_attempt(ex);
      });
    });
  }

  void start_attempt(const exchange_ptr& ex) {
    ++ex->attempt;
    std::chrono::milliseconds wait{0};
    {
      std::lock_guard<std::mutex> lk(mu_);
      wait = throttle_.delay_before(ex->call.estimated_cost, clock_type::now());
      if (wait.count() > 0) {
        // Claim the points while waiting, so that cheaper requests arriving later wait behind
        // this one instead of draining the bucket under it (a catalog page would otherwise
        // starve behind a steady flow of level reads).
        ex->reserved = ex->call.estimated_cost;
        throttle_.reserve(ex->reserved);
      }
    }
    if (wait.count() > 0) {
      auto self = shared();
      ex->timer.expires_after(wait);
      ex->timer.async_wait([self, ex](beast::error_code) {
        self->release_reservation(ex);
        self->acquire(ex);
      });
      return;
    }
    acquire(ex);
  }

  void acquire(const exchange_ptr& ex) {
    auto now = clock_type::now();
    // A non-idempotent call avoids connections the server may have closed meanwhile: an error
    // on one would leave its outcome uncertain.
    auto max_idle = ex->call.safety == request_safety::non_idempotent
                        ? std::min<std::chrono::milliseconds>(opts_.idle_timeout, std::chrono::milliseconds(1000))
                        : opts_.idle_timeout;
    while (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      if (now - c->idle_since <= max_idle && c->tcp().socket().is_open()) {
        ex->conn = std::move(c);
        return send(ex);
      }
      c->shutdown();
      --open_;
    }
    if (open_ < opts_.pool_size) {
      ++open_;
      return connect(ex);
    }
    waiters_.push_back(ex);
  }

  void wake_waiter() {
    if (waiters_.empty())
      return;
    auto ex = waiters_.front();
    waiters_.pop_front();
    acquire(ex);
  }

  void drop_connection(const exchange_ptr& ex) {
    if (ex->conn) {
      ex->conn->shutdown();
      ex->conn.reset();
    }
    --open_;
    wake_waiter();
  }

  void connect(const exchange_ptr& ex) {
    auto c = std::make_unique<connection>();
    if (url_.tls) {
      c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(strand_, ssl_ctx_);
      if (!SSL_set_tlsext_host_name(c->tls->native_handle(), url_.host.c_str())) {
        ex->conn = std::move(c);
        return transport_failed(ex, "TLS SNI setup failed", false);
      }
      c->tls->set_verify_callback(ssl::host_name_verification(url_.host));
    } else {
      c->plain = std::make_unique<beast::tcp_stream>(strand_);
    }
    ex->conn = std::move(c);
    {
      std::lock_guard<std::mutex> lk(mu_);
      ++stats_.connections_opened;
    }
    auto resolver = std::make_shared<tcp::resolver>(strand_);
    auto self = shared();
    resolver->async_resolve(
      url_.host, url_.port,
      [self, ex, resolver](beast::error_code ec, tcp::resolver::results_type results) {
        if (ec)
          return self->transport_failed(ex, "resolve: " + ec.message(), false);
        ex->conn->tcp().expires_after(self->opts_.connect_timeout);
        ex->conn->tcp().async_connect(
          results, [self, ex](beast::error_code ec, const tcp::endpoint&) {
            if (ec)
              return self->transport_failed(ex, "connect: " + ec.message(), false);
            if (!ex->conn->tls)
              return self->send(ex);
            ex->conn->tcp().expires_after(self->opts_.connect_timeout);
            ex->conn->tls->async_handshake(ssl::stream_base::client, [self, ex](beast::error_code ec) {
              if (ec)
                return self->transport_failed(ex, "TLS handshake: " + ec.message(), false);
              self->send(ex);
            });
          });
      });
  }

  void send(const exchange_ptr& ex) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      ++stats_.attempts;
      ex->reserved = ex->call.estimated_cost;
      throttle_.reserve(ex->reserved);
    }
    if (metrics_.requests)
      metrics_.requests->inc();
    ex->sent_at = clock_type::now();
    ex->parser.emplace();
    ex->parser->body_limit(256u * 1024 * 1024);
    ex->conn->tcp().expires_after(opts_.read_timeout);
    auto self = shared();
    ex->conn->with_stream([&](auto& stream) {
      http::async_write(stream, ex->req, [self, ex, &stream](beast::error_code ec, std::size_t) {
        if (ec)
          return self->transport_failed(ex, "write: " + ec.message(), true);
        http::async_read(stream, ex->conn->buffer, *ex->parser,
                         [self, ex](beast::error_code ec, std::size_t) {
                           if (ec)
                             return self->transport_failed(ex, "read: " + ec.message(), true);
                           self->on_response(ex);
                         });
      });
    });
  }

  void release_reservation(const exchange_ptr& ex) {
    if (ex->reserved > 0) {
      std::lock_guard<std::mutex> lk(mu_);
      throttle_.release(ex->reserved);
      ex->reserved = 0;
    }
  }

  // A connection, TLS, write or read error, or a timeout. `sent`: the request may have reached
  // the server.
  void transport_failed(const exchange_ptr& ex, std::string what, bool sent) {
    release_reservation(ex);
    bool reused = ex->conn && ex->conn->reused;
    drop_connection(ex);
    attempt_failed(ex, "transport", what + (reused ? " (on a reused connection)" : ""));
    if (sent && ex->call.safety == request_safety::non_idempotent)
      return finish(ex, error{error_kind::admin_uncertain, ex->call.operation +
                                                     ": sent, no answer (" + what + ")"});
    retry_or_fail(ex, error{error_kind::admin_unavailable, what}, std::nullopt);
  }

  void on_response(const exchange_ptr& ex) {
    release_reservation(ex);
    auto res = ex->parser->release();
    bool keep = res.keep_alive();
    if (keep) {
      ex->conn->reused = true;
      ex->conn->idle_since = clock_type::now();
      idle_.push_back(std::move(ex->conn));
      wake_waiter();
    } else {
      drop_connection(ex);
    }
    int status = static_cast<int>(res.result_int());
    if (metrics_.duration && ex->sent_at != clock_type::time_point{})
      metrics_.duration->observe(std::chrono::duration<double>(clock_type::now() - ex->sent_at).count());
    if (status == 429) {
      std::optional<std::chrono::milliseconds> ra;
      auto it = res.find(http::field::retry_after);
      if (it != res.end())
        ra = parse_retry_after(it->value());
      return throttled(ex, std::nullopt, ra, "HTTP 429");
    }
    if (status >= 500) {
      attempt_failed(ex, "server_error", "HTTP " + std::to_string(status));
      if (ex->call.safety == request_safety::non_idempotent)
        return finish(ex, error{error_kind::admin_uncertain,
                                ex->call.operation + ": HTTP " + std::to_string(status)});
      return retry_or_fail(ex, error{error_kind::admin_unavailable, "HTTP " + std::to_string(status)},
                           std::nullopt);
    }
    if (status == 401 || status == 403) {
      auto what = "HTTP " + std::to_string(status) + ": " + res.body().substr(0, 200);
      if (ep_.tokens && !ex->renewed) {
        metrics_.error("unauthorized"); // a token that expired under us: info below, not a warning
        // Expired or revoked under us: one more try with a token obtained now. Nothing was
        // applied, so this is safe for every kind of call.
        ex->renewed = true;
        ep_.tokens->refused(ex->token);
        --ex->attempt;
        spdlog::info("admin token refused store={} operation={}: asking for a fresh one ({})", ep_.store,
                     ex->call.operation, what);
        return start(ex);
      }
      attempt_failed(ex, "unauthorized", what);
      return finish(ex, error{error_kind::admin_unauthorized, what});
    }
    if (status != 200) {
      attempt_failed(ex, "http", "HTTP " + std::to_string(status));
      return finish(ex, error{error_kind::admin_http, "HTTP " + std::to_string(status) + ": " +
                                                res.body().substr(0, 200)});
    }
    graphql_reply reply;
    reply.http_status = status;
    reply.body = std::move(res.body());
    auto parsed = parse_body(reply.body);
    if (!parsed.valid) {
      attempt_failed(ex, "bad_response", "unparsable JSON");
      return finish(ex, error{error_kind::admin_bad_response, "unparsable JSON from " + ex->call.operation});
    }
    reply.actual_cost = parsed.actual_cost;
    reply.throttle = parsed.throttle;
    auto now = clock_type::now();
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (parsed.throttle && !parsed.throttled)
        throttle_.observe(*parsed.throttle, now);
      if (parsed.throttle && metrics_.bucket_available) {
        metrics_.bucket_available->set(parsed.throttle->currently_available);
        metrics_.bucket_maximum->set(parsed.throttle->maximum_available);
      }
      if (parsed.actual_cost)
        stats_.cost_spent += *parsed.actual_cost;
    }
    if (parsed.throttled && parsed.throttle && parsed.requested_cost > parsed.throttle->maximum_available) {
      // Waiting cannot help: the bucket never holds this much. The caller makes the request
      // smaller and says so (admin_api); no warning here.
      metrics_.error("graphql");
      {
        std::lock_guard<std::mutex> lk(mu_);
        throttle_.observe(*parsed.throttle, now); // the bucket's size, for the caller to size by
      }
      return finish(ex, error{error_kind::admin_exceeds_bucket,
                              ex->call.operation + ": requested cost " +
                                std::to_string(static_cast<long long>(parsed.requested_cost)) +
                                " is above the store's cost bucket (maximumAvailable " +
                                std::to_string(static_cast<long long>(parsed.throttle->maximum_available)) + ")"});
    }
    if (parsed.throttled) {
      double cost = parsed.requested_cost > 0 ? parsed.requested_cost : ex->call.estimated_cost;
      ex->call.estimated_cost = cost;
      return throttled(ex, parsed.throttle, std::nullopt, "THROTTLED");
    }
    if (parsed.top_error) {
      attempt_failed(ex, "graphql", parsed.top_error->code + ": " + parsed.top_error->message);
      if (parsed.top_error->code == "INTERNAL_SERVER_ERROR" &&
          ex->call.safety != request_safety::non_idempotent)
        return retry_or_fail(ex, *parsed.top_error, std::nullopt);
      return finish(ex, *parsed.top_error);
    }
    // Later calls of this kind start from what this one really cost.
    reply.attempts = ex->attempt;
    if (parsed.requested_cost > 0)
      reply.requested_cost = parsed.requested_cost;
    finish(ex, std::move(reply));
  }

  // Nothing ran: wait for the bucket (or Retry-After) and send the same request again.
  void throttled(const exchange_ptr& ex, std::optional<throttle_status> s,
                 std::optional<std::chrono::milliseconds> retry_after, const char* what) {
    std::chrono::milliseconds wait{0};
    {
      std::lock_guard<std::mutex> lk(mu_);
      ++stats_.throttled;
      ++stats_.retries;
      if (metrics_.throttled)
        metrics_.throttled->inc();
      auto now = clock_type::now();
      throttle_.on_throttled(s, ex->call.estimated_cost, now);
      wait = throttle_.delay_before(ex->call.estimated_cost, now);
    }
    ++ex->throttled_retries;
    --ex->attempt; // a throttled attempt does not count against the transient-error budget
    if (ex->throttled_retries > max_throttled_retries)
      return finish(ex, error{error_kind::admin_throttled, std::string(what) + " " +
                                                     std::to_string(ex->throttled_retries) +
                                                     " times: " + ex->call.operation});
    auto floor = backoff_delay(opts_.backoff, std::min(ex->throttled_retries, 4), opts_.jitter(),
                               retry_after);
    if (retry_after || !s)
      wait = std::max(wait, floor);
    else
      wait = std::max(wait, std::chrono::milliseconds(10));
    spdlog::debug("admin throttled store={} operation={} wait_ms={}", ep_.store,
                  ex->call.operation, wait.count());
    auto self = shared();
    ex->timer.expires_after(wait);
    ex->timer.async_wait([self, ex](beast::error_code) { self->start(ex); });
  }

  void retry_or_fail(const exchange_ptr& ex, error e,
                     std::optional<std::chrono::milliseconds> retry_after) {
    if (!may_attempt(opts_.backoff, ex->attempt + 1)) {
      e.message += " (after " + std::to_string(ex->attempt) + " attempts)"; // same code and kind
      return finish(ex, std::move(e));
    }
    auto wait = backoff_delay(opts_.backoff, ex->attempt, opts_.jitter(), retry_after);
    {
      std::lock_guard<std::mutex> lk(mu_);
      ++stats_.retries;
    }
    auto self = shared();
    ex->timer.expires_after(wait);
    ex->timer.async_wait([self, ex](beast::error_code) { self->start(ex); });
  }

  // One failed attempt: counted by class, and logged (rate-limited per class) naming the
  // store, the operation and the cause.
  void attempt_failed(const exchange_ptr& ex, const char* cls, const std::string& cause) {
    metrics_.error(cls);
    if (auto quiet = failure_log_.report(std::string("attempt\n") + cls))
      spdlog::warn("store {}: Admin API {} failed ({}): {}; attempt {}{}", ep_.store, ex->call.operation, cls,
                   cause, std::max(ex->attempt, 1), quiet_note(*quiet));
  }

  static std::string quiet_note(std::uint64_t quiet) {
    return quiet ? "; " + std::to_string(quiet) + " more such failures since the last warning" : std::string();
  }

  void finish(const exchange_ptr& ex, result<graphql_reply> r) {
    if (!r.ok()) {
      {
        std::lock_guard<std::mutex> lk(mu_);
        ++stats_.errors;
        stats_.last_error = r.error().code + ": " + r.error().message;
      }
      // The call failed for good: its requester gets the error. A refused token was warned
      // about as an attempt; the store link then holds the store and says so once per outage.
      const auto& e = r.error();
      if (e.kind != error_kind::admin_unauthorized && e.kind != error_kind::admin_exceeds_bucket)
        if (auto quiet = failure_log_.report("call\n" + e.code))
          spdlog::error("store {}: Admin API {} failed for good: {}: {}{}", ep_.store, ex->call.operation, e.code,
                        e.message, quiet_note(*quiet));
    }
    auto done = std::move(ex->done);
    if (done)
      done(std::move(r));
  }

  std::shared_ptr<client_impl> shared() {
    return std::static_pointer_cast<client_impl>(shared_from_this());
  }

  net::io_context& ioc_;
  net::strand<net::io_context::executor_type> strand_;
  ssl::context ssl_ctx_;
  admin_endpoint ep_;
  admin_client_options opts_;
  parsed_url url_;
  std::optional<error> config_error_;
  std::string target_;
  std::vector<std::unique_ptr<connection>> idle_;
  std::size_t open_ = 0;
  std::deque<exchange_ptr> waiters_;

  mutable std::mutex mu_; // stats_ and throttle_ (stats() is read from actor threads)
  throttle_model throttle_;
  admin_client_stats stats_;
  admin_metrics metrics_;
  warn_limiter failure_log_;
};

} // namespace

std::shared_ptr<admin_client> admin_client::make(net::io_context& ioc, admin_endpoint ep,
                                                 admin_client_options opts) {
  return std::make_shared<client_impl>(ioc, std::move(ep), std::move(opts));
}

} // namespace shopsync
