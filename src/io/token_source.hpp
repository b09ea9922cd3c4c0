#pragma once
// Where a store's Admin API token comes from: one token source per store, asked by the admin
// client before every request and told about every 401/403.
//
//   static_token        the file's token (a legacy custom app); a refusal re-reads the file, so
//                       a token replaced in the file is picked up without a restart.
//   client_credentials  exchanged at the store's token endpoint with the app's client id and
//                       secret; kept in memory only (a restart asks for a new one: nothing on
//                       disk to steal or to go stale), replaced before it runs out
//                       (domain/token_lifetime), and at once after a refusal.
//   authorization_code  the offline token `shopsyncctl connect` obtained, read from the state
//                       store (meta "auth/token/<store>"); a refusal reads it again.
//
// Thread-safe. Callbacks run on an io thread, or inline when the token is at hand. Errors:
// "admin.unauthorized" (no token can be had: credentials refused, app not installed, store not
// connected; a person must act) or "admin.unavailable" (the token endpoint could not be reached).
#include "domain/config.hpp"
#include "domain/result.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace shopsync {

class state_store;

// The state store key of a store's offline token (column meta).
std::string offline_token_key(const std::string& store);

class token_source {
public:
  using callback = std::function<void(result<std::string>)>;
  virtual ~token_source() = default;

  // The token to send now (asking the token endpoint first when there is none or it is due).
  virtual void token(callback done) = 0;
  // `token` was refused by the Admin API: it is not handed out again (unless re-reading its
  // source yields it again, for the static and offline tokens).
  virtual void refused(const std::string& token) = 0;
  // Forget whatever is cached: the next token() obtains or reads one anew (a probe).
  virtual void reset() = 0;
  // The configuration was reloaded (SIGHUP): the store's token file or its app's client secret
  // may hold a new value, already read into `store` / `app`. The next token() uses it; a token
  // in hand stays valid until it is refused or due.
  virtual void update(const store_config& store, const app_config* app) {}
  virtual auth_method method() const noexcept = 0;
  // What to tell a merchant whose store is unauthorized with this source.
  virtual std::string remedy() const = 0;
  // How long the token in hand still lives; nullopt when none is held or it does not expire.
  virtual std::optional<std::chrono::seconds> expires_in() { return std::nullopt; }
};

struct token_source_options {
  store_config store;
  const app_config* app = nullptr; // required unless static_token (copied)
  boost::asio::io_context* io = nullptr; // the token endpoint's requests
  state_store* db = nullptr;             // authorization_code
};

std::shared_ptr<token_source> make_token_source(const token_source_options& o);

} // namespace shopsync
