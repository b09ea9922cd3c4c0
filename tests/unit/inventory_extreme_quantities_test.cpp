// Extreme quantities in the inventory item state machine ("negative and absurd
// quantities"): Shopify's quantities are GraphQL Int (32-bit). Negative stock (oversold) is
// legal and syncs as any other delta; a delta that does not fit one adjust is sent in steps;
// a target or an answer beyond 32 bits is never sent, it blocks the level (reported).
#include "domain/inventory_item_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace shopsync::testing {
namespace {

item_layout two_way_pair() {
  item_layout l;
  l.identity = "sku:EXTREME";
  l.mode = sync_mode::two_way;
  l.stores = {{"src", 11}, {"dst", 22}};
  l.slots = {item_slot{{101, 202}}};
  return l;
}

constexpr level_ref src{0, 0};
constexpr level_ref dst{1, 0};

// Every number a command carries fits GraphQL Int.
void expect_sendable(const transition& t) {
  for (const auto& c : t.commands) {
    EXPECT_GE(c.delta, api_int_min);
    EXPECT_LE(c.delta, api_int_max);
    EXPECT_GE(c.target, api_int_min);
    EXPECT_LE(c.target, api_int_max);
    if (c.change_from) {
      EXPECT_GE(*c.change_from, api_int_min);
      EXPECT_LE(*c.change_from, api_int_max);
    }
  }
}

const command* cmd_at(const transition& t, level_ref at) {
  for (const auto& c : t.commands)
    if (c.at == at) return &c;
  return nullptr;
}

level_view view_of(const inventory_item_state& st, level_ref at) {
  for (const auto& v : st.view())
    if (v.at == at) return v;
  ADD_FAILURE() << "no view for level";
  return {};
}

bool has_error(const transition& t, const std::string& needle) {
  return std::any_of(t.audit.begin(), t.audit.end(), [&](const audit_record& a) {
    return a.kind == audit_kind::error && a.cause.find(needle) != std::string::npos;
  });
}

// Both levels read as q: aligned, idle.
void align_at(inventory_item_state& st, std::int64_t q) {
  auto t = st.align();
  auto cmds = t.commands;
  ASSERT_EQ(cmds.size(), 2u);
  for (const auto& c : cmds) ASSERT_TRUE(st.read_result(c.at, c.op_id, q).commands.empty());
  ASSERT_TRUE(st.idle());
}

// A webhook for `at`, then its re-read answered with q; returns what that answer caused.
transition change_to(inventory_item_state& st, level_ref at, std::int64_t q) {
  auto h = st.hint(at, q);
  const command* read = cmd_at(h, at);
  EXPECT_TRUE(read && read->kind == op_kind::read);
  if (!read) return {};
  return st.read_result(at, read->op_id, q);
}

TEST(inventory_extreme_quantities, oversold_stock_is_a_delta_like_any_other) {
  inventory_item_state st(two_way_pair(), 1);
  align_at(st, 3);
  auto t = change_to(st, src, -5); // sold 8 with 3 in stock
  const command* adj = cmd_at(t, dst);
  ASSERT_TRUE(adj);
  EXPECT_EQ(adj->kind, op_kind::adjust);
  EXPECT_EQ(adj->delta, -8);
  auto w = st.write_result(dst, adj->op_id, -5);
  EXPECT_TRUE(w.commands.empty());
  EXPECT_TRUE(st.idle());
  EXPECT_EQ(view_of(st, dst).known, -5);
  // An echo of the negative value costs nothing.
  EXPECT_TRUE(st.hint(dst, -5).commands.empty());
}

TEST(inventory_extreme_quantities, a_delta_beyond_32_bits_is_sent_in_steps_and_converges) {
  inventory_item_state st(two_way_pair(), 1);
  align_at(st, -2'000'000'000);
  // +4e9 in one external change: twice what one adjust may carry.
  auto t = change_to(st, src, 2'000'000'000);
  expect_sendable(t);
  std::int64_t dst_level = -2'000'000'000, sent = 0;
  int adjusts = 0;
  while (const command* c = cmd_at(t, dst)) {
    ASSERT_EQ(c->kind, op_kind::adjust);
    ASSERT_LT(++adjusts, 5);
    sent += c->delta;
    dst_level += c->delta;
    t = st.write_result(dst, c->op_id, dst_level);
    expect_sendable(t);
  }
  EXPECT_EQ(adjusts, 2);
  EXPECT_EQ(sent, 4'000'000'000);
  EXPECT_EQ(dst_level, 2'000'000'000);
  EXPECT_TRUE(st.idle());
  EXPECT_EQ(view_of(st, dst).known, 2'000'000'000);
}

TEST(inventory_extreme_quantities, a_negative_delta_beyond_32_bits_is_sent_in_steps_too) {
  inventory_item_state st(two_way_pair(), 1);
  align_at(st, api_int_max);
  auto t = change_to(st, src, api_int_min); // -(2^32 - 1)
  std::int64_t dst_level = api_int_max;
  int adjusts = 0;
  while (const command* c = cmd_at(t, dst)) {
    ASSERT_LT(++adjusts, 5);
    dst_level += c->delta;
    t = st.write_result(dst, c->op_id, dst_level);
    expect_sendable(t);
  }
  EXPECT_EQ(adjusts, 2);
  EXPECT_EQ(dst_level, api_int_min);
  EXPECT_TRUE(st.idle());
}

TEST(inventory_extreme_quantities, a_refused_step_keeps_the_whole_rest_pending) {
  inventory_item_state st(two_way_pair(), 1);
  align_at(st, -2'000'000'000);
  auto t = change_to(st, src, 2'000'000'000);
  const command* c = cmd_at(t, dst);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->delta, api_int_max);
  auto f = st.write_failed(dst, c->op_id, failure_kind::permanent, "INVALID_QUANTITY_TOO_HIGH");
  EXPECT_TRUE(f.commands.empty());
  auto v = view_of(st, dst);
  EXPECT_EQ(v.blocked, "INVALID_QUANTITY_TOO_HIGH");
  EXPECT_EQ(v.pending_delta, 4'000'000'000); // nothing lost, nothing sent twice
}

TEST(inventory_extreme_quantities, an_answer_beyond_32_bits_blocks_the_level_and_sends_nothing) {
  inventory_item_state st(two_way_pair(), 1);
  align_at(st, 10);
  auto h = st.hint(src, 11);
  const command* read = cmd_at(h, src);
  ASSERT_TRUE(read);
  auto r = st.read_result(src, read->op_id, std::int64_t(1) << 40);
  EXPECT_TRUE(r.commands.empty());
  EXPECT_TRUE(has_error(r, quantity_out_of_range));
  EXPECT_EQ(view_of(st, src).blocked, quantity_out_of_range);
  EXPECT_EQ(view_of(st, src).known, 10);
  EXPECT_EQ(view_of(st, dst).pending_delta, 0); // no phantom delta from an impossible value

  // Cleared: re-read, and a sane answer carries on as usual.
  auto c = st.clear_error(src);
  const command* again = cmd_at(c, src);
  ASSERT_TRUE(again && again->kind == op_kind::read);
  auto ok = st.read_result(src, again->op_id, 11);
  const command* adj = cmd_at(ok, dst);
  ASSERT_TRUE(adj);
  EXPECT_EQ(adj->delta, 1);
}

TEST(inventory_extreme_quantities, a_write_answer_beyond_32_bits_blocks_the_level) {
  inventory_item_state st(two_way_pair(), 1);
  align_at(st, 10);
  auto t = change_to(st, src, 12);
  const command* adj = cmd_at(t, dst);
  ASSERT_TRUE(adj);
  auto w = st.write_result(dst, adj->op_id, -(std::int64_t(1) << 35));
  EXPECT_TRUE(w.commands.empty());
  EXPECT_TRUE(has_error(w, quantity_out_of_range));
  auto v = view_of(st, dst);
  EXPECT_EQ(v.blocked, quantity_out_of_range);
  EXPECT_FALSE(v.known);
  EXPECT_EQ(v.pending_delta, 0); // the adjust was applied: not queued again
  EXPECT_EQ(view_of(st, src).pending_delta, 0);
}

TEST(inventory_extreme_quantities, an_alignment_target_beyond_32_bits_is_not_sent) {
  inventory_item_state st(two_way_pair(), 1);
  auto t = st.align();
  const command* rs = cmd_at(t, src);
  const command* rd = cmd_at(t, dst);
  ASSERT_TRUE(rs && rd);
  const auto src_read = rs->op_id;
  // The Destination is read first, then changes by +2e9 before the Source (2e9) is known:
  // its alignment target would be 4e9.
  EXPECT_TRUE(st.read_result(dst, rd->op_id, 0).commands.empty());
  auto changed = change_to(st, dst, 2'000'000'000);
  expect_sendable(changed);
  auto r = st.read_result(src, src_read, 2'000'000'000);
  expect_sendable(r);
  for (const auto& c : r.commands) EXPECT_FALSE(c.at == dst) << to_string(c.kind);
  EXPECT_TRUE(has_error(r, quantity_out_of_range));
  EXPECT_EQ(view_of(st, dst).blocked, quantity_out_of_range);
}

} // namespace
} // namespace shopsync::testing
