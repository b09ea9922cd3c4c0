#include "actors/level_watch.hpp"

#include <algorithm>

namespace shopsync {

void level_watch::update(const std::string& group, const std::string& identity, std::size_t unsettled_levels,
                         clock_type::time_point now) {
  std::lock_guard lock(mu_);
  auto& g = groups_[group];
  if (unsettled_levels == 0) {
    g.erase(identity);
    return;
  }
  auto [it, fresh] = g.try_emplace(identity, entry{unsettled_levels, now});
  if (!fresh)
    it->second.levels = unsettled_levels; // still unsettled: its time goes on
}

level_watch::summary level_watch::of(const std::string& group, clock_type::time_point now,
                                     std::chrono::seconds stuck_after) const {
  summary s;
  std::lock_guard lock(mu_);
  auto g = groups_.find(group);
  if (g == groups_.end())
    return s;
  for (auto& [identity, e] : g->second) {
    s.unsettled += e.levels;
    auto age = now - e.since;
    if (age > stuck_after)
      s.stuck += e.levels;
    s.oldest_seconds = std::max(s.oldest_seconds, std::chrono::duration<double>(age).count());
  }
  return s;
}

} // namespace shopsync
