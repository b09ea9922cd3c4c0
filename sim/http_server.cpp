#include "sim/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <thread>

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
