// The mapping follows product webhooks without a catalog reload: a product created in one store
// is reported missing, mapped once the other store has it too, and an SKU change unmaps it.
// The catalog keeps only the rows its mapping does not hold and rebuilds the rest from it.
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-cw.myshopify.com", "shpat_cw_source", true};
const e2e_store kDest{"dest", "dest-cw.myshopify.com", "shpat_cw_dest", false};

std::string product(const std::string& shop, const std::string& handle, const std::string& sku, int available) {
  return R"({"store":")" + shop + R"(","handle":")" + handle + R"(","variants":[{"sku":")" + sku +
         R"(","available":)" + std::to_string(available) + "}]}";
}

// The Source and one Destination, each with TEE-RED-S and MUG-WHITE at 10; a one-way group.
e2e_options mirror_options() {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, {"TEE-RED-S", "MUG-WHITE"}, {10, 10});
  o.groups_toml = group_toml("mirror", {kDest}, "one_way");
  return o;
}

} // namespace

TEST(E2eCatalogWebhooks, products_created_and_skus_changed_update_the_mapping_without_a_reload) {
  e2e_env env(mirror_options());
  ASSERT_TRUE(env.start_mapped());
  auto mapping = [&] { return env.control("mappings", R"({"problems":true})"); };
  ASSERT_NE(mapping().find("\"identities\":2"), std::string::npos) << mapping();

  // In the Source only: reported missing in the destination, not mapped.
  auto r = env.sim_post("/_sim/product", product(kSource.shop, "cap", "CAP-1", 5));
  ASSERT_EQ(r.rfind("HTTP", 0), std::string::npos) << r;
  ASSERT_TRUE(env.wait_until([&] { return mapping().find("\"identity\":\"sku:CAP-1\"") != std::string::npos; }, 15s))
    << mapping() << env.daemon_output();
  EXPECT_NE(mapping().find("\"identities\":2"), std::string::npos) << mapping();
  EXPECT_NE(mapping().find("missing_in_destination"), std::string::npos) << mapping();

  // In the destination too: mapped (from the kept Source row and the new one), then aligned.
  r = env.sim_post("/_sim/product", product(kDest.shop, "cap", "CAP-1", 0));
  ASSERT_EQ(r.rfind("HTTP", 0), std::string::npos) << r;
  ASSERT_TRUE(env.wait_until([&] { return mapping().find("\"identities\":3") != std::string::npos; }, 15s))
    << mapping() << env.daemon_output();
  EXPECT_EQ(mapping().find("sku:CAP-1"), std::string::npos) << "no problem left: " << mapping();
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "CAP-1") == 5; }, 15s)) << env.daemon_output();

  // The Source's TEE gets another SKU: TEE-RED-S is now only in the destination, TEE-NEW only in
  // the Source (rows rebuilt from the mapping, one re-keyed).
  r = env.sim_post("/_sim/variant/update", R"({"store":")" + kSource.shop + R"(","sku":"TEE-RED-S","new_sku":"TEE-NEW"})");
  ASSERT_EQ(r.rfind("HTTP", 0), std::string::npos) << r;
  ASSERT_TRUE(env.wait_until([&] { return mapping().find("\"identities\":2") != std::string::npos; }, 15s))
    << mapping() << env.daemon_output();
  auto m = mapping();
  EXPECT_NE(m.find("\"identity\":\"sku:TEE-NEW\""), std::string::npos) << m;
  EXPECT_NE(m.find("\"identity\":\"sku:TEE-RED-S\""), std::string::npos) << m;
  EXPECT_NE(m.find("missing_in_source"), std::string::npos) << m;
  // No catalog reload was needed for any of it: the only load is the first one.
  auto out = env.daemon_output();
  auto first = out.find("catalog group=mirror: loading");
  ASSERT_NE(first, std::string::npos) << out;
  EXPECT_EQ(out.find("catalog group=mirror: loading", first + 1), std::string::npos) << out;
}


// Shopify sends products/update whenever a product is ordered. Such a webhook changes nothing
// the group matches on: the catalog drops it without re-matching (in a flash sale, a re-match
// per sale kept the catalog actor ever behind). A real change still updates the mapping, and a
// sale of the changed product is again nothing.
TEST(E2eCatalogWebhooks, a_sales_products_update_is_dropped_and_a_real_change_still_applies) {
  e2e_env env(mirror_options());
  ASSERT_TRUE(env.start_mapped());
  auto mapping = [&] { return env.control("mappings", R"({"problems":true})"); };
  const std::string unchanged = R"(shopsync_catalog_product_webhooks_total{group="mirror",outcome="unchanged"})";
  const std::string changed = R"(shopsync_catalog_product_webhooks_total{group="mirror",outcome="changed"})";

  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(env.sale(kSource.shop, "TEE-RED-S").rfind("HTTP", 0), std::string::npos);
    ASSERT_EQ(env.sale(kDest.shop, "MUG-WHITE").rfind("HTTP", 0), std::string::npos);
  }
  ASSERT_TRUE(env.wait_until([&] { return env.metric(unchanged) >= 6; }, 15s))
    << env.metric(unchanged) << " " << env.metric(changed) << env.daemon_output();
  EXPECT_EQ(env.metric(changed), 0);
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 7; }, 15s)) << env.daemon_output();

  // The Source's TEE gets another SKU (inventory_items/update and products/update): unmapped.
  auto r = env.sim_post("/_sim/variant/update", R"({"store":")" + kSource.shop + R"(","sku":"TEE-RED-S","new_sku":"TEE-NEW"})");
  ASSERT_EQ(r.rfind("HTTP", 0), std::string::npos) << r;
  ASSERT_TRUE(env.wait_until([&] { return mapping().find("\"identity\":\"sku:TEE-NEW\"") != std::string::npos; }, 15s))
    << mapping() << env.daemon_output();
  EXPECT_GE(env.metric(changed), 1);

  // Back to its old SKU: mapped again (the digest follows each applied change).
  r = env.sim_post("/_sim/variant/update", R"({"store":")" + kSource.shop + R"(","sku":"TEE-NEW","new_sku":"TEE-RED-S"})");
  ASSERT_EQ(r.rfind("HTTP", 0), std::string::npos) << r;
  ASSERT_TRUE(env.wait_until([&] { return mapping().find("sku:TEE-NEW") == std::string::npos; }, 15s))
    << mapping() << env.daemon_output();
  ASSERT_TRUE(env.wait_until([&] { return mapping().find("\"identities\":2") != std::string::npos; }, 15s)) << mapping();

  // A sale of it now: dropped too, and its stock still reaches the Destination.
  ASSERT_TRUE(env.webhooks_idle());
  auto before = env.metric(unchanged);
  auto changed_before = env.metric(changed);
  ASSERT_EQ(env.sale(kSource.shop, "TEE-RED-S").rfind("HTTP", 0), std::string::npos);
  ASSERT_TRUE(env.wait_until([&] { return env.metric(unchanged) >= before + 1; }, 15s)) << env.daemon_output();
  EXPECT_EQ(env.metric(changed), changed_before);
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-RED-S") == 6; }, 15s)) << env.daemon_output();
}
