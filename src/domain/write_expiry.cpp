#include "domain/write_expiry.hpp"

namespace shopsync {

const char* to_string(resend_decision d) {
  switch (d) {
    case resend_decision::resend_same_key: return "resend_same_key";
    case resend_decision::settle_by_reading: return "settle_by_reading";
  }
  return "?";
}

resend_decision decide_resend(std::int64_t first_sent_unix, std::int64_t now_unix,
                              std::chrono::seconds max_age) {
  if (first_sent_unix <= 0) return resend_decision::settle_by_reading;
  // A clock stepped back makes the write look younger than it is; that is the clock's error,
  // not a reason to refuse every resend.
  if (now_unix - first_sent_unix > max_age.count()) return resend_decision::settle_by_reading;
  return resend_decision::resend_same_key;
}

} // namespace shopsync
