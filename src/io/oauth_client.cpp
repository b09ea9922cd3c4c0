#include "io/oauth_client.hpp"

#include "io/base_url.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <simdjson.h>

#include <cctype>
#include <memory>

namespace shopsync {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

std::string form_encode(const std::string& v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

result<oauth_token> parse_token_answer(std::string body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root) || !root.is_object())
    return error{error_kind::auth_bad_response, "the token endpoint's answer is not a JSON object"};
  oauth_token t;
  std::string_view s;
  if (root["access_token"].get_string().get(s) || s.empty())
    return error{error_kind::auth_bad_response, "the token endpoint's answer has no access_token"};
  t.access_token = std::string(s);
  if (!root["scope"].get_string().get(s))
    t.scope = std::string(s);
  std::int64_t n = 0;
  if (!root["expires_in"].get_int64().get(n))
    t.expires_in = std::chrono::seconds(n);
  return t;
}

namespace {

// One request: resolve, connect, (TLS handshake), write, read; a deadline over all of it.
class token_request : public std::enable_shared_from_this<token_request> {
public:
  token_request(net::io_context& io, parsed_url u, std::string host, std::string body, oauth_token_fn done,
                std::chrono::milliseconds timeout)
      : resolver_(io), ssl_ctx_(ssl::context::tls_client), url_(std::move(u)), done_(std::move(done)),
        timeout_(timeout) {
    if (url_.tls) {
      boost::system::error_code ec;
      ssl_ctx_.set_default_verify_paths(ec);
      ssl_ctx_.set_verify_mode(ssl::verify_peer);
      tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io, ssl_ctx_);
    } else {
      plain_ = std::make_unique<beast::tcp_stream>(io);
    }
    req_.method(http::verb::post);
    req_.target(url_.prefix + "/admin/oauth/access_token");
    req_.version(11);
    req_.set(http::field::host, host);
    req_.set(http::field::content_type, "application/x-www-form-urlencoded");
    req_.set(http::field::accept, "application/json");
    req_.set(http::field::user_agent, "shopsync/0.1");
    req_.keep_alive(false);
    req_.body() = std::move(body);
    req_.prepare_payload();
  }

  void run() {
    if (tls_ && !SSL_set_tlsext_host_name(tls_->native_handle(), url_.host.c_str()))
      return fail(error_kind::auth_unavailable, "TLS SNI setup failed");
    if (tls_)
      tls_->set_verify_callback(ssl::host_name_verification(url_.host));
    tcp_stream().expires_after(timeout_);
    resolver_.async_resolve(url_.host, url_.port, [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
      if (ec)
        return self->fail(error_kind::auth_unavailable, "resolve: " + ec.message());
      self->tcp_stream().async_connect(r, [self](beast::error_code ec, const tcp::endpoint&) {
        if (ec)
          return self->fail(error_kind::auth_unavailable, "connect: " + ec.message());
        if (!self->tls_)
          return self->send();
        self->tls_->async_handshake(ssl::stream_base::client, [self](beast::error_code ec) {
          if (ec)
            return self->fail(error_kind::auth_unavailable, "TLS handshake: " + ec.message());
          self->send();
        });
      });
    });
  }

private:
  beast::tcp_stream& tcp_stream() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

  template <class F>
  void with_stream(F&& f) {
    if (tls_)
      f(*tls_);
    else
      f(*plain_);
  }

  void send() {
    with_stream([self = shared_from_this()](auto& stream) {
      http::async_write(stream, self->req_, [self, &stream](beast::error_code ec, std::size_t) {
        if (ec)
          return self->fail(error_kind::auth_unavailable, "write: " + ec.message());
        http::async_read(stream, self->buffer_, self->res_, [self](beast::error_code ec, std::size_t) {
          if (ec)
            return self->fail(error_kind::auth_unavailable, "read: " + ec.message());
          self->answered();
        });
      });
    });
  }

  void answered() {
    beast::error_code ec;
    tcp_stream().socket().shutdown(tcp::socket::shutdown_both, ec);
    int status = static_cast<int>(res_.result_int());
    auto excerpt = res_.body().substr(0, 300);
    if (status >= 500 || status == 429)
      return fail(error_kind::auth_unavailable, "HTTP " + std::to_string(status) + ": " + excerpt);
    if (status != 200)
      return fail(error_kind::auth_refused, "HTTP " + std::to_string(status) + ": " + excerpt);
    auto t = parse_token_answer(std::move(res_.body()));
    auto done = std::move(done_);
    done(std::move(t));
  }

  void fail(error_kind kind, std::string message) {
    if (!done_)
      return;
    auto done = std::move(done_);
    done(error{kind, std::move(message)});
  }

  tcp::resolver resolver_;
  ssl::context ssl_ctx_;
  parsed_url url_;
  std::unique_ptr<beast::tcp_stream> plain_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;
  http::request<http::string_body> req_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> res_;
  oauth_token_fn done_;
  std::chrono::milliseconds timeout_;
};

void token_post(net::io_context& io, const oauth_endpoint& ep, std::string body, oauth_token_fn done,
                std::chrono::milliseconds timeout) {
  auto u = parse_base_url(ep.base_url, ep.shop_domain);
  if (!u)
    return done(error{error_kind::auth_refused, u.error().message});
  std::make_shared<token_request>(io, std::move(u.value()), ep.shop_domain, std::move(body), std::move(done), timeout)
    ->run();
}

} // namespace

void client_credentials_grant(net::io_context& io, const oauth_endpoint& ep, const std::string& client_id,
                              const std::string& client_secret, oauth_token_fn done, std::chrono::milliseconds timeout) {
  token_post(io, ep,
             "grant_type=client_credentials&client_id=" + form_encode(client_id) +
               "&client_secret=" + form_encode(client_secret),
             std::move(done), timeout);
}

void authorization_code_grant(net::io_context& io, const oauth_endpoint& ep, const std::string& client_id,
                              const std::string& client_secret, const std::string& code, oauth_token_fn done,
                              std::chrono::milliseconds timeout) {
  token_post(io, ep,
             "client_id=" + form_encode(client_id) + "&client_secret=" + form_encode(client_secret) +
               "&code=" + form_encode(code),
             std::move(done), timeout);
}

} // namespace shopsync
