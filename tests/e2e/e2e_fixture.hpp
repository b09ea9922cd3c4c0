#pragma once
// End-to-end environment: shopify-sim and shopsyncd as real child processes on loopback, the
// daemon's RocksDB in a temp dir. The test writes the scenario (the stores' truth) and the
// groups; the fixture writes the TOML, the secrets, starts both, and offers the questions a
// test asks: levels from /_sim/state, sales, the Admin call log, control commands, and waiting
// for a predicate under a deadline.
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace shopsync::testing {

// A parsed JSON document that owns its parser; lookups by JSON pointer, never throwing.
struct e2e_json {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
  std::optional<std::int64_t> num(const std::string& pointer) const;
  std::string str(const std::string& pointer) const;
  std::size_t size(const std::string& pointer) const; // array length, 0 when absent
  bool has(const std::string& pointer) const;
};
std::unique_ptr<e2e_json> parse(const std::string& text);

struct e2e_store {
  std::string name;  // shopsync's name
  std::string shop;  // domain in the scenario
  std::string token;  // its static token in the scenario (used by auth = "static_token")
  bool source = false;
  std::string auth;   // static_token | client_credentials | authorization_code; empty: e2e_options::auth
};

struct e2e_options {
  std::string scenario_json;          // without webhook_url (the fixture passes --webhook-url)
  std::vector<e2e_store> stores;
  std::string groups_toml;            // [[groups]] tables
  std::vector<std::string> sim_args;  // extra flags (faults, ...); --time-scale 0.01 unless given
  int reconcile_interval_s = 3600;
  // A webhook within a second of one of our writes is taken provisionally or set aside and the
  // level read this long after (production: 30 s): short, so that tests of such edits converge
  // in test time.
  int verify_after_s = 2;
  std::string daemon_toml;            // extra [daemon] keys ("key = value\n" lines)
  bool sync_writes = true;
  std::string app_secret = "e2e-secret";
  std::uint64_t app_id = 580111;
  // More TOML after the stores (e.g. a [webhooks] table); "@WEBHOOK_URL@" becomes the daemon's
  // own webhook address, http://127.0.0.1:<port>/webhooks.
  std::string extra_toml;
  // How stores authenticate unless they say otherwise: the Dev Dashboard app's client
  // credentials by default (the app's client secret is app_secret, as in the simulator, and
  // signs the webhooks); "static_token" for a legacy custom app's token file.
  std::string auth = "client_credentials";
  int unauthorized_probe_s = 1;
};

class e2e_env {
public:
  explicit e2e_env(e2e_options o);
  ~e2e_env();

  // Rewrites the configuration's [[groups]] (takes effect at the next start).
  void set_groups(const std::string& groups_toml);
  // Starts (or restarts, on the same data dir) shopsyncd; true when it answers ping.
  bool start_daemon();
  // The usual first start: the simulator is up, shopsyncd answers and every group is mapped;
  // a failure names the step and carries the daemon's output.
  ::testing::AssertionResult start_mapped();
  void kill_daemon();      // SIGKILL, no goodbye
  int stop_daemon();       // SIGTERM; exit code
  void signal_daemon(int sig); // e.g. SIGHUP (reload)
  std::string daemon_output() const;
  // Whether the daemon's whole output (daemon_output() is its tail) holds `text`.
  bool daemon_said(const std::string& text) const;

  // Waits until `mappings` has a mapping for every group.
  bool wait_mapped(std::chrono::milliseconds limit = std::chrono::seconds(20));
  // Waits until each identity's item actor knows every level and is idle (initial alignment
  // done): changes made before that are not counted in two-way (the Source is the baseline).
  bool wait_settled(const std::string& group, const std::vector<std::string>& identities,
                    std::chrono::milliseconds limit = std::chrono::seconds(15));
  // Polls pred every 50 ms until it holds or the deadline passes.
  static bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds limit);

  // Simulator truth.
  std::string sim_get(const std::string& target) const;
  std::string sim_post(const std::string& target, const std::string& body) const;
  // available of (shop, sku) at a location name; nullopt when unknown or not stocked.
  std::optional<std::int64_t> level(const std::string& shop, const std::string& sku,
                                    const std::string& location = "Main Warehouse") const;
  // A storefront sale; returns the sim's answer (JSON) or "HTTP ..." on refusal.
  std::string sale(const std::string& shop, const std::string& sku, int quantity = 1,
                   const std::string& location = "Main Warehouse", const std::string& financial_status = "paid");
  std::string restock(const std::string& shop, const std::string& sku, int delta,
                      const std::string& location = "Main Warehouse");
  std::string set_level(const std::string& shop, const std::string& sku, int available,
                        const std::string& location = "Main Warehouse");
  // True when no webhook delivery is pending in the simulator.
  bool webhooks_idle(std::chrono::milliseconds limit = std::chrono::seconds(10)) const;
  // The Admin call log's next sequence number (to count calls made from now on).
  std::uint64_t log_seq() const;
  // Applied inventory mutations (InventorySet/InventoryAdjust) to shop since seq.
  int mutations(const std::string& shop, std::uint64_t since) const;
  // Applied calls of operation to shop since seq (any outcome when outcome is empty).
  int calls(const std::string& shop, const std::string& operation, std::uint64_t since,
            const std::string& outcome = "applied") const;
  // The number of orders / draft orders the simulator holds for a shop.
  std::size_t order_count(const std::string& shop) const;
  std::size_t draft_count(const std::string& shop) const;
  // Orders made through the Admin API by the app (app_id), i.e. by shopsync; storefront sales excluded.
  std::size_t app_order_count(const std::string& shop) const;

  // Control socket: the result JSON, or "ERROR <code>: <message>".
  std::string control(const std::string& cmd, const std::string& args_json = "{}") const;
  std::optional<std::int64_t> inbox_depth() const;
  // The daemon's /metrics text, and the value of one series ("name{labels}" exactly as
  // rendered; 0 when absent).
  std::string metrics() const;
  double metric(const std::string& series) const;

  unsigned short sim_port() const noexcept { return sim_port_; }
  // The daemon's webhook listener (127.0.0.1), its webhook secret and its state store's
  // directory (open it only while the daemon is stopped).
  unsigned short webhook_port() const noexcept { return webhook_port_; }
  const std::string& webhook_secret() const noexcept { return opt_.app_secret; }
  // The file holding a static store's token (rewrite it to hand the daemon a new token).
  std::string token_file(const std::string& store) const { return (dir_ / (store + ".token")).string(); }
  // The simulator app's client id (the scenario default).
  static constexpr const char* client_id = "sim-client-id";
  std::string state_dir() const { return (dir_ / "data" / "state").string(); }
  const std::string& socket() const noexcept { return socket_; }
  const std::string& config_path() const noexcept { return config_; }

private:
  e2e_options opt_;
  temp_dir dir_{"shopsync-e2e"};
  unsigned short sim_port_ = 0, webhook_port_ = 0;
  std::string socket_, config_, config_head_; // config_head_: everything before the groups
  std::unique_ptr<child_process> sim_;
  std::unique_ptr<http_client> http_; // one keep-alive connection: calls take turns
  mutable std::mutex http_mu_;
  std::unique_ptr<child_process> daemon_;
  std::string previous_output_; // daemon output of earlier runs (restarts)
};

// A scenario of the given stores, each with the same `products` (a JSON array of products),
// locations "Main Warehouse" and "Outlet"; `levels[i]` is store i's level everywhere stocked.
// `only_in[i]` (optional) adds SKUs that only store i has.
std::string uniform_scenario(const std::vector<e2e_store>& stores, const std::vector<std::string>& skus,
                             const std::vector<int>& levels,
                             const std::vector<std::vector<std::string>>& only_in = {},
                             const std::string& app_secret = "e2e-secret");

// Two stores (`source` the Source) holding one `sku` at `level` everywhere, in one group.
e2e_options pair_options(const e2e_store& source, const e2e_store& dest, const std::string& sku, int level,
                         const std::string& group, const std::string& strategy);

// A [[groups]] table: Source "source", the given Destinations, locations matched by name.
std::string group_toml(const std::string& name, const std::vector<e2e_store>& dests, const std::string& strategy,
                       const std::string& match_by = "sku");

// A group's state as `shopsyncctl status` shows it ("syncing", "planned", ...; "?" if absent).
std::string group_state(const e2e_env& env, const std::string& group);

// The audit's count of levels set by shopsync (each a confirmed write).
std::size_t levels_set(const e2e_env& env);

} // namespace shopsync::testing
