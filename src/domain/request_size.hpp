#pragma once
// How many items (catalog variants, levels, locations) one Admin API request may ask for, so
// that it fits the store's cost bucket. Shopify refuses a query whose requested cost is above
// the bucket's maximumAvailable (THROTTLED, for ever: the bucket never holds more) or above the
// single-query limit of 1,000 points (MAX_COST_EXCEEDED); a request sized for a 2,000-point
// Standard bucket stalls on a store with a smaller one. Pure: fed by what answers say.
//
// Use:
//  1. one sizer per kind of request and store, from the kind's shape (its fixed cost, a first
//     guess of the cost per item, the most items a request may hold);
//  2. before sending, `size(wanted)` items, and `cost(n)` as the throttle model's estimate;
//  3. after an answer, `observed(n, requestedQueryCost)` and `bucket(maximumAvailable)`: the
//     cost per item is learnt from Shopify's own figure, whatever its rules;
//  4. after a refusal that says the request can never run, `refused(n, maximum)`: the next
//     size is smaller; false when n was 1 (nothing smaller exists: the request cannot run here).
#include <cstddef>
#include <optional>

namespace shopsync {

// Shopify's limit on one query's requested cost, whatever the bucket.
inline constexpr double single_query_max_cost = 1000;

struct request_shape {
  double fixed = 2;          // e.g. a connection's 2 points
  double per_item = 3;       // first guess until an answer tells the real figure
  std::size_t max_items = 250;
  // The share of the bucket one request may take: reads leave room for writes that would
  // otherwise wait for a full bucket behind every page.
  double bucket_share = 0.5;
};

class request_sizer {
public:
  explicit request_sizer(request_shape shape = {});

  // The bucket's size (throttleStatus.maximumAvailable).
  void bucket(double maximum_available);
  // A request of `items` was charged (or priced) `requested_cost`.
  void observed(std::size_t items, double requested_cost);
  // A request of `items` can never run: its cost is above `maximum` (the bucket's size, or the
  // single-query limit). False when nothing smaller exists.
  bool refused(std::size_t items, double maximum);

  // Items per request (1 .. min(wanted, max_items)).
  std::size_t size(std::size_t wanted) const;
  // The estimated requested cost of a request of `items`.
  double cost(std::size_t items) const;
  // The points one request may cost: the bucket's share, at most the single-query limit.
  double limit() const;
  std::optional<double> bucket_maximum() const { return bucket_; }
  double per_item() const { return per_item_; }

private:
  request_shape shape_;
  double per_item_;
  std::optional<double> bucket_;
  std::size_t cap_; // halved by each refusal, lifted by the next answer's cost
};

} // namespace shopsync
