#include "domain/group_mapping.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

namespace {

group_config two_way_group() {
  group_config g;
  g.name = "stock";
  g.source = "main";
  g.destinations = {"outlet"};
  g.strategy = sync_strategy::two_way;
  g.match_by = match_key::sku;
  return g;
}

group_mapping sample() {
  auto g = two_way_group();
  std::vector<catalog_variant> rows = {
    {"main", 1, "tee", 11, "TEE-1\tX", "", 111, 1, {}},
    {"outlet", 2, "tee", 21, "TEE-1\tX", "", 18446744073709551615ull, 1, {}},
    {"main", 1, "tee", 12, "DUP", "", 112, 2, {}},
    {"main", 1, "tee", 13, "DUP", "", 113, 3, {}},
  };
  auto match = match_catalog(g.match_by, g.source, g.destinations, rows);
  store_locations src{"main", {{100, "Main Warehouse"}, {101, "Popup"}}};
  std::vector<store_locations> dst{{"outlet", {{200, "Main Warehouse"}}}};
  auto locs = map_locations(src, dst, true, {});
  return group_mapping(g, std::move(match), std::move(locs));
}

} // namespace

TEST(group_mapping, finds_identity_by_store_and_inventory_item) {
  auto m = sample();
  ASSERT_EQ(m.identities().size(), 1u);
  auto id = m.find("outlet", 18446744073709551615ull);
  ASSERT_TRUE(id);
  EXPECT_EQ(m.key(*id), "sku:TEE-1\tX");
  EXPECT_EQ(m.find("main", 111), id);
  EXPECT_EQ(m.find("outlet", 111), std::nullopt); // the item id belongs to another store
  EXPECT_EQ(m.find("main", 112), std::nullopt);   // duplicate SKU: never mapped
  EXPECT_EQ(m.find_key("sku:TEE-1\tX"), id);
  EXPECT_EQ(m.find_variant("outlet", 21), id);
  EXPECT_EQ(m.find_variant("outlet", 11), std::nullopt);
}

TEST(group_mapping, layout_has_the_slots_of_the_location_mapping) {
  auto m = sample();
  auto layout = m.layout(0);
  EXPECT_EQ(layout.mode, sync_mode::two_way);
  ASSERT_EQ(layout.stores.size(), 2u);
  EXPECT_EQ(layout.stores[1].item, 18446744073709551615ull);
  ASSERT_FALSE(layout.slots.empty());
  EXPECT_EQ(layout.slots[0].locations[0], std::optional<location_id>(100));
}

TEST(group_mapping, encode_decode_round_trip_keeps_everything) {
  auto m = sample();
  auto text = m.encode();
  auto back = group_mapping::decode(two_way_group(), text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->encode(), text);
  EXPECT_EQ(back->problems().size(), m.problems().size());
  EXPECT_TRUE(back->find("outlet", 18446744073709551615ull));
  EXPECT_TRUE(back->same_as(m));
  EXPECT_EQ(back->locations().problems.size(), m.locations().problems.size());
}

TEST(group_mapping, decode_refuses_damaged_text) {
  auto g = two_way_group();
  for (auto bad : {"", "gm2", "gm3", "gm1\nX\tfoo", "gm1\nI\tk\tmain\t1\t2", "gm1\nI\tk\tmain\t1\t2\tz",
                   "gm1\nP\t9\tk\tmain", "gm1\nS\tname\tnotanumber"}) {
    EXPECT_FALSE(group_mapping::decode(g, bad)) << bad;
  }
}
