#include "io/config_file.hpp"

#include "domain/public_url.hpp"

#include <toml++/toml.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <optional>
#include <type_traits>

namespace shopsync {
namespace {

namespace fs = std::filesystem;

error invalid(const std::string& key, const std::string& reason) {
  return error{error_kind::config_invalid, key + ": " + reason};
}

std::string at(const std::string& base, std::size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

std::string join(const std::string& base, const std::string& key) {
  return base.empty() ? key : base + "." + key;
}

const char* type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

std::string line_of(const toml::node& n) {
  auto line = n.source().begin.line;
  return line ? " (line " + std::to_string(line) + ")" : std::string();
}

error wrong_type(const std::string& key, const toml::node& n, const char* expected) {
  return invalid(key, std::string("expected ") + expected + ", got " + type_name(n.type()) +
                          line_of(n));
}

// Reads one TOML table into the model. The first problem is kept and every later call
// becomes a no-op, so reading code stays a straight list of fields.
class table_reader {
public:
  table_reader(const toml::table& t, std::string path, std::optional<error>& err)
      : t_(t), path_(std::move(path)), err_(err) {}

  // Every key of the table must be one of `known`; the first stray one (in file order) fails.
  void allow_only(std::initializer_list<const char*> known) {
    if (err_) return;
    const toml::node* stray = nullptr;
    std::string stray_key;
    for (auto&& [k, v] : t_) {
      // (a named copy: C++17 lambdas cannot capture a structured binding; clang refuses it)
      std::string_view name = k.str();
      bool ok = std::any_of(known.begin(), known.end(), [&](const char* n) { return name == n; });
      if (ok) continue;
      if (!stray || before(v, *stray)) {
        stray = &v;
        stray_key = std::string(k.str());
      }
    }
    if (stray)
      err_ = invalid(join(path_, stray_key), "unknown key" + line_of(*stray));
  }

  const toml::node* node(const char* key) const { return err_ ? nullptr : t_.get(key); }
  std::string key(const char* k) const { return join(path_, k); }

  void get(const char* k, std::string& out) {
    if (auto* n = node(k)) {
      if (auto* s = n->as_string())
        out = s->get();
      else
        err_ = wrong_type(key(k), *n, "a string");
    }
  }

  void get(const char* k, bool& out) {
    if (auto* n = node(k)) {
      if (auto* b = n->as_boolean())
        out = b->get();
      else
        err_ = wrong_type(key(k), *n, "a boolean (true or false)");
    }
  }

  template <class Int, class = std::enable_if_t<std::is_integral_v<Int>>>
  void get(const char* k, Int& out) {
    if (auto* n = node(k)) {
      if (auto v = integer<Int>(key(k), *n)) out = *v;
    }
  }

  // A count of `unit`s, stored as a std::chrono duration.
  template <class Duration, class Unit>
  void get_duration(const char* k, Duration& out, Unit unit) {
    auto* n = node(k);
    if (!n) return;
    std::int64_t v = 0;
    if (auto* i = n->as_integer())
      v = i->get();
    else
      return void(err_ = wrong_type(key(k), *n, "an integer"));
    using rep = typename Duration::rep;
    auto per = std::chrono::duration_cast<Duration>(unit).count();
    if (v > std::numeric_limits<rep>::max() / per || v < std::numeric_limits<rep>::min() / per)
      return void(err_ = invalid(key(k), std::to_string(v) + " is out of range" + line_of(*n)));
    out = Duration(v * per);
  }

  void get(const char* k, std::vector<std::string>& out) {
    auto* n = node(k);
    if (!n) return;
    auto* a = n->as_array();
    if (!a) return void(err_ = wrong_type(key(k), *n, "an array of strings"));
    std::vector<std::string> values;
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto& el = *a->get(i);
      if (auto* s = el.as_string())
        values.push_back(s->get());
      else
        return void(err_ = wrong_type(at(key(k), i), el, "a string"));
    }
    out = std::move(values);
  }

  template <class Int>
  void get(const char* k, std::vector<Int>& out) {
    auto* n = node(k);
    if (!n) return;
    auto* a = n->as_array();
    if (!a) return void(err_ = wrong_type(key(k), *n, "an array of integers"));
    std::vector<Int> values;
    for (std::size_t i = 0; i < a->size(); ++i) {
      auto v = integer<Int>(at(key(k), i), *a->get(i));
      if (!v) return;
      values.push_back(*v);
    }
    out = std::move(values);
  }

  // A string that must be one of a closed set, parsed by `parse` (e.g. parse_strategy).
  template <class Enum, class Parse>
  void get_enum(const char* k, Enum& out, Parse parse, const char* what, const char* expected) {
    auto* n = node(k);
    if (!n) return;
    auto* s = n->as_string();
    if (!s) return void(err_ = wrong_type(key(k), *n, "a string"));
    if (auto v = parse(s->get()))
      out = *v;
    else
      err_ = invalid(key(k), std::string("unknown ") + what + " \"" + s->get() + "\" (expected " +
                                 expected + ")" + line_of(*n));
  }

  void require(const char* k, const char* why) {
    if (!err_ && !t_.get(k)) err_ = invalid(key(k), std::string("required: ") + why);
  }

  // An array of tables ([[name]]) under this table; each element is handed to `each`.
  template <class Each>
  void tables(const char* k, Each each) {
    auto* n = node(k);
    if (!n) return;
    auto* a = n->as_array();
    if (!a || (!a->empty() && !a->is_array_of_tables()))
      return void(err_ = wrong_type(key(k), *n, "an array of tables ([[...]])"));
    for (std::size_t i = 0; i < a->size() && !err_; ++i)
      each(*a->get(i)->as_table(), at(key(k), i));
  }

  // A sub-table ([name]); `each` is not called when it is absent.
  template <class Each>
  void table(const char* k, Each each) {
    auto* n = node(k);
    if (!n) return;
    auto* t = n->as_table();
    if (!t) return void(err_ = wrong_type(key(k), *n, "a table ([...])"));
    each(*t, key(k));
  }

private:
  static bool before(const toml::node& a, const toml::node& b) {
    auto pa = a.source().begin, pb = b.source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  }

  template <class Int>
  std::optional<Int> integer(const std::string& k, const toml::node& n) {
    auto* i = n.as_integer();
    if (!i) {
      err_ = wrong_type(k, n, "an integer");
      return std::nullopt;
    }
    std::int64_t v = i->get();
    bool fits = std::is_signed_v<Int>
                    ? v >= static_cast<std::int64_t>(std::numeric_limits<Int>::min()) &&
                          v <= static_cast<std::int64_t>(std::numeric_limits<Int>::max())
                    : v >= 0 && static_cast<std::uint64_t>(v) <=
                                    static_cast<std::uint64_t>(std::numeric_limits<Int>::max());
    if (!fits) {
      err_ = invalid(k, std::to_string(v) + " is out of range" + line_of(n));
      return std::nullopt;
    }
    return static_cast<Int>(v);
  }

  const toml::table& t_;
  std::string path_;
  std::optional<error>& err_;
};

// "127.0.0.1:8080" or "[::1]:8080" → address and port; the address itself is checked by
// validate().
std::optional<error> parse_listen(const std::string& key, const std::string& v,
                                  daemon_config& d) {
  std::string host, port;
  if (!v.empty() && v.front() == '[') {
    auto close = v.find("]:");
    if (close == std::string::npos)
      return invalid(key, "\"" + v + "\" must be address:port (IPv6 as [addr]:port)");
    host = v.substr(1, close - 1);
    port = v.substr(close + 2);
  } else {
    auto colon = v.rfind(':');
    if (colon == std::string::npos || v.find(':') != colon)
      return invalid(key, "\"" + v + "\" must be address:port (IPv6 as [addr]:port)");
    host = v.substr(0, colon);
    port = v.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
    return invalid(key, "port must be between 1 and 65535 (got \"" + port + "\")");
  auto n = std::stoul(port);
  if (n > 65535) return invalid(key, "port must be between 1 and 65535 (got " + port + ")");
  d.listen_address = host;
  d.listen_port = static_cast<std::uint16_t>(n);
  return std::nullopt;
}

void read_daemon(const toml::table& t, const std::string& path, daemon_config& d,
                 std::optional<error>& err) {
  table_reader r(t, path, err);
  r.allow_only({"listen", "control_socket", "control_allowed_uids", "data_dir",
                "batching_window_ms", "reconcile_interval_s", "log_level", "dedup_retention_h",
                "inbox_retention_h", "audit_retention_days", "max_body_bytes", "io_threads",
                "scheduler_threads", "sync_writes", "app_id", "webhook_secret_files",
                "idempotency_key_max_age_s",
                "order_reconcile_interval_s", "order_reconcile_overlap_s", "order_reconcile_grace_s",
                "order_reconcile_page_size", "unauthorized_probe_s", "bulk_read_threshold",
                "verify_after_s"});
  std::string listen;
  r.get("listen", listen);
  if (!err && !listen.empty())
    if (auto e = parse_listen(r.key("listen"), listen, d)) err = e;
  if (!err && r.node("listen") && listen.empty())
    err = invalid(r.key("listen"), "must not be empty");
  r.get("control_socket", d.control_socket);
  r.get("control_allowed_uids", d.control_allowed_uids);
  r.get("data_dir", d.data_dir);
  r.get_duration("batching_window_ms", d.batching_window, std::chrono::milliseconds(1));
  r.get_duration("reconcile_interval_s", d.reconcile_interval, std::chrono::seconds(1));
  r.get("log_level", d.log_level);
  r.get_duration("dedup_retention_h", d.dedup_retention, std::chrono::hours(1));
  r.get_duration("inbox_retention_h", d.inbox_retention, std::chrono::hours(1));
  r.get_duration("audit_retention_days", d.audit_retention, std::chrono::hours(24));
  r.get("max_body_bytes", d.max_body_bytes);
  r.get("io_threads", d.io_threads);
  r.get("scheduler_threads", d.scheduler_threads);
  r.get("sync_writes", d.sync_writes);
  r.get("app_id", d.app_id);
  r.get("webhook_secret_files", d.webhook_secret_files);
  r.get_duration("idempotency_key_max_age_s", d.idempotency_key_max_age, std::chrono::seconds(1));
  r.get_duration("order_reconcile_interval_s", d.order_reconcile_interval, std::chrono::seconds(1));
  r.get("order_reconcile_overlap_s", d.order_reconcile.overlap_s);
  r.get("order_reconcile_grace_s", d.order_reconcile.grace_s);
  r.get("order_reconcile_page_size", d.order_reconcile.page_size);
  r.get_duration("unauthorized_probe_s", d.unauthorized_probe, std::chrono::seconds(1));
  r.get("bulk_read_threshold", d.bulk_read_threshold);
  r.get_duration("verify_after_s", d.verify_after, std::chrono::seconds(1));
}

void read_store(const toml::table& t, const std::string& path, store_config& s,
                std::optional<error>& err) {
  table_reader r(t, path, err);
  r.allow_only({"name", "shop_domain", "role", "base_url", "api_version", "access_token_file",
                "max_in_flight", "auth", "app"});
  r.get("name", s.name);
  r.get("shop_domain", s.shop_domain);
  r.require("role", "\"source\" or \"destination\"");
  r.get_enum("role", s.role, parse_store_role, "role", "source or destination");
  r.get("base_url", s.base_url);
  // "http://host:port/" and "http://host:port" mean the same; the model holds the latter.
  if (!s.base_url.empty() && s.base_url.back() == '/') s.base_url.pop_back();
  r.get("api_version", s.api_version);
  r.get("access_token_file", s.access_token_file);
  r.get("max_in_flight", s.max_in_flight);
  r.get("app", s.app);
  // A store naming an app and no method uses the app's client credentials.
  if (!s.app.empty()) s.auth = auth_method::client_credentials;
  r.get_enum("auth", s.auth, parse_auth_method, "auth method",
             "static_token, client_credentials or authorization_code");
}

void read_app(const toml::table& t, const std::string& path, app_config& a,
              std::optional<error>& err) {
  table_reader r(t, path, err);
  r.allow_only({"name", "client_id", "client_secret_file", "scopes", "redirect_uri"});
  r.get("name", a.name);
  r.get("client_id", a.client_id);
  r.get("client_secret_file", a.client_secret_file);
  r.get("scopes", a.scopes);
  r.get("redirect_uri", a.redirect_uri);
}

std::optional<bool> parse_locations(const std::string& v) {
  if (v == "by_name") return true;
  if (v == "explicit") return false;
  return std::nullopt;
}

std::optional<bool> parse_start(const std::string& v) {
  if (v == "plan") return true;
  if (v == "sync") return false;
  return std::nullopt;
}

// `start` and [groups.breaker].
void read_group_guard(const toml::table& t, const std::string& path, group_config& g,
                      std::optional<error>& err) {
  table_reader r(t, path, err);
  r.get_enum("start", g.start_with_plan, parse_start, "start", "plan or sync");
  r.table("breaker", [&](const toml::table& bt, const std::string& bpath) {
    table_reader br(bt, bpath, err);
    br.allow_only({"window_s", "max_share_percent", "max_levels", "min_levels"});
    br.get_duration("window_s", g.breaker.window, std::chrono::seconds(1));
    std::int64_t percent = -1;
    br.get("max_share_percent", percent);
    if (percent >= 0)
      g.breaker.max_share = static_cast<double>(percent) / 100.0;
    else if (bt.get("max_share_percent"))
      g.breaker.max_share = -1; // refused by validation, naming the key
    br.get("max_levels", g.breaker.max_levels);
    br.get("min_levels", g.breaker.min_levels);
  });
}

void read_group(const toml::table& t, const std::string& path, group_config& g,
                std::optional<error>& err) {
  table_reader r(t, path, err);
  r.allow_only({"name", "source", "destinations", "strategy", "match_by", "locations",
                "location_pairs", "orders", "options", "identifiers", "filter", "allocation",
                "location_sums", "start", "breaker"});
  r.get("name", g.name);
  r.get("source", g.source);
  r.get("destinations", g.destinations);
  r.require("strategy", "one_way, two_way, draft_order or order");
  r.get_enum("strategy", g.strategy, parse_strategy, "strategy",
             "one_way, two_way, draft_order or order");
  r.get_enum("match_by", g.match_by, parse_match_key, "match key", "handle, sku or barcode");
  r.get_enum("locations", g.locations_by_name, parse_locations, "location mapping",
             "by_name or explicit");
  r.tables("location_pairs", [&](const toml::table& pt, const std::string& ppath) {
    table_reader pr(pt, ppath, err);
    pr.allow_only({"source", "store", "destination"});
    location_pair p;
    pr.get("source", p.source);
    pr.get("store", p.store);
    pr.get("destination", p.destination);
    g.location_pairs.push_back(std::move(p));
  });
  r.table("options", [&](const toml::table& ot, const std::string& opath) {
    table_reader opr(ot, opath, err);
    opr.allow_only({"stock_unstocked"});
    opr.get("stock_unstocked", g.stock_unstocked);
  });
  r.table("identifiers", [&](const toml::table& it, const std::string& ipath) {
    table_reader ir(it, ipath, err);
    ir.allow_only({"case_fold", "strip_prefix"});
    ir.get("case_fold", g.identifiers.case_fold);
    ir.get("strip_prefix", g.identifiers.strip_prefix);
  });
  r.table("filter", [&](const toml::table& ft, const std::string& fpath) {
    table_reader fr(ft, fpath, err);
    fr.allow_only({"include_tags", "exclude_tags", "include_vendors", "exclude_vendors", "include_product_types",
                   "exclude_product_types"});
    auto& f = g.filter;
    fr.get("include_tags", f.include_tags);
    fr.get("exclude_tags", f.exclude_tags);
    fr.get("include_vendors", f.include_vendors);
    fr.get("exclude_vendors", f.exclude_vendors);
    fr.get("include_product_types", f.include_product_types);
    fr.get("exclude_product_types", f.exclude_product_types);
  });
  r.tables("allocation", [&](const toml::table& at_, const std::string& apath) {
    table_reader ar(at_, apath, err);
    ar.allow_only({"store", "tag", "buffer", "percent"});
    allocation_rule a;
    ar.get("store", a.store);
    ar.get("tag", a.tag);
    ar.get("buffer", a.rule.buffer);
    ar.get("percent", a.rule.percent);
    g.allocation.push_back(std::move(a));
  });
  r.tables("location_sums", [&](const toml::table& st, const std::string& spath) {
    table_reader sr(st, spath, err);
    sr.allow_only({"store", "destination", "sources"});
    location_sum ls;
    sr.get("store", ls.store);
    sr.get("destination", ls.destination);
    sr.get("sources", ls.sources);
    g.location_sums.push_back(std::move(ls));
  });
  read_group_guard(t, path, g, err);
  r.table("orders", [&](const toml::table& ot, const std::string& opath) {
    table_reader orr(ot, opath, err);
    orr.allow_only({"financial_statuses", "send_invoice", "name_prefix", "inventory_behaviour",
                    "financial_status", "origin_tag", "destination_hold_s", "lookup_window_s",
                    "source_name"});
    auto& o = g.orders;
    orr.get("financial_statuses", o.financial_statuses);
    orr.get("send_invoice", o.send_invoice);
    orr.get("name_prefix", o.name_prefix);
    orr.get("inventory_behaviour", o.inventory_behaviour);
    orr.get("financial_status", o.financial_status);
    orr.get("origin_tag", o.origin_tag);
    orr.get_duration("destination_hold_s", o.destination_hold, std::chrono::seconds(1));
    orr.get_duration("lookup_window_s", o.lookup_window, std::chrono::seconds(1));
    orr.get("source_name", o.source_name);
  });
}

// [webhooks]. Shopify delivers only to HTTPS; plain http is accepted for a loopback host so
// that the simulator and tests can use it.
void read_webhooks(const toml::table& t, const std::string& path, webhooks_config& w,
                   std::optional<error>& err) {
  table_reader r(t, path, err);
  r.allow_only({"public_url", "manage", "check_interval_s"});
  r.get("public_url", w.public_url);
  r.get("manage", w.manage);
  r.get_duration("check_interval_s", w.check_interval, std::chrono::seconds(1));
  if (err)
    return;
  if (auto* n = t.get("public_url"))
    if (auto why = public_url_problem(w.public_url))
      return void(err = invalid(r.key("public_url"), *why + line_of(*n)));
  if (auto* n = t.get("check_interval_s"); n && (w.check_interval.count() < 1 || w.check_interval.count() > 86400))
    err = invalid(r.key("check_interval_s"), "must be between 1 and 86400 seconds" + line_of(*n));
}

// Secrets are small; the cap keeps a mistaken path (/dev/zero) from eating memory.
constexpr std::size_t k_max_secret_bytes = 64 * 1024;

fs::path secret_path(const std::string& file, const fs::path& base_dir) {
  fs::path p(file);
  if (p.is_relative()) {
    const char* creds = std::getenv("CREDENTIALS_DIRECTORY");
    p = (creds && *creds ? fs::path(creds) : base_dir) / p;
  }
  return p;
}

result<std::string> read_secret(const std::string& key, const std::string& file,
                                const fs::path& base_dir) {
  fs::path p = secret_path(file, base_dir);
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return invalid(key, "cannot read " + p.string() + ": " + std::strerror(errno));
  std::string data;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return invalid(key, "cannot read " + p.string() + ": " + std::strerror(e));
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() > k_max_secret_bytes) {
      ::close(fd);
      return invalid(key, p.string() + " is larger than 64 KiB; is it the right file?");
    }
  }
  ::close(fd);
  while (!data.empty() && (data.back() == '\n' || data.back() == '\r' || data.back() == ' ' ||
                           data.back() == '\t'))
    data.pop_back();
  if (data.empty()) return invalid(key, p.string() + " is empty");
  return data;
}

std::optional<error> read_secrets(config& c, const fs::path& base_dir) {
  for (std::size_t i = 0; i < c.stores.size(); ++i) {
    auto& s = c.stores[i];
    if (s.access_token_file.empty()) continue; // validate() names the missing key
    auto token = read_secret(at("stores", i) + ".access_token_file", s.access_token_file, base_dir);
    if (!token) return token.error();
    s.access_token = std::move(token.value());
    s.access_token_path = secret_path(s.access_token_file, base_dir).string();
  }
  for (std::size_t i = 0; i < c.apps.size(); ++i) {
    auto& a = c.apps[i];
    if (a.client_secret_file.empty()) continue; // validate() names the missing key
    auto secret = read_secret(at("apps", i) + ".client_secret_file", a.client_secret_file, base_dir);
    if (!secret) return secret.error();
    a.client_secret = std::move(secret.value());
  }
  auto& d = c.daemon;
  d.webhook_secrets.clear();
  for (std::size_t i = 0; i < d.webhook_secret_files.size(); ++i) {
    if (d.webhook_secret_files[i].empty()) continue;
    auto secret = read_secret(at("daemon.webhook_secret_files", i), d.webhook_secret_files[i], base_dir);
    if (!secret) return secret.error();
    d.webhook_secrets.push_back(std::move(secret.value()));
  }
  // Shopify signs webhooks with the app's client secret: without secret files, those are the keys.
  if (d.webhook_secret_files.empty())
    for (auto& a : c.apps)
      if (!a.client_secret.empty()) d.webhook_secrets.push_back(a.client_secret);
  return std::nullopt;
}

} // namespace

result<std::string> read_secret_file(const std::string& key, const std::string& path) {
  return read_secret(key, path, fs::path("/"));
}

result<config> parse_config(const std::string& toml_text, const std::string& origin,
                            const std::string& base_dir) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    const auto& at_ = e.source().begin;
    return error{error_kind::config_invalid, origin + ":" + std::to_string(at_.line) + ":" +
                                       std::to_string(at_.column) + ": syntax error: " +
                                       std::string(e.description())};
  }
  config c;
  std::optional<error> err;
  table_reader r(root, "", err);
  r.allow_only({"daemon", "stores", "groups", "webhooks", "apps"});
  r.table("webhooks", [&](const toml::table& t, const std::string& p) { read_webhooks(t, p, c.webhooks, err); });
  r.table("daemon", [&](const toml::table& t, const std::string& p) { read_daemon(t, p, c.daemon, err); });
  r.tables("stores", [&](const toml::table& t, const std::string& p) {
    c.stores.emplace_back();
    read_store(t, p, c.stores.back(), err);
  });
  r.tables("groups", [&](const toml::table& t, const std::string& p) {
    c.groups.emplace_back();
    read_group(t, p, c.groups.back(), err);
  });
  r.tables("apps", [&](const toml::table& t, const std::string& p) {
    c.apps.emplace_back();
    read_app(t, p, c.apps.back(), err);
  });
  if (err) return *err;
  if (auto e = read_secrets(c, fs::path(base_dir))) return *e;
  if (auto s = validate(c); !s) return s.error();
  return c;
}

result<config> load_config(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return error{error_kind::config_invalid, "cannot read configuration " + path + ": " + std::strerror(errno)};
  std::string text;
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return error{error_kind::config_invalid, "cannot read configuration " + path + ": " + std::strerror(e)};
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  std::error_code ec;
  auto abs = fs::absolute(path, ec);
  auto dir = ec ? fs::path(path).parent_path() : abs.parent_path();
  return parse_config(text, path, dir.string());
}

} // namespace shopsync
