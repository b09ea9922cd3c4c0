#pragma once
// What the Admin API answers about inventory, as plain values: a level (an item at a location),
// what a read of it found, and the outcome of one inventory mutation. io/admin_api.hpp parses
// the answers into them; the store link's protocol (store_link_protocol.hpp) acts on them and
// answers each requester's write or read with the replies at the end of this file.
#include "domain/ids.hpp"
#include "domain/result.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

namespace shopsync {

struct level_key {
  inventory_item_id item = 0;
  location_id location = 0;
  bool operator<(const level_key& o) const { return std::tie(item, location) < std::tie(o.item, o.location); }
  bool operator==(const level_key& o) const { return item == o.item && location == o.location; }
};

struct level_value {
  level_key key;
  std::optional<std::int64_t> available; // nullopt: the item is not stocked there
  bool active = true;                    // false: stocked, but the level is deactivated
  std::optional<std::int64_t> updated_at; // InventoryLevel.updatedAt (epoch s, UTC), when answered
};

// Result of one inventory mutation. Shopify applies a batch entirely or not at all: with any
// userError nothing changed. `entry_errors` are the errors whose field path names an entry
// (input.quantities.<i>...); `batch_error` is one that names none (e.g.
// IDEMPOTENCY_KEY_PARAMETER_MISMATCH).
struct write_outcome {
  bool applied = false;
  std::vector<std::optional<std::int64_t>> quantity_after; // per entry, when applied
  std::vector<std::pair<std::size_t, error>> entry_errors;
  std::optional<error> batch_error;
  std::optional<std::int64_t> created_at; // the InventoryAdjustmentGroup's createdAt (epoch s, UTC)
};

// What became of one requester's write, as the store link answers it.
enum class write_verdict : std::uint8_t {
  applied,        // applied; the level after it is known (quantityAfterChange)
  applied_unseen, // applied, but the answer did not report the level after it: not retried
  refused,        // not applied, Shopify's answer says so (the error says why)
  unknown,        // maybe applied (a lost answer, a transient refusal, a key that may have
                  // expired): the error says what to do (ask again, or read the level)
};

inline const char* to_string(write_verdict v) {
  switch (v) {
    case write_verdict::applied: return "applied";
    case write_verdict::applied_unseen: return "applied_unseen";
    case write_verdict::refused: return "refused";
    case write_verdict::unknown: return "unknown";
  }
  return "unknown";
}

// The answer to one inventory write intent (write_intent, from domain/write_coalescer.hpp).
// applied: `quantity_after` is Shopify's quantityAfterChange for the (item, location) after the
// batch that carried this op. applied_unseen: applied, the level after it not reported.
// refused: `err.code` is a Shopify userError code (CHANGE_FROM_QUANTITY_STALE,
// ITEM_NOT_STOCKED_AT_LOCATION, NON_MUTABLE_INVENTORY_ITEM, IDEMPOTENCY_KEY_PARAMETER_MISMATCH,
// ...: the write was not applied). unknown: e.g. "admin.unavailable" / "admin.throttled": the
// batch stays in the outbox; ask again with the SAME op id to learn it (the same key is sent
// again), never with a new op id.
struct inventory_write_reply {
  std::uint64_t op_id = 0;
  write_verdict outcome = write_verdict::unknown;
  bool applied() const { return outcome == write_verdict::applied; }
  std::int64_t quantity_after = 0;
  error err;
  std::optional<shopify_time> created_at; // applied: the adjustment group's createdAt, when known
};

// A level read. ok && !stocked: the item is not stocked at that location, or (inactive) its
// level there is deactivated; either way nothing is written there unless the group says so.
struct level_read_reply {
  level_key key;
  bool ok = false;
  bool stocked = false;
  bool inactive = false;
  std::int64_t available = 0;
  error err;
  std::optional<shopify_time> updated_at; // InventoryLevel.updatedAt, when answered
};

} // namespace shopsync
