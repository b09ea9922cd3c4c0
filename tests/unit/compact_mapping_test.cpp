// The compact mapping: identity_table, keyed_catalog, match_keyed, and group_mapping's
// sorted indexes and "gm2" binary codec.
#include "domain/group_mapping.hpp"
#include "domain/identity_table.hpp"
#include "domain/keyed_catalog.hpp"
#include "domain/matcher.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace shopsync;

namespace {

group_config group3() {
  group_config g;
  g.name = "g";
  g.source = "src";
  g.destinations = {"d1", "d2"};
  g.strategy = sync_strategy::one_way;
  g.match_by = match_key::sku;
  return g;
}

location_mapping two_slots() {
  location_mapping l;
  l.slots.push_back({"Main", 100, {200, std::nullopt}});
  l.slots.push_back({"Pop\tup", 101, {201, 301}});
  l.problems.push_back({location_problem_kind::unmapped_source_location, false, "d2", "Main"});
  return l;
}

// A mapping over 3 stores with corner cases: an identity missing in d1, ids 0 and 2^64-1, keys
// with tabs, newlines and a NUL byte, problems of every kind.
group_mapping corner_mapping() {
  auto g = group3();
  catalog_match m;
  m.identities.push_back({"sku:A", {{"src", 1, 11, 111}, {"d1", 2, 21, 211}, {"d2", 3, 31, 311}}});
  m.identities.push_back({std::string("sku:B\0\t\n\\", 9), {{"src", 0, 12, 0}, {"d2", 3, 32, 18446744073709551615ull}}});
  m.identities.push_back({"sku:C", {{"src", 18446744073709551615ull, 13, 113}, {"d1", 2, 23, 213}}});
  m.problems.push_back({match_problem_kind::duplicate, "sku:D", "d1", {24, 25}});
  m.problems.push_back({match_problem_kind::missing_in_destination, "sku:C", "d2", {13}});
  m.problems.push_back({match_problem_kind::empty_identifier, "", "src", {14}});
  return group_mapping(g, std::move(m), two_slots());
}

} // namespace

TEST(identity_table, keeps_keys_ids_and_presence) {
  identity_table t({"a", "b", "c"});
  variant_ref refs[3] = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
  bool present[3] = {true, false, true};
  t.add("k1", refs, present);
  t.add("", refs, present);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.key(0), "k1");
  EXPECT_EQ(t.key(1), "");
  EXPECT_TRUE(t.has(0, 0));
  EXPECT_FALSE(t.has(0, 1));
  EXPECT_EQ(t.ref(0, 2), (variant_ref{7, 8, 9}));
  EXPECT_EQ(t.count(0), 2u);
  auto m = t.materialize(0);
  ASSERT_EQ(m.stores.size(), 2u);
  EXPECT_EQ(m.stores[1].store, "c");
  EXPECT_EQ(m.stores[1].inventory_item, 9u);
  identity_table u({"a", "b", "c"});
  u.add(m);
  EXPECT_EQ(u.key(0), "k1");
  EXPECT_FALSE(u.has(0, 1));
  EXPECT_EQ(u.ref(0, 0), (variant_ref{1, 2, 3}));
}

TEST(keyed_catalog, last_row_wins_and_keys_survive_compaction) {
  keyed_catalog c;
  for (std::uint64_t v = 1; v <= 2000; ++v)
    c.add(static_cast<std::uint16_t>(v % 2), v, v, 1000 + v, "key-" + std::to_string(v));
  c.add(1, 7, 7, 7007, std::string_view("again"));         // (store 1, variant 7) again: wins
  c.add(0, 9, 3000, 9000, std::nullopt);                     // no identifier
  c.sort_unique();
  ASSERT_EQ(c.size(), 2001u);
  // Sorted by (store, variant).
  for (std::size_t i = 1; i < c.size(); ++i) {
    auto& a = c.rows()[i - 1];
    auto& b = c.rows()[i];
    EXPECT_TRUE(a.store < b.store || (a.store == b.store && a.variant < b.variant));
  }
  for (auto& r : c.rows()) {
    if (r.variant == 7)
      EXPECT_EQ(c.key(r), "again");
    else if (r.variant == 3000)
      EXPECT_EQ(c.key(r), "");
    else
      EXPECT_EQ(c.key(r), "key-" + std::to_string(r.variant));
  }
  // Dropping most rows and re-keying others compacts the arena; every key stays right.
  c.erase_if([](const keyed_catalog::row& r) { return r.variant % 10 != 0; });
  for (std::size_t i = 0; i < c.size(); ++i)
    c.set_key(i, "new-" + std::to_string(c.rows()[i].variant));
  c.set_key(0, std::nullopt);
  ASSERT_EQ(c.size(), 201u); // every tenth variant, and 3000
  EXPECT_EQ(c.key(c.rows()[0]), "");
  for (std::size_t i = 1; i < c.size(); ++i)
    EXPECT_EQ(c.key(c.rows()[i]), "new-" + std::to_string(c.rows()[i].variant));
}

TEST(match_keyed, agrees_with_match_catalog_on_random_catalogs) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<catalog_variant> rows;
    const std::vector<store_name> stores{"s", "d1", "d2", "other"};
    int n = 1 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) {
      catalog_variant v;
      v.store = stores[rng() % 4];
      v.variant_id = 1 + rng() % 40;
      v.product_id = 1 + rng() % 5;
      v.inventory_item = 500 + rng() % 40;
      v.sku = rng() % 6 ? "S" + std::to_string(rng() % 12) : " ";
      rows.push_back(v);
    }
    auto a = match_catalog(match_key::sku, "s", {"d1", "d2"}, rows);
    keyed_catalog k;
    for (auto& r : rows) {
      std::uint16_t s = r.store == "s" ? 0 : r.store == "d1" ? 1 : r.store == "d2" ? 2 : 9;
      auto key = identity_key(match_key::sku, r);
      k.add(s, r.product_id, r.variant_id, r.inventory_item, key ? std::optional<std::string_view>(*key) : std::nullopt);
    }
    auto b = match_keyed("s", {"d1", "d2"}, k);
    ASSERT_EQ(a.identities.size(), b.identities.size()) << round;
    for (std::size_t i = 0; i < a.identities.size(); ++i) {
      auto m = b.identities.materialize(i);
      EXPECT_EQ(m.key, a.identities[i].key);
      ASSERT_EQ(m.stores.size(), a.identities[i].stores.size());
      for (std::size_t s = 0; s < m.stores.size(); ++s) {
        EXPECT_EQ(m.stores[s].store, a.identities[i].stores[s].store);
        EXPECT_EQ(m.stores[s].variant_id, a.identities[i].stores[s].variant_id);
        EXPECT_EQ(m.stores[s].inventory_item, a.identities[i].stores[s].inventory_item);
      }
    }
    ASSERT_EQ(a.problems.size(), b.problems.size()) << round;
    for (std::size_t i = 0; i < a.problems.size(); ++i) {
      EXPECT_EQ(a.problems[i].kind, b.problems[i].kind);
      EXPECT_EQ(a.problems[i].key, b.problems[i].key);
      EXPECT_EQ(a.problems[i].variants, b.problems[i].variants);
    }
  }
}

TEST(compact_mapping, indexes_find_every_identity_and_nothing_else) {
  auto g = group3();
  catalog_match m;
  for (int i = 0; i < 3000; ++i) {
    auto v = static_cast<std::uint64_t>(i);
    identity_mapping id{"sku:" + std::to_string(i), {{"src", 1, 10'000 + v, 20'000 + v}}};
    if (i % 3)
      id.stores.push_back({"d1", 2, 30'000 + v, 40'000 + v});
    if (i % 5)
      id.stores.push_back({"d2", 3, 30'000 + v, 20'000 + v}); // same ids as other stores: told apart by store
    m.identities.push_back(id);
  }
  // Hand-made, not in key order ("sku:10" < "sku:2"): find_key still works.
  group_mapping gm(g, std::move(m), two_slots());
  ASSERT_EQ(gm.size(), 3000u);
  for (int i = 0; i < 3000; ++i) {
    auto v = static_cast<std::uint64_t>(i);
    auto k = gm.find_key("sku:" + std::to_string(i));
    ASSERT_TRUE(k) << i;
    EXPECT_EQ(gm.key(*k), "sku:" + std::to_string(i));
    EXPECT_EQ(gm.find("src", 20'000 + v), k);
    EXPECT_EQ(gm.find_variant("src", 10'000 + v), k);
    EXPECT_EQ(gm.find("d1", 40'000 + v), i % 3 ? k : std::nullopt);
    EXPECT_EQ(gm.find_variant("d2", 30'000 + v), i % 5 ? k : std::nullopt);
    EXPECT_EQ(gm.find("d2", 20'000 + v), i % 5 ? k : std::nullopt);
  }
  EXPECT_FALSE(gm.find_key("sku:3000"));
  EXPECT_FALSE(gm.find_key(""));
  EXPECT_FALSE(gm.find("src", 1));
  EXPECT_FALSE(gm.find("elsewhere", 20'000));
  auto back = group_mapping::decode(g, gm.encode());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->same_as(gm));
  EXPECT_EQ(back->find_key("sku:2999"), gm.find_key("sku:2999"));
}

TEST(compact_mapping, gm2_round_trip_keeps_corner_cases) {
  auto m = corner_mapping();
  auto bytes = m.encode();
  ASSERT_EQ(bytes.substr(0, 3), "gm2");
  auto back = group_mapping::decode(group3(), bytes);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->same_as(m));
  EXPECT_EQ(back->encode(), bytes);
  auto b = back->find_key(std::string("sku:B\0\t\n\\", 9));
  ASSERT_TRUE(b);
  auto id = back->identity(*b);
  ASSERT_EQ(id.stores.size(), 2u); // missing in d1
  EXPECT_EQ(id.stores[1].store, "d2");
  EXPECT_EQ(id.stores[1].inventory_item, 18446744073709551615ull);
  EXPECT_EQ(id.stores[0].product_id, 0u);
  EXPECT_EQ(back->problems().size(), 3u);
  EXPECT_EQ(back->problems()[0].variants, (std::vector<variant_id>{24, 25}));
  ASSERT_EQ(back->locations().slots.size(), 2u);
  EXPECT_EQ(back->locations().slots[0].destinations[1], std::nullopt);
  EXPECT_EQ(back->locations().slots[1].name, "Pop\tup");
  EXPECT_EQ(back->locations().problems.size(), 1u);
  // An empty mapping too.
  group_mapping empty(group3(), catalog_match{}, location_mapping{});
  auto e = group_mapping::decode(group3(), empty.encode());
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->size(), 0u);
  EXPECT_TRUE(e->same_as(empty));
}

TEST(compact_mapping, gm2_refuses_every_truncation_extra_bytes_and_other_stores) {
  auto bytes = corner_mapping().encode();
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(group_mapping::decode(group3(), bytes.substr(0, n))) << "prefix of " << n << " bytes";
  EXPECT_FALSE(group_mapping::decode(group3(), bytes + '\0'));
  auto other = group3();
  other.destinations = {"d1"};
  EXPECT_FALSE(group_mapping::decode(other, bytes));
  other.destinations = {"d2", "d1"};
  EXPECT_FALSE(group_mapping::decode(other, bytes));
  // A count far beyond the input is refused before anything is allocated.
  std::string huge = "gm2\x03\x03src\x02" "d1\x02" "d2\xff\xff\xff\xff\xff\xff\xff\xff\x7f";
  EXPECT_FALSE(group_mapping::decode(group3(), huge));
  // A varint longer than 64 bits.
  std::string overlong = "gm2\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f";
  EXPECT_FALSE(group_mapping::decode(group3(), overlong));
}

TEST(compact_mapping, reads_the_older_text_form) {
  std::string gm1 = "gm1\nI\tsku:A\tsrc\t1\t11\t111\td2\t3\t31\t311\nP\t0\tsku:D\td1\t24\t25\nS\tMain\t100\t200\t-\n"
                    "L\t5\t0\td2\tMain";
  auto m = group_mapping::decode(group3(), gm1);
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ(m->find("d2", 311), std::optional<std::size_t>(0));
  EXPECT_EQ(m->find_variant("src", 11), std::optional<std::size_t>(0));
  EXPECT_EQ(m->problems().size(), 1u);
  EXPECT_EQ(m->locations().slots.size(), 1u);
  // Written back in the binary form, which reads the same.
  auto again = group_mapping::decode(group3(), m->encode());
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->same_as(*m));
}

TEST(compact_mapping, same_identities_and_same_as_tell_what_changed) {
  auto a = corner_mapping();
  auto b = corner_mapping();
  EXPECT_TRUE(a.same_as(b));
  // Other problems: the same identities, not the same mapping.
  auto g = group3();
  catalog_match m;
  for (std::size_t i = 0; i < a.size(); ++i)
    m.identities.push_back(a.identity(i));
  group_mapping c(g, m, two_slots());
  EXPECT_TRUE(c.same_identities(a));
  EXPECT_FALSE(c.same_as(a));
  // Another inventory item: not the same identities.
  m.identities[0].stores[1].inventory_item = 999;
  group_mapping d(g, m, two_slots());
  EXPECT_FALSE(d.same_identities(a));
  EXPECT_FALSE(d.same_stores(0, a, 0));
  EXPECT_TRUE(d.same_stores(1, a, 1));
  // Compared with a match before a mapping is built from it.
  keyed_catalog rows;
  rows.add(0, 1, 11, 111, std::string_view("sku:A"));
  rows.add(1, 2, 21, 211, std::string_view("sku:A"));
  rows.add(2, 3, 31, 311, std::string_view("sku:A"));
  auto km = match_keyed("src", {"d1", "d2"}, rows);
  catalog_match one;
  one.identities.push_back(a.identity(0));
  group_mapping only_a(g, one, two_slots());
  EXPECT_TRUE(only_a.same_as(km, two_slots()));
  EXPECT_FALSE(only_a.same_as(km, location_mapping{}));
  EXPECT_FALSE(a.same_as(km, two_slots()));
  // Other slots: not the same identities either.
  auto slots = two_slots();
  slots.slots[0].destinations[1] = 300;
  group_mapping e(g, catalog_match{}, slots);
  group_mapping f(g, catalog_match{}, two_slots());
  EXPECT_FALSE(e.same_identities(f));
}
