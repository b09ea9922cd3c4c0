#include "sim/store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace shopsync::sim {

namespace {
constexpr i64 big_offset = 9'100'000'000'000'000; // above 2^53

double uniform(std::mt19937_64& rng) { return std::uniform_real_distribution<double>(0, 1)(rng); }

std::string barcode_for(std::uint64_t p, int v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2%07llu%05d", static_cast<unsigned long long>(p % 10000000), v);
  return buf;
}

std::string option_name(int v) {
  static const char* sizes[] = {"S", "M", "L", "XL", "XXL"};
  if (v >= 1 && v <= 5)
    return sizes[v - 1];
  return "Option " + std::to_string(v);
}

template <class Vec, class Key>
std::optional<std::uint32_t> search(const Vec& vec, i64 id, Key key) {
  auto it = std::lower_bound(vec.begin(), vec.end(), id, [&](const auto& x, i64 v) { return key(x) < v; });
  if (it == vec.end() || key(*it) != id)
    return std::nullopt;
  return static_cast<std::uint32_t>(it - vec.begin());
}
} // namespace

i64 unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

i64 unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string utc_time(i64 t) { return format_time(t, "+00:00").substr(0, 19) + "Z"; }

std::string format_time(i64 t, const std::string& offset) {
  int sign = 1, hh = 0, mm = 0;
  if (offset.size() == 6 && (offset[0] == '+' || offset[0] == '-')) {
    sign = offset[0] == '-' ? -1 : 1;
    hh = std::atoi(offset.substr(1, 2).c_str());
    mm = std::atoi(offset.substr(4, 2).c_str());
  }
  std::time_t local = static_cast<std::time_t>(t + sign * (hh * 3600 + mm * 60));
  std::tm tm{};
  gmtime_r(&local, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                offset.size() == 6 ? offset.c_str() : "+00:00");
  return buf;
}

i64 store::next(i64& counter) {
  counter += 1 + static_cast<i64>(rng_() % 7);
  return counter;
}

store::store(const store_spec& spec, int idx, std::uint64_t seed, i64 now)
    : shop(spec.shop), token(spec.token), timezone(spec.timezone), webhook_url(spec.webhook_url),
      app_subscriptions(spec.app_subscriptions), scopes(spec.scopes ? *spec.scopes : default_scopes()),
      next_subscription_id(1'047'000'000'000 + static_cast<i64>(idx) * 1'000'000),
      index(idx), bucket(spec.bucket_max, spec.bucket_restore),
      rng_(seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(idx) * 7919 + 1) {
  const i64 s = idx;
  const i64 base = spec.big_ids ? big_offset : 0;
  auto jitter = [&](i64 range) { return static_cast<i64>(rng_() % static_cast<std::uint64_t>(range)); };
  ids_.location = base + 70'000'000'000 + s * 1'000'000'000 + jitter(100'000'000);
  ids_.product = base + 8'000'000'000'000 + s * 100'000'000'000 + jitter(1'000'000'000);
  ids_.variant = base + 45'000'000'000'000 + s * 100'000'000'000 + jitter(1'000'000'000);
  ids_.inventory_item = base + 47'000'000'000'000 + s * 100'000'000'000 + jitter(1'000'000'000);
  ids_.order = base + 5'800'000'000'000 + s * 10'000'000'000 + jitter(1'000'000'000);
  ids_.draft_order = base + 1'100'000'000'000 + s * 10'000'000'000 + jitter(1'000'000'000);
  ids_.line_item = base + 14'000'000'000'000 + s * 100'000'000'000 + jitter(1'000'000'000);
  ids_.customer = base + 7'000'000'000'000 + s * 10'000'000'000 + jitter(1'000'000'000);
  ids_.option = base + 10'000'000'000'000 + s * 100'000'000'000;
  // Drawn without the generator, so the catalog and the other ids stay what they were.
  ids_.inventory_level = base + 110'000'000'000 + s * 1'000'000'000 + (ids_.location % 1000) * 1000;
  next_bulk_id = base + 4'400'000'000'000 + s * 10'000'000'000;
  plan = spec.plan;

  for (auto& l : spec.locations)
    locations.push_back({next(ids_.location), l.name, l.active});
  const std::size_t nloc = locations.size();
  auto loc_by_name = [&](const std::string& n) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < nloc; ++i)
      if (locations[i].name == n)
        return i;
    return std::nullopt;
  };

  for (auto& ps : spec.products) {
    auto p = add_product(ps, now);
    for (std::size_t k = 0; k < ps.variants.size(); ++k) {
      auto v = products[p].variants[k];
      auto& vs = ps.variants[k];
      for (std::size_t l = 0; l < nloc; ++l)
        level(v, l) = vs.available_at.empty() ? vs.available_everywhere.value_or(0) : not_stocked;
      for (auto& [name, q] : vs.available_at) {
        auto l = loc_by_name(name);
        if (!l)
          throw std::runtime_error("scenario: " + shop + ": product " + ps.handle + " names unknown location " + name);
        level(v, *l) = q;
      }
    }
  }

  if (spec.generate) {
    const auto& g = *spec.generate;
    std::size_t expect = static_cast<std::size_t>(g.products + g.extra_products) * g.variants_per_product;
    products.reserve(products.size() + g.products + g.extra_products);
    variants.reserve(variants.size() + expect);
    levels.reserve(levels.size() + expect * nloc);
    level_ids.reserve(levels.capacity());
    level_inactive.reserve(levels.capacity());
    auto gen_product = [&](const std::string& handle, const std::string& title, const std::string& sku_stem,
                           std::uint64_t universe_index, bool store_only) {
      product pr;
      pr.id = next(ids_.product);
      pr.handle = handle;
      pr.title = title;
      pr.created_at = pr.updated_at = now;
      auto pidx = static_cast<std::uint32_t>(products.size());
      std::string prev_sku;
      for (int v = 1; v <= g.variants_per_product; ++v) {
        if (!store_only && uniform(rng_) < g.missing_rate)
          continue;
        variant_spec vs;
        vs.sku = sku_stem + "-" + std::to_string(v);
        vs.barcode = barcode_for(universe_index, v);
        vs.option = option_name(v);
        if (!prev_sku.empty() && uniform(rng_) < g.duplicate_sku_rate)
          vs.sku = prev_sku;
        else if (uniform(rng_) < g.barcode_only_rate)
          vs.sku.clear();
        if (!vs.sku.empty() && uniform(rng_) < g.no_barcode_rate)
          vs.barcode.clear();
        if (!vs.sku.empty())
          prev_sku = vs.sku;
        add_variant(pidx, vs, static_cast<int>(pr.variants.size()) + 1, nloc);
        pr.variants.push_back(static_cast<std::uint32_t>(variants.size() - 1));
        auto vi = static_cast<std::uint32_t>(variants.size() - 1);
        for (std::size_t l = 0; l < nloc; ++l) {
          bool stocked = !(g.unstocked_rate > 0 && uniform(rng_) < g.unstocked_rate);
          level(vi, l) = stocked ? g.available_min + static_cast<std::int32_t>(rng_() % static_cast<std::uint64_t>(g.available_max - g.available_min + 1)) : not_stocked;
        }
      }
      if (!pr.variants.empty())
        products.push_back(std::move(pr));
    };
    char buf[96];
    for (int p = 1; p <= g.products; ++p) {
      std::uint64_t u = g.universe_seed * 1'000'003ull + static_cast<std::uint64_t>(p);
      std::snprintf(buf, sizeof buf, "%06d", p);
      gen_product(std::string("product-") + buf, std::string("Product ") + buf, g.sku_prefix + "-" + buf, u, false);
    }
    for (int p = 1; p <= g.extra_products; ++p) {
      std::snprintf(buf, sizeof buf, "%d-%06d", idx, p);
      gen_product(std::string("extra-") + buf, std::string("Extra ") + buf, g.sku_prefix + "-X" + buf,
                  900'000'000ull + static_cast<std::uint64_t>(idx) * 1'000'000 + p, true);
    }
  }
  number_levels();
}

void store::add_variant(std::uint32_t p, const variant_spec& vs, int position, std::size_t nloc) {
  variant v;
  v.id = next(ids_.variant);
  v.inventory_item_id = next(ids_.inventory_item);
  v.product = p;
  v.position = static_cast<std::uint16_t>(position);
  v.sku = vs.sku;
  v.barcode = vs.barcode;
  v.option = vs.option.empty() ? option_name(position) : vs.option;
  v.price = vs.price;
  v.deny_oversell = vs.deny_oversell;
  v.updated_at = products.size() > p ? products[p].updated_at : 0;
  variants.push_back(std::move(v));
  levels.resize(variants.size() * nloc, 0);
  level_ids.resize(variants.size() * nloc, 0);
  level_inactive.resize(variants.size() * nloc, 0);
  level_changed.resize(variants.size() * nloc, 0);
}

void store::stock(std::uint32_t v, std::size_t l, std::int32_t available, bool active) {
  const std::size_t i = v * locations.size() + l;
  levels[i] = available;
  level_ids[i] = ids_.inventory_level += 3;
  level_inactive[i] = active ? 0 : 1;
}

void store::unstock(std::uint32_t v, std::size_t l) {
  const std::size_t i = v * locations.size() + l;
  levels[i] = not_stocked;
  level_ids[i] = 0;
  level_inactive[i] = 0;
}

void store::number_levels() {
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (levels[i] == not_stocked)
      level_ids[i] = 0;
    else if (level_ids[i] == 0)
      level_ids[i] = ids_.inventory_level += 3;
  }
}

std::optional<std::size_t> store::level_location(std::uint32_t v, i64 level) const {
  for (std::size_t l = 0; l < locations.size(); ++l)
    if (level != 0 && level_id(v, l) == level)
      return l;
  return std::nullopt;
}

std::uint32_t store::add_product(const product_spec& ps, i64 now) {
  product pr;
  pr.id = next(ids_.product);
  pr.handle = ps.handle;
  pr.title = ps.title.empty() ? ps.handle : ps.title;
  pr.vendor = ps.vendor;
  pr.product_type = ps.product_type;
  pr.tags = ps.tags;
  pr.created_at = pr.updated_at = now;
  auto pidx = static_cast<std::uint32_t>(products.size());
  products.push_back(std::move(pr));
  int pos = 1;
  for (auto& vs : ps.variants) {
    add_variant(pidx, vs, pos++, locations.size());
    variants.back().updated_at = now;
    products[pidx].variants.push_back(static_cast<std::uint32_t>(variants.size() - 1));
  }
  return pidx;
}

// Deleted objects are gone for every lookup, as in Shopify (their ids are never reused).
std::optional<std::uint32_t> store::variant_by_id(i64 id) const {
  auto v = search(variants, id, [](const variant& x) { return x.id; });
  return v && !variants[*v].deleted ? v : std::nullopt;
}
std::optional<std::uint32_t> store::variant_by_item(i64 id) const {
  auto v = search(variants, id, [](const variant& x) { return x.inventory_item_id; });
  return v && !variants[*v].deleted ? v : std::nullopt;
}
std::optional<std::uint32_t> store::product_by_id(i64 id) const {
  auto p = search(products, id, [](const product& x) { return x.id; });
  return p && !products[*p].deleted ? p : std::nullopt;
}
std::optional<std::size_t> store::location_index(i64 id) const {
  for (std::size_t i = 0; i < locations.size(); ++i)
    if (locations[i].id == id)
      return i;
  return std::nullopt;
}

order* store::find_order(i64 id) {
  for (auto& o : orders)
    if (o.id == id)
      return &o;
  return nullptr;
}
draft_order* store::find_draft(i64 id) {
  for (auto& d : drafts)
    if (d.id == id)
      return &d;
  return nullptr;
}

i64 store::inventory_quantity(std::uint32_t v) const {
  i64 sum = 0;
  for (std::size_t l = 0; l < locations.size(); ++l)
    if (level(v, l) != not_stocked)
      sum += level(v, l);
  return sum;
}

} // namespace shopsync::sim
