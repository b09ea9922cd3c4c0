#include "io/bulk_download.hpp"

#include "io/base_url.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <limits>
#include <memory>
#include <vector>

namespace shopsync {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

void jsonl_splitter::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    auto nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(bytes);
      longest_ = std::max(longest_, partial_.size());
      return;
    }
    std::string_view line = bytes.substr(0, nl);
    bytes.remove_prefix(nl + 1);
    if (!partial_.empty()) {
      partial_.append(line);
      longest_ = std::max(longest_, partial_.size());
      std::string whole = std::move(partial_);
      partial_.clear();
      if (!whole.empty()) {
        ++lines_;
        on_line_(whole);
      }
      continue;
    }
    longest_ = std::max(longest_, line.size());
    if (!line.empty()) {
      ++lines_;
      on_line_(line);
    }
  }
}

void jsonl_splitter::finish() {
  if (partial_.empty())
    return;
  std::string whole = std::move(partial_);
  partial_.clear();
  ++lines_;
  on_line_(whole);
}

namespace {

template <class Stream>
struct downloader : std::enable_shared_from_this<downloader<Stream>> {
  parsed_url url;
  bulk_download_options opts;
  std::unique_ptr<ssl::context> tls_ctx;
  tcp::resolver resolver;
  Stream stream;
  beast::flat_buffer buffer;
  http::request<http::empty_body> req;
  http::response_parser<http::buffer_body> parser;
  std::vector<char> chunk;
  jsonl_splitter splitter;
  std::function<void(result<std::uint64_t>)> done;

  template <class Make>
  downloader(net::io_context& ioc, parsed_url u, bulk_download_options o, std::unique_ptr<ssl::context> ctx,
             Make make_stream, std::function<void(std::string_view)> on_line,
             std::function<void(result<std::uint64_t>)> d)
    : url(std::move(u)), opts(o), tls_ctx(std::move(ctx)), resolver(net::make_strand(ioc)),
      stream(make_stream(resolver.get_executor(), tls_ctx.get())), chunk(std::max<std::size_t>(4096, o.chunk_bytes)),
      splitter(std::move(on_line)), done(std::move(d)) {
    // The file is as big as the catalog. Not boost::none: Boost 1.74 compares a Content-Length
    // against an empty limit as "exceeded".
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  }

  beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream); }

  void fail(const std::string& what) {
    beast::error_code ec;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ec);
    if (done)
      std::exchange(done, nullptr)(error{error_kind::bulk_download, what});
  }

  void start() {
    auto self = this->shared_from_this();
    resolver.async_resolve(url.host, url.port, [self](beast::error_code ec, tcp::resolver::results_type r) {
      if (ec)
        return self->fail("resolve " + self->url.host + ": " + ec.message());
      self->tcp_layer().expires_after(self->opts.connect_timeout);
      self->tcp_layer().async_connect(r, [self](beast::error_code ec, const tcp::endpoint&) {
        if (ec)
          return self->fail("connect " + self->url.host + ": " + ec.message());
        self->handshake();
      });
    });
  }

  void handshake();

  void send() {
    req.method(http::verb::get);
    req.target(url.prefix.empty() ? "/" : url.prefix);
    req.version(11);
    req.set(http::field::host, url.host);
    req.set(http::field::user_agent, "shopsync/0.1");
    req.keep_alive(false);
    auto self = this->shared_from_this();
    tcp_layer().expires_after(opts.idle_timeout);
    http::async_write(stream, req, [self](beast::error_code ec, std::size_t) {
      if (ec)
        return self->fail("write: " + ec.message());
      http::async_read_header(self->stream, self->buffer, self->parser, [self](beast::error_code ec, std::size_t) {
        if (ec)
          return self->fail("read: " + ec.message());
        auto status = self->parser.get().result_int();
        if (status != 200)
          return self->fail("HTTP " + std::to_string(status));
        self->read_body();
      });
    });
  }

  void read_body() {
    if (parser.is_done())
      return finish();
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    tcp_layer().expires_after(opts.idle_timeout);
    auto self = this->shared_from_this();
    http::async_read(stream, buffer, parser, [self](beast::error_code ec, std::size_t) {
      if (ec == http::error::need_buffer)
        ec = {};
      if (ec)
        return self->fail("read: " + ec.message());
      const auto used = self->chunk.size() - self->parser.get().body().size;
      self->splitter.feed(std::string_view(self->chunk.data(), used));
      self->read_body();
    });
  }

  void finish() {
    splitter.finish();
    beast::error_code ec;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ec);
    if (done)
      std::exchange(done, nullptr)(splitter.lines());
  }
};

template <>
void downloader<beast::tcp_stream>::handshake() {
  send();
}

template <>
void downloader<beast::ssl_stream<beast::tcp_stream>>::handshake() {
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str()))
    return fail("TLS SNI setup failed");
  stream.set_verify_callback(ssl::host_name_verification(url.host));
  auto self = shared_from_this();
  tcp_layer().expires_after(opts.connect_timeout);
  stream.async_handshake(ssl::stream_base::client, [self](beast::error_code ec) {
    if (ec)
      return self->fail("TLS handshake: " + ec.message());
    self->send();
  });
}

} // namespace

void download_jsonl(net::io_context& ioc, const std::string& url, std::function<void(std::string_view)> on_line,
                    std::function<void(result<std::uint64_t>)> done, bulk_download_options opts) {
  auto u = parse_base_url(url, "");
  if (!u.ok())
    return done(error{error_kind::bulk_download, "not a download URL: " + url});
  if (u->tls) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    ctx->set_default_verify_paths(ec);
    ctx->set_verify_mode(ssl::verify_peer);
    using S = beast::ssl_stream<beast::tcp_stream>;
    auto d = std::make_shared<downloader<S>>(
      ioc, std::move(u.value()), opts, std::move(ctx),
      [](auto ex, ssl::context* c) { return S(ex, *c); }, std::move(on_line), std::move(done));
    return d->start();
  }
  using P = beast::tcp_stream;
  auto d = std::make_shared<downloader<P>>(
    ioc, std::move(u.value()), opts, nullptr, [](auto ex, ssl::context*) { return P(ex); }, std::move(on_line),
    std::move(done));
  d->start();
}

} // namespace shopsync
