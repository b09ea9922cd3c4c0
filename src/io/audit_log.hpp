#pragma once
// The audit log: every sync decision, appended to the state store's `audit` column in time
// order, in the same batch as the state change it explains. Values are JSON objects, so
// `shopsyncctl audit` can pass them through.
#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "io/state_store.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shopsync {

struct audit_entry {
  std::chrono::system_clock::time_point time;
  std::string group, subject; // subject: the identity ("sku:ABC") or order ("dest-b/1001")
  std::string store;
  location_id location = 0;
  std::string kind; // echo_dropped, delta_propagated, level_set, error, skipped_unmapped, ...
  std::optional<std::int64_t> before, after;
  std::int64_t delta = 0;
  std::string cause;
};

struct audit_query {
  std::string subject; // empty: every subject
  std::optional<std::chrono::system_clock::time_point> since;
  std::size_t limit = 100; // the newest `limit` matching entries, oldest first
};

class audit_log {
public:
  explicit audit_log(state_store& store) : store_(store) {}

  void append(state_store::batch& b, const audit_entry& e);
  // JSON objects, oldest first.
  result<std::vector<std::string>> query(const audit_query& q) const;
  // Removes entries older than `before`.
  result<std::size_t> purge(std::chrono::system_clock::time_point before);

  static std::string to_json(const audit_entry& e);

private:
  state_store& store_;
  std::atomic<std::uint64_t> counter_{0};
};

} // namespace shopsync
