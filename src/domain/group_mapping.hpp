#pragma once
// A sync group's mapping, ready for routing: the matched identities, the location slots and
// an index from (store, inventory item) to the identity, so an inventory_levels/update
// webhook (which carries only the item and location ids) finds its identity in O(1).
// Pure: built from the matcher's output, encoded for the state store.
#include "domain/config.hpp"
#include "domain/inventory_item_state.hpp"
#include "domain/matcher.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace shopsync {

class group_mapping {
public:
  group_mapping() = default;
  group_mapping(const group_config& group, catalog_match match, location_mapping locations);

  const std::string& group() const noexcept { return group_; }
  sync_mode mode() const noexcept { return mode_; }
  const std::vector<identity_mapping>& identities() const noexcept { return match_.identities; }
  const std::vector<match_problem>& problems() const noexcept { return match_.problems; }
  const location_mapping& locations() const noexcept { return locations_; }

  // The identity an inventory item of a store belongs to in this group.
  const identity_mapping* find(const store_name& store, inventory_item_id item) const;
  const identity_mapping* find_key(const std::string& key) const;
  // The state machine's layout for an identity of this group.
  item_layout layout(const identity_mapping&) const;

  std::string encode() const;
  static result<group_mapping> decode(const group_config& group, const std::string&);

private:
  void build_index();

  std::string group_;
  sync_mode mode_ = sync_mode::one_way;
  std::vector<store_name> destinations_;
  catalog_match match_;
  location_mapping locations_;
  std::unordered_map<std::string, std::size_t> by_key_;
  // key: store name + '\0' + decimal item id → index into identities
  std::unordered_map<std::string, std::size_t> by_item_;
};

} // namespace shopsync
