#pragma once
// How a store link's failed answer is read, by the item actor that asked and by the link when
// it decides which outcomes it may remember for an op: io/write_answer.hpp classifies it.
#include "domain/inventory_item_state.hpp"
#include "domain/result.hpp"
#include "io/write_answer.hpp"

namespace shopsync {

// The link's code for a write that was applied but whose answer did not report the level after
// it. Not a failure: asking again is answered from the same record, so the requester takes the
// write as applied (inventory_item_state::write_applied_unseen) instead of retrying it.
inline constexpr const char* write_applied_unseen_code = "admin.no_change_reported";

// The link's code for an adjust whose deltas cancelled out (nothing sent) at a level its read
// found not stocked: not applied; the requester re-reads, and the read tells it so.
inline constexpr const char* level_not_stocked_code = "shopsync.not_stocked";

inline failure_kind link_failure_kind(const error& e) {
  if (e.code == level_not_stocked_code)
    return failure_kind::stale;
  return classify_write_failure(e);
}

} // namespace shopsync
