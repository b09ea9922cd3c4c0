#pragma once
// The kinds of shopsync's own failures, typed so logic branches on them rather than on strings
// (in the spirit of tenzir's `ec`). Each kind has one stable code string, which `error::code`
// carries for logs, replies, persisted records and tests. Codes that come from Shopify
// (userErrors, errors[].extensions.code: "THROTTLED", ...) are not shopsync's: their kind is
// `foreign` and they stay strings.
#include <cstdint>
#include <string_view>

namespace shopsync {

enum class error_kind : std::uint8_t {
  foreign = 0, // not one of shopsync's own kinds (a Shopify code, or one nothing branches on)
  // The Admin API client's and the store link's own failures ("admin.*"): for an inventory
  // write, all of them leave the outcome to be asked about again (io/write_answer).
  admin_unavailable,          // 5xx or connection errors, attempts exhausted; token endpoint unreachable
  admin_throttled,            // throttled, attempts exhausted
  admin_uncertain,            // a non-idempotent call may or may not have been applied
  admin_http,                 // another HTTP status (e.g. 404)
  admin_unauthorized,         // 401/403 a fresh token did not cure, or no token to be had
  admin_bad_response,         // an answer shopsync cannot read
  admin_bad_request,          // a request shopsync refuses to send
  admin_too_many,             // more items than one request may carry
  admin_config,               // base_url malformed
  admin_exceeds_bucket,       // a request bigger than the store's whole cost bucket
  admin_graphql,              // a top-level GraphQL error without extensions.code
  admin_user_error,           // a userError without a code
  admin_unknown,              // a link answer without an outcome
  admin_no_change_reported,   // a write answered without quantityAfterChange
  admin_not_sent,             // named by order_api's contract
  admin_timeout,              // named by order_api's contract
  admin_timeout_before_send,  // named by order_api's contract
  // Others shopsync branches on.
  outbox_write_failed,        // a batch could not be saved, so was not sent
  not_stocked,                // the level is not stocked at the location
  key_expired,                // a write's idempotency key expired unanswered
  auth_refused,               // the token endpoint refused the credentials
  auth_unavailable,           // the token endpoint could not be reached or answered 5xx/429
  order_reconcile_gone,       // the order (or draft order) no longer exists
  order_actor_no_answer,      // the order actor's request to a store link got no answer
  order_api_bad_response,     // JSON that is not a GraphQL answer
  shopify_no_data,            // a GraphQL answer without the data asked for
};

// The stable code string of a kind ("" for foreign).
constexpr std::string_view code_of(error_kind k) {
  switch (k) {
    case error_kind::foreign: return "";
    case error_kind::admin_unavailable: return "admin.unavailable";
    case error_kind::admin_throttled: return "admin.throttled";
    case error_kind::admin_uncertain: return "admin.uncertain";
    case error_kind::admin_http: return "admin.http";
    case error_kind::admin_unauthorized: return "admin.unauthorized";
    case error_kind::admin_bad_response: return "admin.bad_response";
    case error_kind::admin_bad_request: return "admin.bad_request";
    case error_kind::admin_too_many: return "admin.too_many";
    case error_kind::admin_config: return "admin.config";
    case error_kind::admin_exceeds_bucket: return "admin.exceeds_bucket";
    case error_kind::admin_graphql: return "admin.graphql";
    case error_kind::admin_user_error: return "admin.user_error";
    case error_kind::admin_unknown: return "admin.unknown";
    case error_kind::admin_no_change_reported: return "admin.no_change_reported";
    case error_kind::admin_not_sent: return "admin.not_sent";
    case error_kind::admin_timeout: return "admin.timeout";
    case error_kind::admin_timeout_before_send: return "admin.timeout_before_send";
    case error_kind::outbox_write_failed: return "outbox.write_failed";
    case error_kind::not_stocked: return "shopsync.not_stocked";
    case error_kind::key_expired: return "shopsync.key_expired";
    case error_kind::auth_refused: return "auth.refused";
    case error_kind::auth_unavailable: return "auth.unavailable";
    case error_kind::order_reconcile_gone: return "order_reconcile.gone";
    case error_kind::order_actor_no_answer: return "order_actor.no_answer";
    case error_kind::order_api_bad_response: return "order_api.bad_response";
    case error_kind::shopify_no_data: return "shopify.no_data";
  }
  return "";
}

inline constexpr error_kind last_error_kind = error_kind::shopify_no_data;

// The kind a stored code names (foreign if none): only for reading records back (the outbox's
// remembered results), where the code is all that was kept.
constexpr error_kind error_kind_of_code(std::string_view code) {
  if (code.empty())
    return error_kind::foreign;
  for (auto i = std::uint8_t(error_kind::foreign) + 1; i <= std::uint8_t(last_error_kind); ++i)
    if (code_of(error_kind(i)) == code)
      return error_kind(i);
  return error_kind::foreign;
}

// The Admin API client's and the store link's own failures (the "admin.*" codes).
constexpr bool is_admin_failure(error_kind k) {
  return k >= error_kind::admin_unavailable && k <= error_kind::admin_timeout_before_send;
}

} // namespace shopsync
