#pragma once
// The authorization code grant, for a store outside the app's organization:
//   1. `shopsyncctl connect <store>` → begin_connect(): a random `state`, persisted (meta
//      "auth/state/<state>": store and expiry; single-use), and the install URL
//      https://{shop}/admin/oauth/authorize?client_id=…&scope=…&redirect_uri=…&state=…
//   2. the store's owner opens it and approves; Shopify redirects the browser to
//      redirect_uri (nginx → shopsyncd GET /auth/callback) with code, shop, state, timestamp,
//      hmac;
//   3. oauth_callback::handle(): the hmac (hex HMAC-SHA256 of the other parameters, decoded,
//      sorted by name, joined as k=v&…, keyed with the app's client secret) is checked first,
//      then the state is consumed (it must exist, be unexpired and belong to that shop), then
//      the code is exchanged at the token endpoint and the offline token stored in the state
//      store (token_source reads it), and on_connected(store) tells the daemon.
// Thread-safe; handle() answers through `reply` on an io thread.
#include "domain/config.hpp"
#include "domain/result.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shopsync {

class state_store;

using query_pairs = std::vector<std::pair<std::string, std::string>>;

// a=1&b=x%20y → {{"a","1"},{"b","x y"}} (percent and '+' decoded), in order.
query_pairs parse_query_string(std::string_view query);
// The message Shopify signs: every pair but hmac and signature, sorted by name, k=v joined by
// '&' ('%' and '&' escaped in names and values, '=' in names, as Shopify's docs say).
std::string oauth_hmac_message(const query_pairs& pairs);
// True when the query's `hmac` is the hex HMAC of oauth_hmac_message under `secret`
// (constant-time comparison; an empty secret or hmac never verifies).
bool verify_oauth_hmac(std::string_view query, const std::string& secret);

// Step 1: the install URL; the state is persisted before it is returned. Errors name the
// store: unknown, or not configured for auth = "authorization_code".
result<std::string> begin_connect(state_store& db, const config& cfg, const std::string& store,
                                  std::chrono::system_clock::time_point now,
                                  std::chrono::seconds ttl = std::chrono::minutes(30));

class oauth_callback {
public:
  using reply_fn = std::function<void(int status, std::string body)>;
  oauth_callback(const config& cfg, state_store& db, boost::asio::io_context& io,
                 std::function<void(const std::string& store)> on_connected);
  // `query`: the callback's query string (after '?').
  void handle(std::string_view query, reply_fn reply);
  // SIGHUP: the apps' client secrets read again (the rest of `cfg` is not taken over).
  void set_client_secrets(const config& cfg);

private:
  std::string client_secret(const app_config& app);
  config cfg_;
  std::mutex secrets_mu_; // guards the apps' client_secret in cfg_
  state_store& db_;
  boost::asio::io_context& io_;
  std::function<void(const std::string&)> on_connected_;
};

} // namespace shopsync
