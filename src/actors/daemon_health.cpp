#include "actors/daemon_health.hpp"

namespace shopsync {

std::string status_line(const daemon_health& h, std::uint64_t inbox_depth) {
  return std::to_string(h.groups_syncing) + "/" + std::to_string(h.groups) + " groups syncing, " +
         std::to_string(h.stores_unauthorized) + "/" + std::to_string(h.stores) + " stores unauthorized, inbox depth " +
         std::to_string(inbox_depth);
}

} // namespace shopsync
