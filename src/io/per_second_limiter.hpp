#pragma once
// Rate limit for log lines that may come in floods (refused webhooks: bad signatures from
// anywhere): at most `per_second` lines in each one-second window, then, at the first line of
// a later window, the count of those skipped, to be reported first. Unlike warn_limiter
// (per key, one report per interval), this caps every line of one kind together.
//
// Thread-safe.
//   per_second_limiter l{20};
//   if (auto skipped = l.allow()) {
//     if (*skipped) spdlog::warn("... {} not logged", *skipped);
//     spdlog::warn(...);
//   }
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace shopsync {

class per_second_limiter {
public:
  using clock_type = std::chrono::steady_clock;
  explicit per_second_limiter(int per_second) : per_second_(per_second) {}

  // nullopt: skip this line (counted); otherwise log it, after saying how many were skipped.
  std::optional<std::uint64_t> allow(clock_type::time_point now = clock_type::now());

private:
  std::mutex mu_;
  int per_second_;
  int used_ = 0;
  std::uint64_t skipped_ = 0;
  clock_type::time_point window_{};
};

} // namespace shopsync
