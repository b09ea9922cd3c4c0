#include "domain/matcher.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace shopsync::testing {
namespace {

catalog_variant row(const std::string& store, variant_id v, const std::string& sku,
                    const std::string& handle = "tee", std::vector<std::string> options = {},
                    int position = 1, const std::string& barcode = "") {
  catalog_variant r;
  r.store = store;
  r.product_id = v / 10;
  r.handle = handle;
  r.variant_id = v;
  r.sku = sku;
  r.barcode = barcode;
  r.inventory_item = v + 5000;
  r.position = position;
  r.options = std::move(options);
  return r;
}

const std::vector<store_name> dests{"b", "c"};

TEST(matcher, identity_keys_are_stable_strings) {
  EXPECT_EQ(identity_key(match_key::sku, row("a", 1, "  ABC-1 ")), "sku:ABC-1");
  EXPECT_EQ(identity_key(match_key::sku, row("a", 1, "   ")), std::nullopt);
  EXPECT_EQ(identity_key(match_key::barcode, row("a", 1, "", "tee", {}, 1, "0123")), "barcode:0123");
  EXPECT_EQ(identity_key(match_key::barcode, row("a", 1, "X")), std::nullopt);
  EXPECT_EQ(identity_key(match_key::handle, row("a", 1, "", "tee", {"Red", "M"})), "handle:tee/Red / M");
  EXPECT_EQ(identity_key(match_key::handle, row("a", 1, "", "tee", {"Default Title"}, 3)), "handle:tee#3");
  EXPECT_EQ(identity_key(match_key::handle, row("a", 1, "", "tee", {}, 2)), "handle:tee#2");
  EXPECT_EQ(identity_key(match_key::handle, row("a", 1, "", "", {"Red"})), std::nullopt);
  EXPECT_EQ(identity_key(match_key::sku, row("a", 1, "abc")), "sku:abc"); // case kept
}

TEST(matcher, maps_an_identity_across_source_and_destinations) {
  auto m = match_catalog(match_key::sku, "a", dests,
                         {row("c", 31, "S1"), row("a", 11, "S1"), row("b", 21, "S1")});
  ASSERT_EQ(m.identities.size(), 1u);
  EXPECT_TRUE(m.problems.empty());
  const auto& id = m.identities[0];
  EXPECT_EQ(id.key, "sku:S1");
  ASSERT_EQ(id.stores.size(), 3u);
  EXPECT_EQ(id.stores[0].store, "a");
  EXPECT_EQ(id.stores[0].variant_id, 11u);
  EXPECT_EQ(id.stores[0].product_id, 1u);
  EXPECT_EQ(id.stores[0].inventory_item, 5011u);
  EXPECT_EQ(id.stores[1].store, "b");
  EXPECT_EQ(id.stores[2].store, "c");
  EXPECT_EQ(id.stores[2].inventory_item, 5031u);
}

TEST(matcher, duplicates_are_never_synced_in_any_store) {
  auto m = match_catalog(match_key::sku, "a", dests,
                         {row("a", 11, "S1"), row("b", 21, "S1"), row("b", 22, "S1"),
                          row("c", 31, "S1"), row("a", 12, "S2"), row("b", 23, "S2"),
                          row("c", 32, "S2")});
  ASSERT_EQ(m.identities.size(), 1u);
  EXPECT_EQ(m.identities[0].key, "sku:S2");
  ASSERT_EQ(m.problems.size(), 1u);
  EXPECT_EQ(m.problems[0].kind, match_problem_kind::duplicate);
  EXPECT_EQ(m.problems[0].key, "sku:S1");
  EXPECT_EQ(m.problems[0].store, "b");
  EXPECT_EQ(m.problems[0].variants, (std::vector<variant_id>{21, 22}));
}

TEST(matcher, reports_misses_both_ways) {
  auto m = match_catalog(match_key::sku, "a", dests,
                         {row("a", 11, "ONLY-SRC"), row("a", 12, "SRC-B"), row("b", 22, "SRC-B"),
                          row("c", 33, "ONLY-C")});
  ASSERT_EQ(m.identities.size(), 1u);
  EXPECT_EQ(m.identities[0].key, "sku:SRC-B");
  ASSERT_EQ(m.identities[0].stores.size(), 2u); // c left out
  EXPECT_EQ(m.identities[0].stores[1].store, "b");
  ASSERT_EQ(m.problems.size(), 4u);
  EXPECT_EQ(m.problems[0].kind, match_problem_kind::missing_in_destination);
  EXPECT_EQ(m.problems[0].key, "sku:ONLY-SRC");
  EXPECT_EQ(m.problems[0].store, "b");
  EXPECT_EQ(m.problems[1].key, "sku:ONLY-SRC");
  EXPECT_EQ(m.problems[1].store, "c");
  EXPECT_EQ(m.problems[2].key, "sku:SRC-B");
  EXPECT_EQ(m.problems[2].store, "c");
  EXPECT_EQ(m.problems[3].kind, match_problem_kind::missing_in_source);
  EXPECT_EQ(m.problems[3].key, "sku:ONLY-C");
  EXPECT_EQ(m.problems[3].store, "c");
  EXPECT_EQ(m.problems[3].variants, (std::vector<variant_id>{33}));
}

TEST(matcher, empty_identifiers_are_reported_not_synced) {
  auto m = match_catalog(match_key::sku, "a", {"b"}, {row("a", 11, ""), row("b", 21, "")});
  EXPECT_TRUE(m.identities.empty());
  ASSERT_EQ(m.problems.size(), 2u);
  EXPECT_EQ(m.problems[0].kind, match_problem_kind::empty_identifier);
  EXPECT_EQ(m.problems[0].store, "a");
  EXPECT_EQ(m.problems[1].store, "b");
  EXPECT_EQ(m.problems[1].variants, (std::vector<variant_id>{21}));
}

TEST(matcher, matches_by_handle_options_or_position) {
  auto m = match_catalog(match_key::handle, "a", {"b"},
                         {row("a", 11, "", "tee", {"Red", "M"}), row("b", 21, "", "tee", {"Red", "M"}),
                          row("a", 12, "", "tee", {"Red", "L"}), row("b", 22, "", "tee", {"Blue", "L"}),
                          row("a", 13, "", "mug", {"Default Title"}, 1), row("b", 23, "", "mug", {}, 1)});
  ASSERT_EQ(m.identities.size(), 2u);
  EXPECT_EQ(m.identities[0].key, "handle:mug#1");
  EXPECT_EQ(m.identities[1].key, "handle:tee/Red / M");
  ASSERT_EQ(m.problems.size(), 2u);
  EXPECT_EQ(m.problems[0].kind, match_problem_kind::missing_in_destination);
  EXPECT_EQ(m.problems[0].key, "handle:tee/Red / L");
  EXPECT_EQ(m.problems[1].kind, match_problem_kind::missing_in_source);
  EXPECT_EQ(m.problems[1].key, "handle:tee/Blue / L");
}

TEST(matcher, matches_by_barcode) {
  auto m = match_catalog(match_key::barcode, "a", {"b"},
                         {row("a", 11, "X", "p", {}, 1, "111"), row("b", 21, "Y", "q", {}, 1, "111")});
  ASSERT_EQ(m.identities.size(), 1u);
  EXPECT_EQ(m.identities[0].key, "barcode:111");
}

TEST(matcher, output_does_not_depend_on_row_order_and_ignores_repeats_and_strangers) {
  std::vector<catalog_variant> rows;
  for (int i = 0; i < 50; ++i) {
    rows.push_back(row("a", 100 + i, "S" + std::to_string(i % 40)));
    rows.push_back(row("b", 200 + i, "S" + std::to_string(i % 45)));
    rows.push_back(row("c", 300 + i, i % 7 ? "S" + std::to_string(i) : ""));
  }
  rows.push_back(row("zz", 999, "S1")); // not in the group
  auto reference = match_catalog(match_key::sku, "a", dests, rows);
  rows.push_back(rows[3]); // an overlapping page: the same variant twice is no duplicate
  std::mt19937 g(5);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(rows.begin(), rows.end(), g);
    auto m = match_catalog(match_key::sku, "a", dests, rows);
    ASSERT_EQ(m.identities.size(), reference.identities.size());
    for (std::size_t i = 0; i < m.identities.size(); ++i) {
      EXPECT_EQ(m.identities[i].key, reference.identities[i].key);
      ASSERT_EQ(m.identities[i].stores.size(), reference.identities[i].stores.size());
      for (std::size_t s = 0; s < m.identities[i].stores.size(); ++s)
        EXPECT_EQ(m.identities[i].stores[s].variant_id, reference.identities[i].stores[s].variant_id);
    }
    ASSERT_EQ(m.problems.size(), reference.problems.size());
    for (std::size_t i = 0; i < m.problems.size(); ++i) {
      EXPECT_EQ(m.problems[i].kind, reference.problems[i].kind);
      EXPECT_EQ(m.problems[i].key, reference.problems[i].key);
      EXPECT_EQ(m.problems[i].store, reference.problems[i].store);
      EXPECT_EQ(m.problems[i].variants, reference.problems[i].variants);
    }
  }
  EXPECT_TRUE(std::is_sorted(reference.identities.begin(), reference.identities.end(),
                             [](const auto& x, const auto& y) { return x.key < y.key; }));
  // S0..S9 in the Source twice (i % 40): duplicates, never mapped.
  for (const auto& id : reference.identities) EXPECT_NE(id.key, "sku:S5");
  EXPECT_TRUE(std::none_of(reference.problems.begin(), reference.problems.end(),
                           [](const match_problem& p) { return p.store == "zz"; }));
}

// ---- locations

store_locations locs(const std::string& store, std::vector<std::pair<location_id, std::string>> l) {
  store_locations s{store, {}};
  for (auto& [id, name] : l) s.locations.push_back({id, name});
  return s;
}

bool has_problem(const location_mapping& m, location_problem_kind k, const std::string& store,
                 const std::string& name) {
  return std::any_of(m.problems.begin(), m.problems.end(), [&](const location_problem& p) {
    return p.kind == k && p.store == store && p.name == name;
  });
}

TEST(matcher, maps_locations_by_name) {
  auto m = map_locations(locs("a", {{2, "Warehouse"}, {1, "Shop"}, {3, "Attic"}}),
                         {locs("b", {{20, "Warehouse"}, {10, "Shop"}}),
                          locs("c", {{30, "Shop"}, {40, "Popup"}})},
                         true, {});
  ASSERT_EQ(m.slots.size(), 2u);
  EXPECT_EQ(m.slots[0].name, "Shop");
  EXPECT_EQ(m.slots[0].source, 1u);
  EXPECT_EQ(m.slots[0].destinations[0], 10u);
  EXPECT_EQ(m.slots[0].destinations[1], 30u);
  EXPECT_EQ(m.slots[1].name, "Warehouse");
  EXPECT_EQ(m.slots[1].destinations[0], 20u);
  EXPECT_FALSE(m.slots[1].destinations[1].has_value());
  EXPECT_FALSE(m.has_errors());
  EXPECT_TRUE(has_problem(m, location_problem_kind::unmapped_source_location, "b", "Attic"));
  EXPECT_TRUE(has_problem(m, location_problem_kind::unmapped_source_location, "c", "Warehouse"));
  EXPECT_TRUE(has_problem(m, location_problem_kind::unmapped_destination_location, "c", "Popup"));
  EXPECT_EQ(m.problems.size(), 4u); // Attic in b and c, Warehouse in c, Popup
}

TEST(matcher, explicit_pairs_win_and_bad_pairs_are_errors) {
  auto src = locs("a", {{1, "Shop"}, {2, "Warehouse"}});
  std::vector<store_locations> d{locs("b", {{10, "Shop"}, {11, "Depot"}})};
  auto m = map_locations(src, d, true, {{"Warehouse", "b", "Depot"}});
  ASSERT_EQ(m.slots.size(), 2u);
  EXPECT_EQ(m.slots[1].name, "Warehouse");
  EXPECT_EQ(m.slots[1].destinations[0], 11u);
  EXPECT_EQ(m.slots[0].destinations[0], 10u);
  EXPECT_TRUE(m.problems.empty());

  // Only pairs: by-name is off.
  auto p = map_locations(src, d, false, {{"Warehouse", "b", "Depot"}});
  ASSERT_EQ(p.slots.size(), 1u);
  EXPECT_TRUE(has_problem(p, location_problem_kind::unmapped_source_location, "b", "Shop"));
  EXPECT_TRUE(has_problem(p, location_problem_kind::unmapped_destination_location, "b", "Shop"));

  auto bad = map_locations(src, d, false,
                           {{"Nowhere", "b", "Shop"}, {"Shop", "x", "Shop"}, {"Shop", "b", "Nope"},
                            {"Shop", "b", "Shop"}, {"Warehouse", "b", "Shop"}});
  EXPECT_TRUE(bad.has_errors());
  EXPECT_TRUE(has_problem(bad, location_problem_kind::unknown_source_location, "a", "Nowhere"));
  EXPECT_TRUE(has_problem(bad, location_problem_kind::unknown_store, "x", "Shop"));
  EXPECT_TRUE(has_problem(bad, location_problem_kind::unknown_destination_location, "b", "Nope"));
  EXPECT_TRUE(has_problem(bad, location_problem_kind::conflicting_pair, "b", "Warehouse -> Shop"));
  ASSERT_EQ(bad.slots.size(), 1u); // Shop -> Shop stands
}

TEST(matcher, ambiguous_location_names_are_not_guessed) {
  auto m = map_locations(locs("a", {{1, "Shop"}, {2, "Shop"}, {3, "Depot"}}),
                         {locs("b", {{10, "Shop"}, {11, "Depot"}, {12, "Depot"}})}, true, {});
  EXPECT_TRUE(m.slots.empty());
  EXPECT_TRUE(has_problem(m, location_problem_kind::ambiguous_name, "a", "Shop"));
  EXPECT_TRUE(has_problem(m, location_problem_kind::ambiguous_name, "b", "Depot"));
  EXPECT_FALSE(m.has_errors());
  auto e = map_locations(locs("a", {{1, "Shop"}, {2, "Shop"}}), {locs("b", {{10, "Shop"}})}, false,
                         {{"Shop", "b", "Shop"}});
  EXPECT_TRUE(e.has_errors());
}

TEST(matcher, builds_the_state_machine_layout) {
  auto m = match_catalog(match_key::sku, "a", dests, {row("a", 11, "S"), row("c", 31, "S")});
  ASSERT_EQ(m.identities.size(), 1u);
  auto l = map_locations(locs("a", {{1, "Shop"}, {2, "Depot"}}),
                         {locs("b", {{10, "Shop"}}), locs("c", {{30, "Shop"}, {31, "Depot"}})}, true, {});
  auto layout = make_item_layout(m.identities[0], l, dests, sync_mode::two_way);
  EXPECT_EQ(layout.identity, "sku:S");
  EXPECT_EQ(layout.mode, sync_mode::two_way);
  ASSERT_EQ(layout.stores.size(), 2u);
  EXPECT_EQ(layout.stores[1].store, "c");
  EXPECT_EQ(layout.stores[1].item, 5031u);
  ASSERT_EQ(layout.slots.size(), 2u); // Depot, Shop
  EXPECT_EQ(layout.slots[0].locations, (std::vector<std::optional<location_id>>{2, 31}));
  EXPECT_EQ(layout.slots[1].locations, (std::vector<std::optional<location_id>>{1, 30}));
  inventory_item_state st(layout, 1);
  EXPECT_EQ(st.align().commands.size(), 4u);
}

// ---- identifier normalisation ([groups.identifiers])

namespace normalisation {

const identifier_normalisation folded{true, ""};
const identifier_normalisation prefixed{true, "WH-"};

TEST(identifier_normalisation, trims_folds_case_and_strips_the_prefix_once) {
  EXPECT_EQ(normalise_identifier({}, "  ABC-1 "), "ABC-1");
  EXPECT_EQ(normalise_identifier(folded, " ABC-1\t"), "abc-1");
  EXPECT_EQ(normalise_identifier(prefixed, "WH-ABC-1"), "abc-1");
  EXPECT_EQ(normalise_identifier(prefixed, "wh-abc-1"), "abc-1");  // the prefix is compared folded
  EXPECT_EQ(normalise_identifier(prefixed, "WH-WH-1"), "wh-1");    // once only
  EXPECT_EQ(normalise_identifier(prefixed, "XWH-1"), "xwh-1");     // a prefix, not a substring
  EXPECT_EQ(normalise_identifier(prefixed, " WH- 7 "), "7");       // trimmed again after the strip
  EXPECT_EQ(normalise_identifier(prefixed, "WH-"), std::nullopt);  // nothing left: no identifier
  EXPECT_EQ(normalise_identifier(identifier_normalisation{false, "WH-"}, "wh-1"), "wh-1"); // case kept: no strip
  EXPECT_EQ(normalise_identifier(folded, "ÄBC"), "Äbc"); // ASCII letters only
}

TEST(identifier_normalisation, a_prefix_with_surrounding_whitespace_is_refused) {
  EXPECT_EQ(strip_prefix_problem(""), std::nullopt);
  EXPECT_EQ(strip_prefix_problem("WH-"), std::nullopt);
  EXPECT_NE(strip_prefix_problem(" WH-"), std::nullopt);
  EXPECT_NE(strip_prefix_problem("WH "), std::nullopt);
}

TEST(identifier_normalisation, keys_of_sku_and_barcode_are_normalised_handles_are_not) {
  EXPECT_EQ(identity_key(match_key::sku, row("a", 1, " WH-Abc-1 "), prefixed), "sku:abc-1");
  EXPECT_EQ(identity_key(match_key::barcode, row("a", 1, "", "tee", {}, 1, "WH-0123X"), prefixed), "barcode:0123x");
  EXPECT_EQ(identity_key(match_key::handle, row("a", 1, "", "Tee", {"Red"}), prefixed), "handle:Tee/Red");
}

TEST(identifier_normalisation, spellings_of_one_article_match_across_stores) {
  auto m = match_catalog(match_key::sku, "a", dests,
                         {row("a", 11, "ABC-1"), row("b", 21, "abc-1 "), row("c", 31, "WH-Abc-1")}, prefixed);
  ASSERT_EQ(m.identities.size(), 1u);
  EXPECT_TRUE(m.problems.empty());
  EXPECT_EQ(m.identities[0].key, "sku:abc-1");
  EXPECT_EQ(m.identities[0].stores.size(), 3u);
}

TEST(identifier_normalisation, identities_that_collide_only_after_normalisation_are_duplicates_never_merged) {
  // Without normalisation: two identities (ABC-1 in a and b; abc-1 only in a, reported missing).
  auto raw = match_catalog(match_key::sku, "a", dests,
                           {row("a", 11, "ABC-1"), row("a", 12, "abc-1 "), row("b", 21, "ABC-1")});
  ASSERT_EQ(raw.identities.size(), 1u);
  for (auto& p : raw.problems)
    EXPECT_NE(p.kind, match_problem_kind::duplicate);
  // With it: one key twice in the Source, a duplicate there: nothing synced, both variants named.
  auto m = match_catalog(match_key::sku, "a", dests,
                         {row("a", 11, "ABC-1"), row("a", 12, "abc-1 "), row("b", 21, "ABC-1")}, folded);
  EXPECT_TRUE(m.identities.empty());
  ASSERT_EQ(m.problems.size(), 1u);
  EXPECT_EQ(m.problems[0].kind, match_problem_kind::duplicate);
  EXPECT_EQ(m.problems[0].key, "sku:abc-1");
  EXPECT_EQ(m.problems[0].store, "a");
  EXPECT_EQ(m.problems[0].variants, (std::vector<variant_id>{11, 12}));
}

// Property: normalisation is idempotent, and for any catalog, every identity's variants have
// raw identifiers that normalise to its key, no variant is in two identities, and a store never
// holds two variants of one synced identity.
TEST(identifier_normalisation, property_never_merges_within_a_store_and_is_idempotent) {
  std::mt19937_64 rng(20);
  const std::vector<std::string> spellings{"ABC-1", "abc-1", " ABC-1 ", "WH-abc-1", "wh-ABC-1", "ABC-2",
                                           "WH-", "  ", "abc-2 ", "XYZ"};
  for (int round = 0; round < 300; ++round) {
    std::vector<catalog_variant> rows;
    int n = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < n; ++k) {
      const std::vector<std::string> stores{"a", "b", "c"};
      rows.push_back(row(stores[rng() % 3], 100 + k, spellings[rng() % spellings.size()]));
    }
    auto m = match_catalog(match_key::sku, "a", dests, rows, prefixed);
    std::map<variant_id, int> seen;
    for (auto& id : m.identities) {
      std::set<store_name> stores;
      for (auto& s : id.stores) {
        EXPECT_TRUE(stores.insert(s.store).second) << "seed round " << round;
        EXPECT_EQ(++seen[s.variant_id], 1);
        auto it = std::find_if(rows.begin(), rows.end(), [&](auto& r) { return r.variant_id == s.variant_id; });
        ASSERT_NE(it, rows.end());
        EXPECT_EQ(identity_key(match_key::sku, *it, prefixed), id.key);
      }
    }
    for (auto& sp : spellings)
      if (auto once = normalise_identifier(prefixed, sp))
        EXPECT_EQ(normalise_identifier(identifier_normalisation{true, ""}, *once), once);
  }
}

} // namespace normalisation

} // namespace
} // namespace shopsync::testing
