#pragma once
// The supervisor's answer to the watchdog probe: the probe goes through the supervisor, the
// router and every store link, so an answer means those actors are being scheduled and are not
// stuck; its content becomes the unit's STATUS= line.
#include <cstdint>
#include <string>

namespace shopsync {

struct daemon_health {
  std::uint64_t groups = 0;
  std::uint64_t groups_syncing = 0; // mapped and not paused
  std::uint64_t stores = 0;
  std::uint64_t stores_unauthorized = 0;
};

// "2/2 groups syncing, 0/3 stores unauthorized, inbox depth 0"
std::string status_line(const daemon_health& h, std::uint64_t inbox_depth);

} // namespace shopsync
