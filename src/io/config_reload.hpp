#pragma once
// SIGHUP: what a configuration file edited under a running shopsyncd changes, and which of those
// changes the daemon takes on at once.
//
//   1. At start, keep the loaded file as a config_snapshot (the model and the TOML text).
//   2. On SIGHUP, load the file again (load_config_snapshot): an unreadable or invalid file is
//      an error and the daemon keeps running on what it has.
//   3. plan_reload(running, next) lists the changes: `live` ones (log level, secrets and token
//      files, audit retention) and `restart` ones (everything else: groups, stores, listen
//      address, ...), each named by its key as in the file.
//   4. Apply the live ones (apply_live gives the new running model) and log both lists.
//
// Live keys are compared on the model (a secret's content counts, not only its file name);
// the rest on the TOML tables, so that a key added to the file format later is reported as
// "needs a restart" without this file knowing it. The running TOML text stays the one the
// daemon started with: a change that needs a restart is reported at every reload until then.
#include "domain/config.hpp"
#include "domain/result.hpp"

#include <string>
#include <vector>

namespace shopsync {

struct config_snapshot {
  config cfg;
  std::string text; // the TOML as read
};

// load_config, keeping the text.
result<config_snapshot> load_config_snapshot(const std::string& path);

struct reload_plan {
  std::vector<std::string> live;    // e.g. "daemon.log_level", "stores.outlet.access_token_file (content)"
  std::vector<std::string> restart; // e.g. "groups", "daemon.listen", "stores.outlet.max_in_flight"
  bool empty() const noexcept { return live.empty() && restart.empty(); }
};

reload_plan plan_reload(const config_snapshot& running, const config_snapshot& next);

// `running` with every live change of `next` taken over (what the daemon now runs on).
config apply_live(config running, const config& next);

// "a, b, c" for a log line.
std::string join_keys(const std::vector<std::string>& keys);

} // namespace shopsync
