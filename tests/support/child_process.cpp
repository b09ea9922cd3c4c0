#include "support/child_process.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace shopsync::testing {

child_process::child_process(std::vector<std::string> argv, bool merge_stderr) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(a.data());
  args.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    if (merge_stderr)
      ::dup2(fds[1], STDERR_FILENO);
    ::execv(args[0], args.data());
    std::fprintf(stderr, "exec %s failed: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(fds[1]);
  out_fd_ = fds[0];
  reader_ = std::thread([this] {
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      std::lock_guard lock(mu_);
      if (n <= 0) {
        eof_ = true;
        cv_.notify_all();
        return;
      }
      out_.append(buf, static_cast<std::size_t>(n));
      cv_.notify_all();
    }
  });
}

child_process::~child_process() {
  stop();
  if (reader_.joinable())
    reader_.join();
  if (out_fd_ >= 0)
    ::close(out_fd_);
}

std::optional<std::string> child_process::wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  std::optional<std::string> found;
  auto check = [&] {
    std::size_t start = 0;
    while (start < out_.size()) {
      auto nl = out_.find('\n', start);
      if (nl == std::string::npos)
        break;
      if (out_.compare(start, prefix.size(), prefix) == 0) {
        found = out_.substr(start, nl - start);
        return true;
      }
      start = nl + 1;
    }
    return eof_;
  };
  cv_.wait_for(lock, timeout, check);
  return found;
}

std::string child_process::output() const {
  std::lock_guard lock(mu_);
  return out_;
}

void child_process::reap(bool block) {
  if (exit_code_ || pid_ <= 0)
    return;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  if (r == pid_)
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool child_process::running() {
  reap(false);
  return !exit_code_;
}

void child_process::signal(int sig) {
  if (running())
    ::kill(pid_, sig);
}

int child_process::stop(std::chrono::milliseconds grace) {
  if (running()) {
    ::kill(pid_, SIGTERM);
    auto until = std::chrono::steady_clock::now() + grace;
    while (running() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (running()) {
      ::kill(pid_, SIGKILL);
      reap(true);
    }
  }
  return exit_code_.value_or(-1);
}

std::uint16_t port_from_listening_line(const std::string& line) {
  auto c = line.rfind(':');
  if (line.rfind("listening on ", 0) != 0 || c == std::string::npos)
    return 0;
  try {
    return static_cast<std::uint16_t>(std::stoul(line.substr(c + 1)));
  } catch (...) {
    return 0;
  }
}

run_result run_program(const std::vector<std::string>& argv) {
  std::string cmd;
  for (auto& a : argv)
    cmd += "'" + a + "' ";
  cmd += "2>&1";
  run_result r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p)
    return r;
  std::array<char, 4096> buf;
  while (auto n = std::fread(buf.data(), 1, buf.size(), p))
    r.output.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

} // namespace shopsync::testing
