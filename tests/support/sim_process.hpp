#pragma once
// shopify-sim with a scenario written by the test: a temp file, --port 0, the port from its
// "listening on" line (child_process), and the /_sim/ control API (http_client).
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

#include <memory>
#include <string>
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
  std::unique_ptr<child_process> child_;
  unsigned short port_ = 0;
  std::unique_ptr<http_client> http_;
};

} // namespace shopsync::testing
