#include "actors/level_snapshot.hpp"

#include <algorithm>
#include <tuple>

namespace shopsync {

void level_snapshot::add(const level_value& lv) {
  levels_.push_back({lv.key.item, lv.key.location, lv.available.value_or(0), lv.updated_at.value_or(0), lv.active,
                     lv.updated_at.has_value()});
  if (locations_.empty() || locations_.back() != lv.key.location)
    locations_.push_back(lv.key.location);
}

void level_snapshot::seal() {
  std::sort(levels_.begin(), levels_.end(),
            [](const entry& a, const entry& b) { return std::tie(a.location, a.item) < std::tie(b.location, b.item); });
  levels_.shrink_to_fit();
  std::sort(locations_.begin(), locations_.end());
  locations_.erase(std::unique(locations_.begin(), locations_.end()), locations_.end());
}

std::optional<level_read_reply> level_snapshot::answer(const level_key& key) const {
  if (!std::binary_search(locations_.begin(), locations_.end(), key.location))
    return std::nullopt;
  level_read_reply r;
  r.key = key;
  r.ok = true;
  auto it = std::lower_bound(levels_.begin(), levels_.end(), key, [](const entry& e, const level_key& k) {
    return std::tie(e.location, e.item) < std::tie(k.location, k.item);
  });
  if (it == levels_.end() || it->location != key.location || it->item != key.item)
    return r; // not stocked there
  r.stocked = it->active;
  r.inactive = !it->active;
  r.available = it->available;
  if (it->timed)
    r.updated_at = it->updated_at;
  return r;
}

} // namespace shopsync
