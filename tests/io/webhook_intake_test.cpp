// The intake decision without sockets: which deliveries are refused (and with which status),
// which are kept aside, which are accepted. The same rules over real HTTP are in
// webhook_server_test.cpp.
#include "io/webhook_intake.hpp"

#include "io/hmac.hpp"
#include "io/webhook_parser.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include <string>
#include <unordered_set>
#include <vector>

using namespace shopsync;

namespace {

const std::string secret = "hush";
const std::string level = R"({"inventory_item_id":45678901234567,"location_id":71234567890,"available":7})";

// A delivery as Shopify sends it: signed with `secret`, for shop-a, with both ids.
struct delivery {
  std::string path_topic;
  std::string topic = "inventory_levels/update";
  std::string shop = "shop-a.myshopify.com";
  std::string body = level;
  std::string hmac = hmac_sha256_base64(secret, level);
  std::string webhook_id = "wh-1", event_id = "ev-1";

  delivery& with_body(std::string b) {
    body = std::move(b);
    hmac = hmac_sha256_base64(secret, body);
    return *this;
  }
  webhook_request request() const {
    return webhook_request{path_topic, topic, shop, hmac, webhook_id, event_id, "2025-03-14T14:22:31.000Z",
                           "2026-10",  body};
  }
};

struct intake {
  std::unordered_set<std::string> shops{"shop-a.myshopify.com"};
  std::vector<std::string> secrets{"old-secret", secret};
  webhook_intake_rules rules{1024, &shops, &secrets};
  webhook_parser parser;

  intake_decision decide(const delivery& d) { return decide_webhook_intake(d.request(), rules, parser); }
};

} // namespace

TEST(webhook_intake, signed_usable_delivery_is_accepted_with_its_event_and_headers) {
  intake in;
  auto d = in.decide(delivery{});
  ASSERT_EQ(d.action, intake_action::accept);
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.refusal, intake_refusal::none);
  EXPECT_EQ(d.topic_label, "inventory_levels/update");
  EXPECT_FALSE(d.delivery.unusable);
  EXPECT_EQ(d.delivery.topic, "inventory_levels/update");
  EXPECT_EQ(d.delivery.shop_domain, "shop-a.myshopify.com");
  EXPECT_EQ(d.delivery.webhook_id, "wh-1");
  EXPECT_EQ(d.delivery.event_id, "ev-1");
  EXPECT_EQ(d.delivery.triggered_at, "2025-03-14T14:22:31.000Z");
  EXPECT_EQ(d.delivery.api_version, "2026-10");
  EXPECT_TRUE(d.delivery.body.empty()); // the caller moves the body in
  auto& ev = std::get<inventory_level_changed>(d.event);
  EXPECT_EQ(ev.item, 45678901234567u);
  EXPECT_EQ(ev.available, std::optional<std::int64_t>(7));
}

TEST(webhook_intake, unsigned_or_wrongly_signed_is_401_whatever_the_content) {
  intake in;
  for (std::string hmac : {std::string(), std::string("not base64"), hmac_sha256_base64("other", level),
                           hmac_sha256_base64(secret, level + " ")}) {
    SCOPED_TRACE(hmac);
    delivery x;
    x.hmac = hmac;
    auto d = in.decide(x);
    EXPECT_EQ(d.action, intake_action::refuse);
    EXPECT_EQ(d.status, 401);
    EXPECT_EQ(d.refusal, intake_refusal::bad_hmac);
    EXPECT_EQ(d.topic_label, "unverified");
  }
  // Unsigned junk is refused, not kept aside.
  delivery junk;
  junk.body = "{not json";
  junk.hmac.clear();
  auto d = in.decide(junk);
  EXPECT_EQ(d.action, intake_action::refuse);
  EXPECT_EQ(d.status, 401);
}

TEST(webhook_intake, unknown_or_missing_shop_is_the_same_401_as_a_bad_signature) {
  intake in;
  for (std::string shop : {std::string("shop-b.myshopify.com"), std::string()}) {
    SCOPED_TRACE(shop);
    delivery x;
    x.shop = shop;
    auto d = in.decide(x);
    EXPECT_EQ(d.action, intake_action::refuse);
    EXPECT_EQ(d.status, 401);
    EXPECT_EQ(d.refusal, intake_refusal::unknown_shop);
    EXPECT_EQ(d.delivery.shop_domain, shop); // for the log line
  }
  // The shop domain is matched in any case and stored in lower case.
  delivery upper;
  upper.shop = "Shop-A.MyShopify.com";
  auto d = in.decide(upper);
  EXPECT_EQ(d.action, intake_action::accept);
  EXPECT_EQ(d.delivery.shop_domain, "shop-a.myshopify.com");
}

TEST(webhook_intake, a_rotated_secret_still_verifies) {
  intake in;
  delivery x;
  x.hmac = hmac_sha256_base64("old-secret", x.body);
  EXPECT_EQ(in.decide(x).action, intake_action::accept);
  in.secrets = {"new-secret"};
  EXPECT_EQ(in.decide(x).action, intake_action::refuse);
}

TEST(webhook_intake, a_body_over_the_limit_is_413_before_anything_else) {
  intake in;
  delivery x;
  x.with_body(std::string(1025, ' '));
  x.shop = "unknown.myshopify.com";
  auto d = in.decide(x);
  EXPECT_EQ(d.action, intake_action::refuse);
  EXPECT_EQ(d.status, 413);
  EXPECT_EQ(d.refusal, intake_refusal::too_large);
  // At the limit it is read (and here kept aside: spaces are no JSON).
  x.with_body(std::string(1024, ' '));
  x.shop = "shop-a.myshopify.com";
  EXPECT_EQ(in.decide(x).action, intake_action::keep_aside);
}

// Signed by Shopify for a served shop: never refused for its content, kept aside with the
// reason and answered 200, so that Shopify neither retries nor drops the subscription.
TEST(webhook_intake, signed_but_unusable_is_kept_aside_and_200_never_refused) {
  intake in;
  struct unusable_case {
    const char* what;
    delivery d;
    const char* code;
    const char* label;
  };
  std::vector<unusable_case> cases;
  cases.push_back({"unparsable", delivery{}.with_body("{\"inventory_item_id\":1,"), "webhook.malformed",
                   "inventory_levels/update"});
  cases.push_back({"not an object", delivery{}.with_body("[1,2]"), "webhook.malformed", "inventory_levels/update"});
  cases.push_back({"missing field", delivery{}.with_body(R"({"location_id":2})"), "webhook.missing_field",
                   "inventory_levels/update"});
  cases.push_back({"wrong type", delivery{}.with_body(R"({"inventory_item_id":"x","location_id":2})"),
                   "webhook.wrong_type", "inventory_levels/update"});
  {
    delivery x;
    x.topic = "customers/create";
    cases.push_back({"unknown topic", x, "webhook.unknown_topic", "other"});
  }
  {
    delivery x;
    x.topic.clear();
    cases.push_back({"no topic", x, "webhook.missing_topic", "other"});
  }
  {
    delivery x;
    x.webhook_id.clear();
    x.event_id.clear();
    cases.push_back({"no id", x, "webhook.missing_id", "inventory_levels/update"});
  }
  for (auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto d = in.decide(c.d);
    EXPECT_EQ(d.action, intake_action::keep_aside);
    EXPECT_EQ(d.status, 200);
    EXPECT_EQ(d.refusal, intake_refusal::none);
    ASSERT_TRUE(d.delivery.unusable);
    EXPECT_EQ(d.delivery.unusable->code, c.code) << d.delivery.unusable->message;
    EXPECT_EQ(d.topic_label, c.label);
  }
}

TEST(webhook_intake, topic_from_the_path_wins_over_the_header) {
  intake in;
  delivery x;
  x.path_topic = "inventory_levels/update";
  x.topic = "products/update";
  auto d = in.decide(x);
  EXPECT_EQ(d.action, intake_action::accept);
  EXPECT_EQ(d.delivery.topic, "inventory_levels/update");
  // Only the event id, or only the webhook id, is enough to deduplicate on.
  delivery only_event;
  only_event.webhook_id.clear();
  EXPECT_EQ(in.decide(only_event).action, intake_action::accept);
  delivery only_webhook;
  only_webhook.event_id.clear();
  EXPECT_EQ(in.decide(only_webhook).action, intake_action::accept);
}

TEST(webhook_intake, every_shopify_sample_is_accepted) {
  intake in;
  in.rules.max_body_bytes = 1 << 20;
  int n = 0;
  for (auto& entry : std::filesystem::directory_iterator(shopsync::testing::shared_path("shopify/webhooks"))) {
    auto topic = entry.path().stem().string();
    topic[topic.rfind('_')] = '/';
    delivery x;
    x.topic = topic;
    x.with_body(shopsync::testing::read_file(entry.path()));
    auto d = in.decide(x);
    EXPECT_EQ(d.action, intake_action::accept)
        << topic << ": " << (d.delivery.unusable ? d.delivery.unusable->message : "");
    ++n;
  }
  EXPECT_GT(n, 5);
}

// After the decision: the outcome each delivery ends with (its metric label) and the answer
// Shopify reads, without a socket or an inbox.
TEST(webhook_intake, a_refusal_answers_413_for_its_size_and_401_for_shop_or_signature_alike) {
  intake in;
  in.rules.max_body_bytes = 8;
  auto big = in.decide(delivery{});
  ASSERT_EQ(big.action, intake_action::refuse);
  EXPECT_EQ(refused_outcome(big), intake_outcome::too_large);
  EXPECT_EQ(status_of(intake_outcome::too_large), 413);
  EXPECT_EQ(answer_body(intake_outcome::too_large), "payload too large\n");

  in.rules.max_body_bytes = 1024;
  delivery stranger;
  stranger.shop = "shop-z.myshopify.com";
  delivery forged;
  forged.hmac = hmac_sha256_base64("other", level);
  for (auto& x : {stranger, forged}) {
    auto d = in.decide(x);
    ASSERT_EQ(d.action, intake_action::refuse);
    EXPECT_EQ(refused_outcome(d), intake_outcome::unauthorized);
    EXPECT_STREQ(to_string(refused_outcome(d)), "unauthorized");
  }
  EXPECT_EQ(status_of(intake_outcome::unauthorized), 401);
  EXPECT_EQ(answer_body(intake_outcome::unauthorized), "unauthorized\n");
}

TEST(webhook_intake, once_stored_an_accepted_delivery_answers_ok_and_a_kept_aside_one_its_reason) {
  intake in;
  EXPECT_EQ(stored_outcome(in.decide(delivery{}).action, append_outcome::stored), intake_outcome::accepted);
  EXPECT_EQ(answer_body(intake_outcome::accepted), "ok\n");

  auto aside = in.decide(delivery{}.with_body("{\"inventory_item_id\":"));
  ASSERT_EQ(aside.action, intake_action::keep_aside);
  EXPECT_EQ(stored_outcome(aside.action, append_outcome::stored), intake_outcome::unusable);
  EXPECT_EQ(status_of(intake_outcome::unusable), 200);
  EXPECT_EQ(answer_body(intake_outcome::unusable, aside.delivery.unusable),
            "kept aside: " + aside.delivery.unusable->message + "\n");
}

TEST(webhook_intake, a_duplicate_is_200_and_a_storage_failure_503_whether_kept_aside_or_not) {
  for (auto action : {intake_action::accept, intake_action::keep_aside}) {
    EXPECT_EQ(stored_outcome(action, append_outcome::duplicate), intake_outcome::duplicate);
    EXPECT_EQ(stored_outcome(action, append_outcome::failed), intake_outcome::unavailable);
  }
  EXPECT_EQ(status_of(intake_outcome::duplicate), 200);
  EXPECT_EQ(answer_body(intake_outcome::duplicate), "duplicate\n");
  EXPECT_EQ(status_of(intake_outcome::unavailable), 503);
  EXPECT_EQ(answer_body(intake_outcome::unavailable), "unavailable, retry later\n");
  EXPECT_EQ(status_of(intake_outcome::header_too_large), 431);
}

TEST(webhook_intake, outcome_labels_are_the_metric_labels) {
  const std::pair<intake_outcome, const char*> labels[] = {
      {intake_outcome::accepted, "accepted"},         {intake_outcome::duplicate, "duplicate"},
      {intake_outcome::unusable, "unusable"},         {intake_outcome::unauthorized, "unauthorized"},
      {intake_outcome::too_large, "too_large"},       {intake_outcome::header_too_large, "header_too_large"},
      {intake_outcome::unavailable, "unavailable"},
  };
  for (auto& [o, label] : labels)
    EXPECT_STREQ(to_string(o), label);
}
