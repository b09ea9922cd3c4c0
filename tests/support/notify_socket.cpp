#include "support/notify_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace shopsync::testing {

notify_socket::notify_socket(std::string path) : path_(std::move(path)) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path_.size() >= sizeof a.sun_path)
    throw std::runtime_error("notify socket path too long: " + path_);
  std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error("cannot bind " + path_);
}

notify_socket::~notify_socket() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

std::vector<std::string> notify_socket::read_for(std::chrono::milliseconds limit) {
  std::vector<std::string> out;
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return out;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      continue;
    char buf[4096];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0)
      continue;
    std::string msg(buf, static_cast<std::size_t>(n));
    for (std::size_t at = 0; at < msg.size();) {
      auto nl = msg.find('\n', at);
      out.push_back(msg.substr(at, nl == std::string::npos ? std::string::npos : nl - at));
      at = nl == std::string::npos ? msg.size() : nl + 1;
    }
  }
}

} // namespace shopsync::testing
