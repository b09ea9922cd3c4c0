#include "io/per_second_limiter.hpp"

namespace shopsync {

std::optional<std::uint64_t> per_second_limiter::allow(clock_type::time_point now) {
  std::lock_guard lock(mu_);
  std::uint64_t skipped = 0;
  if (now - window_ >= std::chrono::seconds(1)) {
    window_ = now;
    used_ = 0;
    skipped = skipped_;
    skipped_ = 0;
  }
  if (used_ < per_second_) {
    ++used_;
    return skipped;
  }
  ++skipped_;
  return std::nullopt;
}

} // namespace shopsync
