#pragma once
// Idempotency keys for @idempotent mutations: name-based UUIDv5 (SHA-1), so the same intent
// gives the same key in every process, and a restarted daemon retrying from the RocksDB outbox
// sends the key Shopify saw before.
#include "domain/ids.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace shopsync {

using uuid_bytes = std::array<std::uint8_t, 16>;

// RFC 4122 UUIDv5 of `name` in namespace `ns`, lower-case 8-4-4-4-12 text.
std::string uuid_v5(const uuid_bytes& ns, std::string_view name);

// shopsync's namespace (the UUIDv5 of "https://shopsync/idempotency" in the URL namespace).
const uuid_bytes& shopsync_namespace();

// Key of one intent: store, item, location, intent (op) id.
std::string intent_idempotency_key(std::string_view store, inventory_item_id item,
                                   location_id location, std::uint64_t op_id);

// Key of a batched mutation: it covers the whole batch, so it derives from the batch id that is
// persisted with the batch's exact variables (see store_link's outbox records).
std::string batch_idempotency_key(std::string_view store, std::uint64_t batch_id);

} // namespace shopsync
