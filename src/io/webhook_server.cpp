#include "io/webhook_server.hpp"

#include "io/hmac.hpp"
#include "io/inbox.hpp"
#include "io/metrics.hpp"
#include "io/per_second_limiter.hpp"
#include "io/warn_limiter.hpp"
#include "io/webhook_intake.hpp"
#include "io/webhook_metrics.hpp"
#include "io/webhook_parser.hpp"
#include "io/webhook_routes.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace shopsync {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

// respond()'s bytes for a 200 on a keep-alive HTTP/1.1 connection (webhook_ok(); the test
// webhook_answer_bytes.pre_serialised_200s_are_what_beast_writes compares them with
// Beast's serializer).
constexpr std::string_view wire_ok = "HTTP/1.1 200 OK\r\nServer: shopsyncd\r\n"
                                     "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\nok\n";
constexpr std::string_view wire_duplicate = "HTTP/1.1 200 OK\r\nServer: shopsyncd\r\n"
                                            "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 10\r\n\r\n"
                                            "duplicate\n";

} // namespace

struct webhook_server::impl : std::enable_shared_from_this<webhook_server::impl> {
  options opts;
  inbox& in;
  accepted_fn on_accepted;
  std::unordered_set<std::string> shops;
  // opts.secrets, replaceable while running (set_secrets); read with std::atomic_load.
  std::shared_ptr<const std::vector<std::string>> secrets;
  metrics_registry& registry;
  webhook_metrics metrics;

  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{asio::make_strand(ioc)};
  std::vector<std::thread> threads;
  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<bool> ready{false};
  std::atomic<bool> stopping{false};
  bool started = false, stopped = false;
  std::mutex lifecycle_mu;

  class session;
  std::mutex sessions_mu;
  std::unordered_map<session*, std::weak_ptr<session>> sessions;

  // Refusals are logged, but a flood of them (bad signatures from anywhere) must not flood
  // the log.
  per_second_limiter refusal_log{20};
  // Unusable deliveries are Shopify's doing or ours, not an attack, and may repeat with every
  // product save: the first of each (topic, reason) is a warning, then at most one warning per
  // ten minutes saying how many more came; the rest go to the debug log.
  warn_limiter unusable_warnings{std::chrono::minutes(10)};

  impl(options o, inbox& i, metrics_registry& m, accepted_fn fn)
      : opts(std::move(o)), in(i), on_accepted(std::move(fn)), registry(m), metrics(m, i) {
    secrets = std::make_shared<const std::vector<std::string>>(opts.secrets);
    for (auto& s : opts.shop_domains)
      shops.insert(shop_domain_key(s));
  }

  void do_accept();
};

class webhook_server::impl::session : public std::enable_shared_from_this<session> {
public:
  session(std::shared_ptr<impl> srv, tcp::socket socket) : srv_(std::move(srv)), stream_(std::move(socket)) {}

  ~session() {
    std::lock_guard lock(srv_->sessions_mu);
    srv_->sessions.erase(this);
  }

  void start() {
    {
      std::lock_guard lock(srv_->sessions_mu);
      srv_->sessions.emplace(this, weak_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_request(); });
  }

  auto stream_executor() { return stream_.get_executor(); }

  void force_close() { close_now(); }

  // stop(): an idle keep-alive connection is closed; a request in progress finishes.
  void on_stop() {
    if (idle_) {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream_.socket().close(ec);
    }
  }

private:
  // Keep-alive: wait (idle_timeout) for the first byte of the next request, then give the
  // header header_timeout to arrive.
  void wait_request() {
    if (srv_->stopping.load()) {
      close_gracefully();
      return;
    }
    if (buffer_.size() > 0) {
      read_header();
      return;
    }
    idle_ = true;
    stream_.expires_after(srv_->opts.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->idle_ = false;
                              if (ec) {
                                self->close_now();
                                return;
                              }
                              self->buffer_.commit(n);
                              self->read_header();
                            });
  }

  void read_header() {
    // The previous request's header fields lived in the arena: drop them, then reuse it.
    parser_.reset();
    fields_arena_.emplace(fields_buffer_.data(), fields_buffer_.size());
    parser_.emplace(std::piecewise_construct, std::make_tuple(),
                    std::make_tuple(fields_allocator(&*fields_arena_)));
    parser_->header_limit(srv_->opts.max_header_bytes);
    parser_->body_limit(srv_->opts.max_body_bytes);
    stream_.expires_after(srv_->opts.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    if (ec) {
      if (ec == http::error::body_limit) { // Content-Length over the limit: body never read
        refuse_unread("unverified", intake_outcome::too_large);
      } else if (ec == http::error::header_limit) {
        refuse_unread("unverified", intake_outcome::header_too_large);
      } else if (ec == beast::error::timeout) {
        spdlog::debug("event=webhook_header_timeout");
        close_now();
      } else if (ec == http::error::end_of_stream || ec == asio::error::eof ||
                 ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
        close_now();
      } else {
        refuse(http::status::bad_request, "bad request\n");
      }
      return;
    }
    started_ = steady::now();
    auto& req = parser_->get();
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
      asio::async_write(stream_, asio::buffer(*cont),
                        [self = shared_from_this(), cont](beast::error_code ec, std::size_t) {
                          if (ec)
                            return self->close_now();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(srv_->opts.body_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_body(ec);
    });
  }

  void on_body(beast::error_code ec) {
    if (ec) {
      if (ec == http::error::body_limit) { // chunked body that grew over the limit
        refuse_unread("unverified", intake_outcome::too_large);
      } else if (ec == beast::error::timeout) {
        spdlog::debug("event=webhook_body_timeout");
        close_now();
      } else if (ec == asio::error::eof || ec == http::error::end_of_stream || ec == http::error::partial_message ||
                 ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
        close_now();
      } else {
        refuse(http::status::bad_request, "bad request\n");
      }
      return;
    }
    stream_.expires_never();
    route();
  }

  void route() {
    auto& req = parser_->get();
    std::string_view target = req.target();
    auto match = match_route(target, req.method() == http::verb::get, req.method() == http::verb::post,
                             static_cast<bool>(srv_->opts.oauth_callback));
    switch (match.route) {
    case server_route::webhook:
      return handle_webhook(match.path_topic);
    case server_route::webhook_not_post:
      return respond(http::status::method_not_allowed, "method not allowed\n", "Allow", "POST");
    case server_route::healthz: {
      const bool serving = srv_->ready.load() && !srv_->stopping.load();
      auto problems = serving && srv_->opts.health_problems ? srv_->opts.health_problems() : std::vector<std::string>{};
      auto answer = answer_health(srv_->ready.load(), srv_->stopping.load(), problems, target);
      return respond(static_cast<http::status>(answer.status), std::move(answer.body));
    }
    case server_route::metrics:
      return respond(http::status::ok, srv_->registry.render(), "Content-Type", "text/plain; version=0.0.4");
    case server_route::oauth_callback:
      return handle_oauth_callback();
    case server_route::not_found:
      break;
    }
    respond(http::status::not_found, "not found\n");
  }

  // A request refused from its header or its body's size: counted, answered, the connection closed.
  void refuse_unread(const std::string& topic, intake_outcome outcome) {
    srv_->metrics.count(topic, outcome);
    refuse(static_cast<http::status>(status_of(outcome)), answer_body(outcome));
  }

  double ack_seconds() const { return std::chrono::duration<double>(steady::now() - started_).count(); }

  void webhook_answer(intake_outcome outcome, const std::string& topic, std::string body) {
    srv_->metrics.answered(topic, outcome, ack_seconds());
    respond(static_cast<http::status>(status_of(outcome)), std::move(body));
  }

  // The answers to stored, duplicate and ignored deliveries on a keep-alive HTTP/1.1
  // connection (nearly every answer under load): the same bytes respond() would produce,
  // kept pre-serialised, so that no response object, header list or serializer is built.
  void webhook_ok(std::string_view wire, const std::string& topic, intake_outcome outcome) {
    auto& req = parser_->get();
    if (req.version() != 11 || !req.keep_alive() || srv_->stopping.load())
      return webhook_answer(outcome, topic, answer_body(outcome));
    srv_->metrics.answered(topic, outcome, ack_seconds());
    stream_.expires_after(srv_->opts.body_timeout);
    asio::async_write(stream_, asio::buffer(wire.data(), wire.size()),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec)
                          return self->close_now();
                        self->wait_request();
                      });
  }

  void handle_webhook(std::string_view path_topic) {
    auto& req = parser_->get();
    thread_local webhook_parser parser;
    auto secrets = std::atomic_load(&srv_->secrets);
    auto decision = decide_webhook_intake(
        webhook_request{path_topic, req["X-Shopify-Topic"], req["X-Shopify-Shop-Domain"], req["X-Shopify-Hmac-Sha256"],
                        req["X-Shopify-Webhook-Id"], req["X-Shopify-Event-Id"], req["X-Shopify-Triggered-At"],
                        req["X-Shopify-API-Version"], req.body()},
        webhook_intake_rules{srv_->opts.max_body_bytes, &srv_->shops, secrets.get()}, parser);
    auto& d = decision.delivery;
    if (decision.action == intake_action::refuse) {
      auto outcome = refused_outcome(decision);
      if (outcome == intake_outcome::too_large) // the HTTP parser's body limit comes first
        return refuse_unread(decision.topic_label, outcome);
      if (auto skipped = srv_->refusal_log.allow()) {
        if (*skipped)
          spdlog::warn("event=webhook_refused_unlogged count={}", *skipped);
        spdlog::warn("event=webhook_refused reason={} shop=\"{}\" peer={}", to_string(decision.refusal),
                     d.shop_domain.substr(0, 100), peer());
      }
      return webhook_answer(outcome, decision.topic_label, answer_body(outcome));
    }
    // Accepted or kept aside (the event then empty): stored, and answered once stored.
    topic_label_ = std::move(decision.topic_label);
    envelope_ = webhook_envelope{d.topic,        d.shop_domain, d.webhook_id,
                                 d.event_id,     d.triggered_at, d.api_version,
                                 std::move(decision.event)};
    action_ = decision.action;
    unusable_ = d.unusable;
    d.body = std::move(req.body());
    // Keeps the I/O threads alive while the writer holds this request.
    pending_work_.emplace(srv_->ioc.get_executor());
    srv_->in.submit(std::move(d), [self = shared_from_this()](append_result r) {
      auto ex = self->stream_.get_executor();
      asio::post(ex, [self = std::move(self), r = std::move(r)]() mutable { self->on_stored(std::move(r)); });
    });
  }

  void handle_oauth_callback() {
    std::string_view target = parser_->get().target();
    auto q = target.find('?');
    std::string query(q == std::string_view::npos ? std::string_view{} : target.substr(q + 1));
    pending_work_.emplace(srv_->ioc.get_executor());
    srv_->opts.oauth_callback(std::move(query), [self = shared_from_this()](int status, std::string body) {
      auto ex = self->stream_.get_executor();
      asio::post(ex, [self, status, body = std::move(body)]() mutable {
        self->pending_work_.reset();
        self->respond(static_cast<http::status>(status), std::move(body));
      });
    });
  }

  // The client as nginx saw it, else the socket's peer.
  std::string peer() {
    auto& req = parser_->get();
    auto fwd = req["X-Forwarded-For"];
    if (!fwd.empty())
      return std::string(fwd.substr(0, 100));
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    return ec ? std::string("?") : ep.address().to_string();
  }

  void on_stored(append_result r) {
    pending_work_.reset();
    auto topic = topic_label_;
    auto outcome = stored_outcome(action_, r.outcome);
    switch (outcome) {
    case intake_outcome::unusable:
      return on_unusable_stored(r.seq);
    case intake_outcome::accepted:
      spdlog::debug("event=webhook_accepted seq={} shop={} topic={} webhook_id={}", r.seq, envelope_.shop_domain, topic,
                    envelope_.webhook_id);
      if (srv_->on_accepted)
        srv_->on_accepted(r.seq, std::move(envelope_));
      return webhook_ok(wire_ok, topic, outcome);
    case intake_outcome::duplicate:
      spdlog::info("event=webhook_duplicate shop={} topic={} webhook_id={} first_seq={}", envelope_.shop_domain, topic,
                   envelope_.webhook_id, r.seq);
      return webhook_ok(wire_duplicate, topic, outcome);
    default: // unavailable
      spdlog::error("event=webhook_unavailable shop={} topic={} webhook_id={} error=\"{}\"", envelope_.shop_domain,
                    topic, envelope_.webhook_id, r.error);
      return webhook_answer(outcome, topic, answer_body(outcome));
    }
  }

  // A signed delivery kept aside: counted, logged (rate-limited per topic and reason),
  // answered 200 with the reason.
  void on_unusable_stored(std::uint64_t seq) {
    auto& why = *unusable_;
    srv_->metrics.count_unusable(topic_label_);
    std::uint64_t quiet = 0;
    auto report = srv_->unusable_warnings.report(topic_label_ + '\n' + why.code, warn_limiter::clock_type::now(), &quiet);
    auto level = report ? spdlog::level::warn : spdlog::level::debug;
    spdlog::log(level,
                "event=webhook_unusable seq={} shop={} topic=\"{}\" webhook_id=\"{}\" event_id=\"{}\" reason={} "
                "error=\"{}\" similar_since_last_warning={} (kept aside: shopsyncctl inbox --unusable)",
                seq, envelope_.shop_domain, envelope_.topic.substr(0, 100), envelope_.webhook_id.substr(0, 100),
                envelope_.event_id.substr(0, 100), why.code, why.message.substr(0, 300), quiet);
    webhook_answer(intake_outcome::unusable, topic_label_, answer_body(intake_outcome::unusable, unusable_));
  }

  void respond(http::status status, std::string body, const char* extra_name = nullptr,
               const char* extra_value = nullptr) {
    auto& req = parser_->get();
    auto res = std::make_shared<http::response<http::string_body>>(status, req.version());
    res->set(http::field::server, "shopsyncd");
    if (extra_name && std::string_view(extra_name) == "Content-Type")
      res->set(http::field::content_type, extra_value);
    else {
      res->set(http::field::content_type, "text/plain; charset=utf-8");
      if (extra_name)
        res->set(extra_name, extra_value);
    }
    if (status == http::status::service_unavailable && req.target().substr(0, 9) == "/webhooks")
      res->set(http::field::retry_after, "5");
    bool keep = req.keep_alive() && !srv_->stopping.load();
    res->keep_alive(keep);
    res->body() = std::move(body);
    res->prepare_payload();
    write(res, keep ? after_write::next : after_write::close);
  }

  // An answer to a request that was not read in full: the connection cannot be reused.
  void refuse(http::status status, std::string body) {
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    res->set(http::field::server, "shopsyncd");
    res->set(http::field::content_type, "text/plain; charset=utf-8");
    res->keep_alive(false);
    res->body() = std::move(body);
    res->prepare_payload();
    write(res, after_write::linger);
  }

  enum class after_write { next, close, linger };

  void write(std::shared_ptr<http::response<http::string_body>> res, after_write then) {
    stream_.expires_after(srv_->opts.body_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res, then](beast::error_code ec, std::size_t) {
      if (ec)
        return self->close_now();
      if (then == after_write::next)
        return self->wait_request();
      self->close_gracefully();
    });
  }

  // Half-close, then read and discard what the client still sends (up to `linger`), so
  // that closing with unread data does not reset the connection under our answer.
  void close_gracefully() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec)
      return close_now();
    stream_.expires_after(srv_->opts.linger);
    drain();
  }

  void drain() {
    auto scratch = std::make_shared<std::array<char, 16384>>();
    stream_.async_read_some(asio::buffer(*scratch), [self = shared_from_this(), scratch](beast::error_code ec, std::size_t) {
      if (ec)
        return self->close_now();
      self->drain();
    });
  }

  void close_now() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

  std::shared_ptr<impl> srv_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  // Header fields are allocated one by one: from a per-connection arena, released as a
  // whole at the next request, instead of a malloc and a free per field (the upstream
  // allocator takes over when a request's fields do not fit).
  using fields_allocator = std::pmr::polymorphic_allocator<char>;
  alignas(std::max_align_t) std::array<std::byte, 2048> fields_buffer_;
  std::optional<std::pmr::monotonic_buffer_resource> fields_arena_;
  std::optional<http::request_parser<http::string_body, fields_allocator>> parser_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> pending_work_;
  webhook_envelope envelope_;
  intake_action action_ = intake_action::accept; // of the delivery in progress: accept or keep aside
  std::optional<error> unusable_; // the delivery in progress is kept aside, for this reason
  std::string topic_label_;       // its topic as a metric label: a parsed topic, or "other"
  steady::time_point started_;
  bool idle_ = false;
};

void webhook_server::impl::do_accept() {
  acceptor.async_accept(asio::make_strand(ioc), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open())
        return;
      spdlog::warn("event=webhook_accept_failed error=\"{}\"", ec.message());
    } else if (!self->stopping.load()) {
      beast::error_code ignored;
      s.set_option(tcp::no_delay(true), ignored); // small answers must not wait for Nagle
      std::make_shared<session>(self, std::move(s))->start();
    }
    if (!self->stopping.load())
      self->do_accept();
  });
}

void webhook_server::set_secrets(std::vector<std::string> secrets) {
  std::atomic_store(&impl_->secrets, std::shared_ptr<const std::vector<std::string>>(
                                       std::make_shared<const std::vector<std::string>>(std::move(secrets))));
}

webhook_server::options webhook_server::options_from(const config& cfg) {
  options o;
  o.address = cfg.daemon.listen_address;
  o.port = cfg.daemon.listen_port;
  o.io_threads = std::max(1, cfg.daemon.io_threads);
  o.max_body_bytes = cfg.daemon.max_body_bytes;
  o.secrets = cfg.daemon.webhook_secrets;
  for (auto& s : cfg.stores)
    o.shop_domains.push_back(s.shop_domain);
  return o;
}

webhook_server::webhook_server(options opts, inbox& in, metrics_registry& metrics, accepted_fn on_accepted)
    : impl_(std::make_shared<impl>(std::move(opts), in, metrics, std::move(on_accepted))) {}

webhook_server::~webhook_server() { stop(); }

result<std::uint16_t> webhook_server::start() {
  auto& s = *impl_;
  std::lock_guard lock(s.lifecycle_mu);
  if (s.started)
    return error{error_kind::webhook_server_started, "webhook server already started"};
  beast::error_code ec;
  auto addr = asio::ip::make_address(s.opts.address, ec);
  if (ec)
    return error{error_kind::webhook_server_address, "listen address " + s.opts.address + ": " + ec.message()};
  tcp::endpoint ep{addr, s.opts.port};
  s.acceptor.open(ep.protocol(), ec);
  if (!ec)
    s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    s.acceptor.bind(ep, ec);
  if (!ec)
    s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return error{error_kind::webhook_server_listen,
                 "cannot listen on " + s.opts.address + ":" + std::to_string(s.opts.port) + ": " + ec.message()};
  s.bound_port = s.acceptor.local_endpoint().port();
  s.started = true;
  s.work.emplace(s.ioc.get_executor());
  s.do_accept();
  for (int i = 0; i < std::max(1, s.opts.io_threads); ++i)
    s.threads.emplace_back([&s] { s.ioc.run(); });
  spdlog::info("event=webhook_server_listening address={} port={} io_threads={}", s.opts.address,
               s.bound_port.load(), s.opts.io_threads);
  return s.bound_port.load();
}

void webhook_server::stop() {
  auto& s = *impl_;
  std::lock_guard lock(s.lifecycle_mu);
  if (!s.started || s.stopped)
    return;
  s.stopped = true;
  s.ready = false;
  s.stopping = true;
  asio::post(s.acceptor.get_executor(), [p = impl_] {
    beast::error_code ec;
    p->acceptor.close(ec);
  });
  // Runs `what` on each live session's strand. Collected first, posted after: the last
  // reference to a session may drop here, and its destructor takes sessions_mu.
  auto post_to_sessions = [&s](void (impl::session::*what)()) {
    std::vector<std::shared_ptr<impl::session>> live;
    {
      std::lock_guard slock(s.sessions_mu);
      for (auto& [_, weak] : s.sessions)
        if (auto sp = weak.lock())
          live.push_back(std::move(sp));
    }
    for (auto& sp : live)
      asio::post(sp->stream_executor(), [sp, what] { ((*sp).*what)(); });
  };
  post_to_sessions(&impl::session::on_stop);
  s.work.reset();
  auto sessions_left = [&s] {
    std::lock_guard slock(s.sessions_mu);
    return s.sessions.size();
  };
  auto wait_until = [](steady::time_point deadline, const std::function<bool()>& done) {
    while (!done() && steady::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return done();
  };
  if (!wait_until(steady::now() + s.opts.stop_grace, [&] { return sessions_left() == 0; })) {
    spdlog::warn("event=webhook_server_stop_forced sessions={}", sessions_left());
    post_to_sessions(&impl::session::force_close);
    wait_until(steady::now() + std::chrono::seconds(1), [&] { return sessions_left() == 0; });
  }
  // Without work left (the aborted accept included) the I/O threads return by themselves,
  // and no handler keeps the server alive; stop() them only if something still hangs.
  if (!wait_until(steady::now() + std::chrono::seconds(1), [&s] { return s.ioc.stopped(); }))
    s.ioc.stop();
  for (auto& t : s.threads)
    t.join();
  s.threads.clear();
  spdlog::info("event=webhook_server_stopped");
}

void webhook_server::set_ready(bool ready) { impl_->ready = ready; }

std::uint16_t webhook_server::port() const { return impl_->bound_port.load(); }

} // namespace shopsync
