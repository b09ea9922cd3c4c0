#pragma once
// What to do with one webhook delivery, decided from its headers and body alone: no socket,
// no storage, no clock. The HTTP session (webhook_server.cpp) reads the request, asks this,
// then refuses, or stores (inbox) and answers 200 — or 503 when storing fails, which only
// the session can know. The rules, in this order (webhook_server.hpp tells the answers):
//
//   1. a body over max_body_bytes                     → refuse 413 (the session's HTTP parser
//                                                       refuses it earlier, from Content-Length)
//   2. a shop domain not served, or none              → refuse 401 ┐ the same answer: a caller
//   3. no signature, or one no secret verifies        → refuse 401 ┘ learns nothing of which
//   4. signed, for a served shop: never refused for its content (a non-2xx makes Shopify retry,
//      then delete the subscription):
//      no topic, no webhook or event id, an unknown topic, a body the parser refuses
//                                                     → keep aside, with the reason
//      otherwise                                      → accept, with the parsed event
//
// The signature is checked for unknown shops too, so that the time to answer does not tell
// which shop domains are served either.
#include "domain/events.hpp"
#include "domain/result.hpp"
#include "io/inbox.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace shopsync {

class webhook_parser;

// The parts of a POST /webhooks[/<topic>] the decision reads.
struct webhook_request {
  std::string_view path_topic;  // <topic> of /webhooks/<topic>; empty for /webhooks
  std::string_view topic;       // X-Shopify-Topic (used when the path names none)
  std::string_view shop_domain; // X-Shopify-Shop-Domain, any case
  std::string_view hmac;        // X-Shopify-Hmac-Sha256
  std::string_view webhook_id;  // X-Shopify-Webhook-Id
  std::string_view event_id;    // X-Shopify-Event-Id
  std::string_view triggered_at;
  std::string_view api_version;
  std::string_view body;
};

struct webhook_intake_rules {
  std::uint64_t max_body_bytes = 5 * 1024 * 1024;
  const std::unordered_set<std::string>* shop_domains = nullptr; // lower case
  const std::vector<std::string>* secrets = nullptr;             // rotation: any may sign
};

enum class intake_action {
  accept,     // store; 200 (a duplicate too); hand the event on
  keep_aside, // store as unusable (delivery.unusable says why); 200
  refuse,     // store nothing; answer `status`
};

enum class intake_refusal { none, too_large, unknown_shop, bad_hmac };

struct intake_decision {
  intake_action action = intake_action::refuse;
  int status = 200;                          // refuse: 413 or 401; else 200 once stored
  intake_refusal refusal = intake_refusal::none;
  std::string topic_label;                   // metrics: a known topic, "other"; refusals "unverified"
  webhook_delivery delivery;                 // its headers (shop domain in lower case, also for a
                                             // refusal); body left empty: the caller moves it in
  webhook_event event;                       // accept: the parsed payload
};

const char* to_string(intake_refusal r); // "too_large", "unknown_shop", "bad_hmac" (log words)

// A shop domain as it is compared and stored: in lower case (webhook_intake_rules::shop_domains).
std::string shop_domain_key(std::string_view domain);

// `parser` is the caller's (one per thread, webhook_parser.hpp).
intake_decision decide_webhook_intake(const webhook_request& req, const webhook_intake_rules& rules,
                                      webhook_parser& parser);

// How a webhook request ended: the outcome label of shopsync_webhooks_total and the answer.
enum class intake_outcome {
  accepted,         // stored; 200 "ok"
  duplicate,        // its event stored before; 200 "duplicate", not processed again
  unusable,         // kept aside; 200 "kept aside: <why>"
  unauthorized,     // unknown shop or bad signature; 401
  too_large,        // body over the limit; 413, the connection closed
  header_too_large, // header over the limit (the HTTP parser's); 431, the connection closed
  unavailable,      // storing failed; 503 with Retry-After, so that Shopify retries
};

const char* to_string(intake_outcome o); // the metric label: "accepted", "duplicate", ...

// A refused decision's outcome (too_large or unauthorized).
intake_outcome refused_outcome(const intake_decision& d);

// An accepted or kept-aside delivery's outcome once the inbox answered: stored is accepted or
// unusable (as `action` says); a duplicate or a failure answers the same for both.
intake_outcome stored_outcome(intake_action action, append_outcome stored);

// The HTTP status of an outcome, and its body (`why`: the reason a delivery was kept aside).
int status_of(intake_outcome o);
std::string answer_body(intake_outcome o, const std::optional<error>& why = std::nullopt);

} // namespace shopsync
