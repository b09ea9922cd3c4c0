// Orders and draft orders: the Admin operations shopsync sends and the changes they cause.
#include "io/json_writer.hpp"
#include "sim/answer_parts.hpp"
#include "sim/json_read.hpp"
#include "sim/order_content.hpp"
#include "sim/simulator.hpp"
#include "sim/webhook_payloads.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <set>

namespace shopsync::sim {

namespace {
// A GraphQL MailingAddressInput as the webhook's address object: every key Shopify sends,
// null where the input had nothing.
std::string address_json(std::optional<element> a) {
  if (!a || !a->is_object())
    return "null";
  auto get = [&](const char* k) { return as_str(member(*a, k)); };
  auto first = get("firstName"), last = get("lastName");
  std::string name = std::string(first.value_or("")) + (first && last ? " " : "") + std::string(last.value_or(""));
  auto province_code = get("provinceCode");
  auto country_code = get("countryCode");
  json_writer w;
  w.begin_object();
  auto opt = [&](const char* key, std::optional<std::string_view> v) {
    w.key(key);
    v ? w.value(*v) : w.null();
  };
  opt("first_name", first);
  opt("last_name", last);
  opt("name", name.empty() ? std::nullopt : std::optional<std::string_view>(name));
  opt("address1", get("address1"));
  opt("address2", get("address2"));
  opt("city", get("city"));
  std::optional<std::string_view> province = province_code;
  if (province_code && *province_code == "IL")
    province = "Illinois";
  opt("province", province);
  opt("province_code", province_code);
  opt("zip", get("zip"));
  std::optional<std::string_view> country = country_code;
  if (country_code && *country_code == "US")
    country = "United States";
  opt("country", country);
  opt("country_code", country_code);
  opt("phone", get("phone"));
  opt("company", get("company"));
  w.end_object();
  return std::move(w).str();
}

std::string attributes_json(std::optional<element> attrs) {
  simdjson::dom::array arr;
  if (!attrs || attrs->get(arr) != simdjson::SUCCESS)
    return "[]";
  json_writer w;
  w.begin_array();
  for (auto a : arr)
    w.begin_object().field("name", as_str(member(a, "key")).value_or(""))
        .field("value", as_str(member(a, "value")).value_or("")).end_object();
  w.end_array();
  return std::move(w).str();
}

std::vector<std::string> string_list(std::optional<element> el) {
  std::vector<std::string> out;
  simdjson::dom::array arr;
  if (el && el->get(arr) == simdjson::SUCCESS) {
    for (auto t : arr)
      if (auto s = as_str(t))
        out.emplace_back(*s);
  } else if (auto s = as_str(el)) { // "a, b" also accepted
    std::string all(*s);
    std::size_t p = 0;
    while (p <= all.size()) {
      auto c = all.find(',', p);
      auto t = all.substr(p, c == std::string::npos ? std::string::npos : c - p);
      auto b = t.find_first_not_of(' '), e = t.find_last_not_of(' ');
      if (b != std::string::npos)
        out.push_back(t.substr(b, e - b + 1));
      if (c == std::string::npos)
        break;
      p = c + 1;
    }
  }
  return out;
}

// "tag:'x'" / "tag:\"x\"" / "tag:x" → x
std::optional<std::string> tag_query(std::string_view q) {
  if (q.substr(0, 4) != "tag:")
    return std::nullopt;
  std::string t(q.substr(4));
  if (t.size() >= 2 && (t.front() == '\'' || t.front() == '"') && t.back() == t.front())
    t = t.substr(1, t.size() - 2);
  return t;
}

std::string draft_status_enum(const std::string& s) {
  if (s == "invoice_sent") return "INVOICE_SENT";
  if (s == "completed") return "COMPLETED";
  return "OPEN";
}

void write_tags(json_writer& w, const std::vector<std::string>& tags) {
  w.key("tags").begin_array();
  for (auto& t : tags)
    w.value(t);
  w.end_array();
}

void write_draft_node(json_writer& w, const draft_order& d, bool full) {
  w.begin_object().field("id", gid("DraftOrder", d.id));
  if (full)
    w.field("name", d.name);
  w.field("status", draft_status_enum(d.status));
  if (full)
    write_tags(w, d.tags);
  w.end_object();
}

// OrderCreateLineItemInput's content beyond variant, quantity and price. requiresShipping
// defaults to false, as Shopify documents for orderCreate (whatever the variant says).
void read_line_content(element in, line_item& line, const std::string& currency) {
  line.requires_shipping = as_bool(member(in, "requiresShipping")).value_or(false);
  line.taxable = as_bool(member(in, "taxable")).value_or(true);
  line.tax_lines_json = tax_lines_json(member(in, "taxLines"), currency);
}

double items_total(const std::vector<line_item>& lines) {
  double t = 0;
  for (auto& l : lines)
    t += std::atof(l.price.c_str()) * l.quantity;
  return t;
}

void write_field_errors(json_writer& w, const std::vector<std::pair<std::vector<std::string>, std::string>>& errs,
                        bool with_code, const std::string& code = "INVALID") {
  w.key("userErrors").begin_array();
  for (auto& [field, msg] : errs) {
    w.begin_object();
    if (with_code)
      w.field("code", code);
    w.key("field").begin_array();
    for (auto& f : field)
      w.value(f);
    w.end_array().field("message", msg).end_object();
  }
  w.end_array();
}
} // namespace

line_item simulator::line_for_variant(store& s, std::uint32_t v, int quantity) {
  const auto& var = s.variants[v];
  const auto& p = s.products[var.product];
  line_item l;
  l.id = s.new_line_id();
  l.variant_id = var.id;
  l.product_id = p.id;
  l.sku = var.sku;
  l.title = p.title;
  l.variant_title = var.option;
  l.vendor = p.vendor;
  l.quantity = quantity;
  l.price = var.price;
  return l;
}

std::size_t simulator::stocked_location(const store& s, std::uint32_t v) const {
  for (std::size_t l = 0; l < s.locations.size(); ++l)
    if (s.locations[l].active && s.level(v, l) != not_stocked)
      return l;
  return s.locations.size();
}

order& simulator::place_order(store& s, order o, i64 now,
                              const std::vector<std::tuple<std::uint32_t, std::size_t, int>>& decrements) {
  o.created_at = now;
  o.created_ms = unix_now_ms();
  s.orders.push_back(std::move(o));
  order& placed = s.orders.back();
  emit(s, "orders/create", order_payload(s, placed), now);
  // products/update fires for every product ordered (stock taken or not).
  std::set<std::uint32_t> touched;
  for (auto& line : placed.lines)
    if (auto v = line.variant_id ? s.variant_by_id(line.variant_id) : std::nullopt)
      touched.insert(s.variants[*v].product);
  for (auto& [v, l, q] : decrements)
    set_level(s, v, l, s.level(v, l) - q, now);
  for (auto p : touched) {
    s.products[p].updated_at = now;
    emit(s, "products/update", product_payload(s, p), now);
  }
  return placed;
}

simulator::op_result simulator::op_order_create(store& s, element vars) {
  op_result r;
  auto in = member(vars, "order");
  if (!in || !in->is_object()) {
    r.errors = errors_json("Variable $order of type OrderCreateOrderInput! was provided invalid value", "INVALID_VARIABLE");
    r.outcome = "error";
    return r;
  }
  std::string behaviour = "BYPASS";
  if (auto opts = member(vars, "options"))
    if (auto b = as_str(member(*opts, "inventoryBehaviour")))
      behaviour = std::string(*b);
  if (behaviour != "BYPASS" && behaviour != "DECREMENT_OBEYING_POLICY" && behaviour != "DECREMENT_IGNORING_POLICY") {
    r.errors = errors_json("Variable $options: invalid value for inventoryBehaviour", "INVALID_VARIABLE");
    r.outcome = "error";
    return r;
  }
  std::vector<std::pair<std::vector<std::string>, std::string>> errs;
  const std::string currency(as_str(member(*in, "currency")).value_or("USD"));
  order o;
  o.id = 0;
  std::vector<std::tuple<std::uint32_t, std::size_t, int>> dec;
  simdjson::dom::array lines;
  if (auto li = member(*in, "lineItems"); !li || li->get(lines) != simdjson::SUCCESS || lines.size() == 0)
    errs.push_back({{"order", "lineItems"}, "Line items must have at least one line item"});
  else {
    std::size_t i = 0;
    for (auto l : lines) {
      int qty = static_cast<int>(as_int(member(l, "quantity")).value_or(1));
      auto price = as_str(member(member(member(l, "priceSet").value_or(l), "shopMoney").value_or(l), "amount"));
      if (auto vid = as_str(member(l, "variantId"))) {
        auto n = gid_number(*vid, "ProductVariant");
        auto v = n ? s.variant_by_id(*n) : std::nullopt;
        if (!v) {
          errs.push_back({{"order", "lineItems", std::to_string(i), "variantId"}, "Variant does not exist"});
        } else {
          line_item line = line_for_variant(s, *v, qty);
          if (price)
            line.price = std::string(*price);
          read_line_content(l, line, currency);
          o.lines.push_back(std::move(line));
          if (behaviour != "BYPASS") {
            auto loc = stocked_location(s, *v);
            if (loc == s.locations.size())
              errs.push_back({{"order", "lineItems", std::to_string(i)}, "The item is not stocked at any location"});
            else if (behaviour == "DECREMENT_OBEYING_POLICY" && s.variants[*v].deny_oversell && s.level(*v, loc) < qty)
              errs.push_back({{"order", "lineItems", std::to_string(i)},
                              "Unable to reserve inventory: " + s.variants[*v].sku + " is not available"});
            else
              dec.emplace_back(*v, loc, qty);
          }
        }
      } else {
        line_item line;
        line.id = s.new_line_id();
        line.title = std::string(as_str(member(l, "title")).value_or("Custom item"));
        line.quantity = qty;
        line.price = std::string(price.value_or("0.00"));
        read_line_content(l, line, currency);
        o.lines.push_back(std::move(line));
      }
      if (member(l, "taxLines") && member(*in, "taxLines"))
        errs.push_back({{"order", "taxLines"}, "Tax lines can be specified on the order or the line items, not both"});
      ++i;
    }
  }
  json_writer w;
  w.begin_object().key("orderCreate").begin_object();
  if (!errs.empty()) {
    w.key("order").null();
    bool claim = false;
    for (auto& e : errs)
      claim |= e.second.rfind("Unable to reserve", 0) == 0;
    write_field_errors(w, errs, true, claim ? "INVENTORY_CLAIM_FAILED" : "INVALID");
    w.end_object().end_object();
    r.data = std::move(w).str();
    r.outcome = "user_errors";
    return r;
  }
  const auto now = unix_now();
  o.id = s.new_order_id();
  o.number = s.next_order_number++;
  o.name = std::string(as_str(member(*in, "name")).value_or("#" + std::to_string(o.number)));
  o.tags = string_list(member(*in, "tags"));
  o.email = std::string(as_str(member(*in, "email")).value_or(""));
  if (auto n = as_str(member(*in, "note")))
    o.note = std::string(*n);
  o.source_name = std::string(as_str(member(*in, "sourceName")).value_or("shopify_draft_order"));
  if (auto si = as_str(member(*in, "sourceIdentifier")))
    o.source_identifier = std::string(*si);
  if (auto fs = as_str(member(*in, "financialStatus"))) {
    o.financial_status = std::string(*fs);
    for (auto& c : o.financial_status)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  } else {
    o.financial_status = "paid";
  }
  o.currency = currency;
  o.tax_lines_json = tax_lines_json(member(*in, "taxLines"), o.currency);
  double shipping = 0;
  o.shipping_lines_json = shipping_lines_json(member(*in, "shippingLines"), o.currency, shipping);
  auto discount = discount_from_input(member(*in, "discountCode"), items_total(o.lines), shipping);
  o.discount_codes_json = discount.codes_json;
  o.discount_applications_json = discount.applications_json;
  o.total_discounts = discount.total;
  o.taxes_included = as_bool(member(*in, "taxesIncluded")).value_or(false);
  o.app_id = sc_.app_id;
  o.shipping_address_json = address_json(member(*in, "shippingAddress"));
  o.billing_address_json = address_json(member(*in, "billingAddress"));
  o.note_attributes_json = attributes_json(member(*in, "customAttributes"));
  o.inventory_behaviour = behaviour;
  if (!o.email.empty()) {
    i64 cid = s.new_customer_id();
    json_writer c;
    c.begin_object().field("id", cid).field("email", o.email);
    auto cu = member(*in, "customer");
    auto up = cu ? member(*cu, "toUpsert") : std::nullopt;
    c.field("first_name", std::string(as_str(up ? member(*up, "firstName") : std::nullopt).value_or("")));
    c.field("last_name", std::string(as_str(up ? member(*up, "lastName") : std::nullopt).value_or("")));
    c.field("admin_graphql_api_id", gid("Customer", cid)).end_object();
    o.customer_json = std::move(c).str();
  }
  auto& placed = place_order(s, std::move(o), now, dec);
  w.key("order").begin_object().field("id", gid("Order", placed.id)).field("name", placed.name);
  write_tags(w, placed.tags);
  w.key("sourceIdentifier").value(placed.source_identifier);
  w.end_object();
  w.key("userErrors").begin_array().end_array();
  w.end_object().end_object();
  r.data = std::move(w).str();
  return r;
}

namespace {
// OrdersByOrigin / DraftOrdersByOrigin: the first 5 documents carrying the queried tag
// (`tag:'…'`), or named by the query; Shopify charges 2 + one per node returned.
// A document shows in search only `search_lag_ms` after its creation: Shopify's search index
// lags behind a create. Returns the response data and the number of nodes.
template <class Docs, class WriteNode>
std::pair<std::string, std::size_t> search_by_origin(std::string_view connection, const Docs& docs, element vars,
                                                     int search_lag_ms, WriteNode write_node) {
  auto q = as_str(member(vars, "query")).value_or("");
  auto tag = tag_query(q);
  const i64 visible_before = unix_now_ms() - search_lag_ms;
  json_writer w;
  w.begin_object().key(connection).begin_object().key("nodes").begin_array();
  std::size_t n = 0;
  for (auto& d : docs) {
    if (n == 5)
      break;
    if (search_lag_ms > 0 && d.created_ms > visible_before)
      continue;
    bool match = tag ? std::find(d.tags.begin(), d.tags.end(), *tag) != d.tags.end() : (q.empty() || d.name == q);
    if (!match)
      continue;
    ++n;
    write_node(w, d);
  }
  w.end_array().end_object().end_object();
  return {std::move(w).str(), n};
}
} // namespace

simulator::op_result simulator::origin_search_result(std::pair<std::string, std::size_t> found) {
  op_result r;
  r.outcome = "read";
  r.data = std::move(found.first);
  return r;
}

simulator::op_result simulator::op_orders_by_origin(store& s, element vars) {
  return origin_search_result(search_by_origin("orders", s.orders, vars, faults_.config().search_lag_ms,
                                               [](json_writer& w, const auto& o) {
    w.begin_object().field("id", gid("Order", o.id)).field("name", o.name);
    write_tags(w, o.tags);
    w.key("sourceIdentifier").value(o.source_identifier);
    w.end_object();
  }));
}

namespace {
// Reads DraftOrderInput into d; returns field errors.
std::vector<std::pair<std::vector<std::string>, std::string>> read_draft_input(
    store& s, element in, draft_order& d, const std::function<line_item(std::uint32_t, int)>& line_for) {
  std::vector<std::pair<std::vector<std::string>, std::string>> errs;
  simdjson::dom::array lines;
  if (auto li = member(in, "lineItems"); li && li->get(lines) == simdjson::SUCCESS) {
    std::vector<line_item> out;
    std::size_t i = 0;
    for (auto l : lines) {
      int qty = static_cast<int>(as_int(member(l, "quantity")).value_or(1));
      if (auto vid = as_str(member(l, "variantId"))) {
        auto n = gid_number(*vid, "ProductVariant");
        auto v = n ? s.variant_by_id(*n) : std::nullopt;
        if (!v) {
          errs.push_back({{"lineItems", std::to_string(i), "variantId"}, "Product with ID " + std::string(*vid) + " is no longer available."});
        } else {
          // requiresShipping and taxable are ignored for variant lines: the variant's hold.
          auto line = line_for(*v, qty);
          line.applied_discount_json = draft_applied_discount_json(
            member(l, "appliedDiscount"), std::atof(line.price.c_str()) * line.quantity);
          out.push_back(std::move(line));
        }
      } else {
        line_item line;
        line.id = s.new_line_id();
        line.title = std::string(as_str(member(l, "title")).value_or("Custom item"));
        line.quantity = qty;
        auto price = as_str(member(member(l, "originalUnitPriceWithCurrency").value_or(l), "amount"));
        line.price = std::string(price.value_or("0.00"));
        out.push_back(std::move(line));
      }
      ++i;
    }
    d.lines = std::move(out);
  }
  if (auto e = as_str(member(in, "email")))
    d.email = std::string(*e);
  if (auto n = member(in, "note"))
    d.note = n->is_null() ? std::nullopt : std::optional<std::string>(std::string(as_str(n).value_or("")));
  if (auto t = member(in, "tags"))
    d.tags = string_list(t);
  if (auto a = member(in, "shippingAddress"))
    d.shipping_address_json = address_json(a);
  if (auto a = member(in, "billingAddress"))
    d.billing_address_json = address_json(a);
  if (auto a = member(in, "customAttributes"))
    d.note_attributes_json = attributes_json(a);
  if (auto sl = member(in, "shippingLine"))
    d.shipping_line_json = draft_shipping_line_json(sl);
  if (auto ad = member(in, "appliedDiscount"))
    d.applied_discount_json = draft_applied_discount_json(ad, items_total(d.lines));
  if (auto te = as_bool(member(in, "taxExempt")))
    d.tax_exempt = *te;
  return errs;
}
} // namespace

simulator::op_result simulator::op_draft_order_create(store& s, element vars) {
  op_result r;
  auto in = member(vars, "input");
  if (!in || !in->is_object()) {
    r.errors = errors_json("Variable $input of type DraftOrderInput! was provided invalid value", "INVALID_VARIABLE");
    r.outcome = "error";
    return r;
  }
  draft_order d;
  auto errs = read_draft_input(s, *in, d, [&](std::uint32_t v, int q) { return line_for_variant(s, v, q); });
  if (d.lines.empty() && errs.empty())
    errs.push_back({{"lineItems"}, "Add at least 1 product"});
  json_writer w;
  w.begin_object().key("draftOrderCreate").begin_object();
  if (!errs.empty()) {
    w.key("draftOrder").null();
    write_field_errors(w, errs, false);
    r.outcome = "user_errors";
  } else {
    const auto now = unix_now();
    d.id = s.new_draft_id();
    d.name = "#D" + std::to_string(s.next_draft_number++);
    d.api_client_id = sc_.app_id;
    d.created_at = d.updated_at = now;
    d.created_ms = unix_now_ms();
    s.drafts.push_back(d);
    emit(s, "draft_orders/create", draft_order_payload(s, s.drafts.back()), now);
    w.key("draftOrder");
    write_draft_node(w, s.drafts.back(), true);
    w.key("userErrors").begin_array().end_array();
  }
  w.end_object().end_object();
  r.data = std::move(w).str();
  return r;
}

simulator::op_result simulator::op_draft_order_update(store& s, element vars) {
  op_result r;
  auto in = member(vars, "input");
  auto id = gid_number(as_str(member(vars, "id")).value_or(""), "DraftOrder");
  if (!in || !in->is_object() || !id) {
    r.errors = errors_json("Variables $id: ID! and $input: DraftOrderInput! are required", "INVALID_VARIABLE");
    r.outcome = "error";
    return r;
  }
  json_writer w;
  w.begin_object().key("draftOrderUpdate").begin_object();
  draft_order* d = s.find_draft(*id);
  std::vector<std::pair<std::vector<std::string>, std::string>> errs;
  draft_order next;
  if (!d) {
    errs.push_back({{"id"}, "Draft order does not exist"});
  } else if (d->status == "completed") {
    errs.push_back({{"id"}, "This order has been paid and cannot be modified."});
  } else {
    next = *d;
    errs = read_draft_input(s, *in, next, [&](std::uint32_t v, int q) { return line_for_variant(s, v, q); });
  }
  if (!errs.empty()) {
    w.key("draftOrder").null();
    write_field_errors(w, errs, false);
    r.outcome = "user_errors";
  } else {
    const auto now = unix_now();
    next.updated_at = now;
    *d = std::move(next);
    emit(s, "draft_orders/update", draft_order_payload(s, *d), now);
    w.key("draftOrder");
    write_draft_node(w, *d, true);
    w.key("userErrors").begin_array().end_array();
  }
  w.end_object().end_object();
  r.data = std::move(w).str();
  return r;
}

simulator::op_result simulator::op_draft_order_invoice_send(store& s, element vars) {
  op_result r;
  auto id = gid_number(as_str(member(vars, "id")).value_or(""), "DraftOrder");
  json_writer w;
  w.begin_object().key("draftOrderInvoiceSend").begin_object();
  draft_order* d = id ? s.find_draft(*id) : nullptr;
  std::vector<std::pair<std::vector<std::string>, std::string>> errs;
  if (!d)
    errs.push_back({{"id"}, "Draft order does not exist"});
  else if (d->email.empty())
    errs.push_back({{"email"}, "To can't be blank"});
  else if (d->status == "completed")
    errs.push_back({{"id"}, "Draft order has been completed"});
  if (!errs.empty()) {
    w.key("draftOrder").null();
    write_field_errors(w, errs, false);
    r.outcome = "user_errors";
  } else {
    const auto now = unix_now();
    d->status = "invoice_sent";
    d->invoice_sent_at = now;
    d->updated_at = now;
    emit(s, "draft_orders/update", draft_order_payload(s, *d), now);
    w.key("draftOrder");
    write_draft_node(w, *d, false);
    w.key("userErrors").begin_array().end_array();
  }
  w.end_object().end_object();
  r.data = std::move(w).str();
  return r;
}

simulator::op_result simulator::op_draft_orders_by_origin(store& s, element vars) {
  return origin_search_result(search_by_origin("draftOrders", s.drafts, vars, faults_.config().search_lag_ms,
                                               [](json_writer& w, const auto& d) { write_draft_node(w, d, true); }));
}

} // namespace shopsync::sim
