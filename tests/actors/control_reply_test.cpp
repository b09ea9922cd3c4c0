// The control replies' shapes that the CLI and scripts rely on: status (per group a state, per
// store its authorization, the same keys as every other reply) and audit rows with location
// names.
#include "actors/control.hpp"
#include "actors/location_directory.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

using namespace shopsync;

namespace {

// One value of a JSON document by JSON pointer, as text ("" when absent).
struct json_doc {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
  explicit json_doc(const std::string& text) { ok = !parser.parse(text).get(root); }
  std::string str(const char* pointer) {
    std::string_view v;
    return ok && !root.at_pointer(pointer).get(v) ? std::string(v) : std::string();
  }
  std::int64_t num(const char* pointer) {
    std::int64_t v = -1;
    return ok && !root.at_pointer(pointer).get(v) ? v : -1;
  }
};

daemon_facts two_stores_one_group() {
  daemon_facts f;
  f.version = "1.2.3";
  f.started = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  store_config main;
  main.name = "main";
  main.shop_domain = "main.myshopify.com";
  main.role = store_role::source;
  store_config outlet;
  outlet.name = "outlet";
  outlet.shop_domain = "outlet.myshopify.com";
  outlet.role = store_role::destination;
  f.cfg.stores = {main, outlet};
  group_config g;
  g.name = "stock";
  g.source = "main";
  g.destinations = {"outlet"};
  f.cfg.groups = {g};
  return f;
}

} // namespace

TEST(control_status, each_group_has_a_state_and_each_store_its_authorization) {
  auto facts = two_stores_one_group();
  auto now = facts.started + std::chrono::seconds(90);
  status_live live;
  live.groups["stock"].paused = true;
  live.unauthorized["outlet"] = true;
  live.unauthorized["main"] = false;
  json_doc j(status_json(facts, now, 3, live));
  ASSERT_TRUE(j.ok);
  EXPECT_EQ(j.num("/uptime_s"), 90);
  EXPECT_EQ(j.str("/groups/0/group"), "stock");
  EXPECT_EQ(j.str("/groups/0/state"), "paused");
  EXPECT_EQ(j.str("/stores/0/store"), "main");
  EXPECT_EQ(j.str("/stores/1/store"), "outlet");
  EXPECT_EQ(status_json(facts, now, 3, live).find("\"name\""), std::string::npos) << "store and group, not name";
  EXPECT_NE(status_json(facts, now, 3, live).find(R"("store":"outlet","shop_domain":"outlet.myshopify.com",)"
                                                   R"("role":"destination","api_version":"2026-10","unauthorized":true)"),
            std::string::npos)
    << status_json(facts, now, 3, live);

  // Nothing known (the daemon is starting): syncing, authorization unknown.
  auto bare = status_json(facts, now, 0);
  EXPECT_EQ(json_doc(bare).str("/groups/0/state"), "syncing") << bare;
  EXPECT_NE(bare.find("\"unauthorized\":null"), std::string::npos) << bare;
}

TEST(location_names, audit_rows_show_location_names_and_keep_the_id) {
  location_directory dir;
  dir.learn("outlet", 7001, "Main Warehouse");
  dir.learn("outlet", 7002, "Outlet", false); // a guess
  dir.learn("outlet", 7002, "Back Room");     // read from the store: wins
  dir.learn("outlet", 7002, "Old Guess", false);
  EXPECT_EQ(dir.name_of("outlet", 7002), "Back Room");
  EXPECT_EQ(dir.name_of("main", 7001), std::nullopt) << "ids are per store";

  auto row = name_audit_location(
    R"({"time_us":1,"group":"stock","subject":"sku:A","store":"outlet","location":7001,"kind":"level_set","delta":2})",
    dir);
  EXPECT_EQ(row, R"({"time_us":1,"group":"stock","subject":"sku:A","store":"outlet","location":"Main Warehouse",)"
                 R"("location_id":7001,"kind":"level_set","delta":2})");
  EXPECT_EQ(json_doc(name_audit_location(R"({"store":"outlet","location":9})", dir)).str("/location"), "9")
    << "an unknown location keeps its id, as text";
  const std::string no_location = R"({"store":"outlet","kind":"order_created"})";
  EXPECT_EQ(name_audit_location(no_location, dir), no_location);
}
