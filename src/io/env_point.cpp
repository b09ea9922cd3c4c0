#include "io/env_point.hpp"

#include <cstdlib>

namespace shopsync {

env_point::env_point(const char* name_var, const char* after_var) {
  if (const char* n = std::getenv(name_var))
    name_ = n;
  if (const char* n = std::getenv(after_var)) {
    long v = std::strtol(n, nullptr, 10);
    if (v > 0)
      after_ = v;
  }
}

bool env_point::reached(const char* name) noexcept {
  if (name_.empty() || name_ != name)
    return false;
  return hits_.fetch_add(1, std::memory_order_relaxed) + 1 >= after_;
}

} // namespace shopsync
