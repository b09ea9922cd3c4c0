#pragma once
// When an unanswered write may be sent again under its idempotency key.
//
// Shopify keeps an @idempotent key for a window it does not publish. Within it, the same
// request with the same key is answered with the first result and applies nothing; after it, the
// same request is a new one and applies again. So a write whose answer never came (a lost
// answer, a crash with the batch in the outbox) may be resent under its key only while the key
// is surely still kept: `max_age` (daemon.idempotency_key_max_age_s, default 1 h) after its
// first send. Older, it is settled by reading the level (failure_kind::expired), never resent.
// Pure: the holder passes the times in (unix seconds).
#include "domain/error_kind.hpp"

#include <chrono>
#include <cstdint>

namespace shopsync {

inline constexpr std::chrono::seconds default_idempotency_key_max_age{3600};

// The store link's code for a write it will not send again because its key may have expired:
// failure_kind::expired, settled by reading.
inline constexpr const char* write_expired_code = "shopsync.key_expired";
static_assert(code_of(error_kind::key_expired) == write_expired_code); // logic branches on the kind

enum class resend_decision : std::uint8_t {
  resend_same_key,   // the key still protects the resend: send the same request again
  settle_by_reading, // the key may be gone: never send it again; read the level instead
};
const char* to_string(resend_decision);

// `first_sent_unix`: when the write was first sent (0: unknown, e.g. a record written before
// the time was kept: treated as too old, since reading is always safe and resending is not).
resend_decision decide_resend(std::int64_t first_sent_unix, std::int64_t now_unix,
                              std::chrono::seconds max_age);

} // namespace shopsync
