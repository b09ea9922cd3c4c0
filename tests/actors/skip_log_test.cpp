// The router's skip log: skipped events' records (audit and inbox mark) are held and written
// together, at the owner's flush or when max_pending are held, never one write each.
#include "actors/skip_log.hpp"
#include "support/temp_dir.hpp"
#include "support/webhook_server_fixture.hpp"

#include <gtest/gtest.h>

using namespace shopsync;
namespace t = shopsync::testing;

namespace {
struct skip_fixture {
  t::temp_dir dir{"skip-log"};
  std::unique_ptr<state_store> store;
  std::unique_ptr<audit_log> audit;
  std::size_t writes = 0;
  skip_fixture() {
    auto opened = state_store::open({dir.str() + "/db", false, true});
    if (!opened)
      throw std::runtime_error(opened.error().message);
    store = std::move(*opened);
    store->set_write_hook_for_testing([this](const state_store::batch&) { ++writes; });
    audit = std::make_unique<audit_log>(*store);
  }
  skip_log log() {
    return skip_log(store.get(), audit.get(), [](state_store::batch& b, std::uint64_t seq) {
      b.put(column::inbox, "mark/" + std::to_string(seq), "x");
    });
  }
  static audit_entry skipped(int i) {
    return {std::chrono::system_clock::now(), "", "products/update", "s1", 0, "skipped", {}, {}, 0,
            "catalog_updated " + std::to_string(i)};
  }
};
} // namespace

TEST(skip_log, holds_records_until_flushed_and_writes_them_in_one_batch) {
  skip_fixture f;
  auto log = f.log();
  EXPECT_TRUE(log.add(f.skipped(1), 11)) << "the first asks for a flush";
  EXPECT_FALSE(log.add(f.skipped(2), 12));
  EXPECT_FALSE(log.add(f.skipped(3), 0)); // nothing to mark
  EXPECT_EQ(f.writes, 0u);
  EXPECT_EQ(t::count_records(*f.store, column::audit), 0u);
  log.flush();
  EXPECT_EQ(f.writes, 1u);
  EXPECT_EQ(log.pending(), 0u);
  EXPECT_EQ(t::count_records(*f.store, column::audit), 3u);
  EXPECT_EQ(t::count_records(*f.store, column::inbox), 2u);
  log.flush();
  EXPECT_EQ(f.writes, 1u) << "nothing held: nothing written";
  EXPECT_TRUE(log.add(f.skipped(4), 14)) << "the next one asks again";
}

TEST(skip_log, writes_at_once_when_max_pending_are_held) {
  skip_fixture f;
  auto log = f.log();
  for (std::size_t i = 0; i + 1 < skip_log::max_pending; ++i)
    log.add(f.skipped(int(i)), i + 1);
  EXPECT_EQ(f.writes, 0u);
  EXPECT_FALSE(log.add(f.skipped(0), skip_log::max_pending));
  EXPECT_EQ(f.writes, 1u);
  EXPECT_EQ(log.pending(), 0u);
  EXPECT_EQ(t::count_records(*f.store, column::audit), skip_log::max_pending);
}
