#pragma once
// Matching a sync group's catalogs: which variant in each store is "the same" product
// variant (an identity), and which location in each store is "the same" place (a slot).
// Pure and deterministic (output order does not depend on input order); never guesses: an
// identifier found twice in a store, or missing, is reported and that identity is not synced.
#include "domain/config.hpp"
#include "domain/identifier_normalisation.hpp"
#include "domain/identity_table.hpp"
#include "domain/ids.hpp"
#include "domain/inventory_item_state.hpp"
#include "domain/keyed_catalog.hpp"

#include <optional>
#include <string>
#include <vector>

namespace shopsync {

// One variant row of a store's catalog, as the catalog pages (or product webhooks) give it.
struct catalog_variant {
  store_name store;
  shopsync::product_id product_id = 0;
  std::string handle; // the product's handle
  shopsync::variant_id variant_id = 0;
  std::string sku, barcode;
  inventory_item_id inventory_item = 0;
  int position = 0;                 // 1-based within the product
  std::vector<std::string> options; // option1..3 values that are present
  bool excluded = false;            // the product is excluded by the group's filter
  std::uint8_t tag_bits = 0;        // its allocation tags (stock_allocation.hpp)
};

// The identity key of a variant, a stable string: "sku:ABC-1", "barcode:0123",
// "handle:tee/Red / M" (handle, then the option values joined by " / "), or "handle:tee#1"
// (the position, when the options are empty or just "Default Title"). nullopt when the
// identifier is empty (blank SKU or barcode, no handle). Only surrounding whitespace is
// trimmed; case and inner text are kept (matching never guesses), unless the group's
// normalisation says otherwise for SKUs and barcodes (handles are Shopify's, already normal).
std::optional<std::string> identity_key(match_key, const catalog_variant&,
                                        const identifier_normalisation& = {});
// The same from the variant's parts (options: the values present, in order).
std::optional<std::string> identity_key(match_key, std::string_view sku, std::string_view barcode,
                                        std::string_view handle, int position, const std::string_view* options,
                                        std::size_t option_count, const identifier_normalisation& = {});

struct mapped_variant {
  store_name store;
  shopsync::product_id product_id = 0;
  shopsync::variant_id variant_id = 0;
  inventory_item_id inventory_item = 0;
};

// One synced identity. stores[0] is the Source; then the Destinations that have it, in the
// group's order. A Destination missing the identity is reported and left out.
struct identity_mapping {
  std::string key;
  std::vector<mapped_variant> stores;
};

enum class match_problem_kind {
  duplicate,              // the identifier twice (or more) in one store: not synced anywhere
  missing_in_destination, // in the Source, not in this Destination
  missing_in_source,      // in this Destination, not in the Source: not synced
  empty_identifier,       // the variant has no SKU / barcode / handle: not synced
  deleted,                // deleted in this store (products/delete, inventory_items/delete): unmapped there
};
const char* to_string(match_problem_kind);

struct match_problem {
  match_problem_kind kind = match_problem_kind::duplicate;
  std::string key; // empty for empty_identifier
  store_name store;
  std::vector<variant_id> variants; // the variants concerned in that store, ascending
};

// An identity whose Source product the group's filter excludes is not synced and not a
// problem: its key is listed in `excluded` (by key), nothing else is said of it.
struct catalog_match {
  std::vector<identity_mapping> identities; // by key
  std::vector<match_problem> problems;      // by kind, key, then store in group order
  std::vector<std::string> excluded;        // by key
  std::vector<std::uint8_t> tag_bits;       // per identity: its Source product's allocation tags
};

// Rows of stores outside the group are ignored; the same (store, variant) listed twice
// (overlapping pages) counts once, the last row winning.
catalog_match match_catalog(match_key, const store_name& source,
                            const std::vector<store_name>& destinations,
                            const std::vector<catalog_variant>& rows,
                            const identifier_normalisation& = {});

// The same matching on keyed rows (store index 0 the Source, 1.. the Destinations), with the
// identities in a compact table: what the catalog actor uses at a million variants.
struct keyed_match {
  identity_table identities; // by key
  std::vector<match_problem> problems;
  std::vector<std::string> excluded;  // by key
  std::vector<std::uint8_t> tag_bits; // per identity; empty when every one is 0
};
keyed_match match_keyed(const store_name& source, const std::vector<store_name>& destinations,
                        const keyed_catalog& rows);

// ---- locations

struct location_info {
  location_id id = 0;
  std::string name;
};

struct store_locations {
  store_name store;
  std::vector<location_info> locations;
};

// One mapped location: the Source's, and its counterpart in each Destination (index = the
// Destination's index in the group; nullopt when that Destination has none).
struct location_slot {
  std::string name; // the Source location's name
  location_id source = 0;
  std::vector<std::optional<location_id>> destinations;
  // Location sums: adds[d] lists the other slots (indexes in location_mapping::slots) whose
  // Source quantity is added to this slot's for Destination d's location here. Empty, or one
  // list per Destination. A slot only summed into another may have no Destination of its own.
  std::vector<std::vector<std::uint32_t>> adds;

  // The location in the group's store `store_index` (0 = the Source, i = Destination i - 1).
  std::optional<location_id> in_store(std::size_t store_index) const {
    if (store_index == 0)
      return source;
    return store_index - 1 < destinations.size() ? destinations[store_index - 1] : std::nullopt;
  }
};

enum class location_problem_kind {
  // configuration errors (error = true)
  unknown_store,                // a pair names a store that is not a Destination of the group
  unknown_source_location,      // a pair names a Source location that does not exist
  unknown_destination_location, // a pair names a Destination location that does not exist
  ambiguous_name,               // a name a pair (or by-name matching) needs is not unique
  conflicting_pair,             // two pairs map one location twice
  // one side only (error = false): reported, not synced
  unmapped_source_location,      // no counterpart in this Destination
  unmapped_destination_location, // no Source location maps to it
};
const char* to_string(location_problem_kind);

struct location_problem {
  location_problem_kind kind = location_problem_kind::unknown_store;
  bool error = false;
  store_name store;
  std::string name;
};

struct location_mapping {
  std::vector<location_slot> slots; // by Source location name, then id
  std::vector<location_problem> problems;
  bool has_errors() const;
};

// Explicit pairs first, then the sums; then, when by_name, every Source location neither
// paired nor summed in a store is matched with that store's location of exactly the same name.
// A sum's Destination location is put in the slot of its first Source location (by slot
// order), whose `adds` names the other summed slots.
location_mapping map_locations(const store_locations& source,
                               const std::vector<store_locations>& destinations, bool by_name,
                               const std::vector<location_pair>& pairs,
                               const std::vector<location_sum>& sums = {});

// The state machine's layout for one identity: its stores and the slots where they take part.
// `destinations` is the group's Destination order (as given to match_catalog/map_locations).
// `rules`: per Destination (group order) its buffer and share; empty: none. A slot whose
// Source location is summed into another slot that the identity uses is kept, even with no
// Destination of its own.
item_layout make_item_layout(const identity_mapping&, const location_mapping&,
                             const std::vector<store_name>& destinations, sync_mode,
                             const std::vector<stock_rule>& rules = {});

} // namespace shopsync
