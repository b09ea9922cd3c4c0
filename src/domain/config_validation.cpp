// validate(): the rules a configuration must keep before shopsyncd starts. The first broken
// rule wins, named by its key path as the TOML file spells it ("stores[1].shop_domain",
// "daemon.batching_window_ms"), so that one message tells the operator what to fix.
#include "domain/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

namespace shopsync {
namespace {

status fail(const std::string& key, const std::string& reason) {
  return error{error_kind::config_invalid, key + ": " + reason};
}

std::string at(const std::string& base, std::size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

template <class T>
std::string range_reason(T lo, T hi, T got, const char* unit = "") {
  return "must be between " + std::to_string(lo) + unit + " and " + std::to_string(hi) + unit +
         " (got " + std::to_string(got) + unit + ")";
}

bool is_label_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
}

// RFC 1123 host name: dot-separated labels of letters, digits and hyphens, 1..63 each, not
// starting or ending with a hyphen, 253 characters at most.
bool is_host_name(const std::string& s, std::size_t min_labels) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t labels = 0, start = 0;
  while (true) {
    auto dot = s.find('.', start);
    auto label = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    if (!std::all_of(label.begin(), label.end(), is_label_char)) return false;
    ++labels;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return labels >= min_labels;
}

bool is_ip_literal(const std::string& s) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool is_port(const std::string& s) {
  if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) return false;
  auto n = std::stoul(s);
  return n >= 1 && n <= 65535;
}

// http(s)://host[:port] and nothing after it: the admin client appends /admin/api/...
std::optional<std::string> base_url_problem(const std::string& url) {
  auto l = lower(url);
  std::string rest;
  if (l.rfind("https://", 0) == 0)
    rest = url.substr(8);
  else if (l.rfind("http://", 0) == 0)
    rest = url.substr(7);
  else
    return std::string("must start with http:// or https://");
  if (rest.find_first_of("/?#@ ") != std::string::npos)
    return std::string("must be scheme://host[:port] with no path, query or user part");
  std::string host = rest, port;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) return std::string("unterminated [IPv6] host");
    host = rest.substr(1, close - 1);
    auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::string("unexpected text after the [IPv6] host");
      port = after.substr(1);
      if (!is_port(port)) return std::string("port must be between 1 and 65535");
    }
    unsigned char buf[16];
    if (::inet_pton(AF_INET6, host.c_str(), buf) != 1)
      return std::string("invalid IPv6 address ") + quoted(host);
    return std::nullopt;
  }
  auto colon = rest.find(':');
  if (colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (!is_port(port)) return std::string("port must be between 1 and 65535");
  }
  if (!is_host_name(host, 1) && !is_ip_literal(host))
    return std::string("invalid host ") + quoted(host);
  return std::nullopt;
}

// Shopify's stable API versions are quarterly: YYYY-01, -04, -07, -10.
bool is_api_version(const std::string& v) {
  if (v.size() != 7 || v[4] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6})
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
  auto month = v.substr(5);
  return month == "01" || month == "04" || month == "07" || month == "10";
}

bool one_of(const std::string& v, std::initializer_list<const char*> allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return v == a; });
}

std::string list(std::initializer_list<const char*> allowed) {
  std::string out;
  for (auto a : allowed) out += (out.empty() ? "" : ", ") + std::string(a);
  return out;
}

// Filters on the Destination order's financial_status (webhook values) plus "any".
const std::initializer_list<const char*> k_financial_statuses = {
    "pending", "authorized", "partially_paid", "paid", "partially_refunded",
    "refunded", "voided", "any"};
// OrderCreateInputsInventoryBehavior in the Admin API 2026-10 schema.
const std::initializer_list<const char*> k_inventory_behaviours = {
    "BYPASS", "DECREMENT_IGNORING_POLICY", "DECREMENT_OBEYING_POLICY"};
// OrderCreateFinancialStatus in the Admin API 2026-10 schema.
const std::initializer_list<const char*> k_created_financial_statuses = {
    "AUTHORIZED", "EXPIRED", "PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED",
    "PENDING", "REFUNDED", "VOIDED"};
const std::initializer_list<const char*> k_log_levels = {
    "trace", "debug", "info", "warn", "error", "critical", "off"};

constexpr std::size_t k_sun_path_max = 107; // sizeof(sockaddr_un::sun_path) - 1 on Linux

bool is_inventory(sync_strategy s) {
  return s == sync_strategy::one_way || s == sync_strategy::two_way;
}

status validate_daemon(const daemon_config& d, bool has_apps) {
  if (d.listen_address.empty() || !is_ip_literal(d.listen_address))
    return fail("daemon.listen", "address " + quoted(d.listen_address) +
                                     " must be an IPv4 or IPv6 literal (e.g. 127.0.0.1:8080)");
  if (d.listen_port < 1)
    return fail("daemon.listen", "port must be between 1 and 65535");
  if (d.control_socket.empty() || d.control_socket.front() != '/')
    return fail("daemon.control_socket", "must be an absolute path (got " +
                                             quoted(d.control_socket) + ")");
  if (d.control_socket.back() == '/')
    return fail("daemon.control_socket", "must name a file, not a directory");
  if (d.control_socket.size() > k_sun_path_max)
    return fail("daemon.control_socket", "longer than the " + std::to_string(k_sun_path_max) +
                                             " bytes a Unix socket path may have");
  for (std::size_t i = 0; i < d.control_allowed_uids.size(); ++i)
    if (d.control_allowed_uids[i] == 0xFFFFFFFFu)
      return fail(at("daemon.control_allowed_uids", i), "4294967295 is not a valid uid");
  if (d.data_dir.empty()) return fail("daemon.data_dir", "must not be empty");
  auto bw = d.batching_window.count();
  if (bw < 1 || bw > 10000) return fail("daemon.batching_window_ms", range_reason<long long>(1, 10000, bw));
  auto ri = d.reconcile_interval.count();
  if (ri < 10 || ri > 86400)
    return fail("daemon.reconcile_interval_s", range_reason<long long>(10, 86400, ri));
  auto ori = d.order_reconcile_interval.count();
  if (ori < 1 || ori > 86400)
    return fail("daemon.order_reconcile_interval_s", range_reason<long long>(1, 86400, ori));
  if (d.order_reconcile.overlap_s < 0 || d.order_reconcile.overlap_s > 86400)
    return fail("daemon.order_reconcile_overlap_s", range_reason<long long>(0, 86400, d.order_reconcile.overlap_s));
  if (d.order_reconcile.grace_s < 0 || d.order_reconcile.grace_s > 3600)
    return fail("daemon.order_reconcile_grace_s", range_reason<long long>(0, 3600, d.order_reconcile.grace_s));
  if (d.order_reconcile.page_size < 1 || d.order_reconcile.page_size > 250)
    return fail("daemon.order_reconcile_page_size", range_reason<long long>(1, 250, d.order_reconcile.page_size));
  if (d.bulk_read_threshold > 100'000'000)
    return fail("daemon.bulk_read_threshold",
                range_reason<long long>(0, 100'000'000, static_cast<long long>(d.bulk_read_threshold)));
  if (auto va = d.verify_after.count(); va < 1 || va > 3600)
    return fail("daemon.verify_after_s", range_reason<long long>(1, 3600, va));
  if (!one_of(d.log_level, k_log_levels))
    return fail("daemon.log_level", "unknown level " + quoted(d.log_level) + " (expected " +
                                        list(k_log_levels) + ")");
  // Shopify retries a failed delivery for 4 hours: a shorter dedup window would let a retry
  // through as a new event.
  auto dedup_h = d.dedup_retention.count() / 3600;
  if (d.dedup_retention.count() < 5 * 3600 || d.dedup_retention.count() > 720 * 3600)
    return fail("daemon.dedup_retention_h",
                range_reason<long long>(5, 720, dedup_h) + ": Shopify retries a webhook for 4 h");
  auto inbox_h = d.inbox_retention.count() / 3600;
  if (d.inbox_retention.count() < 3600 || d.inbox_retention.count() > 720 * 3600)
    return fail("daemon.inbox_retention_h", range_reason<long long>(1, 720, inbox_h));
  auto audit_d = d.audit_retention.count() / 86400;
  if (d.audit_retention.count() < 86400 || d.audit_retention.count() > 30 * 86400)
    return fail("daemon.audit_retention_days", range_reason<long long>(1, 30, audit_d));
  if (d.max_body_bytes < 1024 || d.max_body_bytes > 64ull * 1024 * 1024)
    return fail("daemon.max_body_bytes",
                range_reason<unsigned long long>(1024, 64ull * 1024 * 1024, d.max_body_bytes));
  if (d.io_threads < 1 || d.io_threads > 64)
    return fail("daemon.io_threads", range_reason(1, 64, d.io_threads));
  if (d.scheduler_threads < 1 || d.scheduler_threads > 64)
    return fail("daemon.scheduler_threads", range_reason(1, 64, d.scheduler_threads));
  // Shopify does not publish how long it keeps an idempotency key; an hour is well inside
  // what such windows usually are (a day), and a day is the most we would ever trust.
  auto key_age = d.idempotency_key_max_age.count();
  if (key_age < 1 || key_age > 86400)
    return fail("daemon.idempotency_key_max_age_s", range_reason<long long>(1, 86400, key_age));
  auto probe = d.unauthorized_probe.count();
  if (probe < 1 || probe > 3600)
    return fail("daemon.unauthorized_probe_s", range_reason<long long>(1, 3600, probe));
  if (d.webhook_secret_files.empty() && !has_apps)
    return fail("daemon.webhook_secret_files",
                "at least one webhook secret file is needed to verify Shopify's signatures "
                "(or an [[apps]] table: its client secret signs the webhooks)");
  for (std::size_t i = 0; i < d.webhook_secret_files.size(); ++i)
    if (d.webhook_secret_files[i].empty())
      return fail(at("daemon.webhook_secret_files", i), "must not be empty");
  return ok_status();
}

status validate_stores(const std::vector<store_config>& stores) {
  if (stores.empty()) return fail("stores", "at least one store is needed ([[stores]])");
  std::map<std::string, std::size_t> names, domains;
  for (std::size_t i = 0; i < stores.size(); ++i) {
    const auto& s = stores[i];
    const auto key = at("stores", i);
    if (s.name.empty()) return fail(key + ".name", "must not be empty");
    if (auto [it, fresh] = names.emplace(s.name, i); !fresh)
      return fail(key + ".name", "duplicate store name " + quoted(s.name) + " (also " +
                                     at("stores", it->second) + ")");
    if (s.shop_domain.empty()) return fail(key + ".shop_domain", "must not be empty");
    if (!is_host_name(s.shop_domain, 2))
      return fail(key + ".shop_domain",
                  quoted(s.shop_domain) + " is not a host name (expected e.g. name.myshopify.com)");
    if (auto [it, fresh] = domains.emplace(lower(s.shop_domain), i); !fresh)
      return fail(key + ".shop_domain", "duplicate shop domain " + quoted(s.shop_domain) +
                                            " (also " + at("stores", it->second) + ")");
    if (!s.base_url.empty())
      if (auto problem = base_url_problem(s.base_url))
        return fail(key + ".base_url", quoted(s.base_url) + ": " + *problem);
    if (!is_api_version(s.api_version))
      return fail(key + ".api_version",
                  quoted(s.api_version) + " is not a Shopify API version (YYYY-01|04|07|10)");
    if (s.auth == auth_method::static_token && s.access_token_file.empty())
      return fail(key + ".access_token_file", "required: the file that holds the access token "
                                              "(or auth = \"client_credentials\" with an app)");
    if (s.max_in_flight < 1 || s.max_in_flight > 16)
      return fail(key + ".max_in_flight", range_reason(1, 16, s.max_in_flight));
  }
  return ok_status();
}

status validate_locations(const group_config& g, const std::string& key) {
  if (g.locations_by_name) {
    if (!g.location_pairs.empty())
      return fail(key + ".location_pairs",
                  "pairs are only used with locations = \"explicit\" (this group maps by name)");
    return ok_status();
  }
  if (g.location_pairs.empty() && g.location_sums.empty())
    return fail(key + ".location_pairs",
                "locations = \"explicit\" needs at least one [[groups.location_pairs]]");
  std::set<std::pair<std::string, std::string>> by_source, by_destination;
  for (std::size_t j = 0; j < g.location_pairs.size(); ++j) {
    const auto& p = g.location_pairs[j];
    const auto pkey = at(key + ".location_pairs", j);
    if (p.source.empty()) return fail(pkey + ".source", "must name a Source location");
    if (p.store.empty()) return fail(pkey + ".store", "must name one of the group's destinations");
    if (std::find(g.destinations.begin(), g.destinations.end(), p.store) == g.destinations.end())
      return fail(pkey + ".store", quoted(p.store) + " is not a destination of group " +
                                       quoted(g.name));
    if (p.destination.empty())
      return fail(pkey + ".destination", "must name a location of store " + quoted(p.store));
    if (!by_source.emplace(p.store, p.source).second)
      return fail(pkey + ".source", "Source location " + quoted(p.source) +
                                        " is paired twice for store " + quoted(p.store));
    // Two Source locations writing one Destination location would overwrite each other.
    if (!by_destination.emplace(p.store, p.destination).second)
      return fail(pkey + ".destination", "location " + quoted(p.destination) + " of store " +
                                             quoted(p.store) + " is paired twice");
  }
  return ok_status();
}

status validate_orders(const group_config& g, const std::string& key) {
  const auto& o = g.orders;
  const auto okey = key + ".orders";
  if (o.financial_statuses.empty())
    return fail(okey + ".financial_statuses", "at least one status is needed (e.g. [\"paid\"])");
  for (std::size_t k = 0; k < o.financial_statuses.size(); ++k)
    if (!one_of(o.financial_statuses[k], k_financial_statuses))
      return fail(at(okey + ".financial_statuses", k),
                  "unknown financial status " + quoted(o.financial_statuses[k]) + " (expected " +
                      list(k_financial_statuses) + ")");
  if (o.origin_tag.empty())
    return fail(okey + ".origin_tag", "must not be empty: it is how shopsync recognises its own orders");
  // Shopify's search can lag a create by seconds; less than 5 s would re-create orders that
  // are only not visible yet, more than an hour leaves an order waiting too long.
  auto window = o.lookup_window.count();
  if (window < 5 || window > 3600)
    return fail(okey + ".lookup_window_s", range_reason<long long>(5, 3600, window));
  for (char c : o.source_name)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '-' || c == '_' || c == ':' || c == '.'))
      return fail(okey + ".source_name",
                  "not an order attribution handle (lower-case letters, digits, - _ : .): " +
                      quoted(o.source_name));
  if (g.strategy == sync_strategy::order) {
    if (!one_of(o.inventory_behaviour, k_inventory_behaviours))
      return fail(okey + ".inventory_behaviour", "unknown value " + quoted(o.inventory_behaviour) +
                                                     " (expected " + list(k_inventory_behaviours) + ")");
    if (!one_of(o.financial_status, k_created_financial_statuses))
      return fail(okey + ".financial_status", "unknown value " + quoted(o.financial_status) +
                                                  " (expected " + list(k_created_financial_statuses) + ")");
    auto hold = o.destination_hold.count();
    if (hold < 0 || hold > 3600)
      return fail(okey + ".destination_hold_s", range_reason<long long>(0, 3600, hold));
  }
  return ok_status();
}

// The merchant's controls: identifier normalisation, product filter, allocation,
// location sums.
status validate_controls(const group_config& g, const std::string& key) {
  if (auto why = strip_prefix_problem(g.identifiers.strip_prefix))
    return fail(key + ".identifiers.strip_prefix", *why);
  if (!g.identifiers.identity() && g.match_by == match_key::handle)
    return fail(key + ".identifiers", "normalises SKUs and barcodes; this group matches by handle");
  const auto fkey = key + ".filter";
  struct named_list {
    const char* name;
    const std::vector<std::string>* list;
    bool is_tag;
  };
  const named_list lists[] = {{"include_tags", &g.filter.include_tags, true},
                              {"exclude_tags", &g.filter.exclude_tags, true},
                              {"include_vendors", &g.filter.include_vendors, false},
                              {"exclude_vendors", &g.filter.exclude_vendors, false},
                              {"include_product_types", &g.filter.include_product_types, false},
                              {"exclude_product_types", &g.filter.exclude_product_types, false}};
  for (const auto& l : lists)
    for (std::size_t j = 0; j < l.list->size(); ++j)
      if (auto why = filter_name_problem((*l.list)[j], l.is_tag))
        return fail(at(fkey + "." + l.name, j), *why);
  const bool two_way = g.strategy == sync_strategy::two_way;
  for (std::size_t j = 0; j < g.allocation.size(); ++j) {
    const auto& a = g.allocation[j];
    const auto akey = at(key + ".allocation", j);
    if (two_way)
      return fail(akey, "a buffer or share needs a one_way, draft_order or order group: in two_way every "
                        "store holds one shared stock moved by deltas, and deltas and a buffer cannot both hold "
                        "(a Destination kept below the Source would drift at its next sale)");
    if (std::find(g.destinations.begin(), g.destinations.end(), a.store) == g.destinations.end())
      return fail(akey + ".store", quoted(a.store) + " is not a destination of group " + quoted(g.name));
    if (!a.tag.empty())
      if (auto why = filter_name_problem(a.tag, true))
        return fail(akey + ".tag", *why);
    if (a.rule.buffer < 0 || a.rule.buffer > max_buffer)
      return fail(akey + ".buffer", "must be between 0 and " + std::to_string(max_buffer));
    if (a.rule.percent < 0 || a.rule.percent > 100)
      return fail(akey + ".percent", "must be between 0 and 100");
    for (std::size_t k = 0; k < j; ++k)
      if (g.allocation[k].store == a.store && has_tag({g.allocation[k].tag}, a.tag) &&
          g.allocation[k].tag.empty() == a.tag.empty())
        return fail(akey, "a second rule for store " + quoted(a.store) +
                              (a.tag.empty() ? std::string(" without a tag") : " and tag " + quoted(a.tag)) +
                              " (also " + at(key + ".allocation", k) + ")");
  }
  if (allocation_tags(g.allocation).size() > max_allocation_tags)
    return fail(key + ".allocation", "at most " + std::to_string(max_allocation_tags) + " distinct tags");
  std::set<std::pair<std::string, std::string>> summed;
  for (std::size_t j = 0; j < g.location_sums.size(); ++j) {
    const auto& ls = g.location_sums[j];
    const auto skey = at(key + ".location_sums", j);
    if (two_way)
      return fail(skey, "a sum of locations needs a one_way, draft_order or order group: in two_way a sale "
                        "in the Destination would have to be taken from one of the Source locations");
    if (std::find(g.destinations.begin(), g.destinations.end(), ls.store) == g.destinations.end())
      return fail(skey + ".store", quoted(ls.store) + " is not a destination of group " + quoted(g.name));
    if (ls.destination.empty())
      return fail(skey + ".destination", "must name a location of store " + quoted(ls.store));
    if (ls.sources.size() < 2)
      return fail(skey + ".sources", "a sum needs at least two Source locations (one is a location pair)");
    if (!summed.emplace(ls.store, "=" + ls.destination).second)
      return fail(skey + ".destination", "location " + quoted(ls.destination) + " of store " + quoted(ls.store) +
                                             " is summed twice");
    for (std::size_t k = 0; k < ls.sources.size(); ++k) {
      if (ls.sources[k].empty())
        return fail(at(skey + ".sources", k), "must name a Source location");
      if (!summed.emplace(ls.store, ls.sources[k]).second)
        return fail(at(skey + ".sources", k), "Source location " + quoted(ls.sources[k]) +
                                                  " is already summed for store " + quoted(ls.store));
    }
    for (const auto& p : g.location_pairs)
      if (p.store == ls.store &&
          (p.destination == ls.destination ||
           std::find(ls.sources.begin(), ls.sources.end(), p.source) != ls.sources.end()))
        return fail(skey, "store " + quoted(ls.store) + ": a location pair uses " +
                              quoted(p.destination == ls.destination ? p.destination : p.source) +
                              " too; a location is either paired or summed");
  }
  return ok_status();
}

// [groups.breaker].
status validate_breaker(const group_config& g, const std::string& key) {
  const auto bkey = key + ".breaker";
  auto w = std::chrono::duration_cast<std::chrono::seconds>(g.breaker.window).count();
  if (w < 1 || w > 86400) return fail(bkey + ".window_s", range_reason<long long>(1, 86400, w));
  auto share = g.breaker.max_share;
  if (!(share > 0.0 && share <= 1.0))
    return fail(bkey + ".max_share_percent", "must be between 1 and 100 (a share of a store's mapped levels)");
  if (g.breaker.max_levels < 1) return fail(bkey + ".max_levels", "must be at least 1");
  if (g.breaker.min_levels > g.breaker.max_levels)
    return fail(bkey + ".min_levels", "must not exceed max_levels (" + std::to_string(g.breaker.max_levels) + ")");
  return ok_status();
}

bool in_group(const group_config& g, const std::string& store) {
  return g.source == store ||
         std::find(g.destinations.begin(), g.destinations.end(), store) != g.destinations.end();
}

status validate_groups(const config& c) {
  if (c.groups.empty()) return fail("groups", "at least one sync group is needed ([[groups]])");
  std::map<std::string, std::size_t> names;
  // A Destination takes its stock from one inventory group and sends its orders through one
  // order group; two groups of the same kind would fight over it.
  std::map<std::string, std::size_t> inventory_owner, order_owner;
  for (std::size_t i = 0; i < c.groups.size(); ++i) {
    const auto& g = c.groups[i];
    const auto key = at("groups", i);
    if (g.name.empty()) return fail(key + ".name", "must not be empty");
    if (auto [it, fresh] = names.emplace(g.name, i); !fresh)
      return fail(key + ".name", "duplicate group name " + quoted(g.name) + " (also " +
                                     at("groups", it->second) + ")");
    if (g.source.empty()) return fail(key + ".source", "must name a store with role source");
    const auto* src = c.find_store(g.source);
    if (!src) return fail(key + ".source", "unknown store " + quoted(g.source));
    if (src->role != store_role::source)
      return fail(key + ".source", "store " + quoted(g.source) + " has role destination, not source");
    if (g.destinations.empty())
      return fail(key + ".destinations", "a group needs at least one destination");
    auto& owners = is_inventory(g.strategy) ? inventory_owner : order_owner;
    for (std::size_t j = 0; j < g.destinations.size(); ++j) {
      const auto& d = g.destinations[j];
      const auto dkey = at(key + ".destinations", j);
      if (d.empty()) return fail(dkey, "must name a store");
      if (d == g.source)
        return fail(dkey, "store " + quoted(d) + " is the group's source; it cannot also be a destination");
      const auto* dst = c.find_store(d);
      if (!dst) return fail(dkey, "unknown store " + quoted(d));
      if (dst->role != store_role::destination)
        return fail(dkey, "store " + quoted(d) + " has role source, not destination");
      if (std::find(g.destinations.begin(), g.destinations.begin() + j, d) != g.destinations.begin() + j)
        return fail(dkey, "store " + quoted(d) + " is listed twice");
      if (auto [it, fresh] = owners.emplace(d, i); !fresh)
        return fail(dkey, "store " + quoted(d) + " is already a destination of " +
                              std::string(is_inventory(g.strategy) ? "inventory" : "order") +
                              " group " + quoted(c.groups[it->second].name) +
                              "; two groups would fight over it");
    }
    if (auto s = validate_locations(g, key); !s) return s;
    if (auto s = validate_controls(g, key); !s) return s;
    if (auto s = validate_breaker(g, key); !s) return s;
    if (!is_inventory(g.strategy))
      if (auto s = validate_orders(g, key); !s) return s;
  }
  // An order created in the Source decrements its stock; a two-way group that also holds the
  // Source and that Destination would carry that decrement back to the Destination, which
  // already sold the goods: a double decrement.
  for (std::size_t i = 0; i < c.groups.size(); ++i) {
    const auto& g = c.groups[i];
    if (g.strategy != sync_strategy::order || g.orders.inventory_behaviour == "BYPASS") continue;
    for (const auto& t : c.groups) {
      if (t.strategy != sync_strategy::two_way || !in_group(t, g.source)) continue;
      for (const auto& d : g.destinations)
        if (in_group(t, d))
          return fail(at("groups", i) + ".orders.inventory_behaviour",
                      "stores " + quoted(g.source) + " and " + quoted(d) + " are also in two_way group " +
                          quoted(t.name) + ", which would decrement the stock twice; use \"BYPASS\" "
                          "or make the inventory group one_way");
    }
  }
  return ok_status();
}

// [[apps]] and each store's way to authenticate (stores[].auth, stores[].app).
status validate_auth(const config& c) {
  std::map<std::string, std::size_t> names;
  for (std::size_t i = 0; i < c.apps.size(); ++i) {
    const auto& a = c.apps[i];
    const auto key = at("apps", i);
    if (a.name.empty()) return fail(key + ".name", "must not be empty");
    if (auto [it, fresh] = names.emplace(a.name, i); !fresh)
      return fail(key + ".name", "duplicate app name " + quoted(a.name) + " (also " +
                                     at("apps", it->second) + ")");
    if (a.client_id.empty())
      return fail(key + ".client_id", "required: the app's client id (Dev Dashboard, app settings)");
    if (a.client_secret_file.empty())
      return fail(key + ".client_secret_file", "required: the file that holds the app's client secret");
    for (std::size_t j = 0; j < a.scopes.size(); ++j)
      if (a.scopes[j].empty() || a.scopes[j].find_first_of(", ") != std::string::npos)
        return fail(at(key + ".scopes", j), "one scope per entry, e.g. \"read_inventory\"");
    if (!a.redirect_uri.empty()) {
      auto l = lower(a.redirect_uri);
      if (l.rfind("https://", 0) != 0 && l.rfind("http://", 0) != 0)
        return fail(key + ".redirect_uri", quoted(a.redirect_uri) + " must be an https:// URL");
      const std::string path = "/auth/callback";
      if (a.redirect_uri.size() < path.size() ||
          a.redirect_uri.compare(a.redirect_uri.size() - path.size(), path.size(), path) != 0)
        return fail(key + ".redirect_uri", quoted(a.redirect_uri) +
                                               " must end with /auth/callback (the path shopsyncd serves)");
    }
  }
  for (std::size_t i = 0; i < c.stores.size(); ++i) {
    const auto& s = c.stores[i];
    const auto key = at("stores", i);
    if (!s.app.empty() && !c.find_app(s.app))
      return fail(key + ".app", "unknown app " + quoted(s.app) + " (no [[apps]] with that name)");
    if (s.auth == auth_method::static_token) continue;
    if (s.app.empty())
      return fail(key + ".app", std::string("required: auth = \"") + to_string(s.auth) +
                                    "\" needs the [[apps]] whose client id and secret to use");
    if (!s.access_token_file.empty())
      return fail(key + ".access_token_file", std::string("not used with auth = \"") + to_string(s.auth) +
                                                  "\" (shopsync obtains the token itself); remove it");
    if (s.auth == auth_method::authorization_code && c.find_app(s.app)->redirect_uri.empty())
      return fail(at("apps", static_cast<std::size_t>(c.find_app(s.app) - c.apps.data())) + ".redirect_uri",
                  "required by store " + quoted(s.name) +
                      " (auth = \"authorization_code\"): where Shopify sends the merchant back");
  }
  return ok_status();
}

} // namespace

status validate(const config& c) {
  if (auto s = validate_daemon(c.daemon, !c.apps.empty()); !s) return s;
  if (auto s = validate_auth(c); !s) return s;
  if (auto s = validate_stores(c.stores); !s) return s;
  if (auto s = validate_groups(c); !s) return s;
  return ok_status();
}

} // namespace shopsync
