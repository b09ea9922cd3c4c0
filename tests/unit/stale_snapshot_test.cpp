// A reconcile round fed by a bulk snapshot (taken minutes before its file is read)
// brings values older than what webhooks have told since. They are hints like any other: a value
// that differs from what is known is read again, never written anywhere, so a level changed after
// the snapshot is not "healed" back to the snapshot's value.
#include "item_state_test_support.hpp"

#include <functional>
#include <vector>

using namespace shopsync;
using namespace shopsync::testing;

namespace {

// Answers every read with the store's truth and every write as applied; returns the writes.
int settle(inventory_item_state& st, transition t, const std::function<std::int64_t(level_ref)>& truth,
           std::vector<std::int64_t>& written) {
  int writes = 0;
  std::vector<command> todo = t.commands;
  while (!todo.empty()) {
    auto c = todo.front();
    todo.erase(todo.begin());
    transition r;
    if (c.kind == op_kind::read) {
      r = st.read_result(c.at, c.op_id, truth(c.at));
    } else {
      ++writes;
      const auto after = c.kind == op_kind::set ? c.target : truth(c.at) + c.delta;
      written.push_back(after);
      r = st.write_result(c.at, c.op_id, after);
    }
    todo.insert(todo.end(), r.commands.begin(), r.commands.end());
  }
  return writes;
}

} // namespace

TEST(stale_snapshot, two_way_levels_changed_after_the_snapshot_are_not_healed_backwards) {
  inventory_item_state st(make_layout(sync_mode::two_way, 2), 7);
  align_equal(st, 10); // the bulk snapshot is taken now: 10 and 10
  // A sale of one in the Source after the snapshot: propagated, both stores hold 9.
  std::int64_t src_truth = 9, d1_truth = 10;
  auto truth = [&](level_ref at) { return at == src ? src_truth : d1_truth; };
  std::vector<std::int64_t> written;
  auto t = st.hint(src, 9);
  EXPECT_EQ(settle(st, t, truth, written), 1);
  d1_truth = 9;
  ASSERT_EQ(view_of(st, d1).known, 9);
  // The snapshot's values arrive as the round's hints: 10 and 10.
  written.clear();
  int writes = settle(st, st.hint(src, 10), truth, written);
  writes += settle(st, st.hint(d1, 10), truth, written);
  EXPECT_EQ(writes, 0) << "a stale snapshot value made a write";
  EXPECT_EQ(view_of(st, src).known, 9);
  EXPECT_EQ(view_of(st, d1).known, 9);
  EXPECT_TRUE(st.idle());
}

TEST(stale_snapshot, one_way_destination_is_not_set_to_the_snapshots_source_value) {
  inventory_item_state st(make_layout(sync_mode::one_way, 2), 7);
  align_equal(st, 10);
  std::int64_t src_truth = 8, d1_truth = 10;
  auto truth = [&](level_ref at) { return at == src ? src_truth : d1_truth; };
  std::vector<std::int64_t> written;
  EXPECT_EQ(settle(st, st.hint(src, 8), truth, written), 1); // the Destination follows: 8
  ASSERT_EQ(written.back(), 8);
  d1_truth = 8;
  written.clear();
  EXPECT_EQ(settle(st, st.hint(src, 10), truth, written), 0); // the snapshot's Source value
  EXPECT_EQ(settle(st, st.hint(d1, 10), truth, written), 0);
  EXPECT_TRUE(written.empty());
  EXPECT_EQ(view_of(st, d1).known, 8);
}
