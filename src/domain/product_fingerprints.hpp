#pragma once
// What each product's rows looked like in a group's catalog, as one 64-bit digest per
// (store, product), so that a products/update that changes nothing the group matches on is
// recognised without touching the catalog.
//
// Why: Shopify sends products/update whenever a product is ordered. In a flash sale that is a
// webhook per sale, and applying each to the catalog (rebuild, re-sort, re-match, persist the
// mapping) costs O(catalog) per sale: at 1,000 sales/s the catalog actor fell ever further
// behind and its mailbox grew by gigabytes. A sale changes no variant, item, identity key or
// product rule mark, so its digest is the one already held and the webhook is dropped.
//
// The digest covers, per variant: its id, its inventory item, its identity key (none and empty
// are the same) and its marks (excluded by the filter, allocation tag bits). Variant order does
// not matter. Two different row sets share a digest with probability ~2^-64.
#include "domain/ids.hpp"
#include "domain/keyed_catalog.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace shopsync {

struct fingerprint_row {
  variant_id variant = 0;
  inventory_item_id item = 0;
  std::optional<std::string_view> key; // nullopt or empty: no identifier
  catalog_marks marks;
};

// The digest of one product's rows in one store (order-independent).
std::uint64_t product_digest(std::vector<fingerprint_row> rows);

class product_fingerprints {
public:
  // Every (store, product) of the catalog, with the digest of its rows.
  static product_fingerprints of(const keyed_catalog&);

  // The digest held for the product in this store; nullopt when the catalog had no row of it.
  std::optional<std::uint64_t> find(std::uint16_t store, product_id) const;
  // The catalog now holds these rows of the product (digest from product_digest).
  void set(std::uint16_t store, product_id, std::uint64_t digest);
  // The product's rows changed in a way not described by a digest: find() says nullopt.
  void forget(std::uint16_t store, product_id);

  std::size_t size() const noexcept { return entries_.size(); }
  void clear() noexcept { entries_.clear(); }

private:
  struct entry {
    product_id product = 0;
    std::uint64_t digest = 0;
    std::uint16_t store = 0;
  };
  std::size_t lower(std::uint16_t store, product_id) const; // first entry not before (store, product)
  bool at(std::size_t i, std::uint16_t store, product_id) const; // entry i is (store, product)

  std::vector<entry> entries_; // sorted by (store, product), one each
};

} // namespace shopsync
