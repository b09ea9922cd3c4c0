#include "io/oauth_callback.hpp"

#include "io/hmac.hpp"
#include "io/oauth_client.hpp"
#include "io/state_store.hpp"
#include "io/token_source.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace shopsync {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%' && i + 2 < in.size() + 0 && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

std::string escape(const std::string& s, bool name) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '&') out += "%26";
    else if (name && c == '=') out += "%3D";
    else out.push_back(c);
  }
  return out;
}

std::string find(const query_pairs& q, std::string_view name) {
  for (auto& [k, v] : q)
    if (k == name) return v;
  return {};
}

std::string state_key(const std::string& state) { return "auth/state/" + state; }

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The store the state was issued for, once: the record is deleted whatever the outcome.
result<std::string> consume_state(state_store& db, const std::string& state, std::chrono::system_clock::time_point now) {
  if (state.empty() || state.size() > 128)
    return error{error_kind::auth_state, "missing or malformed state"};
  auto v = db.get(column::meta, state_key(state));
  if (!v)
    return v.error();
  if (!*v)
    return error{error_kind::auth_state, "unknown or already used state"};
  if (auto st = [&] { state_store::batch b; b.del(column::meta, state_key(state)); return db.write(b); }(); !st)
    return st.error();
  auto nl = (*v)->find('\n');
  if (nl == std::string::npos)
    return error{error_kind::auth_state, "malformed state record"};
  std::int64_t expires = std::atoll((*v)->c_str() + nl + 1);
  if (unix_seconds(now) > expires)
    return error{error_kind::auth_state, "expired state: run shopsyncctl connect again"};
  return (*v)->substr(0, nl);
}

} // namespace

query_pairs parse_query_string(std::string_view query) {
  query_pairs out;
  std::size_t p = 0;
  while (p <= query.size() && !query.empty()) {
    auto amp = query.find('&', p);
    auto part = query.substr(p, amp == std::string_view::npos ? std::string_view::npos : amp - p);
    if (!part.empty()) {
      auto eq = part.find('=');
      if (eq == std::string_view::npos)
        out.emplace_back(url_decode(part), "");
      else
        out.emplace_back(url_decode(part.substr(0, eq)), url_decode(part.substr(eq + 1)));
    }
    if (amp == std::string_view::npos)
      break;
    p = amp + 1;
  }
  return out;
}

std::string oauth_hmac_message(const query_pairs& pairs) {
  std::vector<std::pair<std::string, std::string>> kept;
  for (auto& [k, v] : pairs)
    if (k != "hmac" && k != "signature")
      kept.emplace_back(escape(k, true), escape(v, false));
  std::sort(kept.begin(), kept.end());
  std::string msg;
  for (auto& [k, v] : kept)
    msg += (msg.empty() ? "" : "&") + k + "=" + v;
  return msg;
}

bool verify_oauth_hmac(std::string_view query, const std::string& secret) {
  auto pairs = parse_query_string(query);
  auto given = find(pairs, "hmac");
  if (secret.empty() || given.size() != 64)
    return false;
  std::transform(given.begin(), given.end(), given.begin(), [](unsigned char c) { return std::tolower(c); });
  auto expected = hmac_sha256_hex(secret, oauth_hmac_message(pairs));
  return expected.size() == 64 && CRYPTO_memcmp(expected.data(), given.data(), 64) == 0;
}

result<std::string> begin_connect(state_store& db, const config& cfg, const std::string& store,
                                  std::chrono::system_clock::time_point now, std::chrono::seconds ttl) {
  auto* s = cfg.find_store(store);
  if (!s)
    return error{error_kind::auth_unknown_store, "unknown store \"" + store + "\""};
  if (s->auth != auth_method::authorization_code)
    return error{error_kind::auth_not_code_grant, "store \"" + store + "\" uses auth = \"" + to_string(s->auth) +
                                          "\"; connect is for auth = \"authorization_code\""};
  auto* app = cfg.find_app(s->app);
  if (!app)
    return error{error_kind::auth_unknown_app, "store \"" + store + "\" names no configured app"};
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1)
    return error{error_kind::auth_random, "no random bytes for the state"};
  static const char* digits = "0123456789abcdef";
  std::string state;
  for (auto b : raw) {
    state.push_back(digits[b >> 4]);
    state.push_back(digits[b & 15]);
  }
  if (auto st = db.put(column::meta, state_key(state), s->name + "\n" + std::to_string(unix_seconds(now + ttl))); !st)
    return st.error();
  std::string scopes;
  for (auto& sc : app->scopes)
    scopes += (scopes.empty() ? "" : ",") + sc;
  auto base = s->base_url.empty() ? "https://" + s->shop_domain : s->base_url;
  return base + "/admin/oauth/authorize?client_id=" + form_encode(app->client_id) + "&scope=" + form_encode(scopes) +
         "&redirect_uri=" + form_encode(app->redirect_uri) + "&state=" + state;
}

oauth_callback::oauth_callback(const config& cfg, state_store& db, boost::asio::io_context& io,
                               std::function<void(const std::string& store)> on_connected)
    : cfg_(cfg), db_(db), io_(io), on_connected_(std::move(on_connected)) {}

void oauth_callback::set_client_secrets(const config& cfg) {
  std::lock_guard lk(secrets_mu_);
  for (auto& app : cfg_.apps)
    if (auto* n = cfg.find_app(app.name))
      app.client_secret = n->client_secret;
}

std::string oauth_callback::client_secret(const app_config& app) {
  std::lock_guard lk(secrets_mu_);
  return app.client_secret;
}

void oauth_callback::handle(std::string_view query, reply_fn reply) {
  auto q = parse_query_string(query);
  auto shop = find(q, "shop");
  auto* store = cfg_.find_store_by_domain(shop);
  if (!store || store->auth != auth_method::authorization_code)
    return reply(400, "this link is not for a store shopsync connects (shop \"" + shop.substr(0, 100) + "\")\n");
  auto* app = cfg_.find_app(store->app);
  auto secret = app ? client_secret(*app) : std::string();
  if (!app || !verify_oauth_hmac(query, secret)) {
    spdlog::warn("oauth callback refused: bad hmac shop={}", store->shop_domain);
    return reply(401, "the link's signature does not verify\n");
  }
  auto owner = consume_state(db_, find(q, "state"), std::chrono::system_clock::now());
  if (!owner || *owner != store->name) {
    spdlog::warn("oauth callback refused: state shop={} ({})", store->shop_domain,
                 owner ? "issued for store " + *owner : owner.error().message);
    return reply(403, "this link is unknown, used or expired: run `shopsyncctl connect " + store->name +
                        "` again and open the new link\n");
  }
  auto code = find(q, "code");
  auto name = store->name;
  auto* db = &db_;
  auto notify = on_connected_;
  authorization_code_grant(io_, {store->shop_domain, store->base_url}, app->client_id, secret, code,
                           [db, name, notify, reply](result<oauth_token> r) {
                             if (!r) {
                               spdlog::error("store {}: the authorization code was not exchanged: {}", name,
                                             r.error().message);
                               return reply(502, "Shopify did not exchange the code (" + r.error().message +
                                                   "): run `shopsyncctl connect " + name + "` again\n");
                             }
                             if (auto st = db->put(column::meta, offline_token_key(name), r->access_token); !st)
                               return reply(503, "the token could not be stored: " + st.error().message + "\n");
                             spdlog::info("store {} connected (authorization code grant, scopes: {})", name, r->scope);
                             if (notify)
                               notify(name);
                             reply(200, "Store " + name + " is connected to shopsync. You may close this page.\n");
                           });
}

} // namespace shopsync
