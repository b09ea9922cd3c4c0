// The merchant's controls in the domain, rule by rule: buffers and shares (stock_allocation), the
// product filter (product_filter), location sums (map_locations, make_item_layout, the state
// machine), their persistence in the mapping and the item state, and their validation.
// (Identifier normalisation: matcher_test.cpp; the state machine over random interleavings:
// inventory_property_test.cpp.)
#include "domain/config.hpp"
#include "domain/group_mapping.hpp"
#include "domain/inventory_item_state.hpp"
#include "domain/matcher.hpp"
#include "domain/product_filter.hpp"
#include "domain/stock_allocation.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace shopsync::testing {
namespace {

// ---- buffers and shares

TEST(stock_allocation, a_buffer_keeps_units_back_and_never_goes_below_zero) {
  EXPECT_EQ(apply_rule({2, 100}, 10), 8);
  EXPECT_EQ(apply_rule({2, 100}, 2), 0);
  EXPECT_EQ(apply_rule({2, 100}, 1), 0);
  EXPECT_EQ(apply_rule({2, 100}, -5), 0); // an oversold Source
  EXPECT_EQ(apply_rule({}, -5), 0);
  EXPECT_EQ(apply_rule({}, 7), 7);
}

TEST(stock_allocation, a_share_is_rounded_down) {
  EXPECT_EQ(apply_rule({0, 50}, 7), 3);
  EXPECT_EQ(apply_rule({0, 33}, 10), 3);
  EXPECT_EQ(apply_rule({0, 0}, 10), 0);
  EXPECT_EQ(apply_rule({1, 50}, 7), 3); // the buffer first: (7 - 1) * 50%
  EXPECT_EQ(apply_rule({0, 99}, std::numeric_limits<std::int64_t>::max()),
            std::numeric_limits<std::int64_t>::max() / 100 * 99 + std::numeric_limits<std::int64_t>::max() % 100 * 99 / 100);
}

TEST(stock_allocation, the_first_tagged_rule_of_the_store_wins_then_its_untagged_rule) {
  std::vector<allocation_rule> rules{{"outlet", "", {2, 100}},
                                     {"outlet", "Clearance", {0, 50}},
                                     {"outlet", "sale", {5, 100}},
                                     {"market", "sale", {1, 100}}};
  auto tags = allocation_tags(rules);
  ASSERT_EQ(tags, (std::vector<std::string>{"Clearance", "sale"}));
  auto bits = [&](std::vector<std::string> product) { return allocation_tag_bits(tags, product); };
  EXPECT_EQ(rule_for(rules, tags, "outlet", bits({})), (stock_rule{2, 100}));
  EXPECT_EQ(rule_for(rules, tags, "outlet", bits({"clearance"})), (stock_rule{0, 50})); // case ignored
  EXPECT_EQ(rule_for(rules, tags, "outlet", bits({"SALE", "Clearance"})), (stock_rule{0, 50})); // rule order
  EXPECT_EQ(rule_for(rules, tags, "outlet", bits({"sale"})), (stock_rule{5, 100}));
  EXPECT_EQ(rule_for(rules, tags, "market", bits({"other"})), (stock_rule{}));
  EXPECT_EQ(rule_for(rules, tags, "market", bits({"sale"})), (stock_rule{1, 100}));
  EXPECT_EQ(rule_for(rules, tags, "nobody", bits({"sale"})), (stock_rule{}));
}

// ---- the product filter

TEST(product_filter, exclusion_wins_and_every_include_list_must_pass) {
  product_filter f;
  EXPECT_TRUE(included(f, {{"x"}, "Acme", "Shirts"}));
  f.include_vendors = {"Acme"};
  f.exclude_tags = {"no-sync"};
  EXPECT_TRUE(included(f, {{"summer"}, "acme ", "Shirts"}));
  EXPECT_FALSE(included(f, {{"summer"}, "Other", "Shirts"}));
  EXPECT_FALSE(included(f, {{"summer", "No-Sync"}, "Acme", "Shirts"}));
  f.include_product_types = {"Shirts", "Hats"};
  EXPECT_TRUE(included(f, {{}, "Acme", "Hats"}));
  EXPECT_FALSE(included(f, {{}, "Acme", "Socks"}));
  f.include_tags = {"b2b"};
  EXPECT_FALSE(included(f, {{}, "Acme", "Hats"}));
  EXPECT_TRUE(included(f, {{"B2B"}, "Acme", "Hats"}));
  f.exclude_product_types = {"hats"};
  EXPECT_FALSE(included(f, {{"B2B"}, "Acme", "Hats"}));
}

TEST(product_filter, webhook_tags_are_one_comma_separated_string) {
  EXPECT_EQ(split_tags("cotton, summer"), (std::vector<std::string>{"cotton", "summer"}));
  EXPECT_EQ(split_tags(""), (std::vector<std::string>{}));
  EXPECT_EQ(split_tags(" a ,, b,"), (std::vector<std::string>{"a", "b"}));
}

catalog_variant row(const std::string& store, variant_id v, const std::string& sku, bool excluded = false,
                    std::uint8_t bits = 0) {
  catalog_variant r;
  r.store = store;
  r.product_id = v / 10;
  r.handle = "p" + std::to_string(v / 10);
  r.variant_id = v;
  r.sku = sku;
  r.inventory_item = v + 5000;
  r.position = 1;
  r.excluded = excluded;
  r.tag_bits = bits;
  return r;
}

TEST(product_filter, an_identity_excluded_by_its_source_product_is_listed_not_synced_not_a_problem) {
  auto m = match_catalog(match_key::sku, "a", {"b"},
                         {row("a", 11, "S1", true), row("b", 21, "S1"), row("a", 12, "S2"), row("b", 22, "S2"),
                          row("a", 13, "S3", true), row("a", 14, "S3", true), // a duplicate, excluded: not reported
                          row("b", 25, "S4", true), row("a", 15, "S4")});     // a Destination's mark means nothing
  ASSERT_EQ(m.identities.size(), 2u);
  EXPECT_EQ(m.identities[0].key, "sku:S2");
  EXPECT_EQ(m.identities[1].key, "sku:S4");
  EXPECT_TRUE(m.problems.empty());
  EXPECT_EQ(m.excluded, (std::vector<std::string>{"sku:S1", "sku:S3"}));
}

group_config group_of(std::vector<std::string> dests = {"b"}) {
  group_config g;
  g.name = "g";
  g.source = "a";
  g.destinations = std::move(dests);
  g.strategy = sync_strategy::one_way;
  return g;
}

location_mapping one_slot(std::size_t dests = 1) {
  std::vector<store_locations> d;
  for (std::size_t i = 0; i < dests; ++i)
    d.push_back({i == 0 ? "b" : "c", {{static_cast<location_id>(20 + i), "L"}}});
  return map_locations({"a", {{10, "L"}}}, d, true, {});
}

TEST(group_mapping, excluded_keys_and_tag_bits_survive_encode_and_decode) {
  auto g = group_of();
  g.allocation = {{"b", "sale", {0, 50}}, {"b", "", {3, 100}}};
  auto m = group_mapping(g, match_catalog(match_key::sku, "a", {"b"},
                                          {row("a", 11, "S1", true), row("b", 21, "S1"), row("a", 12, "S2", false, 1),
                                           row("b", 22, "S2"), row("a", 13, "S3"), row("b", 23, "S3")}),
                         one_slot());
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.excluded(), (std::vector<std::string>{"sku:S1"}));
  EXPECT_EQ(m.tag_bits(0), 1);
  EXPECT_EQ(m.tag_bits(1), 0);
  EXPECT_EQ(m.layout(0).rules.at(1), (stock_rule{0, 50}));  // tagged "sale"
  EXPECT_EQ(m.layout(1).rules.at(1), (stock_rule{3, 100})); // the store's rule
  auto back = group_mapping::decode(g, m.encode());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->same_as(m));
  EXPECT_EQ(back->excluded(), m.excluded());
  EXPECT_EQ(back->tag_bits(0), 1);
  // A mapping with no controls encodes as before (older daemons read it).
  auto plain = group_mapping(group_of(), match_catalog(match_key::sku, "a", {"b"}, {row("a", 12, "S2"), row("b", 22, "S2")}),
                             one_slot());
  auto bytes = plain.encode();
  auto again = group_mapping::decode(group_of(), bytes);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->encode(), bytes);
}

TEST(group_mapping, two_way_groups_get_no_rules) {
  auto g = group_of();
  g.strategy = sync_strategy::two_way;
  g.allocation = {{"b", "", {3, 100}}}; // refused by validation; the mapping ignores it anyway
  auto m = group_mapping(g, match_catalog(match_key::sku, "a", {"b"}, {row("a", 12, "S2"), row("b", 22, "S2")}),
                         one_slot());
  EXPECT_TRUE(m.layout(0).rules.empty());
}

// ---- location sums

TEST(location_sums, a_destination_location_is_fed_by_the_sum_of_source_locations) {
  store_locations src{"a", {{1, "Shop"}, {2, "Warehouse"}, {3, "Office"}}};
  std::vector<store_locations> dests{{"market", {{50, "Marketplace"}}}, {"outlet", {{60, "Shop"}, {61, "Warehouse"}}}};
  auto locs = map_locations(src, dests, true, {}, {{"market", "Marketplace", {"Warehouse", "Shop"}}});
  EXPECT_FALSE(locs.has_errors());
  // Slots by Source name: Office (unmapped: dropped), Shop, Warehouse.
  ASSERT_EQ(locs.slots.size(), 2u);
  EXPECT_EQ(locs.slots[0].name, "Shop");
  EXPECT_EQ(locs.slots[0].destinations[0], std::optional<location_id>(50));
  EXPECT_EQ(locs.slots[0].destinations[1], std::optional<location_id>(60));
  ASSERT_EQ(locs.slots[0].adds.size(), 2u);
  EXPECT_EQ(locs.slots[0].adds[0], (std::vector<std::uint32_t>{1}));
  EXPECT_TRUE(locs.slots[0].adds[1].empty());
  EXPECT_EQ(locs.slots[1].name, "Warehouse");
  EXPECT_EQ(locs.slots[1].destinations[0], std::nullopt); // summed into Shop's slot for market
  EXPECT_EQ(locs.slots[1].destinations[1], std::optional<location_id>(61));
  for (auto& p : locs.problems) // a summed location is not "unmapped" in that store (Office is)
    EXPECT_FALSE(p.store == "market" && p.kind == location_problem_kind::unmapped_source_location && p.name != "Office")
      << p.name;
}

TEST(location_sums, a_location_paired_and_summed_is_a_conflict_and_names_must_exist) {
  store_locations src{"a", {{1, "Shop"}, {2, "Warehouse"}}};
  std::vector<store_locations> dests{{"market", {{50, "Marketplace"}, {51, "Other"}}}};
  auto conflict = map_locations(src, dests, false, {{"Shop", "market", "Other"}},
                                {{"market", "Marketplace", {"Warehouse", "Shop"}}});
  EXPECT_TRUE(conflict.has_errors());
  auto unknown = map_locations(src, dests, false, {}, {{"market", "Marketplace", {"Warehouse", "Garage"}}});
  ASSERT_TRUE(unknown.has_errors());
  EXPECT_EQ(unknown.problems[0].kind, location_problem_kind::unknown_source_location);
  EXPECT_EQ(unknown.problems[0].name, "Garage");
}

TEST(location_sums, the_item_layout_keeps_summed_slots_without_a_destination_of_their_own) {
  store_locations src{"a", {{1, "Shop"}, {2, "Warehouse"}}};
  std::vector<store_locations> dests{{"market", {{50, "Marketplace"}}}};
  auto locs = map_locations(src, dests, true, {}, {{"market", "Marketplace", {"Warehouse", "Shop"}}});
  identity_mapping id{"sku:S", {{"a", 1, 11, 111}, {"market", 2, 21, 221}}};
  auto layout = make_item_layout(id, locs, {"market"}, sync_mode::one_way, {{2, 100}});
  ASSERT_EQ(layout.slots.size(), 2u);
  EXPECT_EQ(layout.slots[0].locations, (std::vector<std::optional<location_id>>{1, 50}));
  EXPECT_EQ(layout.slots[1].locations, (std::vector<std::optional<location_id>>{2, std::nullopt}));
  EXPECT_EQ(layout.slots[0].adds.at(1), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(layout.rules.at(1), (stock_rule{2, 100}));
  // Round trip through the group mapping's encoding.
  auto g = group_of({"market"});
  g.location_sums = {{"market", "Marketplace", {"Warehouse", "Shop"}}};
  auto m = group_mapping(g, catalog_match{{id}, {}, {}, {}}, locs);
  auto back = group_mapping::decode(g, m.encode());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->same_as(m));
  EXPECT_TRUE(same_layout(back->layout(0), m.layout(0)));
}

item_layout summed_layout(stock_rule rule = {}) {
  item_layout l;
  l.identity = "sku:S";
  l.mode = sync_mode::one_way;
  l.stores = {{"a", 111}, {"market", 221}};
  item_slot shop{{1, 50}, {{}, {1}}, "Shop"};
  item_slot warehouse{{2, std::nullopt}, {}, "Warehouse"};
  l.slots = {shop, warehouse};
  if (!rule.plain())
    l.rules = {{}, rule};
  return l;
}

// Reads every level of an aligning machine with these quantities (slot 0 Source, slot 0
// Destination, slot 1 Source) and returns the set it sends.
std::optional<command> align_and_read(inventory_item_state& sm, std::int64_t shop, std::int64_t market,
                                      std::int64_t warehouse) {
  auto t = sm.align();
  std::optional<command> set;
  std::vector<command> pending = t.commands;
  while (!pending.empty()) {
    auto c = pending.back();
    pending.pop_back();
    if (c.kind == op_kind::set) {
      set = c;
      continue;
    }
    std::int64_t q = c.at.slot == 1 ? warehouse : c.at.store == 0 ? shop : market;
    auto next = sm.read_result(c.at, c.op_id, q);
    pending.insert(pending.end(), next.commands.begin(), next.commands.end());
  }
  return set;
}

TEST(location_sums, the_destination_is_set_to_the_rule_applied_to_the_sum) {
  inventory_item_state sm(summed_layout({1, 50}), 1);
  auto set = align_and_read(sm, 4, 0, 7);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->store, "market");
  EXPECT_EQ(set->location, 50u);
  EXPECT_EQ(set->target, 5); // floor((4 + 7 - 1) * 50%)
  auto v = sm.view();
  auto market = std::find_if(v.begin(), v.end(), [](const level_view& l) { return l.at.store == 1; });
  ASSERT_NE(market, v.end());
  EXPECT_EQ(market->follows, std::optional<std::int64_t>(11));
  EXPECT_EQ(market->sum_of, (std::vector<std::size_t>{1}));
  EXPECT_EQ(market->rule, (stock_rule{1, 50}));
}

TEST(location_sums, a_change_at_a_summed_source_location_moves_the_destination) {
  inventory_item_state sm(summed_layout(), 1);
  auto set = align_and_read(sm, 4, 0, 7);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->target, 11);
  auto done = sm.write_result(set->at, set->op_id, 11);
  EXPECT_TRUE(done.commands.empty());
  // The warehouse sells 3: a hint, a read, then the marketplace follows the new sum.
  auto t = sm.hint({0, 1}, 4);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].kind, op_kind::read);
  t = sm.read_result({0, 1}, t.commands[0].op_id, 4);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].kind, op_kind::set);
  EXPECT_EQ(t.commands[0].target, 8);
  EXPECT_EQ(t.commands[0].location, 50u);
}

TEST(location_sums, controls_survive_encode_and_a_state_without_them_encodes_as_before) {
  inventory_item_state sm(summed_layout({2, 75}), 7);
  align_and_read(sm, 1, 0, 2);
  auto back = inventory_item_state::decode(sm.encode());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(same_layout(back->layout(), sm.layout()));
  EXPECT_TRUE(*back == sm);
  item_layout plain;
  plain.identity = "sku:P";
  plain.stores = {{"a", 1}, {"b", 2}};
  plain.slots = {item_slot{{10, 20}, {}, ""}};
  inventory_item_state p(plain, 3);
  EXPECT_EQ(p.encode().find("controls"), std::string::npos);
  EXPECT_FALSE(same_layout(sm.layout(), summed_layout({2, 50}))); // another share: a new life
}

// ---- validation

config valid() {
  config c;
  c.daemon.webhook_secret_files = {"webhook-secret"};
  auto store = [](std::string name, store_role role) {
    store_config s;
    s.name = name;
    s.shop_domain = name + ".myshopify.com";
    s.role = role;
    s.access_token_file = name + ".token";
    return s;
  };
  c.stores = {store("main", store_role::source), store("market", store_role::destination)};
  group_config g;
  g.name = "stock";
  g.source = "main";
  g.destinations = {"market"};
  g.strategy = sync_strategy::one_way;
  g.identifiers = {true, "WH-"};
  g.filter.exclude_tags = {"no-sync"};
  g.allocation = {{"market", "", {2, 100}}, {"market", "sale", {0, 50}}};
  g.location_sums = {{"market", "Marketplace", {"Shop", "Warehouse"}}};
  c.groups = {g};
  return c;
}

std::string invalid(std::function<void(group_config&)> change) {
  auto c = valid();
  change(c.groups[0]);
  auto s = validate(c);
  return s.ok() ? std::string("(valid)") : s.error().message;
}

TEST(merchant_controls_validation, every_control_names_its_key) {
  auto s = validate(valid());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(invalid([](group_config& g) { g.strategy = sync_strategy::two_way; }).rfind("groups[0].allocation[0]: ", 0), 0u);
  EXPECT_NE(invalid([](group_config& g) { g.strategy = sync_strategy::two_way; }).find("deltas and a buffer cannot both hold"),
            std::string::npos);
  EXPECT_EQ(invalid([](group_config& g) {
              g.strategy = sync_strategy::two_way;
              g.allocation.clear();
            }).rfind("groups[0].location_sums[0]: ", 0),
            0u);
  EXPECT_EQ(invalid([](group_config& g) { g.allocation[0].rule.buffer = -1; }).rfind("groups[0].allocation[0].buffer: ", 0), 0u);
  EXPECT_EQ(invalid([](group_config& g) { g.allocation[1].rule.percent = 101; }).rfind("groups[0].allocation[1].percent: ", 0), 0u);
  EXPECT_EQ(invalid([](group_config& g) { g.allocation[1].store = "main"; }).rfind("groups[0].allocation[1].store: ", 0), 0u);
  EXPECT_EQ(invalid([](group_config& g) { g.allocation[1].tag = ""; }).rfind("groups[0].allocation[1]: a second rule", 0), 0u);
  EXPECT_EQ(invalid([](group_config& g) { g.filter.exclude_tags = {"a,b"}; }).rfind("groups[0].filter.exclude_tags[0]: ", 0), 0u);
  EXPECT_EQ(invalid([](group_config& g) { g.filter.include_vendors = {" "}; }).rfind("groups[0].filter.include_vendors[0]: ", 0), 0u);
  EXPECT_EQ(invalid([](group_config& g) { g.identifiers.strip_prefix = "WH- "; }).rfind("groups[0].identifiers.strip_prefix: ", 0), 0u);
  EXPECT_EQ(invalid([](group_config& g) { g.match_by = match_key::handle; }).rfind("groups[0].identifiers: ", 0), 0u);
  EXPECT_EQ(invalid([](group_config& g) { g.location_sums[0].sources = {"Shop"}; }).rfind("groups[0].location_sums[0].sources: ", 0), 0u);
  EXPECT_EQ(invalid([](group_config& g) { g.location_sums.push_back({"market", "Marketplace", {"A", "B"}}); })
              .rfind("groups[0].location_sums[1].destination: ", 0),
            0u);
  EXPECT_EQ(invalid([](group_config& g) { g.location_sums.push_back({"market", "Other", {"Shop", "B"}}); })
              .rfind("groups[0].location_sums[1].sources[0]: ", 0),
            0u);
  EXPECT_EQ(invalid([](group_config& g) {
              g.locations_by_name = false;
              g.location_pairs = {{"Shop", "market", "Back"}};
            }).rfind("groups[0].location_sums[0]: ", 0),
            0u);
}

} // namespace
} // namespace shopsync::testing
