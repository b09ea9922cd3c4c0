#pragma once
// Webhook events as the domain sees them: what io/webhook_parser produces from Shopify's
// payloads, and what the router hands to item, order and catalog actors. Money stays a
// decimal string; optional fields are optional, never defaulted to a made-up value.
#include "domain/ids.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace shopsync {

// inventory_levels/update: a hint, not truth (late, duplicated, reordered).
struct inventory_level_changed {
  inventory_item_id item = 0;
  location_id location = 0;
  std::optional<std::int64_t> available; // null when the item is not tracked
  std::string updated_at;                // ISO-8601, one-second resolution
};

// inventory_items/update: carries the SKU (matching by SKU follows it).
struct inventory_item_changed {
  inventory_item_id item = 0;
  std::string sku;
  bool tracked = true;
  std::string updated_at;
};

struct mailing_address {
  std::string first_name, last_name, company, address1, address2, city, province,
      province_code, zip, country, country_code, phone;
};

struct customer_ref {
  std::optional<shopify_id> id;
  std::string email, first_name, last_name;
};

// A line of an order or a draft order. variant is absent for custom lines.
struct order_line {
  shopify_id line_id = 0;
  std::optional<variant_id> variant;
  std::optional<product_id> product;
  std::string sku, title, variant_title;
  std::int64_t quantity = 0;
  std::string price; // unit price, decimal string in shop money
};

struct note_attribute {
  std::string name, value;
};

// orders/create
struct order_created {
  order_id id = 0;
  std::string name; // "#1042"
  std::string email;
  std::string financial_status; // paid, pending, ...
  std::string currency;
  std::string source_name;
  std::optional<std::uint64_t> app_id; // the app that created it (ours when we did)
  std::vector<std::string> tags;       // webhook "a, b" split and trimmed
  std::string note;
  std::vector<note_attribute> note_attributes;
  std::optional<customer_ref> customer;
  std::optional<mailing_address> shipping_address, billing_address;
  std::vector<order_line> lines;
  std::string total_price;
  std::string created_at;
};

// draft_orders/create and draft_orders/update
struct draft_order_changed {
  draft_order_id id = 0;
  bool created = false; // topic draft_orders/create
  std::string name;     // "#D17"
  std::string status;   // open | invoice_sent | completed
  std::optional<order_id> completed_order; // order_id once completed
  std::string email;
  std::string currency;
  std::optional<std::uint64_t> api_client_id;
  std::vector<std::string> tags;
  std::string note;
  std::vector<note_attribute> note_attributes;
  std::optional<customer_ref> customer;
  std::optional<mailing_address> shipping_address, billing_address;
  std::vector<order_line> lines;
  std::string updated_at;
};

struct product_variant_info {
  variant_id id = 0;
  inventory_item_id item = 0;
  std::string sku, barcode, title;
  int position = 0;
  std::vector<std::string> options; // option1..3 values that are present
};

// products/create and products/update. variants holds at most the first 100; every
// variant id is in all_variants (from variant_gids).
struct product_changed {
  product_id id = 0;
  bool created = false;
  std::string handle;
  std::string status;
  std::vector<product_variant_info> variants;
  std::vector<variant_id> all_variants;
  std::string updated_at;
};

// app/uninstalled: the app was removed from the store; its tokens no longer work. The payload
// is the shop; the envelope's shop domain says which store.
struct app_uninstalled {
  std::optional<shopify_id> shop_id;
  std::string myshopify_domain;
};

using webhook_event = std::variant<inventory_level_changed, inventory_item_changed, order_created,
                                   draft_order_changed, product_changed, app_uninstalled>;

// What the intake records for every accepted delivery.
struct webhook_envelope {
  std::string topic;
  std::string shop_domain;
  std::string webhook_id;   // X-Shopify-Webhook-Id: the dedup key
  std::string event_id;     // X-Shopify-Event-Id
  std::string triggered_at; // X-Shopify-Triggered-At
  std::string api_version;
  webhook_event event;
};

} // namespace shopsync
