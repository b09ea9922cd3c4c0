#include "sim/order_content_graphql.hpp"

#include "sim/json_read.hpp"

#include <cstdlib>
#include <string>

namespace shopsync::sim {

namespace {

// A stored webhook value, parsed (the parser owns the element).
struct stored {
  simdjson::dom::parser p;
  element e;
  explicit stored(const std::string& json) {
    static const std::string null_json = "null";
    if (p.parse(json).get(e) != simdjson::SUCCESS)
      if (p.parse(null_json).get(e) != simdjson::SUCCESS)
        e = {};
  }
};

std::string text(element e, std::string_view key) { return std::string(as_str(member(e, key)).value_or("")); }

void money_bag(json_writer& w, std::string_view key, const std::string& amount) {
  w.key(key).begin_object().key("shopMoney").begin_object().field("amount", amount).end_object().end_object();
}

// A decimal the webhook writes as a string or a number, as a GraphQL Float.
void write_float(json_writer& w, std::optional<element> v) {
  if (auto s = as_str(v)) {
    char* end = nullptr;
    std::string t(*s);
    std::strtod(t.c_str(), &end);
    if (!t.empty() && end && *end == '\0') {
      w.raw(t);
      return;
    }
  }
  if (v && v->is_number()) {
    w.raw(simdjson::minify(*v));
    return;
  }
  w.null();
}

// webhook tax_lines [{title, price, rate}] → [TaxLine {title rate priceSet}]
void write_taxes(json_writer& w, std::string_view key, std::optional<element> taxes) {
  w.key(key).begin_array();
  if (taxes && taxes->is_array())
    for (auto t : taxes->get_array()) {
      w.begin_object().field("title", text(t, "title"));
      w.key("rate");
      write_float(w, member(t, "rate"));
      money_bag(w, "priceSet", text(t, "price"));
      w.end_object();
    }
  w.end_array();
}

// webhook applied_discount → DraftOrderAppliedDiscount (value_type fixed_amount → FIXED_AMOUNT)
void write_applied_discount(json_writer& w, const std::string& json) {
  w.key("appliedDiscount");
  stored d(json);
  if (!d.e.is_object()) {
    w.null();
    return;
  }
  w.begin_object().field("title", text(d.e, "title")).field("description", text(d.e, "description"));
  w.key("value");
  write_float(w, member(d.e, "value"));
  w.field("valueType", text(d.e, "value_type") == "percentage" ? "PERCENTAGE" : "FIXED_AMOUNT");
  money_bag(w, "amountSet", text(d.e, "amount"));
  w.end_object();
}

std::string upper(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

} // namespace

void write_line_content(json_writer& w, const line_item& l, bool draft) {
  w.field("requiresShipping", l.requires_shipping).field("taxable", l.taxable);
  if (draft) {
    write_applied_discount(w, l.applied_discount_json);
    return;
  }
  stored t(l.tax_lines_json);
  write_taxes(w, "taxLines", t.e);
}

void write_order_content(json_writer& w, const order& o) {
  stored ships(o.shipping_lines_json);
  w.key("shippingLines").begin_object().key("nodes").begin_array();
  if (ships.e.is_array())
    for (auto s : ships.e.get_array()) {
      w.begin_object().field("title", text(s, "title"));
      w.key("code").value(as_str(member(s, "code")));
      w.field("source", text(s, "source"));
      money_bag(w, "originalPriceSet", text(s, "price"));
      write_taxes(w, "taxLines", member(s, "tax_lines"));
      w.end_object();
    }
  w.end_array().end_object();
  stored taxes(o.tax_lines_json);
  write_taxes(w, "taxLines", taxes.e);
  w.field("taxesIncluded", o.taxes_included);
  stored codes(o.discount_codes_json);
  w.key("discountCodes").begin_array();
  if (codes.e.is_array())
    for (auto c : codes.e.get_array())
      w.value(text(c, "code"));
  w.end_array();
  money_bag(w, "totalDiscountsSet", o.total_discounts);
  static constexpr std::pair<std::string_view, std::string_view> kinds[] = {
    {"discount_code", "DiscountCodeApplication"}, {"automatic", "AutomaticDiscountApplication"},
    {"manual", "ManualDiscountApplication"}, {"script", "ScriptDiscountApplication"}};
  stored apps(o.discount_applications_json);
  w.key("discountApplications").begin_object().key("nodes").begin_array();
  if (apps.e.is_array())
    for (auto a : apps.e.get_array()) {
      const auto type = text(a, "type");
      std::string_view typename_ = "ManualDiscountApplication";
      for (auto [hook, gql] : kinds)
        if (type == hook)
          typename_ = gql;
      w.begin_object().field("__typename", typename_).field("targetType", upper(text(a, "target_type")));
      w.key("value").begin_object();
      if (text(a, "value_type") == "percentage") {
        w.field("__typename", "PricingPercentageValue").key("percentage");
        write_float(w, member(a, "value"));
      } else {
        w.field("__typename", "MoneyV2").field("amount", text(a, "value"));
      }
      w.end_object();
      if (type == "discount_code")
        w.field("code", text(a, "code"));
      else
        w.field("title", text(a, "title"));
      w.end_object();
    }
  w.end_array().end_object();
}

void write_draft_content(json_writer& w, const draft_order& d) {
  stored ship(d.shipping_line_json);
  w.key("shippingLine");
  if (ship.e.is_object()) {
    w.begin_object().field("title", text(ship.e, "title"));
    w.key("shippingRateHandle").value(as_str(member(ship.e, "handle")));
    money_bag(w, "originalPriceSet", text(ship.e, "price"));
    w.end_object();
  } else {
    w.null();
  }
  write_applied_discount(w, d.applied_discount_json);
  w.field("taxExempt", d.tax_exempt).field("taxesIncluded", false); // the sim's drafts: as their webhook
}

} // namespace shopsync::sim
