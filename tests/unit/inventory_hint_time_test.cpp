// The inventory item state machine's use of times (the header's "Times"): a webhook newer than
// what is known is acted on without a read, an older one is dropped, one the times cannot order
// is taken provisionally (lower) or set aside, and verified later; without times, it is read.
// The seeded property test (inventory_property_test.cpp) plays these against a model of
// Shopify's clock; these are the readable cases.
#include "item_state_test_support.hpp"

namespace shopsync::testing {
namespace {

constexpr shopify_time t0 = 1'760'000'000;

// Reads are scarce in every store (the buckets below their reserve): hints the times cannot
// order are taken provisionally or set aside instead of read.
void scarce(inventory_item_state& st) {
  for (std::size_t i = 0; i < st.layout().stores.size(); ++i) st.set_reads_scarce(i, true);
}

// Every level read at `q`, each answer with the level's updatedAt t0.
void align_timed(inventory_item_state& st, std::int64_t q) {
  auto t = st.align();
  for (const auto& c : t.commands) ASSERT_TRUE(st.read_result(c.at, c.op_id, q, t0).commands.empty());
  ASSERT_TRUE(st.idle());
}

// A hint at the aligned second (t0) set aside: nothing goes out, the level keeps 10 and owes a
// verification.
void expect_set_aside(inventory_item_state& st, level_ref at, std::int64_t v) {
  auto t = st.hint(at, v, t0);
  EXPECT_EQ(t.verdict, hint_verdict::set_aside);
  EXPECT_TRUE(t.commands.empty());
  EXPECT_EQ(view_of(st, at).known, 10);
  EXPECT_TRUE(view_of(st, at).unverified);
}

// Aligned at `q` with times, reads scarce in every store.
inventory_item_state scarce_timed(sync_mode mode, std::int64_t q = 10) {
  inventory_item_state st(make_layout(mode, 2), 7);
  align_timed(st, q);
  scarce(st);
  return st;
}

// A two-way pair aligned at 10 (times t0), then a Source change to `source_after` at t0 + 5:
// `adjust` is the write it sends to d1, in flight.
inventory_item_state adjust_in_flight(command& adjust, bool scarce_reads = false, std::int64_t source_after = 9) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_timed(st, 10);
  if (scarce_reads)
    scarce(st);
  adjust = st.hint(src, source_after, t0 + 5).commands.at(0);
  return st;
}

TEST(inventory_hint_time, a_newer_sale_is_propagated_without_a_read) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_timed(st, 10);
  auto t = st.hint(src, 9, t0 + 5);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].kind, op_kind::adjust);
  EXPECT_EQ(t.commands[0].at, d1);
  EXPECT_EQ(t.commands[0].delta, -1);
  EXPECT_EQ(view_of(st, src).known, 9);
}

TEST(inventory_hint_time, a_one_way_destination_follows_a_newer_source_hint_without_a_read) {
  inventory_item_state st(make_layout(sync_mode::one_way, 2), 7);
  align_timed(st, 10);
  auto t = st.hint(src, 4, t0 + 1);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].kind, op_kind::set);
  EXPECT_EQ(t.commands[0].target, 4);
}

// Two changes in the read's second cannot be ordered: with points to spare, the level is read.
TEST(inventory_hint_time, the_same_second_is_read_while_reads_are_not_scarce) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_timed(st, 10);
  auto t = st.hint(src, 9, t0);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].kind, op_kind::read);
  EXPECT_FALSE(st.unverified());
}

// Where reads are scarce, a lower value is most likely a sale after it: propagated at once, the
// level read when the holder's verification delay is over.
TEST(inventory_hint_time, a_lower_value_in_the_same_second_is_taken_provisionally_and_verified) {
  auto st = scarce_timed(sync_mode::two_way);
  auto t = st.hint(src, 9, t0);
  EXPECT_EQ(t.verdict, hint_verdict::provisional);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].kind, op_kind::adjust);
  EXPECT_EQ(t.commands[0].at, d1);
  EXPECT_EQ(t.commands[0].delta, -1);
  EXPECT_TRUE(view_of(st, src).unverified);
  EXPECT_EQ(view_of(st, src).known_at, t0) << "later hints are still judged against the read's time";
  EXPECT_TRUE(st.unverified());
  EXPECT_FALSE(st.idle()) << "a verification is owed";
  ASSERT_TRUE(st.write_result(d1, t.commands[0].op_id, 9, t0 + 2).commands.empty());
  auto v = st.verify();
  ASSERT_EQ(v.commands.size(), 1u);
  EXPECT_EQ(v.commands[0].kind, op_kind::read);
  EXPECT_EQ(v.commands[0].at, src);
  // It was an older state (10 -> 9 -> 10 in that second): the read corrects what went out.
  t = st.read_result(src, v.commands[0].op_id, 10, t0);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].at, d1);
  EXPECT_EQ(t.commands[0].delta, 1);
  EXPECT_FALSE(view_of(st, src).unverified);
}

// A higher value in the same second (an older state in a stream of sales, or a restock) is set
// aside: nothing goes out until the verification reads it.
TEST(inventory_hint_time, a_higher_value_in_the_same_second_is_set_aside_until_verified) {
  auto st = scarce_timed(sync_mode::two_way);
  expect_set_aside(st, src, 12);
  auto v = st.verify();
  ASSERT_EQ(v.commands.size(), 1u);
  EXPECT_EQ(v.commands[0].kind, op_kind::read);
  auto t = st.read_result(src, v.commands[0].op_id, 12, t0);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].delta, 2);
  EXPECT_TRUE(st.verify().commands.empty()) << "nothing left to verify";
}

// A later webhook with a time beyond the ambiguous second verifies the level for free: its value
// counts from the provisional one, and no read is owed any more.
TEST(inventory_hint_time, a_newer_hint_verifies_a_provisional_value_without_a_read) {
  auto st = scarce_timed(sync_mode::two_way);
  auto t = st.hint(src, 9, t0);
  ASSERT_TRUE(st.write_result(d1, t.commands.at(0).op_id, 9, t0 + 2).commands.empty());
  t = st.hint(src, 10, t0 + 3); // 9 was an older state after all, and 10 is the level now
  EXPECT_FALSE(view_of(st, src).unverified);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].delta, 1) << "the provisional -1 taken back";
  EXPECT_TRUE(st.verify().commands.empty());
}

// A one-way Destination never takes a value it cannot order: it would send a compare-and-set
// from a value that may be stale. Set aside, read later.
TEST(inventory_hint_time, a_one_way_destination_sets_aside_what_it_cannot_order) {
  auto st = scarce_timed(sync_mode::one_way);
  expect_set_aside(st, d1, 9);
  EXPECT_EQ(st.verify().commands.at(0).kind, op_kind::read);
}

TEST(inventory_hint_time, an_older_state_is_dropped_without_a_read) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_timed(st, 10);
  auto t = st.hint(src, 12, t0 - 3);
  EXPECT_TRUE(t.commands.empty());
  ASSERT_EQ(t.audit.size(), 1u);
  EXPECT_EQ(t.audit[0].cause, older_hint_cause);
  EXPECT_EQ(view_of(st, src).known, 10);
}

TEST(inventory_hint_time, a_hint_without_a_time_or_on_a_level_without_one_is_read) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 10); // reads answered without updatedAt
  EXPECT_EQ(st.hint(src, 9, t0 + 100).commands.at(0).kind, op_kind::read);
  inventory_item_state timed(make_layout(sync_mode::two_way, 2), 7);
  align_timed(timed, 10);
  EXPECT_EQ(timed.hint(src, 9, std::nullopt).commands.at(0).kind, op_kind::read);
}

TEST(inventory_hint_time, a_newer_hint_is_read_while_an_op_is_in_flight) {
  command adjust;
  auto st = adjust_in_flight(adjust); // d1 -1 in flight
  auto t = st.hint(d1, 9, t0 + 6); // maybe our own write: not trusted
  EXPECT_TRUE(t.commands.empty());
  EXPECT_TRUE(view_of(st, d1).dirty);
  // Answered with the hint's value: the hint was its echo, nothing to read.
  t = st.write_result(d1, adjust.op_id, 9, t0 + 6);
  EXPECT_TRUE(t.commands.empty());
  EXPECT_TRUE(st.idle());
}

// A sale in d1 while our adjust there waits in the link: its webhook (value before our write,
// stamped well before the write's createdAt) is a state the answer already includes. Dropped
// once the answer is in; the sale itself is counted from the answer's quantityAfterChange.
TEST(inventory_hint_time, a_hint_in_flight_older_than_the_write_is_dropped_without_a_read) {
  command adjust;
  auto st = adjust_in_flight(adjust); // d1 -1 in flight
  EXPECT_TRUE(st.hint(d1, 8, t0 + 6).commands.empty());  // the d1 sale, before our write applies
  auto t = st.write_result(d1, adjust.op_id, 7, t0 + 9); // applied at t0 + 9: 8 - 1
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].kind, op_kind::adjust) << "the d1 sale goes to the Source";
  EXPECT_EQ(t.commands[0].at, src);
  EXPECT_EQ(t.commands[0].delta, -2); // d1's own change: 7 - (-1) - 10
  EXPECT_FALSE(view_of(st, d1).dirty) << "no read of d1";
  EXPECT_TRUE(std::any_of(t.audit.begin(), t.audit.end(), [](auto& a) { return a.cause == older_in_flight_cause; }));
  // Two sales there before the write applied, their webhooks disagreeing: both older, dropped.
  auto two = adjust_in_flight(adjust);
  EXPECT_TRUE(two.hint(d1, 9, t0 + 5).commands.empty());
  EXPECT_TRUE(two.hint(d1, 8, t0 + 6).commands.empty());
  t = two.write_result(d1, adjust.op_id, 7, t0 + 9);
  EXPECT_TRUE(std::none_of(t.commands.begin(), t.commands.end(), [](auto& c) { return c.kind == op_kind::read; }));
  EXPECT_FALSE(view_of(two, d1).dirty);
  // Within the slack of the createdAt it cannot be ordered: read, while reads are not scarce.
  auto plenty = adjust_in_flight(adjust);
  EXPECT_TRUE(plenty.hint(d1, 8, t0 + 8).commands.empty());
  t = plenty.write_result(d1, adjust.op_id, 7, t0 + 9);
  EXPECT_TRUE(std::any_of(t.commands.begin(), t.commands.end(),
                          [](auto& c) { return c.kind == op_kind::read && c.at == d1; }));
  // Where they are, 8 is the level just before our write (7 - (-1)): no sale after it, so it is
  // set aside, not read, and verified later.
  auto near = adjust_in_flight(adjust, true);
  EXPECT_TRUE(near.hint(d1, 8, t0 + 8).commands.empty());
  t = near.write_result(d1, adjust.op_id, 7, t0 + 9);
  EXPECT_TRUE(std::none_of(t.commands.begin(), t.commands.end(), [](auto& c) { return c.at == d1; }));
  EXPECT_EQ(view_of(near, d1).known, 7);
  EXPECT_TRUE(view_of(near, d1).unverified);
  EXPECT_EQ(near.verify().commands.at(0).at, d1);
  // Below the answer and the level before the write: a sale after it, taken provisionally.
  auto sale = adjust_in_flight(adjust, true);
  EXPECT_TRUE(sale.hint(d1, 6, t0 + 9).commands.empty());
  t = sale.write_result(d1, adjust.op_id, 7, t0 + 9);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].at, src);
  EXPECT_EQ(t.commands[0].delta, -3) << "the race the answer shows (-2) and the sale after it (-1)";
  EXPECT_EQ(view_of(sale, d1).known, 6);
  EXPECT_TRUE(view_of(sale, d1).unverified);
}

// A sale in d1 after our adjust there applied, its webhook arriving before the answer: a later
// state, taken at its time once the answer is in, exactly as a webhook at rest. No read.
TEST(inventory_hint_time, a_hint_in_flight_newer_than_the_write_is_taken_without_a_read) {
  command adjust;
  auto st = adjust_in_flight(adjust); // d1 -1 in flight
  EXPECT_TRUE(st.hint(d1, 6, t0 + 12).commands.empty());  // d1: 9 after our write, then a sale of 3
  auto t = st.write_result(d1, adjust.op_id, 9, t0 + 9);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].kind, op_kind::adjust);
  EXPECT_EQ(t.commands[0].at, src);
  EXPECT_EQ(t.commands[0].delta, -3);
  EXPECT_EQ(view_of(st, d1).known, 6);
  EXPECT_FALSE(view_of(st, d1).dirty);
  // Two hints in flight that disagree are still read.
  auto two = adjust_in_flight(adjust);
  EXPECT_TRUE(two.hint(d1, 6, t0 + 12).commands.empty());
  EXPECT_TRUE(two.hint(d1, 5, t0 + 13).commands.empty());
  t = two.write_result(d1, adjust.op_id, 9, t0 + 9);
  EXPECT_TRUE(std::any_of(t.commands.begin(), t.commands.end(),
                          [](auto& c) { return c.kind == op_kind::read && c.at == d1; }));
}

TEST(inventory_hint_time, a_write_time_is_taken_with_a_second_of_slack) {
  command adjust;
  auto plenty = adjust_in_flight(adjust);
  ASSERT_TRUE(plenty.write_result(d1, adjust.op_id, 9, t0 + 6).commands.empty());
  // A snapshot from just before our write, stamped a second after its createdAt: read.
  EXPECT_EQ(plenty.hint(d1, 10, t0 + 7).commands.at(0).kind, op_kind::read);
  auto st = adjust_in_flight(adjust, true);
  ASSERT_TRUE(st.write_result(d1, adjust.op_id, 9, t0 + 6).commands.empty());
  // Where reads are scarce it cannot be ordered, and is not below the level before the write
  // (10): set aside, not counted.
  auto aside = st.hint(d1, 10, t0 + 7);
  EXPECT_TRUE(aside.commands.empty());
  EXPECT_EQ(aside.verdict, hint_verdict::set_aside);
  EXPECT_EQ(view_of(st, d1).known, 9);
  // Nor a value between the answer and the level before our write that raised it.
  auto up = adjust_in_flight(adjust, true, 14); // d1 +4
  ASSERT_TRUE(up.write_result(d1, adjust.op_id, 14, t0 + 6).commands.empty());
  EXPECT_EQ(up.hint(d1, 10, t0 + 6).verdict, hint_verdict::set_aside) << "10 is the level before the write";
  auto later = adjust_in_flight(adjust);
  ASSERT_TRUE(later.write_result(d1, adjust.op_id, 9, t0 + 6).commands.empty());
  // Two seconds after: a sale there, no read.
  auto t = later.hint(d1, 8, t0 + 8);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0].kind, op_kind::adjust);
  EXPECT_EQ(t.commands[0].at, src);
}

TEST(inventory_hint_time, a_write_without_created_at_leaves_the_time_unknown) {
  command adjust;
  auto st = adjust_in_flight(adjust);
  ASSERT_TRUE(st.write_result(d1, adjust.op_id, 9).commands.empty());
  EXPECT_EQ(st.hint(d1, 8, t0 + 100).commands.at(0).kind, op_kind::read);
}

TEST(inventory_hint_time, an_echo_without_a_time_forgets_the_time) {
  inventory_item_state st(make_layout(sync_mode::one_way, 2), 7);
  align_timed(st, 10);
  // 10 -> 9 -> 10 within a second: the last change's webhook comes first, without a time.
  EXPECT_TRUE(st.hint(src, 10, std::nullopt).commands.empty());
  // The first change's webhook must not be taken as the truth now.
  EXPECT_EQ(st.hint(src, 9, t0 + 1).commands.at(0).kind, op_kind::read);
}

TEST(inventory_hint_time, times_survive_encode_and_decode) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_timed(st, 10);
  auto back = inventory_item_state::decode(st.encode());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(*back == st);
  EXPECT_EQ(back->hint(src, 9, t0 + 5).commands.at(0).kind, op_kind::adjust);
}

// What hint() made of a hint, for the holder's metrics (reconcile heals, sync lag).
TEST(inventory_hint_time, a_hints_verdict_names_what_was_made_of_it) {
  auto fresh = [] {
    inventory_item_state s(make_layout(sync_mode::two_way, 2), 7);
    align_timed(s, 10);
    return s;
  };
  EXPECT_EQ(fresh().hint(src, 10, std::nullopt).verdict, hint_verdict::echo);
  EXPECT_EQ(fresh().hint(src, 12, t0 - 3).verdict, hint_verdict::older);
  EXPECT_EQ(fresh().hint(src, 9, std::nullopt).verdict, hint_verdict::differs);
  inventory_item_state timed(make_layout(sync_mode::two_way, 2), 7);
  align_timed(timed, 10);
  EXPECT_EQ(timed.hint(src, 9, t0 + 5).verdict, hint_verdict::taken); // d1 -1 now in flight
  EXPECT_EQ(timed.hint(d1, 8, t0 + 6).verdict, hint_verdict::in_flight);
  EXPECT_EQ(timed.hint(src, std::nullopt, t0 + 7).verdict, hint_verdict::ignored);
  EXPECT_EQ(timed.write_result(d1, 1, 9, t0 + 9).verdict, hint_verdict::none);
  auto pressed = [&] {
    auto s = fresh();
    scarce(s);
    return s;
  };
  EXPECT_EQ(fresh().hint(src, 9, t0).verdict, hint_verdict::differs);
  EXPECT_EQ(pressed().hint(src, 9, t0).verdict, hint_verdict::provisional);
  EXPECT_EQ(pressed().hint(src, 11, t0).verdict, hint_verdict::set_aside);
}

} // namespace
} // namespace shopsync::testing
