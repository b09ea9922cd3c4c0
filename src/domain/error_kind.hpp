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
  foreign = 0, // not one of shopsync's own kinds (a Shopify code, or one not typed yet)
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
  // The control socket's client (control_client, control_protocol): the daemon could not be asked.
  control_not_running,        // no daemon listens on the socket
  control_io,                 // the socket failed, or closed without an answer
  control_bad_path,           // the socket path is too long
  control_access_denied,      // the socket's permissions or the daemon's allow list refused us
  control_timeout,            // no answer in time
  control_bad_reply,          // an answer that is not the control protocol
  // Control requests the daemon refuses (their codes are also the control protocol's reply codes).
  bad_request,                // a request with missing or wrong arguments
  unknown_command,            // a command the daemon does not know
  not_found,                  // a kept-aside delivery that does not exist
  order_not_found,            // no order by that name or id
  order_ambiguous,            // an order name found in several stores
  order_group_gone,           // an order's group is no longer configured
  bad_log_level,              // a log level that is not one
  // Configuration and storage.
  config_invalid,             // a configuration that does not load or validate
  storage,                    // a RocksDB read or write failed
  storage_schema,             // a state store of another or unreadable schema version
  inbox_corrupt,              // an inbox entry that does not decode
  outbox_corrupt,             // a link outbox record that does not decode
  mapping_corrupt,            // a stored mapping that does not decode
  state_corrupt,              // an inventory item state that does not decode
  order_state_decode,         // a stored order state that does not decode
  order_reconcile_decode,     // a stored order reconcile cursor that does not decode
  backup_exists,              // the backup directory exists already
  backup_failed,              // a backup or restore step failed
  backup_invalid,             // not a shopsync backup, or one that does not open
  backup_not_live_data,       // a restore into a directory that is not the data dir
  backup_not_empty,           // a restore over data not moved aside
  backup_busy,                // a restore while the daemon holds the data dir
  // The daemon's own servers and probes.
  control_bind,               // the control socket cannot be bound
  control_in_use,             // another daemon answers on the control socket
  webhook_server_started,     // the webhook server was started twice
  webhook_server_address,     // a listen address that is not one
  webhook_server_listen,      // the webhook port cannot be listened on
  doctor_timeout,             // a doctor probe got no answer in time
  keeper_request_failed,      // the subscription keeper's request to a store link failed
  // Webhook deliveries kept aside (webhook_intake, webhook_parser).
  webhook_missing_topic,      // no X-Shopify-Topic
  webhook_missing_id,         // neither X-Shopify-Webhook-Id nor X-Shopify-Event-Id
  webhook_unknown_topic,      // a topic shopsync does not parse
  webhook_malformed,          // a body that is not JSON as Shopify sends it
  webhook_missing_field,      // a field shopsync needs is missing or null
  webhook_wrong_type,         // a field of another JSON type than Shopify sends
  // The authorization code grant (oauth_callback, oauth_client).
  auth_state,                 // a callback whose state is not one we issued
  auth_unknown_store,         // a callback for a shop no store is configured with
  auth_not_code_grant,        // a callback for a store that does not use the grant
  auth_unknown_app,           // a callback for an app not configured
  auth_random,                // no random bytes for the state
  auth_bad_response,          // a token endpoint answer shopsync cannot read
  // Shopify's answers as shopsync reads them (the codes inside stay Shopify's).
  shopify_error,              // a GraphQL error answer to a subscription call
  shopify_graphql_error,      // a top-level GraphQL error in an order call
  shopify_user_errors,        // userErrors in an answer
  shopify_app_uninstalled,    // the app was uninstalled from the store
  subscription_api_bad_response,// a subscription answer shopsync cannot read
  order_reconcile_bad_response,// an order listing shopsync cannot read
  bulk_download,              // a bulk operation's file could not be fetched or read
  bulk_failed,                // a bulk operation ended failed, canceled or expired
  bulk_refused,               // Shopify refused to start a bulk operation
  bulk_timeout,               // a bulk operation did not finish in time
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
    case error_kind::control_not_running: return "not_running";
    case error_kind::control_io: return "io";
    case error_kind::control_bad_path: return "bad_path";
    case error_kind::control_access_denied: return "access_denied";
    case error_kind::control_timeout: return "timeout";
    case error_kind::control_bad_reply: return "bad_reply";
    case error_kind::bad_request: return "bad_request";
    case error_kind::unknown_command: return "unknown_command";
    case error_kind::not_found: return "not_found";
    case error_kind::order_not_found: return "order.not_found";
    case error_kind::order_ambiguous: return "order.ambiguous";
    case error_kind::order_group_gone: return "order.group_gone";
    case error_kind::bad_log_level: return "bad_log_level";
    case error_kind::config_invalid: return "config.invalid";
    case error_kind::storage: return "storage";
    case error_kind::storage_schema: return "storage.schema";
    case error_kind::inbox_corrupt: return "inbox.corrupt";
    case error_kind::outbox_corrupt: return "outbox.corrupt";
    case error_kind::mapping_corrupt: return "mapping.corrupt";
    case error_kind::state_corrupt: return "state.corrupt";
    case error_kind::order_state_decode: return "order_state.decode";
    case error_kind::order_reconcile_decode: return "order_reconcile.decode";
    case error_kind::backup_exists: return "backup.exists";
    case error_kind::backup_failed: return "backup.failed";
    case error_kind::backup_invalid: return "backup.invalid";
    case error_kind::backup_not_live_data: return "backup.not_live_data";
    case error_kind::backup_not_empty: return "backup.not_empty";
    case error_kind::backup_busy: return "backup.busy";
    case error_kind::control_bind: return "control.bind";
    case error_kind::control_in_use: return "control.in_use";
    case error_kind::webhook_server_started: return "webhook_server.started";
    case error_kind::webhook_server_address: return "webhook_server.address";
    case error_kind::webhook_server_listen: return "webhook_server.listen";
    case error_kind::doctor_timeout: return "doctor.timeout";
    case error_kind::keeper_request_failed: return "keeper.request_failed";
    case error_kind::webhook_missing_topic: return "webhook.missing_topic";
    case error_kind::webhook_missing_id: return "webhook.missing_id";
    case error_kind::webhook_unknown_topic: return "webhook.unknown_topic";
    case error_kind::webhook_malformed: return "webhook.malformed";
    case error_kind::webhook_missing_field: return "webhook.missing_field";
    case error_kind::webhook_wrong_type: return "webhook.wrong_type";
    case error_kind::auth_state: return "auth.state";
    case error_kind::auth_unknown_store: return "auth.unknown_store";
    case error_kind::auth_not_code_grant: return "auth.not_code_grant";
    case error_kind::auth_unknown_app: return "auth.unknown_app";
    case error_kind::auth_random: return "auth.random";
    case error_kind::auth_bad_response: return "auth.bad_response";
    case error_kind::shopify_error: return "shopify.error";
    case error_kind::shopify_graphql_error: return "shopify.graphql_error";
    case error_kind::shopify_user_errors: return "shopify.user_errors";
    case error_kind::shopify_app_uninstalled: return "shopify.app_uninstalled";
    case error_kind::subscription_api_bad_response: return "subscription_api.bad_response";
    case error_kind::order_reconcile_bad_response: return "order_reconcile.bad_response";
    case error_kind::bulk_download: return "bulk.download";
    case error_kind::bulk_failed: return "bulk.failed";
    case error_kind::bulk_refused: return "bulk.refused";
    case error_kind::bulk_timeout: return "bulk.timeout";
  }
  return "";
}

inline constexpr error_kind last_error_kind = error_kind::bulk_timeout;

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
