#pragma once
// Which stores' cost buckets are not nearly full (below 90% of the maximum) right now: set by
// each store link from its client's throttle model, read by the item actors before every input.
// There reads are scarce: a webhook whose time cannot order it against our writes is taken
// provisionally or set aside and verified later, instead of read at once (the inventory item
// state's "Times"). A store with points to spare keeps the exact, immediate read. Thread-safe.
#include <mutex>
#include <set>
#include <string>

namespace shopsync {

class read_pressure {
public:
  void set(const std::string& store, bool scarce) {
    std::lock_guard<std::mutex> lock(mu_);
    if (scarce)
      scarce_.insert(store);
    else
      scarce_.erase(store);
  }
  bool scarce(const std::string& store) const {
    std::lock_guard<std::mutex> lock(mu_);
    return scarce_.count(store) != 0;
  }

private:
  mutable std::mutex mu_;
  std::set<std::string> scarce_;
};

} // namespace shopsync
