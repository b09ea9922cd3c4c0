#include "sim/answer_parts.hpp"
#include "sim/simulator.hpp"

#include "io/graphql_documents.hpp"
#include "io/json_writer.hpp"
#include "sim/query_cost.hpp"
#include "sim/json_read.hpp"
#include "sim/uri_check.hpp"
#include "sim/webhook_payloads.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <thread>

namespace shopsync::sim {

namespace {
thread_local simdjson::dom::parser tl_parser;

std::string strip_port(std::string host) {
  if (auto c = host.rfind(':'); c != std::string::npos && host.find(']') == std::string::npos)
    host.resize(c);
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return host;
}

const std::set<std::string, std::less<>> valid_reasons = {
    "correction", "cycle_count_available", "damaged", "movement_canceled", "movement_created",
    "movement_received", "movement_updated", "other", "promotion", "quality_control", "received",
    "reservation_created", "reservation_deleted", "reservation_updated", "restock", "safety_stock",
    "shrinkage"};

struct user_error {
  std::string code; // empty: no code (draft orders)
  std::vector<std::string> field;
  std::string message;
};

// The documents shopsync sends, parsed once, by operationName: what a request that carries no
// parseable document of its own (tests send a comment) is priced by.
const gql_document* shopsync_document(const std::string& op) {
  static const std::map<std::string, gql_document, std::less<>> docs = [] {
    std::map<std::string, gql_document, std::less<>> out;
    for (auto& d : graphql::all_documents())
      if (auto parsed = parse_graphql(d.query))
        out.emplace(std::string(d.operation), std::move(*parsed));
    return out;
  }();
  auto it = docs.find(op);
  return it == docs.end() ? nullptr : &it->second;
}

void write_user_errors(json_writer& w, const std::vector<user_error>& errs, bool with_code) {
  w.key("userErrors").begin_array();
  for (auto& e : errs) {
    w.begin_object();
    if (with_code) {
      w.key("code");
      e.code.empty() ? w.null() : w.value(e.code);
    }
    w.key("field");
    if (e.field.empty()) {
      w.null();
    } else {
      w.begin_array();
      for (auto& f : e.field)
        w.value(f);
      w.end_array();
    }
    w.field("message", e.message).end_object();
  }
  w.end_array();
}
} // namespace

fault_config initial_faults(const scenario& sc, const sim_options& opts) {
  if (opts.faults)
    return *opts.faults;
  return sc.faults.value_or(fault_config{});
}

simulator::simulator(scenario sc, sim_options opts)
    : sc_(std::move(sc)), opts_(std::move(opts)), faults_(opts_.seed, initial_faults(sc_, opts_)) {
  webhook_settings ws;
  ws.secret = sc_.app_secret;
  ws.api_version = sc_.api_version;
  ws.time_scale = opts_.time_scale;
  ws.threads = opts_.webhook_threads;
  ws.keep_alive = opts_.webhook_keep_alive;
  ws.still_subscribed = [this](const std::string& shop, std::int64_t id) { return subscription_exists(shop, id); };
  ws.attempted = [this](const std::string& shop, std::int64_t id, bool ok) { subscription_attempted(shop, id, ok); };
  hooks_ = std::make_unique<webhook_dispatcher>(ws, faults_, opts_.seed);
  auth_ = std::make_unique<app_auth>(auth_settings{sc_.client_id, sc_.app_secret, sc_.token_lifetime_s});
  build_stores();
}

simulator::~simulator() = default;

void simulator::build_stores() {
  stores_.clear();
  auth_->reset();
  auto now = unix_now();
  int i = 0;
  for (auto& spec : sc_.stores) {
    stores_.push_back(std::make_unique<store>(spec, i++, opts_.seed, now));
    if (!opts_.app_subscriptions)
      stores_.back()->app_subscriptions = false;
    auth_->add_static(stores_.back()->shop, stores_.back()->token);
  }
}

store* simulator::find_store(const std::string& shop) {
  auto host = strip_port(shop);
  for (auto& s : stores_)
    if (s->shop == host)
      return s.get();
  return nullptr;
}

std::string simulator::webhook_url(const store& s) const {
  if (!s.webhook_url.empty())
    return s.webhook_url;
  if (!opts_.webhook_url.empty())
    return opts_.webhook_url;
  return sc_.webhook_url;
}

void simulator::emit(store& s, const std::string& topic, std::string body, i64 now) {
  hooks_->emit_to(s.shop, targets(s, topic), topic, std::move(body), format_time(now, s.timezone));
}

void simulator::log_call(call_record rec) {
  std::lock_guard lock(log_mu_);
  rec.seq = next_log_seq_++;
  rec.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count();
  log_.push_back(std::move(rec));
  if (log_.size() > 200'000)
    log_.pop_front();
}

http_answer simulator::handle(const http_request_view& req) {
  std::string path = req.target, query;
  if (auto q = path.find('?'); q != std::string::npos) {
    query = path.substr(q + 1);
    path.resize(q);
  }
  if (path.rfind("/_sim/", 0) == 0)
    return control(req, path, query);
  if (path.rfind("/admin/oauth/", 0) == 0)
    return oauth(req, path, query);
  if (path.rfind("/admin/api/", 0) == 0 && path.size() > 24 &&
      path.compare(path.size() - 13, 13, "/graphql.json") == 0)
    return admin(req, path);
  http_answer a;
  a.status = 404;
  a.body = R"({"errors":"Not Found"})";
  return a;
}

// ---------------------------------------------------------------- Admin GraphQL

http_answer simulator::admin(const http_request_view& req, const std::string& path) {
  std::shared_lock stores_lock(stores_mu_);
  http_answer ans;
  call_record rec;
  rec.shop = strip_port(req.host);
  store* s = find_store(req.host);
  if (req.method != "POST") {
    ans.status = 405;
    ans.body = R"({"errors":"Method Not Allowed"})";
    return ans;
  }
  if (!s) {
    ans.status = 404;
    ans.body = R"({"errors":"Not Found"})";
    rec.http_status = 404;
    rec.outcome = "unknown_shop";
    log_call(std::move(rec));
    return ans;
  }
  if (auth_->verify(rec.shop, req.access_token) != app_auth::verdict::ok) {
    ans.status = 401;
    ans.body = R"JSON({"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"})JSON";
    rec.http_status = 401;
    rec.outcome = "unauthorized";
    log_call(std::move(rec));
    return ans;
  }
  simdjson::padded_string body(req.body);
  element root;
  if (tl_parser.parse(body).get(root) != simdjson::SUCCESS || !root.is_object()) {
    ans.status = 400;
    ans.body = R"({"errors":{"query":"Required parameter missing or invalid"}})";
    rec.http_status = 400;
    rec.outcome = "bad_request";
    log_call(std::move(rec));
    return ans;
  }
  std::string op(as_str(member(root, "operationName")).value_or(""));
  element vars;
  bool have_vars = false;
  if (auto v = member(root, "variables"); v && v->is_object()) {
    vars = *v;
    have_vars = true;
  }
  // An absent variables object reads as {} (a second parser keeps `root` valid).
  thread_local simdjson::dom::parser empty_parser;
  if (!have_vars)
    vars = empty_parser.parse(std::string_view("{}")).value();
  rec.operation = op;
  rec.variables = to_json(vars);
  if (auto k = as_str(member(vars, "idempotencyKey")))
    rec.idempotency_key = std::string(*k);

  // The document, for its cost and (bulk operations) its fields: the request's own, else the one
  // shopsync sends under this operationName.
  auto own = parse_graphql(as_str(member(root, "query")).value_or(""));
  const gql_document* doc = nullptr;
  const gql_operation* gop = nullptr;
  if (own) {
    doc = &*own;
    gop = own->operation(op);
    if (!gop && own->operations.size() == 1)
      gop = &own->operations.front();
  }
  if (!gop) {
    doc = shopsync_document(op);
    gop = doc ? doc->operation(op) : nullptr;
  }
  bool bulk = false;
  if (gop)
    for (auto& f : gop->selections)
      bulk = bulk || (f.k == gql_selection::kind::field &&
                      (f.name == "bulkOperationRunQuery" || f.name == "bulkOperation" || f.name == "currentBulkOperation" ||
                       f.name == "bulkOperations"));

  auto fault = faults_.draw_admin(op);
  rec.fault = fault.describe();
  ans.latency_ms = fault.latency_ms;
  if (fault.error_status) {
    ans.status = fault.error_status;
    ans.body = fault.error_status == 429 ? R"({"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."})"
                                         : R"({"errors":"Service Unavailable: injected by shopify-sim"})";
    if (fault.error_status == 429)
      ans.headers.emplace_back("Retry-After", "2.0");
    rec.http_status = ans.status;
    rec.outcome = "fault";
    log_call(std::move(rec));
    return ans;
  }

  static const std::set<std::string, std::less<>> known = {
      "CatalogPage", "Locations", "InventoryLevels", "InventorySet", "InventoryAdjust", "OrderCreate",
      "OrdersByOrigin", "DraftOrderCreate", "DraftOrderUpdate", "DraftOrderInvoiceSend", "DraftOrdersByOrigin",
      "OrdersCreatedSince", "DraftOrdersUpdatedSince", "OrderForSync", "DraftOrderForSync",

      "WebhookSubscriptions", "WebhookSubscriptionCreate", "WebhookSubscriptionUpdate", "WebhookSubscriptionDelete",
      "AppInstallation", "ProductVariantsCount"};
  if (!known.count(op) && !bulk) {
    ans.body = R"({"errors":)" + errors_json("shopify-sim does not answer operation '" + op +
                                                 "' (it dispatches on operationName)", "SIM_UNKNOWN_OPERATION") + "}";
    rec.outcome = "error";
    log_call(std::move(rec));
    return ans;
  }

  // Latency is spent inside the request, as on Shopify: a retry with the same idempotency key
  // that arrives meanwhile is told IDEMPOTENCY_CONCURRENT_REQUEST.
  const bool idempotent_op = (op == "InventorySet" || op == "InventoryAdjust") && !rec.idempotency_key.empty();
  struct in_flight_guard {
    store* s;
    std::string key;
    in_flight_guard(store* st, std::string k) : s(st), key(std::move(k)) {}
    in_flight_guard(const in_flight_guard&) = delete;
    ~in_flight_guard() {
      std::lock_guard l(s->mu);
      if (--s->idempotency_in_flight[key] <= 0)
        s->idempotency_in_flight.erase(key);
    }
  };
  std::optional<in_flight_guard> guard;
  if (fault.latency_ms > 0) {
    bool concurrent = false;
    if (idempotent_op) {
      std::lock_guard l(s->mu);
      concurrent = s->idempotency_in_flight[rec.idempotency_key]++ > 0;
      guard.emplace(s, rec.idempotency_key);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(fault.latency_ms));
    ans.latency_ms = 0;
    if (concurrent) {
      const std::string field = op == "InventorySet" ? "inventorySetQuantities" : "inventoryAdjustQuantities";
      std::lock_guard l(s->mu);
      ans.body = R"({"data":{")" + field + R"(":{"inventoryAdjustmentGroup":null,"userErrors":[{"code":"IDEMPOTENCY_CONCURRENT_REQUEST","field":null,"message":"This request is currently in progress, please try again."}]}},"extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":10,"throttleStatus":{"maximumAvailable":)" +
                 std::to_string(static_cast<long long>(s->bucket.maximum())) + R"(,"currentlyAvailable":)" +
                 std::to_string(static_cast<long long>(s->bucket.available())) + R"(,"restoreRate":)" +
                 std::to_string(static_cast<long long>(s->bucket.restore_rate())) + "}}}}";
      rec.outcome = "idempotency_concurrent";
      rec.requested_cost = 10;
      rec.actual_cost = 10;
      log_call(std::move(rec));
      return ans;
    }
  }

  std::lock_guard lock(s->mu);
  const double requested = gop ? requested_query_cost(*doc, *gop, vars) : 0;
  rec.requested_cost = requested;
  auto cost_json = [&](std::optional<double> actual) {
    json_writer w;
    w.begin_object().key("cost").begin_object().field("requestedQueryCost", static_cast<std::int64_t>(requested));
    w.key("actualQueryCost");
    actual ? w.value(static_cast<std::int64_t>(*actual)) : w.null();
    w.key("throttleStatus").begin_object()
        .field("maximumAvailable", s->bucket.maximum())
        .field("currentlyAvailable", static_cast<std::int64_t>(std::floor(s->bucket.available())))
        .field("restoreRate", s->bucket.restore_rate())
        .end_object().end_object().end_object();
    return std::move(w).str();
  };
  if (requested > 1000) {
    ans.body = R"({"errors":)" +
               errors_json("Query cost is " + std::to_string(static_cast<int>(requested)) +
                               ", which exceeds the single query max cost limit (1000).",
                           "MAX_COST_EXCEEDED") +
               R"(,"extensions":)" + cost_json(std::nullopt) + "}";
    rec.outcome = "error";
    log_call(std::move(rec));
    return ans;
  }
  if (fault.throttled || !s->bucket.try_charge(requested)) {
    ans.body = R"({"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],"extensions":)" +
               cost_json(std::nullopt) + "}";
    rec.outcome = "throttled";
    log_call(std::move(rec));
    return ans;
  }

  op_result r;
  if (bulk) r = op_bulk(*s, *doc, *gop, vars);
  else if (op == "CatalogPage") r = op_catalog_page(*s, vars);
  else if (op == "Locations") r = op_locations(*s, vars);
  else if (op == "ProductVariantsCount") r = op_product_variants_count(*s, vars);
  else if (op == "InventoryLevels") r = op_inventory_levels(*s, vars);
  else if (op == "InventorySet" || op == "InventoryAdjust") r = op_inventory_write(*s, op, vars, fault);
  else if (op == "OrderCreate") r = op_order_create(*s, vars);
  else if (op == "OrdersByOrigin") r = op_orders_by_origin(*s, vars);
  else if (op == "DraftOrderCreate") r = op_draft_order_create(*s, vars);
  else if (op == "DraftOrderUpdate") r = op_draft_order_update(*s, vars);
  else if (op == "DraftOrderInvoiceSend") r = op_draft_order_invoice_send(*s, vars);
  else if (op == "OrdersCreatedSince") r = op_orders_created_since(*s, vars);
  else if (op == "DraftOrdersUpdatedSince") r = op_draft_orders_updated_since(*s, vars);
  else if (op == "OrderForSync" || op == "DraftOrderForSync") {
    const bool draft = op == "DraftOrderForSync";
    const auto first = gop ? connection_first(*gop, {draft ? "draftOrder" : "order", "lineItems"}, vars) : std::nullopt;
    const auto page = static_cast<std::size_t>(std::clamp<std::int64_t>(first.value_or(100), 0, 250));
    r = draft ? op_draft_order_for_sync(*s, vars, page) : op_order_for_sync(*s, vars, page);
  }
  else if (op == "WebhookSubscriptions") r = op_webhook_subscriptions(*s, vars);
  else if (op == "WebhookSubscriptionCreate" || op == "WebhookSubscriptionUpdate")
    r = op_webhook_subscription_write(*s, op, vars, unix_now());
  else if (op == "WebhookSubscriptionDelete") r = op_webhook_subscription_delete(*s, vars);
  else if (op == "AppInstallation") r = op_app_installation(*s);
  else r = op_draft_orders_by_origin(*s, vars);

  std::optional<double> actual;
  if (r.data.empty()) {
    // Refused before running (bad variables, input too large): nothing is charged.
    s->bucket.refund(requested);
  } else {
    // What was returned decides the actual cost (null objects and short pages cost less).
    thread_local simdjson::dom::parser data_parser;
    element data;
    actual = requested;
    if (gop && data_parser.parse(r.data).get(data) == simdjson::SUCCESS)
      actual = std::min(requested, actual_query_cost(*doc, *gop, data));
    if (*actual < requested)
      s->bucket.refund(requested - *actual);
  }
  rec.actual_cost = actual;
  rec.outcome = r.outcome;
  std::string out = "{";
  if (!r.data.empty())
    out += "\"data\":" + r.data;
  if (!r.errors.empty())
    out += std::string(out.size() > 1 ? "," : "") + "\"errors\":" + r.errors;
  out += std::string(out.size() > 1 ? "," : "") + "\"extensions\":" + cost_json(actual) + "}";
  ans.body = std::move(out);
  ans.latency_ms = fault.answer_delay_ms; // held back after it was computed (http_server)
  if (fault.lost)
    ans.after = fault.drop ? http_answer::then::drop : http_answer::then::hang;
  rec.http_status = fault.lost ? 0 : 200;
  log_call(std::move(rec));
  return ans;
}

simulator::op_result simulator::op_catalog_page(store& s, element vars) {
  op_result r;
  r.outcome = "read";
  auto first = as_int(member(vars, "first"));
  if (!first || *first < 1 || *first > 250) {
    r.errors = errors_json("Variable $first: the first argument must be between 1 and 250.", "BAD_REQUEST");
    r.outcome = "error";
    return r;
  }
  std::size_t start = 0;
  if (auto after = as_str(member(vars, "after")); after && !after->empty()) {
    auto last = cursor_id(*after);
    if (!last) {
      r.errors = errors_json("Invalid cursor for current pagination sort.", "BAD_REQUEST");
      r.outcome = "error";
      return r;
    }
    start = static_cast<std::size_t>(
        std::upper_bound(s.variants.begin(), s.variants.end(), *last,
                         [](i64 v, const variant& x) { return v < x.id; }) - s.variants.begin());
  }
  // Optional search ("sku:X" / "barcode:X"), as productVariants(query:) does.
  std::string field, wanted;
  if (auto q = as_str(member(vars, "query")); q && !q->empty()) {
    auto c = q->find(':');
    if (c != std::string_view::npos) {
      field = std::string(q->substr(0, c));
      wanted = std::string(q->substr(c + 1));
      if (wanted.size() >= 2 && (wanted.front() == '\'' || wanted.front() == '"'))
        wanted = wanted.substr(1, wanted.size() - 2);
    }
  }
  json_writer w;
  w.begin_object().key("productVariants").begin_object().key("nodes").begin_array();
  std::size_t n = 0, i = start;
  i64 last_id = 0;
  for (; i < s.variants.size() && n < static_cast<std::size_t>(*first); ++i) {
    const auto& v = s.variants[i];
    if (v.deleted) continue;
    if (field == "sku" && v.sku != wanted) continue;
    if (field == "barcode" && v.barcode != wanted) continue;
    const auto& p = s.products[v.product];
    w.begin_object().field("id", gid("ProductVariant", v.id));
    w.key("sku");
    v.sku.empty() ? w.null() : w.value(v.sku);
    w.key("barcode");
    v.barcode.empty() ? w.null() : w.value(v.barcode);
    w.field("title", v.option).field("position", static_cast<int>(v.position));
    w.key("selectedOptions").begin_array().begin_object().field("name", "Size").field("value", v.option).end_object().end_array();
    w.key("inventoryItem").begin_object().field("id", gid("InventoryItem", v.inventory_item_id)).field("tracked", v.tracked).end_object();
    w.key("product").begin_object().field("id", gid("Product", p.id)).field("handle", p.handle);
    w.key("tags").begin_array();
    for (auto& t : p.tags)
      w.value(t);
    w.end_array().field("vendor", p.vendor).field("productType", p.product_type).end_object();
    w.end_object();
    last_id = v.id;
    ++n;
  }
  bool more = false;
  for (std::size_t j = i; j < s.variants.size(); ++j) {
    const auto& v = s.variants[j];
    if (v.deleted || (field == "sku" && v.sku != wanted) || (field == "barcode" && v.barcode != wanted))
      continue;
    more = true;
    break;
  }
  w.end_array().key("pageInfo").begin_object().field("hasNextPage", more).key("endCursor");
  n ? w.value(cursor_for(last_id)) : w.null();
  w.end_object().end_object().end_object();
  r.data = std::move(w).str();
  return r;
}

// productVariantsCount(limit:, query:): Count { count precision } (2026-10 schema: "Count of
// product variants. Limited to a maximum of 10000 by default."; `limit`: "The upper bound on count
// value before returning a result. Use `null` to have no limit."; CountPrecision AT_LEAST: "The
// count is at least the value. A limit was imposed and reached."). `query` has "No supported
// search fields": it is ignored. Deleted variants are not counted.
simulator::op_result simulator::op_product_variants_count(store& s, element vars) {
  op_result r;
  r.outcome = "read";
  std::optional<i64> limit = 10000;
  if (auto l = member(vars, "limit"); l && l->is_null())
    limit.reset();
  else if (auto n = as_int(member(vars, "limit")))
    limit = *n;
  i64 n = 0;
  for (auto& v : s.variants)
    if (!v.deleted)
      ++n;
  const bool capped = limit && n > *limit;
  json_writer w;
  w.begin_object().key("productVariantsCount").begin_object().field("count", capped ? *limit : n)
      .field("precision", capped ? "AT_LEAST" : "EXACT").end_object().end_object();
  r.data = std::move(w).str();
  return r;
}

simulator::op_result simulator::op_locations(store& s, element vars) {
  op_result r;
  r.outcome = "read";
  auto first = as_int(member(vars, "first"));
  if (!first || *first < 1 || *first > 250) {
    r.errors = errors_json("Variable $first: the first argument must be between 1 and 250.", "BAD_REQUEST");
    r.outcome = "error";
    return r;
  }
  i64 after = 0;
  if (auto a = as_str(member(vars, "after")); a && !a->empty())
    after = cursor_id(*a).value_or(0);
  std::vector<const location*> active;
  for (auto& l : s.locations)
    if (l.active && l.id > after)
      active.push_back(&l);
  std::sort(active.begin(), active.end(), [](auto* a, auto* b) { return a->id < b->id; });
  json_writer w;
  w.begin_object().key("locations").begin_object().key("nodes").begin_array();
  std::size_t n = 0;
  for (; n < active.size() && n < static_cast<std::size_t>(*first); ++n)
    w.begin_object().field("id", gid("Location", active[n]->id)).field("name", active[n]->name)
        .field("isActive", active[n]->active).end_object();
  w.end_array().key("pageInfo").begin_object().field("hasNextPage", n < active.size()).key("endCursor");
  n ? w.value(cursor_for(active[n - 1]->id)) : w.null();
  w.end_object().end_object().end_object();
  r.data = std::move(w).str();
  return r;
}

// `nodes(ids)`, as Shopify answers it, for the two kinds of id a level read can name:
// - InventoryItem GIDs with `$locationId` (the document shopsync sends): each item with its
//   `inventoryLevel(locationId, includeInactive: true) { id isActive quantities }`, null when
//   not stocked there; the node itself is null when the item does not exist.
// - InventoryLevel GIDs: a level found by its own number (store::level_id), null otherwise, so
//   a GID made up from a location id finds nothing, as in a real store.
simulator::op_result simulator::op_inventory_levels(store& s, element vars) {
  op_result r;
  r.outcome = "read";
  simdjson::dom::array ids;
  auto m = member(vars, "ids");
  if (!m || m->get(ids) != simdjson::SUCCESS) {
    r.errors = errors_json("Variable $ids of type [ID!]! was provided invalid value", "INVALID_VARIABLE");
    r.outcome = "error";
    return r;
  }
  if (ids.size() > 250) {
    r.errors = errors_json("The input array size of " + std::to_string(ids.size()) +
                               " is greater than the maximum allowed of 250.", "MAX_INPUT_SIZE_EXCEEDED");
    r.outcome = "error";
    return r;
  }
  auto location_var = as_str(member(vars, "locationId"));
  std::optional<std::size_t> at;
  if (location_var)
    if (auto n = gid_number(*location_var, "Location"))
      at = s.location_index(*n);
  auto write_level = [&](json_writer& w, std::uint32_t v, std::size_t l) {
    w.field("id", level_gid(s.level_id(v, l), s.variants[v].inventory_item_id));
    w.field("isActive", s.level_active(v, l));
    w.field("updatedAt", utc_time(s.level_updated_at(v, l)));
    w.key("quantities").begin_array().begin_object().field("name", "available")
        .field("quantity", static_cast<std::int64_t>(s.level(v, l))).end_object().end_array();
  };
  json_writer w;
  w.begin_object().key("nodes").begin_array();
  std::size_t found = 0;
  for (auto idel : ids) {
    auto g = as_str(idel).value_or("");
    if (auto lg = level_gid(g)) {
      auto v = s.variant_by_item(lg->second);
      auto l = v ? s.level_location(*v, lg->first) : std::nullopt;
      if (!l) {
        w.null();
        continue;
      }
      ++found;
      const auto& var = s.variants[*v];
      w.begin_object();
      write_level(w, *v, *l);
      w.key("item").begin_object().field("id", gid("InventoryItem", var.inventory_item_id)).end_object();
      w.key("location").begin_object().field("id", gid("Location", s.locations[*l].id)).end_object();
      w.end_object();
      continue;
    }
    auto item = gid_number(g, "InventoryItem");
    auto v = item && g.rfind("gid://shopify/InventoryItem/", 0) == 0 ? s.variant_by_item(*item) : std::nullopt;
    if (!v) {
      w.null();
      continue;
    }
    ++found;
    w.begin_object().field("id", gid("InventoryItem", s.variants[*v].inventory_item_id)).key("inventoryLevel");
    if (!at || s.level(*v, *at) == not_stocked) {
      w.null();
    } else {
      w.begin_object();
      write_level(w, *v, *at);
      w.end_object();
    }
    w.end_object();
  }
  w.end_array().end_object();
  r.data = std::move(w).str();
  return r;
}

void simulator::set_level(store& s, std::uint32_t v, std::size_t l, std::int32_t value, i64 now) {
  auto& cur = s.level(v, l);
  if (cur == value)
    return; // nothing changed: Shopify sends no webhook
  cur = value;
  s.variants[v].updated_at = now;
  s.level_changed_at(v, l, now);
  emit(s, "inventory_levels/update", inventory_level_payload(s, v, l, now), now);
}

simulator::op_result simulator::op_inventory_write(store& s, const std::string& op, element vars,
                                                   const admin_fault& fault) {
  const bool unreported = fault.unreported;
  const bool is_set = op == "InventorySet";
  const std::string field = is_set ? "inventorySetQuantities" : "inventoryAdjustQuantities";
  const std::string list_name = is_set ? "quantities" : "changes";
  op_result r;
  auto key = as_str(member(vars, "idempotencyKey"));
  if (!key || key->empty()) {
    r.errors = errors_json("Variable $idempotencyKey of type String! was provided invalid value: the @idempotent "
                           "directive requires a key for " + field + ".", "INVALID_VARIABLE");
    r.outcome = "error";
    return r;
  }
  r.idempotency_key = std::string(*key);
  auto input = member(vars, "input");
  simdjson::dom::array entries;
  if (!input || !input->is_object() || !member(*input, list_name) ||
      member(*input, list_name)->get(entries) != simdjson::SUCCESS) {
    r.errors = errors_json("Variable $input of type " + std::string(is_set ? "InventorySetQuantitiesInput!" : "InventoryAdjustQuantitiesInput!") +
                           " was provided invalid value for " + list_name + " (Expected value to not be null)", "INVALID_VARIABLE");
    r.outcome = "error";
    return r;
  }
  if (entries.size() > 250) {
    json_writer w;
    w.begin_array().begin_object()
        .field("message", "The input array size of " + std::to_string(entries.size()) + " is greater than the maximum allowed of 250.");
    w.key("path").begin_array().value(field).value("input").value(list_name).end_array();
    w.key("extensions").begin_object().field("code", "MAX_INPUT_SIZE_EXCEEDED").end_object().end_object().end_array();
    r.errors = std::move(w).str();
    r.outcome = "error";
    return r;
  }
  std::size_t idx = 0;
  for (auto e : entries) {
    if (!member(e, "changeFromQuantity")) {
      r.errors = errors_json("Variable $input of type " + std::string(is_set ? "InventorySetQuantitiesInput!" : "InventoryAdjustQuantitiesInput!") +
                             " was provided invalid value for " + list_name + "." + std::to_string(idx) +
                             ".changeFromQuantity (changeFromQuantity is required from API version 2026-04: give the expected quantity, or null to skip the check)",
                             "INVALID_VARIABLE");
      r.outcome = "error";
      return r;
    }
    ++idx;
  }

  // @idempotent: the first result for a key is answered again for the same request.
  std::string canonical = to_json(vars);
  auto rendered = [&](const std::vector<user_error>& errs, const std::string& group) {
    json_writer w;
    w.begin_object().key(field).begin_object().key("inventoryAdjustmentGroup");
    group.empty() ? w.null() : w.raw(group);
    write_user_errors(w, errs, true);
    w.end_object().end_object();
    return std::move(w).str();
  };
  const auto now_steady = std::chrono::steady_clock::now();
  if (auto it = s.idempotency.find(r.idempotency_key);
      it != s.idempotency.end() && fault.idempotency_window_s > 0 &&
      now_steady - it->second.at > std::chrono::duration<double>(fault.idempotency_window_s))
    s.idempotency.erase(it); // past the window: forgotten, the request is a new one
  if (auto it = s.idempotency.find(r.idempotency_key); it != s.idempotency.end()) {
    if (it->second.operation == op && it->second.variables == canonical && it->second.failed) {
      r.data = rendered({{"IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED", {},
                          "A previous request with this idempotency key failed. Retry with a new idempotency key."}}, "");
      r.outcome = "previous_attempt_failed";
      return r;
    }
    if (it->second.operation == op && it->second.variables == canonical) {
      r.data = it->second.data;
      r.outcome = "replayed";
      return r;
    }
    r.data = rendered({{"IDEMPOTENCY_KEY_PARAMETER_MISMATCH", {"idempotencyKey"},
                        "The same idempotency key cannot be used with different operation parameters."}}, "");
    r.outcome = "idempotency_mismatch";
    return r;
  }

  if (!fault.user_error.empty()) {
    // Injected: refused before anything applied; the attempt counts as failed for its key.
    static const std::map<std::string, std::string> messages = {
      {"ADJUST_QUANTITIES_FAILED", "The quantities couldn't be adjusted. Try again."},
      {"SERVICE_UNAVAILABLE", "The service is temporarily unavailable. Try again later."},
      {"IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED", "A previous request with this idempotency key failed. Retry with a new idempotency key."}};
    r.data = rendered({{fault.user_error, {}, messages.at(fault.user_error)}}, "");
    r.outcome = "user_errors";
    s.idempotency[r.idempotency_key] = {op, canonical, r.data, true, now_steady};
    return r;
  }

  std::vector<user_error> errs;
  auto name = as_str(member(*input, "name")).value_or("");
  if (name != "available")
    errs.push_back({is_set ? "INVALID_NAME" : "INVALID_QUANTITY_NAME", {"input", "name"},
                    is_set ? "The quantity name must be either 'available' or 'on_hand'." : "The specified quantity name is invalid."});
  auto reason = as_str(member(*input, "reason")).value_or("");
  if (!valid_reasons.count(reason))
    errs.push_back({"INVALID_REASON", {"input", "reason"}, "The specified reason is invalid."});
  if (auto ref = as_str(member(*input, "referenceDocumentUri")); ref && !is_rfc3986_uri(*ref))
    errs.push_back({"INVALID_REFERENCE_DOCUMENT", {"input", "referenceDocumentUri"}, "The specified reference document is invalid."});

  struct planned {
    std::uint32_t v;
    std::size_t l;
    std::int64_t after, delta;
  };
  std::vector<planned> plan;
  std::set<std::pair<std::uint32_t, std::size_t>> seen;
  const bool refuse_negative = is_set && faults_.config().negative_sets != "apply";
  idx = 0;
  for (auto e : entries) {
    auto path = [&](const char* leaf) {
      return std::vector<std::string>{"input", list_name, std::to_string(idx), leaf};
    };
    auto item = gid_number(as_str(member(e, "inventoryItemId")).value_or(""), "InventoryItem");
    auto loc = gid_number(as_str(member(e, "locationId")).value_or(""), "Location");
    // Sentinels rather than optionals: the checks below read them many times.
    const std::uint32_t v = (item ? s.variant_by_item(*item) : std::nullopt).value_or(UINT32_MAX);
    const std::size_t l = (loc ? s.location_index(*loc) : std::nullopt).value_or(SIZE_MAX);
    auto amount = as_int(member(e, is_set ? "quantity" : "delta"));
    auto ledger = member(e, "ledgerDocumentUri");
    if (v == UINT32_MAX) {
      errs.push_back({"INVALID_INVENTORY_ITEM", path("inventoryItemId"), "The specified inventory item could not be found."});
    } else if (l == SIZE_MAX) {
      errs.push_back({"INVALID_LOCATION", path("locationId"), "The specified location could not be found."});
    } else if (!seen.insert({v, l}).second) {
      errs.push_back({"NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR", path("locationId"),
                      "The combination of inventoryItemId and locationId must be unique."});
    } else if (!amount) {
      errs.push_back({"", path(is_set ? "quantity" : "delta"), "Expected an integer."});
    } else if (!is_set && ledger && !ledger->is_null()) {
      errs.push_back({"INVALID_AVAILABLE_DOCUMENT", path("ledgerDocumentUri"), "A ledger document URI is not allowed when adjusting available."});
    } else {
      // 2026-10: a location where the item is not stocked takes the write and stocks it; its
      // quantities start at 0 (what changeFromQuantity is compared with).
      std::int64_t cur = s.level(v, l) == not_stocked ? 0 : s.level(v, l);
      auto cfq = member(e, "changeFromQuantity");
      std::int64_t after = is_set ? *amount : cur + *amount;
      std::int64_t limit = is_set ? 1'000'000'000 : 2'000'000'000;
      if (!cfq->is_null() && as_int(cfq) != cur) {
        errs.push_back({"CHANGE_FROM_QUANTITY_STALE", path("changeFromQuantity"),
                        is_set ? "The changeFromQuantity value does not match persisted value."
                               : "The changeFromQuantity argument no longer matches the persisted quantity."});
      } else if (refuse_negative && after < 0) {
        errs.push_back({"INVALID_QUANTITY_NEGATIVE", path("quantity"), "The quantity can't be negative."});
      } else if (after > limit) {
        errs.push_back({"INVALID_QUANTITY_TOO_HIGH", path(is_set ? "quantity" : "delta"), "The quantity can't be higher than " + std::to_string(limit) + "."});
      } else if (after < -limit) {
        errs.push_back({"INVALID_QUANTITY_TOO_LOW", path(is_set ? "quantity" : "delta"), "The quantity can't be lower than -" + std::to_string(limit) + "."});
      } else {
        plan.push_back({v, l, after, after - cur});
      }
    }
    ++idx;
  }
  if (errs.empty()) {
    // Changes for "available", then the "on_hand" they imply (Shopify lists both).
    const auto now = unix_now();
    json_writer g;
    // The group's createdAt: when this mutation changed the levels (their updated_at too).
    g.begin_object().field("createdAt", utc_time(now)).key("changes").begin_array();
    for (const char* qname : {"available", "on_hand"})
      for (auto& p : plan) {
        if (unreported)
          break;
        const auto& var = s.variants[p.v];
        g.begin_object().field("name", qname).field("delta", p.delta).field("quantityAfterChange", p.after);
        g.key("item").begin_object().field("id", gid("InventoryItem", var.inventory_item_id)).end_object();
        g.key("location").begin_object().field("id", gid("Location", s.locations[p.l].id)).end_object();
        g.end_object();
      }
    g.end_array().end_object();
    for (auto& p : plan) {
      if (s.level(p.v, p.l) == not_stocked)
        stock_level(s, p.v, p.l, 0, true, now);
      set_level(s, p.v, p.l, static_cast<std::int32_t>(p.after), now);
    }
    r.data = rendered({}, std::move(g).str());
    r.outcome = "applied";
  } else {
    r.data = rendered(errs, "");
    r.outcome = "user_errors";
  }
  s.idempotency[r.idempotency_key] = {op, canonical, r.data, false, now_steady};
  return r;
}

} // namespace shopsync::sim
