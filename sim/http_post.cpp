#include "sim/http_post.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace shopsync::sim {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

post_result http_post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& body, std::chrono::milliseconds connect_timeout,
                      std::chrono::milliseconds answer_timeout) {
  post_result res;
  std::string rest = url;
  if (rest.rfind("http://", 0) != 0) {
    res.error = "only http:// URLs are supported";
    return res;
  }
  rest = rest.substr(7);
  auto slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string host = hostport, port = "80";
  if (auto c = hostport.rfind(':'); c != std::string::npos) {
    host = hostport.substr(0, c);
    port = hostport.substr(c + 1);
  }
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  auto endpoints = resolver.resolve(host, port, ec);
  if (ec) {
    res.error = "resolve: " + ec.message();
    return res;
  }
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, hostport);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "Shopify-Captain-Hook");
  for (auto& [k, v] : headers)
    req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buf;
  http::response<http::string_body> resp;
  stream.expires_after(connect_timeout);
  stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
    if (e) {
      res.error = "connect: " + e.message();
      return;
    }
    stream.expires_after(answer_timeout);
    http::async_write(stream, req, [&](beast::error_code e2, std::size_t) {
      if (e2) {
        res.error = "write: " + e2.message();
        return;
      }
      http::async_read(stream, buf, resp, [&](beast::error_code e3, std::size_t) {
        if (e3) {
          res.error = "read: " + e3.message();
          return;
        }
        res.status = static_cast<int>(resp.result_int());
      });
    });
  });
  ioc.run();
  beast::error_code ignore;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignore);
  return res;
}

} // namespace shopsync::sim
