#include "io/order_reconcile_api.hpp"

#include "domain/gid.hpp"
#include "domain/iso8601.hpp"
#include "domain/order_sync_state.hpp"
#include "io/graphql_documents.hpp"
#include "io/json_writer.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

namespace shopsync {

namespace {

using simdjson::dom::element;

error bad(std::string why) { return {error_kind::order_reconcile_bad_response, std::move(why)}; }

std::optional<element> at(element e, std::string_view key) {
  element v;
  if (!e.is_object() || e.get_object().at_key(key).get(v) != simdjson::SUCCESS || v.is_null())
    return std::nullopt;
  return v;
}

std::string str(std::optional<element> e) {
  std::string_view s;
  if (!e || e->get(s) != simdjson::SUCCESS)
    return {};
  return std::string(s);
}

std::string str(element e, std::string_view key) { return str(at(e, key)); }

std::optional<shopify_id> gid_of(element e, std::string_view key, std::string_view type) {
  auto s = str(e, key);
  return s.empty() ? std::nullopt : parse_gid(s, type);
}

// The id of a nested object: {"variant": {"id": "gid://shopify/ProductVariant/1"}}.
std::optional<shopify_id> nested_gid(element e, std::string_view key, std::string_view type) {
  auto o = at(e, key);
  return o ? gid_of(*o, "id", type) : std::nullopt;
}

// {"data": {"<field>": ...}} after the top-level errors (THROTTLED and friends) are turned into
// an error with their code; the field itself may be null (nullopt).
result<std::optional<element>> data_field(simdjson::dom::parser& parser, std::string_view body,
                                          std::string_view field) {
  element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS || !root.is_object())
    return bad("malformed answer");
  if (auto errs = at(root, "errors"); errs && errs->is_array()) {
    error e{error_kind::shopify_graphql_error, {}};
    for (auto item : errs->get_array()) {
      if (e.message.empty())
        if (auto ext = at(item, "extensions"); ext)
          if (auto code = str(*ext, "code"); !code.empty())
            e = error{code, std::move(e.message)}; // Shopify's code
      e.message += (e.message.empty() ? "" : "; ") + str(item, "message");
    }
    return e;
  }
  auto data = at(root, "data");
  if (!data)
    return error{error_kind::shopify_no_data, "the answer has no data"};
  return at(*data, field);
}

std::optional<mailing_address> address_of(std::optional<element> e) {
  if (!e || !e->is_object())
    return std::nullopt;
  mailing_address a;
  a.first_name = str(*e, "firstName");
  a.last_name = str(*e, "lastName");
  a.company = str(*e, "company");
  a.address1 = str(*e, "address1");
  a.address2 = str(*e, "address2");
  a.city = str(*e, "city");
  a.province = str(*e, "province");
  a.province_code = str(*e, "provinceCode");
  a.zip = str(*e, "zip");
  a.country = str(*e, "country");
  a.country_code = str(*e, "countryCodeV2");
  a.phone = str(*e, "phone");
  return a;
}

std::optional<customer_ref> customer_of(std::optional<element> e) {
  if (!e || !e->is_object())
    return std::nullopt;
  customer_ref c;
  c.id = gid_of(*e, "id", "Customer");
  c.first_name = str(*e, "firstName");
  c.last_name = str(*e, "lastName");
  if (auto mail = at(*e, "defaultEmailAddress"))
    c.email = str(*mail, "emailAddress");
  return c;
}

std::vector<std::string> tags_of(std::optional<element> e) {
  std::vector<std::string> out;
  if (e && e->is_array())
    for (auto t : e->get_array())
      if (auto s = str(std::optional<element>(t)); !s.empty())
        out.push_back(std::move(s));
  return out;
}

// customAttributes [{key, value}] are the webhook's note_attributes [{name, value}].
std::vector<note_attribute> attributes_of(std::optional<element> e) {
  std::vector<note_attribute> out;
  if (e && e->is_array())
    for (auto a : e->get_array())
      out.push_back({str(a, "key"), str(a, "value")});
  return out;
}

std::string money_of(std::optional<element> set) {
  if (!set)
    return {};
  auto shop = at(*set, "shopMoney");
  return shop ? str(*shop, "amount") : std::string();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A Float (a tax rate, a percentage) as a decimal string, the webhook's unit: the shortest text
// that reads back as the same number (0.06 → "0.06", 10.0 → "10.0"); a string passes as is.
std::string decimal_of(std::optional<element> e) {
  if (!e)
    return {};
  if (e->is_string())
    return str(e);
  if (e->is_number())
    return simdjson::to_string(*e);
  return {};
}

std::optional<bool> flag_of(std::optional<element> e) {
  bool b = false;
  if (!e || e->get(b) != simdjson::SUCCESS)
    return std::nullopt;
  return b;
}

// The nodes of a connection, or the elements of a list.
std::vector<element> items_of(std::optional<element> e) {
  std::vector<element> out;
  if (e && e->is_object())
    e = at(*e, "nodes");
  if (e && e->is_array())
    for (auto x : e->get_array())
      out.push_back(x);
  return out;
}

std::vector<tax_line> taxes_of(std::optional<element> list) {
  std::vector<tax_line> out;
  for (auto t : items_of(list))
    out.push_back({str(t, "title"), decimal_of(at(t, "rate")), money_of(at(t, "priceSet"))});
  return out;
}

// DraftOrderAppliedDiscount → the webhook's applied_discount (valueType FIXED_AMOUNT → fixed_amount).
std::optional<applied_discount> applied_discount_of(std::optional<element> e) {
  if (!e || !e->is_object())
    return std::nullopt;
  return applied_discount{str(*e, "title"), str(*e, "description"), decimal_of(at(*e, "value")),
                          lower(str(*e, "valueType")), money_of(at(*e, "amountSet"))};
}

shipping_line shipping_of(element s) {
  return {str(s, "title"), str(s, "code"), str(s, "source"), money_of(at(s, "originalPriceSet")),
          taxes_of(at(s, "taxLines"))};
}

// discountApplications' nodes → the webhook's discount_applications (the __typename is its type).
std::vector<discount_application> applications_of(std::optional<element> conn) {
  static constexpr std::pair<std::string_view, std::string_view> kinds[] = {
    {"DiscountCodeApplication", "discount_code"}, {"AutomaticDiscountApplication", "automatic"},
    {"ManualDiscountApplication", "manual"}, {"ScriptDiscountApplication", "script"}};
  std::vector<discount_application> out;
  for (auto n : items_of(conn)) {
    discount_application a;
    auto type = str(n, "__typename");
    for (auto [gql, hook] : kinds)
      if (type == gql)
        a.type = std::string(hook);
    a.code = str(n, "code");
    a.title = str(n, "title");
    if (auto v = at(n, "value")) {
      if (auto pct = at(*v, "percentage")) {
        a.value = decimal_of(pct);
        a.value_type = "percentage";
      } else {
        a.value = str(*v, "amount");
        a.value_type = "fixed_amount";
      }
    }
    a.target_type = lower(str(n, "targetType")); // LINE_ITEM → line_item
    out.push_back(std::move(a));
  }
  return out;
}

// discountCodes (strings) → the webhook's discount_codes: the type from the code's application
// (a shipping target is "shipping"). GraphQL has no per-code amount: with a single discount
// on the order it is the order's total discount; otherwise a fixed code's value, a percentage's
// amount unknown (empty; the order path then names the rate it carries).
std::vector<discount_code> codes_of(std::optional<element> codes, const std::vector<discount_application>& apps,
                                    const std::string& total_discounts) {
  std::vector<discount_code> out;
  for (auto c : items_of(codes)) {
    discount_code d;
    d.code = str(std::optional<element>(c));
    for (const auto& a : apps)
      if (a.type == "discount_code" && a.code == d.code) {
        d.type = a.target_type == "shipping_line" ? "shipping" : a.value_type;
        if (apps.size() == 1)
          d.amount = total_discounts;
        else if (a.value_type == "fixed_amount")
          d.amount = a.value;
        break;
      }
    out.push_back(std::move(d));
  }
  return out;
}

// The lines of one answer; `more` is the cursor to read the next lines from, when there are.
result<std::vector<order_line>> lines_of(std::optional<element> conn, std::string_view line_type,
                                         std::optional<std::string>& more) {
  std::vector<order_line> out;
  more.reset();
  if (!conn)
    return out;
  if (auto pi = at(*conn, "pageInfo")) {
    bool next = false;
    if (auto hn = at(*pi, "hasNextPage"); hn && hn->get(next) == simdjson::SUCCESS && next) {
      auto cursor = str(*pi, "endCursor");
      if (cursor.empty())
        return error{error_kind::order_reconcile_bad_response, "more lines announced without a cursor"};
      more = std::move(cursor);
    }
  }
  auto nodes = at(*conn, "nodes");
  if (!nodes || !nodes->is_array())
    return out;
  for (auto n : nodes->get_array()) {
    order_line l;
    l.line_id = gid_of(n, "id", line_type).value_or(0);
    l.variant = nested_gid(n, "variant", "ProductVariant");
    l.product = nested_gid(n, "product", "Product");
    l.sku = str(n, "sku");
    l.title = str(n, "title");
    l.variant_title = str(n, "variantTitle");
    std::int64_t q = 0;
    if (auto qe = at(n, "quantity"))
      if (qe->get(q) != simdjson::SUCCESS)
        q = 0;
    l.quantity = q;
    l.price = money_of(at(n, "originalUnitPriceSet"));
    l.requires_shipping = flag_of(at(n, "requiresShipping"));
    l.taxable = flag_of(at(n, "taxable"));
    l.tax_lines = taxes_of(at(n, "taxLines"));
    l.discount = applied_discount_of(at(n, "appliedDiscount"));
    out.push_back(std::move(l));
  }
  return out;
}

std::string read_variables(std::string_view type, shopify_id id, const std::string& lines_after, std::size_t lines) {
  json_writer w;
  w.begin_object().field("id", make_gid(type, id)).field("lines", static_cast<std::int64_t>(std::max<std::size_t>(1, lines)));
  if (!lines_after.empty())
    w.field("linesAfter", lines_after);
  w.end_object();
  return std::move(w).str();
}

} // namespace

std::string reconcile_search_query(reconcile_doc d, std::int64_t since) {
  return std::string(d == reconcile_doc::orders ? "created_at:>=" : "updated_at:>=") + iso8601_utc(since);
}

order_api_call make_listing_call(reconcile_doc d, const reconcile_query& q) {
  json_writer w;
  w.begin_object().field("first", static_cast<std::int64_t>(q.first));
  w.key("after");
  if (q.after.empty())
    w.null();
  else
    w.value(q.after);
  w.field("query", reconcile_search_query(d, q.since)).end_object();
  if (d == reconcile_doc::orders)
    return {"OrdersCreatedSince", std::string(graphql::orders_created_since), std::move(w).str(), false};
  return {"DraftOrdersUpdatedSince", std::string(graphql::draft_orders_updated_since), std::move(w).str(), false};
}

order_api_call make_order_read_call(order_id id, const std::string& lines_after, std::size_t lines) {
  return {"OrderForSync", std::string(graphql::order_for_sync), read_variables("Order", id, lines_after, lines), false};
}

order_api_call make_draft_order_read_call(draft_order_id id, const std::string& lines_after, std::size_t lines) {
  return {"DraftOrderForSync", std::string(graphql::draft_order_for_sync),
          read_variables("DraftOrder", id, lines_after, lines), false};
}

result<listing_page> parse_listing(std::string_view body, reconcile_doc d) {
  simdjson::dom::parser parser;
  auto conn = data_field(parser, body, d == reconcile_doc::orders ? "orders" : "draftOrders");
  if (!conn)
    return conn.error();
  if (!*conn)
    return error{error_kind::shopify_no_data, "the listing is null"};
  listing_page page;
  const auto type = d == reconcile_doc::orders ? "Order" : "DraftOrder";
  const auto time_key = d == reconcile_doc::orders ? "createdAt" : "updatedAt";
  if (auto nodes = at(**conn, "nodes"); nodes && nodes->is_array())
    for (auto n : nodes->get_array()) {
      auto id = gid_of(n, "id", type);
      auto t = parse_iso8601_seconds(str(n, time_key));
      if (!id || !t)
        return bad("a listed document without id or time");
      page.docs.push_back({*id, *t});
    }
  if (auto pi = at(**conn, "pageInfo")) {
    if (auto hn = at(*pi, "hasNextPage"))
      if (hn->get(page.has_next) != simdjson::SUCCESS)
        page.has_next = false;
    page.end_cursor = str(*pi, "endCursor");
  }
  return page;
}

result<document_read<order_created>> parse_order_read(std::string_view body) {
  simdjson::dom::parser parser;
  auto f = data_field(parser, body, "order");
  if (!f)
    return f.error();
  if (!*f)
    return error{error_kind::order_reconcile_gone, "the order no longer exists"};
  auto o = **f;
  order_created e;
  auto id = gid_of(o, "id", "Order");
  if (!id)
    return bad("an order without id");
  e.id = *id;
  e.name = str(o, "name");
  e.email = str(o, "email");
  e.financial_status = lower(str(o, "displayFinancialStatus")); // PAID -> the webhook's "paid"
  e.currency = str(o, "currencyCode");
  e.source_name = str(o, "sourceName");
  if (auto app = nested_gid(o, "app", "App"))
    e.app_id = *app;
  e.tags = tags_of(at(o, "tags"));
  e.note = str(o, "note");
  e.note_attributes = attributes_of(at(o, "customAttributes"));
  e.customer = customer_of(at(o, "customer"));
  e.shipping_address = address_of(at(o, "shippingAddress"));
  e.billing_address = address_of(at(o, "billingAddress"));
  std::optional<std::string> more;
  auto lines = lines_of(at(o, "lineItems"), "LineItem", more);
  if (!lines)
    return lines.error();
  e.lines = std::move(*lines);
  e.total_price = money_of(at(o, "totalPriceSet"));
  e.created_at = str(o, "createdAt");
  for (auto s : items_of(at(o, "shippingLines")))
    e.shipping_lines.push_back(shipping_of(s));
  e.tax_lines = taxes_of(at(o, "taxLines"));
  e.total_discounts = money_of(at(o, "totalDiscountsSet"));
  e.discount_applications = applications_of(at(o, "discountApplications"));
  e.discount_codes = codes_of(at(o, "discountCodes"), e.discount_applications, e.total_discounts);
  e.taxes_included = flag_of(at(o, "taxesIncluded"));
  return document_read<order_created>{std::move(e), std::move(more)};
}

result<document_read<draft_order_changed>> parse_draft_order_read(std::string_view body) {
  simdjson::dom::parser parser;
  auto f = data_field(parser, body, "draftOrder");
  if (!f)
    return f.error();
  if (!*f)
    return error{error_kind::order_reconcile_gone, "the draft order no longer exists"};
  auto o = **f;
  draft_order_changed e;
  auto id = gid_of(o, "id", "DraftOrder");
  if (!id)
    return bad("a draft order without id");
  e.id = *id;
  e.created = false; // its create or update: the order path takes either the same way
  e.name = str(o, "name");
  e.status = lower(str(o, "status")); // OPEN -> "open", INVOICE_SENT -> "invoice_sent"
  e.completed_order = nested_gid(o, "order", "Order");
  e.email = str(o, "email");
  e.currency = str(o, "currencyCode");
  e.tags = tags_of(at(o, "tags"));
  e.note = str(o, "note2");
  e.note_attributes = attributes_of(at(o, "customAttributes"));
  e.customer = customer_of(at(o, "customer"));
  e.shipping_address = address_of(at(o, "shippingAddress"));
  e.billing_address = address_of(at(o, "billingAddress"));
  std::optional<std::string> more;
  auto lines = lines_of(at(o, "lineItems"), "DraftOrderLineItem", more);
  if (!lines)
    return lines.error();
  e.lines = std::move(*lines);
  e.updated_at = str(o, "updatedAt");
  if (auto s = at(o, "shippingLine"); s && s->is_object()) {
    e.shipping = shipping_of(*s);
    e.shipping->code = str(*s, "shippingRateHandle"); // the webhook's handle
  }
  e.discount = applied_discount_of(at(o, "appliedDiscount"));
  e.tax_exempt = flag_of(at(o, "taxExempt"));
  e.taxes_included = flag_of(at(o, "taxesIncluded"));
  return document_read<draft_order_changed>{std::move(e), std::move(more)};
}

} // namespace shopsync
