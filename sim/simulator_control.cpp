// The test-control API under /_sim/: make sales and other merchant-side changes (each emits the
// webhooks Shopify would), read every store's truth and the Admin call log, switch faults, reset.
#include "io/json_writer.hpp"
#include "sim/answer_parts.hpp"
#include "sim/json_read.hpp"
#include "sim/simulator.hpp"
#include "sim/webhook_payloads.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

namespace shopsync::sim {

namespace {
thread_local simdjson::dom::parser ctl_parser;

// Where simulated storefront customers live.
constexpr const char* sim_address_json =
    R"({"first_name":"Sim","last_name":"Customer","name":"Sim Customer","address1":"1 Main St","address2":null,)"
    R"("city":"Springfield","province":"Illinois","province_code":"IL","zip":"62701","country":"United States",)"
    R"("country_code":"US","phone":null,"company":null})";

std::map<std::string, std::string> parse_query(const std::string& q) {
  std::map<std::string, std::string> out;
  std::size_t p = 0;
  while (p < q.size()) {
    auto amp = q.find('&', p);
    auto part = q.substr(p, amp == std::string::npos ? std::string::npos : amp - p);
    auto eq = part.find('=');
    if (eq == std::string::npos)
      out[url_decode(part)] = "";
    else
      out[url_decode(part.substr(0, eq))] = url_decode(part.substr(eq + 1));
    if (amp == std::string::npos)
      break;
    p = amp + 1;
  }
  return out;
}

http_answer error_answer(int status, const std::string& message) {
  json_writer w;
  w.begin_object().field("error", message).end_object();
  return json_answer(status, std::move(w).str());
}

std::optional<std::uint32_t> resolve_variant(store& s, element b) {
  if (auto id = as_int(member(b, "inventory_item_id")))
    return s.variant_by_item(*id);
  if (auto g = as_str(member(b, "inventory_item_id")))
    if (auto n = gid_number(*g, "InventoryItem"))
      return s.variant_by_item(*n);
  if (auto id = as_int(member(b, "variant_id")))
    return s.variant_by_id(*id);
  if (auto g = as_str(member(b, "variant_id")))
    if (auto n = gid_number(*g, "ProductVariant"))
      return s.variant_by_id(*n);
  if (auto sku = as_str(member(b, "sku"))) {
    for (std::uint32_t i = 0; i < s.variants.size(); ++i)
      if (s.variants[i].sku == *sku && !s.variants[i].deleted)
        return i;
    return std::nullopt;
  }
  if (auto bc = as_str(member(b, "barcode"))) {
    for (std::uint32_t i = 0; i < s.variants.size(); ++i)
      if (s.variants[i].barcode == *bc && !s.variants[i].deleted)
        return i;
  }
  return std::nullopt;
}

// location_id (number or GID) or location (name); nullopt when given but unknown, or absent.
std::optional<std::size_t> resolve_location(store& s, element b, bool& given) {
  given = true;
  if (auto id = as_int(member(b, "location_id")))
    return s.location_index(*id);
  if (auto g = as_str(member(b, "location_id")))
    if (auto n = gid_number(*g, "Location"))
      return s.location_index(*n);
  if (auto name = as_str(member(b, "location"))) {
    for (std::size_t i = 0; i < s.locations.size(); ++i)
      if (s.locations[i].name == *name)
        return i;
    return std::nullopt;
  }
  given = false;
  return std::nullopt;
}

// The level a sale, restock or set names: its variant, and the location given or else the
// first stocking it (first_stocking(v); locations.size() when none). status != 0: refused so.
struct named_level {
  std::uint32_t v = 0;
  std::size_t l = 0;
  int status = 0;
  std::string why;
};
template <class FirstStocking>
named_level resolve_level(store& s, element b, FirstStocking first_stocking) {
  auto v = resolve_variant(s, b);
  if (!v)
    return {0, 0, 404, "no such variant (give inventory_item_id, variant_id, sku or barcode)"};
  bool given = false;
  auto l = resolve_location(s, b, given);
  if (given && !l)
    return {*v, 0, 404, "no such location"};
  if (!given)
    l = first_stocking(*v);
  if (*l >= s.locations.size())
    return {*v, 0, 409, "the item is not stocked at any location"};
  return {*v, *l, 0, {}};
}

void write_level_state(json_writer& w, const store& s, std::uint32_t v) {
  const auto& var = s.variants[v];
  const auto& p = s.products[var.product];
  w.begin_object()
      .field("variant_id", var.id).field("product_id", p.id).field("handle", p.handle)
      .field("title", var.option).field("sku", var.sku).field("barcode", var.barcode)
      .field("inventory_item_id", var.inventory_item_id);
  w.key("levels").begin_array();
  for (std::size_t l = 0; l < s.locations.size(); ++l) {
    w.begin_object().field("location_id", s.locations[l].id).field("location", s.locations[l].name);
    w.key("available");
    s.level(v, l) == not_stocked ? w.null() : w.value(static_cast<std::int64_t>(s.level(v, l)));
    if (s.level(v, l) != not_stocked)
      w.field("level_id", s.level_id(v, l)).field("active", s.level_active(v, l));
    w.end_object();
  }
  w.end_array().end_object();
}

void write_lines(json_writer& w, const std::vector<line_item>& lines) {
  w.key("line_items").begin_array();
  for (auto& l : lines) {
    w.begin_object().field("id", l.id).field("variant_id", l.variant_id).field("sku", l.sku)
        .field("title", l.title).field("quantity", l.quantity).field("price", l.price)
        .field("requires_shipping", l.requires_shipping).field("taxable", l.taxable);
    w.key("tax_lines").raw(l.tax_lines_json);
    w.key("applied_discount").raw(l.applied_discount_json);
    w.end_object();
  }
  w.end_array();
}

// The order content a test may give /_sim/sale, in the webhook's own shapes (taken as given).
void read_sale_content(element body, order& o) {
  auto raw = [&](const char* key, std::string& out) {
    if (auto v = member(body, key); v && !v->is_null())
      out = to_json(*v);
  };
  raw("shipping_lines", o.shipping_lines_json);
  raw("tax_lines", o.tax_lines_json);
  raw("discount_codes", o.discount_codes_json);
  raw("discount_applications", o.discount_applications_json);
  if (auto t = as_str(member(body, "total_discounts")))
    o.total_discounts = std::string(*t);
  if (auto t = as_bool(member(body, "taxes_included")))
    o.taxes_included = *t;
  for (auto& l : o.lines) {
    if (auto r = as_bool(member(body, "requires_shipping")))
      l.requires_shipping = *r;
    raw("line_tax_lines", l.tax_lines_json);
  }
}
} // namespace

std::string simulator::state_json(store& s, const std::string& query) {
  auto q = parse_query(query);
  json_writer w;
  w.begin_object().field("shop", s.shop).field("token", s.token);
  w.key("bucket").begin_object().field("maximum", s.bucket.maximum())
      .field("available", s.bucket.available()).field("restore_rate", s.bucket.restore_rate());
  w.key("plan");
  s.plan.empty() ? w.null() : w.value(s.plan);
  w.end_object();
  w.key("locations").begin_array();
  for (auto& l : s.locations)
    w.begin_object().field("id", l.id).field("gid", gid("Location", l.id)).field("name", l.name)
        .field("active", l.active).end_object();
  w.end_array();
  w.field("product_count", s.products.size()).field("variant_count", s.variants.size());
  if (q["variants"] != "0") {
    std::size_t offset = q.count("offset") ? std::stoull(q["offset"]) : 0;
    std::size_t limit = q.count("limit") ? std::stoull(q["limit"]) : s.variants.size();
    w.key("variants").begin_array();
    std::size_t seen = 0, written = 0;
    for (std::uint32_t v = 0; v < s.variants.size() && written < limit; ++v) {
      const auto& var = s.variants[v];
      if (var.deleted) continue;
      if (q.count("sku") && var.sku != q["sku"]) continue;
      if (q.count("barcode") && var.barcode != q["barcode"]) continue;
      if (q.count("inventory_item_id") && std::to_string(var.inventory_item_id) != q["inventory_item_id"]) continue;
      if (q.count("variant_id") && std::to_string(var.id) != q["variant_id"]) continue;
      if (seen++ < offset) continue;
      write_level_state(w, s, v);
      ++written;
    }
    w.end_array();
  }
  w.key("orders").begin_array();
  for (auto& o : s.orders) {
    w.begin_object().field("id", o.id).field("name", o.name).field("email", o.email)
        .field("tags", join_tags(o.tags)).field("source_name", o.source_name)
        .field("financial_status", o.financial_status).field("inventory_behaviour", o.inventory_behaviour);
    w.key("source_identifier").value(o.source_identifier);
    w.key("app_id").value(o.app_id);
    w.field("total_discounts", o.total_discounts).field("taxes_included", o.taxes_included);
    w.key("shipping_lines").raw(o.shipping_lines_json);
    w.key("tax_lines").raw(o.tax_lines_json);
    w.key("discount_codes").raw(o.discount_codes_json);
    w.key("discount_applications").raw(o.discount_applications_json);
    write_lines(w, o.lines);
    w.end_object();
  }
  w.end_array();
  w.key("draft_orders").begin_array();
  for (auto& d : s.drafts) {
    w.begin_object().field("id", d.id).field("name", d.name).field("status", d.status).field("email", d.email)
        .field("tags", join_tags(d.tags));
    w.key("note").value(d.note);
    w.key("order_id").value(d.order_id);
    w.key("api_client_id").value(d.api_client_id);
    w.field("tax_exempt", d.tax_exempt);
    w.key("shipping_line").raw(d.shipping_line_json);
    w.key("applied_discount").raw(d.applied_discount_json);
    write_lines(w, d.lines);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return std::move(w).str();
}

std::string simulator::log_json(const std::string& shop, std::uint64_t since, const std::string& op) {
  std::lock_guard lock(log_mu_);
  json_writer w;
  w.begin_object().key("calls").begin_array();
  for (auto& c : log_) {
    if (c.seq < since || (!shop.empty() && c.shop != shop) || (!op.empty() && c.operation != op))
      continue;
    w.begin_object().field("seq", c.seq).field("at_ms", c.at_ms).field("shop", c.shop)
        .field("operation", c.operation);
    w.key("variables");
    c.variables.empty() ? w.null() : w.raw(c.variables);
    w.field("requested_cost", c.requested_cost);
    w.key("actual_cost").value(c.actual_cost);
    w.key("idempotency_key");
    c.idempotency_key.empty() ? w.null() : w.value(c.idempotency_key);
    w.field("outcome", c.outcome).field("replayed", c.outcome == "replayed")
        .field("http_status", c.http_status).field("fault", c.fault).end_object();
  }
  w.end_array().field("next_seq", next_log_seq_).end_object();
  return std::move(w).str();
}

order& simulator::storefront_sale(store& s, std::uint32_t v, std::size_t l, element body, i64 now) {
  const int qty = static_cast<int>(as_int(member(body, "quantity")).value_or(1));
  order o;
  o.id = s.new_order_id();
  o.number = s.next_order_number++;
  o.name = "#" + std::to_string(o.number);
  o.email = std::string(as_str(member(body, "email")).value_or("customer@example.com"));
  o.financial_status = std::string(as_str(member(body, "financial_status")).value_or("paid"));
  o.source_name = std::string(as_str(member(body, "source_name")).value_or("web"));
  o.app_id = as_int(member(body, "app_id")).value_or(sc_.storefront_app_id);
  if (auto t = member(body, "tags"); t && t->is_array())
    for (auto x : simdjson::dom::array(*t))
      if (auto ts = as_str(x))
        o.tags.emplace_back(*ts);
  o.inventory_behaviour = "DECREMENT_OBEYING_POLICY";
  // "lines": N places the sale as N lines of `quantity` each (an order with many lines).
  const auto line_count = std::clamp<std::int64_t>(as_int(member(body, "lines")).value_or(1), 1, 5000);
  for (std::int64_t i = 0; i < line_count; ++i)
    o.lines.push_back(line_for_variant(s, v, qty));
  read_sale_content(body, o);
  o.shipping_address_json = sim_address_json;
  i64 cid = s.new_customer_id();
  json_writer c;
  c.begin_object().field("id", cid).field("email", o.email).field("first_name", "Sim").field("last_name", "Customer")
      .field("admin_graphql_api_id", gid("Customer", cid)).end_object();
  o.customer_json = std::move(c).str();
  return place_order(s, std::move(o), now, {{v, l, qty * static_cast<int>(line_count)}});
}

// Sales placed by the simulator itself at a steady rate, for load far above what a test client
// could send one request at a time without taking the CPU the daemon under test needs. Each
// is placed exactly as /_sim/sale places one; the answer, once the last is placed, gives each
// sale's moment on the Admin log's clock (at_ms), so lags are measured from the sale itself.
http_answer simulator::control_sales(element body) {
  auto rate = as_int(member(body, "rate")).value_or(0);
  auto sales = member(body, "sales");
  if (rate <= 0 || !sales || !sales->is_array())
    return error_answer(400, "rate (sales per second, > 0) and sales (an array of /_sim/sale bodies) are required");
  const auto arr = simdjson::dom::array(*sales);
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t i = 0, refused = 0;
  std::string first_refusal;
  json_writer w;
  w.begin_object().key("at_ms").begin_array();
  for (auto sale : arr) {
    std::this_thread::sleep_until(t0 + std::chrono::microseconds(static_cast<i64>(i++) * 1'000'000 / rate));
    // The sale's moment is before it waits for its store and is placed: a lag measured from it
    // counts the simulator's own delays too, as a client's send time did.
    const double at_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
    auto refuse = [&](std::string why) {
      ++refused;
      if (first_refusal.empty())
        first_refusal = "sale " + std::to_string(i - 1) + ": " + why;
      w.null();
    };
    store* s = find_store(std::string(as_str(member(sale, "store")).value_or("")));
    if (!s) {
      refuse("unknown store");
      continue;
    }
    std::lock_guard lock(s->mu);
    const auto named = resolve_level(*s, sale, [&](std::uint32_t v) { return stocked_location(*s, v); });
    if (named.status || s->level(named.v, named.l) == not_stocked) {
      refuse(named.status ? named.why : "the item is not stocked at that location");
      continue;
    }
    storefront_sale(*s, named.v, named.l, sale, unix_now());
    w.value(at_ms);
  }
  w.end_array().field("refused", refused).field("first_refusal", first_refusal).end_object();
  return json_answer(200, std::move(w).str());
}

http_answer simulator::control(const http_request_view& req, const std::string& path, const std::string& query) {
  auto q = parse_query(query);
  if (path == "/_sim/reset") {
    std::unique_lock lock(stores_mu_);
    build_stores();
    faults_.reset();
    hooks_->reset(opts_.seed);
    {
      std::lock_guard l2(log_mu_);
      log_.clear();
      next_log_seq_ = 1;
    }
    return json_answer(200, R"({"ok":true})");
  }
  std::shared_lock stores_lock(stores_mu_);
  if (path.rfind("/_sim/bulk/", 0) == 0)
    return control_bulk_file(path, query);
  if (path == "/_sim/health")
    return json_answer(200, R"({"ok":true})");
  if (path == "/_sim/log")
    return json_answer(200, log_json(q.count("store") ? q["store"] : "", q.count("since") ? std::stoull(q["since"]) : 0,
                                     q.count("operation") ? q["operation"] : ""));
  if (path == "/_sim/webhooks")
    return json_answer(200, hooks_->stats_json(q.count("store") ? q["store"] : "",
                                               q.count("since") ? std::stoull(q["since"]) : 0,
                                               q["bodies"] == "1", q.count("topic") ? q["topic"] : ""));
  if (path == "/_sim/webhooks/wait_idle") {
    int ms = q.count("timeout_ms") ? std::stoi(q["timeout_ms"]) : 5000;
    bool idle = hooks_->wait_idle(std::chrono::milliseconds(ms));
    return json_answer(200, std::string("{\"idle\":") + (idle ? "true" : "false") + "}");
  }
  if (path == "/_sim/stores") {
    json_writer w;
    w.begin_object().key("stores").begin_array();
    for (auto& sp : stores_) {
      std::lock_guard l(sp->mu);
      w.begin_object().field("shop", sp->shop).field("token", sp->token)
          .field("products", sp->products.size()).field("variants", sp->variants.size())
          .field("orders", sp->orders.size()).field("draft_orders", sp->drafts.size());
      w.key("locations").begin_array();
      for (auto& l : sp->locations)
        w.begin_object().field("id", l.id).field("name", l.name).field("active", l.active).end_object();
      w.end_array().end_object();
    }
    w.end_array().field("app_id", sc_.app_id).field("api_version", sc_.api_version).end_object();
    return json_answer(200, std::move(w).str());
  }
  if (path == "/_sim/faults" && req.method == "GET")
    return json_answer(200, fault_json(faults_.config()));

  simdjson::padded_string padded(req.body.empty() ? std::string("{}") : req.body);
  element body;
  if (ctl_parser.parse(padded).get(body) != simdjson::SUCCESS || !body.is_object())
    return error_answer(400, "body must be a JSON object");
  if (path == "/_sim/faults") {
    if (auto err = faults_.update(body); !err.empty())
      return error_answer(400, err);
    return json_answer(200, fault_json(faults_.config()));
  }

  if (path == "/_sim/webhooks/redeliver") {
    auto seq = as_int(member(body, "seq"));
    auto again = seq && *seq > 0 ? hooks_->redeliver(static_cast<std::uint64_t>(*seq)) : std::nullopt;
    if (!again)
      return error_answer(404, "no such delivery (give \"seq\" from /_sim/webhooks)");
    json_writer w;
    w.begin_object().field("seq", again->seq).field("webhook_id", again->webhook_id)
        .field("event_id", again->event_id).end_object();
    return json_answer(200, std::move(w).str());
  }
  if (path == "/_sim/sales")
    return control_sales(body);
  std::string shop = q.count("store") ? q["store"] : std::string(as_str(member(body, "store")).value_or(""));
  if (path == "/_sim/state" && shop.empty()) { // every store's truth at once
    std::string out = "{\"stores\":[";
    for (std::size_t i = 0; i < stores_.size(); ++i) {
      std::lock_guard l(stores_[i]->mu);
      out += (i ? "," : "") + state_json(*stores_[i], query);
    }
    return json_answer(200, out + "]}");
  }
  store* s = find_store(shop);
  if (!s)
    return error_answer(404, "unknown store '" + shop + "'");
  if (path.rfind("/_sim/auth", 0) == 0)
    return auth_control(req, path, shop);
  std::lock_guard lock(s->mu);
  if (path == "/_sim/state")
    return json_answer(200, state_json(*s, query));
  if (path == "/_sim/bulk")
    return control_bulk_list(*s);
  if (path == "/_sim/bucket")
    return control_bucket(*s, body);
  if (path == "/_sim/webhooks/send")
    return control_send_webhook(*s, body);
  if (path == "/_sim/scopes" || path.rfind("/_sim/subscriptions", 0) == 0)
    return control_subscriptions(*s, path, body, unix_now());

  const auto now = unix_now();
  if (path == "/_sim/set_level" || path == "/_sim/restock" || path == "/_sim/sale") {
    const auto named = resolve_level(*s, body, [&](std::uint32_t v) { return stocked_location(*s, v); });
    if (named.status)
      return error_answer(named.status, named.why);
    const auto v = named.v;
    const auto l = named.l;
    // The level just before this change, so a test can tell the delta of an absolute set.
    const auto before = static_cast<std::int64_t>(s->level(v, l));
    if (path == "/_sim/set_level") {
      auto avail = as_int(member(body, "available"));
      if (!avail)
        return error_answer(400, "available (integer) is required");
      if (s->level(v, l) == not_stocked)
        return error_answer(409, "the item is not stocked at that location");
      set_level(*s, v, l, static_cast<std::int32_t>(*avail), now);
    } else if (path == "/_sim/restock") {
      auto delta = as_int(member(body, "delta")).value_or(as_int(member(body, "quantity")).value_or(0));
      if (s->level(v, l) == not_stocked)
        return error_answer(409, "the item is not stocked at that location");
      set_level(*s, v, l, s->level(v, l) + static_cast<std::int32_t>(delta), now);
    } else {
      if (s->level(v, l) == not_stocked)
        return error_answer(409, "the item is not stocked at that location");
      auto& placed = storefront_sale(*s, v, l, body, now);
      json_writer w;
      w.begin_object().field("order_id", placed.id).field("name", placed.name)
          .field("inventory_item_id", s->variants[v].inventory_item_id)
          .field("location_id", s->locations[l].id)
          .field("available", static_cast<std::int64_t>(s->level(v, l)))
          .field("available_before", before).end_object();
      return json_answer(200, std::move(w).str());
    }
    json_writer w;
    w.begin_object().field("inventory_item_id", s->variants[v].inventory_item_id)
        .field("location_id", s->locations[l].id)
        .field("available", static_cast<std::int64_t>(s->level(v, l)))
        .field("available_before", before).end_object();
    return json_answer(200, std::move(w).str());
  }
  if (path == "/_sim/stock" || path == "/_sim/unstock") {
    // The merchant stocks an item at a location (a new level: inventory_levels/connect, then
    // inventory_levels/update when its quantity is not 0) or removes it from there
    // (inventory_levels/disconnect).
    auto v = resolve_variant(*s, body);
    if (!v)
      return error_answer(404, "no such variant (give inventory_item_id, variant_id, sku or barcode)");
    bool given = false;
    auto l = resolve_location(*s, body, given);
    if (!l)
      return error_answer(given ? 404 : 400, given ? "no such location" : "location or location_id is required");
    const bool stocked = s->level(*v, *l) != not_stocked;
    if (path == "/_sim/stock") {
      if (stocked)
        return error_answer(409, "the item is already stocked at that location");
      auto avail = static_cast<std::int32_t>(as_int(member(body, "available")).value_or(0));
      stock_level(*s, *v, *l, 0, as_bool(member(body, "active")).value_or(true), now);
      set_level(*s, *v, *l, avail, now);
    } else {
      if (!stocked)
        return error_answer(409, "the item is not stocked at that location");
      unstock_level(*s, *v, *l, now);
    }
    json_writer w;
    write_level_state(w, *s, *v);
    return json_answer(200, std::move(w).str());
  }
  if (path == "/_sim/draft_order" || path == "/_sim/draft_order/update")
    return control_draft(*s, body, path == "/_sim/draft_order", now);
  if (path == "/_sim/variant/update") {
    auto v = resolve_variant(*s, body);
    if (!v)
      return error_answer(404, "no such variant (give inventory_item_id or variant_id)");
    auto& var = s->variants[*v];
    bool sku_changed = false;
    if (auto sku = as_str(member(body, "new_sku")); sku && *sku != var.sku) {
      var.sku = std::string(*sku);
      sku_changed = true;
    }
    if (auto bc = as_str(member(body, "new_barcode")))
      var.barcode = std::string(*bc);
    if (auto price = as_str(member(body, "new_price")))
      var.price = std::string(*price);
    var.updated_at = now;
    s->products[var.product].updated_at = now;
    if (sku_changed) // the SKU lives on the inventory item
      emit(*s, "inventory_items/update", inventory_item_payload(*s, *v, now), now);
    emit(*s, "products/update", product_payload(*s, var.product), now);
    json_writer w;
    write_level_state(w, *s, *v);
    return json_answer(200, std::move(w).str());
  }
  if (path == "/_sim/product") {
    product_spec ps;
    ps.handle = std::string(as_str(member(body, "handle")).value_or(""));
    if (ps.handle.empty())
      return error_answer(400, "handle is required");
    ps.title = std::string(as_str(member(body, "title")).value_or(ps.handle));
    ps.vendor = std::string(as_str(member(body, "vendor")).value_or("Acme"));
    ps.product_type = std::string(as_str(member(body, "product_type")).value_or("Goods"));
    if (auto tags = member(body, "tags"); tags && tags->is_array())
      for (auto t : simdjson::dom::array(*tags))
        if (auto tv = as_str(t))
          ps.tags.emplace_back(*tv);
    std::vector<std::optional<int>> avail;
    if (auto vars = member(body, "variants"); vars && vars->is_array()) {
      for (auto ve : simdjson::dom::array(*vars)) {
        variant_spec vs;
        vs.sku = std::string(as_str(member(ve, "sku")).value_or(""));
        vs.barcode = std::string(as_str(member(ve, "barcode")).value_or(""));
        vs.option = std::string(as_str(member(ve, "option")).value_or(""));
        vs.price = std::string(as_str(member(ve, "price")).value_or("29.99"));
        ps.variants.push_back(vs);
        auto a = as_int(member(ve, "available"));
        avail.push_back(a ? std::optional<int>(static_cast<int>(*a)) : std::nullopt);
      }
    }
    if (ps.variants.empty()) {
      ps.variants.push_back({});
      avail.push_back(std::nullopt);
    }
    auto p = s->add_product(ps, now);
    for (std::size_t k = 0; k < s->products[p].variants.size(); ++k)
      for (std::size_t l = 0; l < s->locations.size(); ++l)
        s->level(s->products[p].variants[k], l) = avail[k].value_or(0);
    s->number_levels();
    emit(*s, "products/create", product_payload(*s, p), now);
    json_writer w;
    w.begin_object().field("product_id", s->products[p].id).key("variants").begin_array();
    for (auto v : s->products[p].variants)
      write_level_state(w, *s, v);
    w.end_array().end_object();
    return json_answer(200, std::move(w).str());
  }
  if (path == "/_sim/product/update") {
    // The merchant edits a product's tags, vendor or type: products/update, as Shopify sends it.
    std::optional<std::uint32_t> p;
    if (auto id = as_int(member(body, "product_id")))
      p = s->product_by_id(*id);
    else if (auto v = resolve_variant(*s, body))
      p = s->variants[*v].product;
    if (!p)
      return error_answer(404, "no such product (give product_id, or a variant selector)");
    auto& pr = s->products[*p];
    if (auto tags = member(body, "tags"); tags && tags->is_array()) {
      pr.tags.clear();
      for (auto t : simdjson::dom::array(*tags))
        if (auto tv = as_str(t))
          pr.tags.emplace_back(*tv);
    }
    if (auto vendor = as_str(member(body, "vendor")))
      pr.vendor = std::string(*vendor);
    if (auto type = as_str(member(body, "product_type")))
      pr.product_type = std::string(*type);
    pr.updated_at = now;
    emit(*s, "products/update", product_payload(*s, *p), now);
    json_writer w;
    w.begin_object().field("product_id", pr.id).end_object();
    return json_answer(200, std::move(w).str());
  }
  if (path == "/_sim/product/delete" || path == "/_sim/variant/delete")
    return control_delete(*s, body, path == "/_sim/product/delete", now);
  return error_answer(404, "unknown control path " + path);
}

// A merchant deletes a product (every variant with it) or one variant. Shopify tells apps with
// products/delete (`{"id"}` only: a deleted object has no other detail) and inventory_items/delete
// per variant, or, for one variant, inventory_items/delete and products/update.
http_answer simulator::control_delete(store& s, element body, bool whole_product, i64 now) {
  std::optional<std::uint32_t> p;
  std::optional<std::uint32_t> v;
  if (whole_product) {
    if (auto id = as_int(member(body, "product_id")))
      p = s.product_by_id(*id);
    else if (auto g = as_str(member(body, "product_id")))
      p = gid_number(*g, "Product") ? s.product_by_id(*gid_number(*g, "Product")) : std::nullopt;
    else if ((v = resolve_variant(s, body)))
      p = s.variants[*v].product;
    if (!p)
      return error_answer(404, "no such product (give product_id, or a variant selector)");
  } else {
    v = resolve_variant(s, body);
    if (!v)
      return error_answer(404, "no such variant (give inventory_item_id, variant_id, sku or barcode)");
    p = s.variants[*v].product;
    if (s.products[*p].variants.size() < 2)
      return error_answer(409, "a product keeps at least one variant: delete the product");
  }
  auto& pr = s.products[*p];
  std::vector<std::uint32_t> gone = whole_product ? pr.variants : std::vector<std::uint32_t>{*v};
  for (auto x : gone)
    s.variants[x].deleted = true;
  if (whole_product) {
    pr.deleted = true;
    json_writer w;
    w.begin_object().field("id", pr.id).end_object();
    emit(s, "products/delete", std::move(w).str(), now);
  } else {
    pr.variants.erase(std::find(pr.variants.begin(), pr.variants.end(), *v));
    pr.updated_at = now;
  }
  for (auto x : gone)
    emit(s, "inventory_items/delete", inventory_item_deleted_payload(s, x), now);
  if (!whole_product)
    emit(s, "products/update", product_payload(s, *p), now);
  json_writer w;
  w.begin_object().field("product_id", pr.id).key("inventory_item_ids").begin_array();
  for (auto x : gone)
    w.value(s.variants[x].inventory_item_id);
  w.end_array().end_object();
  return json_answer(200, std::move(w).str());
}

http_answer simulator::control_draft(store& s, element body, bool create, i64 now) {
  draft_order* d = nullptr;
  draft_order fresh;
  if (create) {
    fresh.id = s.new_draft_id();
    fresh.name = "#D" + std::to_string(s.next_draft_number++);
    fresh.created_at = now;
    fresh.created_ms = unix_now_ms();
    auto client = member(body, "api_client_id");
    fresh.api_client_id = client && client->is_null() ? std::nullopt
                                                      : std::optional<i64>(as_int(client).value_or(sc_.draft_orders_app_id));
    d = &fresh;
  } else {
    auto id = as_int(member(body, "id"));
    if (!id)
      if (auto g = as_str(member(body, "id")))
        id = gid_number(*g, "DraftOrder");
    d = id ? s.find_draft(*id) : nullptr;
    if (!d)
      return error_answer(404, "no such draft order");
    if (d->status == "completed")
      return error_answer(409, "draft order already completed");
  }
  if (auto lines = member(body, "lines"); lines && lines->is_array()) {
    d->lines.clear();
    for (auto le : simdjson::dom::array(*lines)) {
      auto v = resolve_variant(s, le);
      if (!v)
        return error_answer(404, "no such variant in lines");
      d->lines.push_back(line_for_variant(s, *v, static_cast<int>(as_int(member(le, "quantity")).value_or(1))));
    }
  }
  if (create)
    d->shipping_address_json = sim_address_json;
  if (auto e = as_str(member(body, "email")))
    d->email = std::string(*e);
  if (auto n = as_str(member(body, "note")))
    d->note = std::string(*n);
  // draft content in the webhook's shapes, taken as given
  if (auto sl = member(body, "shipping_line"))
    d->shipping_line_json = to_json(*sl);
  if (auto ad = member(body, "applied_discount"))
    d->applied_discount_json = to_json(*ad);
  if (auto te = as_bool(member(body, "tax_exempt")))
    d->tax_exempt = *te;
  if (auto t = member(body, "tags"); t && t->is_array()) {
    d->tags.clear();
    for (auto x : simdjson::dom::array(*t))
      if (auto ts = as_str(x))
        d->tags.emplace_back(*ts);
  }
  d->updated_at = now;
  auto status = std::string(as_str(member(body, "status")).value_or(""));
  if (!status.empty() && status != "open" && status != "invoice_sent" && status != "completed")
    return error_answer(400, "status must be open, invoice_sent or completed");
  if (create) {
    if (d->lines.empty())
      return error_answer(400, "lines are required");
    s.drafts.push_back(std::move(fresh));
    d = &s.drafts.back();
    emit(s, "draft_orders/create", draft_order_payload(s, *d), now);
  }
  if (status == "invoice_sent") {
    d->status = status;
    d->invoice_sent_at = now;
  }
  if (status == "completed") {
    // Completing creates the order (and takes the stock), as Shopify does.
    order o;
    o.id = s.new_order_id();
    o.number = s.next_order_number++;
    o.name = "#" + std::to_string(o.number);
    o.email = d->email;
    o.note = d->note;
    o.tags = d->tags;
    o.lines = d->lines;
    for (auto& l : o.lines)
      l.id = s.new_line_id();
    o.source_name = "shopify_draft_order";
    o.app_id = sc_.draft_orders_app_id;
    if (!o.email.empty()) {
      i64 cid = s.new_customer_id();
      json_writer c;
      c.begin_object().field("id", cid).field("email", o.email).field("first_name", "Sim").field("last_name", "Customer")
          .field("admin_graphql_api_id", gid("Customer", cid)).end_object();
      o.customer_json = std::move(c).str();
    }
    o.financial_status = "paid";
    o.shipping_address_json = d->shipping_address_json;
    o.billing_address_json = d->billing_address_json;
    o.note_attributes_json = d->note_attributes_json;
    o.inventory_behaviour = "DECREMENT_IGNORING_POLICY";
    std::vector<std::tuple<std::uint32_t, std::size_t, int>> dec;
    for (auto& l : d->lines)
      if (auto v = l.variant_id ? s.variant_by_id(l.variant_id) : std::nullopt) {
        auto loc = stocked_location(s, *v);
        if (loc < s.locations.size())
          dec.emplace_back(*v, loc, l.quantity);
      }
    auto& placed = place_order(s, std::move(o), now, dec);
    d->status = "completed";
    d->completed_at = now;
    d->order_id = placed.id;
  }
  if (!create || !status.empty())
    emit(s, "draft_orders/update", draft_order_payload(s, *d), now);
  json_writer w;
  w.begin_object().field("id", d->id).field("name", d->name).field("status", d->status);
  w.key("order_id").value(d->order_id);
  w.end_object();
  return json_answer(200, std::move(w).str());
}

// Shopify's own sample payloads, or bodies no real store would send, through the same signing
// and delivery (and retries) as every event.
http_answer simulator::control_send_webhook(store& s, element body) {
  auto topic = as_str(member(body, "topic"));
  auto text = as_str(member(body, "body"));
  if (!topic || topic->empty() || !text)
    return error_answer(400, "give \"topic\" and \"body\" (the payload as a string, sent byte for byte)");
  auto event_id = as_str(member(body, "event_id")).value_or("");
  auto sent = hooks_->send(s.shop, webhook_url(s), std::string(*topic), std::string(*text),
                           format_time(unix_now(), s.timezone), std::string(event_id));
  json_writer w;
  w.begin_object().field("seq", sent.seq).field("webhook_id", sent.webhook_id).field("event_id", sent.event_id)
      .end_object();
  return json_answer(200, std::move(w).str());
}

} // namespace shopsync::sim
