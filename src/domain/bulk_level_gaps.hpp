#pragma once
// What a store's bulk level file says by what it leaves out. The file (one BulkLevels
// operation, read whole) lists every level Shopify has for the store's items. So:
//   - a mapped level it does not list, at a location it lists, is not stocked there: the
//     reconciler feeds it in as such, which makes the item read it;
//   - a location it lists no level at may be one the file cannot speak for: its mapped levels
//     are read by query instead.
// Pure: the reconciler (actors/reconciler.cpp) collects `seen` and `listed` from the file and
// sends what this says.
#include "domain/identity_table.hpp"
#include "domain/matcher.hpp"

#include <cstddef>
#include <set>
#include <vector>

namespace shopsync {

struct bulk_level_gaps {
  struct level {
    std::size_t identity = 0; // index in the identity table
    std::size_t slot = 0;     // index in the location slots
  };
  std::vector<std::size_t> by_query; // slots with a location of the store the file lists no level at
  std::vector<level> not_stocked;    // slot by slot, identities in table order
};

// Store `store` (index in the table's stores) of a group with `identities` and location
// `slots`. `seen[i * slots.size() + k]`: the file listed identity i's level at slot k;
// `listed`: the locations the file listed a level at. Slots without a location in the store,
// and identities the store does not have, are left out.
bulk_level_gaps find_bulk_level_gaps(const identity_table& identities, const std::vector<location_slot>& slots,
                                     std::size_t store, const std::vector<bool>& seen,
                                     const std::set<location_id>& listed);

} // namespace shopsync
