#include "io/state_store.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace shopsync;

TEST(state_store, batch_is_atomic_across_column_families_and_survives_reopen) {
  shopsync::testing::temp_dir dir;
  {
    auto db = state_store::open({dir.str(), true, true});
    ASSERT_TRUE(db) << db.error().message;
    state_store::batch b;
    b.put(column::inbox, "k1", "event");
    b.put(column::dedup, "wh-1", "t");
    b.del(column::levels, "absent");
    ASSERT_TRUE((*db)->write(b));
  }
  auto db = state_store::open({dir.str(), true, true});
  ASSERT_TRUE(db);
  EXPECT_EQ((*db)->get(column::inbox, "k1").value(), std::optional<std::string>("event"));
  EXPECT_EQ((*db)->get(column::dedup, "wh-1").value(), std::optional<std::string>("t"));
  EXPECT_EQ((*db)->get(column::mapping, "k1").value(), std::nullopt); // column families are separate
}

TEST(state_store, scan_visits_a_prefix_in_key_order) {
  shopsync::testing::temp_dir dir;
  auto db = state_store::open({dir.str(), false, true});
  ASSERT_TRUE(db);
  for (auto k : {"b/2", "a/1", "b/1", "c/1"})
    ASSERT_TRUE((*db)->put(column::orders, k, k));
  std::vector<std::string> seen;
  ASSERT_TRUE((*db)->scan(column::orders, "b/", [&](std::string_view k, std::string_view) {
    seen.emplace_back(k);
    return true;
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"b/1", "b/2"}));
}

TEST(state_store, refuses_a_newer_schema_version) {
  shopsync::testing::temp_dir dir;
  {
    auto db = state_store::open({dir.str(), true, true});
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->put(column::meta, "schema_version", std::to_string(state_store::schema_version + 1)));
  }
  auto db = state_store::open({dir.str(), true, true});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, "storage.schema");
  EXPECT_NE(db.error().message.find("newer than this shopsyncd"), std::string::npos) << db.error().message;
}

TEST(state_store, injected_write_failure_stores_nothing) {
  shopsync::testing::temp_dir dir;
  auto db = state_store::open({dir.str(), true, true});
  ASSERT_TRUE(db);
  (*db)->fail_writes_for_testing(true);
  EXPECT_FALSE((*db)->put(column::inbox, "k", "v"));
  (*db)->fail_writes_for_testing(false);
  EXPECT_EQ((*db)->get(column::inbox, "k").value(), std::nullopt);
}

TEST(state_store, checkpoint_is_a_usable_copy) {
  shopsync::testing::temp_dir dir;
  auto db = state_store::open({(dir / "live").string(), true, true});
  ASSERT_TRUE(db);
  ASSERT_TRUE((*db)->put(column::mapping, "sku:A", "1"));
  ASSERT_TRUE((*db)->checkpoint((dir / "backup").string()));
  db->reset();
  auto copy = state_store::open({(dir / "backup").string(), true, false});
  ASSERT_TRUE(copy) << copy.error().message;
  EXPECT_EQ((*copy)->get(column::mapping, "sku:A").value(), std::optional<std::string>("1"));
}
