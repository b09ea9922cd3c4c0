#pragma once
// spdlog set-up for shopsyncd: stderr only. Under systemd (JOURNAL_STREAM set) each line
// starts with the sd-daemon priority prefix ("<6>") and carries no timestamp, so journald
// records the right level; on a terminal lines carry time and level.
#include "domain/result.hpp"

#include <string>

namespace shopsync {

// level: trace|debug|info|warn|error|critical|off
status setup_logging(const std::string& level);
status set_log_level(const std::string& level);

} // namespace shopsync
