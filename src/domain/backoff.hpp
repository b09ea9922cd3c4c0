#pragma once
// Exponential backoff with jitter: the one delay formula of every retry, the admin client's
// (transport failures), an item's operations and an order's steps (operation retries, owned by
// the domain). Pure: the jitter is a number in [0, 1) supplied by the caller (a seeded
// generator in tests, random in production).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace shopsync {

struct backoff_policy {
  std::chrono::milliseconds initial{250};
  std::chrono::milliseconds maximum{10'000};
  double multiplier = 2.0;
  int max_attempts = 6; // attempts in all, the first included
  // The delay is fixed_share of the exponential step plus jitter01 * jitter_share of it: "equal
  // jitter" (half fixed, half random) by default; (1, r) adds up to r of the step.
  double fixed_share = 0.5;
  double jitter_share = 0.5;
};

// Delay before retry number `retry` (1 = the first retry). With the default shares ("equal
// jitter") half the exponential step is fixed, the other half is scaled by `jitter01`, so
// retries of many requests spread out but none retries immediately. A server's Retry-After is
// a floor, never shortened.
std::chrono::milliseconds backoff_delay(const backoff_policy& p, int retry, double jitter01,
                                        std::optional<std::chrono::milliseconds> retry_after = {});

// An item's operation sent again by its owner (same op id, same key): doubling from `initial`
// up to `maximum`, equal jitter, as many times as the item state machine decides. `attempt`
// counts from 1; past 16 doublings the cap has long been reached.
std::chrono::milliseconds operation_retry_delay(std::chrono::milliseconds initial,
                                                std::chrono::milliseconds maximum, std::uint32_t attempt,
                                                double jitter01);

// Whether attempt number `attempt` (1-based) may still be made.
inline bool may_attempt(const backoff_policy& p, int attempt) { return attempt <= p.max_attempts; }

// Retry-After in delta-seconds ("2", "1.5"); nullopt for anything else (HTTP dates included:
// the exponential delay then applies).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view header);

} // namespace shopsync
