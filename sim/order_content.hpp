#pragma once
// Order content the Admin API takes as GraphQL input and the webhooks and /_sim/state show in
// Shopify's REST shapes: tax lines, shipping lines, discount codes (orderCreate), and a draft
// order's shipping line and applied discounts (DraftOrderInput). Each function returns the
// webhook JSON for what the input held.
#include "sim/json_read.hpp"

#include <optional>
#include <string>

namespace shopsync::sim {

// [OrderCreateTaxLineInput!] → [{title, price, rate, price_set}]; "[]" when absent.
std::string tax_lines_json(std::optional<element> tax_lines, const std::string& currency);

// [OrderCreateShippingLineInput!] → [{title, code, source, price, price_set, tax_lines,
// discounted_price, discount_allocations}]; "[]" when absent. `total` gets their sum.
std::string shipping_lines_json(std::optional<element> shipping_lines, const std::string& currency,
                                double& total);

// OrderCreateDiscountCodeInput → discount_codes, discount_applications and total_discounts,
// the amount computed as Shopify would (a percentage of `items`, a fixed amount, or the
// shipping for a free-shipping code).
struct order_discount {
  std::string codes_json = "[]";
  std::string applications_json = "[]";
  std::string total = "0.00";
};
order_discount discount_from_input(std::optional<element> discount_code, double items, double shipping);

// ShippingLineInput → {title, custom, handle, price}; "null" when absent.
std::string draft_shipping_line_json(std::optional<element> shipping_line);
// DraftOrderAppliedDiscountInput → {title, description, value, value_type, amount}; "null".
std::string draft_applied_discount_json(std::optional<element> applied_discount, double base);

// 12.5 → "12.50"
std::string money_text(double amount);

} // namespace shopsync::sim
