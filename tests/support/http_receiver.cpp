#include "support/http_receiver.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <list>
#include <mutex>
#include <thread>

namespace shopsync::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct http_receiver::impl {
  std::function<receiver_reply(std::size_t, const received_request&)> reply;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::uint16_t port = 0;
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::vector<received_request> requests;
  std::list<std::thread> threads;
  std::list<std::shared_ptr<tcp::socket>> sockets;
  std::atomic<bool> stopping{false};
  std::thread acceptor_thread;

  void serve(std::shared_ptr<tcp::socket> sock) {
    beast::flat_buffer buf;
    beast::error_code ec;
    while (!stopping) {
      http::request<http::string_body> req;
      http::read(*sock, buf, req, ec);
      if (ec)
        return;
      received_request r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      r.body = req.body();
      r.at = std::chrono::steady_clock::now();
      for (auto& f : req) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        r.headers[name] = std::string(f.value());
      }
      std::size_t n;
      {
        std::lock_guard lock(mu);
        n = requests.size();
        requests.push_back(r);
      }
      cv.notify_all();
      receiver_reply rep = reply ? reply(n, r) : receiver_reply{};
      auto until = std::chrono::steady_clock::now() + rep.delay;
      while (!stopping && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (stopping)
        return;
      http::response<http::string_body> res{static_cast<http::status>(rep.status), req.version()};
      res.keep_alive(req.keep_alive());
      res.set(http::field::content_type, "application/json");
      res.body() = std::move(rep.body);
      res.prepare_payload();
      http::write(*sock, res, ec);
      if (ec || !res.keep_alive())
        return;
      if (rep.then_close) {
        sock->shutdown(tcp::socket::shutdown_both, ec); // not close(): the destructor may shut it down too
        return;
      }
    }
  }
};

http_receiver::http_receiver(std::function<receiver_reply(std::size_t, const received_request&)> reply)
    : impl_(std::make_unique<impl>()) {
  impl_->reply = std::move(reply);
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->acceptor_thread = std::thread([this] {
    while (!impl_->stopping) {
      auto sock = std::make_shared<tcp::socket>(impl_->ioc);
      beast::error_code ec;
      impl_->acceptor.accept(*sock, ec);
      if (ec || impl_->stopping)
        return;
      std::lock_guard lock(impl_->mu);
      impl_->sockets.push_back(sock);
      impl_->threads.emplace_back([this, sock] { impl_->serve(sock); });
    }
  });
}

http_receiver::~http_receiver() {
  impl_->stopping = true;
  beast::error_code ec;
  // Wake the blocking accept with a connection of our own, then close everything.
  {
    asio::io_context ioc;
    tcp::socket s(ioc);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port), ec);
  }
  impl_->acceptor_thread.join();
  impl_->acceptor.close(ec);
  {
    std::lock_guard lock(impl_->mu);
    for (auto& s : impl_->sockets) {
      s->shutdown(tcp::socket::shutdown_both, ec);
    }
  }
  for (auto& t : impl_->threads)
    t.join();
}

std::uint16_t http_receiver::port() const { return impl_->port; }

std::size_t http_receiver::connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->sockets.size();
}

std::string http_receiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + path;
}

std::vector<received_request> http_receiver::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests;
}

std::size_t http_receiver::count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests.size();
}

bool http_receiver::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->requests.size() >= n; });
}

} // namespace shopsync::testing
