#include "domain/gid.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

TEST(gid, round_trips_ids_above_2_pow_53) {
  shopify_id big = 18446744073709551615ull;
  auto g = make_gid("InventoryItem", big);
  EXPECT_EQ(g, "gid://shopify/InventoryItem/18446744073709551615");
  EXPECT_EQ(parse_gid(g, "InventoryItem"), big);
}

TEST(gid, ignores_query_suffix_of_inventory_level_gids) {
  EXPECT_EQ(parse_gid("gid://shopify/InventoryLevel/71234567890?inventory_item_id=45678901234567",
                      "InventoryLevel"),
            71234567890u);
}

TEST(gid, rejects_other_types_and_garbage) {
  EXPECT_FALSE(parse_gid("gid://shopify/Location/1", "InventoryItem"));
  EXPECT_FALSE(parse_gid("gid://shopify/InventoryItemX/1", "InventoryItem"));
  EXPECT_FALSE(parse_gid("gid://shopify/InventoryItem/", "InventoryItem"));
  EXPECT_FALSE(parse_gid("gid://shopify/InventoryItem/12a", "InventoryItem"));
  EXPECT_FALSE(parse_gid("gid://shopify/InventoryItem/99999999999999999999", "InventoryItem"));
  EXPECT_FALSE(parse_gid("", "InventoryItem"));
}
