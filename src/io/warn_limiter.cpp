#include "io/warn_limiter.hpp"

namespace shopsync {

std::optional<std::uint64_t> warn_limiter::report(const std::string& key, clock_type::time_point now,
                                                  std::uint64_t* quiet_before) {
  std::lock_guard lock(mu_);
  auto [it, first] = seen_.try_emplace(key, entry{now, 0});
  if (quiet_before)
    *quiet_before = it->second.quiet;
  if (first)
    return std::uint64_t{0};
  if (now - it->second.last >= interval_) {
    auto quiet = it->second.quiet;
    it->second = entry{now, 0};
    return quiet;
  }
  ++it->second.quiet;
  return std::nullopt;
}

} // namespace shopsync
