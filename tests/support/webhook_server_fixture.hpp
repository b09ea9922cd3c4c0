#pragma once
// The webhook server on loopback (port 0) in front of a real inbox on a real RocksDB, wired as
// the daemon wires them, recording the deliveries it hands on. Shared by the webhook server
// tests and the disk-full test.
#include "io/inbox.hpp"
#include "io/metrics.hpp"
#include "io/state_store.hpp"
#include "io/webhook_server.hpp"
#include "support/temp_dir.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace shopsync::testing {

// Records in a column family (expects the scan to succeed).
std::size_t count_records(state_store& s, column c);

// The sample inventory_levels/update payload from shared/shopify/webhooks.
std::string level_body();

// Every sample payload of shared/shopify/webhooks as (topic, body), then products/create with
// its variant's inventory_item_id null, as Shopify's documentation shows it (the last one).
// Throws when a sample is missing.
std::vector<std::pair<std::string, std::string>> shopify_samples();

struct webhook_server_fixture {
  struct setup {
    std::function<void(webhook_server::options&)> tweak; // after the defaults below
    std::string db_path;                                 // default: a fresh temp dir
  };

  temp_dir dir{"webhook-server-test"};
  std::unique_ptr<state_store> store;
  std::unique_ptr<inbox> in;
  metrics_registry metrics;
  std::mutex mu;
  std::vector<std::pair<std::uint64_t, webhook_envelope>> accepted;
  std::unique_ptr<webhook_server> server;
  std::uint16_t port = 0;

  // Defaults: 2 io threads, 64 KiB bodies, 8 KiB headers, 300 ms header and body timeouts,
  // shops shop-a.myshopify.com and Shop-B.myshopify.com, secrets "new-secret" and "hush".
  // Throws when the store, the inbox or the server cannot start.
  explicit webhook_server_fixture(const std::function<void(webhook_server::options&)>& tweak = {});
  explicit webhook_server_fixture(setup s);
  ~webhook_server_fixture();

  std::size_t accepted_count();
  // No inbox entry, no dedup record, nothing handed on.
  void expect_nothing_stored();
};

} // namespace shopsync::testing
