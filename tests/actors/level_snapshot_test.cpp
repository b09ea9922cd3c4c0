// The level snapshot answers a read as the level query would have: the listed value (inactive
// levels as inactive), not stocked for a level missing at a listed location, and nothing for a
// location the file does not list (read by query).
#include "actors/level_snapshot.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

namespace {

level_value lv(inventory_item_id item, location_id loc, std::int64_t available, bool active = true) {
  level_value v;
  v.key = {item, loc};
  v.available = available;
  v.active = active;
  return v;
}

} // namespace

TEST(level_snapshot, answers_listed_levels_unlisted_ones_as_not_stocked_and_unknown_locations_not_at_all) {
  level_snapshot s;
  s.add(lv(30, 2, 7));
  s.add(lv(10, 1, 4));
  s.add(lv(20, 1, 0, false));
  s.seal();
  EXPECT_EQ(s.size(), 3u);
  auto a = s.answer({10, 1});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->ok && a->stocked && !a->inactive);
  EXPECT_EQ(a->available, 4);
  auto b = s.answer({30, 2});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->available, 7);
  auto inactive = s.answer({20, 1});
  ASSERT_TRUE(inactive);
  EXPECT_TRUE(inactive->ok && !inactive->stocked && inactive->inactive);
  auto missing = s.answer({30, 1}); // listed location, no level of that item
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->ok && !missing->stocked && !missing->inactive);
  EXPECT_FALSE(s.answer({10, 3})) << "a location the file does not list is read by query";
}

// The file's updatedAt comes with the value, as with a query's answer; a line without one
// answers without a time (the item then reads before it trusts a webhook).
TEST(level_snapshot, answers_the_levels_updated_at_when_the_file_has_it) {
  level_snapshot s;
  auto timed = lv(10, 1, 4);
  timed.updated_at = 1'760'000'123;
  s.add(timed);
  s.add(lv(20, 1, 5));
  s.seal();
  auto a = s.answer({10, 1});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->updated_at, std::optional<shopify_time>(1'760'000'123));
  auto b = s.answer({20, 1});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->available, 5);
  EXPECT_FALSE(b->updated_at.has_value());
}
