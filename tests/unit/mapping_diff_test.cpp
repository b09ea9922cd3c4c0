// group_mapping::diff: what a new mapping changes for each identity of the previous one (keep,
// remap, add, drop), as the router and the item actors follow it.
#include "domain/group_mapping.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

namespace {

group_config one_way_group() {
  group_config g;
  g.name = "mirror";
  g.source = "main";
  g.destinations = {"outlet"};
  g.strategy = sync_strategy::one_way;
  g.match_by = match_key::sku;
  return g;
}

// One identity: its Source item and (0: none) its Destination item.
struct row {
  std::string key;
  inventory_item_id source_item;
  inventory_item_id dest_item = 0;
};

location_mapping locations(location_id outlet_main = 200) {
  store_locations src{"main", {{100, "Main Warehouse"}}};
  std::vector<store_locations> dst{{"outlet", {{outlet_main, "Main Warehouse"}}}};
  return map_locations(src, dst, true, {});
}

group_mapping mapping(const std::vector<row>& rows, location_mapping locs = locations(),
                      std::vector<std::string> excluded = {}) {
  catalog_match match;
  for (auto& r : rows) {
    identity_mapping id{r.key, {{"main", r.source_item, r.source_item + 1, r.source_item}}};
    if (r.dest_item)
      id.stores.push_back({"outlet", r.dest_item, r.dest_item + 1, r.dest_item});
    match.identities.push_back(std::move(id));
  }
  match.excluded = std::move(excluded);
  return group_mapping(one_way_group(), std::move(match), std::move(locs));
}

} // namespace

TEST(mapping_diff, the_same_mapping_again_changes_nothing) {
  auto before = mapping({{"sku:A", 10, 20}, {"sku:B", 11, 21}});
  auto d = mapping({{"sku:A", 10, 20}, {"sku:B", 11, 21}}).diff(before);
  EXPECT_TRUE(d.unchanged());
  EXPECT_EQ(d.of_now(0), identity_change::keep);
  EXPECT_EQ(d.of_now(1), identity_change::keep);
  EXPECT_TRUE(d.dropped().empty());
  EXPECT_TRUE(d.remapped().empty());
  EXPECT_TRUE(d.added().empty());
}

TEST(mapping_diff, a_sku_moved_to_another_product_remaps_only_its_identity) {
  auto before = mapping({{"sku:A", 10, 20}, {"sku:B", 11, 21}});
  // In the Destination, SKU B is now another product's variant (another inventory item).
  auto now = mapping({{"sku:A", 10, 20}, {"sku:B", 11, 31}});
  auto d = now.diff(before);
  EXPECT_FALSE(d.unchanged());
  EXPECT_FALSE(d.locations_changed());
  EXPECT_EQ(d.of_now(*now.find_key("sku:A")), identity_change::keep);
  EXPECT_EQ(d.of_now(*now.find_key("sku:B")), identity_change::remap);
  ASSERT_EQ(d.remapped().size(), 1u);
  EXPECT_EQ(now.key(d.remapped()[0]), "sku:B");
  EXPECT_EQ(d.kept(), 1u);
  // The old life's Destination item is gone from the new layout: nothing more is written there.
  auto gone = unmapped_stores(before.layout(*before.find_key("sku:B")), now.layout(*now.find_key("sku:B")));
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0], 1u);
}

TEST(mapping_diff, new_and_gone_identities_are_added_and_dropped) {
  auto before = mapping({{"sku:A", 10, 20}, {"sku:B", 11, 21}});
  auto now = mapping({{"sku:B", 11, 21}, {"sku:C", 12, 22}});
  auto d = now.diff(before);
  EXPECT_EQ(d.of_now(*now.find_key("sku:B")), identity_change::keep);
  EXPECT_EQ(d.of_now(*now.find_key("sku:C")), identity_change::add);
  ASSERT_EQ(d.dropped().size(), 1u);
  EXPECT_EQ(before.key(d.dropped()[0]), "sku:A");
  ASSERT_EQ(d.added().size(), 1u);
  EXPECT_EQ(now.key(d.added()[0]), "sku:C");
}

TEST(mapping_diff, a_destination_that_lost_its_variant_remaps_the_identity) {
  auto before = mapping({{"sku:A", 10, 20}});
  auto now = mapping({{"sku:A", 10, 0}});
  auto d = now.diff(before);
  EXPECT_EQ(d.of_now(0), identity_change::remap);
  auto gone = unmapped_stores(before.layout(0), now.layout(0));
  EXPECT_EQ(gone, std::vector<std::size_t>{1});
}

TEST(mapping_diff, other_locations_remap_every_identity_in_both) {
  auto before = mapping({{"sku:A", 10, 20}, {"sku:B", 11, 21}});
  auto now = mapping({{"sku:A", 10, 20}, {"sku:B", 11, 21}}, locations(201));
  auto d = now.diff(before);
  EXPECT_TRUE(d.locations_changed());
  EXPECT_EQ(d.of_now(0), identity_change::remap);
  EXPECT_EQ(d.of_now(1), identity_change::remap);
  EXPECT_EQ(d.kept(), 0u);
}

TEST(mapping_diff, identities_no_longer_excluded_by_the_filter_are_included) {
  auto before = mapping({{"sku:A", 10, 20}}, locations(), {"sku:B"});
  auto now = mapping({{"sku:A", 10, 20}, {"sku:B", 11, 21}});
  auto d = now.diff(before);
  EXPECT_EQ(d.of_now(*now.find_key("sku:B")), identity_change::add);
  EXPECT_EQ(d.included(), std::vector<std::string>{"sku:B"});
}

TEST(mapping_diff, unmapped_stores_keeps_a_store_whose_item_is_the_same) {
  item_layout old, now;
  old.stores = {{"main", 1}, {"a", 2}, {"b", 3}};
  now.stores = {{"main", 1}, {"b", 4}};
  EXPECT_EQ(unmapped_stores(old, now), (std::vector<std::size_t>{1, 2}));
  EXPECT_TRUE(unmapped_stores(old, old).empty());
}
