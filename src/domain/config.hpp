#pragma once
// The configuration model and its validation. Pure: the TOML loader (io/config_file) fills
// it and reads the secrets; validate() names the first offending key and the reason.
#include "domain/identifier_normalisation.hpp"
#include "domain/mass_change_breaker.hpp"
#include "domain/order_reconcile.hpp"
#include "domain/product_filter.hpp"
#include "domain/stock_allocation.hpp"
#include "domain/result.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shopsync {

enum class store_role { source, destination };
enum class sync_strategy { one_way, two_way, draft_order, order };
enum class match_key { handle, sku, barcode };

const char* to_string(store_role);
const char* to_string(sync_strategy);
const char* to_string(match_key);
std::optional<store_role> parse_store_role(const std::string&);
std::optional<sync_strategy> parse_strategy(const std::string&);
std::optional<match_key> parse_match_key(const std::string&);

// How shopsync obtains a store's Admin API token (see io/token_source.hpp).
enum class auth_method {
  static_token,       // a legacy custom app's shpat_ token, read from access_token_file
  client_credentials, // exchanged for a ~24 h token with the app's client id and secret
  authorization_code, // an offline token granted through `shopsyncctl connect`, kept in the state store
};
const char* to_string(auth_method);
std::optional<auth_method> parse_auth_method(const std::string&);

// A Dev Dashboard app ([[apps]]): usually one for every store of the merchant's organization.
struct app_config {
  std::string name;               // how stores refer to it (stores[].app)
  std::string client_id;          // not a secret: it appears in install URLs
  std::string client_secret_file; // like access_token_file
  std::string client_secret;      // loaded from client_secret_file, never from the TOML
  std::vector<std::string> scopes; // asked for by the authorization code grant's install URL
  std::string redirect_uri;       // https://<public host>/auth/callback (authorization code grant)
};

struct store_config {
  std::string name;        // how groups, logs and shopsyncctl name the store
  std::string shop_domain; // name.myshopify.com (X-Shopify-Shop-Domain)
  store_role role = store_role::destination;
  std::string base_url;    // empty: https://{shop_domain}; set for the simulator (no trailing /)
  std::string api_version = "2026-10";
  std::string access_token_file; // absolute, or relative to $CREDENTIALS_DIRECTORY (else the config file's dir)
  std::string access_token;      // loaded from access_token_file, never from the TOML
  std::string access_token_path; // where access_token_file was found (re-read when a token is refused)
  int max_in_flight = 2;         // concurrent Admin API requests to this store
  auth_method auth = auth_method::static_token;
  std::string app;               // [[apps]] name; required unless auth is static_token
};

// One explicit location pair: Source location `source` maps to `destination` in `store`.
struct location_pair {
  std::string source;
  std::string store;
  std::string destination;
};

// [[groups.location_sums]]: one Destination location shows the sum of several Source locations
// (one-way groups), e.g. a marketplace with one location for the warehouse and the shop.
struct location_sum {
  std::string store;                // a Destination of the group
  std::string destination;          // the location's name in that store
  std::vector<std::string> sources; // Source location names, at least two
};

struct order_options {
  std::vector<std::string> financial_statuses{"paid"}; // which Destination orders qualify
  bool send_invoice = false;            // draft_order: draftOrderInvoiceSend after creation
  std::string name_prefix;              // prepended to the Source order/draft name
  std::string inventory_behaviour = "DECREMENT_OBEYING_POLICY"; // order: OrderCreateInputsInventoryBehavior
  std::string financial_status = "PENDING"; // order: OrderCreateFinancialStatus of the created order
  std::string origin_tag = "shopsync-origin:{shop}:{order}"; // {shop} and {order} are replaced
  // order: how long a Destination's own sale may keep its level below the Source's while its
  // order is on its way to the Source (0: set back at once).
  std::chrono::seconds destination_hold{60};
  // After a create that may have reached Shopify unanswered, how long the Source is searched
  // for the origin marker (repeatedly, backing off) before the order is created again: order
  // search lags behind a create, and neither orderCreate nor the draft mutations take an
  // idempotency key.
  std::chrono::seconds lookup_window{120};
  // order only: sourceName of the created order. Shopify means it for the handle of an order
  // attribution definition (a sales channel app's), not for a free label: empty (the default)
  // leaves it out, and shopsync never uses it to recognise its own orders.
  std::string source_name;
};

struct group_config {
  std::string name;
  std::string source;                    // store name, role source
  std::vector<std::string> destinations; // store names, role destination
  sync_strategy strategy = sync_strategy::one_way;
  match_key match_by = match_key::sku;
  bool locations_by_name = true;         // false: only the explicit pairs are mapped (true: no pairs)
  std::vector<location_pair> location_pairs;
  order_options orders;
  // [groups.options] stock_unstocked: write Destinations' levels where the item is not stocked
  // (Shopify 2026-10 then stocks it there). Default: reported, never written.
  bool stock_unstocked = false;
  // [groups.identifiers]: how SKUs and barcodes are read before matching.
  identifier_normalisation identifiers;
  // [groups.filter]: which products are synced, by the Source's tags, vendor and type.
  product_filter filter;
  // [[groups.allocation]]: buffers and shares per Destination (not in two_way groups).
  std::vector<allocation_rule> allocation;
  // [[groups.location_sums]] (not in two_way groups).
  std::vector<location_sum> location_sums;
  // The guard rails of the group's writes: `start = "plan"` (default) shows a group
  // that never synced its first writes as a plan and waits for `shopsyncctl approve`;
  // "sync" writes at once. [groups.breaker]: the mass-change breaker's window and thresholds.
  bool start_with_plan = true;
  breaker_limits breaker;
};

struct daemon_config {
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::string control_socket = "/run/shopsync/control.sock";
  std::vector<std::uint32_t> control_allowed_uids; // root and the daemon's own uid always
  std::string data_dir = "/var/lib/shopsync";
  std::chrono::milliseconds batching_window{50};
  std::chrono::seconds reconcile_interval{900};
  std::string log_level = "info";
  std::chrono::seconds dedup_retention{48 * 3600};
  std::chrono::seconds inbox_retention{48 * 3600}; // applied inbox entries kept this long
  std::chrono::seconds audit_retention{30 * 24 * 3600};
  std::uint64_t max_body_bytes = 5 * 1024 * 1024;
  int io_threads = 2;        // webhook server and Admin API client
  int scheduler_threads = 2; // CAF workers
  bool sync_writes = true;   // fsync the WAL before acknowledging a webhook
  std::uint64_t app_id = 0;  // our app's id: orders it created are not synced again
  std::vector<std::string> webhook_secret_files; // rotation: every secret is tried
  std::vector<std::string> webhook_secrets;      // loaded from the files (else the apps' client secrets)
  // An unanswered inventory write first sent longer ago than this is settled by reading the
  // level, never resent under its key (Shopify keeps keys for a window it does not publish).
  std::chrono::seconds idempotency_key_max_age{3600};
  // The order reconciler (order and draft_order groups): how often it lists each Destination's
  // recent orders and draft orders, and its overlap, grace and page size.
  std::chrono::seconds order_reconcile_interval{300};
  order_reconcile_options order_reconcile;
  // How often a store whose token was refused is quietly probed for a working one again.
  std::chrono::seconds unauthorized_probe{60};
  // A store's catalog of at least this many variants (as its last read found) is read through a
  // bulk operation instead of pages; 0: never.
  std::uint64_t bulk_read_threshold = 20'000;
  // A webhook whose time cannot order it against one of shopsync's own writes (within a second
  // of it) is taken provisionally or set aside, and the level read this long after unless
  // something exact (a write's answer, a later webhook) verified it first (inventory item
  // state, "Times"). Longer: fewer reads in a busy store; shorter: a wrong guess lasts less.
  std::chrono::seconds verify_after{30};
};

// [webhooks]: where Shopify must deliver, and who keeps the subscriptions.
struct webhooks_config {
  std::string public_url;   // the HTTPS address nginx serves for POST /webhooks; empty: not set
  bool manage = true;       // false: the operator keeps them (shopify.app.toml); shopsync only checks
  std::chrono::seconds check_interval{300}; // subscriptions and scopes are checked this often
};

struct config {
  daemon_config daemon;
  webhooks_config webhooks;
  std::vector<store_config> stores;
  std::vector<group_config> groups;
  std::vector<app_config> apps;

  const store_config* find_store(const std::string& name) const;
  const store_config* find_store_by_domain(const std::string& shop_domain) const;
  const group_config* find_group(const std::string& name) const;
  const app_config* find_app(const std::string& name) const;
};

// The first rule the configuration breaks, as error{code "config.invalid", message
// "<key>: <reason>"}, e.g. "groups[0].destinations: a group needs at least one destination".
status validate(const config&);

} // namespace shopsync
