#pragma once
// How long finished order records stay in the state store. A skipped Destination order
// (financial status filtered out, created by shopsync itself, ...) is kept as a record so
// `shopsyncctl orders --state skipped` can say which orders did not sync and why; it is
// removed once it is older than the retention (the daemon uses the longer of the audit and
// the dedup retention, so its audit trail and its redeliveries' dedup go first). Records of
// synced orders are never removed here: they are what keeps an order from being created twice.
#include "domain/order_sync_state.hpp"
#include "domain/result.hpp"
#include "io/state_store.hpp"

#include <cstddef>

namespace shopsync {

// Removes skipped order records received before `cutoff`; returns how many it removed.
result<std::size_t> purge_skipped_orders(state_store&, order_time cutoff);

} // namespace shopsync
