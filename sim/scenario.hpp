#pragma once
// A scenario: the app (secret, id, API version) and the stores, each with locations and a catalog
// given explicitly or made by a seeded generator. Loaded from JSON (see sim/README.md) or built
// from flags (--stores N --products P ...).
#include "sim/faults.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shopsync::sim {

struct location_spec {
  std::string name;
  bool active = true;
};

struct variant_spec {
  std::string sku, barcode, option, price = "29.99";
  std::optional<int> available_everywhere;      // "available": 5
  std::map<std::string, int> available_at;      // "available": {"Main Warehouse": 5}
  bool deny_oversell = true;
};

struct product_spec {
  std::string handle, title, vendor = "Acme";
  std::string product_type = "Goods";
  std::vector<std::string> tags;
  std::vector<variant_spec> variants;
};

// Makes `products` products of `variants_per_product` variants from a catalog "universe" shared
// by every store that uses the same universe_seed: product p has handle product-<p>, variant v of
// it SKU <sku_prefix>-<p>-<v> and a barcode derived from (p, v). Overlap controls make stores differ.
struct generator_spec {
  int products = 0;
  int variants_per_product = 3;
  std::uint64_t universe_seed = 1;
  std::string sku_prefix = "SKU";
  double missing_rate = 0;       // variant absent from this store
  double duplicate_sku_rate = 0; // variant gets the SKU of the variant before it
  double barcode_only_rate = 0;  // variant has no SKU, only its barcode
  double no_barcode_rate = 0;    // variant has no barcode
  int extra_products = 0;        // store-only products (SKUs <sku_prefix>-X<store>-<n>-<v>)
  int available_min = 0, available_max = 20;
  double unstocked_rate = 0;     // (variant, location) not stocked
};

struct store_spec {
  std::string shop, token;
  std::vector<location_spec> locations;
  double bucket_max = 2000, bucket_restore = 100;
  std::string plan; // "standard", "advanced", "plus", "enterprise" (sim/plans.hpp); sets the bucket
  std::vector<product_spec> products;
  std::optional<generator_spec> generate;
  std::string timezone = "-04:00"; // offset used in webhook timestamps
  bool big_ids = false;            // ids above 2^53 (to catch parsing through double)
  std::string webhook_url;         // overrides the scenario's for this store
  bool app_subscriptions = true;   // false: no app-specific subscriptions (only API-made ones deliver)
  std::optional<std::vector<std::string>> scopes; // granted access scopes; default: default_scopes()
};

struct scenario {
  std::string app_secret = "sim-webhook-secret";
  std::int64_t app_id = 580111;          // shopsync's app: orders it creates carry this app_id
  std::int64_t storefront_app_id = 129785;    // app_id of orders made by /_sim/sale
  std::int64_t draft_orders_app_id = 1354745; // app_id of orders from completing a draft in the admin
  std::string api_version = "2026-10";
  std::string client_id = "sim-client-id"; // the app's; its client secret is app_secret
  std::int64_t token_lifetime_s = 86399;    // expires_in of client-credentials tokens
  std::string webhook_url;
  std::vector<store_spec> stores;
  std::optional<fault_config> faults;
};

// Parses scenario JSON; throws std::runtime_error naming the offending key.
scenario parse_scenario(const std::string& json);
scenario load_scenario_file(const std::string& path);
// N generated stores store-1.myshopify.com … with token shpat_store_<i>.
scenario generated_scenario(int stores, int products, int variants_per_product);

} // namespace shopsync::sim
