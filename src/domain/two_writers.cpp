#include "domain/two_writers.hpp"

namespace shopsync {

void two_writer_detector::set_by_us(const std::string& level, std::optional<std::int64_t> before,
                                    std::int64_t after, std::int64_t now_ms) {
  auto& s = levels_[level];
  s.f.level = level;
  // The previous set was left alone: the streak ends (a reported level stays reported).
  if (s.set_at_ms && !s.fought)
    s.f.fights = 0;
  s.set_at_ms = now_ms;
  s.our_change = after - before.value_or(after);
  s.fought = false;
  s.f.ours = after;
}

bool two_writer_detector::changed_by_other(const std::string& level, std::int64_t before, std::int64_t after,
                                           std::int64_t now_ms) {
  auto it = levels_.find(level);
  if (it == levels_.end())
    return false;
  auto& s = it->second;
  if (!s.set_at_ms || s.fought || now_ms - *s.set_at_ms > static_cast<std::int64_t>(limits_.soon.count()))
    return false;
  const auto theirs = after - before;
  const auto ours = s.our_change;
  const bool against = ours != 0 && ((ours > 0 && theirs < 0) || (ours < 0 && theirs > 0));
  const auto mag = [](std::int64_t v) { return v < 0 ? -v : v; };
  if (!against || 2 * mag(theirs) < mag(ours))
    return false;
  s.fought = true;
  s.f.fights++;
  s.f.total_fights++;
  s.f.theirs = after;
  if (s.f.total_fights == 1)
    s.f.first_ms = now_ms;
  s.f.last_ms = now_ms;
  if (!s.f.reported && s.f.fights >= limits_.times) {
    s.f.reported = true;
    return true;
  }
  return false;
}

std::vector<two_writer_finding> two_writer_detector::findings() const {
  std::vector<two_writer_finding> out;
  for (auto& [level, s] : levels_)
    if (s.f.reported)
      out.push_back(s.f);
  return out;
}

} // namespace shopsync
