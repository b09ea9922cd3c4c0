#include "domain/bulk_level_gaps.hpp"

namespace shopsync {

bulk_level_gaps find_bulk_level_gaps(const identity_table& identities, const std::vector<location_slot>& slots,
                                     std::size_t store, const std::vector<bool>& seen,
                                     const std::set<location_id>& listed) {
  bulk_level_gaps gaps;
  for (std::size_t k = 0; k < slots.size(); ++k) {
    auto loc = slots[k].in_store(store);
    if (!loc)
      continue;
    if (!listed.count(*loc)) {
      gaps.by_query.push_back(k);
      continue;
    }
    for (std::size_t i = 0; i < identities.size(); ++i)
      if (identities.has(i, store) && !seen[i * slots.size() + k])
        gaps.not_stocked.push_back({i, k});
  }
  return gaps;
}

} // namespace shopsync
