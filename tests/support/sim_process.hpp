#pragma once
// shopify-sim as a child process for tests and benchmarks: a scenario written to a temp file,
// --port 0, the port read from its "listening on 127.0.0.1:<port>" line; SIGTERM on destruction.
// Small blocking GET/POST helpers reach its /_sim/ control API.
#include "support/temp_dir.hpp"

#include <string>
#include <sys/types.h>
#include <vector>

namespace shopsync::testing {

class sim_process {
public:
  explicit sim_process(const std::string& scenario_json, const std::vector<std::string>& extra_args = {});
  ~sim_process();
  sim_process(const sim_process&) = delete;
  sim_process& operator=(const sim_process&) = delete;

  bool running() const noexcept { return port_ != 0; }
  unsigned short port() const noexcept { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Control API (status must be 200, else the returned body starts with "HTTP <status>").
  std::string get(const std::string& target) const;
  std::string post(const std::string& target, const std::string& json_body) const;

private:
  temp_dir dir_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

// A blocking HTTP/1.1 request to 127.0.0.1:port; returns {status, body}.
std::pair<int, std::string> loopback_request(unsigned short port, const std::string& method,
                                             const std::string& target, const std::string& body,
                                             const std::string& host = "127.0.0.1");

} // namespace shopsync::testing
