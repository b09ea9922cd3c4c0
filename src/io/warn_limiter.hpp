#pragma once
// Rate limit for warnings that repeat: the first occurrence of a key is reported at once, then
// at most one report per `interval` for that key, carrying how many occurrences were not
// reported since the last one. A failure that lasts (every Admin call refused for minutes)
// thus shows in the log when it starts and then every interval, with its count, instead of
// once per request or never.
//
// Thread-safe. Keys are few (store × failure class): they are kept for the limiter's life.
//   warn_limiter w{std::chrono::seconds(30)};
//   if (auto quiet = w.report("dest\nunauthorized"))
//     spdlog::warn("... ({} more since the last warning)", *quiet);
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace shopsync {

class warn_limiter {
public:
  using clock_type = std::chrono::steady_clock;
  explicit warn_limiter(std::chrono::milliseconds interval) : interval_(interval) {}

  // nullopt: stay quiet (counted); otherwise report now, with the count of quiet ones before.
  // `quiet_before`, when given, receives that count in either case (for a line logged quietly).
  std::optional<std::uint64_t> report(const std::string& key, clock_type::time_point now = clock_type::now(),
                                      std::uint64_t* quiet_before = nullptr);

private:
  struct entry {
    clock_type::time_point last;
    std::uint64_t quiet = 0;
  };
  std::mutex mu_;
  std::chrono::milliseconds interval_;
  std::unordered_map<std::string, entry> seen_;
};

} // namespace shopsync
