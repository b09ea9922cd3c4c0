// The group guard's persisted record: what a restart must still know of a held
// group (why it is held, since when, which store tripped the breaker with which counts).
// SHOPSYNC_PROPERTY_SEEDS=N runs N seeds (default 2000); SHOPSYNC_PROPERTY_SEED replays one.
#include "domain/guard_record.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <random>
#include <string>

using namespace shopsync;

TEST(GuardRecord, RecordsWrittenBeforeTheFactsStillRead) {
  auto syncing = decode_guard_record("syncing 1469598103934665603");
  ASSERT_TRUE(syncing);
  EXPECT_EQ(syncing->state, group_state::syncing);
  EXPECT_EQ(syncing->fingerprint, "1469598103934665603");
  auto tripped = decode_guard_record("tripped");
  ASSERT_TRUE(tripped);
  EXPECT_EQ(tripped->state, group_state::tripped);
  EXPECT_EQ(tripped->reason, hold_reason::none);
  EXPECT_FALSE(tripped->trip);
  ASSERT_TRUE(decode_guard_record("planned"));
  EXPECT_FALSE(decode_guard_record("paused"));
  EXPECT_FALSE(decode_guard_record(""));
  EXPECT_FALSE(decode_guard_record("tripped drops=x"));
  EXPECT_FALSE(decode_guard_record("planned reason=bored"));
}

TEST(GuardRecord, ATripKeepsItsStoreTimeAndCounts) {
  guard_record r;
  r.state = group_state::tripped;
  r.reason = hold_reason::breaker;
  r.since_s = 1796420000;
  r.trip = held_trip{"dest a=%", 13, 12, 60};
  auto text = encode(r);
  EXPECT_EQ(text.rfind("tripped ", 0), 0u) << text; // an older daemon reads the state
  auto back = decode_guard_record(text);
  ASSERT_TRUE(back) << text;
  EXPECT_EQ(*back, r);
  // Unknown keys (a newer daemon's) are skipped.
  EXPECT_EQ(*decode_guard_record(text + " colour=blue"), r);
}

TEST(GuardRecordProperty, EveryRecordSurvivesItsText) {
  const char* only = std::getenv("SHOPSYNC_PROPERTY_SEED");
  std::uint64_t n = 2000;
  if (const char* env = std::getenv("SHOPSYNC_PROPERTY_SEEDS"))
    if (auto v = std::strtoull(env, nullptr, 10); v > 0) n = v;
  for (std::uint64_t i = 0; i < (only ? 1 : n); ++i) {
    const auto seed = only ? std::strtoull(only, nullptr, 10) : 29 * 1000003 + i;
    std::mt19937_64 rng(seed);
    auto text = [&] {
      std::string s;
      for (auto k = rng() % 12; k > 0; --k) s += static_cast<char>(rng() % 256);
      return s;
    };
    guard_record r;
    r.state = std::array{group_state::syncing, group_state::planned, group_state::tripped}[rng() % 3];
    if (r.state == group_state::syncing) {
      r.fingerprint = text();
    } else {
      r.reason = static_cast<hold_reason>(rng() % 6);
      r.since_s = static_cast<std::int64_t>(rng() % 4000000000);
      if (r.reason == hold_reason::undone) r.undone_from_s = static_cast<std::int64_t>(rng() % 4000000000);
      if (rng() % 2) r.trip = held_trip{text(), rng() % 1000, rng() % 1000, rng() % 100000};
    }
    auto back = decode_guard_record(encode(r));
    ASSERT_TRUE(back) << "seed " << seed << ": " << encode(r);
    ASSERT_EQ(*back, r) << "seed " << seed << ": " << encode(r);
  }
}
