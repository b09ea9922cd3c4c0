#pragma once
// How many seeds a seeded property test runs: SHOPSYNC_PROPERTY_SEEDS=N when set (N > 0), else
// the test's own default.
#include <cstdint>
#include <cstdlib>

namespace shopsync::testing {

inline std::uint64_t property_seeds(std::uint64_t fallback) {
  if (const char* env = std::getenv("SHOPSYNC_PROPERTY_SEEDS"))
    if (auto n = std::strtoull(env, nullptr, 10); n > 0)
      return n;
  return fallback;
}

} // namespace shopsync::testing
