#pragma once
// A Destination sale with every kind of order content and the checks that the Source
// order shopsync created carries it: shared by the webhook path (e2e_order_content_test) and the
// reconciler's read (e2e_order_reconcile_content_test).
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace shopsync::testing {

// /_sim/sale body: 2 x `sku` with a line tax, a taxed shipping line, the order's tax and a 10%
// discount code, the line requiring shipping.
inline std::string content_sale_body(const std::string& shop, const std::string& sku) {
  return R"({"store":")" + shop + R"(","sku":")" + sku + R"(","quantity":2,
    "requires_shipping":true,
    "line_tax_lines":[{"title":"IL State Tax","price":"3.60","rate":0.06,
                       "price_set":{"shop_money":{"amount":"3.60","currency_code":"USD"}}}],
    "shipping_lines":[{"id":1,"title":"Standard","code":"STANDARD","source":"shopify","price":"5.00",
                       "tax_lines":[{"title":"IL State Tax","price":"0.30","rate":0.06}],
                       "discount_allocations":[]}],
    "tax_lines":[{"title":"IL State Tax","price":"3.90","rate":0.06}],
    "discount_codes":[{"code":"SPRING10","amount":"6.00","type":"percentage"}],
    "discount_applications":[{"type":"discount_code","code":"SPRING10","value":"10.0",
                               "value_type":"percentage","allocation_method":"across",
                               "target_selection":"all","target_type":"line_item"}],
    "total_discounts":"6.00","taxes_included":false})";
}

inline bool flag_at(const e2e_json& doc, const std::string& pointer) {
  bool b = false;
  return doc.root.at_pointer(pointer).get(b) == simdjson::SUCCESS && b;
}

// The pointer ("/orders/3") of the Source order made from Destination order `dest_id`; "" if none.
inline std::string source_order_of(const e2e_json& state, const std::string& dest_id) {
  for (std::size_t i = 0; i < state.size("/orders"); ++i)
    if (state.str("/orders/" + std::to_string(i) + "/source_identifier").find(dest_id) != std::string::npos)
      return "/orders/" + std::to_string(i);
  return {};
}

// The Source order at `o` carries what content_sale_body put in the Destination order.
inline void expect_sale_content(const e2e_json& st, const std::string& o, const std::string& state_text) {
  EXPECT_TRUE(flag_at(st, o + "/line_items/0/requires_shipping")) << "orderCreate's default is false: " << st.str(o);
  EXPECT_EQ(st.str(o + "/line_items/0/tax_lines/0/title"), "IL State Tax") << state_text;
  EXPECT_EQ(st.str(o + "/line_items/0/tax_lines/0/price"), "3.60");
  EXPECT_EQ(st.size(o + "/tax_lines"), 0u) << "taxes go on the lines or the order, not both";
  ASSERT_EQ(st.size(o + "/shipping_lines"), 1u) << state_text;
  EXPECT_EQ(st.str(o + "/shipping_lines/0/title"), "Standard");
  EXPECT_EQ(st.str(o + "/shipping_lines/0/code"), "STANDARD");
  EXPECT_EQ(st.str(o + "/shipping_lines/0/price"), "5.00");
  EXPECT_EQ(st.str(o + "/shipping_lines/0/tax_lines/0/price"), "0.30");
  ASSERT_EQ(st.size(o + "/discount_codes"), 1u) << state_text;
  EXPECT_EQ(st.str(o + "/discount_codes/0/code"), "SPRING10");
  EXPECT_EQ(st.str(o + "/discount_codes/0/type"), "percentage");
  // Shopify applies the percentage to the lines it got: 10% of 2 x the Destination's price
  char expected[32];
  std::snprintf(expected, sizeof expected, "%.2f", std::atof(st.str(o + "/line_items/0/price").c_str()) * 2 * 0.10);
  EXPECT_EQ(st.str(o + "/total_discounts"), expected) << state_text;
}

} // namespace shopsync::testing
