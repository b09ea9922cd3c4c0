#pragma once
// The messages that cross actor boundaries, and the permission to send them within this process
// (the interfaces that carry them: actors/interfaces.hpp).
#include "actors/interfaces.hpp"
#include "domain/config.hpp"
#include "domain/events.hpp"
#include "domain/group_mapping.hpp"
#include "domain/inventory_answers.hpp"
#include "domain/inventory_item_state.hpp"
#include "domain/result.hpp"
#include "domain/write_coalescer.hpp"
#include "actors/daemon_health.hpp"
#include "actors/store_link_status.hpp"
#include "io/admin_api.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace shopsync {

// --- messages between actors

// An inventory_levels/update, routed to the item actor of its identity. `remaining` counts
// the item actors this delivery went to: the one that brings it to zero marks the inbox
// entry applied in its own batch (so the entry leaves the inbox only once every effect is
// recorded; a replay after a crash just repeats hints, which are idempotent).
struct level_hint {
  std::uint64_t inbox_seq = 0; // 0: not from the inbox (reconciler)
  store_name store;
  location_id location = 0;
  std::optional<std::int64_t> available;
  std::shared_ptr<std::atomic<int>> remaining;
  // inventory_levels/connect (the item is now stocked there) or /disconnect (no longer).
  enum class stocking_change : std::uint8_t { none, connected, disconnected };
  stocking_change change = stocking_change::none;
  // When the router had it (shopsync_sync_lag_seconds starts here).
  std::chrono::steady_clock::time_point received{};
  // The payload's updated_at (seconds since the epoch, UTC), or a reconcile read's updatedAt; nullopt: unknown.
  std::optional<shopify_time> updated_at;
};

// A level a group's reconciler read, for the item actor of (group, identity) only: a hint like a
// webhook's (the state machine drops what it knows and re-reads what differs), never a truth.
// `item` is the inventory item read: a hint for an item the identity no longer has in that
// store (the mapping changed during the round) is dropped.
struct reconcile_hint {
  std::string group;
  std::string identity;
  store_name store;
  inventory_item_id item = 0;
  location_id location = 0;
  bool stocked = true;    // false: not stocked there (or deactivated), as inventory_levels/disconnect says
  std::int64_t available = 0; // when stocked
  // The level's InventoryLevel.updatedAt in the read (by query or in the bulk file); nullopt:
  // not answered. Given to the item as a webhook's updated_at is (level_hint::updated_at).
  std::optional<shopify_time> updated_at;
};

} // namespace shopsync

// Messages never leave this process, so domain types travel without serializers.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::webhook_envelope)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::level_hint)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::item_layout)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::group_mapping_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::reconcile_hint)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::config_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::daemon_health)

namespace shopsync {

// --- order sync

// One GraphQL call on a store's Admin API, for a store_link's generic execute. `mutation`: an
// unanswered attempt may have been applied (orderCreate is not @idempotent), so the link must
// report such a failure as "admin.uncertain" and never retry it blindly.
struct graphql_request {
  std::string operation; // operationName
  std::string document;
  std::string variables_json;
  bool mutation = false;
};

// Its answer. ok: `body` is the response JSON with `data` ({"data": {...}}; when the link only
// has the data object it wraps it so). !ok: `err` uses admin_client's codes ("admin.uncertain",
// "admin.unavailable", "admin.throttled", "admin.http", ...) or a top-level errors[].extensions.code.
struct graphql_answer {
  bool ok = false;
  std::string body;
  error err;
};

// The message the router sends an order actor: a Destination's orders/create or
// draft_orders/create|update, with the inbox sequence number of the delivery (0: none) so the
// actor marks it applied in the same batch as the state it leads to.
struct order_event {
  std::uint64_t inbox_seq = 0;
  std::variant<order_created, draft_order_changed> event;
  bool found_by_reconcile = false; // read by the order reconciler, not delivered by a webhook
};

} // namespace shopsync

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::graphql_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::graphql_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::order_event)

namespace shopsync {

struct catalog_page_request {
  int first = catalog_page_size;
  std::optional<std::string> after; // endCursor of the previous page
};

struct catalog_page_reply {
  bool ok = false;
  catalog_page page;
  error err;
};

struct locations_reply {
  bool ok = false;
  std::vector<location_row> locations;
  error err;
};

// A bulk operation through the store link (io/bulk_operation.hpp): `query` is one of the Bulk*
// documents; each line of its file goes to on_line, then on_end, both on an io thread, before
// the reply. One bulk operation per store runs at a time.
struct bulk_read_request {
  std::string query;
  std::function<void(std::string_view)> on_line;
  std::function<void()> on_end;
};

struct bulk_read_reply {
  bool ok = false;
  std::uint64_t lines = 0;
  error err;
};

} // namespace shopsync

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::write_intent)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::inventory_write_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::level_key)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::level_read_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::catalog_page_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::catalog_page_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::locations_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::store_link_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::bulk_read_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::bulk_read_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<shopsync::catalog_row>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<shopsync::level_value>)
