#include "io/webhook_order_parser.hpp"

#include <utility>

namespace shopsync {

namespace {

using reader = webhook_field_reader;
using od_value = simdjson::ondemand::value;

// --- the parts both documents carry

bool address_field(reader& r, mailing_address& a, std::string_view k, od_value val) {
  std::string* dst = k == "first_name"      ? &a.first_name
                     : k == "last_name"     ? &a.last_name
                     : k == "company"       ? &a.company
                     : k == "address1"      ? &a.address1
                     : k == "address2"      ? &a.address2
                     : k == "city"          ? &a.city
                     : k == "province"      ? &a.province
                     : k == "province_code" ? &a.province_code
                     : k == "zip"           ? &a.zip
                     : k == "country"       ? &a.country
                     : k == "country_code"  ? &a.country_code
                     : k == "phone"         ? &a.phone
                                            : nullptr;
  return dst ? r.str(val, k, *dst) : true;
}

bool customer_field(reader& r, customer_ref& c, std::string_view k, od_value val) {
  if (k == "id")
    return r.id(val, k, c.id);
  if (k == "email")
    return r.str(val, k, c.email);
  if (k == "first_name")
    return r.str(val, k, c.first_name);
  if (k == "last_name")
    return r.str(val, k, c.last_name);
  return true;
}

bool note_attribute_field(reader& r, note_attribute& a, std::string_view k, od_value val) {
  if (k == "name")
    return r.str(val, k, a.name);
  if (k == "value")
    return r.money(val, k, a.value); // strings, or a number kept as written
  return true;
}

bool read_tax_lines(reader& r, od_value& v, std::string_view field, std::vector<tax_line>& out) {
  return r.objects(v, field, out, [&](tax_line& t, std::string_view k, od_value val) {
    if (k == "title")
      return r.str(val, k, t.title);
    if (k == "rate")
      return r.money(val, k, t.rate); // a JSON number, kept as written
    if (k == "price")
      return r.money(val, k, t.price);
    return true;
  });
}

// applied_discount of a draft order or of a line.
bool applied_discount_field(reader& r, applied_discount& d, std::string_view k, od_value val) {
  if (k == "title")
    return r.str(val, k, d.title);
  if (k == "description")
    return r.str(val, k, d.description);
  if (k == "value")
    return r.money(val, k, d.value);
  if (k == "value_type")
    return r.str(val, k, d.value_type);
  if (k == "amount")
    return r.money(val, k, d.amount);
  return true;
}

bool read_applied_discount(reader& r, od_value& v, std::string_view field, std::optional<applied_discount>& out) {
  return r.optional_object(v, field, out, [&](applied_discount& d, std::string_view k, od_value val) {
    return applied_discount_field(r, d, k, val);
  });
}

// A field of a shipping line (orders: shipping_lines[i]; draft orders: shipping_line, whose
// code is called handle).
bool shipping_line_field(reader& r, shipping_line& s, std::string_view k, od_value val) {
  if (k == "title")
    return r.str(val, k, s.title);
  if (k == "code" || (k == "handle" && s.code.empty()))
    return r.str(val, k, s.code);
  if (k == "source")
    return r.str(val, k, s.source);
  if (k == "price")
    return r.money(val, k, s.price);
  if (k == "tax_lines")
    return read_tax_lines(r, val, k, s.tax_lines);
  return true;
}

// line_items: the same lines in an order and in a draft order; `id` and `quantity` required.
bool read_lines(reader& r, od_value& v, std::vector<order_line>& out) {
  std::size_t i = 0;
  return r.array(v, "line_items", [&](od_value& item) {
    order_line l;
    bool has_id = false, has_quantity = false;
    reader::scope sc(r, "line_items", i++);
    bool ok = r.object(item, "", [&](std::string_view k, od_value val) {
      if (k == "id")
        return has_id = true, r.required_id(val, k, l.line_id);
      if (k == "variant_id")
        return r.id(val, k, l.variant);
      if (k == "product_id")
        return r.id(val, k, l.product);
      if (k == "sku")
        return r.str(val, k, l.sku);
      if (k == "title")
        return r.str(val, k, l.title);
      if (k == "variant_title")
        return r.str(val, k, l.variant_title);
      if (k == "price")
        return r.money(val, k, l.price);
      if (k == "requires_shipping")
        return r.flag(val, k, l.requires_shipping);
      if (k == "taxable")
        return r.flag(val, k, l.taxable);
      if (k == "tax_lines")
        return read_tax_lines(r, val, k, l.tax_lines);
      if (k == "applied_discount")
        return read_applied_discount(r, val, k, l.discount);
      if (k == "quantity") {
        std::optional<std::int64_t> q;
        if (!r.integer(val, k, q))
          return false;
        if (!q)
          return r.fail(error_kind::webhook_missing_field, k, "required field is null");
        has_quantity = true;
        l.quantity = *q;
        return true;
      }
      return true;
    });
    if (!ok)
      return false;
    if (!has_id)
      return r.missing("id");
    if (!has_quantity)
      return r.missing("quantity");
    out.push_back(std::move(l));
    return true;
  });
}

// An order or a draft order: `id`, the fields both carry (same names, same meaning) and
// line_items here; the document's own fields by own(key, value). Missing required fields are
// reported in this order: id, then what own_required() says, then line_items.
template <class Event, class Own, class OwnRequired>
bool read_order_document(reader& r, simdjson::ondemand::object& root, Event& e, Own&& own,
                         OwnRequired&& own_required) {
  auto bind = [&r](auto field_fn) {
    return [&r, field_fn](auto& x, std::string_view fk, od_value fv) { return field_fn(r, x, fk, fv); };
  };
  bool has_id = false, has_lines = false;
  bool ok = r.fields(root, [&](std::string_view k, od_value v) {
    if (k == "id")
      return has_id = true, r.required_id(v, k, e.id);
    if (k == "name")
      return r.str(v, k, e.name);
    if (k == "email")
      return r.str(v, k, e.email);
    if (k == "currency")
      return r.str(v, k, e.currency);
    if (k == "tags")
      return r.tags(v, k, e.tags);
    if (k == "note")
      return r.str(v, k, e.note);
    if (k == "note_attributes")
      return r.objects(v, k, e.note_attributes, bind(note_attribute_field));
    if (k == "customer")
      return r.optional_object(v, k, e.customer, bind(customer_field));
    if (k == "shipping_address" || k == "billing_address")
      return r.optional_object(v, k, k == "shipping_address" ? e.shipping_address : e.billing_address,
                               bind(address_field));
    if (k == "line_items")
      return has_lines = true, read_lines(r, v, e.lines);
    return own(k, v);
  });
  if (!ok)
    return false;
  if (!has_id)
    return r.missing("id");
  if (!own_required())
    return false;
  if (!has_lines)
    return r.missing("line_items");
  return true;
}

} // namespace

bool read_order_created(reader& r, simdjson::ondemand::object& root, order_created& e) {
  auto own = [&](std::string_view k, od_value v) {
    if (k == "financial_status")
      return r.str(v, k, e.financial_status);
    if (k == "source_name")
      return r.str(v, k, e.source_name);
    if (k == "app_id")
      return r.id(v, k, e.app_id);
    if (k == "total_price")
      return r.money(v, k, e.total_price);
    if (k == "created_at")
      return r.str(v, k, e.created_at);
    if (k == "shipping_lines")
      return r.objects(v, k, e.shipping_lines, [&](shipping_line& s, std::string_view sk, od_value sv) {
        return shipping_line_field(r, s, sk, sv);
      });
    if (k == "tax_lines")
      return read_tax_lines(r, v, k, e.tax_lines);
    if (k == "discount_codes")
      return r.objects(v, k, e.discount_codes, [&](discount_code& d, std::string_view dk, od_value dv) {
        if (dk == "code")
          return r.str(dv, dk, d.code);
        if (dk == "amount")
          return r.money(dv, dk, d.amount);
        if (dk == "type")
          return r.str(dv, dk, d.type);
        return true;
      });
    if (k == "discount_applications")
      return r.objects(v, k, e.discount_applications,
                       [&](discount_application& d, std::string_view dk, od_value dv) {
                         if (dk == "type")
                           return r.str(dv, dk, d.type);
                         if (dk == "code")
                           return r.str(dv, dk, d.code);
                         if (dk == "title")
                           return r.str(dv, dk, d.title);
                         if (dk == "value")
                           return r.money(dv, dk, d.value);
                         if (dk == "value_type")
                           return r.str(dv, dk, d.value_type);
                         if (dk == "target_type")
                           return r.str(dv, dk, d.target_type);
                         return true;
                       });
    if (k == "total_discounts")
      return r.money(v, k, e.total_discounts);
    if (k == "taxes_included")
      return r.flag(v, k, e.taxes_included);
    return true;
  };
  return read_order_document(r, root, e, own, [] { return true; });
}

bool read_draft_order_changed(reader& r, simdjson::ondemand::object& root, draft_order_changed& e) {
  bool has_status = false;
  auto own = [&](std::string_view k, od_value v) {
    if (k == "status") {
      if (!r.str(v, k, e.status))
        return false;
      has_status = !e.status.empty();
      return true;
    }
    if (k == "order_id")
      return r.id(v, k, e.completed_order);
    if (k == "api_client_id")
      return r.id(v, k, e.api_client_id);
    if (k == "updated_at")
      return r.str(v, k, e.updated_at);
    if (k == "shipping_line")
      return r.optional_object(v, k, e.shipping, [&](shipping_line& s, std::string_view sk, od_value sv) {
        return shipping_line_field(r, s, sk, sv);
      });
    if (k == "applied_discount")
      return read_applied_discount(r, v, k, e.discount);
    if (k == "tax_exempt")
      return r.flag(v, k, e.tax_exempt);
    if (k == "taxes_included")
      return r.flag(v, k, e.taxes_included);
    return true;
  };
  return read_order_document(r, root, e, own, [&] { return has_status || r.missing("status"); });
}

} // namespace shopsync
