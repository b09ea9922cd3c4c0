#include "domain/throttle_model.hpp"

#include <algorithm>
#include <cmath>

namespace shopsync {

void throttle_model::observe(const throttle_status& s, time_point now) {
  status_ = s;
  at_ = now;
  known_ = s.maximum_available > 0 && s.restore_rate > 0;
}

void throttle_model::on_throttled(const std::optional<throttle_status>& s, double requested_cost,
                                  time_point now) {
  if (s) {
    observe(*s, now);
    // Shopify refused: whatever it says, this request did not fit.
    if (status_.currently_available >= requested_cost)
      status_.currently_available = std::max(0.0, requested_cost - 1);
    return;
  }
  if (!known_)
    return; // nothing to go by: the caller backs off instead
  status_.currently_available = std::min(refilled(now), std::max(0.0, requested_cost - 1));
  at_ = now;
}

double throttle_model::refilled(time_point now) const {
  double secs = std::chrono::duration<double>(now - at_).count();
  if (secs < 0)
    secs = 0;
  return std::min(status_.maximum_available,
                  status_.currently_available + secs * status_.restore_rate);
}

std::chrono::milliseconds wait_for(const throttle_status& s, double available, double cost) {
  const double need = std::min(cost, s.maximum_available);
  if (s.restore_rate <= 0 || available >= need)
    return std::chrono::milliseconds::zero();
  const double secs = (need - available) / s.restore_rate;
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(std::ceil(secs * 1000.0)));
}

bool reads_scarce(const throttle_status& s, double available) {
  return available < reads_plenty_share * s.maximum_available;
}

throttle_model::duration throttle_model::delay_before(double cost, time_point now) const {
  if (!known_)
    return duration::zero();
  return wait_for(status_, refilled(now) - reserved_, cost);
}

void throttle_model::reserve(double cost) { reserved_ += std::max(0.0, cost); }

void throttle_model::release(double cost) { reserved_ = std::max(0.0, reserved_ - std::max(0.0, cost)); }

std::optional<double> throttle_model::available(time_point now) const {
  if (!known_)
    return std::nullopt;
  return refilled(now) - reserved_;
}

std::optional<throttle_status> throttle_model::last_status() const {
  if (!known_)
    return std::nullopt;
  return status_;
}

} // namespace shopsync
