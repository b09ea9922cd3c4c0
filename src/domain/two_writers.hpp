#pragma once
// Two writers: another app fighting shopsync over the same stock. A one-way
// Destination level that someone else changes back, again and again, soon after shopsync set
// it, is reported once (instead of being set and overwritten for ever in silence). Pure: time is
// an input (milliseconds).
//
// How the holder uses it:
//   1. `set_by_us(level, before, after, now)` for each set shopsync confirmed there (audit
//      level_set); `changed_by_other(level, before, after, now)` for each change found that
//      shopsync did not make (audit external_change).
//   2. `changed_by_other` returns true once per level: when its fights reach `times`. Report it
//      then; `findings()` lists every level found, with the numbers.
//
// A fight: a change by someone else within `soon` of shopsync's set that moves the level back
// against it (the opposite way, by at least half of shopsync's change). A sale right after a set
// is small beside the set it follows unless the set was small too; a set that is not fought
// (no such change within `soon`) ends the streak, so only "again and again" is reported.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shopsync {

struct two_writer_limits {
  std::chrono::milliseconds soon{60'000};
  std::uint32_t times = 3; // fights in a row
};

struct two_writer_finding {
  std::string level;
  std::uint32_t fights = 0;       // in the current streak (at least `times` once found)
  std::uint64_t total_fights = 0;
  std::int64_t ours = 0;          // the value shopsync last set
  std::int64_t theirs = 0;        // the value the other writer last left
  std::int64_t first_ms = 0, last_ms = 0;
  bool reported = false;
};

class two_writer_detector {
public:
  explicit two_writer_detector(two_writer_limits limits = {}) : limits_(limits) {}

  void set_by_us(const std::string& level, std::optional<std::int64_t> before, std::int64_t after,
                 std::int64_t now_ms);
  // True exactly once per level: the fight that makes it a finding.
  bool changed_by_other(const std::string& level, std::int64_t before, std::int64_t after, std::int64_t now_ms);

  std::vector<two_writer_finding> findings() const; // reported levels only, by level
  const two_writer_limits& limits() const { return limits_; }

private:
  struct level_state {
    std::optional<std::int64_t> set_at_ms; // our last set, while it may still be fought
    std::int64_t our_change = 0;
    bool fought = false; // our last set was fought
    two_writer_finding f;
  };
  two_writer_limits limits_;
  std::map<std::string, level_state> levels_;
};

} // namespace shopsync
