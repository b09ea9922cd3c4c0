#include "sim/cost_bucket.hpp"

#include <algorithm>

namespace shopsync::sim {

void cost_bucket::refill(clock::time_point now) {
  if (now > at_) {
    double secs = std::chrono::duration<double>(now - at_).count();
    level_ = std::min(max_, level_ + secs * rate_);
    at_ = now;
  }
}

bool cost_bucket::try_charge(double requested, clock::time_point now) {
  refill(now);
  if (level_ < requested)
    return false;
  level_ -= requested;
  return true;
}

void cost_bucket::refund(double points, clock::time_point now) {
  refill(now);
  level_ = std::min(max_, level_ + points);
}

double cost_bucket::available(clock::time_point now) {
  refill(now);
  return level_;
}

void cost_bucket::reset(double maximum, double restore_rate) {
  max_ = maximum;
  rate_ = restore_rate;
  level_ = maximum;
  at_ = clock::now();
}

} // namespace shopsync::sim
