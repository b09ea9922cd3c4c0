#pragma once
// Shopify's GraphQL leaky bucket per (app, store): a query is refused (THROTTLED) when the bucket
// holds less than its requested cost; otherwise the requested cost is taken and the difference
// to the actual cost given back. Points refill continuously at the restore rate.
#include <chrono>

namespace shopsync::sim {

class cost_bucket {
public:
  using clock = std::chrono::steady_clock;
  cost_bucket(double maximum = 2000, double restore_rate = 100) : max_(maximum), rate_(restore_rate), level_(maximum), at_(clock::now()) {}

  // Takes `requested` points when available; false (nothing taken) otherwise.
  bool try_charge(double requested, clock::time_point now = clock::now());
  void refund(double points, clock::time_point now = clock::now());
  double available(clock::time_point now = clock::now());
  double maximum() const noexcept { return max_; }
  double restore_rate() const noexcept { return rate_; }
  void reset(double maximum, double restore_rate);

private:
  void refill(clock::time_point now);
  double max_, rate_, level_;
  clock::time_point at_;
};

} // namespace shopsync::sim
