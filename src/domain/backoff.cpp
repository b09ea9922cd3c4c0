#include "domain/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

namespace shopsync {

std::chrono::milliseconds backoff_delay(const backoff_policy& p, int retry, double jitter01,
                                        std::optional<std::chrono::milliseconds> retry_after) {
  if (retry < 1)
    retry = 1;
  jitter01 = std::clamp(jitter01, 0.0, 1.0);
  double step = static_cast<double>(p.initial.count()) * std::pow(p.multiplier, retry - 1);
  step = std::min(step, static_cast<double>(p.maximum.count()));
  auto ms = static_cast<std::chrono::milliseconds::rep>(step * p.fixed_share + step * p.jitter_share * jitter01);
  std::chrono::milliseconds d{ms};
  if (retry_after && *retry_after > d)
    d = *retry_after;
  return d;
}

std::chrono::milliseconds operation_retry_delay(std::chrono::milliseconds initial,
                                                std::chrono::milliseconds maximum, std::uint32_t attempt,
                                                double jitter01) {
  constexpr std::uint32_t most_doublings = 16;
  const backoff_policy p{initial, maximum, 2.0, std::numeric_limits<int>::max()};
  return backoff_delay(p, static_cast<int>(std::min(attempt, most_doublings)), jitter01);
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view header) {
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t'))
    header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t'))
    header.remove_suffix(1);
  if (header.empty() || header.size() > 16)
    return std::nullopt;
  bool dot = false;
  for (char c : header) {
    if (c == '.' && !dot)
      dot = true;
    else if (c < '0' || c > '9')
      return std::nullopt;
  }
  std::string s(header);
  double secs = std::strtod(s.c_str(), nullptr);
  if (!(secs >= 0) || secs > 24 * 3600)
    return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(secs * 1000)));
}

} // namespace shopsync
