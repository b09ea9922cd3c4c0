// item_needs_actor: which persisted item states get their actor when a mapping arrives (the
// others are spawned lazily by their first message).
#include "actors/item.hpp"

#include <gtest/gtest.h>

namespace shopsync {
namespace {

item_layout one_way_layout(inventory_item_id dest_item = 2) {
  item_layout l;
  l.identity = "sku:A";
  l.mode = sync_mode::one_way;
  l.stores = {{"src", 1}, {"dst", dest_item}};
  l.slots = {item_slot{{location_id{10}, location_id{20}}}};
  return l;
}

// Aligned and at rest: both levels read and equal.
inventory_item_state aligned_state() {
  inventory_item_state s(one_way_layout(), 7);
  auto t = s.align();
  EXPECT_EQ(t.commands.size(), 2u);
  for (auto& c : t.commands)
    s.read_result(c.at, c.op_id, 5);
  return s;
}

TEST(ItemRest, AnAlignedIdleStateWaitsForItsFirstMessage) {
  auto s = aligned_state();
  ASSERT_TRUE(s.idle());
  EXPECT_FALSE(item_needs_actor(s.encode(), one_way_layout()));
}

TEST(ItemRest, OperationsInFlightAreResumedAtOnce) {
  inventory_item_state s(one_way_layout(), 7);
  s.align(); // reads in flight
  EXPECT_TRUE(item_needs_actor(s.encode(), one_way_layout()));
}

TEST(ItemRest, AWriteInFlightIsResumedAtOnce) {
  inventory_item_state s(one_way_layout(), 7);
  auto t = s.align();
  s.read_result(t.commands[0].at, t.commands[0].op_id, 5); // Source 5
  auto w = s.read_result(t.commands[1].at, t.commands[1].op_id, 3); // Destination 3: set to 5
  ASSERT_FALSE(w.commands.empty());
  EXPECT_EQ(w.commands[0].kind, op_kind::set);
  EXPECT_TRUE(item_needs_actor(s.encode(), one_way_layout()));
}

TEST(ItemRest, APausedStateIsSpawnedSoThatResumeReachesIt) {
  auto s = aligned_state();
  s.set_paused(true);
  EXPECT_TRUE(item_needs_actor(s.encode(), one_way_layout()));
}

TEST(ItemRest, AStateOfAnotherLayoutIsSpawnedToStartAnewAndAlign) {
  auto s = aligned_state();
  EXPECT_TRUE(item_needs_actor(s.encode(), one_way_layout(3)));
}

TEST(ItemRest, AnUndecodableStateIsSpawned) {
  EXPECT_TRUE(item_needs_actor("not a state", one_way_layout()));
}

} // namespace
} // namespace shopsync
