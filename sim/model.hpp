#pragma once
// The simulated shops: what each store holds (locations, products, variants, inventory levels,
// orders, draft orders). Plain data; the operations that change it live in store.hpp.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace shopsync::sim {

using i64 = std::int64_t;

struct location {
  i64 id = 0;
  std::string name;
  bool active = true;
};

struct product {
  i64 id = 0;
  std::string handle;
  std::string title;
  std::string vendor = "Acme";
  std::string product_type = "Goods";
  std::vector<std::string> tags; // Shopify: Product.tags (GraphQL list); webhooks: one "a, b" string
  i64 created_at = 0; // unix seconds
  i64 updated_at = 0;
  std::vector<std::uint32_t> variants; // indexes into store::variants, by position
  bool deleted = false; // products/delete: kept (indexes stay valid), found by no lookup
};

struct variant {
  i64 id = 0;
  i64 inventory_item_id = 0;
  std::uint32_t product = 0; // index into store::products
  std::uint16_t position = 1;
  std::string sku;     // empty: no SKU (barcode-only variants)
  std::string barcode; // empty: none
  std::string option;  // the value of the single option "Size"
  std::string price = "29.99";
  bool tracked = true;
  bool deny_oversell = true; // inventory_policy "deny"
  i64 updated_at = 0;
  bool deleted = false; // its product or itself deleted: found by no lookup, listed nowhere
};

// A level's value when the item is not stocked at the location.
inline constexpr std::int32_t not_stocked = std::numeric_limits<std::int32_t>::min();

struct line_item {
  i64 id = 0;
  i64 variant_id = 0; // 0: custom line
  i64 product_id = 0;
  std::string sku;
  std::string title;
  std::string variant_title;
  std::string vendor;
  int quantity = 0;
  std::string price = "0.00";
  int grams = 200;
  bool requires_shipping = true; // a variant's default; orderCreate's default is false
  bool taxable = true;
  std::string tax_lines_json = "[]";        // webhook shape: [{title, price, rate, price_set}]
  std::string applied_discount_json = "null"; // draft lines: webhook applied_discount
};

struct order {
  i64 id = 0;
  std::string name;
  i64 number = 0;
  std::vector<line_item> lines;
  std::vector<std::string> tags;
  std::string email;
  std::optional<std::string> note;
  std::string source_name = "web";
  std::optional<std::string> source_identifier;
  std::string financial_status = "paid";
  std::string currency = "USD";
  std::optional<i64> app_id;
  std::string shipping_address_json = "null"; // Shopify webhook shape (snake_case), or null
  std::string billing_address_json = "null";
  std::string customer_json = "null";
  std::string note_attributes_json = "[]";
  i64 created_at = 0;
  std::string inventory_behaviour = "BYPASS";
  // webhook shapes (snake_case), as the orders/create payload carries them
  std::string shipping_lines_json = "[]";
  std::string tax_lines_json = "[]";
  std::string discount_codes_json = "[]";
  std::string discount_applications_json = "[]";
  std::string total_discounts = "0.00";
  bool taxes_included = false;
  i64 created_ms = 0; // wall clock ms: search visibility (search_lag_ms)
};

struct draft_order {
  i64 id = 0;
  std::string name;
  std::string status = "open"; // open | invoice_sent | completed
  std::vector<line_item> lines;
  std::vector<std::string> tags;
  std::string email;
  std::optional<std::string> note;
  std::optional<i64> api_client_id;
  std::optional<i64> order_id;
  std::string shipping_address_json = "null";
  std::string billing_address_json = "null";
  std::string note_attributes_json = "[]";
  i64 created_at = 0;
  i64 updated_at = 0;
  std::optional<i64> completed_at;
  std::optional<i64> invoice_sent_at;
  std::string shipping_line_json = "null";    // webhook shape: {title, custom, handle, price}
  std::string applied_discount_json = "null"; // webhook shape: {title, description, value, value_type, amount}
  bool tax_exempt = false;
  i64 created_ms = 0; // wall clock ms: search visibility (search_lag_ms)
};

// Shopify's ids: large 64-bit integers, one range per object family, different per store.
struct id_families {
  i64 location, product, variant, inventory_item, order, draft_order, line_item, customer, option;
  i64 inventory_level; // a level's own number: never the location's
};

} // namespace shopsync::sim
