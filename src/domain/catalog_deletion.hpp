#pragma once
// products/delete and inventory_items/delete, as a sync group's catalog applies them. Pure.
//
// A deleted variant leaves the mapping at once: its store drops out of the identity, so nothing
// is written there any more (an identity deleted in the Source is synced nowhere), and the
// identity is reported `deleted` in that store, by the merchant's names (identity key, store).
// That report is also a tombstone: rows of the deleted variant that a catalog page read before
// the deletion still lists are dropped before matching, so they are not mapped again. It is
// forgotten once the store has the identity again (the merchant made it anew, with new ids).
//
// How the catalog uses it:
//   1. On a deletion: `take_deleted` on its rows; keep the tombstones (`merge_tombstones`), tell
//      the store link to drop the queued writes of the returned inventory items, match again.
//   2. Before every match: `drop_deleted_rows`; after it: `report_deletions`.
#include "domain/ids.hpp"
#include "domain/keyed_catalog.hpp"
#include "domain/matcher.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shopsync {

struct catalog_deletion {
  std::uint16_t store = 0;               // the group's store index (0 = the Source)
  std::optional<product_id> product;     // products/delete: every variant of the product
  std::optional<inventory_item_id> item; // inventory_items/delete: the variant of that item
};

struct deletion_outcome {
  std::vector<match_problem> tombstones;  // kind `deleted`, one per identity key, variants ascending
  std::vector<inventory_item_id> items;   // the inventory items deleted (ascending, unique)
};

// Takes the deleted variants' rows out of `rows`. `stores`: the group's stores, Source first.
// Rows without an identifier are taken out too, with no tombstone (they were never mapped).
deletion_outcome take_deleted(keyed_catalog& rows, const catalog_deletion&, const std::vector<store_name>& stores);

// Adds `more` to `tombstones`: one per (key, store), variants united.
void merge_tombstones(std::vector<match_problem>& tombstones, const std::vector<match_problem>& more);

// Takes out of `rows` the variants the tombstones name (the same store, the same variant id).
void drop_deleted_rows(keyed_catalog& rows, const std::vector<match_problem>& tombstones,
                       const std::vector<store_name>& stores);

// Puts the tombstones into a fresh match as its `deleted` problems (after every other kind,
// by key then store): each replaces the match's missing_in_destination of the same key and
// store. A tombstone whose key is mapped in its store again is dropped from `tombstones`.
void report_deletions(keyed_match& match, std::vector<match_problem>& tombstones);

} // namespace shopsync
