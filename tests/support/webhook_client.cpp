#include "support/webhook_client.hpp"

#include "io/hmac.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace shopsync::testing {

raw_connection::raw_connection(std::uint16_t port, const std::string& host) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0)
    throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("connect to port " + std::to_string(port) + " failed: " + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

raw_connection::~raw_connection() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool raw_connection::send(const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR)
        continue;
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  return true;
}

namespace {
// Reads more into buf; false on timeout, close or error.
bool read_more(int fd, std::string& buf, std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0)
    return false;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
    return false;
  char tmp[65536];
  auto n = ::recv(fd, tmp, sizeof tmp, 0);
  if (n <= 0)
    return false;
  buf.append(tmp, static_cast<std::size_t>(n));
  return true;
}
} // namespace

std::optional<http_reply> raw_connection::read_reply(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t end;
  while ((end = pending_.find("\r\n\r\n")) == std::string::npos)
    if (!read_more(fd_, pending_, deadline))
      return std::nullopt;
  http_reply r;
  std::string head = pending_.substr(0, end);
  pending_.erase(0, end + 4);
  auto line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  auto sp = status_line.find(' ');
  if (sp == std::string::npos)
    return std::nullopt;
  r.status = std::atoi(status_line.c_str() + sp + 1);
  std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    auto next = head.find("\r\n", pos);
    if (next == std::string::npos)
      next = head.size();
    auto line = head.substr(pos, next - pos);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ')
        value.erase(0, 1);
      r.headers[name] = value;
    }
    pos = next + 2;
  }
  if (r.status == 100) // interim answer: the real one follows
    return read_reply(timeout);
  auto cl = r.headers.find("content-length");
  if (cl != r.headers.end()) {
    std::size_t len = std::stoul(cl->second);
    while (pending_.size() < len)
      if (!read_more(fd_, pending_, deadline))
        return std::nullopt;
    r.body = pending_.substr(0, len);
    pending_.erase(0, len);
  } else {
    while (read_more(fd_, pending_, deadline)) {
    }
    r.body = std::move(pending_);
    pending_.clear();
  }
  return r;
}

bool raw_connection::closed_within(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      return false;
    char tmp[4096];
    auto n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0)
      return true;
  }
}

std::string webhook_request(const std::string& body, const webhook_headers& h) {
  std::string req = "POST " + h.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
  if (!h.topic.empty())
    req += "X-Shopify-Topic: " + h.topic + "\r\n";
  if (!h.shop.empty())
    req += "X-Shopify-Shop-Domain: " + h.shop + "\r\n";
  if (!h.webhook_id.empty())
    req += "X-Shopify-Webhook-Id: " + h.webhook_id + "\r\n";
  auto event_id = h.event_id ? *h.event_id : "ev-" + h.webhook_id;
  if (!event_id.empty())
    req += "X-Shopify-Event-Id: " + event_id + "\r\n";
  req += "X-Shopify-API-Version: 2026-10\r\nX-Shopify-Triggered-At: 2025-03-14T14:22:31.000Z\r\n";
  std::string sig = h.hmac ? *h.hmac : hmac_sha256_base64(h.secret, body);
  if (!sig.empty())
    req += "X-Shopify-Hmac-Sha256: " + sig + "\r\n";
  for (auto& [k, v] : h.extra)
    req += k + ": " + v + "\r\n";
  if (!h.keep_alive)
    req += "Connection: close\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  req += body;
  return req;
}

http_reply post_webhook(std::uint16_t port, const std::string& body, const webhook_headers& h) {
  raw_connection c(port);
  if (!c.send(webhook_request(body, h)))
    throw std::runtime_error("send failed");
  auto r = c.read_reply();
  if (!r)
    throw std::runtime_error("no answer");
  return *r;
}

http_reply http_get(std::uint16_t port, const std::string& target) {
  raw_connection c(port);
  c.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  auto r = c.read_reply();
  if (!r)
    throw std::runtime_error("no answer");
  return *r;
}

} // namespace shopsync::testing
