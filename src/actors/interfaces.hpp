#pragma once
// Every actor interface of shopsyncd, declared in one place, with the message types that
// cross actor boundaries. Actors are thin shells around src/domain state machines.
#include "domain/config.hpp"
#include "domain/events.hpp"
#include "domain/result.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <variant>

// Messages never leave this process, so domain types travel without serializers.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::webhook_envelope)

namespace shopsync {

// --- order sync (issue 8)

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
};

} // namespace shopsync

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::graphql_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::graphql_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::order_event)

namespace shopsync {

// --- atoms (CAF 0.17: at most 10 characters)
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using control_atom = caf::atom_constant<caf::atom("control")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using execute_atom = caf::atom_constant<caf::atom("execute")>;     // generic GraphQL call
using order_timer_atom = caf::atom_constant<caf::atom("ord_timer")>; // order retry timer fired
using order_retry_atom = caf::atom_constant<caf::atom("ord_retry")>; // shopsyncctl retry

// Answers the control socket: (command, JSON args) -> one reply line (control_ok/control_error).
using control_actor =
  caf::typed_actor<caf::replies_to<control_atom, std::string, std::string>::with<std::string>>;

// Owns every other actor; its handle is stable while children are restarted, so the
// control socket talks to it and it delegates.
using supervisor_actor = control_actor::extend<caf::reacts_to<shutdown_atom>>;

// What the order actor needs of a store: run one GraphQL document. The Source's store_link
// implements it (a store_link interface that extends this one converts to it implicitly).
using graphql_executor_actor =
  caf::typed_actor<caf::replies_to<execute_atom, graphql_request>::with<graphql_answer>>;

// One per in-flight Destination order or draft order (key: destination store, kind, id); holds
// the domain order_sync and quits when the order is at rest (created, needs_attention, ...).
// - order_event: a webhook for this document (duplicates are harmless);
// - order_timer_atom, seq: its own retry timer (delayed_send);
// - order_retry_atom: shopsyncctl retry; replies with the order's state after the input
//   ("needs_attention" unchanged means the retry did not apply).
using order_actor = caf::typed_actor<caf::reacts_to<order_event>,
                                     caf::reacts_to<order_timer_atom, std::uint64_t>,
                                     caf::replies_to<order_retry_atom>::with<std::string>>;

} // namespace shopsync
