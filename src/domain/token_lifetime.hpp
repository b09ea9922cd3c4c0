#pragma once
// When an expiring Admin API token must be replaced. Pure: the caller gives times as durations
// since any fixed epoch of one steady clock.
//
// Shopify's client-credentials tokens last about 24 h (expires_in ≈ 86399 s). A token is
// replaced "well before" it runs out: a tenth of its lifetime early, at least a minute early,
// and never later than half-way through (so a token of a few seconds, as tests use, is
// replaced half-way). The lifetime is counted from when the token was *asked for*, not from
// when the answer arrived, so a slow answer can only make the refresh earlier.
// Usage:
//   1. on a token answer: token_lifetime t{asked_at, expires_in};
//   2. before each use: if (t.needs_refresh(now)) ask for a new one (at most one at a time);
//   3. a token without expires_in (static or offline) never needs one: only a 401 replaces it.
#include <chrono>
#include <optional>

namespace shopsync {

struct token_lifetime {
  std::chrono::milliseconds asked_at{0};
  std::optional<std::chrono::seconds> expires_in; // absent: does not expire

  // How long before expiry a token of this lifetime is replaced.
  static std::chrono::milliseconds refresh_margin(std::chrono::seconds lifetime);
  // When it is due for replacement; nullopt when it never is.
  std::optional<std::chrono::milliseconds> refresh_at() const;
  bool needs_refresh(std::chrono::milliseconds now) const;
};

} // namespace shopsync
