#include "support/sim_process.hpp"

#include <fstream>

namespace shopsync::testing {

sim_process::sim_process(const std::string& scenario_json, const std::vector<std::string>& extra_args)
  : dir_("shopsync-sim") {
  auto scenario = (dir_ / "scenario.json").string();
  std::ofstream(scenario) << scenario_json;
  std::vector<std::string> args = {binary_path("shopify-sim").string(), "--port", "0", "--scenario", scenario};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  child_ = std::make_unique<child_process>(args);
  if (auto line = child_->wait_for_line("listening on ", std::chrono::seconds(20)))
    port_ = port_from_listening_line(*line);
  if (port_)
    http_ = std::make_unique<http_client>("127.0.0.1", port_);
}

sim_process::~sim_process() = default;

std::string sim_process::get(const std::string& target) const {
  auto r = http_->get(target);
  return r.status == 200 ? r.body : "HTTP " + std::to_string(r.status) + " " + r.error + r.body;
}

std::string sim_process::post(const std::string& target, const std::string& json_body) const {
  auto r = http_->post(target, json_body);
  return r.status == 200 ? r.body : "HTTP " + std::to_string(r.status) + " " + r.error + r.body;
}

} // namespace shopsync::testing
