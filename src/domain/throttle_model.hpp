#pragma once
// Shopify's cost bucket as seen from one store link: fed by each response's
// extensions.cost.throttleStatus and refilled locally at restoreRate in between, so the next
// request can wait exactly as long as its estimated cost needs instead of being THROTTLED.
// Pure: every call gets the time.
#include <chrono>
#include <optional>

namespace shopsync {

struct throttle_status {
  double maximum_available = 0;   // bucket size in cost points
  double currently_available = 0; // points left when the response was produced
  double restore_rate = 0;        // points per second
};

// How long until a bucket in status `s`, holding `available` points now, holds `cost` (a cost
// above the bucket waits for a full one); zero when it does, or when `s` restores nothing.
std::chrono::milliseconds wait_for(const throttle_status& s, double available, double cost);

// shopsync's own shares of a store's bucket (its policy, not Shopify's):
// - below half, a write batch that is not full waits to fill (store_link_protocol's write_reserve);
inline constexpr double write_reserve_share = 0.5;
// - below 90%, reads are scarce (inventory_item_state::set_reads_scarce): a quiet store's bucket
//   is full, so its reads stay exact and immediate; a busy store's hovers below, and only what
//   the writes leave over is spent on reads at once.
inline constexpr double reads_plenty_share = 0.9;
bool reads_scarce(const throttle_status& s, double available);

class throttle_model {
public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::milliseconds;

  // A response carried throttleStatus: it is the truth at `now`. Points reserved for requests
  // still in flight are kept aside, since Shopify has not charged them yet.
  void observe(const throttle_status& s, time_point now);

  // The request was THROTTLED: nothing ran. `s` is the status that came with it, if any;
  // without one the bucket is taken to hold less than `requested_cost`.
  void on_throttled(const std::optional<throttle_status>& s, double requested_cost, time_point now);

  // How long a request of estimated `cost` should wait before it is sent. Zero while the state
  // is unknown (first request: its answer tells us the bucket). A cost above the bucket size
  // waits for a full bucket.
  duration delay_before(double cost, time_point now) const;

  // Points set aside when a request is sent, released when its answer arrives (`release`),
  // so that concurrent requests do not all count on the same points.
  void reserve(double cost);
  void release(double cost);

  bool known() const noexcept { return known_; }
  // Estimated points available at `now` (after reservations); nullopt while unknown.
  std::optional<double> available(time_point now) const;
  std::optional<throttle_status> last_status() const;

private:
  double refilled(time_point now) const;

  bool known_ = false;
  throttle_status status_{};
  time_point at_{};
  double reserved_ = 0;
};

} // namespace shopsync
