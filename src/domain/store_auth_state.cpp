#include "domain/store_auth_state.hpp"

namespace shopsync {

bool store_auth_state::refused(std::string reason, std::chrono::milliseconds now) {
  reason_ = std::move(reason);
  next_probe_ = now + probe_interval_;
  if (unauthorized_)
    return false;
  unauthorized_ = true;
  ++outages_;
  return true;
}

bool store_auth_state::recovered() {
  if (!unauthorized_)
    return false;
  unauthorized_ = false;
  return true;
}

bool store_auth_state::probe_due(std::chrono::milliseconds now) {
  if (!unauthorized_ || now < next_probe_)
    return false;
  next_probe_ = now + probe_interval_;
  return true;
}

std::optional<std::chrono::milliseconds> store_auth_state::next_probe() const {
  if (!unauthorized_)
    return std::nullopt;
  return next_probe_;
}

} // namespace shopsync
