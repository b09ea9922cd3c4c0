#pragma once
// The order sync's side of the Admin API: each request of domain/order_requests.hpp becomes
// the variables of its GraphQL document (graphql_documents.hpp), and each answer becomes a
// typed result. No transport here: the store_link sends the call and hands back the body.
//
// Answers and errors:
// - top-level `errors` → error{extensions.code (e.g. "THROTTLED"), message}
// - `data` null or missing, or the mutation field null → error "shopify.no_data"
// - userErrors → error "shopify.user_errors" (the typed list is kept in mutation_answer)
// - JSON that is not a GraphQL answer → error "order_api.bad_response"
// classify_order_failure() turns any of these (and the admin client's own codes) into the
// state machine's order_failure_kind.
#include "domain/ids.hpp"
#include "domain/order_requests.hpp"
#include "domain/order_sync_state.hpp"
#include "domain/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

// One ready-to-send GraphQL call.
struct order_api_call {
  std::string operation; // operationName (the simulator dispatches on it)
  std::string document;
  std::string variables_json;
  bool mutation = false; // an unanswered mutation may have been applied (none is @idempotent)
};

// --- variables (omission rule of order_requests.hpp: empty strings/optionals/vectors left out)
std::string order_create_variables(const order_create_request&);
std::string draft_order_create_variables(const draft_order_request&);
std::string draft_order_update_variables(shopify_id source_draft, const draft_order_request&);
std::string draft_order_invoice_send_variables(shopify_id source_draft);
// {"query": "tag:'<tag>'"}; quotes and backslashes in the tag are escaped for the search syntax.
std::string origin_lookup_variables(std::string_view tag);
std::string origin_search_query(std::string_view tag);

// --- calls for the state machine's commands (schedule_retry is a timer, not a call)
order_api_call make_call(const order_cmd::create_order&);
order_api_call make_call(const order_cmd::create_draft&);
order_api_call make_call(const order_cmd::update_draft&);
order_api_call make_call(const order_cmd::send_invoice&);
order_api_call make_call(const order_cmd::lookup_origin&);

// --- answers
struct api_user_error {
  std::vector<std::string> field; // path into the input, e.g. ["lineItems", "0", "variantId"]
  std::string message;
  std::string code; // empty for draft order mutations (their UserError has no code)
};

struct created_document {
  shopify_id id = 0;
  std::string name;   // "#1001", "#D5"
  std::string status; // draft orders: OPEN | INVOICE_SENT | COMPLETED
  std::vector<std::string> tags;
  std::string source_identifier; // orders only
};

// The mutation field of an answer with data: the document (may be null) and the userErrors.
struct mutation_answer {
  std::optional<created_document> document;
  std::vector<api_user_error> user_errors;
};

// Parses orderCreate / draftOrderCreate / draftOrderUpdate / draftOrderInvoiceSend answers
// (field: "orderCreate", ...; the document key is "order" or "draftOrder").
result<mutation_answer> parse_mutation_answer(std::string_view body, std::string_view field,
                                              std::string_view document_key);
// The created/updated document, or the userErrors as error "shopify.user_errors"
// ("lineItems.0.variantId: Variant not found (INVALID); ...").
result<created_document> require_document(const mutation_answer&);

result<created_document> parse_order_create(std::string_view body);
result<created_document> parse_draft_order_create(std::string_view body);
result<created_document> parse_draft_order_update(std::string_view body);
result<created_document> parse_draft_order_invoice_send(std::string_view body);

// OrdersByOrigin / DraftOrdersByOrigin: the oldest (smallest id) node that carries `tag`
// (exactly; Shopify's search also matches prefixes) and, when the node has a
// sourceIdentifier and `marker` is not empty, whose sourceIdentifier equals the marker.
result<std::optional<shopify_id>> parse_origin_lookup(std::string_view body,
                                                      order_doc_kind target,
                                                      std::string_view tag,
                                                      std::string_view marker);

// How the state machine must treat a failed call. `mutation`: the call may change the Source.
//   THROTTLED, admin.throttled, admin.unavailable (5xx/connection, attempts exhausted, nothing
//   applied per the client's contract), admin.timeout_before_send → transient;
//   admin.uncertain, a timeout after sending, INTERNAL_SERVER_ERROR / shopify.no_data /
//   bad responses of a mutation → uncertain (of a query: transient);
//   userErrors, ACCESS_DENIED, MAX_COST_EXCEEDED, admin.http (4xx), anything else → permanent.
order_failure_kind classify_order_failure(const error&, bool mutation);

} // namespace shopsync
