// Shopify's OAuth endpoints as the simulator plays them (sim/auth.hpp), and the test controls
// that revoke a store's tokens, uninstall the app (with its app/uninstalled webhook) and
// install it again.
#include "io/json_writer.hpp"
#include "sim/answer_parts.hpp"
#include "sim/simulator.hpp"

#include <cctype>

namespace shopsync::sim {

namespace {

http_answer from(auth_answer a) {
  http_answer h;
  h.status = a.status;
  h.body = std::move(a.body);
  if (!a.location.empty()) {
    h.headers.emplace_back("Location", a.location);
    h.content_type = "text/html; charset=utf-8";
  }
  return h;
}

std::string strip_port(std::string host) {
  if (auto c = host.rfind(':'); c != std::string::npos && host.find(']') == std::string::npos)
    host.resize(c);
  for (auto& ch : host)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return host;
}

} // namespace

http_answer simulator::oauth(const http_request_view& req, const std::string& path, const std::string& query) {
  std::shared_lock stores_lock(stores_mu_);
  auto shop = strip_port(req.host);
  if (!find_store(shop))
    return json_answer(404, R"({"errors":"Not Found"})");
  if (path == "/admin/oauth/access_token" && req.method == "POST")
    return from(auth_->token_endpoint(shop, req.body));
  if (path == "/admin/oauth/authorize" && req.method == "GET")
    return from(auth_->authorize(shop, query));
  return json_answer(404, R"({"errors":"Not Found"})");
}

// The shop resource, as app/uninstalled carries it (a subset of Shopify's fields).
std::string simulator::shop_json(const store& s) const {
  auto name = s.shop.substr(0, s.shop.find('.'));
  json_writer w;
  w.begin_object().field("id", static_cast<std::int64_t>(690933842 + s.index)).field("name", name);
  w.field("email", "owner@" + name + ".example").field("domain", s.shop).field("myshopify_domain", s.shop);
  w.field("country", "US").field("currency", "USD").field("timezone", "(GMT" + s.timezone + ") Eastern Time (US & Canada)");
  w.field("iana_timezone", "America/New_York").field("plan_name", "basic").field("plan_display_name", "Basic");
  w.end_object();
  return std::move(w).str();
}

http_answer simulator::auth_control(const http_request_view& req, const std::string& path, const std::string& shop_in) {
  auto* s = find_store(shop_in);
  const auto& shop = s->shop;
  if (path == "/_sim/auth" && req.method == "GET")
    return json_answer(200, auth_->stats_json(shop));
  simdjson::dom::parser p;
  element body;
  if (p.parse(req.body.empty() ? std::string("{}") : req.body).get(body) != simdjson::SUCCESS)
    return json_answer(400, R"({"error":"body must be a JSON object"})");
  if (path == "/_sim/auth/revoke") {
    auth_->revoke(shop);
  } else if (path == "/_sim/auth/uninstall") {
    auth_->uninstall(shop);
    std::lock_guard lock(s->mu);
    emit(*s, "app/uninstalled", shop_json(*s), unix_now());
  } else if (path == "/_sim/auth/install") {
    auth_->install(shop, std::string(as_str(member(body, "token")).value_or("")));
  } else if (path == "/_sim/auth/lifetime") {
    auto n = as_int(member(body, "token_lifetime_s"));
    if (!n || *n < 1)
      return json_answer(400, R"({"error":"token_lifetime_s must be a positive integer"})");
    auth_->set_lifetime(*n);
  } else {
    return json_answer(404, R"({"error":"unknown /_sim/auth control"})");
  }
  return json_answer(200, auth_->stats_json(shop));
}

} // namespace shopsync::sim
