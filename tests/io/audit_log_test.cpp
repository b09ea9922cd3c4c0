#include "io/audit_log.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace shopsync;
using namespace std::chrono;

TEST(audit_log, appends_in_time_order_filters_limits_and_purges) {
  shopsync::testing::temp_dir dir;
  auto db = state_store::open({dir.str(), false, true});
  ASSERT_TRUE(db);
  audit_log log(**db);
  auto t0 = system_clock::time_point(seconds(1'700'000'000));
  state_store::batch b;
  for (int i = 0; i < 5; ++i)
    log.append(b, {t0 + seconds(i), "stock", i % 2 ? "sku:B" : "sku:A", "main", 7, "delta_propagated", i, i + 1, 1,
                   "sale \"#" + std::to_string(i) + "\""});
  ASSERT_TRUE((*db)->write(b));

  auto all = log.query({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_NE(all->front().find("\"before\":0"), std::string::npos) << all->front();
  EXPECT_NE(all->back().find("\"before\":4"), std::string::npos);

  auto a = log.query({"sku:A", std::nullopt, 2});
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 2u); // the newest two of three
  EXPECT_NE((*a)[0].find("\"before\":2"), std::string::npos);
  EXPECT_NE((*a)[1].find("\"before\":4"), std::string::npos);

  auto since = log.query({"", t0 + seconds(3), 100});
  ASSERT_TRUE(since);
  EXPECT_EQ(since->size(), 2u);

  auto purged = log.purge(t0 + seconds(2));
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 2u);
  EXPECT_EQ(log.query({})->size(), 3u);
}
