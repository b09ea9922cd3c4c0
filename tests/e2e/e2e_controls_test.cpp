// The merchant's controls end to end, each against the simulator: SKU normalisation
// (spellings match, a collision after normalisation is a duplicate), the product filter (an
// excluded product is listed, not synced; tagging and untagging it in the Source through
// products/update stops and resumes it), buffers and shares (per Destination, per tag), and
// several Source locations summed into one Destination location.
#include "e2e_fixture.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <sstream>
#include <sys/wait.h>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-ctl.myshopify.com", "shpat_ctl_source", true};
const e2e_store kDest{"dest", "dest-ctl.myshopify.com", "shpat_ctl_dest", false};

struct product_spec {
  std::string handle, sku, vendor = "Acme", type = "Goods";
  std::vector<std::string> tags;
  int available = 0;
};

// Each store's products, at "Main Warehouse" and "Outlet" alike.
std::string scenario(const std::vector<std::vector<product_spec>>& per_store) {
  std::ostringstream s;
  s << R"({"app_secret":"e2e-secret","app_id":580111,"stores":[)";
  const e2e_store stores[] = {kSource, kDest};
  for (std::size_t i = 0; i < per_store.size(); ++i) {
    s << (i ? "," : "") << R"({"shop":")" << stores[i].shop << R"(","token":")" << stores[i].token
      << R"(","locations":["Main Warehouse","Outlet"],"bucket":{"max":20000,"restore":5000},"catalog":{"products":[)";
    for (std::size_t k = 0; k < per_store[i].size(); ++k) {
      const auto& p = per_store[i][k];
      s << (k ? "," : "") << R"({"handle":")" << p.handle << R"(","vendor":")" << p.vendor << R"(","product_type":")"
        << p.type << R"(","tags":[)";
      for (std::size_t t = 0; t < p.tags.size(); ++t)
        s << (t ? "," : "") << '"' << p.tags[t] << '"';
      s << R"(],"variants":[{"sku":")" << p.sku << R"(","option":"One","price":"10.00","inventory_policy":"deny",)"
        << R"("available":{"Main Warehouse":)" << p.available << R"(,"Outlet":)" << p.available << "}}]}";
    }
    s << "]}}";
  }
  s << "]}";
  return s.str();
}

e2e_options options(const std::vector<std::vector<product_spec>>& per_store, const std::string& extra_group_toml,
                    const std::string& strategy = "one_way") {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = scenario(per_store);
  o.groups_toml = group_toml("stock", {kDest}, strategy) + extra_group_toml;
  return o;
}

std::string mappings(e2e_env& env) { return env.control("mappings", R"({"group":"stock"})"); }

// shopsyncctl's text output (what a merchant reads), stderr included.
std::string ctl(const e2e_env& env, const std::string& args) {
  std::string cmd = "'" + binary_path("shopsyncctl").string() + "' --socket '" + env.socket() + "' " + args + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  while (auto n = std::fread(buf.data(), 1, buf.size(), p))
    out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

} // namespace

TEST(E2eControls, normalised_skus_match_across_spellings_and_a_collision_is_a_duplicate_never_merged) {
  e2e_env env(options({{{"tee", "ABC-1", "Acme", "Goods", {}, 7}, {"mug", "MUG-2", "Acme", "Goods", {}, 4},
                        {"cap", "CAP-3", "Acme", "Goods", {}, 9}},
                       {{"tee", "wh-abc-1", "Acme", "Goods", {}, 0}, {"mug", "MUG-2", "Acme", "Goods", {}, 1},
                        {"mug2", "wh-Mug-2", "Acme", "Goods", {}, 1}, {"cap", "Cap-3", "Acme", "Goods", {}, 0}}},
                      "[groups.identifiers]\ncase_fold = true\nstrip_prefix = \"WH-\"\n\n"));
  ASSERT_TRUE(env.start_mapped());
  // "ABC-1" and "wh-abc-1" are one article; so are "CAP-3" and "Cap-3".
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "wh-abc-1") == 7; }, 20s)) << mappings(env);
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "Cap-3") == 9; }, 20s)) << mappings(env);
  // "MUG-2" and "wh-Mug-2" collide only after normalisation in the Destination: a duplicate,
  // reported with both variants, and neither is written.
  auto m = mappings(env);
  EXPECT_NE(m.find(R"("kind":"duplicate","identity":"sku:mug-2","store":"dest")"), std::string::npos) << m;
  EXPECT_NE(m.find(R"("identities":2)"), std::string::npos) << m;
  EXPECT_NE(m.find(R"("strip_prefix":"WH-")"), std::string::npos) << m;
  ASSERT_TRUE(env.webhooks_idle());
  EXPECT_EQ(env.level(kDest.shop, "MUG-2"), 1);
  EXPECT_EQ(env.level(kDest.shop, "wh-Mug-2"), 1);
  auto item = env.control("item", R"({"group":"stock","identity":"sku:abc-1"})");
  EXPECT_NE(item.find(R"("identity":"sku:abc-1")"), std::string::npos) << item;
}

TEST(E2eControls, excluded_products_are_listed_not_synced_and_follow_their_tags) {
  e2e_env env(options({{{"tee", "TEE-1", "Acme", "Shirts", {"summer", "No-Sync"}, 8},
                        {"mug", "MUG-1", "Acme", "Mugs", {}, 5},
                        {"hat", "HAT-1", "Other", "Hats", {}, 6}},
                       {{"tee", "TEE-1", "Acme", "Shirts", {}, 0},
                        {"mug", "MUG-1", "Acme", "Mugs", {}, 0},
                        {"hat", "HAT-1", "Other", "Hats", {}, 0}}},
                      "[groups.filter]\nexclude_tags = [\"no-sync\"]\nexclude_vendors = [\"Other\"]\n\n"));
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "MUG-1") == 5; }, 20s)) << mappings(env);
  auto m = env.control("mappings", R"({"group":"stock","problems":true})");
  EXPECT_NE(m.find(R"("excluded":["sku:HAT-1","sku:TEE-1"])"), std::string::npos) << m;
  EXPECT_NE(m.find(R"("problem_count":0)"), std::string::npos) << "excluded is not a problem: " << m;
  ASSERT_TRUE(env.webhooks_idle());
  EXPECT_EQ(env.level(kDest.shop, "TEE-1"), 0);
  EXPECT_EQ(env.level(kDest.shop, "HAT-1"), 0);

  // The merchant removes the tag in the Source: products/update includes it, and it is aligned.
  auto r = env.sim_post("/_sim/product/update", R"({"store":")" + kSource.shop + R"(","sku":"TEE-1","tags":["summer"]})");
  ASSERT_EQ(r.rfind("HTTP", 0), std::string::npos) << r;
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-1") == 8; }, 20s))
    << mappings(env) << env.daemon_output();
  EXPECT_EQ(mappings(env).find("sku:TEE-1\"]"), std::string::npos);

  // Tagged again: it stops syncing; a Source sale no longer reaches the Destination.
  r = env.sim_post("/_sim/product/update", R"({"store":")" + kSource.shop + R"(","sku":"TEE-1","tags":["no-sync"]})");
  ASSERT_EQ(r.rfind("HTTP", 0), std::string::npos) << r;
  ASSERT_TRUE(env.wait_until([&] { return mappings(env).find(R"("excluded":["sku:HAT-1","sku:TEE-1"])") != std::string::npos; },
                             20s))
    << mappings(env);
  auto seq = env.log_seq();
  env.sale(kSource.shop, "TEE-1", 3);
  env.sale(kSource.shop, "MUG-1", 1);
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "MUG-1") == 4; }, 20s)) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  EXPECT_EQ(env.level(kDest.shop, "TEE-1"), 8);
  EXPECT_EQ(env.mutations(kDest.shop, seq), 1) << "only the mug was written";
}

TEST(E2eControls, a_destination_shows_its_buffer_and_tagged_share_of_the_source) {
  e2e_env env(options({{{"tee", "TEE-1", "Acme", "Goods", {}, 10}, {"mug", "MUG-1", "Acme", "Goods", {"clearance"}, 9},
                        {"cap", "CAP-1", "Acme", "Goods", {}, 1}},
                       {{"tee", "TEE-1", "Acme", "Goods", {}, 0}, {"mug", "MUG-1", "Acme", "Goods", {}, 0},
                        {"cap", "CAP-1", "Acme", "Goods", {}, 5}}},
                      "[[groups.allocation]]\nstore = \"dest\"\nbuffer = 2\n\n"
                      "[[groups.allocation]]\nstore = \"dest\"\ntag = \"Clearance\"\npercent = 50\n\n"));
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-1") == 8; }, 20s)) << env.daemon_output();
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "MUG-1") == 4; }, 20s)); // floor(9 * 50%)
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "CAP-1") == 0; }, 20s)); // max(0, 1 - 2)
  EXPECT_EQ(env.level(kDest.shop, "TEE-1", "Outlet"), 8);
  // A Source sale: the Destination shows the rule applied to the new value.
  env.sale(kSource.shop, "TEE-1", 3);
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-1") == 5; }, 20s)) << env.daemon_output();
  env.sale(kSource.shop, "MUG-1", 2);
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "MUG-1") == 3; }, 20s)); // floor(7 * 50%)
  // A manual edit in the Destination is set back to the rule, not to the Source.
  env.set_level(kDest.shop, "TEE-1", 40);
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-1") == 5; }, 20s));
  auto item = env.control("item", R"({"group":"stock","identity":"sku:MUG-1"})");
  EXPECT_NE(item.find(R"("rule":{"buffer":0,"percent":50})"), std::string::npos) << item;
  EXPECT_NE(item.find(R"("follows":7)"), std::string::npos) << item;
}

TEST(E2eControls, two_way_groups_refuse_a_buffer_with_the_reason) {
  e2e_options o = options({{{"tee", "TEE-1", "Acme", "Goods", {}, 10}}, {{"tee", "TEE-1", "Acme", "Goods", {}, 10}}},
                          "[[groups.allocation]]\nstore = \"dest\"\nbuffer = 2\n\n", "two_way");
  e2e_env env(o);
  EXPECT_FALSE(env.start_daemon());
  auto out = env.daemon_output();
  EXPECT_NE(out.find("groups[0].allocation[0]: "), std::string::npos) << out;
  EXPECT_NE(out.find("deltas and a buffer cannot both hold"), std::string::npos) << out;
}

TEST(E2eControls, one_destination_location_shows_the_sum_of_two_source_locations) {
  e2e_options o = options({{{"tee", "TEE-1", "Acme", "Goods", {}, 6}}, {{"tee", "TEE-1", "Acme", "Goods", {}, 0}}},
                          "[[groups.location_sums]]\nstore = \"dest\"\ndestination = \"Main Warehouse\"\n"
                          "sources = [\"Main Warehouse\", \"Outlet\"]\n\n"
                          "[[groups.allocation]]\nstore = \"dest\"\nbuffer = 1\n\n");
  e2e_env env(o);
  ASSERT_TRUE(env.start_mapped());
  // 6 + 6 - 1 (the buffer applies to the sum).
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-1") == 11; }, 20s))
    << env.control("item", R"({"group":"stock","identity":"sku:TEE-1"})") << env.daemon_output();
  // A sale at either Source location moves it.
  env.sale(kSource.shop, "TEE-1", 2, "Outlet");
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-1") == 9; }, 20s)) << env.daemon_output();
  env.sale(kSource.shop, "TEE-1", 1, "Main Warehouse");
  ASSERT_TRUE(env.wait_until([&] { return env.level(kDest.shop, "TEE-1") == 8; }, 20s)) << env.daemon_output();
  // The Destination's own Outlet is in no pair: left alone, and reported.
  ASSERT_TRUE(env.webhooks_idle());
  EXPECT_EQ(env.level(kDest.shop, "TEE-1", "Outlet"), 0);
  auto m = mappings(env);
  EXPECT_NE(m.find(R"("kind":"unmapped_destination_location","error":false,"store":"dest","location":"Outlet")"),
            std::string::npos)
    << m;
  auto item = env.control("item", R"({"group":"stock","identity":"sku:TEE-1"})");
  EXPECT_NE(item.find(R"("sum_of":["Main Warehouse","Outlet"])"), std::string::npos) << item;
  EXPECT_NE(item.find(R"("follows":9)"), std::string::npos) << item;
  // As the merchant reads them.
  auto text = ctl(env, "item stock sku:TEE-1");
  EXPECT_NE(text.find("follows 9 (Main Warehouse + Outlet), shows floor(max(0, that - 1) x 100%)"), std::string::npos)
    << text;
  text = ctl(env, "mappings --group stock");
  EXPECT_NE(text.find("location sum dest Main Warehouse = Main Warehouse, Outlet"), std::string::npos) << text;
  EXPECT_NE(text.find("allocation dest: shows floor(max(0, Source - 1) x 100%)"), std::string::npos) << text;
}
