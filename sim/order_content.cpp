#include "sim/order_content.hpp"

#include "io/json_writer.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace shopsync::sim {

namespace {

double amount_of(std::optional<element> money) {
  if (!money)
    return 0;
  if (auto s = as_str(member(*money, "amount")))
    return std::atof(std::string(*s).c_str());
  return as_double(member(*money, "amount")).value_or(0);
}

// MoneyBagInput { shopMoney } → its amount
double bag_amount(std::optional<element> bag) {
  return bag ? amount_of(member(*bag, "shopMoney")) : 0;
}

// Decimal input: a string ("0.06") or a number; written back as a JSON number, as webhooks do.
std::string decimal_json(std::optional<element> v) {
  if (auto s = as_str(v)) {
    char* end = nullptr;
    std::string t(*s);
    std::strtod(t.c_str(), &end);
    if (!t.empty() && end && *end == '\0')
      return t;
  }
  if (auto d = as_double(v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", *d);
    return buf;
  }
  return "0";
}

void money_set(json_writer& w, const std::string& amount, const std::string& currency) {
  w.begin_object();
  for (auto k : {"shop_money", "presentment_money"})
    w.key(k).begin_object().field("amount", amount).field("currency_code", currency).end_object();
  w.end_object();
}

void write_tax_lines(json_writer& w, std::optional<element> tax_lines, const std::string& currency) {
  w.begin_array();
  simdjson::dom::array arr;
  if (tax_lines && tax_lines->get(arr) == simdjson::SUCCESS) {
    for (auto t : arr) {
      auto price = money_text(bag_amount(member(t, "priceSet")));
      w.begin_object().field("title", std::string(as_str(member(t, "title")).value_or("")))
          .field("price", price);
      w.key("rate").raw(decimal_json(member(t, "rate")));
      w.key("price_set");
      money_set(w, price, currency);
      w.end_object();
    }
  }
  w.end_array();
}

} // namespace

std::string money_text(double amount) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", std::round(amount * 100) / 100);
  return buf;
}

std::string tax_lines_json(std::optional<element> tax_lines, const std::string& currency) {
  json_writer w;
  write_tax_lines(w, tax_lines, currency);
  return std::move(w).str();
}

std::string shipping_lines_json(std::optional<element> shipping_lines, const std::string& currency,
                                double& total) {
  total = 0;
  json_writer w;
  w.begin_array();
  simdjson::dom::array arr;
  if (shipping_lines && shipping_lines->get(arr) == simdjson::SUCCESS) {
    for (auto s : arr) {
      const double amount = bag_amount(member(s, "priceSet"));
      total += amount;
      const auto price = money_text(amount);
      w.begin_object().field("title", std::string(as_str(member(s, "title")).value_or("")));
      w.key("code").value(as_str(member(s, "code")));
      w.field("source", std::string(as_str(member(s, "source")).value_or("shopify")))
          .field("price", price).field("discounted_price", price);
      w.key("price_set");
      money_set(w, price, currency);
      w.key("tax_lines");
      write_tax_lines(w, member(s, "taxLines"), currency);
      w.key("discount_allocations").begin_array().end_array();
      w.end_object();
    }
  }
  w.end_array();
  return std::move(w).str();
}

order_discount discount_from_input(std::optional<element> discount_code, double items, double shipping) {
  order_discount d;
  if (!discount_code || !discount_code->is_object())
    return d;
  std::string code, type, value_type, value, target = "line_item";
  double amount = 0;
  if (auto f = member(*discount_code, "itemFixedDiscountCode")) {
    code = std::string(as_str(member(*f, "code")).value_or(""));
    amount = std::min(items, bag_amount(member(*f, "amountSet")));
    type = value_type = "fixed_amount";
    value = money_text(amount);
  } else if (auto p = member(*discount_code, "itemPercentageDiscountCode")) {
    code = std::string(as_str(member(*p, "code")).value_or(""));
    const double pct = as_double(member(*p, "percentage")).value_or(0);
    amount = items * pct / 100;
    type = value_type = "percentage";
    value = decimal_json(member(*p, "percentage"));
  } else if (auto s = member(*discount_code, "freeShippingDiscountCode")) {
    code = std::string(as_str(member(*s, "code")).value_or(""));
    amount = shipping;
    type = "shipping";
    value_type = "percentage";
    value = "100.0";
    target = "shipping_line";
  } else {
    return d;
  }
  d.total = money_text(amount);
  json_writer c;
  c.begin_array().begin_object().field("code", code).field("amount", d.total).field("type", type)
      .end_object().end_array();
  d.codes_json = std::move(c).str();
  json_writer a;
  a.begin_array().begin_object().field("type", "discount_code").field("code", code)
      .field("value", value).field("value_type", value_type)
      .field("allocation_method", "across").field("target_selection", "all")
      .field("target_type", target).end_object().end_array();
  d.applications_json = std::move(a).str();
  return d;
}

std::string draft_shipping_line_json(std::optional<element> shipping_line) {
  if (!shipping_line || !shipping_line->is_object())
    return "null";
  double price = amount_of(member(*shipping_line, "priceWithCurrency"));
  if (!member(*shipping_line, "priceWithCurrency"))
    if (auto p = as_str(member(*shipping_line, "price")))
      price = std::atof(std::string(*p).c_str());
  json_writer w;
  w.begin_object().field("title", std::string(as_str(member(*shipping_line, "title")).value_or("")))
      .field("custom", true);
  w.key("handle").value(as_str(member(*shipping_line, "shippingRateHandle")));
  w.field("price", money_text(price)).end_object();
  return std::move(w).str();
}

std::string draft_applied_discount_json(std::optional<element> applied_discount, double base) {
  if (!applied_discount || !applied_discount->is_object())
    return "null";
  const auto value = as_double(member(*applied_discount, "value")).value_or(0);
  const std::string type(as_str(member(*applied_discount, "valueType")).value_or("FIXED_AMOUNT"));
  const bool pct = type == "PERCENTAGE";
  json_writer w;
  w.begin_object().field("title", std::string(as_str(member(*applied_discount, "title")).value_or("")))
      .field("description", std::string(as_str(member(*applied_discount, "description")).value_or("")))
      .field("value", money_text(value)).field("value_type", pct ? "percentage" : "fixed_amount")
      .field("amount", money_text(pct ? base * value / 100 : value)).end_object();
  return std::move(w).str();
}

} // namespace shopsync::sim
