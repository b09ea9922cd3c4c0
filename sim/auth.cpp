#include "sim/answer_parts.hpp"
#include "sim/auth.hpp"

#include "io/hmac.hpp"
#include "io/json_writer.hpp"
#include "sim/json_read.hpp"

#include <algorithm>
#include <cctype>
#include <random>
#include <vector>

namespace shopsync::sim {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

std::string encode(const std::string& v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::map<std::string, std::string> form(const std::string& body) {
  std::map<std::string, std::string> out;
  if (!body.empty() && body.front() == '{') { // "JSON is accepted too"
    simdjson::dom::parser p;
    simdjson::dom::element root;
    if (p.parse(body).get(root) == simdjson::SUCCESS)
      for (auto k : {"grant_type", "client_id", "client_secret", "code"})
        if (auto v = as_str(member(root, k)))
          out[k] = std::string(*v);
    return out;
  }
  std::size_t p = 0;
  while (p < body.size()) {
    auto amp = body.find('&', p);
    auto part = body.substr(p, amp == std::string::npos ? std::string::npos : amp - p);
    auto eq = part.find('=');
    if (eq != std::string::npos)
      out[url_decode(part.substr(0, eq))] = url_decode(part.substr(eq + 1));
    if (amp == std::string::npos)
      break;
    p = amp + 1;
  }
  return out;
}

// RFC 6749 section 5.2 error answer (Shopify does not document its exact body).
auth_answer oauth_error(int status, const char* code, const std::string& description) {
  json_writer w;
  w.begin_object().field("error", code).field("error_description", description).end_object();
  return {status, std::move(w).str(), {}};
}

std::string random_hex(std::size_t bytes) {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(gen() & 0xff);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

} // namespace

void app_auth::reset() {
  std::lock_guard lk(mu_);
  tokens_.clear();
  codes_.clear();
  uninstalled_.clear();
  counts_.clear();
}

void app_auth::add_static(const std::string& shop, const std::string& token) {
  std::lock_guard lk(mu_);
  tokens_[token] = token_rec{shop, 0, false, "static"};
}

app_auth::verdict app_auth::verify(const std::string& shop, const std::string& token) {
  std::lock_guard lk(mu_);
  auto it = tokens_.find(token);
  verdict v = verdict::ok;
  if (it == tokens_.end() || it->second.shop != shop)
    v = verdict::unknown;
  else if (it->second.revoked)
    v = verdict::revoked;
  else if (it->second.expires_ms && now_ms() >= it->second.expires_ms)
    v = verdict::expired;
  if (v != verdict::ok)
    ++counts_[shop].refused_requests;
  return v;
}

std::string app_auth::issue(const std::string& shop, const char* kind, std::int64_t lifetime_s) {
  auto t = std::string(std::string(kind) == "offline" ? "shpua_" : "shpat_") + random_hex(16);
  tokens_[t] = token_rec{shop, lifetime_s > 0 ? now_ms() + lifetime_s * 1000 : 0, false, kind};
  return t;
}

auth_answer app_auth::token_endpoint(const std::string& shop, const std::string& body) {
  auto f = form(body);
  std::lock_guard lk(mu_);
  auto& c = counts_[shop];
  if (f["client_id"] != s_.client_id || f["client_secret"] != s_.client_secret) {
    ++c.refused_grants;
    return oauth_error(400, "invalid_client", "Client authentication failed: unknown client_id or wrong client_secret");
  }
  if (uninstalled_[shop]) {
    ++c.refused_grants;
    return oauth_error(400, "invalid_request", "The app is not installed on this shop");
  }
  json_writer w;
  if (f["grant_type"] == "client_credentials") {
    ++c.client_credentials;
    auto t = issue(shop, "client_credentials", s_.token_lifetime_s);
    w.begin_object().field("access_token", t).field("scope", s_.scope).field("expires_in", s_.token_lifetime_s);
    w.end_object();
    return {200, std::move(w).str(), {}};
  }
  if (f.count("code")) {
    auto it = codes_.find(f["code"]);
    if (it == codes_.end() || it->second.used || it->second.shop != shop || now_ms() >= it->second.expires_ms) {
      ++c.refused_grants;
      return oauth_error(400, "invalid_request", "The authorization code was not found or was already used");
    }
    it->second.used = true;
    ++c.code_grants;
    auto t = issue(shop, "offline", 0);
    w.begin_object().field("access_token", t).field("scope", s_.scope).end_object();
    return {200, std::move(w).str(), {}};
  }
  ++c.refused_grants;
  return oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials, or give a code");
}

auth_answer app_auth::authorize(const std::string& shop, const std::string& query) {
  std::map<std::string, std::string> q = form(query);
  // form() only keeps the grant keys for JSON; a query is always k=v&...
  std::lock_guard lk(mu_);
  if (q["client_id"] != s_.client_id)
    return oauth_error(400, "invalid_request", "unknown client_id");
  if (q["redirect_uri"].empty())
    return oauth_error(400, "invalid_request", "redirect_uri is required");
  uninstalled_[shop] = false; // the merchant approves: the app is installed
  auto code = random_hex(16);
  codes_[code] = code_rec{shop, now_ms() + 10 * 60 * 1000, false};
  std::vector<std::pair<std::string, std::string>> params = {
    {"code", code},
    {"host", base64_encode("admin.shopify.com/store/" + shop.substr(0, shop.find('.')))},
    {"shop", shop},
    {"state", q["state"]},
    {"timestamp", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count())}};
  std::sort(params.begin(), params.end());
  std::string message;
  for (auto& [k, v] : params)
    message += (message.empty() ? "" : "&") + k + "=" + v;
  auto hmac = hmac_sha256_hex(s_.client_secret, message);
  std::string loc = q["redirect_uri"] + "?";
  for (auto& [k, v] : params)
    loc += k + "=" + encode(v) + "&";
  loc += "hmac=" + hmac;
  return {302, "", loc};
}

void app_auth::revoke(const std::string& shop) {
  std::lock_guard lk(mu_);
  for (auto& [t, r] : tokens_)
    if (r.shop == shop)
      r.revoked = true;
}

void app_auth::uninstall(const std::string& shop) {
  revoke(shop);
  std::lock_guard lk(mu_);
  uninstalled_[shop] = true;
}

void app_auth::install(const std::string& shop, const std::string& static_token) {
  std::lock_guard lk(mu_);
  uninstalled_[shop] = false;
  if (!static_token.empty())
    tokens_[static_token] = token_rec{shop, 0, false, "static"};
}

void app_auth::set_lifetime(std::int64_t seconds) {
  std::lock_guard lk(mu_);
  s_.token_lifetime_s = seconds;
}

bool app_auth::installed(const std::string& shop) {
  std::lock_guard lk(mu_);
  return !uninstalled_[shop];
}

std::string app_auth::stats_json(const std::string& shop) {
  std::lock_guard lk(mu_);
  auto& c = counts_[shop];
  int live = 0;
  auto now = now_ms();
  for (auto& [t, r] : tokens_)
    if (r.shop == shop && !r.revoked && (!r.expires_ms || now < r.expires_ms))
      ++live;
  json_writer w;
  w.begin_object().field("shop", shop).field("installed", !uninstalled_[shop]);
  w.field("client_credentials_grants", c.client_credentials).field("code_grants", c.code_grants);
  w.field("refused_grants", c.refused_grants).field("refused_requests", c.refused_requests);
  w.field("live_tokens", live).field("token_lifetime_s", s_.token_lifetime_s).end_object();
  return std::move(w).str();
}

} // namespace shopsync::sim
