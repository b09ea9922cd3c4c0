#pragma once
// What each store must give shopsync, derived from the sync groups it belongs to: the webhook
// topics it must deliver and the access scopes its token must carry, each with the feature that
// needs it (so a missing one is reported as "store X lacks scope Y, needed for Z"). Pure.
//
// Topics, by role and strategy (see actors/router.cpp and actors/order_path.cpp for who reads
// what):
//   every store .................. app/uninstalled, app/scopes_update
//   every store of any group ..... inventory_levels/update|connect|disconnect,
//                                  inventory_items/update|delete, products/create|update|delete
//   Destination of an order group  orders/create
//   Destination of a draft_order   orders/create, draft_orders/create|update
// Scopes: inventory (every group store) read_products, read_locations, read_inventory,
// write_inventory; order and draft_order groups read_orders, write_orders, read_draft_orders,
// write_draft_orders (Source: to create and find them; Destination: for the order topics);
// plus every scope a wanted topic needs.
#include "domain/config.hpp"

#include <optional>
#include <string>
#include <vector>

namespace shopsync {

struct topic_need {
  std::string topic;   // Shopify's webhook topic, "inventory_levels/update"
  std::string feature; // why: "inventory sync (group main)"
  bool operator==(const topic_need& o) const { return topic == o.topic && feature == o.feature; }
};

struct scope_need {
  std::string scope;   // "read_inventory"
  std::string feature; // the first feature that needs it, for the message
  bool operator==(const scope_need& o) const { return scope == o.scope && feature == o.feature; }
};

// The topics `store` needs, each once (the first feature that needs it), in a stable order:
// app topics first, then inventory and catalog, then orders. Empty for an unknown store.
std::vector<topic_need> topics_needed(const config& cfg, const std::string& store);

// The scopes `store` needs, each once, in a stable order.
std::vector<scope_need> scopes_needed(const config& cfg, const std::string& store);

// The needs not in `granted` (handles as currentAppInstallation.accessScopes lists them). A
// write scope implies its read scope, as Shopify grants it.
std::vector<scope_need> missing_scopes(const std::vector<scope_need>& needed,
                                       const std::vector<std::string>& granted);

// The scope Shopify requires to subscribe to `topic` (empty: none, e.g. app/uninstalled).
// inventory_items/* accepts read_products too (Shopify relaxed it in 2025); read_inventory is
// what shopsync asks for anyway.
std::string scope_for_topic(const std::string& topic);

// "inventory_levels/update" <-> "INVENTORY_LEVELS_UPDATE" (the WebhookSubscriptionTopic enum).
std::string topic_enum(const std::string& topic);
// The reverse, for the topics shopsync knows; nullopt for any other enum value.
std::optional<std::string> topic_from_enum(const std::string& value);

// One line a merchant can act on: "store dest-a lacks the access scope write_inventory (needed
// for inventory sync (group main)): add it to the app's scopes and approve it in the store".
std::string missing_scope_message(const std::string& store, const scope_need& missing);

} // namespace shopsync
