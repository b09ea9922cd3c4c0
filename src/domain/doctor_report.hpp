#pragma once
// `shopsyncctl doctor` and `shopsyncd --check-config --online`: from what was found about each
// store (a store_probe, gathered by io/doctor_probe), one line per check and store, in the
// order a merchant fixes them: domain reachable, token obtained, API version supported,
// scopes, locations found and mapped, subscriptions present, public URL configured. Every
// line that is not ok says what to do. Pure.
#include "domain/config.hpp"
#include "domain/matcher.hpp"
#include "domain/subscription_plan.hpp"

#include <optional>
#include <string>
#include <vector>

namespace shopsync {

struct api_version_info {
  std::string handle;
  bool supported = false;
};

// What the doctor learnt about one store. An absent optional: not learnt (an earlier step
// failed, or the call did).
struct store_probe {
  std::string store;
  std::string address;                    // host:port tried
  std::optional<std::string> unreachable; // why the address could not be reached
  std::optional<std::string> call_error;  // why the first Admin call failed
  bool unauthorized = false;              // ... and it was a 401/403
  std::vector<api_version_info> api_versions;
  std::optional<std::vector<std::string>> scopes;
  std::optional<std::vector<location_info>> locations; // active locations
  std::string locations_error;
  std::optional<std::vector<present_subscription>> subscriptions;
  std::string subscriptions_error;
};

enum class check_status { ok, warn, fail, skipped };
const char* to_string(check_status);

struct doctor_line {
  std::string store;
  std::string check; // "domain reachable", "token obtained", ...
  check_status status = check_status::ok;
  std::string detail; // what was found and, unless ok, what to do
};

// `daemon_running`: subscriptions still missing are a failure (the daemon should have made
// them) rather than a warning (it makes them when it starts).
std::vector<doctor_line> doctor_report(const config& cfg, const std::vector<store_probe>& probes,
                                       bool daemon_running);

// "main       ok    domain reachable: main.myshopify.com:443", one line each.
std::string render_doctor(const std::vector<doctor_line>& lines);
bool doctor_passed(const std::vector<doctor_line>& lines); // no fail

} // namespace shopsync
