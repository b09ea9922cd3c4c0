#include "sim/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace shopsync::sim {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct http_server::impl {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
};

namespace {
void serve(simulator& sim, tcp::socket sock) {
  beast::error_code ec;
  beast::flat_buffer buf;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(sock, buf, parser, ec);
    if (ec)
      break;
    auto& req = parser.get();
    http_request_view view;
    view.method = std::string(req.method_string());
    view.target = std::string(req.target());
    view.host = std::string(req[http::field::host]);
    view.access_token = std::string(req["X-Shopify-Access-Token"]);
    view.body = std::move(req.body());
    http_answer ans;
    try {
      ans = sim.handle(view);
    } catch (const std::exception& e) { // e.g. a malformed number in a control query string
      ans.status = 400;
      ans.body = std::string("{\"error\":\"bad request: ") + e.what() + "\"}";
    }
    if (ans.latency_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(ans.latency_ms));
    if (ans.after == http_answer::then::drop) {
      sock.shutdown(tcp::socket::shutdown_both, ec);
      sock.close(ec);
      return;
    }
    if (ans.after == http_answer::then::hang) {
      // Applied, never answered: stay silent until the client gives up and closes.
      char c;
      while (!ec)
        sock.read_some(asio::buffer(&c, 1), ec);
      return;
    }
    if (ans.body_source) {
      // A large file (bulk results): the header, then the body a piece at a time.
      http::response<http::empty_body> head{static_cast<http::status>(ans.status), req.version()};
      head.set(http::field::content_type, ans.content_type);
      head.set(http::field::server, "shopify-sim");
      head.content_length(ans.body_size);
      head.keep_alive(req.keep_alive());
      http::response_serializer<http::empty_body> sr{head};
      http::write_header(sock, sr, ec);
      std::vector<char> piece(256 * 1024);
      for (std::uint64_t off = 0; !ec && off < ans.body_size;) {
        auto want = static_cast<std::size_t>(std::min<std::uint64_t>(piece.size(), ans.body_size - off));
        auto n = ans.body_source(off, piece.data(), want);
        if (n == 0)
          break;
        asio::write(sock, asio::buffer(piece.data(), n), ec);
        off += n;
      }
      if (ec || !head.keep_alive())
        break;
      continue;
    }
    http::response<http::string_body> res{static_cast<http::status>(ans.status), req.version()};
    res.set(http::field::content_type, ans.content_type);
    res.set(http::field::server, "shopify-sim");
    for (auto& [k, v] : ans.headers)
      res.set(k, v);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(ans.body);
    res.prepare_payload();
    http::write(sock, res, ec);
    if (ec || !res.keep_alive())
      break;
  }
  sock.shutdown(tcp::socket::shutdown_send, ec);
}
} // namespace

http_server::http_server(simulator& sim, const std::string& address, std::uint16_t port)
    : sim_(sim), impl_(new impl) {
  tcp::endpoint ep(asio::ip::make_address(address), port);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  port_ = impl_->acceptor.local_endpoint().port();
}

http_server::~http_server() { delete impl_; }

void http_server::run() {
  while (!stopping_) {
    beast::error_code ec;
    tcp::socket sock(impl_->ioc);
    impl_->acceptor.accept(sock, ec);
    if (ec) {
      if (stopping_)
        break;
      continue;
    }
    sock.set_option(tcp::no_delay(true), ec);
    std::thread([this, s = std::move(sock)]() mutable { serve(sim_, std::move(s)); }).detach();
  }
}

void http_server::stop() {
  stopping_ = true;
  beast::error_code ec;
  impl_->acceptor.close(ec);
}

} // namespace shopsync::sim
