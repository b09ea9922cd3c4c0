#pragma once
// The mass-change breaker of a sync group: shopsync's own writes that would drop many of a
// store's levels at once (a Source wiped by an import, a mis-mapped location, the wrong store
// as Source) trip it, and the group's outgoing writes are then held until the merchant
// approves or discards them. Pure and deterministic: time is an input (milliseconds).
//
// How the holder (the group guard) uses it:
//   1. Build it with the group's limits; tell it each store's number of mapped levels
//      (`set_mapped_levels`) whenever the mapping changes.
//   2. Before sending a write, ask `admit(store, level, before, after, now)`: `pass` sends it;
//      `held` and `tripped_now` keep it (never drop it) until `reset`.
//   3. On `tripped_now`, log and report the trip (`trip()` tells why).
//   4. `reset` when the merchant approves or discards: the window starts empty.
//
// A write is a *big drop* when it takes a level that held stock (before > 0) to zero or below,
// or to less than half of it. The breaker counts, per store, the distinct levels that took a
// big drop within the sliding window; the write that would make that count exceed the store's
// allowance trips it (and is held): so at most `allowance` levels of a store are dropped by
// shopsync within a window. An ordinary sale moves a level by a unit or two: it takes a level
// to zero only when it sells the last units, which stays below the allowance unless a large
// share of the catalog sells out within one window.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace shopsync {

struct breaker_limits {
  std::chrono::milliseconds window{10 * 60 * 1000};
  double max_share = 0.20;          // of a store's mapped levels
  std::uint64_t max_levels = 100;   // levels, whatever the catalog's size
  std::uint64_t min_levels = 5;     // a small catalog still allows this many
};

// The number of big drops a store of `mapped` levels may take within one window:
// min(share × mapped, max_levels), but never fewer than min_levels.
std::uint64_t breaker_allowance(const breaker_limits&, std::uint64_t mapped);

// Whether a write from `before` to `after` is a big drop (see above).
bool big_drop(std::optional<std::int64_t> before, std::int64_t after);

enum class breaker_decision : std::uint8_t { pass, held, tripped_now };
const char* to_string(breaker_decision);

struct breaker_trip {
  std::string store;
  std::uint64_t drops = 0;     // levels dropped within the window, the tripping one included
  std::uint64_t allowance = 0;
  std::uint64_t mapped = 0;
  std::int64_t at_ms = 0;
};

class mass_change_breaker {
public:
  explicit mass_change_breaker(breaker_limits limits = {}) : limits_(limits) {}

  void set_mapped_levels(const std::string& store, std::uint64_t mapped) { mapped_[store] = mapped; }
  // `level`: any stable key of the level (the same level twice counts once).
  breaker_decision admit(const std::string& store, const std::string& level, std::optional<std::int64_t> before,
                         std::int64_t after, std::int64_t now_ms);
  // Approve or discard: closed again, the window empty.
  void reset();

  bool tripped() const { return trip_.has_value(); }
  const std::optional<breaker_trip>& trip() const { return trip_; }
  // Levels of `store` with a big drop within the window ending at now_ms.
  std::uint64_t drops(const std::string& store, std::int64_t now_ms);
  std::uint64_t allowance(const std::string& store) const;
  const breaker_limits& limits() const { return limits_; }

private:
  struct store_window {
    std::deque<std::pair<std::int64_t, std::string>> events; // (time, level), oldest first
    std::unordered_map<std::string, std::uint32_t> levels;   // level -> its events in the window
  };
  void expire(store_window&, std::int64_t now_ms) const;

  breaker_limits limits_;
  std::map<std::string, std::uint64_t> mapped_;
  std::map<std::string, store_window> windows_;
  std::optional<breaker_trip> trip_;
};

} // namespace shopsync
