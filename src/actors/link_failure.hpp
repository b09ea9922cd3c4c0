#pragma once
// How a store link's failed answer is read, by the item actor that asked and by the link when
// it decides which outcomes it may remember for an op. The link's own codes ("admin.*":
// unavailable, throttled, uncertain, an HTTP refusal, ...) mean the outcome is not known or the
// request was refused for now: the same op (same key) is asked again. Shopify's codes are
// classified by the domain.
#include "domain/inventory_item_state.hpp"
#include "domain/result.hpp"

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
  if (e.code.rfind("admin.", 0) == 0)
    return failure_kind::transient;
  return classify_inventory_error(e.code);
}

} // namespace shopsync
