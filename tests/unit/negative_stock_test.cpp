// An oversold Source (negative `available`, legal in Shopify) and its one-way Destinations:
// they show 0, not the negative value, and stay at rest there.
#include "domain/inventory_item_state.hpp"
#include "item_state_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace shopsync::testing {
namespace {

// Aligns a one-way identity whose Destinations start at `dest` and Source at `source`;
// returns the sets that alignment sends.
std::vector<command> align(inventory_item_state& st, std::int64_t source, std::int64_t dest) {
  auto t = st.align();
  std::vector<command> sets;
  for (const auto& c : t.commands)
    if (c.at.store != 0) EXPECT_TRUE(st.read_result(c.at, c.op_id, dest).commands.empty());
  auto r = st.read_result(src, find_cmd(t, src)->op_id, source);
  for (const auto& c : r.commands) sets.push_back(c);
  return sets;
}

TEST(negative_stock, destination_target_is_the_source_floored_at_zero) {
  EXPECT_EQ(destination_target(7), 7);
  EXPECT_EQ(destination_target(0), 0);
  EXPECT_EQ(destination_target(-3), 0);
  EXPECT_EQ(destination_target(api_int_min), 0);
}

TEST(negative_stock, an_oversold_source_sets_its_destinations_to_zero_not_below) {
  inventory_item_state st(make_layout(sync_mode::one_way, 3), 7);
  auto sets = align(st, -3, 4);
  ASSERT_EQ(sets.size(), 2u);
  for (const auto& c : sets) {
    EXPECT_EQ(c.kind, op_kind::set);
    EXPECT_EQ(c.target, 0);
    EXPECT_TRUE(st.write_result(c.at, c.op_id, 0).commands.empty());
  }
  EXPECT_TRUE(st.idle());
  EXPECT_EQ(view_of(st, d1).known, 0);
  EXPECT_EQ(view_of(st, src).known, -3);
}

TEST(negative_stock, a_destination_at_zero_below_an_oversold_source_is_at_rest) {
  inventory_item_state st(make_layout(sync_mode::one_way, 2), 7);
  EXPECT_TRUE(align(st, -3, 0).empty()); // already where it should be: no write
  EXPECT_TRUE(st.idle());
  // Echoes of both levels: no read, no write.
  EXPECT_TRUE(st.hint(src, -3).commands.empty());
  EXPECT_TRUE(st.hint(d1, 0).commands.empty());
  // The Source sells further (-3 -> -5): read, but nothing to write.
  auto h = st.hint(src, -5);
  ASSERT_EQ(h.commands.size(), 1u);
  EXPECT_EQ(h.commands[0].kind, op_kind::read);
  auto r = st.read_result(src, h.commands[0].op_id, -5);
  EXPECT_TRUE(r.commands.empty());
  EXPECT_FALSE(view_of(st, d1).pending_target);
  EXPECT_TRUE(st.idle());
}

TEST(negative_stock, a_restocked_source_brings_its_destinations_back_up) {
  inventory_item_state st(make_layout(sync_mode::one_way, 2), 7);
  EXPECT_TRUE(align(st, -2, 0).empty());
  auto h = st.hint(src, 5);
  auto r = st.read_result(src, h.commands.at(0).op_id, 5);
  const command* set = find_cmd(r, d1);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->target, 5);
  EXPECT_TRUE(st.write_result(d1, set->op_id, 5).commands.empty());
  EXPECT_TRUE(st.idle());
}

TEST(negative_stock, a_destination_oversold_by_its_own_sale_is_set_to_zero_below_an_oversold_source) {
  inventory_item_state st(make_layout(sync_mode::one_way, 2), 7);
  EXPECT_TRUE(align(st, -1, 0).empty());
  auto h = st.hint(d1, -2); // a sale there, below 0 (a "continue selling" policy)
  auto r = st.read_result(d1, h.commands.at(0).op_id, -2);
  const command* set = find_cmd(r, d1);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->target, 0);
}

TEST(negative_stock, order_group_destinations_floor_at_zero_too) {
  inventory_item_state st(make_layout(sync_mode::follow_orders, 2), 7);
  auto sets = align(st, -4, 3);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].target, 0);
  EXPECT_EQ(sets[0].change_from, 3); // follow_orders compares, as before
}

// A set below 0 sent before targets were floored (an op in flight across an upgrade, resent
// by restart()) is refused by Shopify: re-read, then set to 0. Not a blocked level.
TEST(negative_stock, a_set_refused_as_negative_is_re_read_and_retargeted_not_blocked) {
  inventory_item_state st(make_layout(sync_mode::one_way, 2), 7);
  auto t = st.align();
  (void)st.read_result(d1, find_cmd(t, d1)->op_id, 4);
  (void)st.read_result(src, find_cmd(t, src)->op_id, 4); // equal: no write
  // The pre-upgrade state: a set to -3 in flight (encoded by the old daemon).
  auto h = st.hint(src, 6);
  auto r = st.read_result(src, h.commands.at(0).op_id, 6);
  auto set = *find_cmd(r, d1);
  auto encoded = st.encode();
  auto at = encoded.find(" i6 ", encoded.find(" u200 ")); // store1's level: its op target
  ASSERT_NE(at, std::string::npos);
  encoded.replace(at, 4, " i-3 ");
  auto old = inventory_item_state::decode(encoded);
  ASSERT_TRUE(old) << old.error().message;
  auto resent = old->restart();
  ASSERT_EQ(resent.commands.size(), 1u);
  ASSERT_EQ(resent.commands[0].target, -3);
  auto f = old->write_failed(d1, set.op_id, failure_kind::permanent, invalid_quantity_negative);
  EXPECT_TRUE(has_audit(f, audit_kind::stale));
  EXPECT_FALSE(has_audit(f, audit_kind::error));
  EXPECT_TRUE(view_of(*old, d1).blocked.empty());
  ASSERT_EQ(f.commands.size(), 1u);
  EXPECT_EQ(f.commands[0].kind, op_kind::read);
  auto rr = old->read_result(d1, f.commands[0].op_id, 4);
  const command* again = find_cmd(rr, d1);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->target, 6);
  EXPECT_GE(again->target, 0);
}

// Two-way levels share one stock: a negative Source is propagated as a delta, as before.
TEST(negative_stock, two_way_deltas_still_go_below_zero) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  auto t = st.align();
  for (const auto& c : t.commands) (void)st.read_result(c.at, c.op_id, 1);
  ASSERT_TRUE(st.idle());
  auto h = st.hint(src, -2);
  auto r = st.read_result(src, h.commands.at(0).op_id, -2);
  const command* adj = find_cmd(r, d1);
  ASSERT_TRUE(adj);
  EXPECT_EQ(adj->kind, op_kind::adjust);
  EXPECT_EQ(adj->delta, -3);
  EXPECT_TRUE(st.write_result(d1, adj->op_id, -2).commands.empty());
}

} // namespace
} // namespace shopsync::testing
