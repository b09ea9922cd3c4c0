#pragma once
// The item actor: one per mapped identity of a sync group. It holds the identity's
// inventory_item_state, persists every transition (state, audit, inbox mark) in one batch
// BEFORE it sends the transition's commands to the store links, and feeds their answers
// back. The state is its own outbox: after a restart, restart() re-sends what was in flight
// with the same op ids and idempotency keys.
#include "actors/interfaces.hpp"
#include "actors/sync_context.hpp"

#include <optional>
#include <random>
#include <string>

namespace shopsync {

struct item_holder {
  const sync_context* ctx = nullptr;
  std::string group;
  std::string key; // levels column key
  std::optional<inventory_item_state> sm;
  std::minstd_rand jitter{std::random_device{}()};
  static inline const char* name = "item";
};

// Loads the identity's state (or creates it from `layout` and aligns it) and serves it.
item_actor::behavior_type item(item_actor::stateful_pointer<item_holder> self, const sync_context* ctx,
                               std::string group, item_layout layout);

// The levels column key of an identity.
std::string item_state_key(const std::string& group, const std::string& identity);

} // namespace shopsync
