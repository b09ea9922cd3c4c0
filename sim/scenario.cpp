#include "sim/scenario.hpp"

#include "sim/json_read.hpp"
#include "sim/plans.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace shopsync::sim {

namespace {
[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("scenario: " + what); }

std::string req_str(element el, std::string_view key, const std::string& where) {
  auto s = as_str(member(el, key));
  if (!s)
    fail(where + "." + std::string(key) + " must be a string");
  return std::string(*s);
}

std::string opt_str(element el, std::string_view key, std::string dflt) {
  auto s = as_str(member(el, key));
  return s ? std::string(*s) : dflt;
}

template <class T>
void opt_num(element el, std::string_view key, T& out, const std::string& where) {
  auto m = member(el, key);
  if (!m)
    return;
  auto d = as_double(m);
  if (!d)
    fail(where + "." + std::string(key) + " must be a number");
  out = static_cast<T>(*d);
}

variant_spec parse_variant(element v, const std::string& where) {
  variant_spec s;
  s.sku = opt_str(v, "sku", "");
  s.barcode = opt_str(v, "barcode", "");
  s.option = opt_str(v, "option", "");
  s.price = opt_str(v, "price", "29.99");
  if (auto p = as_str(member(v, "inventory_policy")))
    s.deny_oversell = *p != "continue";
  if (auto a = member(v, "available")) {
    if (auto n = as_int(a)) {
      s.available_everywhere = static_cast<int>(*n);
    } else if (a->is_object()) {
      for (auto [k, val] : simdjson::dom::object(*a)) {
        auto n2 = as_int(val);
        if (!n2)
          fail(where + ".available." + std::string(k) + " must be an integer");
        s.available_at[std::string(k)] = static_cast<int>(*n2);
      }
    } else {
      fail(where + ".available must be an integer or an object {location name: integer}");
    }
  }
  return s;
}

store_spec parse_store(element st, const std::string& where) {
  store_spec s;
  s.shop = req_str(st, "shop", where);
  s.token = req_str(st, "token", where);
  s.timezone = opt_str(st, "timezone", "-04:00");
  s.webhook_url = opt_str(st, "webhook_url", "");
  if (auto b = as_bool(member(st, "app_subscriptions")))
    s.app_subscriptions = *b;
  if (auto sc = member(st, "scopes")) {
    simdjson::dom::array arr;
    if (sc->get(arr) != simdjson::SUCCESS)
      fail(where + ".scopes must be an array of scope handles");
    s.scopes.emplace();
    for (auto h : arr) {
      auto v = as_str(h);
      if (!v)
        fail(where + ".scopes[] must be strings");
      s.scopes->push_back(std::string(*v));
    }
  }
  if (auto b = as_bool(member(st, "big_ids")))
    s.big_ids = *b;
  if (auto locs = member(st, "locations")) {
    simdjson::dom::array arr;
    if (locs->get(arr) != simdjson::SUCCESS)
      fail(where + ".locations must be an array");
    for (auto l : arr) {
      if (auto name = as_str(l)) {
        s.locations.push_back({std::string(*name), true});
      } else {
        location_spec ls{req_str(l, "name", where + ".locations[]"), true};
        if (auto a = as_bool(member(l, "active")))
          ls.active = *a;
        s.locations.push_back(ls);
      }
    }
  }
  if (s.locations.empty())
    s.locations.push_back({"Main Warehouse", true});
  if (auto plan = as_str(member(st, "plan"))) {
    auto b = bucket_of_plan(*plan);
    if (!b)
      fail(where + ".plan must be standard, advanced, plus or enterprise");
    s.plan = std::string(*plan);
    s.bucket_max = b->maximum;
    s.bucket_restore = b->restore_rate;
  }
  if (auto b = member(st, "bucket")) { // explicit numbers win over the plan's
    s.plan.clear();
    opt_num(*b, "max", s.bucket_max, where + ".bucket");
    opt_num(*b, "restore", s.bucket_restore, where + ".bucket");
  }
  auto cat = member(st, "catalog");
  if (!cat)
    return s;
  if (auto g = member(*cat, "generate")) {
    generator_spec gs;
    std::string w = where + ".catalog.generate";
    opt_num(*g, "products", gs.products, w);
    opt_num(*g, "variants_per_product", gs.variants_per_product, w);
    opt_num(*g, "universe_seed", gs.universe_seed, w);
    gs.sku_prefix = opt_str(*g, "sku_prefix", "SKU");
    opt_num(*g, "missing_rate", gs.missing_rate, w);
    opt_num(*g, "duplicate_sku_rate", gs.duplicate_sku_rate, w);
    opt_num(*g, "barcode_only_rate", gs.barcode_only_rate, w);
    opt_num(*g, "no_barcode_rate", gs.no_barcode_rate, w);
    opt_num(*g, "extra_products", gs.extra_products, w);
    opt_num(*g, "available_min", gs.available_min, w);
    opt_num(*g, "available_max", gs.available_max, w);
    opt_num(*g, "unstocked_rate", gs.unstocked_rate, w);
    if (gs.variants_per_product < 1 || gs.variants_per_product > 100)
      fail(w + ".variants_per_product must be 1..100");
    if (gs.available_max < gs.available_min)
      fail(w + ".available_max must be >= available_min");
    s.generate = gs;
  }
  if (auto prods = member(*cat, "products")) {
    simdjson::dom::array arr;
    if (prods->get(arr) != simdjson::SUCCESS)
      fail(where + ".catalog.products must be an array");
    int i = 0;
    for (auto p : arr) {
      std::string w = where + ".catalog.products[" + std::to_string(i++) + "]";
      product_spec ps;
      ps.handle = req_str(p, "handle", w);
      ps.title = opt_str(p, "title", ps.handle);
      ps.vendor = opt_str(p, "vendor", "Acme");
      ps.product_type = opt_str(p, "product_type", "Goods");
      if (auto tags = member(p, "tags")) {
        simdjson::dom::array ta;
        if (tags->get(ta) != simdjson::SUCCESS)
          fail(w + ".tags must be an array of strings");
        for (auto t : ta) {
          std::string_view tv;
          if (t.get(tv) != simdjson::SUCCESS)
            fail(w + ".tags must be an array of strings");
          ps.tags.emplace_back(tv);
        }
      }
      if (auto vars = member(p, "variants")) {
        simdjson::dom::array va;
        if (vars->get(va) != simdjson::SUCCESS)
          fail(w + ".variants must be an array");
        for (auto v : va)
          ps.variants.push_back(parse_variant(v, w + ".variants[]"));
      }
      if (ps.variants.empty())
        ps.variants.push_back({});
      s.products.push_back(std::move(ps));
    }
  }
  return s;
}
} // namespace

scenario parse_scenario(const std::string& json) {
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json).get(root); err)
    fail(std::string("not valid JSON: ") + simdjson::error_message(err));
  scenario sc;
  sc.app_secret = opt_str(root, "app_secret", sc.app_secret);
  if (auto id = as_int(member(root, "app_id")))
    sc.app_id = *id;
  if (auto id = as_int(member(root, "storefront_app_id")))
    sc.storefront_app_id = *id;
  if (auto id = as_int(member(root, "draft_orders_app_id")))
    sc.draft_orders_app_id = *id;
  sc.api_version = opt_str(root, "api_version", sc.api_version);
  sc.client_id = opt_str(root, "client_id", sc.client_id);
  if (auto n = as_int(member(root, "token_lifetime_s")))
    sc.token_lifetime_s = *n;
  sc.webhook_url = opt_str(root, "webhook_url", "");
  if (auto f = member(root, "faults")) {
    fault_config fc;
    if (auto err = apply_fault_json(fc, *f); !err.empty())
      fail("faults: " + err);
    sc.faults = fc;
  }
  auto stores = member(root, "stores");
  simdjson::dom::array arr;
  if (!stores || stores->get(arr) != simdjson::SUCCESS)
    fail("stores must be an array");
  int i = 0;
  for (auto st : arr)
    sc.stores.push_back(parse_store(st, "stores[" + std::to_string(i++) + "]"));
  if (sc.stores.empty())
    fail("stores must not be empty");
  for (std::size_t a = 0; a < sc.stores.size(); ++a)
    for (std::size_t b = a + 1; b < sc.stores.size(); ++b)
      if (sc.stores[a].shop == sc.stores[b].shop)
        fail("shop " + sc.stores[a].shop + " appears twice");
  return sc;
}

scenario load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_scenario(ss.str());
}

scenario generated_scenario(int stores, int products, int variants_per_product) {
  scenario sc;
  for (int i = 1; i <= stores; ++i) {
    store_spec s;
    s.shop = "store-" + std::to_string(i) + ".myshopify.com";
    s.token = "shpat_store_" + std::to_string(i);
    s.locations = {{"Main Warehouse", true}, {"Store " + std::to_string(i) + " Outlet", true}};
    generator_spec g;
    g.products = products;
    g.variants_per_product = variants_per_product;
    s.generate = g;
    sc.stores.push_back(std::move(s));
  }
  return sc;
}

} // namespace shopsync::sim
