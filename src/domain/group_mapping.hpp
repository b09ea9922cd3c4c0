#pragma once
// A sync group's mapping, ready for routing: the matched identities (a compact table, in key
// order), the location slots, and sorted indexes from (store, inventory item) and (store,
// variant) to the identity, so an inventory_levels/update webhook (which carries only the item
// and location ids) finds its identity in O(log n) without a string key. At a million
// identities it takes ~130 MB, where string-keyed hash maps took ~600 MB.
// Pure: built from the matcher's output, encoded for the state store in a binary form that
// decodes in well under a second at that size.
#include "domain/config.hpp"
#include "domain/identity_table.hpp"
#include "domain/inventory_item_state.hpp"
#include "domain/mapping_diff.hpp"
#include "domain/matcher.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

class group_mapping {
public:
  group_mapping() = default;
  group_mapping(const group_config& group, catalog_match match, location_mapping locations);
  group_mapping(const group_config& group, keyed_match match, location_mapping locations);

  const std::string& group() const noexcept { return group_; }
  sync_mode mode() const noexcept { return mode_; }
  // Identities are addressed by their index in the table: 0 .. size() - 1, in key order.
  const identity_table& identities() const noexcept { return table_; }
  std::size_t size() const noexcept { return table_.size(); }
  std::string_view key(std::size_t i) const noexcept { return table_.key(i); }
  identity_mapping identity(std::size_t i) const { return table_.materialize(i); }
  const std::vector<match_problem>& problems() const noexcept { return problems_; }
  const location_mapping& locations() const noexcept { return locations_; }
  // Keys the group's filter excludes (by the Source's product): not synced, not problems.
  const std::vector<std::string>& excluded() const noexcept { return excluded_; }
  // Which allocation tags identity i's Source product has (stock_allocation.hpp).
  std::uint8_t tag_bits(std::size_t i) const noexcept { return i < tag_bits_.size() ? tag_bits_[i] : 0; }
  // Destination d's (group order) buffer and share for identity i.
  stock_rule rule(std::size_t i, std::size_t d) const;

  // The identity an inventory item of a store belongs to in this group.
  std::optional<std::size_t> find(const store_name& store, inventory_item_id item) const;
  std::optional<std::size_t> find_key(std::string_view key) const;
  // The identity of a store's variant (orders name variants, not inventory items).
  std::optional<std::size_t> find_variant(const store_name& store, variant_id variant) const;
  // The state machine's layout for an identity of this group.
  item_layout layout(std::size_t i) const;
  // Same stores and ids for identity i here and identity j in `other`, and the same allocation
  // tags (a product whose tags changed gets a new layout: its rules may differ).
  bool same_stores(std::size_t i, const group_mapping& other, std::size_t j) const;

  // Same identities with the same ids and the same location slots: item states stay valid.
  bool same_identities(const group_mapping& other) const;
  // same_identities, and the same problems: nothing to persist or publish.
  bool same_as(const group_mapping& other) const;
  // The same as what a mapping built from this match and these locations would be (without
  // building it: a reload that finds nothing new costs no second index).
  bool same_as(const keyed_match& match, const location_mapping& locations) const;
  // What this mapping changes for each identity of `previous` (keep / remap / add / drop):
  // the one decision the router and the item actors follow (domain/mapping_diff.hpp).
  mapping_diff diff(const group_mapping& previous) const;

  // "gm2" binary form (varints); decode also reads the older "gm1" text form. A stored mapping
  // made for other stores than the group's (the configuration changed) is refused.
  std::string encode() const;
  static result<group_mapping> decode(const group_config& group, std::string_view bytes);

private:
  struct id_entry {
    std::uint64_t id;
    std::uint32_t identity;
    std::uint32_t store;
  };
  void init(const group_config& group);
  void build_index();
  std::optional<std::size_t> store_index(const store_name& store) const;
  static std::optional<std::size_t> lookup(const std::vector<id_entry>& index, std::size_t store, std::uint64_t id);

  std::string group_;
  sync_mode mode_ = sync_mode::one_way;
  std::vector<store_name> destinations_;
  identity_table table_;
  std::vector<match_problem> problems_;
  location_mapping locations_;
  std::vector<std::string> excluded_;
  std::vector<std::uint8_t> tag_bits_; // per identity; empty when every one is 0
  std::vector<allocation_rule> allocation_;
  std::vector<std::string> allocation_tags_;
  std::vector<id_entry> by_item_;     // sorted by (store, id, identity)
  std::vector<id_entry> by_variant_;  // same
  std::vector<std::uint32_t> by_key_; // identity indexes in key order; empty when the table is in key order
};

} // namespace shopsync
