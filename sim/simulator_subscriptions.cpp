// Webhook subscriptions through the Admin API (webhookSubscriptions, webhookSubscriptionCreate,
// Update, Delete), the app installation's scopes (currentAppInstallation), delivery targets,
// Shopify's deletion of a subscription after 8 consecutive failed deliveries, and their
// test-control endpoints (/_sim/scopes, /_sim/subscriptions).
#include "io/json_writer.hpp"
#include "sim/answer_parts.hpp"
#include "sim/json_read.hpp"
#include "sim/simulator.hpp"

#include <algorithm>
#include <cstdio>

namespace shopsync::sim {

namespace {

http_answer refuse(int status, const std::string& message) {
  json_writer w;
  w.begin_object().field("error", message).end_object();
  return json_answer(status, std::move(w).str());
}

struct field_error {
  std::vector<std::string> field;
  std::string message;
};

void write_errors(json_writer& w, const std::vector<field_error>& errs) {
  w.key("userErrors").begin_array();
  for (auto& e : errs) {
    w.begin_object().key("field").begin_array();
    for (auto& f : e.field)
      w.value(f);
    w.end_array().field("message", e.message).end_object();
  }
  w.end_array();
}

void write_subscription(json_writer& w, const api_subscription& sub) {
  w.begin_object().field("id", gid("WebhookSubscription", sub.id)).field("topic", sub.topic).field("uri", sub.uri);
  w.key("name");
  sub.name.empty() ? w.null() : w.value(sub.name);
  w.end_object();
}

std::optional<i64> subscription_id(std::string_view g) {
  constexpr std::string_view prefix = "gid://shopify/WebhookSubscription/";
  if (g.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  try {
    return std::stoll(std::string(g.substr(prefix.size())));
  } catch (...) {
    return std::nullopt;
  }
}

std::string scopes_payload(const store& s, const std::vector<std::string>& previous, const std::string& at) {
  json_writer w;
  w.begin_object().field("id", static_cast<std::int64_t>(s.index) + 1);
  w.key("previous").begin_array();
  for (auto& p : previous)
    w.value(p);
  w.end_array().key("current").begin_array();
  for (auto& c : s.scopes)
    w.value(c);
  w.end_array().field("updated_at", at).end_object();
  return std::move(w).str();
}

} // namespace

std::vector<webhook_target> simulator::targets(const store& s, const std::string& topic) const {
  std::vector<webhook_target> out;
  if (s.app_subscriptions)
    if (auto url = webhook_url(s); !url.empty())
      out.push_back({url, 0});
  const auto value = topic_enum_of(topic);
  for (auto& sub : s.subscriptions)
    if (sub.topic == value)
      out.push_back({sub.uri, sub.id});
  return out;
}

bool simulator::subscription_exists(const std::string& shop, i64 id) {
  std::shared_lock stores_lock(stores_mu_);
  store* s = find_store(shop);
  if (!s)
    return false;
  std::lock_guard lock(s->mu);
  return std::any_of(s->subscriptions.begin(), s->subscriptions.end(), [&](auto& x) { return x.id == id; });
}

void simulator::subscription_attempted(const std::string& shop, i64 id, bool delivered) {
  std::shared_lock stores_lock(stores_mu_);
  store* s = find_store(shop);
  if (!s)
    return;
  std::lock_guard lock(s->mu);
  auto it = std::find_if(s->subscriptions.begin(), s->subscriptions.end(), [&](auto& x) { return x.id == id; });
  if (it == s->subscriptions.end())
    return;
  if (delivered) {
    it->consecutive_failures = 0;
  } else if (++it->consecutive_failures >= subscription_failure_limit) {
    std::fprintf(stderr, "shopify-sim: %s: subscription %lld (%s -> %s) deleted after %d consecutive failed deliveries\n",
                 s->shop.c_str(), static_cast<long long>(id), it->topic.c_str(), it->uri.c_str(),
                 it->consecutive_failures);
    s->subscriptions.erase(it);
  }
}

simulator::op_result simulator::op_webhook_subscriptions(store& s, element vars) {
  op_result r;
  r.outcome = "read";
  auto first = as_int(member(vars, "first"));
  if (!first || *first < 1 || *first > 250) {
    r.errors = errors_json("Variable $first: the first argument must be between 1 and 250.", "BAD_REQUEST");
    r.outcome = "error";
    return r;
  }
  i64 after = 0;
  if (auto a = as_str(member(vars, "after")); a && !a->empty()) {
    auto id = cursor_id(*a);
    if (!id) {
      r.errors = errors_json("Invalid cursor for current pagination sort.", "BAD_REQUEST");
      r.outcome = "error";
      return r;
    }
    after = *id;
  }
  std::vector<std::string> topics;
  if (auto t = member(vars, "topics"); t && t->is_array())
    for (auto v : simdjson::dom::array(*t))
      if (auto str = as_str(v))
        topics.emplace_back(*str);
  std::string uri(as_str(member(vars, "uri")).value_or(""));
  auto wanted = [&](const api_subscription& sub) {
    return sub.id > after && (topics.empty() || std::find(topics.begin(), topics.end(), sub.topic) != topics.end()) &&
           (uri.empty() || sub.uri == uri);
  };
  json_writer w;
  w.begin_object().key("webhookSubscriptions").begin_object().key("nodes").begin_array();
  std::size_t n = 0;
  i64 last = 0;
  bool more = false;
  for (auto& sub : s.subscriptions) { // ids grow with creation: the vector is in id order
    if (!wanted(sub))
      continue;
    if (n == static_cast<std::size_t>(*first)) {
      more = true;
      break;
    }
    write_subscription(w, sub);
    last = sub.id;
    ++n;
  }
  w.end_array().key("pageInfo").begin_object().field("hasNextPage", more).key("endCursor");
  n ? w.value(cursor_for(last)) : w.null();
  w.end_object().end_object().end_object();
  r.data = std::move(w).str();
  return r;
}

simulator::op_result simulator::op_webhook_subscription_write(store& s, const std::string& op, element vars, i64 now) {
  op_result r;
  const bool create = op == "WebhookSubscriptionCreate";
  const std::string field = create ? "webhookSubscriptionCreate" : "webhookSubscriptionUpdate";
  auto input = member(vars, "webhookSubscription");
  if (!input || !input->is_object()) {
    r.errors = errors_json("Variable $webhookSubscription of type WebhookSubscriptionInput! was provided invalid value",
                           "INVALID_VARIABLE");
    r.outcome = "error";
    return r;
  }
  api_subscription* target = nullptr;
  std::string topic;
  if (create) {
    topic = std::string(as_str(member(vars, "topic")).value_or(""));
    if (!known_topic_enum(topic)) {
      r.errors = errors_json("Variable $topic of type WebhookSubscriptionTopic! was provided invalid value", "INVALID_VARIABLE");
      r.outcome = "error";
      return r;
    }
  }
  std::vector<field_error> errs;
  if (!create) {
    auto id = subscription_id(as_str(member(vars, "id")).value_or(""));
    for (auto& sub : s.subscriptions)
      if (id && sub.id == *id)
        target = &sub;
    if (!target)
      errs.push_back({{"id"}, "Webhook subscription does not exist"});
    else
      topic = target->topic;
  }
  // uri, or the deprecated callbackUrl; on update an absent address keeps the old one.
  std::optional<std::string> uri;
  if (auto u = as_str(member(*input, "uri")))
    uri = std::string(*u);
  else if (auto cb = as_str(member(*input, "callbackUrl")))
    uri = std::string(*cb);
  std::string format(as_str(member(*input, "format")).value_or("JSON"));
  if (errs.empty()) {
    std::string address = uri.value_or(create ? "" : target->uri);
    if (auto why = uri_problem(address))
      errs.push_back({{"webhookSubscription", "callbackUrl"}, *why});
    else if (format != "JSON" && format != "XML")
      errs.push_back({{"webhookSubscription", "format"}, "Format is not included in the list"});
    else
      for (auto& sub : s.subscriptions)
        if (&sub != target && sub.topic == topic && sub.uri == address)
          errs.push_back({{"webhookSubscription", "callbackUrl"}, "Address for this topic has already been taken"});
    if (errs.empty()) {
      if (create) {
        s.subscriptions.push_back({});
        target = &s.subscriptions.back();
        target->id = ++s.next_subscription_id;
        target->topic = topic;
        target->created_at = now;
      }
      target->uri = address;
      target->format = format;
      if (auto name = as_str(member(*input, "name")))
        target->name = std::string(*name);
      target->updated_at = now;
      target->consecutive_failures = 0;
    }
  }
  json_writer w;
  w.begin_object().key(field).begin_object().key("webhookSubscription");
  if (errs.empty())
    write_subscription(w, *target);
  else
    w.null();
  write_errors(w, errs);
  w.end_object().end_object();
  r.data = std::move(w).str();
  r.outcome = errs.empty() ? "applied" : "user_errors";
  return r;
}

simulator::op_result simulator::op_webhook_subscription_delete(store& s, element vars) {
  op_result r;
  auto id = subscription_id(as_str(member(vars, "id")).value_or(""));
  auto it = std::find_if(s.subscriptions.begin(), s.subscriptions.end(), [&](auto& x) { return id && x.id == *id; });
  json_writer w;
  w.begin_object().key("webhookSubscriptionDelete").begin_object().key("deletedWebhookSubscriptionId");
  if (it == s.subscriptions.end()) {
    w.null();
    write_errors(w, {{{"id"}, "Webhook subscription does not exist"}});
    r.outcome = "user_errors";
  } else {
    w.value(gid("WebhookSubscription", it->id));
    write_errors(w, {});
    s.subscriptions.erase(it);
    r.outcome = "applied";
  }
  w.end_object().end_object();
  r.data = std::move(w).str();
  return r;
}

simulator::op_result simulator::op_app_installation(store& s) {
  op_result r;
  r.outcome = "read";
  json_writer w;
  w.begin_object().key("shop").begin_object().field("name", s.shop.substr(0, s.shop.find('.')))
      .field("myshopifyDomain", s.shop).end_object();
  // Four stable versions are supported at a time (one a quarter, each for a year), plus the
  // release candidate and unstable, which are not.
  w.key("publicApiVersions").begin_array();
  for (auto* v : {"2025-10", "2026-01", "2026-04", "2026-07", "2026-10"})
    w.begin_object().field("handle", v).field("supported", true).end_object();
  w.begin_object().field("handle", "2027-01").field("supported", false).end_object();
  w.begin_object().field("handle", "unstable").field("supported", false).end_object();
  w.end_array();
  w.key("currentAppInstallation").begin_object().key("accessScopes").begin_array();
  for (auto& sc : s.scopes)
    w.begin_object().field("handle", sc).end_object();
  w.end_array().end_object().end_object();
  r.data = std::move(w).str();
  return r;
}

http_answer simulator::control_subscriptions(store& s, const std::string& path, element body, i64 now) {
  if (path == "/_sim/scopes") {
    auto sc = member(body, "scopes");
    if (!sc || !sc->is_array())
      return refuse(400, "give \"scopes\": [handles]");
    auto previous = s.scopes;
    s.scopes.clear();
    for (auto v : simdjson::dom::array(*sc))
      if (auto h = as_str(v))
        s.scopes.emplace_back(*h);
    // Shopify tells the app that its installation's scopes changed.
    emit(s, "app/scopes_update", scopes_payload(s, previous, format_time(now, s.timezone)), now);
    return json_answer(200, scopes_payload(s, previous, format_time(now, s.timezone)));
  }
  if (path == "/_sim/subscriptions/delete") {
    // As a merchant or Shopify would: by id, or every one of a topic.
    auto id = subscription_id(as_str(member(body, "id")).value_or(""));
    std::string topic(as_str(member(body, "topic")).value_or(""));
    std::size_t before = s.subscriptions.size();
    s.subscriptions.erase(std::remove_if(s.subscriptions.begin(), s.subscriptions.end(),
                                         [&](auto& x) {
                                           return (id && x.id == *id) || (!topic.empty() && x.topic == topic_enum_of(topic));
                                         }),
                          s.subscriptions.end());
    return json_answer(200, "{\"deleted\":" + std::to_string(before - s.subscriptions.size()) + "}");
  }
  if (path == "/_sim/subscriptions/app") {
    if (auto b = as_bool(member(body, "enabled")))
      s.app_subscriptions = *b;
    return json_answer(200, std::string("{\"app_subscriptions\":") + (s.app_subscriptions ? "true" : "false") + "}");
  }
  if (path == "/_sim/subscriptions") {
    json_writer w;
    w.begin_object().field("app_subscriptions", s.app_subscriptions).field("app_url", webhook_url(s));
    w.key("scopes").begin_array();
    for (auto& sc : s.scopes)
      w.value(sc);
    w.end_array().key("subscriptions").begin_array();
    for (auto& sub : s.subscriptions)
      w.begin_object().field("id", gid("WebhookSubscription", sub.id)).field("topic", sub.topic)
          .field("uri", sub.uri).field("name", sub.name).field("format", sub.format)
          .field("consecutive_failures", sub.consecutive_failures).end_object();
    w.end_array().end_object();
    return json_answer(200, std::move(w).str());
  }
  return refuse(404, "unknown control path " + path);
}

} // namespace shopsync::sim
