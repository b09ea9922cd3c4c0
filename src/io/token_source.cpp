#include "io/token_source.hpp"

#include "domain/token_lifetime.hpp"
#include "io/config_file.hpp"
#include "io/oauth_client.hpp"
#include "io/state_store.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <vector>

namespace shopsync {

std::string offline_token_key(const std::string& store) { return "auth/token/" + store; }

namespace {

std::chrono::milliseconds steady_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch());
}

class static_source final : public token_source {
public:
  explicit static_source(store_config s) : store_(std::move(s)), token_(store_.access_token) {}

  void token(callback done) override {
    std::string t;
    {
      std::lock_guard lk(mu_);
      t = token_;
    }
    done(t);
  }
  void refused(const std::string& t) override {
    std::lock_guard lk(mu_);
    if (t == token_)
      reread();
  }
  void reset() override {
    std::lock_guard lk(mu_);
    reread();
  }
  void update(const store_config& s, const app_config*) override {
    std::lock_guard lk(mu_); // the file's name (remedy) stays the one the daemon started with
    store_.access_token_path = s.access_token_path;
    if (!s.access_token.empty())
      token_ = s.access_token;
  }
  auth_method method() const noexcept override { return auth_method::static_token; }
  std::string remedy() const override {
    return "the token in " + store_.access_token_file +
           " was refused: put a working Admin API token (shpat_...) of the store's app in that file; "
           "shopsync picks it up by itself";
  }

private:
  void reread() {
    if (store_.access_token_path.empty())
      return;
    auto t = read_secret_file("stores." + store_.name + ".access_token_file", store_.access_token_path);
    if (!t)
      spdlog::warn("token file of store {} unreadable: {}", store_.name, t.error().message);
    else if (*t != token_) {
      spdlog::info("store {}: a new token was found in {}", store_.name, store_.access_token_file);
      token_ = std::move(*t);
    }
  }

  store_config store_;
  std::mutex mu_;
  std::string token_;
};

// The token endpoint's refusals are a person's business; anything else is worth another try.
error grant_error(const error& e, const std::string& what) {
  if (e.kind == error_kind::auth_refused)
    return error{error_kind::admin_unauthorized, what + " refused: " + e.message};
  return error{error_kind::admin_unavailable, what + ": " + e.message};
}

// A source that keeps one token and forgets it when it is refused or on a reset: its next
// token() obtains (client credentials) or reads (offline token) one anew.
class forgetting_source : public token_source {
public:
  void refused(const std::string& t) override {
    std::lock_guard lk(mu_);
    if (t == token_)
      token_.clear();
  }
  void reset() override {
    std::lock_guard lk(mu_);
    token_.clear();
  }

protected:
  std::mutex mu_;
  std::string token_;
};

class client_credentials_source final : public forgetting_source,
                                        public std::enable_shared_from_this<client_credentials_source> {
public:
  client_credentials_source(store_config s, app_config app, boost::asio::io_context& io)
      : store_(std::move(s)), app_(std::move(app)), io_(io) {}

  void token(callback done) override {
    std::unique_lock lk(mu_);
    if (!token_.empty() && !lifetime_.needs_refresh(steady_now())) {
      auto t = token_;
      lk.unlock();
      return done(t);
    }
    waiters_.push_back(std::move(done));
    if (fetching_)
      return;
    fetching_ = true;
    lk.unlock();
    fetch();
  }
  void update(const store_config&, const app_config* app) override {
    std::lock_guard lk(mu_);
    if (app && app->name == app_.name)
      app_.client_secret = app->client_secret; // the rest of the app is not reloaded
  }
  auth_method method() const noexcept override { return auth_method::client_credentials; }
  std::optional<std::chrono::seconds> expires_in() override {
    std::lock_guard lk(mu_);
    if (token_.empty() || !lifetime_.expires_in)
      return std::nullopt;
    auto end = lifetime_.asked_at + std::chrono::duration_cast<std::chrono::milliseconds>(*lifetime_.expires_in);
    return std::chrono::duration_cast<std::chrono::seconds>(end - steady_now());
  }
  std::string remedy() const override {
    return "the client credentials of app \"" + app_.name +
           "\" were refused or its token does not work: check that the app is installed in " + store_.shop_domain +
           " (Dev Dashboard > the app > Installs), that client_id and the secret in " + app_.client_secret_file +
           " are the app's current ones, and that the store belongs to the app's organization; "
           "shopsync retries by itself";
  }

private:
  void fetch() {
    auto asked = steady_now();
    auto self = shared_from_this();
    app_config app;
    {
      std::lock_guard lk(mu_); // update() may replace the secret meanwhile
      app = app_;
    }
    client_credentials_grant(io_, {store_.shop_domain, store_.base_url}, app.client_id, app.client_secret,
                             [self, asked](result<oauth_token> r) { self->fetched(asked, std::move(r)); });
  }

  void fetched(std::chrono::milliseconds asked, result<oauth_token> r) {
    std::vector<callback> waiters;
    result<std::string> out = error{error_kind::admin_unavailable, ""};
    {
      std::lock_guard lk(mu_);
      fetching_ = false;
      waiters.swap(waiters_);
      if (r) {
        token_ = r->access_token;
        lifetime_ = token_lifetime{asked, r->expires_in};
        out = token_;
        spdlog::debug("store {}: new access token (client credentials), expires_in={}s", store_.name,
                      r->expires_in ? r->expires_in->count() : -1);
      } else {
        out = grant_error(r.error(), "client credentials grant of app \"" + app_.name + "\"");
      }
    }
    for (auto& w : waiters)
      w(out);
  }

  store_config store_;
  app_config app_;
  boost::asio::io_context& io_;
  token_lifetime lifetime_;
  bool fetching_ = false;
  std::vector<callback> waiters_;
};

class offline_source final : public forgetting_source {
public:
  offline_source(store_config s, state_store* db) : store_(std::move(s)), db_(db) {}

  void token(callback done) override {
    std::unique_lock lk(mu_);
    if (token_.empty())
      reread();
    auto t = token_;
    lk.unlock();
    if (t.empty())
      return done(error{error_kind::admin_unauthorized, "store " + store_.name + " is not connected yet"});
    done(t);
  }
  auth_method method() const noexcept override { return auth_method::authorization_code; }
  std::string remedy() const override {
    return "no working offline token: run `shopsyncctl connect " + store_.name +
           "` and have the store's owner open the URL it prints; shopsync resumes by itself";
  }

private:
  void reread() {
    if (!db_)
      return;
    auto v = db_->get(column::meta, offline_token_key(store_.name));
    if (v && *v)
      token_ = **v;
  }

  store_config store_;
  state_store* db_;
};

} // namespace

std::shared_ptr<token_source> make_token_source(const token_source_options& o) {
  switch (o.store.auth) {
  case auth_method::client_credentials:
    if (o.app && o.io)
      return std::make_shared<client_credentials_source>(o.store, *o.app, *o.io);
    break;
  case auth_method::authorization_code:
    return std::make_shared<offline_source>(o.store, o.db);
  case auth_method::static_token:
    break;
  }
  return std::make_shared<static_source>(o.store);
}

} // namespace shopsync
