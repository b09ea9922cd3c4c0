#include "domain/undo_plan.hpp"

#include <map>
#include <tuple>

namespace shopsync {

std::optional<std::int64_t> own_change_of(const std::string& kind, std::optional<std::int64_t> before,
                                          std::optional<std::int64_t> after, std::int64_t delta) {
  if (kind == "level_set") {
    if (!after) return std::nullopt;
    return *after - before.value_or(0);
  }
  if (kind == "delta_propagated") return delta;
  return std::nullopt;
}

std::vector<undo_write> plan_undo(const std::vector<own_change>& changes, const std::string& store) {
  std::map<std::tuple<std::string, store_name, location_id>, undo_write> by_level;
  for (auto& c : changes) {
    if (!store.empty() && c.store != store) continue;
    auto& w = by_level[{c.identity, c.store, c.location}];
    w.identity = c.identity;
    w.store = c.store;
    w.location = c.location;
    w.delta -= c.change;
    w.changes++;
  }
  std::vector<undo_write> out;
  for (auto& [key, w] : by_level)
    if (w.delta != 0) out.push_back(std::move(w));
  return out;
}

} // namespace shopsync
