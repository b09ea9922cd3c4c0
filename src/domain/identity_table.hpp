#pragma once
// The matched identities of a sync group, stored compactly: at a million identities per group
// a vector of identity_mapping (a key string, a vector of per-store entries each with its store
// name) plus string-keyed hash indexes cost ~600 B per identity; this table costs ~70 B (keys
// in one arena, fixed-size id triples, a presence byte per store). Rows keep the order they
// were added in; the matcher adds them by key.
#include "domain/ids.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

struct mapped_variant;
struct identity_mapping;

// One store's variant of an identity.
struct variant_ref {
  shopsync::product_id product = 0;
  shopsync::variant_id variant = 0;
  inventory_item_id item = 0;
  friend bool operator==(const variant_ref& a, const variant_ref& b) {
    return a.product == b.product && a.variant == b.variant && a.item == b.item;
  }
};

class identity_table {
public:
  identity_table() = default;
  // The group's stores: the Source first, then the Destinations in the group's order.
  explicit identity_table(std::vector<store_name> stores);

  const std::vector<store_name>& stores() const noexcept { return stores_; }
  std::size_t store_count() const noexcept { return stores_.size(); }
  std::size_t size() const noexcept { return key_end_.size(); }
  bool empty() const noexcept { return key_end_.empty(); }

  std::string_view key(std::size_t i) const noexcept {
    auto b = i ? key_end_[i - 1] : 0;
    return std::string_view(keys_.data() + b, key_end_[i] - b);
  }
  // Whether group store `s` has identity `i`, and its variant there.
  bool has(std::size_t i, std::size_t s) const noexcept { return present_[i * stores_.size() + s] != 0; }
  const variant_ref& ref(std::size_t i, std::size_t s) const noexcept { return refs_[i * stores_.size() + s]; }
  // How many stores have identity `i`.
  std::size_t count(std::size_t i) const noexcept;

  // Appends an identity; refs and present have store_count() entries.
  void add(std::string_view key, const variant_ref* refs, const bool* present);
  // Appends an identity_mapping (stores named; a name outside the table's stores is dropped).
  void add(const identity_mapping& id);
  void reserve(std::size_t identities, std::size_t key_bytes);
  void shrink_to_fit();

  // The identity as the rest of the code reads it: stores[0] the Source, then the Destinations
  // that have it, in the group's order.
  identity_mapping materialize(std::size_t i) const;

  // Same stores, same identities in the same order, same ids.
  friend bool operator==(const identity_table& a, const identity_table& b);
  friend bool operator!=(const identity_table& a, const identity_table& b) { return !(a == b); }

private:
  std::vector<store_name> stores_;
  std::string keys_;                  // every key, back to back
  std::vector<std::uint64_t> key_end_; // end of key i in keys_
  std::vector<variant_ref> refs_;      // size() x store_count()
  std::vector<std::uint8_t> present_;  // size() x store_count()
};

} // namespace shopsync
