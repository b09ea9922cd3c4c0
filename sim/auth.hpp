#pragma once
// The app's side of Shopify's authentication, as the simulator plays it: one app (client id,
// client secret = the webhook signing secret, like Shopify's), installed in every store of the
// scenario. It issues and checks Admin API tokens:
//   - each store's static token (a legacy custom app's shpat_), valid until revoked;
//   - client credentials grant → a token that expires after token_lifetime_s (real seconds,
//     not scaled: tests make it a few seconds);
//   - authorization code grant: the authorize endpoint approves at once (as a merchant clicking
//     "Install") and redirects to redirect_uri with code, hmac, host, shop, state, timestamp;
//     the code is exchanged once for an offline token that does not expire.
// Revoking a store's tokens, uninstalling (every token dead, grants refused) and installing
// again are test controls. Thread-safe.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace shopsync::sim {

struct auth_settings {
  std::string client_id = "sim-client-id";
  std::string client_secret; // the scenario's app_secret
  std::int64_t token_lifetime_s = 86399;
  std::string scope = "read_products,read_locations,read_inventory,write_inventory,read_orders,write_orders,"
                      "read_draft_orders,write_draft_orders";
};

struct auth_answer {
  int status = 200;
  std::string body;
  std::string location; // a redirect's Location
};

class app_auth {
public:
  explicit app_auth(auth_settings s) : s_(std::move(s)) {}

  enum class verdict { ok, unknown, expired, revoked };
  void reset();
  void add_static(const std::string& shop, const std::string& token);
  verdict verify(const std::string& shop, const std::string& token);

  // POST /admin/oauth/access_token (form-encoded or JSON body).
  auth_answer token_endpoint(const std::string& shop, const std::string& body);
  // GET /admin/oauth/authorize?client_id&scope&redirect_uri&state
  auth_answer authorize(const std::string& shop, const std::string& query);

  void revoke(const std::string& shop);
  void uninstall(const std::string& shop);
  // Installs again; a new static token for the store when `static_token` is not empty.
  void install(const std::string& shop, const std::string& static_token);
  void set_lifetime(std::int64_t seconds);
  bool installed(const std::string& shop);
  std::string stats_json(const std::string& shop);

private:
  struct token_rec {
    std::string shop;
    std::int64_t expires_ms = 0; // 0: never
    bool revoked = false;
    std::string kind; // static | client_credentials | offline
  };
  struct code_rec {
    std::string shop;
    std::int64_t expires_ms = 0;
    bool used = false;
  };
  struct counters {
    int client_credentials = 0, code_grants = 0, refused_grants = 0, refused_requests = 0;
  };
  std::string issue(const std::string& shop, const char* kind, std::int64_t lifetime_s);

  auth_settings s_;
  std::mutex mu_;
  std::map<std::string, token_rec> tokens_;
  std::map<std::string, code_rec> codes_;
  std::map<std::string, bool> uninstalled_;
  std::map<std::string, counters> counts_;
  std::uint64_t next_ = 1;
};

} // namespace shopsync::sim
