// Product digests (domain/product_fingerprints.hpp): what a products/update is compared with
// before the catalog is touched. A few cases, then a seeded property: a random catalog is
// edited by random product events (a sale's, which repeats the rows; or a change of a variant,
// item, key, mark, a variant added or removed) applied to a model of the rows and, as the
// catalog actor does, to the fingerprints with set(); at every step find() says "unchanged"
// for an event exactly when the model's rows of that product equal the event's.
// SHOPSYNC_PROPERTY_SEEDS=N runs N seeds (default 2000); SHOPSYNC_PROPERTY_SEED replays one.
#include "domain/product_fingerprints.hpp"
#include "property_seeds.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace shopsync;

namespace {

struct row {
  variant_id variant;
  inventory_item_id item;
  std::string key; // empty: none
  bool excluded;
  std::uint8_t tags;
  bool operator<(const row& o) const {
    return std::tie(variant, item, key, excluded, tags) < std::tie(o.variant, o.item, o.key, o.excluded, o.tags);
  }
  bool operator==(const row& o) const {
    return std::tie(variant, item, key, excluded, tags) == std::tie(o.variant, o.item, o.key, o.excluded, o.tags);
  }
};

std::uint64_t digest(const std::vector<row>& rows) {
  std::vector<fingerprint_row> fp;
  for (auto& r : rows)
    fp.push_back({r.variant, r.item, r.key.empty() ? std::nullopt : std::optional<std::string_view>(r.key),
                  {r.excluded, r.tags}});
  return product_digest(std::move(fp));
}

std::uint64_t seeds() { return shopsync::testing::property_seeds(2000); }

} // namespace

TEST(ProductFingerprints, a_digest_ignores_variant_order_and_sees_every_field) {
  std::vector<row> a = {{1, 11, "sku:A", false, 0}, {2, 12, "sku:B", false, 1}};
  std::vector<row> reversed = {a[1], a[0]};
  EXPECT_EQ(digest(a), digest(reversed));
  auto changed = [&](auto edit) {
    auto b = a;
    edit(b);
    return digest(b) != digest(a);
  };
  EXPECT_TRUE(changed([](auto& b) { b[0].variant = 3; }));
  EXPECT_TRUE(changed([](auto& b) { b[0].item = 13; }));
  EXPECT_TRUE(changed([](auto& b) { b[0].key = "sku:C"; }));
  EXPECT_TRUE(changed([](auto& b) { b[0].key = ""; }));
  EXPECT_TRUE(changed([](auto& b) { b[0].key = std::string("sku:A\0", 6); }));
  EXPECT_TRUE(changed([](auto& b) { b[0].excluded = true; }));
  EXPECT_TRUE(changed([](auto& b) { b[1].tags = 3; }));
  EXPECT_TRUE(changed([](auto& b) { b.pop_back(); }));
  EXPECT_TRUE(changed([](auto& b) { b.push_back(b[0]); }));
  // Keys swapped between two variants is another catalog.
  EXPECT_TRUE(changed([](auto& b) { std::swap(b[0].key, b[1].key); }));
  // No identifier and an empty one are the same (keyed_catalog keeps both as length 0).
  std::vector<fingerprint_row> none = {{1, 11, std::nullopt, {}}};
  std::vector<fingerprint_row> empty = {{1, 11, std::string_view{}, {}}};
  EXPECT_EQ(product_digest(none), product_digest(empty));
}

TEST(ProductFingerprints, of_a_catalog_holds_each_products_rows_per_store) {
  keyed_catalog c;
  c.add(0, 100, 1, 11, std::string_view("sku:A"), {false, 2});
  c.add(1, 900, 7, 71, std::string_view("sku:A"));
  c.add(0, 100, 2, 12, std::nullopt);
  c.add(0, 200, 3, 13, std::string_view("sku:C"), {true, 0});
  c.sort_unique();
  auto f = product_fingerprints::of(c);
  EXPECT_EQ(f.size(), 3u);
  EXPECT_EQ(f.find(0, 100), digest({{2, 12, "", false, 0}, {1, 11, "sku:A", false, 2}}));
  EXPECT_EQ(f.find(0, 200), digest({{3, 13, "sku:C", true, 0}}));
  EXPECT_EQ(f.find(1, 900), digest({{7, 71, "sku:A", false, 0}}));
  EXPECT_EQ(f.find(1, 100), std::nullopt) << "the same product id in another store is another product";
  EXPECT_EQ(f.find(0, 300), std::nullopt);

  f.set(0, 300, 42);
  f.set(0, 100, 43);
  EXPECT_EQ(f.find(0, 300), 42u);
  EXPECT_EQ(f.find(0, 100), 43u);
  EXPECT_EQ(f.size(), 4u);
  f.forget(0, 100);
  f.forget(0, 555); // not held: nothing happens
  EXPECT_EQ(f.find(0, 100), std::nullopt);
  EXPECT_EQ(f.find(0, 200), digest({{3, 13, "sku:C", true, 0}}));
  EXPECT_EQ(f.size(), 3u);
}

TEST(ProductFingerprints, property_find_says_unchanged_exactly_when_the_rows_are_the_same) {
  const char* one = std::getenv("SHOPSYNC_PROPERTY_SEED");
  const std::uint64_t first = one ? std::strtoull(one, nullptr, 10) : 1;
  const std::uint64_t count = one ? 1 : seeds();
  for (std::uint64_t seed = first; seed < first + count; ++seed) {
    std::mt19937_64 rnd(seed);
    auto pick = [&](std::uint64_t n) { return static_cast<std::uint64_t>(rnd() % n); };
    // The model: per (store, product) its rows. Keys from a small set so that equal keys meet.
    std::map<std::pair<std::uint16_t, product_id>, std::vector<row>> model;
    auto random_row = [&](variant_id v) {
      return row{v, 1000 + pick(6), pick(4) == 0 ? "" : "sku:" + std::to_string(pick(5)), pick(5) == 0,
                 static_cast<std::uint8_t>(pick(4))};
    };
    variant_id next_variant = 1;
    keyed_catalog c;
    for (int p = 0; p < 1 + static_cast<int>(pick(6)); ++p) {
      auto store = static_cast<std::uint16_t>(pick(3));
      auto product = static_cast<product_id>(1 + pick(8));
      auto& rows = model[{store, product}];
      for (int v = 0; v < 1 + static_cast<int>(pick(3)); ++v) {
        rows.push_back(random_row(next_variant++));
        auto& r = rows.back();
        c.add(store, product, r.variant, r.item, r.key.empty() ? std::nullopt : std::optional<std::string_view>(r.key),
              {r.excluded, r.tags});
      }
    }
    c.sort_unique();
    auto f = product_fingerprints::of(c);
    for (int step = 0; step < 40; ++step) {
      auto store = static_cast<std::uint16_t>(pick(3));
      auto product = static_cast<product_id>(1 + pick(8));
      auto held = model.find({store, product});
      std::vector<row> event = held == model.end() ? std::vector<row>{} : held->second;
      switch (pick(7)) {
      case 0: break; // a sale: the same rows
      case 1: if (!event.empty()) event[pick(event.size())].item = 1000 + pick(6); break;
      case 2: if (!event.empty()) event[pick(event.size())].key = pick(4) == 0 ? "" : "sku:" + std::to_string(pick(5)); break;
      case 3: for (auto& r : event) r.excluded = pick(2) == 0; break;
      case 4: for (auto& r : event) r.tags = static_cast<std::uint8_t>(pick(4)); break;
      case 5: event.push_back(random_row(next_variant++)); break;
      case 6: if (!event.empty()) event.erase(event.begin() + static_cast<std::ptrdiff_t>(pick(event.size()))); break;
      }
      std::shuffle(event.begin(), event.end(), rnd); // a webhook lists variants in its own order
      if (event.empty())
        continue; // Shopify has no product without a variant
      auto same = [](std::vector<row> a, std::vector<row> b) {
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        return a == b;
      };
      const bool model_same = held != model.end() && same(held->second, event);
      auto d = digest(event);
      const bool says_same = f.find(store, product) == d;
      ASSERT_EQ(says_same, model_same) << "seed " << seed << " step " << step << " store " << store << " product "
                                       << product;
      if (!says_same) { // applied, as the catalog actor does
        model[{store, product}] = event;
        f.set(store, product, d);
      }
    }
    // After the edits the fingerprints are those of the catalog the model describes.
    keyed_catalog after;
    for (auto& [k, rows] : model)
      for (auto& r : rows)
        after.add(k.first, k.second, r.variant, r.item,
                  r.key.empty() ? std::nullopt : std::optional<std::string_view>(r.key), {r.excluded, r.tags});
    after.sort_unique();
    auto rebuilt = product_fingerprints::of(after);
    for (auto& [k, rows] : model)
      ASSERT_EQ(rebuilt.find(k.first, k.second), f.find(k.first, k.second)) << "seed " << seed;
  }
}
