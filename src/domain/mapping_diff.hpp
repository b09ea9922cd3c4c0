#pragma once
// What a new mapping of a sync group changes for each identity of the previous one, decided
// here and only here (group_mapping::diff): the router and the item actors follow it.
// Pure: no I/O, no clock.
//
// How to use it (the router, when a catalog publishes a new mapping `now`):
//   1. d = now.diff(previous).
//   2. d.unchanged(): the same identities, ids and location slots: every item state stays
//      valid; nothing to do.
//   3. Otherwise, per identity: keep (its layout is the same: the actor and its state carry
//      on), remap (in both, with other stores, items, tags or location slots: the actor
//      starts a new life with now.layout(i)), add (new: it aligns), drop (gone: its actor is
//      shut down, its state stays). `included()` are added identities the previous mapping
//      excluded by the group's filter: they align even when a state of them is on disk.
//   4. An item actor given a new layout stops writing to the stores unmapped_stores() names.
//
// Guarantees (tests/unit/mapping_diff_property_test.cpp): applying the diff to the previous
// mapping's identities gives the new mapping's; keep means the same layout; every identity of
// either mapping has exactly one change.
#include "domain/inventory_item_state.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

class group_mapping;

enum class identity_change : std::uint8_t { keep, remap, add, drop };
const char* to_string(identity_change);

class mapping_diff {
public:
  mapping_diff() = default;

  // Same identities with the same ids and location slots (group_mapping::same_identities).
  bool unchanged() const noexcept { return unchanged_; }
  // Whether the location slots changed (every identity in both mappings is then remapped).
  bool locations_changed() const noexcept { return locations_changed_; }

  // Identity i of the new mapping: keep, remap or add.
  identity_change of_now(std::size_t i) const noexcept;
  // Identities of the previous mapping that the new one lacks (indexes there), in key order.
  const std::vector<std::uint32_t>& dropped() const noexcept { return dropped_; }
  // Indexes in the new mapping, in key order.
  const std::vector<std::uint32_t>& remapped() const noexcept { return remapped_; }
  const std::vector<std::uint32_t>& added() const noexcept { return added_; }
  // Added identities the previous mapping's filter excluded (keys, in the previous' order).
  const std::vector<std::string>& included() const noexcept { return included_; }
  std::size_t kept() const noexcept;

private:
  friend class group_mapping;
  bool unchanged_ = false;
  bool locations_changed_ = false;
  std::size_t size_ = 0; // identities of the new mapping
  std::vector<identity_change> now_; // per identity of the new mapping (empty when unchanged)
  std::vector<std::uint32_t> dropped_, remapped_, added_;
  std::vector<std::string> included_;
};

// Indexes (in `old`) of the stores whose variant `now` no longer has: the same store with the
// same inventory item is not among `now`'s stores. Nothing is written to them any more.
std::vector<std::size_t> unmapped_stores(const item_layout& old, const item_layout& now);

} // namespace shopsync
