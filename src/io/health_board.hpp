#pragma once
// What makes the daemon degraded right now, one line per problem (e.g. a store that refuses
// every token): set and cleared by the parts that see it, read by GET /healthz (and whoever
// reports status). Thread-safe.
//   board.set("store dest", "unauthorized: HTTP 401 ...");   // once the problem starts
//   board.clear("store dest");                             // once it is over
//   board.problems();                                      // sorted by subject
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace shopsync {

class health_board {
public:
  void set(const std::string& subject, const std::string& problem);
  void clear(const std::string& subject);
  // "<subject>: <problem>", sorted by subject; empty when healthy.
  std::vector<std::string> problems() const;

private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> problems_;
};

} // namespace shopsync
