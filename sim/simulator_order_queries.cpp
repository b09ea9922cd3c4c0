// The order reconciler's queries: OrdersCreatedSince / DraftOrdersUpdatedSince list documents
// with Shopify's search filters on created_at / updated_at (`created_at:>=2026-12-04T10:00:00Z`,
// also >, <, <=), sortKey (CREATED_AT, UPDATED_AT, ID), reverse, and opaque cursors;
// OrderForSync / DraftOrderForSync read one document in GraphQL's shape (the same facts its
// webhook carries, camelCase, GIDs, enums). Every search result is immediate: the sim does not
// model Shopify's search-index lag (the daemon's overlap is there for it).
#include "sim/answer_parts.hpp"
#include "sim/json_read.hpp"
#include "sim/order_content_graphql.hpp"
#include "sim/simulator.hpp"

#include "io/json_writer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <utility>

namespace shopsync::sim {

namespace {

using simdjson::dom::element;

// "2026-12-04T10:00:00Z" / "...+01:00" / "...-0500" → epoch seconds.
std::optional<i64> parse_time(std::string_view s) {
  if (s.size() < 19)
    return std::nullopt;
  std::tm tm{};
  if (std::sscanf(std::string(s.substr(0, 19)).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  i64 t = timegm(&tm);
  auto rest = s.substr(19);
  if (!rest.empty() && rest.front() == '.')
    rest.remove_prefix(std::min(rest.find_first_not_of("0123456789", 1), rest.size()));
  if (rest.size() >= 5 && (rest[0] == '+' || rest[0] == '-')) {
    int h = 0, m = 0;
    auto digits = std::string(rest.substr(1));
    digits.erase(std::remove(digits.begin(), digits.end(), ':'), digits.end());
    if (std::sscanf(digits.c_str(), "%2d%2d", &h, &m) != 2)
      return std::nullopt;
    t -= (rest[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
  }
  return t;
}

// One "field:OPvalue" term of a search query on a time field.
struct time_term {
  std::string field, op;
  i64 value = 0;
};

std::vector<time_term> time_terms(std::string_view q) {
  std::vector<time_term> out;
  while (!q.empty()) {
    auto sp = q.find(' ');
    auto term = q.substr(0, sp);
    q = sp == std::string_view::npos ? std::string_view{} : q.substr(sp + 1);
    auto colon = term.find(':');
    if (colon == std::string_view::npos)
      continue;
    time_term t;
    t.field = std::string(term.substr(0, colon));
    auto rest = term.substr(colon + 1);
    for (auto op : {">=", "<=", ">", "<"})
      if (rest.substr(0, std::string_view(op).size()) == op) {
        t.op = op;
        rest.remove_prefix(t.op.size());
        break;
      }
    if (!rest.empty() && (rest.front() == '\'' || rest.front() == '"'))
      rest = rest.substr(1, rest.size() >= 2 ? rest.size() - 2 : 0);
    if (auto v = parse_time(rest); v && (t.field == "created_at" || t.field == "updated_at")) {
      t.value = *v;
      out.push_back(std::move(t));
    } // other terms are not modelled: they filter nothing here
  }
  return out;
}

bool matches(const std::vector<time_term>& terms, i64 created, i64 updated) {
  for (auto& t : terms) {
    i64 v = t.field == "created_at" ? created : updated;
    if ((t.op == ">=" && v < t.value) || (t.op == ">" && v <= t.value) || (t.op == "<=" && v > t.value) ||
        (t.op == "<" && v >= t.value) || (t.op.empty() && v != t.value))
      return false;
  }
  return true;
}

// A listing over documents with created_at, updated_at and id; cursor = base64("<key>:<id>").
template <class Doc>
std::pair<std::string, std::size_t> listing(std::string_view connection, std::string_view type,
                                            std::string_view time_field, const std::vector<Doc>& docs,
                                            element vars, i64 (*updated_of)(const Doc&)) {
  auto first = static_cast<std::size_t>(std::clamp<std::int64_t>(as_int(member(vars, "first")).value_or(50), 0, 250));
  auto terms = time_terms(as_str(member(vars, "query")).value_or(""));
  auto sort = std::string(as_str(member(vars, "sortKey")).value_or(time_field == "createdAt" ? "CREATED_AT" : "UPDATED_AT"));
  bool reverse = as_bool(member(vars, "reverse")).value_or(false);
  auto key_of = [&](const Doc& d) -> std::pair<i64, i64> {
    if (sort == "CREATED_AT") return {d.created_at, d.id};
    if (sort == "UPDATED_AT") return {updated_of(d), d.id};
    return {d.id, d.id};
  };
  std::vector<const Doc*> hits;
  for (auto& d : docs)
    if (matches(terms, d.created_at, updated_of(d)))
      hits.push_back(&d);
  std::sort(hits.begin(), hits.end(), [&](auto* a, auto* b) { return reverse ? key_of(*b) < key_of(*a) : key_of(*a) < key_of(*b); });
  std::optional<std::pair<i64, i64>> after;
  if (auto a = as_str(member(vars, "after"))) {
    // A cursor this listing did not make matches nothing (past the end).
    long long k = 0, id = 0;
    if (std::sscanf(base64_decode(*a).c_str(), "%lld:%lld", &k, &id) == 2)
      after = std::pair<i64, i64>{k, id};
    else
      after = std::pair<i64, i64>{INT64_MAX, INT64_MAX};
  }
  json_writer w;
  w.begin_object().key(connection).begin_object().key("nodes").begin_array();
  std::size_t n = 0;
  bool more = false;
  std::string end_cursor;
  for (auto* d : hits) {
    auto k = key_of(*d);
    if (after && (reverse ? !(k < *after) : !(*after < k)))
      continue;
    if (n == first) {
      more = true;
      break;
    }
    ++n;
    w.begin_object().field("id", gid(type, d->id))
        .field(time_field, format_time(time_field == "createdAt" ? d->created_at : updated_of(*d), "+00:00"))
        .end_object();
    end_cursor = base64_encode(std::to_string(k.first) + ":" + std::to_string(k.second));
  }
  w.end_array().key("pageInfo").begin_object().field("hasNextPage", more);
  w.key("endCursor");
  n ? w.value(end_cursor) : w.null();
  w.end_object().end_object().end_object();
  return {std::move(w).str(), n};
}

i64 order_updated(const order& o) { return o.created_at; } // the sim's orders never change
i64 draft_updated(const draft_order& d) { return d.updated_at; }

void write_address(json_writer& w, std::string_view key, const std::string& webhook_json) {
  w.key(key);
  simdjson::dom::parser p;
  element a;
  if (p.parse(webhook_json).get(a) != simdjson::SUCCESS || !a.is_object()) {
    w.null();
    return;
  }
  w.begin_object();
  static constexpr std::pair<const char*, const char*> fields[] = {
    {"first_name", "firstName"}, {"last_name", "lastName"}, {"company", "company"}, {"address1", "address1"},
    {"address2", "address2"}, {"city", "city"}, {"province", "province"}, {"province_code", "provinceCode"},
    {"zip", "zip"}, {"country", "country"}, {"country_code", "countryCodeV2"}, {"phone", "phone"}};
  for (auto [from, to] : fields) {
    w.key(to);
    if (auto v = as_str(member(a, from)))
      w.value(*v);
    else
      w.null();
  }
  w.end_object();
}

void write_customer(json_writer& w, const std::string& webhook_json) {
  w.key("customer");
  simdjson::dom::parser p;
  element c;
  auto id = p.parse(webhook_json).get(c) == simdjson::SUCCESS ? as_int(member(c, "id")) : std::nullopt;
  if (!id) {
    w.null();
    return;
  }
  w.begin_object().field("id", gid("Customer", *id));
  w.key("firstName").value(as_str(member(c, "first_name")).value_or(""));
  w.key("lastName").value(as_str(member(c, "last_name")).value_or(""));
  w.key("defaultEmailAddress");
  if (auto mail = as_str(member(c, "email")))
    w.begin_object().field("emailAddress", *mail).end_object();
  else
    w.null();
  w.end_object();
}

// note_attributes [{name, value}] are GraphQL's customAttributes [{key, value}].
void write_attributes(json_writer& w, const std::string& webhook_json) {
  w.key("customAttributes").begin_array();
  simdjson::dom::parser p;
  element arr;
  if (p.parse(webhook_json).get(arr) == simdjson::SUCCESS && arr.is_array())
    for (auto a : arr.get_array()) {
      w.begin_object().field("key", as_str(member(a, "name")).value_or(""));
      w.key("value").value(as_str(member(a, "value")).value_or(""));
      w.end_object();
    }
  w.end_array();
}

// lineItems(first: N, after: $linesAfter): the lines after the cursor's line, N at most (the
// document's `first`, literal or a variable), with Shopify's pageInfo. Returns how many lines
// were written (the cost counts them).
std::size_t write_lines(json_writer& w, std::string_view line_type, const std::vector<line_item>& lines, bool draft,
                        element vars, std::size_t page) {
  std::size_t begin = 0;
  if (auto after = as_str(member(vars, "linesAfter"))) {
    auto id = cursor_id(*after);
    auto it = std::find_if(lines.begin(), lines.end(), [&](const line_item& l) { return id && l.id == *id; });
    begin = it == lines.end() ? lines.size() : static_cast<std::size_t>(it - lines.begin()) + 1;
  }
  const auto end = std::min(lines.size(), begin + page);
  w.key("lineItems").begin_object().key("nodes").begin_array();
  for (auto i = begin; i < end; ++i) {
    const auto& l = lines[i];
    w.begin_object().field("id", gid(line_type, l.id)).field("quantity", l.quantity).field("sku", l.sku)
        .field("title", l.title).field("variantTitle", l.variant_title);
    w.key("variant");
    l.variant_id ? w.begin_object().field("id", gid("ProductVariant", l.variant_id)).end_object() : w.null();
    w.key("product");
    l.product_id ? w.begin_object().field("id", gid("Product", l.product_id)).end_object() : w.null();
    w.key("originalUnitPriceSet").begin_object().key("shopMoney").begin_object().field("amount", l.price)
        .end_object().end_object();
    write_line_content(w, l, draft);
    w.end_object();
  }
  w.end_array().key("pageInfo").begin_object().field("hasNextPage", end < lines.size()).key("endCursor");
  end > begin ? w.value(cursor_for(lines[end - 1].id)) : w.null();
  w.end_object().end_object();
  return end - begin;
}

std::string total_of(const std::vector<line_item>& lines) {
  long long cents = 0;
  for (auto& l : lines) {
    double p = 0;
    std::sscanf(l.price.c_str(), "%lf", &p);
    cents += static_cast<long long>(p * 100 + 0.5) * l.quantity;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", cents / 100, cents % 100);
  return buf;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

} // namespace

simulator::op_result simulator::op_orders_created_since(store& s, element vars) {
  auto [data, n] = listing<order>("orders", "Order", "createdAt", s.orders, vars, order_updated);
  op_result r;
  r.outcome = "read";
  r.data = std::move(data);
  return r;
}

simulator::op_result simulator::op_draft_orders_updated_since(store& s, element vars) {
  auto [data, n] = listing<draft_order>("draftOrders", "DraftOrder", "updatedAt", s.drafts, vars, draft_updated);
  op_result r;
  r.outcome = "read";
  r.data = std::move(data);
  return r;
}

simulator::op_result simulator::op_order_for_sync(store& s, element vars, std::size_t lines_page) {
  op_result r;
  r.outcome = "read";
  auto id = gid_number(as_str(member(vars, "id")).value_or(""), "Order");
  auto it = std::find_if(s.orders.begin(), s.orders.end(), [&](const order& o) { return id && o.id == *id; });
  json_writer w;
  w.begin_object().key("order");
  if (it == s.orders.end()) {
    w.null().end_object();
    r.data = std::move(w).str();
    return r;
  }
  const auto& o = *it;
  w.begin_object().field("id", gid("Order", o.id)).field("name", o.name).field("email", o.email)
      .field("displayFinancialStatus", upper(o.financial_status)).field("currencyCode", o.currency)
      .field("sourceName", o.source_name).field("createdAt", format_time(o.created_at, "+00:00"));
  w.key("tags").begin_array();
  for (auto& t : o.tags)
    w.value(t);
  w.end_array();
  w.key("note").value(o.note);
  w.key("app");
  o.app_id ? w.begin_object().field("id", gid("App", *o.app_id)).end_object() : w.null();
  write_attributes(w, o.note_attributes_json);
  write_customer(w, o.customer_json);
  write_address(w, "shippingAddress", o.shipping_address_json);
  write_address(w, "billingAddress", o.billing_address_json);
  w.key("totalPriceSet").begin_object().key("shopMoney").begin_object().field("amount", total_of(o.lines))
      .end_object().end_object();
  write_lines(w, "LineItem", o.lines, false, vars, lines_page);
  write_order_content(w, o);
  w.end_object().end_object();
  r.data = std::move(w).str();
  return r;
}

simulator::op_result simulator::op_draft_order_for_sync(store& s, element vars, std::size_t lines_page) {
  op_result r;
  r.outcome = "read";
  auto id = gid_number(as_str(member(vars, "id")).value_or(""), "DraftOrder");
  auto it = std::find_if(s.drafts.begin(), s.drafts.end(), [&](const draft_order& d) { return id && d.id == *id; });
  json_writer w;
  w.begin_object().key("draftOrder");
  if (it == s.drafts.end()) {
    w.null().end_object();
    r.data = std::move(w).str();
    return r;
  }
  const auto& d = *it;
  w.begin_object().field("id", gid("DraftOrder", d.id)).field("name", d.name).field("status", upper(d.status))
      .field("email", d.email).field("currencyCode", "USD").field("updatedAt", format_time(d.updated_at, "+00:00"));
  w.key("tags").begin_array();
  for (auto& t : d.tags)
    w.value(t);
  w.end_array();
  w.key("note2").value(d.note);
  w.key("order");
  d.order_id ? w.begin_object().field("id", gid("Order", *d.order_id)).end_object() : w.null();
  write_attributes(w, d.note_attributes_json);
  w.key("customer").null();
  write_address(w, "shippingAddress", d.shipping_address_json);
  write_address(w, "billingAddress", d.billing_address_json);
  write_lines(w, "DraftOrderLineItem", d.lines, true, vars, lines_page);
  write_draft_content(w, d);
  w.end_object().end_object();
  r.data = std::move(w).str();
  return r;
}

} // namespace shopsync::sim
