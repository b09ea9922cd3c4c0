#include "domain/mass_change_breaker.hpp"

#include <algorithm>
#include <cmath>

namespace shopsync {

std::uint64_t breaker_allowance(const breaker_limits& l, std::uint64_t mapped) {
  auto by_share = static_cast<std::uint64_t>(std::floor(l.max_share * static_cast<double>(mapped)));
  return std::max(std::min(by_share, l.max_levels), l.min_levels);
}

bool big_drop(std::optional<std::int64_t> before, std::int64_t after) {
  if (!before || *before <= 0)
    return false;
  return after <= 0 || after * 2 < *before;
}

const char* to_string(breaker_decision d) {
  switch (d) {
    case breaker_decision::pass: return "pass";
    case breaker_decision::held: return "held";
    case breaker_decision::tripped_now: return "tripped_now";
  }
  return "?";
}

void mass_change_breaker::expire(store_window& w, std::int64_t now_ms) const {
  const auto horizon = now_ms - static_cast<std::int64_t>(limits_.window.count());
  while (!w.events.empty() && w.events.front().first <= horizon) {
    auto it = w.levels.find(w.events.front().second);
    if (it != w.levels.end() && --it->second == 0)
      w.levels.erase(it);
    w.events.pop_front();
  }
}

std::uint64_t mass_change_breaker::allowance(const std::string& store) const {
  auto it = mapped_.find(store);
  return breaker_allowance(limits_, it == mapped_.end() ? 0 : it->second);
}

std::uint64_t mass_change_breaker::drops(const std::string& store, std::int64_t now_ms) {
  auto& w = windows_[store];
  expire(w, now_ms);
  return w.levels.size();
}

breaker_decision mass_change_breaker::admit(const std::string& store, const std::string& level,
                                            std::optional<std::int64_t> before, std::int64_t after,
                                            std::int64_t now_ms) {
  if (trip_)
    return breaker_decision::held;
  if (!big_drop(before, after))
    return breaker_decision::pass;
  auto& w = windows_[store];
  expire(w, now_ms);
  const bool counted = w.levels.count(level) > 0; // the same level again: no new level dropped
  const auto allowed = allowance(store);
  if (!counted && w.levels.size() + 1 > allowed) {
    auto it = mapped_.find(store);
    trip_ = breaker_trip{store, w.levels.size() + 1, allowed, it == mapped_.end() ? 0 : it->second, now_ms};
    return breaker_decision::tripped_now;
  }
  w.events.emplace_back(now_ms, level);
  w.levels[level]++;
  return breaker_decision::pass;
}

void mass_change_breaker::reset() {
  trip_.reset();
  windows_.clear();
}

} // namespace shopsync
