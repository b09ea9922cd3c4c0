#include "support/sim_process.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <fcntl.h>
#include <unistd.h>

extern char** environ;

namespace shopsync::testing {

sim_process::sim_process(const std::string& scenario_json, const std::vector<std::string>& extra_args)
  : dir_("shopsync-sim") {
  auto scenario = (dir_ / "scenario.json").string();
  auto out = (dir_ / "stdout.txt").string();
  std::ofstream(scenario) << scenario_json;
  std::vector<std::string> args = {binary_path("shopify-sim").string(), "--port", "0", "--scenario", scenario};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0)
    pid_ = -1;
  posix_spawn_file_actions_destroy(&fa);
  if (pid_ < 0)
    return;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(out);
    std::string line;
    if (std::getline(in, line) && line.rfind("listening on ", 0) == 0 && in.good()) {
      port_ = static_cast<unsigned short>(std::stoi(line.substr(line.rfind(':') + 1)));
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

sim_process::~sim_process() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 300; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
}

std::string sim_process::get(const std::string& target) const {
  auto [status, body] = loopback_request(port_, "GET", target, "");
  return status == 200 ? body : "HTTP " + std::to_string(status) + " " + body;
}

std::string sim_process::post(const std::string& target, const std::string& json_body) const {
  auto [status, body] = loopback_request(port_, "POST", target, json_body);
  return status == 200 ? body : "HTTP " + std::to_string(status) + " " + body;
}

std::pair<int, std::string> loopback_request(unsigned short port, const std::string& method,
                                             const std::string& target, const std::string& body,
                                             const std::string& host) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  namespace net = boost::asio;
  try {
    net::io_context ioc;
    beast::tcp_stream s(ioc);
    s.expires_after(std::chrono::seconds(30));
    s.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host);
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(s, req);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> p;
    p.body_limit(512u * 1024 * 1024);
    http::read(s, buf, p);
    beast::error_code ec;
    s.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    return {static_cast<int>(p.get().result_int()), p.get().body()};
  } catch (const std::exception& e) {
    return {0, e.what()};
  }
}

} // namespace shopsync::testing
