#pragma once
// A sync group's catalog as matching needs it: per variant its store (index in the group), its
// ids and its identity key for the group's match_by (see identity_key), nothing else. A
// catalog_variant with its handle, SKU, barcode and options costs ~230 B; a row here 40 B plus
// its key in a shared arena, so a million-variant store fits in ~60 MB while it is loaded,
// matched and kept for product webhooks.
#include "domain/ids.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

// What the group's product rules say of a row's product (product_filter.hpp, stock_allocation.hpp).
struct catalog_marks {
  bool excluded = false;
  std::uint8_t tag_bits = 0;
};

class keyed_catalog {
public:
  struct row {
    shopsync::product_id product = 0;
    shopsync::variant_id variant = 0;
    inventory_item_id item = 0;
    std::uint32_t key_at = 0;
    std::uint32_t key_len = 0; // 0: the variant has no identifier (reported, never synced)
    std::uint16_t store = 0;   // 0 the Source, 1.. the Destinations
    std::uint8_t excluded = 0; // the product is excluded by the group's filter (see product_filter.hpp)
    std::uint8_t tag_bits = 0; // which allocation tags the product has (see stock_allocation.hpp)
    std::uint32_t seq = 0;     // order of addition (in the padding: a row stays 40 B)
  };

  using marks = catalog_marks;

  // nullopt or an empty key: no identifier.
  void add(std::uint16_t store, shopsync::product_id product, shopsync::variant_id variant, inventory_item_id item,
           std::optional<std::string_view> key, marks m = {});
  // Gives row i another key (an SKU changed).
  void set_key(std::size_t i, std::optional<std::string_view> key);
  // Removes the rows `drop` says so of, keeping the others' order.
  template <class Pred>
  void erase_if(Pred drop) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      if (drop(rows_[i])) {
        live_key_bytes_ -= rows_[i].key_len;
        continue;
      }
      rows_[out++] = rows_[i];
    }
    rows_.resize(out);
    compact_keys_if_wasteful();
  }
  // Sorts by (store, variant) and keeps one row per pair: the one added last (a later page or
  // webhook wins).
  void sort_unique();

  std::string_view key(const row& r) const noexcept { return std::string_view(keys_.data() + r.key_at, r.key_len); }
  const std::vector<row>& rows() const noexcept { return rows_; }
  std::size_t size() const noexcept { return rows_.size(); }
  void clear() noexcept;
  void shrink_to_fit();

private:
  void compact_keys_if_wasteful();

  std::vector<row> rows_;
  std::string keys_; // arena; key_at is a 32-bit offset: up to 4 GiB of keys (~200 M variants)
  std::size_t live_key_bytes_ = 0;
  std::uint32_t next_seq_ = 0;
};

} // namespace shopsync
