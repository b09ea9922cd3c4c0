#pragma once
// Which identities have levels that are not settled (dirty, or an operation in flight), and
// since when: what shopsync_levels_unsettled, shopsync_levels_stuck and
// shopsync_levels_unsettled_oldest_seconds report. A level that stays unsettled for minutes
// is a write that does not land (a store refusing, a link stalled, an answer lost).
//
// Written by the item actors after every transition, read when /metrics is scraped:
// thread-safe. An identity's time starts when it goes from settled to unsettled and ends when
// it is settled again (or its actor passivates, which it does only when settled).
//   1. after each transition: watch.update(group, identity, unsettled_levels, now);
//   2. at a scrape: watch.of(group, now, stuck_after).
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace shopsync {

class level_watch {
public:
  using clock_type = std::chrono::steady_clock;

  struct summary {
    std::size_t unsettled = 0; // levels not settled now
    std::size_t stuck = 0;     // of those, levels of identities unsettled for longer than stuck_after
    double oldest_seconds = 0; // how long the longest-unsettled identity has been so
  };

  void update(const std::string& group, const std::string& identity, std::size_t unsettled_levels,
              clock_type::time_point now);
  summary of(const std::string& group, clock_type::time_point now, std::chrono::seconds stuck_after) const;

private:
  struct entry {
    std::size_t levels = 0;
    clock_type::time_point since;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, entry>> groups_;
};

} // namespace shopsync
