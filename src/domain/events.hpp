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
  // updated_at as seconds since the epoch (UTC); nullopt when missing or malformed.
  std::optional<std::int64_t> updated_at_s;
};

// inventory_levels/connect and inventory_levels/disconnect: an item became stocked at a location
// (a new inventory level) or stopped being stocked there. Shopify's connect payload has the
// shape of an update (available, updated_at, admin_graphql_api_id); disconnect may carry only
// the two ids. Only the ids are needed: the level is read.
struct inventory_level_stocking {
  inventory_item_id item = 0;
  location_id location = 0;
  bool connected = true; // false: disconnected
  std::optional<std::int64_t> available;
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

// A tax charged on a line, a shipping line or an order (webhook tax_lines[]).
struct tax_line {
  std::string title;
  std::string rate;  // decimal as written in the payload (0.06)
  std::string price; // the amount, decimal string in shop money
};

// A discount a merchant set by hand on a draft order or one of its lines
// (webhook applied_discount).
struct applied_discount {
  std::string title, description;
  std::string value;      // decimal: the percentage, or the amount off
  std::string value_type; // fixed_amount | percentage
  std::string amount;     // the money it takes off
};

// A line of an order or a draft order. variant is absent for custom lines.
struct order_line {
  shopify_id line_id = 0;
  std::optional<variant_id> variant;
  std::optional<product_id> product;
  std::string sku, title, variant_title;
  std::int64_t quantity = 0;
  std::string price; // unit price, decimal string in shop money
  std::optional<bool> requires_shipping; // absent: the payload did not say
  std::optional<bool> taxable;
  std::vector<tax_line> tax_lines;
  std::optional<applied_discount> discount; // draft orders: the line's applied_discount
};

// orders/create shipping_lines[]; a draft order's shipping_line (code = its handle).
struct shipping_line {
  std::string title, code, source;
  std::string price; // before discounts
  std::vector<tax_line> tax_lines;
};

// orders/create discount_codes[]: a code the customer entered and what it took off.
struct discount_code {
  std::string code;
  std::string amount;
  std::string type; // fixed_amount | percentage | shipping
};

// orders/create discount_applications[]: every discount (codes, automatic, manual, script).
struct discount_application {
  std::string type;        // discount_code | automatic | manual | script
  std::string code, title; // code for discount_code; title for the others
  std::string value;       // decimal
  std::string value_type;  // fixed_amount | percentage
  std::string target_type; // line_item | shipping_line
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
  std::vector<shipping_line> shipping_lines;
  std::vector<tax_line> tax_lines; // the order's taxes (the lines' and shipping's, summed by title)
  std::vector<discount_code> discount_codes;
  std::vector<discount_application> discount_applications;
  std::string total_discounts;
  std::optional<bool> taxes_included;
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
  std::optional<shipping_line> shipping;          // shipping_line (null: none)
  std::optional<applied_discount> discount;       // the draft's order-level applied_discount
  std::optional<bool> tax_exempt, taxes_included;
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
  // For the group's filter and allocation rules: `tags` split from the payload's "a, b".
  std::vector<std::string> tags;
  std::string vendor, product_type;
};

// products/delete: Shopify sends only the product's id (deleted objects have no other detail).
struct product_deleted {
  product_id id = 0;
};

// inventory_items/delete (a variant deleted, or its product): only the item's id is known.
struct inventory_item_deleted {
  inventory_item_id item = 0;
};

// app/scopes_update: the app's granted access scopes changed in this store (a scope check
// follows; the lists are informative: currentAppInstallation is the truth).
struct app_scopes_changed {
  std::vector<std::string> previous, current;
  std::string updated_at;
};

// app/uninstalled: the app was removed from the store; its tokens no longer work. The payload
// is the shop; the envelope's shop domain says which store.
struct app_uninstalled {
  std::optional<shopify_id> shop_id;
  std::string myshopify_domain;
};

using webhook_event = std::variant<inventory_level_changed, inventory_item_changed, order_created,
                                   draft_order_changed, product_changed, inventory_level_stocking,
                                   product_deleted, inventory_item_deleted, app_scopes_changed,
                                   app_uninstalled>;

// What the intake records for every accepted delivery.
struct webhook_envelope {
  std::string topic;
  std::string shop_domain;
  std::string webhook_id;   // X-Shopify-Webhook-Id: one per delivery and subscription
  std::string event_id;     // X-Shopify-Event-Id: one per event, the dedup key
  std::string triggered_at; // X-Shopify-Triggered-At
  std::string api_version;
  webhook_event event;
};

} // namespace shopsync
