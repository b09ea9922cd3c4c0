#include "io/webhook_parser.hpp"

#include "domain/gid.hpp"
#include "domain/product_filter.hpp"
#include "io/json_grammar_scan.hpp"
#include "io/webhook_field_reader.hpp"
#include "io/webhook_order_parser.hpp"

#include <simdjson.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

namespace shopsync {

static_assert(webhook_parser::padding == simdjson::SIMDJSON_PADDING, "keep webhook_parser::padding in step");

namespace od = simdjson::ondemand;

namespace {

using reader = webhook_field_reader;

constexpr std::string_view topics[] = {
    "inventory_levels/update", "inventory_items/update", "orders/create",     "draft_orders/create",
    "draft_orders/update",     "products/create",        "products/update",
    "inventory_levels/connect", "inventory_levels/disconnect", "products/delete",
    "inventory_items/delete", "app/scopes_update", "app/uninstalled"};

// --- one function per topic: root object → event (orders and draft orders: webhook_order_parser.cpp)

bool parse_app_scopes(reader& r, od::object& root, app_scopes_changed& e) {
  auto handles = [&](od::value& v, std::string_view k, std::vector<std::string>& out) {
    std::size_t i = 0;
    return r.array(v, k, [&](od::value& item) {
      reader::scope sc(r, k, i++);
      std::string h;
      if (!r.str(item, "", h))
        return false;
      out.push_back(std::move(h));
      return true;
    });
  };
  return r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "previous")
      return handles(v, k, e.previous);
    if (k == "current")
      return handles(v, k, e.current);
    if (k == "updated_at")
      return r.str(v, k, e.updated_at);
    return true;
  });
}

bool parse_inventory_level(reader& r, od::object& root, inventory_level_changed& e) {
  bool has_item = false, has_location = false;
  bool ok = r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "inventory_item_id")
      return has_item = true, r.required_id(v, k, e.item);
    if (k == "location_id")
      return has_location = true, r.required_id(v, k, e.location);
    if (k == "available")
      return r.integer(v, k, e.available);
    if (k == "updated_at")
      return r.time(v, k, e.updated_at, e.updated_at_s);
    return true;
  });
  if (!ok)
    return false;
  if (!has_item)
    return r.missing("inventory_item_id");
  if (!has_location)
    return r.missing("location_id");
  return true;
}

// inventory_levels/connect|disconnect: the fields of an update (the two ids required, the rest
// may be null or missing; disconnect carries only the ids).
bool parse_level_stocking(reader& r, od::object& root, inventory_level_stocking& e) {
  inventory_level_changed l;
  if (!parse_inventory_level(r, root, l))
    return false;
  e.item = l.item;
  e.location = l.location;
  e.available = l.available;
  return true;
}

bool parse_inventory_item(reader& r, od::object& root, inventory_item_changed& e) {
  bool has_id = false;
  bool ok = r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "id")
      return has_id = true, r.required_id(v, k, e.item);
    if (k == "sku")
      return r.str(v, k, e.sku);
    if (k == "tracked")
      return r.boolean(v, k, e.tracked);
    if (k == "updated_at")
      return r.str(v, k, e.updated_at);
    return true;
  });
  if (!ok)
    return false;
  return has_id || r.missing("id");
}

// products/delete and inventory_items/delete: `{"id": ...}` and nothing else that matters (the
// item's payload also lists its null origin fields). The id is all a deletion can be told by.
template <class Id>
bool parse_deleted(reader& r, od::object& root, Id& id) {
  bool has_id = false;
  bool ok = r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "id")
      return has_id = true, r.required_id(v, k, id);
    return true;
  });
  if (!ok)
    return false;
  return has_id || r.missing("id");
}

bool parse_product_deleted(reader& r, od::object& root, product_deleted& e) { return parse_deleted(r, root, e.id); }
bool parse_item_deleted(reader& r, od::object& root, inventory_item_deleted& e) {
  return parse_deleted(r, root, e.item);
}

// app/uninstalled: the shop's fields; none is required (the envelope names the store).
bool parse_app_uninstalled(reader& r, od::object& root, app_uninstalled& e) {
  return r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "id") {
      std::optional<std::uint64_t> id;
      if (!r.id(v, k, id))
        return false;
      if (id)
        e.shop_id = *id;
      return true;
    }
    if (k == "myshopify_domain")
      return r.str(v, k, e.myshopify_domain);
    return true;
  });
}

// A variant's `id` and `inventory_item_id` may be null or absent in real payloads (Shopify's
// own products/create sample has a null inventory_item_id): *usable is then false and the
// caller leaves the variant out of `variants`, keeping its id (when there is one) in
// all_variants, so that the product reads as incomplete and is read again through the API.
bool parse_variant(reader& r, od::value& item, std::size_t index, product_variant_info& out, bool* usable) {
  std::optional<std::uint64_t> id, inventory_item;
  std::array<std::optional<std::string>, 3> options;
  reader::scope sc(r, "variants", index);
  bool ok = r.object(item, "", [&](std::string_view k, od::value v) {
    if (k == "id")
      return r.id(v, k, id);
    if (k == "inventory_item_id")
      return r.id(v, k, inventory_item);
    if (k == "sku")
      return r.str(v, k, out.sku);
    if (k == "barcode")
      return r.str(v, k, out.barcode);
    if (k == "title")
      return r.str(v, k, out.title);
    if (k == "position") {
      std::optional<std::int64_t> p;
      if (!r.integer(v, k, p))
        return false;
      out.position = p ? static_cast<int>(*p) : 0;
      return true;
    }
    if (k.size() == 7 && k.substr(0, 6) == "option" && k[6] >= '1' && k[6] <= '3') {
      od::json_type t{};
      if (!r.type(v, k, t))
        return false;
      if (t == od::json_type::null)
        return true;
      std::string s;
      if (!r.str(v, k, s))
        return false;
      options[static_cast<std::size_t>(k[6] - '1')] = std::move(s);
      return true;
    }
    return true;
  });
  if (!ok)
    return false;
  out.id = id.value_or(0);
  out.item = inventory_item.value_or(0);
  *usable = id && inventory_item;
  for (auto& o : options)
    if (o)
      out.options.push_back(std::move(*o));
  return true;
}

bool parse_product(reader& r, od::object& root, product_changed& e) {
  bool has_id = false;
  std::vector<variant_id> incomplete; // listed variants without an inventory item id
  bool ok = r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "id")
      return has_id = true, r.required_id(v, k, e.id);
    if (k == "handle")
      return r.str(v, k, e.handle);
    if (k == "status")
      return r.str(v, k, e.status);
    if (k == "updated_at")
      return r.str(v, k, e.updated_at);
    if (k == "vendor")
      return r.str(v, k, e.vendor);
    if (k == "product_type")
      return r.str(v, k, e.product_type);
    if (k == "tags") {
      std::string tags;
      if (!r.str(v, k, tags))
        return false;
      e.tags = split_tags(tags);
      return true;
    }
    if (k == "variants") {
      std::size_t i = 0;
      return r.array(v, k, [&](od::value& item) {
        product_variant_info info;
        bool usable = false;
        if (!parse_variant(r, item, i++, info, &usable))
          return false;
        if (usable)
          e.variants.push_back(std::move(info));
        else if (info.id)
          incomplete.push_back(info.id);
        return true;
      });
    }
    if (k == "variant_gids") {
      std::size_t i = 0;
      return r.array(v, k, [&](od::value& item) {
        reader::scope sc(r, "variant_gids", i++);
        std::string gid;
        od::json_type t{};
        if (!r.type(item, "", t))
          return false;
        bool ok = t == od::json_type::string
                      ? r.str(item, "", gid)
                      : r.object(item, "", [&](std::string_view gk, od::value gv) {
                          return gk == "admin_graphql_api_id" ? r.str(gv, gk, gid) : true;
                        });
        if (!ok)
          return false;
        auto id = parse_gid(gid, "ProductVariant");
        if (!id)
          return r.wrong("admin_graphql_api_id", "a ProductVariant GID");
        e.all_variants.push_back(*id);
        return true;
      });
    }
    return true;
  });
  if (!ok)
    return false;
  if (!has_id)
    return r.missing("id");
  // Every variant id is in all_variants, whether or not variant_gids came.
  auto add = [&](variant_id id) {
    bool found = false;
    for (auto known : e.all_variants)
      found = found || known == id;
    if (!found)
      e.all_variants.push_back(id);
  };
  for (auto& v : e.variants)
    add(v.id);
  for (auto id : incomplete)
    add(id);
  return true;
}

} // namespace

struct webhook_parser::impl {
  std::size_t max_depth = webhook_parser::default_max_depth;
  od::parser parser;
  simdjson::dom::parser dom;
  std::string buffer; // body + padding
};

webhook_parser::webhook_parser(std::size_t max_depth) : impl_(new impl) { impl_->max_depth = max_depth; }
webhook_parser::~webhook_parser() = default;

bool webhook_parser::is_known_topic(std::string_view topic) {
  for (auto t : topics)
    if (t == topic)
      return true;
  return false;
}

result<webhook_event> webhook_parser::parse(std::string_view topic, std::string_view body) {
  auto& buf = impl_->buffer;
  if (buf.size() < body.size() + padding)
    buf.resize(body.size() + padding);
  if (!body.empty())
    std::memcpy(buf.data(), body.data(), body.size());
  return parse_padded(topic, buf.data(), body.size(), buf.size());
}

result<webhook_event> webhook_parser::parse_padded(std::string_view topic, const char* data, std::size_t size,
                                                   std::size_t capacity) {
  if (!is_known_topic(topic))
    return error{error_kind::webhook_unknown_topic, "topic " + std::string(topic) + " is not parsed"};
  if (capacity < size + padding)
    return error{error_kind::webhook_malformed, "internal: body buffer without padding"};
  if (auto st = scan_json_object(data, size, impl_->max_depth); !st)
    return st.error();

  reader r;
  od::document doc;
  if (auto e = impl_->parser.iterate(data, size, capacity).get(doc)) {
    r.json_fail("", e);
    return *r.err;
  }
  od::object root;
  if (auto e = doc.get_object().get(root)) {
    r.json_fail("", e);
    return *r.err;
  }

  auto run = [&](auto event, auto&& fn) -> result<webhook_event> {
    if (!fn(r, root, event))
      return *r.err;
    return webhook_event{std::move(event)};
  };
  if (topic == "inventory_levels/update")
    return run(inventory_level_changed{}, parse_inventory_level);
  if (topic == "inventory_items/update")
    return run(inventory_item_changed{}, parse_inventory_item);
  if (topic == "inventory_levels/connect" || topic == "inventory_levels/disconnect") {
    inventory_level_stocking e;
    e.connected = topic == "inventory_levels/connect";
    return run(std::move(e), parse_level_stocking);
  }
  if (topic == "orders/create")
    return run(order_created{}, read_order_created);
  if (topic == "app/scopes_update")
    return run(app_scopes_changed{}, parse_app_scopes);
  if (topic == "draft_orders/create" || topic == "draft_orders/update") {
    draft_order_changed d;
    d.created = topic == "draft_orders/create";
    return run(std::move(d), read_draft_order_changed);
  }
  if (topic == "products/delete")
    return run(product_deleted{}, parse_product_deleted);
  if (topic == "inventory_items/delete")
    return run(inventory_item_deleted{}, parse_item_deleted);
  if (topic == "app/uninstalled")
    return run(app_uninstalled{}, parse_app_uninstalled);
  product_changed p;
  p.created = topic == "products/create";
  return run(std::move(p), parse_product);
}

status webhook_parser::validate(std::string_view body) {
  if (auto st = scan_json_object(body.data(), body.size(), impl_->max_depth); !st)
    return st.error();
  simdjson::dom::element el;
  if (auto e = impl_->dom.parse(body.data(), body.size(), true).get(el))
    return error{error_kind::webhook_malformed, std::string("malformed JSON (") + simdjson::error_message(e) + ")"};
  return ok_status();
}

} // namespace shopsync