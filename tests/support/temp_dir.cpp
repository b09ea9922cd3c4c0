#include "support/temp_dir.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <cstdlib>

namespace shopsync::testing {

temp_dir::temp_dir(const std::string& prefix) {
  auto base = std::filesystem::temp_directory_path() / (prefix + "-XXXXXX");
  std::string tmpl = base.string();
  if (!::mkdtemp(tmpl.data()))
    throw std::runtime_error("mkdtemp failed for " + tmpl);
  path_ = tmpl;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path shared_path(const std::string& relative) {
  return std::filesystem::path(SHOPSYNC_SHARED_DIR) / relative;
}

std::filesystem::path binary_path(const std::string& name) {
  for (auto dir : {"", "sim", "bench"}) {
    auto p = std::filesystem::path(SHOPSYNC_BINARY_DIR) / dir / name;
    if (std::filesystem::exists(p))
      return p;
  }
  return std::filesystem::path(SHOPSYNC_BINARY_DIR) / name;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace shopsync::testing

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace shopsync::testing {

unsigned short free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("free_port: cannot bind");
  ::close(fd);
  return ntohs(a.sin_port);
}

} // namespace shopsync::testing
