#pragma once
// The Admin GraphQL API over HTTP(S), one client per store: Boost.Beast on an io_context of
// its own threads (io_threads), a small keep-alive connection pool, connect and read timeouts,
// and the retry rules of ../shared/shopify/README.md:
// - THROTTLED (nothing ran): wait as the throttle model says, retry, for every kind of request;
// - HTTP 429: wait at least Retry-After, retry;
// - 5xx, connection errors and timeouts: exponential backoff with jitter, retried for queries
//   and idempotent mutations (same body, so the same idempotency key); for a non-idempotent
//   mutation (orderCreate) an error after the request was sent is reported as
//   "admin.uncertain" and never retried blindly;
// - bounded attempts, then a typed error.
// The callback runs on an io thread: bridge to actors with anon_send.
#include "domain/backoff.hpp"
#include "domain/result.hpp"
#include "domain/throttle_model.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace shopsync {

class token_source;
class metrics_registry;

struct admin_endpoint {
  std::string store;       // configured store name (logs)
  std::string shop_domain; // sent as Host, always; TLS name when base_url is empty
  std::string base_url;    // empty: https://{shop_domain}; "http://127.0.0.1:P" for the simulator
  std::string api_version = "2026-10";
  std::string access_token;
  // When set, the token of every attempt comes from here (and access_token is unused); a
  // 401/403 is told to it and the request sent once more with a fresh token.
  std::shared_ptr<token_source> tokens;
};

struct admin_client_options {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{30000};
  std::size_t pool_size = 2;                // connections kept per store
  std::chrono::milliseconds idle_timeout{30000}; // pooled connections idle longer are closed
  backoff_policy backoff{};
  std::function<double()> jitter;           // [0, 1); empty: a random generator
  // Where the store's shopsync_admin_* series go (labelled store="<endpoint.store>"); nullptr:
  // not exported. Must outlive the client.
  metrics_registry* metrics = nullptr;
  // A failure that repeats (same class) is logged at once, then at most once per interval with
  // how many came meanwhile (io/warn_limiter).
  std::chrono::milliseconds failure_log_interval{30'000};
};

enum class request_safety {
  query,          // reads: always safe to retry
  idempotent,     // @idempotent mutations: retried with the same key
  non_idempotent, // orderCreate and friends: an unanswered attempt is uncertain
};

struct graphql_call {
  std::string operation;            // operationName
  std::string query;                // the document
  std::string variables_json = "{}"; // serialized JSON object
  request_safety safety = request_safety::query;
  double estimated_cost = 10;       // for the throttle model before the first answer
};

struct graphql_reply {
  int http_status = 0;
  std::string body; // the whole response JSON (data, errors, extensions)
  std::optional<double> actual_cost;
  std::optional<throttle_status> throttle;
  int attempts = 0;
  std::optional<double> requested_cost; // extensions.cost.requestedQueryCost
};

// The code of a call that can never run on this store: Shopify answered THROTTLED with a
// requested cost above the bucket's maximumAvailable (the bucket never holds more). Nothing ran;
// a smaller request may (domain/request_size.hpp). Shopify's MAX_COST_EXCEEDED is the same for
// the single-query limit of 1,000 points.
inline constexpr const char* exceeds_bucket_code = "admin.exceeds_bucket";
static_assert(code_of(error_kind::admin_exceeds_bucket) == exceeds_bucket_code); // logic branches on the kind

struct admin_client_stats {
  std::uint64_t requests = 0;    // calls accepted
  std::uint64_t attempts = 0;    // HTTP requests sent
  std::uint64_t retries = 0;
  std::uint64_t throttled = 0;   // THROTTLED answers and 429s
  std::uint64_t errors = 0;      // calls that ended in an error
  std::uint64_t connections_opened = 0;
  double cost_spent = 0;         // sum of actualQueryCost
  std::string last_error;
  std::optional<throttle_status> bucket; // last throttleStatus
  std::optional<double> available;       // local estimate now
};

// Exported when admin_client_options::metrics is set, each labelled store="<name>":
//   shopsync_admin_requests_total               HTTP requests sent (every attempt)
//   shopsync_admin_errors_total{class}          failed attempts by class: unauthorized (401/403),
//                                               server_error (5xx), transport (connect, TLS, read,
//                                               timeout), http (other status), bad_response,
//                                               graphql (top-level errors), token (no token had)
//   shopsync_admin_throttled_total              THROTTLED answers and 429s (sent again later)
//   shopsync_admin_request_duration_seconds     request sent → answer read (histogram)
//   shopsync_admin_bucket_available_points      cost bucket: points left at the last answer
//   shopsync_admin_bucket_maximum_points        cost bucket: its size
// Failed attempts and failed calls are logged naming the store and the cause: warn for an
// attempt, error for a call that failed for good (warn when unauthorized: the store link says
// the rest), each class rate-limited (failure_log_interval).
//
// Error codes of a failed call (error.code): "admin.uncertain", "admin.unavailable" (5xx or
// connection errors, attempts exhausted), "admin.throttled" (attempts exhausted), "admin.http"
// (other HTTP status, e.g. 404), "admin.unauthorized" (401/403 that a fresh token did not cure,
// or no token to be had), "admin.bad_response", "admin.config", or a top-level GraphQL
// errors[].extensions.code such as "MAX_COST_EXCEEDED" or "ACCESS_DENIED", or
// exceeds_bucket_code (a request bigger than the whole bucket: not retried).
class admin_client : public std::enable_shared_from_this<admin_client> {
public:
  using callback = std::function<void(result<graphql_reply>)>;

  static std::shared_ptr<admin_client> make(boost::asio::io_context& ioc, admin_endpoint ep,
                                            admin_client_options opts = {});
  virtual ~admin_client() = default;

  // Sends the call (after waiting for the throttle model and a connection); `done` gets the
  // HTTP 200 reply with no top-level error, or a typed error. `delay` postpones the first
  // attempt.
  virtual void post(graphql_call call, callback done,
                    std::chrono::milliseconds delay = std::chrono::milliseconds::zero()) = 0;
  virtual admin_client_stats stats() const = 0;
  // Closes pooled connections; calls in progress finish or fail.
  virtual void close() = 0;
  virtual const admin_endpoint& endpoint() const noexcept = 0;
};

// The request body {"query", "variables", "operationName"} with correct escaping.
std::string graphql_body(const graphql_call& call);

} // namespace shopsync
