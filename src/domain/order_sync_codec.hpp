#pragma once
// How an order sync state is stored (order_sync::encode/decode, defined in order_sync_codec.cpp)
// and the fingerprint of a draft order request, both over one list of fields per struct
// (domain/field_codec.hpp, compact_format). Versions: "os2|" is written; "os1|" (before the
// order's content — shipping, taxes, discounts, requires_shipping — and the lookup window)
// still decodes, without them.
#include "domain/order_requests.hpp"

#include <cstdint>

namespace shopsync {

// FNV-1a 64 over the request's encoding, never 0 (0 means "unknown" in the state): the state
// keeps the fingerprint of what it sent, so these bytes are part of what is stored.
std::uint64_t request_fingerprint(const draft_order_request& r);

} // namespace shopsync
