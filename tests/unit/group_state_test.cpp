#include "domain/group_state.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace shopsync;

TEST(group_state, a_group_syncs_unless_something_holds_it) {
  EXPECT_EQ(state_of(group_facts{}), group_state::syncing);
  group_facts paused;
  paused.paused = true;
  EXPECT_EQ(state_of(paused), group_state::paused);
  EXPECT_EQ(std::string(to_string(group_state::syncing)), "syncing");
  EXPECT_EQ(std::string(to_string(group_state::paused)), "paused");
}

TEST(group_state, a_tripped_breaker_shows_before_a_plan_and_a_plan_before_a_pause) {
  group_facts f;
  f.paused = true;
  f.planned = true;
  EXPECT_EQ(state_of(f), group_state::planned);
  f.tripped = true;
  EXPECT_EQ(state_of(f), group_state::tripped);
  EXPECT_EQ(std::string(to_string(group_state::planned)), "planned");
  EXPECT_EQ(std::string(to_string(group_state::tripped)), "tripped");
}
