// validate(), rule by rule: a valid base configuration passes, and breaking exactly one rule
// fails with config.invalid and a message that starts with the offending key path.
#include "domain/config.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

using namespace shopsync;

namespace {

config base_config() {
  config c;
  c.daemon.webhook_secret_files = {"webhook-secret"};
  auto store = [](std::string name, std::string domain, store_role role) {
    store_config s;
    s.name = std::move(name);
    s.shop_domain = std::move(domain);
    s.role = role;
    s.access_token_file = s.name + ".token";
    return s;
  };
  c.stores = {store("main", "main.myshopify.com", store_role::source),
              store("outlet", "outlet.myshopify.com", store_role::destination),
              store("wholesale", "wholesale.myshopify.com", store_role::destination)};
  group_config stock;
  stock.name = "stock";
  stock.source = "main";
  stock.destinations = {"outlet", "wholesale"};
  stock.strategy = sync_strategy::one_way;
  stock.locations_by_name = false;
  stock.location_pairs = {{"Main", "outlet", "Back room"}, {"Main", "wholesale", "Depot"}};
  group_config orders;
  orders.name = "orders";
  orders.source = "main";
  orders.destinations = {"wholesale"}; // also in "stock": one inventory + one order group is fine
  orders.strategy = sync_strategy::order;
  c.groups = {stock, orders};
  return c;
}

struct rule_case {
  std::string name;
  std::function<void(config&)> breaks;
  std::string key;    // the message must start with "<key>: "
  std::string detail; // ... and contain this part of the reason
};

std::ostream& operator<<(std::ostream& os, const rule_case& rc) { return os << rc.name; }

class config_rule : public ::testing::TestWithParam<rule_case> {};

TEST(config_validation, base_config_is_valid) {
  auto s = validate(base_config());
  EXPECT_TRUE(s.ok()) << s.error().message;
}

TEST_P(config_rule, broken_rule_names_its_key) {
  auto c = base_config();
  GetParam().breaks(c);
  auto s = validate(c);
  ASSERT_FALSE(s.ok()) << "expected " << GetParam().key << " to be refused";
  EXPECT_EQ(s.error().code, "config.invalid");
  EXPECT_EQ(s.error().message.rfind(GetParam().key + ": ", 0), 0u)
      << "message: " << s.error().message;
  EXPECT_NE(s.error().message.find(GetParam().detail), std::string::npos)
      << "'" << GetParam().detail << "' not in: " << s.error().message;
}

using namespace std::chrono_literals;

auto& D(config& c) { return c.daemon; }
auto& S(config& c, int i) { return c.stores[i]; }
auto& G(config& c, int i) { return c.groups[i]; }

const rule_case k_cases[] = {
    // --- daemon
    {"listen_address_not_ip", [](config& c) { D(c).listen_address = "localhost"; }, "daemon.listen", "IPv4 or IPv6 literal"},
    {"listen_port_zero", [](config& c) { D(c).listen_port = 0; }, "daemon.listen", "port must be between 1 and 65535"},
    {"control_socket_relative", [](config& c) { D(c).control_socket = "run/control.sock"; }, "daemon.control_socket", "absolute path"},
    {"control_socket_directory", [](config& c) { D(c).control_socket = "/run/shopsync/"; }, "daemon.control_socket", "not a directory"},
    {"control_socket_too_long", [](config& c) { D(c).control_socket = "/" + std::string(107, 'x'); }, "daemon.control_socket", "107 bytes"},
    {"control_uid_invalid", [](config& c) { D(c).control_allowed_uids = {1000, 0xFFFFFFFFu}; }, "daemon.control_allowed_uids[1]", "not a valid uid"},
    {"data_dir_empty", [](config& c) { D(c).data_dir.clear(); }, "daemon.data_dir", "must not be empty"},
    {"batching_window_zero", [](config& c) { D(c).batching_window = 0ms; }, "daemon.batching_window_ms", "between 1 and 10000 (got 0)"},
    {"batching_window_too_long", [](config& c) { D(c).batching_window = 10001ms; }, "daemon.batching_window_ms", "(got 10001)"},
    {"idempotency_key_max_age_zero", [](config& c) { D(c).idempotency_key_max_age = 0s; }, "daemon.idempotency_key_max_age_s", "between 1 and 86400 (got 0)"},
    {"idempotency_key_max_age_over_a_day", [](config& c) { D(c).idempotency_key_max_age = 86401s; }, "daemon.idempotency_key_max_age_s", "(got 86401)"},
    {"reconcile_too_often", [](config& c) { D(c).reconcile_interval = 9s; }, "daemon.reconcile_interval_s", "between 10 and 86400 (got 9)"},
    {"reconcile_too_rare", [](config& c) { D(c).reconcile_interval = 86401s; }, "daemon.reconcile_interval_s", "(got 86401)"},
    {"log_level_unknown", [](config& c) { D(c).log_level = "verbose"; }, "daemon.log_level", "unknown level \"verbose\""},
    {"dedup_shorter_than_shopify_retries", [](config& c) { D(c).dedup_retention = 4h; }, "daemon.dedup_retention_h", "between 5 and 720 (got 4)"},
    {"dedup_longer_than_30_days", [](config& c) { D(c).dedup_retention = 721h; }, "daemon.dedup_retention_h", "(got 721)"},
    {"inbox_retention_zero", [](config& c) { D(c).inbox_retention = 0s; }, "daemon.inbox_retention_h", "between 1 and 720 (got 0)"},
    {"inbox_retention_too_long", [](config& c) { D(c).inbox_retention = 721h; }, "daemon.inbox_retention_h", "(got 721)"},
    {"audit_retention_zero", [](config& c) { D(c).audit_retention = 0s; }, "daemon.audit_retention_days", "between 1 and 30 (got 0)"},
    {"audit_retention_too_long", [](config& c) { D(c).audit_retention = 31 * 24h; }, "daemon.audit_retention_days", "(got 31)"},
    {"max_body_too_small", [](config& c) { D(c).max_body_bytes = 1023; }, "daemon.max_body_bytes", "between 1024 and 67108864 (got 1023)"},
    {"max_body_too_large", [](config& c) { D(c).max_body_bytes = 64ull * 1024 * 1024 + 1; }, "daemon.max_body_bytes", "(got 67108865)"},
    {"io_threads_zero", [](config& c) { D(c).io_threads = 0; }, "daemon.io_threads", "between 1 and 64 (got 0)"},
    {"io_threads_too_many", [](config& c) { D(c).io_threads = 65; }, "daemon.io_threads", "(got 65)"},
    {"scheduler_threads_zero", [](config& c) { D(c).scheduler_threads = 0; }, "daemon.scheduler_threads", "between 1 and 64 (got 0)"},
    {"scheduler_threads_too_many", [](config& c) { D(c).scheduler_threads = 65; }, "daemon.scheduler_threads", "(got 65)"},
    {"no_webhook_secret", [](config& c) { D(c).webhook_secret_files.clear(); }, "daemon.webhook_secret_files", "at least one webhook secret"},
    {"empty_webhook_secret_path", [](config& c) { D(c).webhook_secret_files.push_back(""); }, "daemon.webhook_secret_files[1]", "must not be empty"},
    // --- stores
    {"no_store", [](config& c) { c.stores.clear(); }, "stores", "at least one store"},
    {"store_name_empty", [](config& c) { S(c, 1).name.clear(); }, "stores[1].name", "must not be empty"},
    {"store_name_duplicate", [](config& c) { S(c, 2).name = "outlet"; }, "stores[2].name", "duplicate store name \"outlet\" (also stores[1])"},
    {"shop_domain_empty", [](config& c) { S(c, 0).shop_domain.clear(); }, "stores[0].shop_domain", "must not be empty"},
    {"shop_domain_with_scheme", [](config& c) { S(c, 0).shop_domain = "https://main.myshopify.com"; }, "stores[0].shop_domain", "is not a host name"},
    {"shop_domain_single_label", [](config& c) { S(c, 0).shop_domain = "main"; }, "stores[0].shop_domain", "is not a host name"},
    {"shop_domain_underscore", [](config& c) { S(c, 0).shop_domain = "my_shop.myshopify.com"; }, "stores[0].shop_domain", "is not a host name"},
    {"shop_domain_leading_hyphen", [](config& c) { S(c, 0).shop_domain = "-shop.myshopify.com"; }, "stores[0].shop_domain", "is not a host name"},
    {"shop_domain_empty_label", [](config& c) { S(c, 0).shop_domain = "shop..myshopify.com"; }, "stores[0].shop_domain", "is not a host name"},
    {"shop_domain_duplicate_any_case", [](config& c) { S(c, 2).shop_domain = "OUTLET.myshopify.com"; }, "stores[2].shop_domain", "duplicate shop domain \"OUTLET.myshopify.com\" (also stores[1])"},
    {"base_url_other_scheme", [](config& c) { S(c, 1).base_url = "ftp://127.0.0.1:9100"; }, "stores[1].base_url", "must start with http:// or https://"},
    {"base_url_with_path", [](config& c) { S(c, 1).base_url = "http://127.0.0.1:9100/admin/api"; }, "stores[1].base_url", "no path"},
    {"base_url_trailing_slash", [](config& c) { S(c, 1).base_url = "http://127.0.0.1:9100/"; }, "stores[1].base_url", "no path"},
    {"base_url_with_query", [](config& c) { S(c, 1).base_url = "http://127.0.0.1:9100?x=1"; }, "stores[1].base_url", "no path"},
    {"base_url_port_zero", [](config& c) { S(c, 1).base_url = "http://127.0.0.1:0"; }, "stores[1].base_url", "port must be between 1 and 65535"},
    {"base_url_port_too_big", [](config& c) { S(c, 1).base_url = "http://127.0.0.1:65536"; }, "stores[1].base_url", "port must be between 1 and 65535"},
    {"base_url_no_host", [](config& c) { S(c, 1).base_url = "http://:9100"; }, "stores[1].base_url", "invalid host"},
    {"base_url_bad_ipv6", [](config& c) { S(c, 1).base_url = "http://[::zz]:9100"; }, "stores[1].base_url", "invalid IPv6 address"},
    {"api_version_not_a_release_month", [](config& c) { S(c, 0).api_version = "2026-11"; }, "stores[0].api_version", "not a Shopify API version"},
    {"api_version_word", [](config& c) { S(c, 0).api_version = "latest"; }, "stores[0].api_version", "not a Shopify API version"},
    {"api_version_short_year", [](config& c) { S(c, 0).api_version = "26-10"; }, "stores[0].api_version", "not a Shopify API version"},
    {"access_token_file_missing", [](config& c) { S(c, 2).access_token_file.clear(); }, "stores[2].access_token_file", "required"},
    {"max_in_flight_zero", [](config& c) { S(c, 0).max_in_flight = 0; }, "stores[0].max_in_flight", "between 1 and 16 (got 0)"},
    {"max_in_flight_too_many", [](config& c) { S(c, 0).max_in_flight = 17; }, "stores[0].max_in_flight", "(got 17)"},
    // --- groups
    {"no_group", [](config& c) { c.groups.clear(); }, "groups", "at least one sync group"},
    {"group_name_empty", [](config& c) { G(c, 1).name.clear(); }, "groups[1].name", "must not be empty"},
    {"group_name_duplicate", [](config& c) { G(c, 1).name = "stock"; }, "groups[1].name", "duplicate group name \"stock\" (also groups[0])"},
    {"group_source_empty", [](config& c) { G(c, 0).source.clear(); }, "groups[0].source", "must name a store with role source"},
    {"group_source_unknown_store", [](config& c) { G(c, 0).source = "ghost"; }, "groups[0].source", "unknown store \"ghost\""},
    {"group_source_is_destination_store", [](config& c) { G(c, 0).source = "outlet"; }, "groups[0].source", "has role destination, not source"},
    {"group_without_destination", [](config& c) { G(c, 1).destinations.clear(); }, "groups[1].destinations", "a group needs at least one destination"},
    {"destination_unknown_store", [](config& c) { G(c, 0).destinations[1] = "ghost"; }, "groups[0].destinations[1]", "unknown store \"ghost\""},
    {"destination_empty", [](config& c) { G(c, 0).destinations[1].clear(); }, "groups[0].destinations[1]", "must name a store"},
    {"destination_is_group_source", [](config& c) { G(c, 0).destinations.push_back("main"); }, "groups[0].destinations[2]", "is the group's source"},
    {"destination_has_role_source",
     [](config& c) {
       S(c, 1).role = store_role::source;
       G(c, 0).location_pairs.pop_back();
       G(c, 0).destinations = {"wholesale", "outlet"};
     },
     "groups[0].destinations[1]", "has role source, not destination"},
    {"destination_listed_twice", [](config& c) { G(c, 0).destinations.push_back("outlet"); }, "groups[0].destinations[2]", "is listed twice"},
    {"destination_in_two_inventory_groups",
     [](config& c) {
       group_config g;
       g.name = "more-stock";
       g.source = "main";
       g.destinations = {"outlet"};
       g.strategy = sync_strategy::two_way;
       c.groups.push_back(g);
     },
     "groups[2].destinations[0]", "already a destination of inventory group \"stock\""},
    {"destination_in_two_order_groups",
     [](config& c) {
       auto g = c.groups[1];
       g.name = "drafts";
       g.strategy = sync_strategy::draft_order;
       c.groups.push_back(g);
     },
     "groups[2].destinations[0]", "already a destination of order group \"orders\""},
    {"pairs_with_locations_by_name", [](config& c) { G(c, 0).locations_by_name = true; }, "groups[0].location_pairs", "only used with locations = \"explicit\""},
    {"explicit_locations_without_pair", [](config& c) { G(c, 0).location_pairs.clear(); }, "groups[0].location_pairs", "needs at least one"},
    {"pair_source_empty", [](config& c) { G(c, 0).location_pairs[1].source.clear(); }, "groups[0].location_pairs[1].source", "must name a Source location"},
    {"pair_store_empty", [](config& c) { G(c, 0).location_pairs[1].store.clear(); }, "groups[0].location_pairs[1].store", "must name one of the group's destinations"},
    {"pair_store_unknown", [](config& c) { G(c, 0).location_pairs[1].store = "ghost"; }, "groups[0].location_pairs[1].store", "\"ghost\" is not a destination of group \"stock\""},
    {"pair_store_is_group_source", [](config& c) { G(c, 0).location_pairs[0].store = "main"; }, "groups[0].location_pairs[0].store", "\"main\" is not a destination of group \"stock\""},
    {"pair_destination_empty", [](config& c) { G(c, 0).location_pairs[0].destination.clear(); }, "groups[0].location_pairs[0].destination", "must name a location of store \"outlet\""},
    {"pair_duplicate_store_and_source",
     [](config& c) { G(c, 0).location_pairs.push_back({"Main", "outlet", "Shop floor"}); },
     "groups[0].location_pairs[2].source", "paired twice for store \"outlet\""},
    {"pair_duplicate_store_and_destination",
     [](config& c) { G(c, 0).location_pairs.push_back({"Annex", "outlet", "Back room"}); },
     "groups[0].location_pairs[2].destination", "location \"Back room\" of store \"outlet\" is paired twice"},
    {"order_statuses_empty", [](config& c) { G(c, 1).orders.financial_statuses.clear(); }, "groups[1].orders.financial_statuses", "at least one status"},
    {"order_status_unknown", [](config& c) { G(c, 1).orders.financial_statuses = {"paid", "settled"}; }, "groups[1].orders.financial_statuses[1]", "unknown financial status \"settled\""},
    {"order_status_upper_case", [](config& c) { G(c, 1).orders.financial_statuses = {"PAID"}; }, "groups[1].orders.financial_statuses[0]", "unknown financial status \"PAID\""},
    {"order_inventory_behaviour_unknown", [](config& c) { G(c, 1).orders.inventory_behaviour = "DECREMENT"; }, "groups[1].orders.inventory_behaviour", "unknown value \"DECREMENT\""},
    {"order_financial_status_not_in_schema", [](config& c) { G(c, 1).orders.financial_status = "paid"; }, "groups[1].orders.financial_status", "unknown value \"paid\""},
    {"order_destination_hold_negative", [](config& c) { G(c, 1).orders.destination_hold = -1s; }, "groups[1].orders.destination_hold_s", "between 0 and 3600 (got -1)"},
    {"order_destination_hold_too_long", [](config& c) { G(c, 1).orders.destination_hold = 3601s; }, "groups[1].orders.destination_hold_s", "(got 3601)"},
    {"order_lookup_window_too_short", [](config& c) { G(c, 1).orders.lookup_window = 4s; }, "groups[1].orders.lookup_window_s", "between 5 and 3600 (got 4)"},
    {"order_lookup_window_too_long", [](config& c) { G(c, 1).orders.lookup_window = 3601s; }, "groups[1].orders.lookup_window_s", "(got 3601)"},
    {"order_source_name_not_a_handle", [](config& c) { G(c, 1).orders.source_name = "Shop Sync"; }, "groups[1].orders.source_name", "attribution handle"},
    {"order_origin_tag_empty", [](config& c) { G(c, 1).orders.origin_tag.clear(); }, "groups[1].orders.origin_tag", "must not be empty"},
    {"draft_order_status_unknown",
     [](config& c) {
       G(c, 1).strategy = sync_strategy::draft_order;
       G(c, 1).orders.financial_statuses = {"unpaid"};
     },
     "groups[1].orders.financial_statuses[0]", "unknown financial status \"unpaid\""},
    {"order_group_double_decrement_with_two_way",
     [](config& c) { G(c, 0).strategy = sync_strategy::two_way; },
     "groups[1].orders.inventory_behaviour", "two_way group \"stock\""},
};

INSTANTIATE_TEST_SUITE_P(rules, config_rule, ::testing::ValuesIn(k_cases),
                         [](const auto& info) { return info.param.name; });

// The other side of each range: the boundaries themselves are accepted.
TEST(config_validation, accepts_range_boundaries) {
  for (int edge = 0; edge < 2; ++edge) {
    auto c = base_config();
    bool lo = edge == 0;
    D(c).listen_port = lo ? 1 : 65535;
    D(c).batching_window = lo ? 1ms : 10000ms;
    D(c).idempotency_key_max_age = lo ? 1s : 86400s;
    D(c).reconcile_interval = lo ? 10s : 86400s;
    D(c).dedup_retention = lo ? 5h : 720h;
    D(c).inbox_retention = lo ? 1h : 720h;
    D(c).audit_retention = lo ? 24h : 30 * 24h;
    D(c).max_body_bytes = lo ? 1024 : 64ull * 1024 * 1024;
    D(c).io_threads = D(c).scheduler_threads = lo ? 1 : 64;
    D(c).control_socket = lo ? "/s" : "/" + std::string(106, 'x');
    for (auto& s : c.stores) s.max_in_flight = lo ? 1 : 16;
    auto s = validate(c);
    EXPECT_TRUE(s.ok()) << (lo ? "low: " : "high: ") << s.error().message;
  }
}

TEST(config_validation, accepts_every_documented_value) {
  auto c = base_config();
  for (auto level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    D(c).log_level = level;
    EXPECT_TRUE(validate(c).ok()) << level;
  }
  for (auto url : {"http://127.0.0.1:9100", "https://main.myshopify.com", "http://localhost",
                   "http://[::1]:9100", "HTTP://sim.internal:8443"}) {
    S(c, 0).base_url = url;
    auto s = validate(c);
    EXPECT_TRUE(s.ok()) << url << ": " << s.error().message;
  }
  for (auto v : {"2025-01", "2025-04", "2026-07", "2026-10"}) {
    S(c, 0).api_version = v;
    EXPECT_TRUE(validate(c).ok()) << v;
  }
  D(c).listen_address = "::1";
  EXPECT_TRUE(validate(c).ok());
  G(c, 1).orders.financial_statuses = {"pending", "authorized", "partially_paid", "paid",
                                       "partially_refunded", "refunded", "voided", "any"};
  for (auto b : {"BYPASS", "DECREMENT_IGNORING_POLICY", "DECREMENT_OBEYING_POLICY"}) {
    G(c, 1).orders.inventory_behaviour = b;
    EXPECT_TRUE(validate(c).ok()) << b;
  }
  for (auto f : {"AUTHORIZED", "EXPIRED", "PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED", "PENDING",
                 "REFUNDED", "VOIDED"}) {
    G(c, 1).orders.financial_status = f;
    EXPECT_TRUE(validate(c).ok()) << f;
  }
}

TEST(config_validation, order_options_are_ignored_by_inventory_groups) {
  auto c = base_config();
  G(c, 0).orders.financial_statuses = {"nonsense"};
  G(c, 0).orders.inventory_behaviour = "nonsense";
  G(c, 0).orders.origin_tag.clear();
  auto s = validate(c);
  EXPECT_TRUE(s.ok()) << s.error().message;
}

TEST(config_validation, draft_order_ignores_options_of_real_orders) {
  auto c = base_config();
  G(c, 1).strategy = sync_strategy::draft_order;
  G(c, 1).orders.inventory_behaviour = "nonsense";
  G(c, 1).orders.financial_status = "nonsense";
  auto s = validate(c);
  EXPECT_TRUE(s.ok()) << s.error().message;
}

TEST(config_validation, order_group_beside_two_way_is_fine_with_bypass) {
  auto c = base_config();
  G(c, 0).strategy = sync_strategy::two_way;
  G(c, 1).orders.inventory_behaviour = "BYPASS";
  auto s = validate(c);
  EXPECT_TRUE(s.ok()) << s.error().message;
}

TEST(config_validation, a_source_may_lead_several_groups) {
  auto c = base_config();
  G(c, 0).destinations = {"outlet"};
  G(c, 0).location_pairs.pop_back();
  group_config g;
  g.name = "wholesale-stock";
  g.source = "main";
  g.destinations = {"wholesale"};
  g.strategy = sync_strategy::two_way;
  g.match_by = match_key::barcode;
  c.groups.push_back(g);
  G(c, 1).orders.inventory_behaviour = "BYPASS"; // wholesale is two-way now
  auto s = validate(c);
  EXPECT_TRUE(s.ok()) << s.error().message;
}

TEST(config_validation, reports_the_first_broken_rule_with_the_reason) {
  auto c = base_config();
  G(c, 0).destinations[0] = "outlett";
  S(c, 2).max_in_flight = 0; // stores come before groups
  auto s = validate(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "stores[2].max_in_flight: must be between 1 and 16 (got 0)");
  S(c, 2).max_in_flight = 2;
  s = validate(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "groups[0].destinations[0]: unknown store \"outlett\"");
}

// Unknown strategy and match key strings never reach the model: the loader refuses them
// through these parsers (tests/io/config_file_test.cpp checks the message).
TEST(config_validation, enum_parsers_refuse_unknown_names) {
  EXPECT_EQ(parse_strategy("two_way"), sync_strategy::two_way);
  EXPECT_FALSE(parse_strategy("two-way"));
  EXPECT_FALSE(parse_strategy("TWO_WAY"));
  EXPECT_EQ(parse_match_key("barcode"), match_key::barcode);
  EXPECT_FALSE(parse_match_key("ean"));
  EXPECT_EQ(parse_store_role("source"), store_role::source);
  EXPECT_FALSE(parse_store_role("primary"));
}

TEST(config_validation, finds_stores_by_shop_domain_in_any_case) {
  auto c = base_config();
  ASSERT_NE(c.find_store_by_domain("OUTLET.MyShopify.com"), nullptr);
  EXPECT_EQ(c.find_store_by_domain("OUTLET.MyShopify.com")->name, "outlet");
  EXPECT_EQ(c.find_store_by_domain("ghost.myshopify.com"), nullptr);
}

} // namespace
