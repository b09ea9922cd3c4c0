#include "io/webhook_intake.hpp"

#include "io/hmac.hpp"
#include "io/webhook_parser.hpp"

#include <cctype>

namespace shopsync {

std::string shop_domain_key(std::string_view domain) {
  std::string out(domain);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const char* to_string(intake_refusal r) {
  switch (r) {
  case intake_refusal::none:
    return "none";
  case intake_refusal::too_large:
    return "too_large";
  case intake_refusal::unknown_shop:
    return "unknown_shop";
  case intake_refusal::bad_hmac:
    return "bad_hmac";
  }
  return "?";
}

intake_decision decide_webhook_intake(const webhook_request& req, const webhook_intake_rules& rules,
                                      webhook_parser& parser) {
  intake_decision d;
  d.delivery.shop_domain = shop_domain_key(req.shop_domain);
  auto refuse = [&](int status, intake_refusal why) {
    d.action = intake_action::refuse;
    d.status = status;
    d.refusal = why;
    d.topic_label = "unverified";
    return std::move(d);
  };
  if (req.body.size() > rules.max_body_bytes)
    return refuse(413, intake_refusal::too_large);
  static const std::vector<std::string> no_secrets;
  bool known_shop = !d.delivery.shop_domain.empty() && rules.shop_domains &&
                    rules.shop_domains->count(d.delivery.shop_domain) > 0;
  bool signed_ok = verify_hmac_sha256_base64(req.hmac, req.body, rules.secrets ? *rules.secrets : no_secrets);
  if (!known_shop)
    return refuse(401, intake_refusal::unknown_shop);
  if (!signed_ok)
    return refuse(401, intake_refusal::bad_hmac);

  // Signed by Shopify and for a shop we serve: from here on the delivery is stored and
  // answered 2xx whatever its content; what cannot be used is kept aside with the reason.
  auto& w = d.delivery;
  w.topic = std::string(req.path_topic.empty() ? req.topic : req.path_topic);
  w.webhook_id = std::string(req.webhook_id);
  w.event_id = std::string(req.event_id);
  w.triggered_at = std::string(req.triggered_at);
  w.api_version = std::string(req.api_version);
  d.topic_label = webhook_parser::is_known_topic(w.topic) ? w.topic : "other";
  d.status = 200;
  if (w.topic.empty()) {
    w.unusable = error{error_kind::webhook_missing_topic, "missing X-Shopify-Topic"};
  } else if (w.webhook_id.empty() && w.event_id.empty()) {
    w.unusable = error{error_kind::webhook_missing_id, "missing X-Shopify-Webhook-Id and X-Shopify-Event-Id"};
  } else if (auto parsed = parser.parse(w.topic, req.body); !parsed) {
    w.unusable = std::move(parsed.error());
  } else {
    d.event = std::move(*parsed);
  }
  d.action = w.unusable ? intake_action::keep_aside : intake_action::accept;
  return d;
}

const char* to_string(intake_outcome o) {
  switch (o) {
  case intake_outcome::accepted:
    return "accepted";
  case intake_outcome::duplicate:
    return "duplicate";
  case intake_outcome::unusable:
    return "unusable";
  case intake_outcome::unauthorized:
    return "unauthorized";
  case intake_outcome::too_large:
    return "too_large";
  case intake_outcome::header_too_large:
    return "header_too_large";
  case intake_outcome::unavailable:
    return "unavailable";
  }
  return "?";
}

intake_outcome refused_outcome(const intake_decision& d) {
  // 401 for an unknown shop and for a bad signature alike: which one is not said.
  return d.refusal == intake_refusal::too_large ? intake_outcome::too_large : intake_outcome::unauthorized;
}

intake_outcome stored_outcome(intake_action action, append_outcome stored) {
  switch (stored) {
  case append_outcome::stored:
    return action == intake_action::keep_aside ? intake_outcome::unusable : intake_outcome::accepted;
  case append_outcome::duplicate:
    return intake_outcome::duplicate;
  case append_outcome::failed:
    return intake_outcome::unavailable;
  }
  return intake_outcome::unavailable;
}

int status_of(intake_outcome o) {
  switch (o) {
  case intake_outcome::accepted:
  case intake_outcome::duplicate:
  case intake_outcome::unusable:
    return 200;
  case intake_outcome::unauthorized:
    return 401;
  case intake_outcome::too_large:
    return 413;
  case intake_outcome::header_too_large:
    return 431;
  case intake_outcome::unavailable:
    return 503;
  }
  return 503;
}

std::string answer_body(intake_outcome o, const std::optional<error>& why) {
  switch (o) {
  case intake_outcome::accepted:
    return "ok\n";
  case intake_outcome::duplicate:
    return "duplicate\n";
  case intake_outcome::unusable:
    // For whoever looks at Shopify's delivery log.
    return "kept aside: " + (why ? why->message : std::string()) + "\n";
  case intake_outcome::unauthorized:
    return "unauthorized\n";
  case intake_outcome::too_large:
    return "payload too large\n";
  case intake_outcome::header_too_large:
    return "request header fields too large\n";
  case intake_outcome::unavailable:
    return "unavailable, retry later\n";
  }
  return "";
}

} // namespace shopsync
