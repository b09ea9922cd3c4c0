#include "io/control_client.hpp"

#include "io/control_protocol.hpp"
#include "io/json_writer.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace shopsync {

namespace {

struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

} // namespace

result<std::string> control_roundtrip(const std::string& socket_path, const std::string& line,
                                      std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path)
    return error{error_kind::control_bad_path, "socket path too long: " + socket_path};
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  fd_guard s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0)
    return error{error_kind::control_io, std::string("socket: ") + std::strerror(errno)};
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    if (e == EACCES || e == EPERM)
      return error{error_kind::control_access_denied, "permission denied on " + socket_path +
                                        " (run as root or a user in the daemon's group)"};
    return error{error_kind::control_not_running, "shopsyncd is not running (cannot connect to " + socket_path +
                                    ": " + std::strerror(e) + ")"};
  }
  std::string out = line;
  if (out.empty() || out.back() != '\n')
    out.push_back('\n');
  std::size_t sent = 0;
  while (sent < out.size()) {
    auto n = ::send(s.fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      break; // the daemon may have answered and closed (e.g. access denied): read its reply
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string reply;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // An audit can answer tens of megabytes: read in large pieces, and look for the end only in
  // what each one brought (searching the whole reply each time is quadratic).
  std::vector<char> buf(64 * 1024);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return error{error_kind::control_timeout, "no answer from shopsyncd within " + std::to_string(timeout.count()) + " ms"};
    pollfd p{s.fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      continue;
    auto n = ::recv(s.fd, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    const auto from = reply.size();
    reply.append(buf.data(), static_cast<std::size_t>(n));
    if (auto nl = reply.find('\n', from); nl != std::string::npos) {
      reply.resize(nl);
      return reply;
    }
  }
  // Every answer ends with a newline: without one it was cut short (the daemon stopped).
  if (reply.empty())
    return error{error_kind::control_io, "shopsyncd closed the connection without an answer"};
  return error{error_kind::control_io, "shopsyncd closed the connection in the middle of its answer (" +
                                           std::to_string(reply.size()) + " bytes read; did it stop?)"};
}

result<std::string> control_call(const std::string& socket_path, const std::string& cmd,
                                 const std::string& args_json, std::chrono::milliseconds timeout) {
  json_writer w;
  w.begin_object().field("cmd", cmd).key("args").raw(args_json.empty() ? "{}" : args_json).end_object();
  auto line = control_roundtrip(socket_path, w.str(), timeout);
  if (!line)
    return line.error();
  return parse_control_reply(*line);
}

} // namespace shopsync
