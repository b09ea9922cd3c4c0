#include "io/subscription_api.hpp"

#include "domain/store_needs.hpp"
#include "io/json_writer.hpp"

#include <simdjson.h>

namespace shopsync {

namespace {

using simdjson::dom::element;

error bad(const std::string& why) { return error{error_kind::subscription_api_bad_response, why}; }

std::string str(element e, const char* key) {
  std::string_view v;
  if (e[key].get_string().get(v) == simdjson::SUCCESS)
    return std::string(v);
  return {};
}

// The answer's `data`, or the error it carries instead.
result<element> data_of(simdjson::dom::parser& p, std::string_view body) {
  element root;
  if (p.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS || !root.is_object())
    return bad("not JSON");
  simdjson::dom::array errs;
  if (root["errors"].get_array().get(errs) == simdjson::SUCCESS && errs.size() > 0) {
    element first = errs.at(0);
    std::string_view c;
    if (first["extensions"]["code"].get_string().get(c) == simdjson::SUCCESS)
      return error{std::string(c), str(first, "message")}; // Shopify's code
    return error{error_kind::shopify_error, str(first, "message")};
  }
  std::string_view top_error;
  if (root["errors"].get_string().get(top_error) == simdjson::SUCCESS)
    return error{error_kind::shopify_error, std::string(top_error)};
  element data;
  if (root["data"].get(data) != simdjson::SUCCESS || !data.is_object())
    return error{error_kind::shopify_no_data, "the answer has no data"};
  return data;
}

// data.<field> as an object (a mutation's payload, a connection).
result<element> field_of(simdjson::dom::parser& p, std::string_view body, std::string_view field) {
  auto data = data_of(p, body);
  if (!data)
    return data.error();
  element e;
  if ((*data)[field].get(e) != simdjson::SUCCESS || !e.is_object())
    return error{error_kind::shopify_no_data, std::string(field) + " is null"};
  return e;
}

std::optional<error> user_errors(element payload) {
  simdjson::dom::array errs;
  if (payload["userErrors"].get_array().get(errs) != simdjson::SUCCESS || errs.size() == 0)
    return std::nullopt;
  std::string msg;
  for (element e : errs) {
    simdjson::dom::array field;
    std::string path;
    if (e["field"].get_array().get(field) == simdjson::SUCCESS)
      for (element f : field) {
        std::string_view s;
        if (f.get_string().get(s) == simdjson::SUCCESS)
          path += (path.empty() ? "" : ".") + std::string(s);
      }
    msg += (msg.empty() ? "" : "; ") + (path.empty() ? "" : path + ": ") + str(e, "message");
  }
  return error{error_kind::shopify_user_errors, msg};
}

present_subscription subscription_of(element n) {
  present_subscription s;
  s.id = str(n, "id");
  auto raw = str(n, "topic");
  s.topic = topic_from_enum(raw).value_or(raw);
  s.uri = str(n, "uri");
  s.name = str(n, "name");
  return s;
}

std::string input_variables(const char* key, const std::string& value, const std::string& uri, const std::string& name) {
  json_writer w;
  w.begin_object().field(key, value);
  w.key("webhookSubscription").begin_object().field("uri", uri).field("format", "JSON").field("name", name).end_object();
  w.end_object();
  return std::move(w).str();
}

} // namespace

std::string subscriptions_page_variables(int first, const std::optional<std::string>& after) {
  json_writer w;
  w.begin_object().field("first", first).field("after", after).end_object();
  return std::move(w).str();
}

std::string subscription_create_variables(const std::string& topic, const std::string& uri, const std::string& name) {
  return input_variables("topic", topic_enum(topic), uri, name);
}

std::string subscription_update_variables(const std::string& id, const std::string& uri, const std::string& name) {
  return input_variables("id", id, uri, name);
}

std::string subscription_delete_variables(const std::string& id) {
  json_writer w;
  w.begin_object().field("id", id).end_object();
  return std::move(w).str();
}

result<subscriptions_page> parse_subscriptions_page(std::string_view body) {
  simdjson::dom::parser p;
  auto found = field_of(p, body, "webhookSubscriptions");
  if (!found)
    return found.error();
  element conn = *found;
  subscriptions_page page;
  simdjson::dom::array nodes;
  if (conn["nodes"].get_array().get(nodes) != simdjson::SUCCESS)
    return bad("webhookSubscriptions without nodes");
  for (element n : nodes)
    page.subscriptions.push_back(subscription_of(n));
  bool more = false;
  if (conn["pageInfo"]["hasNextPage"].get_bool().get(more) == simdjson::SUCCESS)
    page.has_next = more;
  page.end_cursor = str(conn["pageInfo"], "endCursor");
  if (page.has_next && page.end_cursor.empty())
    return bad("hasNextPage without endCursor");
  return page;
}

result<present_subscription> parse_subscription_written(std::string_view body, std::string_view field) {
  simdjson::dom::parser p;
  auto payload = field_of(p, body, field);
  if (!payload)
    return payload.error();
  if (auto e = user_errors(*payload))
    return *e;
  element sub;
  if ((*payload)["webhookSubscription"].get(sub) != simdjson::SUCCESS || !sub.is_object())
    return bad(std::string(field) + " without webhookSubscription");
  return subscription_of(sub);
}

status parse_subscription_deleted(std::string_view body) {
  simdjson::dom::parser p;
  auto payload = field_of(p, body, "webhookSubscriptionDelete");
  if (!payload)
    return payload.error();
  if (auto e = user_errors(*payload)) {
    // Already gone (deleted by Shopify or by hand meanwhile): what we wanted.
    if (e->message.find("does not exist") != std::string::npos || e->message.find("not found") != std::string::npos)
      return ok_status();
    return *e;
  }
  return ok_status();
}

result<app_installation> parse_app_installation(std::string_view body) {
  simdjson::dom::parser p;
  auto data = data_of(p, body);
  if (!data)
    return data.error();
  app_installation a;
  a.shop_name = str((*data)["shop"], "name");
  a.shop_domain = str((*data)["shop"], "myshopifyDomain");
  simdjson::dom::array versions;
  if ((*data)["publicApiVersions"].get_array().get(versions) == simdjson::SUCCESS)
    for (element v : versions) {
      bool supported = false;
      if (v["supported"].get_bool().get(supported) != simdjson::SUCCESS)
        supported = false;
      a.api_versions.push_back({str(v, "handle"), supported});
    }
  simdjson::dom::array scopes;
  if ((*data)["currentAppInstallation"]["accessScopes"].get_array().get(scopes) != simdjson::SUCCESS)
    return bad("no currentAppInstallation.accessScopes");
  for (element s : scopes)
    a.scopes.push_back(str(s, "handle"));
  return a;
}

} // namespace shopsync
