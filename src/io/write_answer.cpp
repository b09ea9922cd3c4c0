#include "io/write_answer.hpp"

namespace shopsync {

failure_kind classify_write_failure(const error& e) {
  // shopsync's own failures by kind; Shopify's codes (strings) below.
  if (is_admin_failure(e.kind)) return failure_kind::transient;
  if (e.kind == error_kind::key_expired) return failure_kind::expired;
  const std::string& code = e.code;
  if (code == "CHANGE_FROM_QUANTITY_STALE") return failure_kind::stale;
  if (code == "THROTTLED" || code == "IDEMPOTENCY_CONCURRENT_REQUEST" ||
      code == "INTERNAL_SERVER_ERROR" || code == "TIMEOUT")
    return failure_kind::transient;
  if (code == "ADJUST_QUANTITIES_FAILED" || code == "SERVICE_UNAVAILABLE" ||
      code == "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED")
    return failure_kind::not_applied;
  return failure_kind::permanent;
}

} // namespace shopsync
