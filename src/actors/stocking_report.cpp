#include "actors/stocking_report.hpp"

namespace shopsync {

std::vector<unstocked_level> unstocked_levels_of(const std::string& identity, const std::vector<level_view>& view) {
  std::vector<unstocked_level> out;
  for (auto& v : view)
    if (v.stock != stocking::stocked)
      out.push_back({identity, v.store, v.location, v.stock});
  return out;
}

void stocking_report::update(const std::string& group, const std::string& identity,
                             std::vector<unstocked_level> levels) {
  std::lock_guard lock(mu_);
  auto& g = groups_[group];
  if (levels.empty())
    g.erase(identity);
  else
    g[identity] = std::move(levels);
}

std::vector<unstocked_level> stocking_report::of(const std::string& group) const {
  std::lock_guard lock(mu_);
  std::vector<unstocked_level> out;
  auto it = groups_.find(group);
  if (it == groups_.end())
    return out;
  for (auto& [identity, levels] : it->second)
    out.insert(out.end(), levels.begin(), levels.end());
  return out;
}

} // namespace shopsync
