#include "domain/mapping_diff.hpp"

#include "domain/group_mapping.hpp"

#include <algorithm>

namespace shopsync {

const char* to_string(identity_change c) {
  switch (c) {
    case identity_change::keep: return "keep";
    case identity_change::remap: return "remap";
    case identity_change::add: return "add";
    case identity_change::drop: return "drop";
  }
  return "?";
}

identity_change mapping_diff::of_now(std::size_t i) const noexcept {
  if (unchanged_)
    return identity_change::keep;
  return i < now_.size() ? now_[i] : identity_change::add;
}

std::size_t mapping_diff::kept() const noexcept {
  return size_ - remapped_.size() - added_.size();
}

namespace {

// The slots as an item layout sees them (their names are labels, not part of a layout).
bool same_slot_locations(const location_mapping& a, const location_mapping& b) {
  if (a.slots.size() != b.slots.size())
    return false;
  for (std::size_t i = 0; i < a.slots.size(); ++i)
    if (a.slots[i].source != b.slots[i].source || a.slots[i].destinations != b.slots[i].destinations ||
        a.slots[i].adds != b.slots[i].adds)
      return false;
  return true;
}

} // namespace

mapping_diff group_mapping::diff(const group_mapping& previous) const {
  mapping_diff d;
  d.size_ = size();
  if (previous.same_identities(*this)) {
    d.unchanged_ = true;
    return d;
  }
  d.locations_changed_ = !same_slot_locations(previous.locations(), locations());
  d.now_.resize(size(), identity_change::add);
  // One merge walk over both mappings in key order: linear, a million identities in a few
  // tens of milliseconds (the router runs it on every mapping change).
  auto ordered = [](const group_mapping& m, std::size_t k) -> std::size_t { return m.by_key_.empty() ? k : m.by_key_[k]; };
  std::size_t k = 0, p = 0;
  while (k < size() || p < previous.size()) {
    const auto i = k < size() ? ordered(*this, k) : 0;
    const auto j = p < previous.size() ? ordered(previous, p) : 0;
    if (p == previous.size() || (k < size() && key(i) < previous.key(j))) { // only here: new
      d.added_.push_back(static_cast<std::uint32_t>(i));
      ++k;
    } else if (k == size() || previous.key(j) < key(i)) { // only there: gone
      d.dropped_.push_back(static_cast<std::uint32_t>(j));
      ++p;
    } else {
      auto c = !d.locations_changed_ && previous.same_stores(j, *this, i) ? identity_change::keep : identity_change::remap;
      d.now_[i] = c;
      if (c == identity_change::remap)
        d.remapped_.push_back(static_cast<std::uint32_t>(i));
      ++k;
      ++p;
    }
  }
  for (auto& key : previous.excluded())
    if (find_key(key))
      d.included_.push_back(key);
  return d;
}

std::vector<std::size_t> unmapped_stores(const item_layout& old, const item_layout& now) {
  std::vector<std::size_t> gone;
  for (std::size_t i = 0; i < old.stores.size(); ++i) {
    bool kept = false;
    for (auto& s : now.stores)
      kept = kept || (s.store == old.stores[i].store && s.item == old.stores[i].item);
    if (!kept)
      gone.push_back(i);
  }
  return gone;
}

} // namespace shopsync
