#pragma once
// Exponential backoff with jitter for retried Admin API requests. Pure: the jitter is a number
// in [0, 1) supplied by the caller (a seeded generator in tests, random in production).
#include <chrono>
#include <optional>
#include <string_view>

namespace shopsync {

struct backoff_policy {
  std::chrono::milliseconds initial{250};
  std::chrono::milliseconds maximum{10'000};
  double multiplier = 2.0;
  int max_attempts = 6; // attempts in all, the first included
};

// Delay before retry number `retry` (1 = the first retry). "Equal jitter": half the exponential
// step is fixed, the other half is scaled by `jitter01`, so retries of many requests spread out
// but none retries immediately. A server's Retry-After is a floor, never shortened.
std::chrono::milliseconds backoff_delay(const backoff_policy& p, int retry, double jitter01,
                                        std::optional<std::chrono::milliseconds> retry_after = {});

// Whether attempt number `attempt` (1-based) may still be made.
inline bool may_attempt(const backoff_policy& p, int attempt) { return attempt <= p.max_attempts; }

// Retry-After in delta-seconds ("2", "1.5"); nullopt for anything else (HTTP dates included:
// the exponential delay then applies).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view header);

} // namespace shopsync
