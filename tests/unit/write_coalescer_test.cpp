#include "domain/write_coalescer.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace shopsync;

namespace {
write_intent adjust(inventory_item_id i, location_id l, std::int64_t d, std::uint64_t op) {
  return {write_kind::adjust, i, l, d, std::nullopt, op};
}
write_intent set(inventory_item_id i, location_id l, std::int64_t q, std::uint64_t op,
                 std::optional<std::int64_t> from = std::nullopt) {
  return {write_kind::set, i, l, q, from, op};
}
} // namespace

TEST(write_coalescer, deltas_add_up_and_every_requester_is_kept) {
  write_coalescer c;
  EXPECT_TRUE(c.add(adjust(1, 10, -2, 100)));
  EXPECT_TRUE(c.add(adjust(1, 10, 5, 101)));
  EXPECT_TRUE(c.add(adjust(1, 11, 1, 102))); // other location: its own entry
  EXPECT_EQ(c.pending_entries(), 2u);
  EXPECT_EQ(c.pending_ops(), 3u);
  auto b = c.take();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->kind, write_kind::adjust);
  ASSERT_EQ(b->entries.size(), 2u);
  EXPECT_EQ(b->entries[0].quantity, 3);
  EXPECT_EQ(b->entries[0].op_ids, (std::vector<std::uint64_t>{100, 101}));
  EXPECT_EQ(b->entries[1].location, 11u);
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(c.pending_ops(), 0u);
}

TEST(write_coalescer, newest_absolute_target_wins) {
  write_coalescer c;
  c.add(set(1, 10, 7, 1));
  c.add(set(1, 10, 4, 2));
  auto b = c.take();
  ASSERT_EQ(b->entries.size(), 1u);
  EXPECT_EQ(b->entries[0].quantity, 4);
  EXPECT_FALSE(b->entries[0].change_from);
  EXPECT_EQ(b->entries[0].op_ids.size(), 2u);
}

TEST(write_coalescer, chained_compare_and_set_keeps_the_first_expectation) {
  write_coalescer c;
  c.add(set(1, 10, 7, 1, 5)); // 5 -> 7
  c.add(set(1, 10, 9, 2, 7)); // 7 -> 9, but 7 was never written
  auto b = c.take();
  EXPECT_EQ(b->entries[0].quantity, 9);
  EXPECT_EQ(b->entries[0].change_from, 5);
  // A newer set without expectation drops the check; one with an unrelated expectation wins.
  c.add(set(2, 10, 7, 1, 5));
  c.add(set(2, 10, 8, 2));
  EXPECT_FALSE(c.take()->entries[0].change_from);
  c.add(set(3, 10, 7, 1, 5));
  c.add(set(3, 10, 8, 2, 6));
  EXPECT_EQ(c.take()->entries[0].change_from, 6);
}

TEST(write_coalescer, resubmitted_op_is_not_added_twice) {
  write_coalescer c;
  EXPECT_TRUE(c.add(adjust(1, 10, -1, 7)));
  EXPECT_FALSE(c.add(adjust(1, 10, -1, 7)));
  EXPECT_TRUE(c.carries(write_kind::adjust, 1, 10, 7));
  EXPECT_FALSE(c.carries(write_kind::set, 1, 10, 7));
  EXPECT_EQ(c.take()->entries[0].quantity, -1);
}

TEST(write_coalescer, sets_and_adjusts_go_in_separate_batches) {
  write_coalescer c;
  c.add(adjust(1, 10, 1, 1));
  c.add(set(1, 10, 5, 2));
  c.add(set(2, 10, 6, 3));
  auto first = c.take();
  EXPECT_EQ(first->kind, write_kind::set);
  EXPECT_EQ(first->entries.size(), 2u);
  auto second = c.take();
  EXPECT_EQ(second->kind, write_kind::adjust);
  EXPECT_EQ(second->entries.size(), 1u);
  EXPECT_FALSE(c.take());
}

TEST(write_coalescer, batches_hold_at_most_250_distinct_pairs_in_arrival_order) {
  write_coalescer c;
  // 1,000 changes over 300 items: 300 entries, so 2 batches (250 + 50).
  for (std::uint64_t n = 0; n < 1000; ++n)
    c.add(adjust(1000 - n % 300, 10, -1, n));
  EXPECT_EQ(c.pending_entries(), 300u);
  auto a = c.take();
  auto b = c.take();
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(c.take());
  EXPECT_EQ(a->entries.size(), 250u);
  EXPECT_EQ(b->entries.size(), 50u);
  EXPECT_EQ(a->entries.front().item, 1000u); // first to arrive goes first
  std::set<std::pair<inventory_item_id, location_id>> seen;
  std::int64_t total = 0;
  std::size_t ops = 0;
  for (auto* batch : {&*a, &*b})
    for (auto& e : batch->entries) {
      EXPECT_TRUE(seen.insert({e.item, e.location}).second);
      total += e.quantity;
      ops += e.op_ids.size();
    }
  EXPECT_EQ(total, -1000);
  EXPECT_EQ(ops, 1000u);
  // Smaller limits are honoured too.
  for (std::uint64_t n = 0; n < 10; ++n)
    c.add(adjust(n, 1, 1, n));
  EXPECT_EQ(c.take(3)->entries.size(), 3u);
}
