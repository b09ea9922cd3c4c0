#pragma once
// The control side of order sync, rendered from the persisted states (column `orders`) so it
// answers even for orders whose actor has quit. The control actor wires these to
//   shopsyncctl orders [--state S] [--attention]   → orders_json
//   shopsyncctl order [store] <#name | id>          → resolve_order_ref, order_detail_json
//   shopsyncctl retry [store] <#name | id>          → resolve_order_ref, then order_retry_atom to
//                                                     the order's actor (spawn it if none runs)
#include "actors/order_actor.hpp"
#include "io/state_store.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace shopsync {

struct order_list_filter {
  std::optional<order_phase> state; // --state S (parse_order_phase)
  bool attention = false;           // --attention: needs_attention, or created with unmapped lines
};

// {"orders":[{group, store, kind, id, order (its name, "#1001"), state, target, source_id, attempts, last_error,
//   reason, attention, received_at ("2026-12-04T18:55:00Z"),
//   unmapped:[{line_id, variant_id, sku, title, quantity, reason}], found_by: "webhook" | "reconcile"}],
//   "count":n}
result<std::string> orders_json(const state_store&, const order_list_filter&);

// One order (or draft order) of a Destination store by its id: the summary above plus the
// origin tag and marker, and its audit trail (oldest first, at most `audit_limit` newest).
// Error "order.not_found" when no group has it.
result<std::string> order_detail_json(const state_store&, const audit_log* audit,
                                      std::string_view store, shopify_id id,
                                      std::size_t audit_limit = 100);

// The control socket's commands, args as the JSON object the client sent:
//   "orders" {"state": "needs_attention", "attention": true}  (both optional) → orders_json
//   "order"  {"store": "dest-a", "id": 5812345678901}          (id: number or digit string)
// Errors: "bad_request" (args), "order.not_found", "unknown_command".
result<std::string> order_control_query(std::string_view cmd, std::string_view args_json,
                                        const state_store&, const audit_log* audit);

// {"store", "id"} of `order` and `retry`. For retry the control actor then does
//   path.actor_for(store, id) and request(actor, order_retry_atom) → the state it ends in.
result<std::pair<std::string, shopify_id>> parse_order_ref(std::string_view args_json);

// The order the operator names in `order` and `retry`: args {"order": "#1001" | "1001" | id,
// "store": optional} (or the {"store", "id"} of parse_order_ref). By its name first ("1001" is
// "#1001"; in the given store, else in any Destination), then by its id. → (store, id).
// Errors: "bad_request"; "order.not_found" (naming what was looked for); "order.ambiguous"
// (the name is an order of several stores: they are named, pick one with "store").
result<std::pair<std::string, shopify_id>> resolve_order_ref(const state_store&, std::string_view args_json);

// The persisted key of a Destination order or draft order (either kind, any group).
result<order_key> find_order_key(const state_store&, std::string_view store, shopify_id id);

} // namespace shopsync
