// The group guard's part in a resync that changes the mapping: the identities the
// new mapping remaps or adds plan the group at their first write, not before, and only a
// syncing group whose start is "plan"; approve and discard forget them.
#include "actors/group_guard.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

namespace {

config two_groups() {
  config c;
  for (auto [name, plan] : {std::pair{"mirror", true}, std::pair{"fast", false}}) {
    group_config g;
    g.name = name;
    g.source = "main";
    g.destinations = {"outlet"};
    g.strategy = sync_strategy::one_way;
    g.start_with_plan = plan;
    c.groups.push_back(g);
  }
  return c;
}

} // namespace

TEST(group_guard_realign, the_first_write_of_a_realigning_identity_plans_the_group_once) {
  group_guards guards(two_groups(), nullptr, nullptr);
  guards.approve("mirror"); // never synced: planned; approved, it syncs
  ASSERT_EQ(guards.state("mirror"), guard_state::syncing);

  guards.realigning("mirror", {"sku:A", "sku:B"});
  EXPECT_EQ(guards.state("mirror"), guard_state::syncing); // nothing planned before a write
  EXPECT_FALSE(guards.replan_for("mirror", "sku:C"));      // not changed by the resync
  guards.realigned("mirror", "sku:A");                    // aligned without a write
  EXPECT_FALSE(guards.replan_for("mirror", "sku:A"));
  EXPECT_EQ(guards.state("mirror"), guard_state::syncing);

  EXPECT_TRUE(guards.replan_for("mirror", "sku:B"));
  EXPECT_EQ(guards.state("mirror"), guard_state::planned);
  EXPECT_FALSE(guards.replan_for("mirror", "sku:B")); // already planned: told once
  EXPECT_EQ(guards.admit("mirror", "outlet", 7, 1, 4, 10), breaker_decision::held);

  guards.approve("mirror");
  EXPECT_EQ(guards.state("mirror"), guard_state::syncing);
  EXPECT_FALSE(guards.replan_for("mirror", "sku:B"));
}

TEST(group_guard_realign, approve_and_discard_forget_the_realigning_identities) {
  group_guards guards(two_groups(), nullptr, nullptr);
  guards.approve("mirror");
  guards.realigning("mirror", {"sku:A"});
  guards.discard("mirror"); // planned again for another reason
  guards.approve("mirror");
  EXPECT_FALSE(guards.replan_for("mirror", "sku:A"));
  EXPECT_EQ(guards.state("mirror"), guard_state::syncing);
}

TEST(group_guard_realign, a_group_that_starts_with_sync_is_never_planned_by_a_resync) {
  group_guards guards(two_groups(), nullptr, nullptr);
  ASSERT_EQ(guards.state("fast"), guard_state::syncing);
  guards.realigning("fast", {"sku:A"});
  EXPECT_FALSE(guards.replan_for("fast", "sku:A"));
  EXPECT_EQ(guards.state("fast"), guard_state::syncing);
}
