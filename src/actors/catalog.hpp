#pragma once
// The catalog actor (one per sync group): loads every store's locations and catalog pages
// through the store links, matches them (domain matcher), persists the mapping and publishes
// it to the router. At start the persisted mapping is published first, so the daemon is
// ready while the catalogs are read again in the background; a reload that matches the same
// mapping is neither persisted nor published again. Resync requests during a
// load are coalesced.
#include "actors/messages.hpp"
#include "actors/sync_context.hpp"
#include "domain/product_fingerprints.hpp"

#include <map>
#include <vector>

namespace shopsync {

struct catalog_state {
  const sync_context* ctx = nullptr;
  group_config group;
  router_actor router;
  bool loading = false;
  bool again = false;
  std::vector<store_name> stores; // Source first, then Destinations
  // Rows carry only ids and the group's identity key (domain/keyed_catalog.hpp): ~56 B per
  // variant instead of ~230 B with every string and option.
  keyed_catalog rows; // being loaded
  // The loaded catalog, so product webhooks update the mapping without a reload: sorted by
  // (store, variant id), one row each. Held only while matching: afterwards the mapping holds
  // most rows and `leftover` the others, and `known` is rebuilt from both when a webhook needs it.
  keyed_catalog known;
  bool known_built = false;
  keyed_catalog leftover;
  bool loaded = false; // a load finished since the start (until then: the persisted mapping only)
  bool rematch_scheduled = false;
  std::vector<store_locations> locations;
  group_mapping_ptr current;
  // Variants deleted in a store (domain/catalog_deletion.hpp): reported as `deleted`, and never
  // mapped again from a catalog page read before the deletion. Kept in the mapping's problems.
  std::vector<match_problem> tombstones;
  std::string last_error;
  std::vector<std::string> allocation_tags; // the group's (stock_allocation.hpp)
  bool exclusion_changed = false;           // a product webhook changed what the filter excludes
  // The digest of each product's rows as last matched or applied (domain/product_fingerprints.hpp):
  // a products/update that changes none (every sale sends one) is dropped without a re-match.
  product_fingerprints fingerprints;
  // Variants per store as the last read found them (to choose bulk or pages), and the
  // bulk read in progress: its id (chunks of an abandoned one are dropped), rows received, and
  // the rows its file held once the operation ended (nullopt until then).
  std::map<store_name, std::uint64_t> store_variants;
  std::uint64_t store_rows = 0; // rows read so far of the store being loaded
  std::uint64_t bulk_load = 0;
  std::uint64_t bulk_received = 0;
  std::optional<std::uint64_t> bulk_expected;
  std::size_t bulk_store = 0;
  static inline const char* name = "catalog";
};

catalog_actor::behavior_type catalog(catalog_actor::stateful_pointer<catalog_state> self, const sync_context* ctx,
                                     group_config group, router_actor router);

// JSON of a mapping for `shopsyncctl mappings` (problems only, or with the identities), with
// the levels not stocked at a mapped location (`unstocked`, location names from `names` when
// known, else the slot's name), and a `summary` counting what the lists hold in full: mapped
// identities, location slots, problems, location problems and unstocked levels by kind.
// Keys as in every control reply: "group", "store", "identity", "location" (a name).
std::string mapping_json(const group_mapping& m, bool problems_only, std::size_t limit,
                         const std::vector<unstocked_level>& unstocked = {},
                         const std::vector<store_locations>& names = {},
                         const group_config* group = nullptr); // its controls too

} // namespace shopsync
