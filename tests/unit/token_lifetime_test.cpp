// When an expiring token is replaced (domain/token_lifetime) and how a store's authorization
// outage is entered, probed and left (domain/store_auth_state).
#include "domain/store_auth_state.hpp"
#include "domain/token_lifetime.hpp"

#include <gtest/gtest.h>

using namespace shopsync;
using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

TEST(token_lifetime, a_day_long_token_is_replaced_a_tenth_of_its_life_early) {
  token_lifetime t{ms(1'000), std::chrono::seconds(86399)};
  auto at = *t.refresh_at();
  EXPECT_EQ(at, ms(1'000) + ms(86'399'000) - ms(8'639'900));
  EXPECT_FALSE(t.needs_refresh(at - ms(1)));
  EXPECT_TRUE(t.needs_refresh(at));
  // Well before it runs out: more than two hours of margin.
  EXPECT_GT(ms(1'000) + ms(86'399'000) - at, ms(2h));
}

TEST(token_lifetime, a_short_token_is_replaced_at_least_a_minute_early_but_never_past_half_its_life) {
  // 10 min: a tenth would be 60 s; the floor is a minute.
  EXPECT_EQ(token_lifetime::refresh_margin(std::chrono::seconds(600)), ms(60'000));
  // 5 min: a tenth (30 s) is below the minute floor.
  EXPECT_EQ(token_lifetime::refresh_margin(std::chrono::seconds(300)), ms(60'000));
  // 4 s, as tests use: half of it.
  EXPECT_EQ(token_lifetime::refresh_margin(std::chrono::seconds(4)), ms(2'000));
  token_lifetime t{ms(0), std::chrono::seconds(4)};
  EXPECT_FALSE(t.needs_refresh(ms(1'999)));
  EXPECT_TRUE(t.needs_refresh(ms(2'000)));
}

TEST(token_lifetime, a_token_without_expiry_is_never_due_and_a_zero_lifetime_is_due_at_once) {
  token_lifetime never{ms(0), std::nullopt};
  EXPECT_FALSE(never.refresh_at());
  EXPECT_FALSE(never.needs_refresh(ms(1'000'000'000)));
  token_lifetime zero{ms(500), std::chrono::seconds(0)};
  EXPECT_TRUE(zero.needs_refresh(ms(500)));
  token_lifetime negative{ms(500), std::chrono::seconds(-5)};
  EXPECT_TRUE(negative.needs_refresh(ms(0)));
}

TEST(token_lifetime, the_lifetime_counts_from_the_ask_so_a_slow_answer_only_brings_the_refresh_earlier) {
  // Asked at 0, answered at 1.5 s: the 4 s token is still replaced at 2 s after the ask.
  token_lifetime t{ms(0), std::chrono::seconds(4)};
  EXPECT_TRUE(t.needs_refresh(ms(2'000)));
  EXPECT_LT(*t.refresh_at(), ms(1'500) + ms(4'000));
}

TEST(store_auth_state, an_outage_is_reported_once_and_probed_at_the_interval) {
  store_auth_state s{ms(1'000)};
  EXPECT_FALSE(s.unauthorized());
  EXPECT_FALSE(s.probe_due(ms(0))); // nothing to probe while authorized
  EXPECT_TRUE(s.refused("HTTP 401", ms(0)));
  EXPECT_TRUE(s.unauthorized());
  EXPECT_FALSE(s.refused("HTTP 401 again", ms(10))); // same outage: no second report
  EXPECT_EQ(s.reason(), "HTTP 401 again");
  EXPECT_FALSE(s.probe_due(ms(500)));
  EXPECT_TRUE(s.probe_due(ms(1'010)));
  EXPECT_FALSE(s.probe_due(ms(1'020))); // sent: the next one is an interval later
  EXPECT_EQ(*s.next_probe(), ms(2'010));
  EXPECT_EQ(s.outages(), 1u);
}

TEST(store_auth_state, a_success_ends_the_outage_once_and_a_new_token_makes_the_probe_due_at_once) {
  store_auth_state s{ms(60'000)};
  EXPECT_FALSE(s.recovered()); // not in an outage
  s.refused("app uninstalled", ms(0));
  EXPECT_FALSE(s.probe_due(ms(1)));
  s.probe_now();
  EXPECT_TRUE(s.probe_due(ms(1)));
  EXPECT_TRUE(s.recovered());
  EXPECT_FALSE(s.unauthorized());
  EXPECT_FALSE(s.recovered());
  EXPECT_FALSE(s.next_probe());
  EXPECT_TRUE(s.refused("HTTP 403", ms(5))); // a later outage is reported again
  EXPECT_EQ(s.outages(), 2u);
}
