#include "domain/inventory_item_state.hpp"
#include "domain/write_expiry.hpp"
#include "item_state_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

namespace shopsync::testing {
namespace {

TEST(inventory_item_state, strategy_maps_to_mode) {
  EXPECT_EQ(sync_mode_for(sync_strategy::two_way), sync_mode::two_way);
  EXPECT_EQ(sync_mode_for(sync_strategy::one_way), sync_mode::one_way);
  EXPECT_EQ(sync_mode_for(sync_strategy::draft_order), sync_mode::one_way);
  EXPECT_EQ(sync_mode_for(sync_strategy::order), sync_mode::follow_orders);
  group_config g;
  g.strategy = sync_strategy::order;
  EXPECT_EQ(sync_mode_for(g), sync_mode::follow_orders);
  g.orders.inventory_behaviour = "BYPASS"; // no order will lower the Source: nothing to hold
  EXPECT_EQ(sync_mode_for(g), sync_mode::one_way);
  g.orders.inventory_behaviour = "DECREMENT_IGNORING_POLICY";
  g.orders.destination_hold = std::chrono::seconds(0);
  EXPECT_EQ(sync_mode_for(g), sync_mode::one_way);
  g.strategy = sync_strategy::draft_order; // a draft does not lower the Source
  g.orders.destination_hold = std::chrono::seconds(60);
  EXPECT_EQ(sync_mode_for(g), sync_mode::one_way);
}

TEST(inventory_item_state, one_way_alignment_sets_destinations_to_the_source) {
  inventory_item_state st(make_layout(sync_mode::one_way, 3), 7);
  auto t = st.align();
  ASSERT_EQ(t.commands.size(), 3u);
  for (const auto& c : t.commands) EXPECT_EQ(c.kind, op_kind::read);
  // Destinations answer first: nothing to do before the Source is known.
  EXPECT_TRUE(st.read_result(d1, find_cmd(t, d1)->op_id, 4).commands.empty());
  EXPECT_TRUE(st.read_result(d2, find_cmd(t, d2)->op_id, 10).commands.empty());
  auto r = st.read_result(src, find_cmd(t, src)->op_id, 10);
  ASSERT_EQ(r.commands.size(), 1u); // d2 already equals the Source: no write
  const auto& set = r.commands[0];
  EXPECT_EQ(set.kind, op_kind::set);
  EXPECT_TRUE(set.at == d1);
  EXPECT_EQ(set.target, 10);
  EXPECT_FALSE(set.change_from); // one-way overwrites by definition
  EXPECT_EQ(set.store, "store1");
  EXPECT_EQ(set.item, 1001u);
  EXPECT_EQ(set.location, 200u);
  EXPECT_FALSE(set.idempotency_key.empty());
  auto w = st.write_result(d1, set.op_id, 10);
  EXPECT_TRUE(w.commands.empty());
  EXPECT_TRUE(has_audit(w, audit_kind::level_set));
  EXPECT_TRUE(st.idle());
}

TEST(inventory_item_state, two_way_alignment_takes_the_source_value_as_baseline_with_compare) {
  inventory_item_state st(make_layout(sync_mode::two_way, 3), 7);
  auto t = st.align();
  EXPECT_TRUE(st.read_result(src, find_cmd(t, src)->op_id, 10).commands.empty());
  auto r1 = st.read_result(d1, find_cmd(t, d1)->op_id, 4);
  ASSERT_EQ(r1.commands.size(), 1u);
  EXPECT_EQ(r1.commands[0].kind, op_kind::set);
  EXPECT_EQ(r1.commands[0].target, 10);
  EXPECT_EQ(r1.commands[0].change_from, 4); // the value just read
  // Already at the baseline: aligned without a write.
  auto r2 = st.read_result(d2, find_cmd(t, d2)->op_id, 10);
  EXPECT_TRUE(r2.commands.empty());
  EXPECT_TRUE(has_audit(r2, audit_kind::aligned));
  EXPECT_TRUE(view_of(st, d2).aligned);
  EXPECT_FALSE(view_of(st, d1).aligned);
  auto w = st.write_result(d1, r1.commands[0].op_id, 10);
  EXPECT_TRUE(w.commands.empty());
  EXPECT_TRUE(view_of(st, d1).aligned);
  EXPECT_TRUE(st.idle());
}

TEST(inventory_item_state, stale_alignment_rereads_and_counts_the_racing_sale) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  auto t = st.align();
  (void)st.read_result(src, find_cmd(t, src)->op_id, 10);
  auto r = st.read_result(d1, find_cmd(t, d1)->op_id, 4);
  ASSERT_EQ(r.commands.size(), 1u);
  // A sale in d1 (4 -> 3) races the alignment: compare-and-set refuses.
  auto f = st.write_failed(d1, r.commands[0].op_id, failure_kind::stale, "CHANGE_FROM_QUANTITY_STALE");
  EXPECT_TRUE(has_audit(f, audit_kind::stale));
  ASSERT_EQ(f.commands.size(), 1u);
  EXPECT_EQ(f.commands[0].kind, op_kind::read);
  auto r2 = st.read_result(d1, f.commands[0].op_id, 3);
  // Counted: d1 becomes baseline - 1, and the Source loses one too.
  const command* set = find_cmd(r2, d1);
  const command* adj = find_cmd(r2, src);
  ASSERT_TRUE(set && adj);
  EXPECT_EQ(set->kind, op_kind::set);
  EXPECT_EQ(set->target, 9);
  EXPECT_EQ(set->change_from, 3);
  EXPECT_NE(set->op_id, r.commands[0].op_id); // a new request, a new key
  EXPECT_EQ(adj->kind, op_kind::adjust);
  EXPECT_EQ(adj->delta, -1);
  EXPECT_FALSE(adj->change_from);
}

TEST(inventory_item_state, echo_equal_to_known_with_nothing_in_flight_is_dropped) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 5);
  auto t = st.hint(d1, 5);
  EXPECT_TRUE(t.commands.empty());
  ASSERT_EQ(t.audit.size(), 1u);
  EXPECT_EQ(t.audit[0].kind, audit_kind::echo_dropped);
  EXPECT_EQ(t.audit[0].before, 5);
  EXPECT_EQ(t.audit[0].store, "store1");
  EXPECT_EQ(t.audit[0].location, 200u);
  EXPECT_TRUE(st.idle());
}

TEST(inventory_item_state, hint_that_differs_is_reread_not_trusted) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 5);
  auto t = st.hint(d1, 2); // a late or reordered webhook may lie
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].kind, op_kind::read);
  EXPECT_TRUE(view_of(st, d1).known == 5); // the hint changed nothing certain
  // The truth turns out to be 4: one sale, propagated as a delta of -1 (not -3).
  auto r = st.read_result(d1, t.commands[0].op_id, 4);
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_EQ(r.commands[0].kind, op_kind::adjust);
  EXPECT_TRUE(r.commands[0].at == src);
  EXPECT_EQ(r.commands[0].delta, -1);
  EXPECT_TRUE(has_audit(r, audit_kind::external_change));
}

TEST(inventory_item_state, hint_while_an_op_is_in_flight_reads_after_it_completes) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 5);
  auto t = st.hint(src, 4);
  auto read = t.commands.at(0);
  // Equal or not, a hint during flight may describe a change after the op: re-read later.
  auto h = st.hint(src, 5);
  EXPECT_TRUE(h.commands.empty());
  EXPECT_TRUE(has_audit(h, audit_kind::hint_dirty));
  EXPECT_TRUE(view_of(st, src).dirty);
  auto r = st.read_result(src, read.op_id, 4);
  const command* again = find_cmd(r, src);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->kind, op_kind::read);
  EXPECT_NE(again->op_id, read.op_id);
  const command* adj = find_cmd(r, d1);
  ASSERT_TRUE(adj);
  EXPECT_EQ(adj->delta, -1);
}

TEST(inventory_item_state, read_is_held_while_a_write_is_in_flight) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 5);
  auto t = st.read_result(src, st.hint(src, 4).commands.at(0).op_id, 4);
  auto adj = *find_cmd(t, d1);
  auto h = st.hint(d1, 3); // a sale in d1 while our adjust is in flight
  EXPECT_TRUE(h.commands.empty()) << "one op in flight per level";
  // The write's answer reveals the racing sale: after = 3 for delta -1 from 5 → external -1.
  auto w = st.write_result(d1, adj.op_id, 3);
  EXPECT_TRUE(has_audit(w, audit_kind::delta_propagated));
  EXPECT_TRUE(has_audit(w, audit_kind::external_change));
  const command* to_src = find_cmd(w, src);
  ASSERT_TRUE(to_src);
  EXPECT_EQ(to_src->kind, op_kind::adjust);
  EXPECT_EQ(to_src->delta, -1);
  // The hint that came during flight said 3, what the answer found: no re-read.
  EXPECT_TRUE(find_cmd(w, d1) == nullptr);
  EXPECT_TRUE(has_audit(w, audit_kind::echo_dropped));
  EXPECT_EQ(view_of(st, d1).known, 3);
  EXPECT_FALSE(view_of(st, d1).dirty);
}

// Chaos seeds 13001 and 15004: the Source's level owed a delta, but each of its reads was joined
// by a reconcile round whose hint (the same value) arrived while the next read was in flight, so
// every answer found the level dirty and read again: the delta never left.
TEST(inventory_item_state, hints_in_flight_that_agree_with_the_answer_ask_for_no_second_read) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 10);
  auto read_src = st.hint(src, 11).commands.at(0); // a restock at the Source: read it
  auto rd = st.hint(d1, 8).commands.at(0);         // a sale in d1
  auto t = st.read_result(d1, rd.op_id, 8);
  EXPECT_TRUE(find_cmd(t, src) == nullptr) << "the Source is being read: its -2 waits";
  // Reconcile rounds read the Source too: their hints arrive while our read is in flight.
  EXPECT_TRUE(st.hint(src, 11).commands.empty());
  EXPECT_TRUE(st.hint(src, 11).commands.empty());
  // The state survives a restart in this very moment.
  auto back = inventory_item_state::decode(st.encode());
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_TRUE(*back == st);
  for (auto* s : {&st, &*back}) {
    auto a = s->read_result(src, read_src.op_id, 11);
    EXPECT_TRUE(has_audit(a, audit_kind::echo_dropped));
    const command* to_src = find_cmd(a, src);
    ASSERT_TRUE(to_src) << "the delta it owes";
    EXPECT_EQ(to_src->kind, op_kind::adjust);
    EXPECT_EQ(to_src->delta, -2);
    const command* to_d1 = find_cmd(a, d1); // and d1 gets the Source's restock
    ASSERT_TRUE(to_d1);
    EXPECT_EQ(to_d1->delta, 1);
    EXPECT_TRUE(s->write_result(src, to_src->op_id, 9).commands.empty());
    EXPECT_TRUE(s->write_result(d1, to_d1->op_id, 9).commands.empty());
    EXPECT_TRUE(s->idle());
  }
}

TEST(inventory_item_state, hints_in_flight_that_disagree_with_the_answer_are_read_again) {
  for (std::vector<std::int64_t> hints : {std::vector<std::int64_t>{12}, {11, 12}, {12, 11}}) {
    inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
    align_equal(st, 10);
    auto read_src = st.hint(src, 11).commands.at(0);
    for (auto h : hints) EXPECT_TRUE(st.hint(src, h).commands.empty());
    auto a = st.read_result(src, read_src.op_id, 11);
    const command* again = find_cmd(a, src);
    ASSERT_TRUE(again) << "a hint said something else: only a read can tell which is newer";
    EXPECT_EQ(again->kind, op_kind::read);
  }
}

TEST(inventory_item_state, a_dirty_two_way_level_owing_a_delta_sends_it_without_reading_first) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 10);
  auto t1 = st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9);
  auto first = *find_cmd(t1, d1);
  (void)st.read_result(src, st.hint(src, 8).commands.at(0).op_id, 8); // -1 more, pending for d1
  EXPECT_TRUE(st.hint(d1, 12).commands.empty()); // webhooks that disagree arrive meanwhile
  EXPECT_TRUE(st.hint(d1, 6).commands.empty());
  auto w = st.write_result(d1, first.op_id, 9);
  const command* next = find_cmd(w, d1);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->kind, op_kind::adjust) << "its answer is as good as a read";
  EXPECT_EQ(next->delta, -1);
  // d1 sold 3 meanwhile: 9 - 3 - 1 = 5. The answer counts the sale and sends it to the Source.
  auto w2 = st.write_result(d1, next->op_id, 5);
  EXPECT_TRUE(has_audit(w2, audit_kind::external_change));
  const command* to_src = find_cmd(w2, src);
  ASSERT_TRUE(to_src);
  EXPECT_EQ(to_src->delta, -3);
  EXPECT_TRUE(find_cmd(w2, d1) == nullptr) << "nothing left to learn there";
}

TEST(inventory_item_state, an_applied_write_whose_level_was_not_reported_is_not_sent_again_and_is_re_read) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 10);
  auto t = st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9);
  auto adj = *find_cmd(t, d1);
  auto u = st.write_applied_unseen(d1, adj.op_id);
  ASSERT_TRUE(has_audit(u, audit_kind::delta_propagated));
  ASSERT_EQ(u.commands.size(), 1u);
  EXPECT_EQ(u.commands[0].kind, op_kind::read) << "never the adjust again";
  EXPECT_EQ(view_of(st, d1).known, 9); // what the adjust made it
  // d1 sold 2 while the adjust was on its way: the read finds 7 and counts it.
  auto r = st.read_result(d1, u.commands[0].op_id, 7);
  EXPECT_TRUE(has_audit(r, audit_kind::external_change));
  const command* to_src = find_cmd(r, src);
  ASSERT_TRUE(to_src);
  EXPECT_EQ(to_src->delta, -2);
  // A second answer for the same op (the record asked again) changes nothing.
  EXPECT_TRUE(has_audit(st.write_applied_unseen(d1, adj.op_id), audit_kind::stale_answer));
  // One-way: the set is taken as done, and checked.
  inventory_item_state ow(make_layout(sync_mode::one_way, 2), 7);
  align_equal(ow, 10);
  auto s = ow.read_result(src, ow.hint(src, 4).commands.at(0).op_id, 4);
  auto set = *find_cmd(s, d1);
  auto us = ow.write_applied_unseen(d1, set.op_id);
  ASSERT_EQ(us.commands.size(), 1u);
  EXPECT_EQ(us.commands[0].kind, op_kind::read);
  EXPECT_TRUE(ow.read_result(d1, us.commands[0].op_id, 4).commands.empty());
  EXPECT_TRUE(ow.idle());
}

TEST(inventory_item_state, two_way_deltas_reach_every_other_store_and_sum) {
  inventory_item_state st(make_layout(sync_mode::two_way, 3), 7);
  align_equal(st, 10);
  auto t1 = st.read_result(src, st.hint(src, 8).commands.at(0).op_id, 8);
  ASSERT_EQ(t1.commands.size(), 2u);
  auto a1 = *find_cmd(t1, d1);
  EXPECT_EQ(a1.delta, -2);
  EXPECT_EQ(find_cmd(t1, d2)->delta, -2);
  EXPECT_TRUE(find_cmd(t1, src) == nullptr); // never back to where it came from
  EXPECT_EQ(view_of(st, d2).in_flight, op_kind::adjust);
  EXPECT_TRUE(st.write_result(d1, a1.op_id, 8).commands.empty());
  EXPECT_TRUE(st.write_result(d2, find_cmd(t1, d2)->op_id, 8).commands.empty());
  EXPECT_TRUE(st.idle());
}

TEST(inventory_item_state, concurrent_sales_in_two_stores_are_both_counted) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 10);
  auto rs = st.hint(src, 9).commands.at(0);
  auto rd = st.hint(d1, 8).commands.at(0);
  auto t1 = st.read_result(src, rs.op_id, 9); // -1 in the Source
  EXPECT_TRUE(find_cmd(t1, d1) == nullptr) << "d1 is being read: its delta waits";
  EXPECT_EQ(view_of(st, d1).pending_delta, -1);
  auto t2 = st.read_result(d1, rd.op_id, 8); // -2 in d1
  auto adj_d1 = *find_cmd(t2, d1);
  auto adj_src = *find_cmd(t2, src);
  EXPECT_EQ(adj_d1.delta, -1);
  EXPECT_EQ(adj_src.delta, -2);
  EXPECT_TRUE(st.write_result(d1, adj_d1.op_id, 7).commands.empty());
  EXPECT_TRUE(st.write_result(src, adj_src.op_id, 7).commands.empty());
  EXPECT_TRUE(st.idle());
  EXPECT_EQ(view_of(st, src).known, 7);
  EXPECT_EQ(view_of(st, d1).known, 7);
  // Their echoes are dropped.
  EXPECT_TRUE(st.hint(src, 7).commands.empty());
  EXPECT_TRUE(st.hint(d1, 7).commands.empty());
}

TEST(inventory_item_state, one_sale_makes_exactly_one_write_per_other_store_then_silence) {
  inventory_item_state st(make_layout(sync_mode::two_way, 3), 7);
  align_equal(st, 10);
  int writes = 0;
  auto count = [&](const transition& t) {
    for (const auto& c : t.commands) writes += c.kind != op_kind::read;
    return t;
  };
  auto t = count(st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9));
  // The echoes of our own writes arrive before, between and after the answers.
  (void)count(st.hint(d1, 9));
  auto w1 = count(st.write_result(d1, find_cmd(t, d1)->op_id, 9));
  EXPECT_TRUE(w1.commands.empty()); // d1's echo came during flight and says what the answer says
  EXPECT_TRUE(count(st.hint(d1, 9)).commands.empty()); // a duplicate echo after it: dropped
  (void)count(st.hint(d2, 9));
  (void)count(st.hint(d2, 9));
  EXPECT_TRUE(count(st.write_result(d2, find_cmd(t, d2)->op_id, 9)).commands.empty());
  EXPECT_TRUE(count(st.hint(src, 9)).commands.empty());
  auto late = count(st.hint(d2, 10)); // a late webhook of the level before the sale: re-read
  ASSERT_EQ(late.commands.size(), 1u);
  EXPECT_EQ(late.commands[0].kind, op_kind::read);
  EXPECT_EQ(writes, 2);
  EXPECT_TRUE(count(st.read_result(d2, late.commands[0].op_id, 9)).commands.empty());
  EXPECT_EQ(writes, 2);
  EXPECT_TRUE(st.idle());
}

TEST(inventory_item_state, deltas_coalesce_while_a_write_is_in_flight) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 10);
  auto t1 = st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9);
  auto first = *find_cmd(t1, d1);
  auto t2 = st.read_result(src, st.hint(src, 7).commands.at(0).op_id, 7);
  auto t3 = st.read_result(src, st.hint(src, 6).commands.at(0).op_id, 6);
  EXPECT_TRUE(find_cmd(t2, d1) == nullptr && find_cmd(t3, d1) == nullptr);
  EXPECT_EQ(view_of(st, d1).pending_delta, -3);
  auto w = st.write_result(d1, first.op_id, 9);
  const command* next = find_cmd(w, d1);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->delta, -3); // one write for three sales
}

TEST(inventory_item_state, one_way_newest_source_value_wins) {
  inventory_item_state st(make_layout(sync_mode::one_way, 2), 7);
  align_equal(st, 10);
  auto t1 = st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9);
  auto set1 = *find_cmd(t1, d1);
  EXPECT_EQ(set1.target, 9);
  (void)st.read_result(src, st.hint(src, 8).commands.at(0).op_id, 8);
  (void)st.read_result(src, st.hint(src, 6).commands.at(0).op_id, 6);
  EXPECT_EQ(view_of(st, d1).pending_target, 6);
  auto w = st.write_result(d1, set1.op_id, 9);
  const command* set2 = find_cmd(w, d1);
  ASSERT_TRUE(set2);
  EXPECT_EQ(set2->target, 6);
}

TEST(inventory_item_state, one_way_destination_edit_is_set_back_and_not_propagated) {
  inventory_item_state st(make_layout(sync_mode::one_way, 3), 7);
  align_equal(st, 10);
  auto r = st.read_result(d1, st.hint(d1, 15).commands.at(0).op_id, 15); // manual edit in d1
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_TRUE(r.commands[0].at == d1);
  EXPECT_EQ(r.commands[0].kind, op_kind::set);
  EXPECT_EQ(r.commands[0].target, 10);
  EXPECT_TRUE(st.write_result(d1, r.commands[0].op_id, 10).commands.empty());
  EXPECT_EQ(view_of(st, src).known, 10);
  EXPECT_TRUE(st.idle());
}

// An order group: a Destination's sale becomes a Source order that lowers the Source. Until
// then the Destination keeps its lower level; setting it back up would sell the unit twice.
TEST(inventory_item_state, follow_orders_holds_a_destination_sale_until_the_source_changes) {
  inventory_item_state st(make_layout(sync_mode::follow_orders, 3), 7);
  align_equal(st, 10);
  auto r = st.read_result(d1, st.hint(d1, 8).commands.at(0).op_id, 8); // a sale of 2 in d1
  EXPECT_TRUE(r.commands.empty()) << "the sale must not be set back";
  EXPECT_TRUE(has_audit(r, audit_kind::held));
  EXPECT_TRUE(r.held) << "the holder starts the grace period";
  EXPECT_TRUE(has_audit(r, audit_kind::external_change));
  EXPECT_TRUE(view_of(st, d1).held);
  EXPECT_TRUE(st.holding());
  EXPECT_FALSE(st.idle()); // the holder owes a release
  // A reconcile read of the same value changes nothing.
  EXPECT_TRUE(st.read_result(d1, st.hint(d1, 9).commands.at(0).op_id, 8).commands.empty());
  // The order lands: the Source drops by 2; d1 already shows it, d2 follows.
  auto o = st.read_result(src, st.hint(src, 8).commands.at(0).op_id, 8);
  EXPECT_TRUE(has_audit(o, audit_kind::released));
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_TRUE(o.commands[0].at == d2);
  EXPECT_EQ(o.commands[0].target, 8);
  EXPECT_TRUE(st.write_result(d2, o.commands[0].op_id, 8).commands.empty());
  EXPECT_FALSE(st.holding());
  EXPECT_TRUE(st.idle());
}

TEST(inventory_item_state, follow_orders_grace_period_over_sets_the_destination_back) {
  inventory_item_state st(make_layout(sync_mode::follow_orders, 2), 7);
  align_equal(st, 10);
  EXPECT_TRUE(st.read_result(d1, st.hint(d1, 9).commands.at(0).op_id, 9).commands.empty());
  auto r = st.release_holds(); // the order never reached the Source (or needs attention)
  EXPECT_TRUE(has_audit(r, audit_kind::released));
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_EQ(r.commands[0].kind, op_kind::set);
  EXPECT_EQ(r.commands[0].target, 10);
  EXPECT_EQ(r.commands[0].change_from, 9); // compare-and-set: a newer sale is not overwritten
  EXPECT_TRUE(st.write_result(d1, r.commands[0].op_id, 10).commands.empty());
  EXPECT_TRUE(st.idle());
  EXPECT_TRUE(st.release_holds().commands.empty()); // nothing held: nothing to do
}

TEST(inventory_item_state, follow_orders_never_holds_a_destination_above_the_source) {
  inventory_item_state st(make_layout(sync_mode::follow_orders, 2), 7);
  align_equal(st, 10);
  // A restock (or a return) in the Destination is no sale: set back at once.
  auto up = st.read_result(d1, st.hint(d1, 14).commands.at(0).op_id, 14);
  EXPECT_FALSE(has_audit(up, audit_kind::held));
  EXPECT_FALSE(up.held);
  ASSERT_EQ(up.commands.size(), 1u);
  EXPECT_EQ(up.commands[0].target, 10);
  EXPECT_EQ(up.commands[0].change_from, 14);
  // A sale races the set: the compare fails, the level is re-read, the sale is held at 9.
  auto stale = st.write_failed(d1, up.commands[0].op_id, failure_kind::stale, "CHANGE_FROM_QUANTITY_STALE");
  ASSERT_EQ(stale.commands.size(), 1u);
  EXPECT_EQ(stale.commands[0].kind, op_kind::read);
  auto held = st.read_result(d1, stale.commands[0].op_id, 9);
  EXPECT_TRUE(has_audit(held, audit_kind::held));
  EXPECT_TRUE(held.commands.empty()); // 9 is below the Source: kept
  // Held, but the Source drops below it (a sale there): set down at once, no need to wait.
  auto down = st.read_result(src, st.hint(src, 5).commands.at(0).op_id, 5);
  ASSERT_EQ(down.commands.size(), 1u);
  EXPECT_EQ(down.commands[0].target, 5);
}

TEST(inventory_item_state, follow_orders_holds_survive_encode_decode_and_version_1_still_reads) {
  inventory_item_state st(make_layout(sync_mode::follow_orders, 2), 7);
  align_equal(st, 10);
  (void)st.read_result(d1, st.hint(d1, 9).commands.at(0).op_id, 9);
  auto text = st.encode();
  EXPECT_EQ(text.compare(0, 4, "iis6"), 0);
  auto back = inventory_item_state::decode(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->holding());
  EXPECT_EQ(back->layout().mode, sync_mode::follow_orders);
  EXPECT_TRUE(*back == st);
  // States written by older versions: each level ends "u<dirty> <hinted> u<aligned> u<held>
  // s<n>:<blocked> u<stocking> <known_at> u<slack> <hinted_at> <hinted_low> u<unverified>
  // <written_from>" after a header "... u<paused> u<stock_unstocked>"; version 5 had no lowest
  // hint, unverified flag nor level before the write, version 4 no times, version 3 no stocking
  // (nor the header flag), version 2 no hinted value, version 1 no held flag.
  inventory_item_state old(make_layout(sync_mode::one_way, 2), 7);
  align_equal(old, 10);
  auto v6 = old.encode();
  std::string v5 = std::regex_replace("iis5" + v6.substr(4), std::regex("(s[0-9]+:[^ ]* u[0-9]+ - u0 -) - u0 -"), "$1");
  ASSERT_LT(v5.size(), v6.size());
  std::string v4 = std::regex_replace("iis4" + v5.substr(4), std::regex("(s[0-9]+:[^ ]* u[0-9]+) - u0 -"), "$1");
  ASSERT_LT(v4.size(), v5.size());
  std::string v3 = std::regex_replace(v4, std::regex("^iis4( s[0-9]+:[^ ]* u[0-9]+ u[0-9]+ u[0-9]+ u[01]) u[01]"), "iis3$1");
  v3 = std::regex_replace(v3, std::regex("(s0:) u0( |$)"), "$1$2");
  ASSERT_LT(v3.size(), v4.size());
  std::string v2 = std::regex_replace("iis2" + v3.substr(4), std::regex(" u([01]) - u([01]) u([01]) (s[0-9]+:)"),
                                      " u$1 u$2 u$3 $4");
  std::string v1 = std::regex_replace("iis1" + v2.substr(4), std::regex(" u([01]) u0 (s[0-9]+:)"), " u$1 $2");
  ASSERT_LT(v2.size(), v3.size());
  ASSERT_LT(v1.size(), v2.size());
  for (const auto& older : {v5, v4, v3, v2, v1}) {
    auto from = inventory_item_state::decode(older);
    ASSERT_TRUE(from.ok()) << from.error().message;
    EXPECT_FALSE(from->holding());
    EXPECT_EQ(from->encode(), v6);
  }
}

TEST(inventory_item_state, null_available_is_ignored_with_a_reason) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 5);
  auto t = st.hint(d1, std::nullopt);
  EXPECT_TRUE(t.commands.empty());
  ASSERT_EQ(t.audit.size(), 1u);
  EXPECT_EQ(t.audit[0].kind, audit_kind::hint_ignored);
  EXPECT_EQ(t.audit[0].cause, "available is null");
  auto u = st.hint({5, 0}, 3);
  EXPECT_TRUE(u.commands.empty());
  EXPECT_EQ(u.audit.at(0).kind, audit_kind::hint_ignored);
}

TEST(inventory_item_state, transient_write_failure_retries_the_same_op_and_key) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 10);
  auto t = st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9);
  auto adj = *find_cmd(t, d1);
  auto f = st.write_failed(d1, adj.op_id, failure_kind::transient, "TIMEOUT");
  ASSERT_EQ(f.commands.size(), 1u);
  EXPECT_EQ(f.commands[0].op_id, adj.op_id);
  EXPECT_EQ(f.commands[0].idempotency_key, adj.idempotency_key);
  EXPECT_EQ(f.commands[0].delta, adj.delta);
  EXPECT_EQ(f.commands[0].attempt, 1u);
  EXPECT_TRUE(has_audit(f, audit_kind::retried));
  // The answer of the first attempt arrives after all: applied once, counted once.
  auto w = st.write_result(d1, adj.op_id, 9);
  EXPECT_TRUE(w.commands.empty());
  // And the retry's identical answer is a stale answer now.
  auto again = st.write_result(d1, adj.op_id, 9);
  EXPECT_TRUE(again.commands.empty());
  EXPECT_EQ(again.audit.at(0).kind, audit_kind::stale_answer);
  EXPECT_EQ(view_of(st, d1).known, 9);
}

TEST(inventory_item_state, permanent_write_error_blocks_the_level_without_a_retry_loop) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 10);
  auto t = st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9);
  auto adj = *find_cmd(t, d1);
  auto f = st.write_failed(d1, adj.op_id, failure_kind::permanent, "NON_MUTABLE_INVENTORY_ITEM");
  EXPECT_TRUE(f.commands.empty());
  ASSERT_TRUE(has_audit(f, audit_kind::error));
  auto v = view_of(st, d1);
  EXPECT_EQ(v.blocked, "NON_MUTABLE_INVENTORY_ITEM");
  EXPECT_EQ(v.pending_delta, -1); // kept, not lost
  // More changes and hints: nothing is sent to the blocked level.
  auto t2 = st.read_result(src, st.hint(src, 8).commands.at(0).op_id, 8);
  EXPECT_TRUE(find_cmd(t2, d1) == nullptr);
  EXPECT_TRUE(st.hint(d1, 3).commands.empty());
  EXPECT_EQ(view_of(st, d1).pending_delta, -2);
  // Cleared by the operator: the accumulated delta goes out at once, and its answer is the
  // read: a change made there while blocked (10 -> 12) is counted from it.
  auto c = st.clear_error(d1);
  EXPECT_TRUE(has_audit(c, audit_kind::error_cleared));
  ASSERT_EQ(c.commands.size(), 1u);
  EXPECT_EQ(c.commands[0].kind, op_kind::adjust);
  EXPECT_EQ(c.commands[0].delta, -2);
  auto r = st.write_result(d1, c.commands[0].op_id, 10);
  EXPECT_TRUE(has_audit(r, audit_kind::external_change));
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_EQ(r.commands[0].at.store, src.store);
  EXPECT_EQ(r.commands[0].delta, 2);
}

// ADJUST_QUANTITIES_FAILED, SERVICE_UNAVAILABLE, IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED: not applied,
// and Shopify refuses the key whose attempt failed. Not a block: the intent goes out again as a
// new op (so a new key), after a backoff.
TEST(inventory_item_state, a_write_refused_as_not_applied_goes_out_again_as_a_new_op_with_a_new_key) {
  for (const char* code : {"ADJUST_QUANTITIES_FAILED", "SERVICE_UNAVAILABLE", "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"}) {
    SCOPED_TRACE(code);
    inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
    align_equal(st, 10);
    auto t = st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9);
    auto adj = *find_cmd(t, d1);
    auto f = st.write_failed(d1, adj.op_id, failure_kind::not_applied, code);
    EXPECT_TRUE(has_audit(f, audit_kind::not_applied));
    EXPECT_FALSE(has_audit(f, audit_kind::error));
    EXPECT_EQ(view_of(st, d1).blocked, "");
    ASSERT_EQ(f.commands.size(), 1u);
    const auto& again = f.commands[0];
    EXPECT_EQ(again.kind, op_kind::adjust) << "a two-way adjust's answer is the read";
    EXPECT_EQ(again.delta, -1) << "the delta is owed once, not lost, not doubled";
    EXPECT_NE(again.op_id, adj.op_id);
    EXPECT_NE(again.idempotency_key, adj.idempotency_key);
    EXPECT_GT(again.attempt, 0u) << "sent after a backoff";
    // The refused op's own late answers change nothing.
    EXPECT_TRUE(has_audit(st.write_failed(d1, adj.op_id, failure_kind::not_applied, code), audit_kind::stale_answer));
    auto ok = st.write_result(d1, again.op_id, 9);
    EXPECT_TRUE(ok.commands.empty());
    EXPECT_EQ(view_of(st, d1).known, 9);
    EXPECT_TRUE(st.idle());
  }
  // One-way: the level is read first (after a backoff), then set under a new op and key.
  inventory_item_state ow(make_layout(sync_mode::one_way, 2), 7);
  align_equal(ow, 10);
  auto s = ow.read_result(src, ow.hint(src, 4).commands.at(0).op_id, 4);
  auto set = *find_cmd(s, d1);
  auto f = ow.write_failed(d1, set.op_id, failure_kind::not_applied, "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED");
  ASSERT_EQ(f.commands.size(), 1u);
  EXPECT_EQ(f.commands[0].kind, op_kind::read);
  EXPECT_GT(f.commands[0].attempt, 0u);
  auto r = ow.read_result(d1, f.commands[0].op_id, 10);
  auto set2 = find_cmd(r, d1);
  ASSERT_TRUE(set2);
  EXPECT_EQ(set2->kind, op_kind::set);
  EXPECT_EQ(set2->target, 4);
  EXPECT_NE(set2->idempotency_key, set.idempotency_key);
  EXPECT_TRUE(ow.write_result(d1, set2->op_id, 4).commands.empty());
  EXPECT_TRUE(ow.idle());
}

// A write unanswered for longer than Shopify may keep its key: a resend might apply twice.
// It is taken as applied and the level is read; the read counts whatever else changed.
TEST(inventory_item_state, a_write_unanswered_past_its_key_lifetime_is_read_never_resent) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 10);
  auto t = st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9);
  auto adj = *find_cmd(t, d1);
  auto retry = st.write_failed(d1, adj.op_id, failure_kind::transient, "admin.unavailable");
  ASSERT_EQ(retry.commands.size(), 1u); // young: the same op, the same key
  auto e = st.write_failed(d1, adj.op_id, failure_kind::expired, "shopsync.key_expired");
  ASSERT_TRUE(has_audit(e, audit_kind::expired));
  ASSERT_EQ(e.commands.size(), 1u);
  EXPECT_EQ(e.commands[0].kind, op_kind::read) << "never the adjust again";
  EXPECT_EQ(view_of(st, d1).known, 9) << "taken as applied";
  // It had applied, and d1 sold 2 since: the read counts the sale, and only the sale.
  auto r = st.read_result(d1, e.commands[0].op_id, 7);
  EXPECT_TRUE(has_audit(r, audit_kind::external_change));
  const command* to_src = find_cmd(r, src);
  ASSERT_TRUE(to_src);
  EXPECT_EQ(to_src->delta, -2);
  EXPECT_TRUE(st.write_result(src, to_src->op_id, 7).commands.empty());
  EXPECT_TRUE(st.idle());
  // The old op's answer, should it still come, changes nothing.
  EXPECT_TRUE(has_audit(st.write_result(d1, adj.op_id, 9), audit_kind::stale_answer));
  // One-way: the set is taken as done and checked by the read; a level found elsewhere is set
  // again under a new key.
  inventory_item_state ow(make_layout(sync_mode::one_way, 2), 7);
  align_equal(ow, 10);
  auto s = ow.read_result(src, ow.hint(src, 4).commands.at(0).op_id, 4);
  auto set = *find_cmd(s, d1);
  auto oe = ow.write_failed(d1, set.op_id, failure_kind::expired, "shopsync.key_expired");
  ASSERT_EQ(oe.commands.size(), 1u);
  EXPECT_EQ(oe.commands[0].kind, op_kind::read);
  auto or_ = ow.read_result(d1, oe.commands[0].op_id, 10); // it had not applied
  auto set2 = find_cmd(or_, d1);
  ASSERT_TRUE(set2);
  EXPECT_EQ(set2->target, 4);
  EXPECT_NE(set2->idempotency_key, set.idempotency_key);
}

TEST(inventory_item_state, read_failures_retry_or_block) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  auto t = st.align();
  auto rd = *find_cmd(t, d1);
  auto f = st.read_failed(d1, rd.op_id, failure_kind::transient, "THROTTLED");
  ASSERT_EQ(f.commands.size(), 1u);
  EXPECT_EQ(f.commands[0].op_id, rd.op_id);
  EXPECT_EQ(f.commands[0].kind, op_kind::read);
  auto p = st.read_failed(d1, rd.op_id, failure_kind::permanent, "NOT_FOUND");
  EXPECT_TRUE(p.commands.empty());
  EXPECT_TRUE(has_audit(p, audit_kind::error));
  EXPECT_EQ(view_of(st, d1).blocked, "NOT_FOUND");
  EXPECT_EQ(view_of(st, d1).in_flight, op_kind::none);
}

TEST(inventory_item_state, answers_for_ops_not_in_flight_are_ignored) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 10);
  auto rd = st.hint(src, 9).commands.at(0);
  auto wrong = st.read_result(src, rd.op_id + 100, 1);
  EXPECT_TRUE(wrong.commands.empty());
  EXPECT_EQ(wrong.audit.at(0).kind, audit_kind::stale_answer);
  EXPECT_TRUE(st.write_result(src, rd.op_id, 1).commands.empty()); // a read is not a write
  EXPECT_TRUE(st.write_failed(src, rd.op_id, failure_kind::permanent, "X").commands.empty());
  EXPECT_TRUE(view_of(st, src).blocked.empty());
  EXPECT_EQ(view_of(st, src).known, 10);
}

TEST(inventory_item_state, pause_holds_writes_but_records_inputs) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 10);
  auto p = st.set_paused(true);
  EXPECT_TRUE(has_audit(p, audit_kind::paused));
  EXPECT_TRUE(st.paused());
  auto t1 = st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9); // reads still go
  EXPECT_TRUE(t1.commands.empty());
  auto t2 = st.read_result(src, st.hint(src, 7).commands.at(0).op_id, 7);
  EXPECT_TRUE(t2.commands.empty());
  EXPECT_EQ(view_of(st, d1).pending_delta, -3);
  EXPECT_FALSE(st.idle());
  auto r = st.set_paused(false);
  EXPECT_TRUE(has_audit(r, audit_kind::resumed));
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_EQ(r.commands[0].kind, op_kind::adjust);
  EXPECT_EQ(r.commands[0].delta, -3);
  EXPECT_TRUE(st.set_paused(false).audit.empty()); // no change, nothing to record
}

TEST(inventory_item_state, encode_decode_round_trips_mid_flight_and_restart_resends) {
  auto layout = make_layout(sync_mode::two_way, 3, 2);
  layout.identity = "handle:tee/Red / M";
  layout.stores[2].store = "odd name: with spaces s3:x";
  layout.slots[1].locations[2].reset(); // store 2 has no location in slot 1
  inventory_item_state st(layout, 42);
  auto t = st.align();
  for (const auto& c : t.commands)
    if (!(c.at == d2)) (void)st.read_result(c.at, c.op_id, c.at.store == 0 ? 10 : 4);
  (void)st.set_paused(true);
  (void)st.set_paused(false);
  (void)st.write_failed(d1, view_of(st, d1).op_id, failure_kind::transient, "TIMEOUT");

  auto encoded = st.encode();
  auto decoded = inventory_item_state::decode(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_TRUE(*decoded == st);
  EXPECT_EQ(decoded->encode(), encoded);
  EXPECT_EQ(decoded->layout().identity, "handle:tee/Red / M");
  EXPECT_EQ(decoded->layout().stores[2].store, "odd name: with spaces s3:x");
  EXPECT_FALSE(decoded->layout().slots[1].locations[2].has_value());

  // The in-flight ops come back with the same op ids and keys.
  auto before = st.view();
  auto resent = decoded->restart();
  std::size_t in_flight = 0;
  for (const auto& v : before)
    if (v.in_flight != op_kind::none) {
      ++in_flight;
      const command* c = find_cmd(resent, v.at);
      ASSERT_TRUE(c);
      EXPECT_EQ(c->op_id, v.op_id);
      EXPECT_EQ(c->kind, v.in_flight);
      EXPECT_GT(c->attempt, 0u);
    }
  EXPECT_EQ(resent.commands.size(), in_flight);
  EXPECT_GE(in_flight, 2u);

  // Both continue identically.
  auto a = st.read_result(d2, find_cmd(t, d2)->op_id, 7);
  auto b = decoded->read_result(d2, find_cmd(t, d2)->op_id, 7);
  ASSERT_EQ(a.commands.size(), b.commands.size());
  for (std::size_t i = 0; i < a.commands.size(); ++i) {
    EXPECT_EQ(a.commands[i].op_id, b.commands[i].op_id);
    EXPECT_EQ(a.commands[i].idempotency_key, b.commands[i].idempotency_key);
  }
  EXPECT_TRUE(*decoded == st);
}

TEST(inventory_item_state, decode_rejects_damaged_input) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  (void)st.align();
  auto good = st.encode();
  EXPECT_FALSE(inventory_item_state::decode("").ok());
  EXPECT_FALSE(inventory_item_state::decode("iis9" + good.substr(4)).ok());
  EXPECT_FALSE(inventory_item_state::decode(good + " u1").ok());
  EXPECT_FALSE(inventory_item_state::decode(good.substr(0, good.size() - 3)).ok());
  auto d = inventory_item_state::decode("iis1 s3:abc");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "state.corrupt");
}

TEST(inventory_item_state, decode_survives_every_truncation_and_byte_flip) {
  auto layout = make_layout(sync_mode::two_way, 3, 2);
  layout.slots[1].locations[1].reset();
  inventory_item_state st(layout, 3);
  auto t = st.align();
  (void)st.read_result(src, find_cmd(t, src)->op_id, 10);
  const auto good = st.encode();
  int accepted = 0;
  for (std::size_t n = 0; n < good.size(); ++n)
    accepted += inventory_item_state::decode(good.substr(0, n)).ok();
  EXPECT_EQ(accepted, 0);
  for (std::size_t i = 4; i < good.size(); ++i)
    for (char c : {'0', '9', '-', ' ', 'u', 's', ':', '\xff'}) {
      auto bad = good;
      bad[i] = c;
      auto d = inventory_item_state::decode(bad);
      if (!d.ok()) continue;
      (void)d->view(); // whatever it accepted is a usable state
      (void)d->restart();
      (void)d->align();
    }
}

TEST(inventory_item_state, op_ids_and_keys_are_deterministic) {
  auto run = [](std::uint64_t epoch) {
    inventory_item_state st(make_layout(sync_mode::two_way, 3), epoch);
    std::vector<command> out;
    auto t = st.align();
    for (const auto& c : t.commands) {
      auto r = st.read_result(c.at, c.op_id, c.at.store == 0 ? 10 : 3);
      out.insert(out.end(), r.commands.begin(), r.commands.end());
    }
    return out;
  };
  // Epochs are times in microseconds: two lives of an identity a second apart.
  auto a = run(1'000'000), b = run(1'000'000), c = run(2'000'000);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].op_id, b[i].op_id);
    EXPECT_EQ(a[i].idempotency_key, b[i].idempotency_key);
    EXPECT_NE(a[i].idempotency_key, c[i].idempotency_key); // another life of the identity
    // The store links remember outcomes by (item, location, op id): another life's op ids
    // must not meet this one's.
    for (const auto& other : c) EXPECT_NE(a[i].op_id, other.op_id);
  }
  EXPECT_NE(a[0].idempotency_key, a[1].idempotency_key);
  EXPECT_NE(a[0].op_id, a[1].op_id);
}

TEST(inventory_item_state, a_store_without_a_location_in_a_slot_takes_no_part) {
  auto layout = make_layout(sync_mode::two_way, 3);
  layout.slots[0].locations[2].reset();
  inventory_item_state st(layout, 7);
  auto t = st.align();
  EXPECT_EQ(t.commands.size(), 2u);
  EXPECT_TRUE(find_cmd(t, d2) == nullptr);
  EXPECT_FALSE(st.find_level("store2", 300).has_value());
  ASSERT_TRUE(st.find_level("store1", 200).has_value());
  EXPECT_TRUE(*st.find_level("store1", 200) == d1);
  EXPECT_FALSE(st.find_level("store1", 100).has_value());
}

TEST(inventory_item_state, view_shows_known_pending_and_in_flight) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 10);
  auto t = st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9);
  auto adj = *find_cmd(t, d1);
  (void)st.read_result(src, st.hint(src, 8).commands.at(0).op_id, 8);
  auto v = view_of(st, d1);
  EXPECT_EQ(v.store, "store1");
  EXPECT_EQ(v.location, 200u);
  EXPECT_EQ(v.known, 10);
  EXPECT_EQ(v.in_flight, op_kind::adjust);
  EXPECT_EQ(v.op_id, adj.op_id);
  EXPECT_EQ(v.op_value, -1);
  EXPECT_EQ(v.pending_delta, -1);
  EXPECT_EQ(view_of(st, src).known, 8);
}

TEST(write_expiry, an_unanswered_write_is_resent_under_its_key_only_while_the_key_surely_lives) {
  using namespace std::chrono_literals;
  EXPECT_EQ(decide_resend(1000, 1000, 3600s), resend_decision::resend_same_key);
  EXPECT_EQ(decide_resend(1000, 4600, 3600s), resend_decision::resend_same_key);
  EXPECT_EQ(decide_resend(1000, 4601, 3600s), resend_decision::settle_by_reading);
  EXPECT_EQ(decide_resend(1000, 1002, 1s), resend_decision::settle_by_reading);
  // Unknown age: reading is always safe, resending is not.
  EXPECT_EQ(decide_resend(0, 1000, 3600s), resend_decision::settle_by_reading);
  // A clock stepped back does not stop resends.
  EXPECT_EQ(decide_resend(5000, 1000, 3600s), resend_decision::resend_same_key);
}

} // namespace
} // namespace shopsync::testing
