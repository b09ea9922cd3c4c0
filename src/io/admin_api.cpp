#include "io/admin_api.hpp"

#include "domain/gid.hpp"
#include "domain/iso8601.hpp"
#include "io/graphql_documents.hpp"
#include "io/json_writer.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <mutex>
#include <optional>

namespace shopsync {

namespace od = simdjson::ondemand;

namespace {

// Parses `body` (padding added in place) and hands `data` to fn. simdjson errors surface as
// exceptions inside and leave as typed errors.
template <class R, class F>
result<R> with_data(std::string& body, F&& fn) {
  thread_local od::parser parser;
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  try {
    od::document doc = parser.iterate(body.data(), body.size(), body.capacity());
    od::object root = doc.get_object();
    od::value data = root.find_field_unordered("data");
    if (data.is_null())
      return error{error_kind::admin_bad_response, "no data in the answer"};
    return fn(data);
  } catch (const simdjson::simdjson_error& e) {
    return error{error_kind::admin_bad_response, std::string("unexpected answer: ") + e.what()};
  }
}

std::string str(od::value v) {
  if (v.is_null())
    return {};
  return std::string(std::string_view(v.get_string()));
}

// A DateTime (ISO-8601) as epoch seconds; missing, null or malformed: unknown, never a failure
// (the state machine then acts as without a time).
std::optional<std::int64_t> time_of(simdjson::simdjson_result<od::value> v) {
  std::string_view text;
  if (v.error() || v.value_unsafe().get_string().get(text))
    return std::nullopt;
  return parse_iso8601_seconds(text);
}

shopify_id id_of(od::value v, std::string_view type) {
  if (v.is_null())
    return 0;
  auto id = parse_gid(std::string_view(v.get_string()), type);
  if (!id)
    throw simdjson::simdjson_error(simdjson::INCORRECT_TYPE);
  return *id;
}

// {"id": "gid://shopify/<type>/<n>"} → n
shopify_id nested_id(od::value v, std::string_view type) {
  if (v.is_null())
    return 0;
  od::object o = v.get_object();
  return id_of(o.find_field_unordered("id"), type);
}

void page_info(od::value v, bool& has_next, std::string& cursor) {
  for (auto f : v.get_object()) {
    std::string_view k = f.unescaped_key();
    if (k == "hasNextPage")
      has_next = f.value().get_bool();
    else if (k == "endCursor")
      cursor = str(f.value());
  }
}

// A userError: Shopify's code (a string), or shopsync's admin_user_error when it has none.
error user_error_of(const std::optional<std::string>& code, std::string message) {
  if (!code)
    return error{error_kind::admin_user_error, std::move(message)};
  return error{*code, std::move(message)};
}

// One variant node (a catalog page's, or a line of the BulkCatalog file: the same fields).
// The "available" quantity of a level's `quantities(names: ["available"]) { name quantity }`.
std::optional<std::int64_t> listed_available(od::value quantities) {
  std::optional<std::int64_t> available;
  for (auto q : quantities.get_array()) {
    std::string name;
    std::optional<std::int64_t> qty;
    for (auto qf : q.get_object()) {
      std::string_view qk = qf.unescaped_key();
      if (qk == "name")
        name = str(qf.value());
      else if (qk == "quantity")
        qty = std::int64_t(qf.value().get_int64());
    }
    if (name == "available" && qty)
      available = qty;
  }
  return available;
}

catalog_row catalog_row_of(od::object node) {
  catalog_row row;
  for (auto nf : node) {
    std::string_view nk = nf.unescaped_key();
    od::value v = nf.value();
    if (nk == "id")
      row.variant = id_of(v, "ProductVariant");
    else if (nk == "sku")
      row.sku = str(v);
    else if (nk == "barcode")
      row.barcode = str(v);
    else if (nk == "title")
      row.title = str(v);
    else if (nk == "position")
      row.position = static_cast<int>(std::int64_t(v.get_int64()));
    else if (nk == "selectedOptions") {
      for (auto o : v.get_array()) {
        std::string name, value;
        for (auto of : o.get_object()) {
          std::string_view ok = of.unescaped_key();
          if (ok == "name")
            name = str(of.value());
          else if (ok == "value")
            value = str(of.value());
        }
        row.options.emplace_back(std::move(name), std::move(value));
      }
    } else if (nk == "inventoryItem") {
      if (v.is_null())
        continue;
      for (auto itf : v.get_object()) {
        std::string_view ik = itf.unescaped_key();
        if (ik == "id")
          row.inventory_item = id_of(itf.value(), "InventoryItem");
        else if (ik == "tracked")
          row.tracked = itf.value().get_bool();
      }
    } else if (nk == "product") {
      for (auto pf : v.get_object()) {
        std::string_view pk = pf.unescaped_key();
        if (pk == "id")
          row.product = id_of(pf.value(), "Product");
        else if (pk == "handle")
          row.handle = str(pf.value());
        else if (pk == "vendor")
          row.vendor = str(pf.value());
        else if (pk == "productType")
          row.product_type = str(pf.value());
        else if (pk == "tags" && !pf.value().is_null())
          for (auto t : pf.value().get_array())
            row.tags.push_back(str(t.value()));
      }
    }
  }
  return row;
}

} // namespace

// --- variables

std::string admin_api::write_variables(const write_batch& b, const std::string& idempotency_key,
                                       const std::string& reference_uri) {
  const bool set = b.kind == write_kind::set;
  json_writer w;
  w.begin_object();
  w.field("idempotencyKey", idempotency_key);
  w.key("input").begin_object();
  w.field("name", "available");
  w.field("reason", "correction");
  if (!reference_uri.empty())
    w.field("referenceDocumentUri", reference_uri);
  w.key(set ? "quantities" : "changes").begin_array();
  for (const auto& e : b.entries) {
    w.begin_object();
    w.field("inventoryItemId", make_gid("InventoryItem", e.item));
    w.field("locationId", make_gid("Location", e.location));
    w.field(set ? "quantity" : "delta", static_cast<std::int64_t>(e.quantity));
    // Required from 2026-04: the expected value, or an explicit null to skip the check.
    w.key("changeFromQuantity");
    if (set && e.change_from)
      w.value(static_cast<std::int64_t>(*e.change_from));
    else
      w.null();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.end_object();
  return std::move(w).str();
}

// --- parsers

result<catalog_page> admin_api::parse_catalog(std::string body) {
  return with_data<catalog_page>(body, [](od::value data) -> result<catalog_page> {
    catalog_page page;
    od::object pv = data.get_object().find_field_unordered("productVariants");
    for (auto f : pv) {
      std::string_view k = f.unescaped_key();
      if (k == "pageInfo") {
        page_info(f.value(), page.has_next, page.end_cursor);
        continue;
      }
      if (k != "nodes")
        continue;
      for (auto n : f.value().get_array())
        page.rows.push_back(catalog_row_of(n.get_object()));
    }
    return page;
  });
}

namespace {

// One JSONL line of a bulk operation's file, copied into a padded buffer (one per thread).
template <class R, class F>
result<R> with_line(std::string_view line, F&& fn) {
  thread_local std::string buf;
  thread_local od::parser parser;
  buf.assign(line);
  buf.reserve(buf.size() + simdjson::SIMDJSON_PADDING);
  try {
    od::document doc = parser.iterate(buf.data(), buf.size(), buf.capacity());
    return fn(doc.get_object());
  } catch (const simdjson::simdjson_error& e) {
    return error{error_kind::admin_bad_response, std::string("unexpected bulk line: ") + e.what()};
  }
}

} // namespace

result<std::uint64_t> admin_api::parse_variants_count(std::string body) {
  return with_data<std::uint64_t>(body, [](od::value data) -> result<std::uint64_t> {
    od::value c = data.get_object().find_field_unordered("productVariantsCount");
    if (c.is_null())
      return error{error_kind::admin_bad_response, "productVariantsCount is null"};
    return std::uint64_t(c.get_object().find_field_unordered("count").get_int64().value());
  });
}

result<catalog_row> admin_api::parse_catalog_line(std::string_view line) {
  return with_line<catalog_row>(line, [](od::object o) -> result<catalog_row> { return catalog_row_of(o); });
}

result<std::optional<level_value>> admin_api::parse_level_line(std::string_view line) {
  using R = std::optional<level_value>;
  return with_line<R>(line, [](od::object o) -> result<R> {
    level_value lv{};
    lv.active = true;
    bool child = false;
    for (auto f : o) {
      std::string_view k = f.unescaped_key();
      od::value v = f.value();
      if (k == "__parentId") {
        child = true;
        lv.key.location = id_of(v, "Location");
      } else if (k == "item") {
        lv.key.item = nested_id(v, "InventoryItem");
      } else if (k == "isActive") {
        lv.active = v.get_bool();
      } else if (k == "updatedAt") {
        lv.updated_at = time_of(std::move(v)); // missing or malformed: unknown, as in a read's answer
      } else if (k == "quantities") {
        lv.available = 0; // a listed level is stocked
        if (auto q = listed_available(v))
          lv.available = q;
      }
    }
    if (!child)
      return R{}; // a location's own line
    if (!lv.available)
      lv.available = 0;
    if (!lv.key.item || !lv.key.location)
      return error{error_kind::admin_bad_response, "a bulk level line without its item or location"};
    return R{lv};
  });
}

result<std::pair<std::vector<location_row>, std::optional<std::string>>>
admin_api::parse_locations(std::string body) {
  using R = std::pair<std::vector<location_row>, std::optional<std::string>>;
  return with_data<R>(body, [](od::value data) -> result<R> {
    R out;
    bool has_next = false;
    std::string cursor;
    od::object locs = data.get_object().find_field_unordered("locations");
    for (auto f : locs) {
      std::string_view k = f.unescaped_key();
      if (k == "pageInfo") {
        page_info(f.value(), has_next, cursor);
      } else if (k == "nodes") {
        for (auto n : f.value().get_array()) {
          location_row row;
          for (auto nf : n.get_object()) {
            std::string_view nk = nf.unescaped_key();
            if (nk == "id")
              row.id = id_of(nf.value(), "Location");
            else if (nk == "name")
              row.name = str(nf.value());
            else if (nk == "isActive")
              row.active = nf.value().get_bool();
          }
          out.first.push_back(std::move(row));
        }
      }
    }
    if (has_next && !cursor.empty())
      out.second = cursor;
    return out;
  });
}

result<std::vector<level_value>> admin_api::parse_levels(std::string body,
                                                         const std::vector<level_key>& keys) {
  return with_data<std::vector<level_value>>(body, [&](od::value data) -> result<std::vector<level_value>> {
    std::vector<level_value> out;
    out.reserve(keys.size());
    std::size_t i = 0;
    for (auto n : data.get_object().find_field_unordered("nodes").get_array()) {
      if (i >= keys.size())
        return error{error_kind::admin_bad_response, "more levels than asked"};
      level_value lv{keys[i], std::nullopt, true, std::nullopt};
      od::value v = n.value();
      // A null node: the item does not exist (any more); a null inventoryLevel: not stocked.
      if (!v.is_null()) {
        inventory_item_id got = 0;
        for (auto f : v.get_object()) {
          std::string_view k = f.unescaped_key();
          if (k == "id") {
            got = id_of(f.value(), "InventoryItem");
            continue;
          }
          if (k != "inventoryLevel")
            continue;
          od::value level = f.value();
          if (level.is_null())
            continue;
          lv.available = 0; // a stocked level always has "available"
          for (auto lf : level.get_object()) {
            std::string_view lk = lf.unescaped_key();
            if (lk == "isActive")
              lv.active = lf.value().get_bool();
            else if (lk == "updatedAt")
              lv.updated_at = time_of(lf.value());
            else if (lk == "quantities") {
              if (auto q = listed_available(lf.value()))
                lv.available = q;
            }
          }
        }
        if (got && got != keys[i].item)
          return error{error_kind::admin_bad_response, "levels answered out of order"};
      }
      out.push_back(lv);
      ++i;
    }
    if (i != keys.size())
      return error{error_kind::admin_bad_response, "fewer levels than asked"};
    return out;
  });
}

result<write_outcome> admin_api::parse_write(std::string body, write_kind kind,
                                             const std::vector<level_key>& entries) {
  const char* field = kind == write_kind::set ? "inventorySetQuantities" : "inventoryAdjustQuantities";
  return with_data<write_outcome>(body, [&](od::value data) -> result<write_outcome> {
    write_outcome out;
    out.quantity_after.assign(entries.size(), std::nullopt);
    std::map<level_key, std::int64_t> after;
    bool have_group = false;
    for (auto f : data.get_object().find_field_unordered(field).get_object()) {
      std::string_view k = f.unescaped_key();
      if (k == "inventoryAdjustmentGroup") {
        od::value g = f.value();
        if (g.is_null())
          continue;
        have_group = true;
        od::object group = g.get_object();
        out.created_at = time_of(group.find_field_unordered("createdAt"));
        for (auto c : group.find_field_unordered("changes").get_array()) {
          std::string name;
          std::optional<std::int64_t> qa;
          level_key key{};
          for (auto cf : c.get_object()) {
            std::string_view ck = cf.unescaped_key();
            if (ck == "name")
              name = str(cf.value());
            else if (ck == "quantityAfterChange") {
              od::value qv = cf.value();
              if (!qv.is_null())
                qa = std::int64_t(qv.get_int64());
            } else if (ck == "item")
              key.item = nested_id(cf.value(), "InventoryItem");
            else if (ck == "location")
              key.location = nested_id(cf.value(), "Location");
          }
          if (name == "available" && qa)
            after[key] = *qa;
        }
      } else if (k == "userErrors") {
        for (auto e : f.value().get_array()) {
          std::optional<std::string> code;
          std::string message;
          std::vector<std::string> path;
          for (auto ef : e.get_object()) {
            std::string_view ek = ef.unescaped_key();
            if (ek == "code") {
              od::value cv = ef.value();
              if (!cv.is_null())
                code = str(cv);
            } else if (ek == "message")
              message = str(ef.value());
            else if (ek == "field") {
              od::value fv = ef.value();
              if (!fv.is_null())
                for (auto p : fv.get_array())
                  path.push_back(str(p.value()));
            }
          }
          // ["input", "quantities"|"changes", "<i>", leaf] names entry i.
          std::optional<std::size_t> index;
          if (path.size() >= 3 && path[0] == "input" && (path[1] == "quantities" || path[1] == "changes")) {
            std::size_t n = 0;
            auto [p, ec] = std::from_chars(path[2].data(), path[2].data() + path[2].size(), n);
            if (ec == std::errc{} && p == path[2].data() + path[2].size() && n < entries.size())
              index = n;
          }
          if (index)
            out.entry_errors.emplace_back(*index, user_error_of(code, message));
          else if (!out.batch_error)
            out.batch_error = user_error_of(code, message);
        }
      }
    }
    if (!out.entry_errors.empty() || out.batch_error)
      return out;
    if (!have_group)
      return error{error_kind::admin_bad_response, std::string(field) + ": neither changes nor userErrors"};
    out.applied = true;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      auto it = after.find(entries[i]);
      if (it != after.end())
        out.quantity_after[i] = it->second;
    }
    return out;
  });
}

result<std::string> admin_api::parse_data(std::string body) {
  return with_data<std::string>(body, [](od::value data) -> result<std::string> {
    od::object o = data.get_object();
    return std::string(std::string_view(o.raw_json()));
  });
}

// --- sizing to the store's cost bucket

// First guesses (Shopify's rules as the simulator long priced them); the first answer replaces
// them with the store's own figure.
struct admin_api::sizing {
  std::mutex mu;
  request_sizer catalog{{2, 3, 250, 0.5}};
  request_sizer levels{{1, 3, max_level_ids, 0.5}};
  request_sizer locations{{2, 1, 250, 0.5}};
};

admin_api::admin_api(std::shared_ptr<admin_client> client)
  : client_(std::move(client)), sizing_(std::make_shared<sizing>()) {}

std::size_t admin_api::catalog_page_limit(std::size_t wanted) const {
  std::lock_guard<std::mutex> lk(sizing_->mu);
  return sizing_->catalog.size(wanted);
}

std::size_t admin_api::level_query_limit(std::size_t wanted) const {
  std::lock_guard<std::mutex> lk(sizing_->mu);
  return sizing_->levels.size(wanted);
}

void admin_api::learn(request_sizer sizing::*which, std::size_t items, const graphql_reply& r) {
  std::lock_guard<std::mutex> lk(sizing_->mu);
  auto& s = (*sizing_).*which;
  if (r.throttle)
    s.bucket(r.throttle->maximum_available);
  if (r.requested_cost)
    s.observed(items, *r.requested_cost);
}

bool admin_api::shrink(request_sizer sizing::*which, const char* what, std::size_t items, const error& e) {
  const bool too_big = e.code == "MAX_COST_EXCEEDED";
  if (!too_big && e.kind != error_kind::admin_exceeds_bucket)
    return false;
  const auto bucket = client_->stats().bucket;
  double maximum = single_query_max_cost;
  if (!too_big && bucket)
    maximum = bucket->maximum_available;
  std::size_t next = 0;
  bool smaller = false;
  {
    std::lock_guard<std::mutex> lk(sizing_->mu);
    auto& s = (*sizing_).*which;
    if (bucket)
      s.bucket(bucket->maximum_available);
    smaller = s.refused(items, maximum);
    next = s.size(items);
  }
  const auto& store = client_->endpoint().store;
  if (!smaller) {
    spdlog::warn("store {}: stalled: even one {} costs more than a single request may cost on this store ({} "
                 "points: {}); these reads cannot run until the store's plan gives a bigger bucket ({})",
                 store, what, static_cast<long long>(maximum),
                 too_big ? "Shopify's single-query limit" : "the store's whole cost bucket", e.message);
    return false;
  }
  spdlog::info("store {}: a request of {} {}s does not fit the store's cost bucket ({} points; {}): {} per "
               "request from now on",
               store, items, what, static_cast<long long>(maximum), e.code, next);
  return true;
}

// --- operations

void admin_api::catalog(int first, const std::optional<std::string>& after, callback<catalog_page> done) {
  std::size_t n = 0;
  double estimate = 0;
  {
    std::lock_guard<std::mutex> lk(sizing_->mu);
    n = sizing_->catalog.size(static_cast<std::size_t>(std::max(1, first)));
    estimate = sizing_->catalog.cost(n);
  }
  json_writer w;
  w.begin_object().field("first", static_cast<std::int64_t>(n)).key("after");
  if (after)
    w.value(*after);
  else
    w.null();
  w.end_object();
  auto api = *this;
  client_->post({"CatalogPage", std::string(graphql::catalog_page), std::move(w).str(),
                 request_safety::query, estimate},
                [api, first, after, n, done = std::move(done)](result<graphql_reply> r) mutable {
                  if (!r.ok()) {
                    if (api.shrink(&sizing::catalog, "catalog variant", n, r.error()))
                      return api.catalog(first, after, std::move(done));
                    return done(r.error());
                  }
                  api.learn(&sizing::catalog, n, r.value());
                  done(parse_catalog(std::move(r->body)));
                });
}

void admin_api::locations(callback<std::vector<location_row>> done) {
  locations_from(std::nullopt, {}, std::move(done));
}

void admin_api::locations_from(std::optional<std::string> after, std::vector<location_row> acc,
                               callback<std::vector<location_row>> done) {
  std::size_t n = 0;
  double estimate = 0;
  {
    std::lock_guard<std::mutex> lk(sizing_->mu);
    n = sizing_->locations.size(100);
    estimate = sizing_->locations.cost(n);
  }
  json_writer w;
  w.begin_object().field("first", static_cast<std::int64_t>(n)).key("after");
  if (after)
    w.value(*after);
  else
    w.null();
  w.end_object();
  auto api = *this;
  client_->post({"Locations", std::string(graphql::locations), std::move(w).str(),
                 request_safety::query, estimate},
                [api, n, after, acc = std::move(acc), done = std::move(done)](result<graphql_reply> r) mutable {
                  if (!r.ok()) {
                    if (api.shrink(&sizing::locations, "location", n, r.error()))
                      return api.locations_from(after, std::move(acc), std::move(done));
                    return done(r.error());
                  }
                  api.learn(&sizing::locations, n, r.value());
                  auto page = parse_locations(std::move(r->body));
                  if (!page.ok())
                    return done(page.error());
                  for (auto& l : page->first)
                    acc.push_back(std::move(l));
                  if (!page->second)
                    return done(std::move(acc));
                  api.locations_from(page->second, std::move(acc), std::move(done));
                });
}

void admin_api::inventory_levels(const std::vector<level_key>& keys,
                                 callback<std::vector<level_value>> done) {
  if (keys.size() > max_level_ids)
    return done(error{error_kind::admin_too_many, "at most 250 levels per query"});
  if (keys.empty())
    return done(std::vector<level_value>{});
  for (auto& k : keys)
    if (k.location != keys.front().location)
      return done(error{error_kind::admin_bad_request, "one location per level query"});
  std::vector<level_value> acc;
  acc.reserve(keys.size());
  levels_from(std::make_shared<const std::vector<level_key>>(keys), 0, std::move(acc), std::move(done));
}

// The levels from `from` on, as many per query as the bucket allows, one query after another.
void admin_api::levels_from(std::shared_ptr<const std::vector<level_key>> keys, std::size_t from,
                            std::vector<level_value> acc, callback<std::vector<level_value>> done) {
  std::size_t n = 0;
  double estimate = 0;
  {
    std::lock_guard<std::mutex> lk(sizing_->mu);
    n = sizing_->levels.size(keys->size() - from);
    estimate = sizing_->levels.cost(n);
  }
  std::vector<level_key> chunk(keys->begin() + static_cast<std::ptrdiff_t>(from),
                               keys->begin() + static_cast<std::ptrdiff_t>(from + n));
  json_writer w;
  w.begin_object().key("ids").begin_array();
  for (auto& k : chunk)
    w.value(make_gid("InventoryItem", k.item));
  w.end_array();
  w.field("locationId", make_gid("Location", chunk.front().location));
  w.end_object();
  auto api = *this;
  // Shopify's rule: each object 1 point, a list counts its size: per item the node, its level
  // and the level's quantities list (the first guess; answers tell the real figure).
  client_->post({"InventoryLevels", std::string(graphql::inventory_levels), std::move(w).str(),
                 request_safety::query, estimate},
                [api, keys, from, n, chunk = std::move(chunk), acc = std::move(acc),
                 done = std::move(done)](result<graphql_reply> r) mutable {
                  if (!r.ok()) {
                    if (api.shrink(&sizing::levels, "inventory level", n, r.error()))
                      return api.levels_from(std::move(keys), from, std::move(acc), std::move(done));
                    return done(r.error());
                  }
                  api.learn(&sizing::levels, n, r.value());
                  auto got = parse_levels(std::move(r->body), chunk);
                  if (!got.ok())
                    return done(got.error());
                  for (auto& v : got.value())
                    acc.push_back(v);
                  if (from + n >= keys->size())
                    return done(std::move(acc));
                  api.levels_from(std::move(keys), from + n, std::move(acc), std::move(done));
                });
}

void admin_api::write_inventory(write_kind kind, std::string variables_json,
                                std::vector<level_key> entries, callback<write_outcome> done) {
  const bool set = kind == write_kind::set;
  client_->post({set ? "InventorySet" : "InventoryAdjust",
                 std::string(set ? graphql::inventory_set : graphql::inventory_adjust), std::move(variables_json),
                 request_safety::idempotent, 10},
                [kind, entries = std::move(entries), done = std::move(done)](result<graphql_reply> r) mutable {
                  if (!r.ok())
                    return done(r.error());
                  done(parse_write(std::move(r->body), kind, entries));
                });
}

void admin_api::execute(std::string operation, std::string document, std::string variables_json,
                        request_safety safety, callback<std::string> done) {
  client_->post({std::move(operation), std::move(document), std::move(variables_json), safety, 10},
                [done = std::move(done)](result<graphql_reply> r) {
                  if (!r.ok())
                    return done(r.error());
                  done(parse_data(std::move(r->body)));
                });
}

} // namespace shopsync
