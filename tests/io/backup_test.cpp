// Backups on a real RocksDB: a backup holds every column family at one instant, restores into
// an empty data dir, is refused over data (unless forced, and never under a running daemon),
// and is never taken for live data.
#include "io/backup.hpp"
#include "io/state_store.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace shopsync;
using shopsync::testing::temp_dir;
namespace fs = std::filesystem;

namespace {

const auto k_now = std::chrono::system_clock::time_point(std::chrono::seconds(1796422680)); // 2026-12-04T22:18:00Z

std::unique_ptr<state_store> open_data(const fs::path& data_dir) {
  auto db = state_store::open({(data_dir / "state").string(), false, true});
  EXPECT_TRUE(db) << db.error().message;
  return db ? std::move(*db) : nullptr;
}

} // namespace

TEST(backup, a_backup_restores_every_column_into_an_empty_data_dir) {
  temp_dir dir{"backup-test"};
  auto live = dir / "live";
  auto db = open_data(live);
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->put(column::orders, "o1", "created"));
  ASSERT_TRUE(db->put(column::audit, "a1", "decision"));
  ASSERT_TRUE(db->put(column::inbox, "i1", "delivery"));
  ASSERT_TRUE(db->put(column::outbox, "x1", "intent"));

  auto where = default_backup_dir(live.string(), k_now);
  EXPECT_EQ(where, (live / "backups" / "shopsync-20261204T221800Z").string());
  ASSERT_TRUE(make_backup(*db, where, live.string(), "0.1.0", k_now));
  EXPECT_TRUE(fs::exists(fs::path(where) / backup_marker));
  auto again = make_backup(*db, where, live.string(), "0.1.0", k_now);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "backup.exists");
  // Written after the backup: not in it.
  ASSERT_TRUE(db->put(column::orders, "o2", "later"));

  auto fresh = dir / "fresh";
  auto done = restore_backup(where, fresh.string(), false, k_now);
  ASSERT_TRUE(done) << done.error().message;
  auto copy = open_data(fresh);
  ASSERT_TRUE(copy);
  for (auto [c, k, v] : {std::tuple{column::orders, "o1", "created"}, std::tuple{column::audit, "a1", "decision"},
                         std::tuple{column::inbox, "i1", "delivery"}, std::tuple{column::outbox, "x1", "intent"}}) {
    auto got = copy->get(c, k);
    ASSERT_TRUE(got && *got) << k;
    EXPECT_EQ(**got, v);
  }
  auto later = copy->get(column::orders, "o2");
  ASSERT_TRUE(later);
  EXPECT_FALSE(*later);
  EXPECT_TRUE(check_live_data_dir(fresh.string()));
}

TEST(backup, restoring_over_data_needs_force_and_never_takes_a_running_daemons_data) {
  temp_dir dir{"backup-test"};
  auto live = dir / "live";
  auto where = (dir / "b1").string();
  {
    auto db = open_data(live);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->put(column::orders, "o1", "created"));
    ASSERT_TRUE(make_backup(*db, where, live.string(), "0.1.0", k_now));

    // The data dir is open (a daemon runs): refused even with force.
    auto busy = restore_backup(where, live.string(), true, k_now);
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().code, "backup.busy") << busy.error().message;
  }
  auto refused = restore_backup(where, live.string(), false, k_now);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "backup.not_empty");
  EXPECT_NE(refused.error().message.find("--force"), std::string::npos) << refused.error().message;

  auto forced = restore_backup(where, live.string(), true, k_now);
  ASSERT_TRUE(forced) << forced.error().message;
  EXPECT_TRUE(fs::exists(live / "state.before-restore-20261204T221800Z" / "CURRENT"));
  EXPECT_NE(forced->find("state.before-restore-"), std::string::npos) << *forced;
  EXPECT_TRUE(open_data(live));
}

TEST(backup, a_backup_is_not_live_data_and_not_everything_is_a_backup) {
  temp_dir dir{"backup-test"};
  auto live = dir / "live";
  auto where = (dir / "b1").string();
  {
    auto db = open_data(live);
    ASSERT_TRUE(db);
    ASSERT_TRUE(make_backup(*db, where, live.string(), "0.1.0", k_now));
  }
  auto st = check_live_data_dir(where);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "backup.not_live_data");
  EXPECT_NE(st.error().message.find("--restore-from " + where), std::string::npos) << st.error().message;
  EXPECT_FALSE(check_live_data_dir(where + "/state"));
  EXPECT_TRUE(check_live_data_dir(live.string()));
  EXPECT_TRUE(check_live_data_dir((dir / "not-yet").string()));

  auto not_backup = restore_backup(live.string(), (dir / "other").string(), false, k_now);
  ASSERT_FALSE(not_backup);
  EXPECT_EQ(not_backup.error().code, "backup.invalid");
}
