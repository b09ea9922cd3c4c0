#pragma once
// Whether a store's Admin API accepts shopsync's token: "unauthorized is a state, not a retry
// loop". Pure; the store link holds one and turns its answers into log lines and a gauge.
//
// A store becomes unauthorized when a request is refused (401/403) even with a freshly
// obtained token, when its token cannot be obtained at all (the token endpoint refuses the
// app's credentials), or when Shopify says the app was uninstalled. While unauthorized the
// link sends nothing but a quiet probe every `probe_interval`; its writes wait, kept. The
// first request that succeeds (a probe, or the token's source reporting a new token followed
// by a probe) makes it authorized again.
// Usage:
//   1. feed every refusal to refused(reason); it returns true once per outage: log at error
//      level then (and only then) with what to do;
//   2. while unauthorized(), hold requests and probe when probe_due(now);
//   3. feed a success to recovered(); it returns true when an outage ended (log it).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace shopsync {

class store_auth_state {
public:
  explicit store_auth_state(std::chrono::milliseconds probe_interval) : probe_interval_(probe_interval) {}

  // True when this refusal starts an outage.
  bool refused(std::string reason, std::chrono::milliseconds now);
  // True when an outage ended.
  bool recovered();
  bool unauthorized() const noexcept { return unauthorized_; }
  const std::string& reason() const noexcept { return reason_; }
  // Whether a probe should be sent now; marks it sent (the next one is an interval later).
  bool probe_due(std::chrono::milliseconds now);
  // Makes the next probe due at once (a new token arrived).
  void probe_now() noexcept { next_probe_ = std::chrono::milliseconds::min(); }
  std::optional<std::chrono::milliseconds> next_probe() const;
  std::uint64_t outages() const noexcept { return outages_; }

private:
  std::chrono::milliseconds probe_interval_;
  bool unauthorized_ = false;
  std::string reason_;
  std::chrono::milliseconds next_probe_{0};
  std::uint64_t outages_ = 0;
};

} // namespace shopsync
