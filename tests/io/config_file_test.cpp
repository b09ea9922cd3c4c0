// The TOML loader against real files: the shipped example and demo configurations load;
// unknown keys, wrong types and syntax errors name the key (or line); secrets come from
// $CREDENTIALS_DIRECTORY or beside the file, and an unreadable one names its key and path.
#include "io/config_file.hpp"
#include "support/config_text.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

using namespace shopsync;
using shopsync::testing::temp_dir;

namespace {

namespace fs = std::filesystem;

fs::path source_path(const std::string& relative) {
  return fs::path(SHOPSYNC_SOURCE_DIR) / relative;
}

void write(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  ASSERT_TRUE(out.good()) << p;
}

// Sets (or unsets) $CREDENTIALS_DIRECTORY for one test and restores it afterwards.
class credentials_env {
public:
  explicit credentials_env(const std::optional<std::string>& value) {
    if (const char* old = std::getenv("CREDENTIALS_DIRECTORY")) old_ = old;
    if (value)
      ::setenv("CREDENTIALS_DIRECTORY", value->c_str(), 1);
    else
      ::unsetenv("CREDENTIALS_DIRECTORY");
  }
  ~credentials_env() {
    if (old_)
      ::setenv("CREDENTIALS_DIRECTORY", old_->c_str(), 1);
    else
      ::unsetenv("CREDENTIALS_DIRECTORY");
  }

private:
  std::optional<std::string> old_;
};

const std::string& k_minimal = shopsync::testing::minimal_config_text();

std::string replace(std::string text, const std::string& from, const std::string& to) {
  return shopsync::testing::replace_once(std::move(text), from, to);
}

class config_file : public ::testing::Test {
protected:
  void SetUp() override {
    write(dir_ / "main.token", "shpat_main\n");
    write(dir_ / "outlet.token", "shpat_outlet\r\n");
    write(dir_ / "webhook-secret", "hush\n");
  }

  result<config> parse(const std::string& text) {
    return parse_config(text, "test.toml", dir_.str());
  }

  // The load must fail and its message start with "<key>: " and contain `detail`.
  void expect_error(const std::string& text, const std::string& key, const std::string& detail = "") {
    auto r = parse(text);
    ASSERT_FALSE(r.ok()) << "accepted, expected an error at " << key;
    EXPECT_EQ(r.error().code, "config.invalid");
    EXPECT_EQ(r.error().message.rfind(key + ": ", 0), 0u) << r.error().message;
    EXPECT_NE(r.error().message.find(detail), std::string::npos)
        << "'" << detail << "' not in: " << r.error().message;
  }

  credentials_env env_{std::nullopt};
  temp_dir dir_{"shopsync-config"};
};

TEST_F(config_file, minimal_config_loads_with_secrets_beside_it) {
  auto r = parse(k_minimal);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->daemon.listen_address, "127.0.0.1");
  EXPECT_EQ(r->daemon.listen_port, 8080);
  ASSERT_EQ(r->stores.size(), 2u);
  EXPECT_EQ(r->stores[0].access_token, "shpat_main");
  EXPECT_EQ(r->stores[1].access_token, "shpat_outlet"); // CRLF trimmed
  EXPECT_EQ(r->stores[1].role, store_role::destination);
  ASSERT_EQ(r->daemon.webhook_secrets.size(), 1u);
  EXPECT_EQ(r->daemon.webhook_secrets[0], "hush");
  ASSERT_EQ(r->groups.size(), 1u);
  EXPECT_EQ(r->groups[0].strategy, sync_strategy::one_way);
  EXPECT_EQ(r->groups[0].match_by, match_key::sku); // default
  EXPECT_TRUE(r->groups[0].locations_by_name);      // default
  EXPECT_EQ(r->stores[0].api_version, "2026-10");   // default
}

TEST_F(config_file, example_config_loads_with_credentials_directory) {
  temp_dir creds("shopsync-creds");
  write(creds / "main.token", "shpat_main_example\n");
  write(creds / "outlet.token", "shpat_outlet_example\n");
  write(creds / "wholesale.token", "shpat_wholesale_example\n");
  write(creds / "webhook-secret", "example-secret\n");
  write(creds / "shopsync-app.secret", "app-secret\n");
  credentials_env env(creds.str());
  auto r = load_config(source_path("config/shopsync.example.toml").string());
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& c = r.value();
  EXPECT_EQ(c.daemon.control_socket, "/run/shopsync/control.sock");
  EXPECT_EQ(c.daemon.data_dir, "/var/lib/shopsync");
  EXPECT_EQ(c.daemon.batching_window, std::chrono::milliseconds(50));
  EXPECT_EQ(c.daemon.idempotency_key_max_age, std::chrono::seconds(3600));
  EXPECT_EQ(c.daemon.reconcile_interval, std::chrono::seconds(900));
  EXPECT_EQ(c.daemon.dedup_retention, std::chrono::hours(48));
  EXPECT_EQ(c.daemon.audit_retention, std::chrono::hours(30 * 24));
  EXPECT_EQ(c.daemon.max_body_bytes, 5u * 1024 * 1024);
  EXPECT_EQ(c.daemon.webhook_secrets, std::vector<std::string>{"example-secret"});
  ASSERT_EQ(c.stores.size(), 3u);
  EXPECT_EQ(c.stores[2].access_token, "shpat_wholesale_example");
  EXPECT_EQ(c.stores[2].auth, auth_method::static_token);
  EXPECT_EQ(c.stores[0].auth, auth_method::client_credentials);
  EXPECT_EQ(c.stores[1].auth, auth_method::client_credentials); // app set, auth left out
  ASSERT_EQ(c.apps.size(), 1u);
  EXPECT_EQ(c.apps[0].client_secret, "app-secret");
  EXPECT_EQ(c.daemon.unauthorized_probe, std::chrono::seconds(60));
  ASSERT_EQ(c.groups.size(), 2u);
  EXPECT_FALSE(c.groups[0].locations_by_name);
  ASSERT_EQ(c.groups[0].location_pairs.size(), 2u);
  EXPECT_EQ(c.groups[0].location_pairs[1].store, "wholesale");
  EXPECT_EQ(c.groups[0].location_pairs[1].destination, "Wholesale depot");
  EXPECT_EQ(c.groups[1].strategy, sync_strategy::order);
  EXPECT_EQ(c.groups[1].orders.name_prefix, "WS-");
  EXPECT_EQ(c.groups[1].orders.origin_tag, "shopsync-origin:{shop}:{order}");
  EXPECT_FALSE(c.groups[0].stock_unstocked);
}

// The merchant's group tables: identifiers, filter, allocation, location sums.
TEST_F(config_file, merchant_controls_load_into_the_group) {
  auto r = parse(k_minimal + R"(
[groups.identifiers]
case_fold = true
strip_prefix = "WH-"

[groups.filter]
include_vendors = ["Acme"]
exclude_tags = ["no-sync", "draft"]

[[groups.allocation]]
store = "outlet"
buffer = 2

[[groups.allocation]]
store = "outlet"
tag = "clearance"
percent = 50

[[groups.location_sums]]
store = "outlet"
destination = "Marketplace"
sources = ["Main", "Shop"]
)");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& g = r.value().groups.at(0);
  EXPECT_TRUE(g.identifiers.case_fold);
  EXPECT_EQ(g.identifiers.strip_prefix, "WH-");
  EXPECT_EQ(g.filter.include_vendors, std::vector<std::string>{"Acme"});
  EXPECT_EQ(g.filter.exclude_tags, (std::vector<std::string>{"no-sync", "draft"}));
  ASSERT_EQ(g.allocation.size(), 2u);
  EXPECT_EQ(g.allocation[0].rule, (stock_rule{2, 100}));
  EXPECT_EQ(g.allocation[1].tag, "clearance");
  EXPECT_EQ(g.allocation[1].rule, (stock_rule{0, 50}));
  ASSERT_EQ(g.location_sums.size(), 1u);
  EXPECT_EQ(g.location_sums[0].sources, (std::vector<std::string>{"Main", "Shop"}));
  expect_error(k_minimal + "\n[groups.filter]\nexclude_tag = [\"x\"]\n", "groups[0].filter.exclude_tag", "unknown key");
  expect_error(k_minimal + "\n[[groups.allocation]]\nstore = \"outlet\"\nbuffer = \"2\"\n",
               "groups[0].allocation[0].buffer", "an integer");
  expect_error(replace(k_minimal, "\"one_way\"", "\"two_way\"") + "\n[[groups.allocation]]\nstore = \"outlet\"\nbuffer = 2\n",
               "groups[0].allocation[0]", "deltas and a buffer cannot both hold");
}

// Every key the loader knows is in the example, and its first appearance has a comment.
TEST(config_example, documents_every_key) {
  std::ifstream in(source_path("config/shopsync.example.toml"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_FALSE(lines.empty());
  for (std::string key :
       {"listen", "control_socket", "control_allowed_uids", "data_dir", "batching_window_ms",
        "reconcile_interval_s", "log_level", "dedup_retention_h", "inbox_retention_h",
        "audit_retention_days", "max_body_bytes", "io_threads", "scheduler_threads", "sync_writes",
        "app_id", "webhook_secret_files", "idempotency_key_max_age_s", "name", "shop_domain", "role", "base_url", "api_version",
        "access_token_file", "max_in_flight", "source", "destinations", "strategy", "match_by",
        "locations", "store", "destination", "financial_statuses", "send_invoice", "name_prefix",
        "inventory_behaviour", "financial_status", "origin_tag", "lookup_window_s", "[daemon]", "[[stores]]",
        "[[groups]]", "[[groups.location_pairs]]", "[groups.orders]", "stock_unstocked", "[groups.options]", "unauthorized_probe_s", "verify_after_s", "[[apps]]",
        "client_id", "client_secret_file", "scopes", "redirect_uri", "auth", "app", "[groups.identifiers]",
        "case_fold", "strip_prefix", "[groups.filter]", "include_tags", "exclude_tags", "include_vendors",
        "exclude_vendors", "include_product_types", "exclude_product_types", "[[groups.allocation]]", "tag", "buffer",
        "percent", "start", "[groups.breaker]", "window_s", "max_share_percent", "max_levels", "min_levels"}) {
    bool header = key.front() == '[';
    auto it = std::find_if(lines.begin(), lines.end(), [&](const std::string& l) {
      return header ? l == key : l.rfind(key + " = ", 0) == 0;
    });
    ASSERT_NE(it, lines.end()) << key << " is not in the example";
    ASSERT_NE(it, lines.begin());
    EXPECT_EQ(std::prev(it)->rfind("#", 0), 0u) << key << " has no comment above it";
  }
}

TEST_F(config_file, example_config_without_its_secrets_names_the_missing_file) {
  credentials_env env(dir_.str()); // holds main.token but not wholesale.token
  auto r = load_config(source_path("config/shopsync.example.toml").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("stores[2].access_token_file: cannot read " +
                                        (dir_ / "wholesale.token").string(), 0), 0u)
      << r.error().message;
}

TEST_F(config_file, demo_config_loads_with_its_committed_secrets) {
  auto r = load_config(source_path("config/demo.toml").string());
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& c = r.value();
  EXPECT_EQ(c.daemon.control_socket, "/tmp/shopsync-demo/control.sock");
  EXPECT_EQ(c.daemon.listen_port, 8080);
  EXPECT_EQ(c.daemon.webhook_secrets, std::vector<std::string>{"demo-webhook-secret"});
  ASSERT_EQ(c.stores.size(), 3u);
  for (const auto& s : c.stores) EXPECT_EQ(s.auth, auth_method::client_credentials);
  ASSERT_EQ(c.apps.size(), 1u);
  EXPECT_EQ(c.apps[0].client_id, "demo-client-id");
  EXPECT_EQ(c.apps[0].client_secret, "demo-webhook-secret"); // the scenario's app_secret
  for (const auto& s : c.stores) EXPECT_EQ(s.base_url, "http://127.0.0.1:9100");
  EXPECT_EQ(c.stores[1].shop_domain, "dest-a-demo.myshopify.com");
  ASSERT_EQ(c.groups.size(), 2u);
  EXPECT_EQ(c.groups[0].strategy, sync_strategy::two_way);
  EXPECT_EQ(c.groups[1].strategy, sync_strategy::order);
  EXPECT_EQ(c.groups[1].destinations, std::vector<std::string>{"dest-b"});
}

TEST_F(config_file, unknown_keys_are_refused_at_every_level) {
  expect_error(k_minimal + "\n[deamon]\n", "deamon", "unknown key");
  expect_error(replace(k_minimal, "listen =", "listn ="), "daemon.listn", "unknown key (line 2)");
  expect_error(replace(k_minimal, "shop_domain = \"outlet", "shop_domian = \"outlet"),
               "stores[1].shop_domian", "unknown key");
  expect_error(replace(k_minimal, "strategy = \"one_way\"", "strategy = \"one_way\"\nmatchby = \"sku\""),
               "groups[0].matchby", "unknown key");
  expect_error(replace(k_minimal, "strategy = \"one_way\"",
                       "strategy = \"one_way\"\nlocations = \"explicit\"\n"
                       "[[groups.location_pairs]]\nsource = \"A\"\nstor = \"outlet\"\ndestination = \"B\""),
               "groups[0].location_pairs[0].stor", "unknown key");
  expect_error(replace(k_minimal, "strategy = \"one_way\"",
                       "strategy = \"order\"\n[groups.orders]\nsend_invoices = true"),
               "groups[0].orders.send_invoices", "unknown key");
}

TEST_F(config_file, wrong_types_name_the_key) {
  expect_error(replace(k_minimal, "[daemon]", "[daemon]\nbatching_window_ms = \"50\""),
               "daemon.batching_window_ms", "expected an integer, got a string");
  expect_error(replace(k_minimal, "[daemon]", "[daemon]\nsync_writes = 1"),
               "daemon.sync_writes", "expected a boolean");
  expect_error(replace(k_minimal, "[\"webhook-secret\"]", "\"webhook-secret\""),
               "daemon.webhook_secret_files", "expected an array of strings");
  expect_error(replace(k_minimal, "destinations = [\"outlet\"]", "destinations = [\"outlet\", 7]"),
               "groups[0].destinations[1]", "expected a string, got an integer");
  expect_error(replace(k_minimal, "[[groups]]", "[groups]"), "groups", "expected an array of tables");
  expect_error("daemon = 3\n", "daemon", "expected a table");
  expect_error(replace(k_minimal, "[daemon]", "[daemon]\ncontrol_allowed_uids = [1000, -1]"),
               "daemon.control_allowed_uids[1]", "out of range");
  expect_error(replace(k_minimal, "role = \"source\"", "role = \"source\"\nmax_in_flight = 10000000000"),
               "stores[0].max_in_flight", "out of range");
  expect_error(replace(k_minimal, "[daemon]", "[daemon]\nreconcile_interval_s = 1.5"),
               "daemon.reconcile_interval_s", "expected an integer, got a float");
  expect_error(replace(k_minimal, "[daemon]", "[daemon]\ndedup_retention_h = 9223372036854775807"),
               "daemon.dedup_retention_h", "out of range");
  expect_error(replace(k_minimal, "[daemon]", "[daemon]\nverify_after_s = 0"), "daemon.verify_after_s",
               "must be between 1 and 3600 (got 0)");
}

TEST_F(config_file, enum_values_are_checked_by_the_loader) {
  expect_error(replace(k_minimal, "\"one_way\"", "\"one-way\""), "groups[0].strategy",
               "unknown strategy \"one-way\"");
  expect_error(replace(k_minimal, "strategy = \"one_way\"", "strategy = \"one_way\"\nmatch_by = \"ean\""),
               "groups[0].match_by", "unknown match key \"ean\"");
  expect_error(replace(k_minimal, "strategy = \"one_way\"", "strategy = \"one_way\"\nlocations = \"pairs\""),
               "groups[0].locations", "by_name or explicit");
  expect_error(replace(k_minimal, "role = \"destination\"", "role = \"dest\""), "stores[1].role",
               "unknown role");
  expect_error(replace(k_minimal, "role = \"destination\"\n", ""), "stores[1].role", "required");
  expect_error(replace(k_minimal, "strategy = \"one_way\"\n", ""), "groups[0].strategy", "required");
}

// [groups.options] stock_unstocked: off unless set; a boolean; nothing else in the table.
TEST_F(config_file, stock_unstocked_is_a_group_option) {
  auto off = parse(k_minimal);
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_FALSE(off->groups[0].stock_unstocked);
  auto on = parse(k_minimal + "[groups.options]\nstock_unstocked = true\n");
  ASSERT_TRUE(on.ok()) << on.error().message;
  EXPECT_TRUE(on->groups[0].stock_unstocked);
  expect_error(k_minimal + "[groups.options]\nstock_unstocked = \"yes\"\n", "groups[0].options.stock_unstocked",
               "expected a boolean");
  expect_error(k_minimal + "[groups.options]\nstock_unstoked = true\n", "groups[0].options.stock_unstoked",
               "unknown key");
  expect_error(k_minimal + "options = 1\n", "groups[0].options", "expected a table");
}

TEST_F(config_file, syntax_error_reports_line_and_column) {
  auto r = parse(replace(k_minimal, "name = \"outlet\"", "name = \"outlet"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "config.invalid");
  EXPECT_EQ(r.error().message.rfind("test.toml:14:", 0), 0u) << r.error().message;
  EXPECT_NE(r.error().message.find("syntax error"), std::string::npos) << r.error().message;
}

TEST_F(config_file, listen_is_parsed_into_address_and_port) {
  auto r = parse(replace(k_minimal, "127.0.0.1:8080", "[::1]:9000"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->daemon.listen_address, "::1");
  EXPECT_EQ(r->daemon.listen_port, 9000);
  expect_error(replace(k_minimal, "127.0.0.1:8080", "127.0.0.1"), "daemon.listen", "address:port");
  expect_error(replace(k_minimal, "127.0.0.1:8080", "127.0.0.1:70000"), "daemon.listen", "port");
  expect_error(replace(k_minimal, "127.0.0.1:8080", "127.0.0.1:0"), "daemon.listen", "port");
  expect_error(replace(k_minimal, "127.0.0.1:8080", "localhost:8080"), "daemon.listen", "IPv4 or IPv6");
  expect_error(replace(k_minimal, "127.0.0.1:8080", ""), "daemon.listen", "must not be empty");
}

TEST_F(config_file, base_url_trailing_slash_is_dropped) {
  auto r = parse(replace(k_minimal, "role = \"source\"", "role = \"source\"\nbase_url = \"http://127.0.0.1:9100/\""));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stores[0].base_url, "http://127.0.0.1:9100");
}

TEST_F(config_file, idempotency_key_max_age_is_read_in_seconds_and_validated) {
  auto r = parse(replace(k_minimal, "[daemon]", "[daemon]\nidempotency_key_max_age_s = 5"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->daemon.idempotency_key_max_age, std::chrono::seconds(5));
  expect_error(replace(k_minimal, "[daemon]", "[daemon]\nidempotency_key_max_age_s = 0"),
               "daemon.idempotency_key_max_age_s", "between 1 and 86400");
}

TEST_F(config_file, validation_errors_come_through_the_loader) {
  expect_error(replace(k_minimal, "destinations = [\"outlet\"]", "destinations = [\"outlett\"]"),
               "groups[0].destinations[0]", "unknown store \"outlett\"");
  expect_error(replace(k_minimal, "destinations = [\"outlet\"]", "destinations = []"),
               "groups[0].destinations", "at least one destination");
  expect_error(replace(k_minimal, "[daemon]", "[daemon]\nbatching_window_ms = 0"),
               "daemon.batching_window_ms", "between 1 and 10000");
  expect_error(replace(k_minimal, "outlet.myshopify.com", "MAIN.myshopify.com"),
               "stores[1].shop_domain", "duplicate shop domain");
  expect_error(replace(k_minimal, "access_token_file = \"outlet.token\"\n", ""),
               "stores[1].access_token_file", "required");
}

TEST_F(config_file, secrets_come_from_credentials_directory) {
  temp_dir creds("shopsync-creds");
  write(creds / "main.token", "shpat_from_credentials\n");
  write(creds / "outlet.token", "shpat_outlet_credentials");
  write(creds / "webhook-secret", "cred-secret\n");
  write(dir_ / "absolute.secret", "absolute-secret\n");
  credentials_env env(creds.str());
  // Absolute paths are used as they are, even with $CREDENTIALS_DIRECTORY set.
  auto text = replace(k_minimal, "[\"webhook-secret\"]",
                      "[\"webhook-secret\", \"" + (dir_ / "absolute.secret").string() + "\"]");
  auto r = parse(text);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stores[0].access_token, "shpat_from_credentials");
  EXPECT_EQ(r->stores[1].access_token, "shpat_outlet_credentials");
  EXPECT_EQ(r->daemon.webhook_secrets, (std::vector<std::string>{"cred-secret", "absolute-secret"}));
}

TEST_F(config_file, relative_secrets_resolve_beside_the_config_file) {
  write(dir_ / "shopsync.toml", k_minimal);
  auto other = fs::current_path();
  auto r = load_config((dir_ / "shopsync.toml").string());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stores[0].access_token, "shpat_main");
  EXPECT_EQ(fs::current_path(), other);
}

TEST_F(config_file, unreadable_secret_names_key_and_path) {
  fs::remove(dir_ / "outlet.token");
  expect_error(k_minimal, "stores[1].access_token_file",
               "cannot read " + (dir_ / "outlet.token").string() + ": No such file or directory");
  fs::create_directory(dir_ / "outlet.token");
  expect_error(k_minimal, "stores[1].access_token_file", "cannot read " + (dir_ / "outlet.token").string());
  fs::remove(dir_ / "outlet.token");
  write(dir_ / "outlet.token", "\n");
  expect_error(k_minimal, "stores[1].access_token_file", (dir_ / "outlet.token").string() + " is empty");
  write(dir_ / "outlet.token", "shpat_outlet");
  fs::remove(dir_ / "webhook-secret");
  expect_error(k_minimal, "daemon.webhook_secret_files[0]",
               "cannot read " + (dir_ / "webhook-secret").string());
}

TEST_F(config_file, secrets_never_appear_in_messages) {
  write(dir_ / "big.secret", "s3cr3t-value" + std::string(70 * 1024, 'x'));
  auto r = parse(replace(k_minimal, "\"main.token\"", "\"big.secret\""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("s3cr3t"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("stores[0].access_token_file"), std::string::npos);
  // A valid config with a broken rule elsewhere does not print the loaded token either.
  r = parse(replace(k_minimal, "destinations = [\"outlet\"]", "destinations = [\"main\"]"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("shpat_"), std::string::npos) << r.error().message;
}

TEST_F(config_file, missing_config_file_names_its_path) {
  auto r = load_config((dir_ / "nope.toml").string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find((dir_ / "nope.toml").string()), std::string::npos);
  EXPECT_NE(r.error().message.find("No such file"), std::string::npos);
}

} // namespace

// [webhooks]: the public URL Shopify delivers to, who keeps the subscriptions, and
// how often they are checked; a bad value names the key and its line.
TEST_F(config_file, webhooks_table_loads_and_defaults_leave_it_unset) {
  auto plain = parse(k_minimal);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->webhooks.public_url, "");
  EXPECT_TRUE(plain->webhooks.manage);
  EXPECT_EQ(plain->webhooks.check_interval, std::chrono::seconds(300));
  auto r = parse(k_minimal + "\n[webhooks]\npublic_url = \"https://sync.example.com/webhooks\"\nmanage = false\n"
                             "check_interval_s = 60\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->webhooks.public_url, "https://sync.example.com/webhooks");
  EXPECT_FALSE(r->webhooks.manage);
  EXPECT_EQ(r->webhooks.check_interval, std::chrono::seconds(60));
}

TEST_F(config_file, webhooks_public_url_must_be_https_and_errors_name_key_and_line) {
  const auto base = k_minimal + "\n[webhooks]\n";
  const auto line = std::to_string(std::count(base.begin(), base.end(), '\n') + 1);
  expect_error(base + "public_url = \"http://sync.example.com/webhooks\"\n", "webhooks.public_url",
               "only over https (plain http is for a loopback test host) (line " + line + ")");
  expect_error(base + "public_url = \"sync.example.com\"\n", "webhooks.public_url", "is not an https:// URL");
  expect_error(base + "public_url = \"\"\n", "webhooks.public_url", "must not be empty");
  expect_error(base + "check_interval_s = 0\n", "webhooks.check_interval_s", "between 1 and 86400 seconds (line " + line);
  expect_error(base + "manage = \"yes\"\n", "webhooks.manage", "a boolean");
  expect_error(base + "public_urll = \"https://x\"\n", "webhooks.public_urll", "unknown key");
  EXPECT_TRUE(parse(base + "public_url = \"http://127.0.0.1:8080/webhooks\"\n").ok()); // tests and the simulator
}

// `start` and [groups.breaker]: a group plans first unless it says "sync"; the
// breaker's limits default to 10 min, 20 %, 100 levels, floor 5, and a bad one names its key.
TEST_F(config_file, start_and_breaker_are_group_keys) {
  auto dflt = parse(k_minimal);
  ASSERT_TRUE(dflt.ok()) << dflt.error().message;
  EXPECT_TRUE(dflt->groups[0].start_with_plan);
  EXPECT_EQ(dflt->groups[0].breaker.window, std::chrono::minutes(10));
  EXPECT_DOUBLE_EQ(dflt->groups[0].breaker.max_share, 0.20);
  EXPECT_EQ(dflt->groups[0].breaker.max_levels, 100u);
  EXPECT_EQ(dflt->groups[0].breaker.min_levels, 5u);
  auto sync = parse(k_minimal + "start = \"sync\"\n[groups.breaker]\nwindow_s = 60\nmax_share_percent = 5\n"
                                "max_levels = 40\nmin_levels = 2\n");
  ASSERT_TRUE(sync.ok()) << sync.error().message;
  EXPECT_FALSE(sync->groups[0].start_with_plan);
  EXPECT_EQ(sync->groups[0].breaker.window, std::chrono::seconds(60));
  EXPECT_DOUBLE_EQ(sync->groups[0].breaker.max_share, 0.05);
  EXPECT_EQ(sync->groups[0].breaker.max_levels, 40u);
  EXPECT_EQ(sync->groups[0].breaker.min_levels, 2u);
  expect_error(k_minimal + "start = \"now\"\n", "groups[0].start", "plan or sync");
  expect_error(k_minimal + "[groups.breaker]\nmax_share_percent = 0\n", "groups[0].breaker.max_share_percent",
               "between 1 and 100");
  expect_error(k_minimal + "[groups.breaker]\nmax_share_percent = 101\n", "groups[0].breaker.max_share_percent");
  expect_error(k_minimal + "[groups.breaker]\nwindow_s = 0\n", "groups[0].breaker.window_s");
  expect_error(k_minimal + "[groups.breaker]\nmax_levels = 0\n", "groups[0].breaker.max_levels");
  expect_error(k_minimal + "[groups.breaker]\nmin_levels = 8\nmax_levels = 7\n", "groups[0].breaker.min_levels");
  expect_error(k_minimal + "[groups.breaker]\nwindow = 60\n", "groups[0].breaker.window", "unknown key");
}
