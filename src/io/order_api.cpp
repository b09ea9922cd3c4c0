#include "io/order_api.hpp"

#include "domain/gid.hpp"
#include "io/graphql_documents.hpp"
#include "io/json_writer.hpp"

#include <simdjson.h>

#include <algorithm>

namespace shopsync {

namespace {

// --- writing

void opt_field(json_writer& w, std::string_view k, const std::string& v) {
  if (!v.empty())
    w.field(k, v);
}

void write_address(json_writer& w, std::string_view k, const std::optional<mailing_address_input>& a) {
  if (!a)
    return;
  w.key(k).begin_object();
  opt_field(w, "firstName", a->first_name);
  opt_field(w, "lastName", a->last_name);
  opt_field(w, "company", a->company);
  opt_field(w, "address1", a->address1);
  opt_field(w, "address2", a->address2);
  opt_field(w, "city", a->city);
  // The schema wants one of each pair; the code wins when known.
  if (a->province_code.empty())
    opt_field(w, "province", a->province);
  else
    w.field("provinceCode", a->province_code);
  opt_field(w, "zip", a->zip);
  if (a->country_code.empty())
    opt_field(w, "country", a->country);
  else
    w.field("countryCode", a->country_code);
  opt_field(w, "phone", a->phone);
  w.end_object();
}

void write_tags(json_writer& w, const std::vector<std::string>& tags) {
  if (tags.empty())
    return;
  w.key("tags").begin_array();
  for (const auto& t : tags)
    w.value(t);
  w.end_array();
}

void write_attributes(json_writer& w, const std::vector<attribute_input>& attrs) {
  if (attrs.empty())
    return;
  w.key("customAttributes").begin_array();
  for (const auto& a : attrs)
    w.begin_object().field("key", a.key).field("value", a.value).end_object();
  w.end_array();
}

void write_flag(json_writer& w, std::string_view k, const std::optional<bool>& v) {
  if (v)
    w.field(k, *v);
}

void write_money(json_writer& w, std::string_view k, const money_input& m) {
  w.key(k).begin_object().field("amount", m.amount).field("currencyCode", m.currency_code).end_object();
}

// MoneyBagInput { shopMoney }
void write_money_bag(json_writer& w, std::string_view k, const money_input& m) {
  w.key(k).begin_object();
  write_money(w, "shopMoney", m);
  w.end_object();
}

// The domain checked the text is a plain decimal: it goes as a JSON number (GraphQL Float).
void write_number(json_writer& w, std::string_view k, const std::string& decimal) {
  if (!decimal.empty())
    w.key(k).raw(decimal);
}

void write_tax_lines(json_writer& w, const std::vector<tax_line_input>& taxes) {
  if (taxes.empty())
    return;
  w.key("taxLines").begin_array();
  for (const auto& t : taxes) {
    w.begin_object().field("title", t.title).field("rate", t.rate);
    if (t.price)
      write_money_bag(w, "priceSet", *t.price);
    w.end_object();
  }
  w.end_array();
}

void write_draft_discount(json_writer& w, const std::optional<draft_discount_input>& d) {
  if (!d)
    return;
  w.key("appliedDiscount").begin_object();
  opt_field(w, "title", d->title);
  opt_field(w, "description", d->description);
  write_number(w, "value", d->value);
  w.field("valueType", d->value_type);
  if (d->amount)
    write_money(w, "amountWithCurrency", *d->amount);
  w.end_object();
}

void write_draft_input(json_writer& w, const draft_order_request& r) {
  w.key("input").begin_object();
  w.key("lineItems").begin_array();
  for (const auto& l : r.line_items) {
    w.begin_object();
    opt_field(w, "variantId", l.variant_id);
    w.field("quantity", l.quantity);
    write_draft_discount(w, l.discount);
    w.end_object();
  }
  w.end_array();
  opt_field(w, "email", r.email);
  opt_field(w, "note", r.note);
  write_tags(w, r.tags);
  write_address(w, "shippingAddress", r.shipping_address);
  write_address(w, "billingAddress", r.billing_address);
  write_attributes(w, r.custom_attributes);
  if (r.shipping_line) {
    w.key("shippingLine").begin_object();
    opt_field(w, "title", r.shipping_line->title);
    if (r.shipping_line->price)
      write_money(w, "priceWithCurrency", *r.shipping_line->price);
    w.end_object();
  }
  write_draft_discount(w, r.discount);
  write_flag(w, "taxExempt", r.tax_exempt);
  w.end_object();
}

// --- reading

using simdjson::ondemand::json_type;
using simdjson::ondemand::value;

json_type type_of(value& v) { return v.type(); }

error bad_response(std::string_view why) { return {error_kind::order_api_bad_response, std::string(why)}; }

std::string str_of(value v) {
  if (type_of(v) == json_type::null)
    return {};
  std::string_view s = v.get_string();
  return std::string(s);
}

std::vector<std::string> strings_of(value v) {
  std::vector<std::string> out;
  if (type_of(v) != json_type::array)
    return out;
  for (auto e : v.get_array()) {
    value ev = e.value();
    if (type_of(ev) == json_type::string)
      out.emplace_back(std::string_view(ev.get_string()));
    else if (type_of(ev) == json_type::number) // field paths may hold indexes as numbers
      out.push_back(std::to_string(std::int64_t(ev.get_int64())));
  }
  return out;
}

std::optional<created_document> document_of(value v, std::string_view gid_type) {
  if (type_of(v) != json_type::object)
    return std::nullopt;
  created_document d;
  bool have_id = false;
  for (auto f : v.get_object()) {
    std::string_view k = f.unescaped_key();
    value fv = f.value();
    if (k == "id") {
      auto id = parse_gid(str_of(fv), gid_type);
      if (!id)
        return std::nullopt;
      d.id = *id;
      have_id = true;
    } else if (k == "name") {
      d.name = str_of(fv);
    } else if (k == "status") {
      d.status = str_of(fv);
    } else if (k == "tags") {
      d.tags = strings_of(fv);
    } else if (k == "sourceIdentifier") {
      d.source_identifier = str_of(fv);
    }
  }
  if (!have_id)
    return std::nullopt;
  return d;
}

// Top-level errors: the first one's extensions.code (or "shopify.graphql_error") and all messages.
error top_level_error(value v) {
  error e{error_kind::shopify_graphql_error, {}};
  bool first = true;
  if (type_of(v) != json_type::array)
    return e;
  for (auto item : v.get_array()) {
    value iv = item.value();
    if (type_of(iv) != json_type::object) {
      continue;
    }
    std::string message, code;
    for (auto f : iv.get_object()) {
      std::string_view k = f.unescaped_key();
      value fv = f.value();
      if (k == "message") {
        message = str_of(fv);
      } else if (k == "extensions" && type_of(fv) == json_type::object) {
        for (auto ef : fv.get_object()) {
          std::string_view ek = ef.unescaped_key();
          value efv = ef.value();
          if (ek == "code" && type_of(efv) == json_type::string)
            code = std::string(std::string_view(efv.get_string()));
        }
      }
    }
    if (first && !code.empty())
      e = error{code, std::move(e.message)}; // Shopify's code
    if (!e.message.empty())
      e.message += "; ";
    e.message += message.empty() ? "(no message)" : message;
    first = false;
  }
  return e;
}

// Walks {data: {<field>: ...}, errors: [...]} and calls on_field with the field's value.
// Returns an error for top-level errors, a missing field, or malformed JSON.
template <class F>
status walk_answer(std::string_view body, std::string_view field, F&& on_field) {
  try {
    simdjson::ondemand::parser parser;
    simdjson::padded_string padded(body);
    auto doc = parser.iterate(padded);
    simdjson::ondemand::object root = doc.get_object();
    std::optional<error> errors;
    bool seen = false;
    for (auto f : root) {
      std::string_view k = f.unescaped_key();
      value fv = f.value();
      if (k == "errors") {
        if (type_of(fv) == json_type::array)
          errors = top_level_error(fv);
      } else if (k == "data" && type_of(fv) == json_type::object) {
        for (auto df : fv.get_object()) {
          std::string_view dk = df.unescaped_key();
          value dv = df.value();
          if (dk == field && type_of(dv) != json_type::null) {
            seen = true;
            on_field(dv);
          }
        }
      }
    }
    if (errors)
      return *errors; // THROTTLED and friends: whatever data came with them is not trusted
    if (!seen)
      return error{error_kind::shopify_no_data, "the answer has no data." + std::string(field)};
    return ok_status();
  } catch (const simdjson::simdjson_error& e) {
    return bad_response(std::string("malformed answer: ") + e.what());
  }
}

result<created_document> parse_created(std::string_view body, std::string_view field,
                                       std::string_view document_key) {
  auto a = parse_mutation_answer(body, field, document_key);
  if (!a)
    return a.error();
  return require_document(*a);
}

} // namespace

std::string order_create_variables(const order_create_request& r) {
  json_writer w;
  w.begin_object().key("order").begin_object();
  w.key("lineItems").begin_array();
  for (const auto& l : r.line_items) {
    w.begin_object();
    opt_field(w, "variantId", l.variant_id);
    w.field("quantity", l.quantity);
    if (l.price)
      write_money_bag(w, "priceSet", *l.price);
    write_flag(w, "requiresShipping", l.requires_shipping);
    write_flag(w, "taxable", l.taxable);
    write_tax_lines(w, l.tax_lines);
    w.end_object();
  }
  w.end_array();
  opt_field(w, "email", r.email);
  if (r.customer) {
    w.key("customer").begin_object().key("toUpsert").begin_object();
    opt_field(w, "email", r.customer->email);
    opt_field(w, "firstName", r.customer->first_name);
    opt_field(w, "lastName", r.customer->last_name);
    w.end_object().end_object();
  }
  write_address(w, "shippingAddress", r.shipping_address);
  write_address(w, "billingAddress", r.billing_address);
  write_tags(w, r.tags);
  opt_field(w, "note", r.note);
  write_attributes(w, r.custom_attributes);
  opt_field(w, "financialStatus", r.financial_status);
  opt_field(w, "currency", r.currency);
  opt_field(w, "name", r.name);
  opt_field(w, "sourceName", r.source_name);
  opt_field(w, "sourceIdentifier", r.source_identifier);
  if (!r.shipping_lines.empty()) {
    w.key("shippingLines").begin_array();
    for (const auto& sl : r.shipping_lines) {
      w.begin_object().field("title", sl.title);
      opt_field(w, "code", sl.code);
      opt_field(w, "source", sl.source);
      write_money_bag(w, "priceSet", sl.price);
      write_tax_lines(w, sl.tax_lines);
      w.end_object();
    }
    w.end_array();
  }
  write_tax_lines(w, r.tax_lines);
  if (r.discount_code) {
    const auto& d = *r.discount_code;
    w.key("discountCode").begin_object();
    switch (d.type) {
      case discount_code_input::kind::item_fixed:
        w.key("itemFixedDiscountCode").begin_object().field("code", d.code);
        if (d.amount)
          write_money_bag(w, "amountSet", *d.amount);
        w.end_object();
        break;
      case discount_code_input::kind::item_percentage:
        w.key("itemPercentageDiscountCode").begin_object().field("code", d.code);
        write_number(w, "percentage", d.percentage);
        w.end_object();
        break;
      case discount_code_input::kind::free_shipping:
        w.key("freeShippingDiscountCode").begin_object().field("code", d.code).end_object();
        break;
    }
    w.end_object();
  }
  write_flag(w, "taxesIncluded", r.taxes_included);
  w.end_object();
  w.key("options").begin_object();
  opt_field(w, "inventoryBehaviour", r.inventory_behaviour);
  w.field("sendReceipt", r.send_receipt);
  w.end_object();
  w.end_object();
  return std::move(w).str();
}

std::string draft_order_create_variables(const draft_order_request& r) {
  json_writer w;
  w.begin_object();
  write_draft_input(w, r);
  w.end_object();
  return std::move(w).str();
}

std::string draft_order_update_variables(shopify_id source_draft, const draft_order_request& r) {
  json_writer w;
  w.begin_object().field("id", make_gid("DraftOrder", source_draft));
  write_draft_input(w, r);
  w.end_object();
  return std::move(w).str();
}

std::string draft_order_invoice_send_variables(shopify_id source_draft) {
  json_writer w;
  w.begin_object().field("id", make_gid("DraftOrder", source_draft)).end_object();
  return std::move(w).str();
}

std::string origin_search_query(std::string_view tag) {
  std::string q = "tag:'";
  for (char c : tag) {
    if (c == '\'' || c == '\\')
      q += '\\';
    q += c;
  }
  q += '\'';
  return q;
}

std::string origin_lookup_variables(std::string_view tag) {
  json_writer w;
  w.begin_object().field("query", origin_search_query(tag)).end_object();
  return std::move(w).str();
}

order_api_call make_call(const order_cmd::create_order& c) {
  return {"OrderCreate", std::string(graphql::order_create), order_create_variables(c.request), true};
}
order_api_call make_call(const order_cmd::create_draft& c) {
  return {"DraftOrderCreate", std::string(graphql::draft_order_create),
          draft_order_create_variables(c.request), true};
}
order_api_call make_call(const order_cmd::update_draft& c) {
  return {"DraftOrderUpdate", std::string(graphql::draft_order_update),
          draft_order_update_variables(c.source_draft, c.request), true};
}
order_api_call make_call(const order_cmd::send_invoice& c) {
  return {"DraftOrderInvoiceSend", std::string(graphql::draft_order_invoice_send),
          draft_order_invoice_send_variables(c.source_draft), true};
}
order_api_call make_call(const order_cmd::lookup_origin& c) {
  if (c.target == order_doc_kind::order)
    return {"OrdersByOrigin", std::string(graphql::orders_by_origin), origin_lookup_variables(c.tag), false};
  return {"DraftOrdersByOrigin", std::string(graphql::draft_orders_by_origin),
          origin_lookup_variables(c.tag), false};
}

result<mutation_answer> parse_mutation_answer(std::string_view body, std::string_view field,
                                              std::string_view document_key) {
  const std::string_view gid_type = document_key == "order" ? "Order" : "DraftOrder";
  mutation_answer answer;
  std::optional<error> inner;
  auto st = walk_answer(body, field, [&](value v) {
    if (type_of(v) != json_type::object) {
      inner = bad_response(std::string(field) + " is not an object");
      return;
    }
    for (auto f : v.get_object()) {
      std::string_view k = f.unescaped_key();
      value fv = f.value();
      if (k == document_key) {
        if (type_of(fv) == json_type::null)
          continue;
        answer.document = document_of(fv, gid_type);
        if (!answer.document)
          inner = bad_response(std::string(document_key) + " without a valid id");
      } else if (k == "userErrors" && type_of(fv) == json_type::array) {
        for (auto ue : fv.get_array()) {
          value uv = ue.value();
          if (type_of(uv) != json_type::object) {
            continue;
          }
          api_user_error e;
          for (auto uf : uv.get_object()) {
            std::string_view uk = uf.unescaped_key();
            value ufv = uf.value();
            if (uk == "field")
              e.field = strings_of(ufv);
            else if (uk == "message")
              e.message = str_of(ufv);
            else if (uk == "code")
              e.code = str_of(ufv);
          }
          answer.user_errors.push_back(std::move(e));
        }
      }
    }
  });
  if (!st)
    return st.error();
  if (inner)
    return *inner;
  return answer;
}

result<created_document> require_document(const mutation_answer& a) {
  if (!a.user_errors.empty()) {
    std::string msg;
    for (const auto& e : a.user_errors) {
      if (!msg.empty())
        msg += "; ";
      std::string path;
      for (const auto& p : e.field)
        path += (path.empty() ? "" : ".") + p;
      if (!path.empty())
        msg += path + ": ";
      msg += e.message;
      if (!e.code.empty())
        msg += " (" + e.code + ")";
    }
    return error{error_kind::shopify_user_errors, msg};
  }
  if (!a.document)
    return error{error_kind::shopify_no_data, "no document and no userErrors"};
  return *a.document;
}

result<created_document> parse_order_create(std::string_view body) {
  return parse_created(body, "orderCreate", "order");
}
result<created_document> parse_draft_order_create(std::string_view body) {
  return parse_created(body, "draftOrderCreate", "draftOrder");
}
result<created_document> parse_draft_order_update(std::string_view body) {
  return parse_created(body, "draftOrderUpdate", "draftOrder");
}
result<created_document> parse_draft_order_invoice_send(std::string_view body) {
  return parse_created(body, "draftOrderInvoiceSend", "draftOrder");
}

result<std::optional<shopify_id>> parse_origin_lookup(std::string_view body, order_doc_kind target,
                                                      std::string_view tag,
                                                      std::string_view marker) {
  const bool orders = target == order_doc_kind::order;
  const std::string_view field = orders ? "orders" : "draftOrders";
  const std::string_view gid_type = orders ? "Order" : "DraftOrder";
  std::optional<shopify_id> best;
  std::optional<error> inner;
  auto st = walk_answer(body, field, [&](value v) {
    if (type_of(v) != json_type::object) {
      inner = bad_response(std::string(field) + " is not an object");
      return;
    }
    for (auto f : v.get_object()) {
      std::string_view k = f.unescaped_key();
      value fv = f.value();
      if (k != "nodes" || type_of(fv) != json_type::array)
        continue;
      for (auto n : fv.get_array()) {
        auto d = document_of(n.value(), gid_type);
        if (!d) {
          inner = bad_response("a node without a valid id");
          continue;
        }
        if (std::find(d->tags.begin(), d->tags.end(), tag) == d->tags.end())
          continue;
        if (!marker.empty() && !d->source_identifier.empty() && d->source_identifier != marker)
          continue;
        if (!best || d->id < *best)
          best = d->id;
      }
    }
  });
  if (!st)
    return st.error();
  if (inner)
    return *inner;
  return best;
}

order_failure_kind classify_order_failure(const error& e, bool mutation) {
  // Shopify's codes are strings; shopsync's own are kinds.
  const auto& c = e.code;
  const auto k = e.kind;
  if (c == "THROTTLED" || k == error_kind::admin_throttled || k == error_kind::admin_unavailable ||
      k == error_kind::admin_not_sent || k == error_kind::admin_timeout_before_send)
    return order_failure_kind::transient;
  if (k == error_kind::admin_uncertain || k == error_kind::admin_timeout || c == "INTERNAL_SERVER_ERROR" ||
      k == error_kind::shopify_no_data || k == error_kind::order_api_bad_response ||
      k == error_kind::admin_bad_response || k == error_kind::order_actor_no_answer)
    return mutation ? order_failure_kind::uncertain : order_failure_kind::transient;
  return order_failure_kind::permanent;
}

} // namespace shopsync
