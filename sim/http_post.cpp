#include "sim/http_post.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>

namespace shopsync::sim {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

struct parsed_url {
  std::string hostport, host, port, target;
};

std::optional<parsed_url> parse(const std::string& url) {
  if (url.rfind("http://", 0) != 0)
    return std::nullopt;
  std::string rest = url.substr(7);
  auto slash = rest.find('/');
  parsed_url u;
  u.hostport = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  u.host = u.hostport;
  u.port = "80";
  if (auto c = u.hostport.rfind(':'); c != std::string::npos) {
    u.host = u.hostport.substr(0, c);
    u.port = u.hostport.substr(c + 1);
  }
  return u;
}

// The other side closed a kept connection between two requests.
bool closed_by_peer(const beast::error_code& e) {
  return e == http::error::end_of_stream || e == asio::error::eof || e == asio::error::connection_reset ||
         e == asio::error::broken_pipe || e == asio::error::connection_aborted;
}

} // namespace

struct http_client::impl {
  bool keep_alive;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  std::string connected_to; // hostport of the open stream
  std::string resolved_for;
  tcp::resolver::results_type endpoints;
  beast::flat_buffer buf;
  std::size_t opened = 0;

  void close() {
    if (stream) {
      beast::error_code ignore;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignore);
      stream->close();
    }
    stream.reset();
    connected_to.clear();
    buf.clear();
  }

  void run() {
    ioc.restart();
    ioc.run();
  }

  // One exchange on the open stream. reused: the stream served an earlier request.
  struct attempt {
    post_result res;
    bool stale = false; // closed by the peer before any answer on a reused connection
  };
  attempt exchange(const http::request<http::string_body>& req, std::chrono::milliseconds answer_timeout,
                   bool reused) {
    attempt a;
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    stream->expires_after(answer_timeout);
    http::async_write(*stream, req, [&](beast::error_code e, std::size_t) {
      if (e) {
        a.res.error = "write: " + e.message();
        a.stale = reused && closed_by_peer(e);
        return;
      }
      http::async_read(*stream, buf, parser, [&](beast::error_code e2, std::size_t) {
        if (e2) {
          a.res.error = "read: " + e2.message();
          a.stale = reused && closed_by_peer(e2) && !parser.got_some();
          return;
        }
        a.res.status = static_cast<int>(parser.get().result_int());
      });
    });
    run();
    if (a.res.status == 0 || !keep_alive || !parser.is_done() || !parser.get().keep_alive())
      close();
    return a;
  }

  std::optional<std::string> connect(const parsed_url& u, std::chrono::milliseconds connect_timeout) {
    close();
    if (resolved_for != u.hostport) {
      tcp::resolver resolver(ioc);
      beast::error_code ec;
      endpoints = resolver.resolve(u.host, u.port, ec);
      if (ec)
        return "resolve: " + ec.message();
      resolved_for = u.hostport;
    }
    stream.emplace(ioc);
    std::optional<std::string> failed;
    stream->expires_after(connect_timeout);
    stream->async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
      if (e)
        failed = "connect: " + e.message();
    });
    run();
    if (failed) {
      close();
      resolved_for.clear(); // resolve again next time
      return failed;
    }
    ++opened;
    connected_to = u.hostport;
    return std::nullopt;
  }
};

http_client::http_client(bool keep_alive) : impl_(std::make_unique<impl>()) { impl_->keep_alive = keep_alive; }

http_client::~http_client() { impl_->close(); }

std::size_t http_client::connections_opened() const noexcept { return impl_->opened; }

post_result http_client::post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                              const std::string& body, std::chrono::milliseconds connect_timeout,
                              std::chrono::milliseconds answer_timeout) {
  auto u = parse(url);
  if (!u)
    return {0, "only http:// URLs are supported"};
  http::request<http::string_body> req{http::verb::post, u->target, 11};
  req.set(http::field::host, u->hostport);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "Shopify-Captain-Hook");
  for (auto& [k, v] : headers)
    req.set(k, v);
  req.keep_alive(impl_->keep_alive);
  req.body() = body;
  req.prepare_payload();
  const bool reused = impl_->stream && impl_->connected_to == u->hostport;
  if (!reused) {
    if (auto failed = impl_->connect(*u, connect_timeout))
      return {0, *failed};
  }
  auto a = impl_->exchange(req, answer_timeout, reused);
  if (!a.stale)
    return a.res;
  if (auto failed = impl_->connect(*u, connect_timeout))
    return {0, *failed};
  return impl_->exchange(req, answer_timeout, false).res;
}

} // namespace shopsync::sim
