#include "domain/token_lifetime.hpp"

#include <algorithm>

namespace shopsync {

namespace {
constexpr std::chrono::milliseconds min_margin{60'000};
}

std::chrono::milliseconds token_lifetime::refresh_margin(std::chrono::seconds lifetime) {
  std::chrono::milliseconds life = lifetime;
  if (life.count() <= 0)
    return std::chrono::milliseconds(0);
  return std::min(std::max(life / 10, min_margin), life / 2);
}

std::optional<std::chrono::milliseconds> token_lifetime::refresh_at() const {
  if (!expires_in)
    return std::nullopt;
  std::chrono::milliseconds life = *expires_in;
  return asked_at + life - refresh_margin(*expires_in);
}

bool token_lifetime::needs_refresh(std::chrono::milliseconds now) const {
  auto at = refresh_at();
  return at && now >= *at;
}

} // namespace shopsync
