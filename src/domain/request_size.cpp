#include "domain/request_size.hpp"

#include <algorithm>
#include <cmath>

namespace shopsync {

request_sizer::request_sizer(request_shape shape)
  : shape_(shape), per_item_(shape.per_item > 0 ? shape.per_item : 1), cap_(std::max<std::size_t>(1, shape.max_items)) {}

void request_sizer::bucket(double maximum_available) {
  if (!(maximum_available > 0))
    return;
  if (bucket_ && maximum_available > *bucket_)
    cap_ = std::max<std::size_t>(1, shape_.max_items); // a bigger bucket (another plan): sizes may grow again
  bucket_ = maximum_available;
}

void request_sizer::observed(std::size_t items, double requested_cost) {
  if (items == 0 || !(requested_cost > shape_.fixed))
    return;
  per_item_ = (requested_cost - shape_.fixed) / static_cast<double>(items);
  cap_ = std::max<std::size_t>(1, shape_.max_items); // the model now holds Shopify's own figure
}

bool request_sizer::refused(std::size_t items, double maximum) {
  if (items == 0)
    return false;
  // It cost more than `maximum`: the cost per item is above what would have fitted exactly.
  const double at_least = (maximum - shape_.fixed) / static_cast<double>(items);
  if (per_item_ <= at_least)
    per_item_ = std::max(at_least, 0.001) * 1.0001;
  // By how much it was over is not known: halve, so a few refusals reach any size that fits.
  cap_ = std::min(cap_, std::max<std::size_t>(1, items / 2));
  return items > 1;
}

double request_sizer::limit() const {
  if (!bucket_)
    return single_query_max_cost;
  const double share = *bucket_ * shape_.bucket_share;
  // When not even one item fits the share, one request may take the whole bucket.
  const double l = share >= cost(1) ? share : *bucket_;
  return std::min(l, single_query_max_cost);
}

std::size_t request_sizer::size(std::size_t wanted) const {
  const std::size_t most = std::max<std::size_t>(1, std::min({wanted, shape_.max_items, cap_}));
  const double fit = std::floor((limit() - shape_.fixed) / per_item_);
  if (!(fit >= 1))
    return 1;
  return std::min(most, static_cast<std::size_t>(std::min(fit, 1e9)));
}

double request_sizer::cost(std::size_t items) const {
  return shape_.fixed + per_item_ * static_cast<double>(items);
}

} // namespace shopsync
