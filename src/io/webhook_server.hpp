#pragma once
// The webhook intake: an HTTP/1.1 server (Boost.Beast, keep-alive, its own I/O threads)
// behind nginx.
//
//   POST /webhooks              topic from X-Shopify-Topic
//   POST /webhooks/<topic>      e.g. /webhooks/inventory_levels/update
//   GET  /healthz               200 "ok" when ready, 503 while starting or stopping; 200
//                               "degraded" and one line per problem (options.health_problems,
//                               e.g. a store unauthorized) while it serves webhooks but some
//                               of its work waits: a load balancer keeps sending webhooks,
//                               a monitor matches the body's first word.
//   GET  /healthz?strict=1      the same, but 503 when degraded (for monitors that only
//                               look at the status code)
//   GET  /metrics               Prometheus text format
//   GET  /auth/callback         the authorization code grant's redirect (options.oauth_callback)
//
// A webhook is checked in this order, each with its answer: body over the limit → 413
// (Content-Length is checked before the body is read); header over the limit → 431; slow
// header or body → connection closed; unknown or missing shop domain → 401; missing or
// wrong HMAC → 401 (the same answer: a caller learns nothing about which). A delivery that
// passed those is Shopify's and is never refused for its content: it is parsed, then
// deduplicated on X-Shopify-Event-Id (X-Shopify-Webhook-Id without one; already seen → 200,
// not processed again), written to the durable inbox and only then answered 200, after
// on_accepted(seq, envelope) ran. One whose content cannot be used (no topic, no id, an
// unknown topic, malformed JSON, a missing field or a wrong type) is kept aside in the inbox
// with the reason (inbox::list_unusable), counted in shopsync_webhooks_unusable_total{topic}, logged
// (rate-limited) and answered 200 as well. A storage failure → 503 so that Shopify retries.
// That decision, before storage, is decide_webhook_intake (webhook_intake.hpp), testable
// without sockets, as are the answers after storage (stored_outcome, answer_body) and the
// routes and health answer (webhook_routes.hpp); this file is the HTTP session around them.
#include "domain/config.hpp"
#include "domain/events.hpp"
#include "domain/result.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace shopsync {

class inbox;
class metrics_registry;

class webhook_server {
public:
  struct options {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080; // 0: an ephemeral port (tests), see port()
    int io_threads = 2;
    std::uint64_t max_body_bytes = 5 * 1024 * 1024;
    std::uint32_t max_header_bytes = 16 * 1024;
    // From the first byte of a request to the end of its header.
    std::chrono::milliseconds header_timeout{10'000};
    // Reading the body, once the header is in.
    std::chrono::milliseconds body_timeout{30'000};
    // Keep-alive wait for the next request: longer than nginx's upstream keepalive_timeout
    // (60 s by default), so that nginx, not us, closes idle connections and never sends a
    // POST on a connection we are closing.
    std::chrono::milliseconds idle_timeout{75'000};
    // After refusing a request whose body was not read: how long to drain it before
    // closing, so that the client reads our answer instead of a reset.
    std::chrono::milliseconds linger{1'000};
    // stop(): how long in-flight requests may take before the I/O threads are stopped.
    std::chrono::milliseconds stop_grace{5'000};
    std::vector<std::string> shop_domains; // X-Shopify-Shop-Domain values we serve
    std::vector<std::string> secrets;      // webhook signing secrets (rotation: all tried)
    // GET /auth/callback?<query>: answered through the reply function (any thread); unset: 404.
    std::function<void(std::string query, std::function<void(int status, std::string body)> reply)> oauth_callback;
    // What makes the daemon degraded now, one line each (empty: healthy); unset: never degraded.
    // Called on an I/O thread.
    std::function<std::vector<std::string>()> health_problems;
  };

  // Listen address, port, threads, body limit and secrets from the daemon config; the
  // shop domains of every configured store.
  static options options_from(const config& cfg);

  // Called on an I/O thread after the durable write and before the 200 goes out.
  using accepted_fn = std::function<void(std::uint64_t seq, webhook_envelope envelope)>;

  // The inbox and the registry must outlive the server.
  webhook_server(options opts, inbox& in, metrics_registry& metrics, accepted_fn on_accepted);
  ~webhook_server(); // stop()

  // Binds and starts the I/O threads; returns the bound port. Not ready until set_ready.
  result<std::uint16_t> start();
  // Stops accepting, closes idle connections, lets in-flight requests finish (up to
  // stop_grace), joins the I/O threads. Idempotent.
  void stop();
  void set_ready(bool ready);
  // SIGHUP: the signing secrets read again (rotation). Thread-safe; the requests being checked
  // finish with the secrets they started with.
  void set_secrets(std::vector<std::string> secrets);
  std::uint16_t port() const;

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

} // namespace shopsync
