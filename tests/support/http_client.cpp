#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <optional>

namespace shopsync::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct http_client::impl {
  std::string host;
  std::uint16_t port;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

http_client::http_client(std::string host, std::uint16_t port) : impl_(std::make_unique<impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

http_client::~http_client() { close(); }

void http_client::close() {
  if (impl_->stream) {
    beast::error_code ec;
    impl_->stream->socket().shutdown(tcp::socket::shutdown_both, ec);
    impl_->stream->close();
    impl_->stream.reset();
  }
  impl_->buffer.clear();
}

http_response http_client::request(const std::string& method, const std::string& target, const std::string& body,
                                   const http_headers& headers, std::chrono::milliseconds timeout) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, impl_->host + ":" + std::to_string(impl_->port));
  req.set(http::field::user_agent, "shopsync-test");
  if (!body.empty() || method == "POST")
    req.set(http::field::content_type, "application/json");
  for (auto& [k, v] : headers)
    req.set(k, v);
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = false;
    http_response res;
    auto& ioc = impl_->ioc;
    if (!impl_->stream) {
      impl_->stream.emplace(ioc);
      fresh = true;
      beast::error_code ec;
      impl_->stream->expires_after(timeout);
      impl_->stream->async_connect(tcp::endpoint(asio::ip::make_address(impl_->host), impl_->port),
                                   [&](beast::error_code e) { ec = e; });
      ioc.restart();
      ioc.run();
      if (ec) {
        res.error = "connect: " + ec.message();
        close();
        return res;
      }
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    beast::error_code ec;
    bool wrote = false;
    impl_->stream->expires_after(timeout);
    http::async_write(*impl_->stream, req, [&](beast::error_code e, std::size_t) {
      ec = e;
      if (e)
        return;
      wrote = true;
      http::async_read(*impl_->stream, impl_->buffer, parser, [&](beast::error_code e2, std::size_t) { ec = e2; });
    });
    ioc.restart();
    ioc.run();
    if (ec) {
      close();
      // A kept-alive connection the server had closed: retry once on a fresh one, but only when
      // the request could not be written. Once written it may have been received and applied
      // (a server may close without answering): that is the caller's to see, never retried here.
      if (!fresh && !wrote)
        continue;
      res.error = ec == beast::error::timeout ? "timeout" : ec.message();
      return res;
    }
    auto& msg = parser.get();
    res.status = static_cast<int>(msg.result_int());
    res.body = std::move(msg.body());
    for (auto& f : msg) {
      std::string name(f.name_string());
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      res.headers[name] = std::string(f.value());
    }
    if (!msg.keep_alive())
      close();
    return res;
  }
  return {};
}

} // namespace shopsync::testing
