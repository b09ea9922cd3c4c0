// Stocking in the inventory item state machine (Shopify 2026-10: a write at a location where the
// item is not stocked is accepted and stocks it). A level that is not stocked is a state, not an
// error: it is never written unless the group stocks unstocked levels, and it comes back as a
// new level (connect, or a read finding it).
#include "domain/inventory_item_state.hpp"
#include "item_state_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace shopsync::testing {
namespace {

bool writes(const transition& t) {
  return std::any_of(t.commands.begin(), t.commands.end(),
                     [](const command& c) { return c.kind == op_kind::set || c.kind == op_kind::adjust; });
}

// Alignment where d1 is not stocked: Source 10, d2 10, d1 no level.
void align_with_d1_unstocked(inventory_item_state& st) {
  auto t = st.align();
  ASSERT_EQ(t.commands.size(), 3u);
  EXPECT_FALSE(writes(st.read_result(src, find_cmd(t, src)->op_id, 10)));
  EXPECT_FALSE(writes(st.read_result(d2, find_cmd(t, d2)->op_id, 10)));
  auto n = st.read_not_stocked(d1, find_cmd(t, d1)->op_id, stocking::not_stocked);
  EXPECT_TRUE(n.commands.empty());
  EXPECT_TRUE(has_audit(n, audit_kind::not_stocked));
  EXPECT_FALSE(has_audit(n, audit_kind::error)); // a state, not a failure
}

TEST(inventory_stocking, one_way_never_writes_a_destination_that_is_not_stocked) {
  inventory_item_state st(make_layout(sync_mode::one_way, 3), 7);
  align_with_d1_unstocked(st);
  auto v = view_of(st, d1);
  EXPECT_EQ(v.stock, stocking::not_stocked);
  EXPECT_TRUE(v.blocked.empty());
  EXPECT_FALSE(v.pending_target);
  EXPECT_TRUE(st.idle()); // nothing owed: reported, not pending
  // The Source changes: d2 follows, d1 is left alone.
  auto t = st.read_result(src, st.hint(src, 7).commands.at(0).op_id, 7);
  ASSERT_NE(find_cmd(t, d2), nullptr);
  EXPECT_EQ(find_cmd(t, d1), nullptr);
  EXPECT_EQ(view_of(st, d1).stock, stocking::not_stocked);
}

TEST(inventory_stocking, connect_reads_the_level_and_one_way_sets_it_to_the_source) {
  inventory_item_state st(make_layout(sync_mode::one_way, 3), 7);
  align_with_d1_unstocked(st);
  auto c = st.connected(d1);
  ASSERT_EQ(c.commands.size(), 1u);
  EXPECT_EQ(c.commands[0].kind, op_kind::read);
  auto r = st.read_result(d1, c.commands[0].op_id, 0);
  EXPECT_TRUE(has_audit(r, audit_kind::stocked));
  EXPECT_FALSE(has_audit(r, audit_kind::external_change)); // appearing is not a change
  auto set = find_cmd(r, d1);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->kind, op_kind::set);
  EXPECT_EQ(set->target, 10);
  st.write_result(d1, set->op_id, 10);
  EXPECT_EQ(view_of(st, d1).stock, stocking::stocked);
  EXPECT_TRUE(st.idle());
}

TEST(inventory_stocking, two_way_level_that_leaves_is_never_counted_and_comes_back_aligned) {
  inventory_item_state st(make_layout(sync_mode::two_way, 3), 7);
  auto t = st.align();
  for (const auto& c : t.commands) st.read_result(c.at, c.op_id, 10);
  ASSERT_TRUE(st.idle());
  // The merchant removes the item from d1's location: disconnect, then the read confirms it.
  auto dc = st.disconnected(d1);
  EXPECT_TRUE(has_audit(dc, audit_kind::not_stocked));
  ASSERT_EQ(dc.commands.size(), 1u);
  EXPECT_EQ(dc.commands[0].kind, op_kind::read);
  auto gone = st.read_not_stocked(d1, dc.commands[0].op_id, stocking::not_stocked);
  // Its 10 units are not a sale: nothing goes to the others.
  EXPECT_FALSE(writes(gone));
  EXPECT_FALSE(has_audit(gone, audit_kind::external_change));
  EXPECT_EQ(view_of(st, src).known, 10);
  // A sale at the Source meanwhile: d2 gets it, d1 is not written.
  auto sale = st.read_result(src, st.hint(src, 8).commands.at(0).op_id, 8);
  ASSERT_NE(find_cmd(sale, d2), nullptr);
  EXPECT_EQ(find_cmd(sale, d2)->delta, -2);
  EXPECT_EQ(find_cmd(sale, d1), nullptr);
  st.write_result(d2, find_cmd(sale, d2)->op_id, 8);
  EXPECT_TRUE(st.idle());
  // Stocked again (a new level at 0): aligned to the slot's value by a compare-and-set.
  auto back = st.read_result(d1, st.connected(d1).commands.at(0).op_id, 0);
  EXPECT_FALSE(has_audit(back, audit_kind::external_change));
  auto set = find_cmd(back, d1);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->kind, op_kind::set);
  EXPECT_EQ(set->target, 8);
  EXPECT_EQ(set->change_from, 0);
  EXPECT_EQ(find_cmd(back, src), nullptr);
  auto w = st.write_result(d1, set->op_id, 8);
  EXPECT_TRUE(has_audit(w, audit_kind::aligned));
  EXPECT_TRUE(st.idle());
  EXPECT_EQ(view_of(st, src).known, 8);
}

TEST(inventory_stocking, a_late_disconnect_changes_nothing_once_a_read_finds_the_level) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  auto t = st.align();
  for (const auto& c : t.commands) st.read_result(c.at, c.op_id, 10);
  auto dc = st.disconnected(d1);
  EXPECT_EQ(view_of(st, d1).stock, stocking::disconnect_seen);
  // A Source sale while the disconnect is unconfirmed: no write to d1 yet.
  auto sale = st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9);
  EXPECT_EQ(find_cmd(sale, d1), nullptr);
  EXPECT_EQ(view_of(st, d1).pending_delta, -1);
  // The read finds the level (a sale there too, 10 -> 9): counted, and the delta goes out.
  auto r = st.read_result(d1, dc.commands.at(0).op_id, 9);
  EXPECT_EQ(view_of(st, d1).stock, stocking::stocked);
  EXPECT_TRUE(has_audit(r, audit_kind::external_change));
  ASSERT_NE(find_cmd(r, d1), nullptr);
  EXPECT_EQ(find_cmd(r, d1)->kind, op_kind::adjust);
  EXPECT_EQ(find_cmd(r, d1)->delta, -1);
  ASSERT_NE(find_cmd(r, src), nullptr);
  EXPECT_EQ(find_cmd(r, src)->delta, -1);
}

TEST(inventory_stocking, a_source_that_is_not_stocked_leaves_destinations_alone) {
  inventory_item_state st(make_layout(sync_mode::one_way, 2), 7);
  auto t = st.align();
  st.read_result(d1, find_cmd(t, d1)->op_id, 4);
  auto n = st.read_not_stocked(src, find_cmd(t, src)->op_id, stocking::not_stocked);
  EXPECT_TRUE(n.commands.empty());
  EXPECT_FALSE(view_of(st, d1).pending_target);
  EXPECT_TRUE(st.idle());
}

TEST(inventory_stocking, stock_unstocked_writes_destinations_without_a_compare) {
  inventory_item_state st(make_layout(sync_mode::two_way, 3), 7);
  align_with_d1_unstocked(st);
  EXPECT_TRUE(st.idle());
  auto on = st.set_stock_unstocked(true);
  auto set = find_cmd(on, d1);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->kind, op_kind::set);
  EXPECT_EQ(set->target, 10);
  EXPECT_FALSE(set->change_from); // no quantity to compare with before the level exists
  auto w = st.write_result(d1, set->op_id, 10);
  EXPECT_TRUE(has_audit(w, audit_kind::stocked));
  EXPECT_EQ(view_of(st, d1).stock, stocking::stocked);
  EXPECT_TRUE(st.idle());
}

TEST(inventory_stocking, stock_unstocked_never_writes_the_source) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  st.set_stock_unstocked(true);
  auto t = st.align();
  st.read_result(d1, find_cmd(t, d1)->op_id, 5);
  auto n = st.read_not_stocked(src, find_cmd(t, src)->op_id, stocking::not_stocked);
  EXPECT_FALSE(writes(n));
  EXPECT_EQ(view_of(st, src).stock, stocking::not_stocked);
}

TEST(inventory_stocking, an_inactive_level_is_not_written_unless_the_group_stocks_it) {
  inventory_item_state st(make_layout(sync_mode::one_way, 2), 7);
  auto t = st.align();
  st.read_result(src, find_cmd(t, src)->op_id, 6);
  auto n = st.read_not_stocked(d1, find_cmd(t, d1)->op_id, stocking::inactive, 2);
  EXPECT_FALSE(writes(n));
  EXPECT_EQ(view_of(st, d1).stock, stocking::inactive);
  // Once the group stocks unstocked levels, it is written (no compare: nothing to compare with).
  auto on = st.set_stock_unstocked(true);
  auto set = find_cmd(on, d1);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->target, 6);
  EXPECT_FALSE(set->change_from);
}

TEST(inventory_stocking, with_stock_unstocked_an_inactive_level_is_read_as_what_it_holds) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  st.set_stock_unstocked(true);
  auto t = st.align();
  st.read_result(src, find_cmd(t, src)->op_id, 6);
  auto r = st.read_not_stocked(d1, find_cmd(t, d1)->op_id, stocking::inactive, 2);
  EXPECT_FALSE(has_audit(r, audit_kind::not_stocked));
  auto set = find_cmd(r, d1);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->target, 6);
  EXPECT_EQ(set->change_from, 2); // a real level: compare-and-set from what it holds
}

TEST(inventory_stocking, the_state_survives_encode_and_decode) {
  inventory_item_state st(make_layout(sync_mode::two_way, 3), 7);
  align_with_d1_unstocked(st);
  st.set_stock_unstocked(true);
  auto decoded = inventory_item_state::decode(st.encode());
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(*decoded == st);
  EXPECT_EQ(view_of(*decoded, d1).stock, stocking::not_stocked);
  EXPECT_TRUE(decoded->stock_unstocked());
  EXPECT_EQ(st.encode().substr(0, 4), "iis6");
}

} // namespace
} // namespace shopsync::testing
