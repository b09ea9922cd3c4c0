#pragma once
// What a failed inventory write's answer means, read into the failure_kind the item state
// machine acts on (it decides the retries; this file only knows Shopify's answer semantics).
// The codes are the 2026-10 InventorySetQuantitiesUserErrorCode /
// InventoryAdjustQuantitiesUserErrorCode enums (answered as userErrors), top-level
// errors[].extensions.code (strings), and the store link's own failures (by error_kind).
#include "domain/inventory_item_state.hpp"
#include "domain/result.hpp"
#include "domain/write_expiry.hpp"

namespace shopsync {

// - is_admin_failure(kind) (the link's and the client's own "admin.*": unavailable, throttled,
//   uncertain, ...):
//   transient, the outcome is unknown or nothing ran: the same request, same key, later.
// - THROTTLED, IDEMPOTENCY_CONCURRENT_REQUEST (the first attempt still runs),
//   INTERNAL_SERVER_ERROR, TIMEOUT: transient.
// - ADJUST_QUANTITIES_FAILED ("Try again"), SERVICE_UNAVAILABLE ("Try again later"),
//   IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED ("Retry with a new idempotency key"): not_applied.
//   Resending under the same key would only be answered IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED.
// - CHANGE_FROM_QUANTITY_STALE: stale.
// - error_kind::key_expired (write_expired_code): expired.
// - everything else (NON_MUTABLE_INVENTORY_ITEM, INVALID_QUANTITY_TOO_HIGH,
//   IDEMPOTENCY_KEY_PARAMETER_MISMATCH, unknown codes): permanent; it will not heal by itself.
failure_kind classify_write_failure(const error&);

} // namespace shopsync
