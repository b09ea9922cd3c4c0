// doctor_report: probes in, one line per store and check, in the order a merchant fixes them.
#include "domain/doctor_report.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

namespace {

config two_stores() {
  config c;
  for (auto [name, role] : {std::pair{"main", store_role::source}, std::pair{"outlet", store_role::destination}}) {
    store_config s;
    s.name = name;
    s.shop_domain = std::string(name) + ".myshopify.com";
    s.role = role;
    c.stores.push_back(s);
  }
  group_config g;
  g.name = "stock";
  g.source = "main";
  g.destinations = {"outlet"};
  c.groups = {g};
  c.webhooks.public_url = "https://sync.example.com/webhooks";
  return c;
}

store_probe healthy(const std::string& store, std::vector<location_info> locations) {
  store_probe p;
  p.store = store;
  p.address = store + ".myshopify.com:443";
  p.api_versions = {{"2026-07", true}, {"2026-10", true}};
  p.scopes = std::vector<std::string>{"read_products", "read_locations", "read_inventory", "write_inventory"};
  p.locations = std::move(locations);
  p.subscriptions.emplace();
  for (auto& t : topics_needed(two_stores(), store))
    p.subscriptions->push_back({"gid://shopify/WebhookSubscription/" + t.topic, t.topic,
                                "https://sync.example.com/webhooks", "shopsync"});
  return p;
}

const doctor_line& line(const std::vector<doctor_line>& lines, const std::string& store, const std::string& check) {
  for (auto& l : lines)
    if (l.store == store && l.check == check)
      return l;
  throw std::runtime_error("no line " + store + "/" + check);
}

} // namespace

TEST(DoctorReport, AHealthyConfigurationPassesWithSevenLinesPerStoreInFixingOrder) {
  auto c = two_stores();
  auto lines = doctor_report(c, {healthy("main", {{1, "Main Warehouse"}}), healthy("outlet", {{2, "Main Warehouse"}})}, true);
  ASSERT_EQ(lines.size(), 14u);
  std::vector<std::string> order;
  for (std::size_t i = 0; i < 7; ++i)
    order.push_back(lines[i].check);
  EXPECT_EQ(order, (std::vector<std::string>{"domain reachable", "token obtained", "API version supported", "scopes",
                                             "locations found and mapped", "subscriptions present",
                                             "public URL configured"}));
  EXPECT_TRUE(doctor_passed(lines)) << render_doctor(lines);
  EXPECT_NE(line(lines, "outlet", "locations found and mapped").detail.find("mapped: Main Warehouse"), std::string::npos);
}

TEST(DoctorReport, EachProblemIsNamedWithWhatToDo) {
  auto c = two_stores();
  c.webhooks.public_url.clear();
  c.stores[1].api_version = "2024-01";
  auto main = healthy("main", {{1, "Main Warehouse"}, {3, "Downtown"}});
  main.scopes = std::vector<std::string>{"read_products", "read_locations", "read_inventory"};
  auto outlet = healthy("outlet", {{2, "Main Warehouse"}, {4, "Pop-up"}});
  outlet.subscriptions->clear();
  auto lines = doctor_report(c, {main, outlet}, true);
  EXPECT_FALSE(doctor_passed(lines));
  EXPECT_EQ(line(lines, "main", "scopes").status, check_status::fail);
  EXPECT_NE(line(lines, "main", "scopes").detail.find("write_inventory (for one-way inventory sync (group stock))"),
            std::string::npos);
  auto& v = line(lines, "outlet", "API version supported");
  EXPECT_EQ(v.status, check_status::fail);
  EXPECT_NE(v.detail.find("set api_version to 2026-10"), std::string::npos) << v.detail;
  auto& loc = line(lines, "outlet", "locations found and mapped");
  EXPECT_EQ(loc.status, check_status::warn);
  EXPECT_NE(loc.detail.find("\"Pop-up\" is not mapped"), std::string::npos) << loc.detail;
  EXPECT_NE(loc.detail.find("Source location \"Downtown\" has no counterpart"), std::string::npos) << loc.detail;
  auto& subs = line(lines, "outlet", "subscriptions present");
  EXPECT_EQ(subs.status, check_status::fail);
  EXPECT_NE(subs.detail.find("missing: app/uninstalled"), std::string::npos) << subs.detail;
  EXPECT_EQ(line(lines, "main", "public URL configured").status, check_status::fail);
}

TEST(DoctorReport, AnUnreachableStoreSkipsWhatDependsOnItAndAnUnauthorizedOneSaysSo) {
  auto c = two_stores();
  store_probe down;
  down.store = "main";
  down.address = "main.myshopify.com:443";
  down.unreachable = "Connection refused";
  store_probe refused;
  refused.store = "outlet";
  refused.address = "outlet.myshopify.com:443";
  refused.call_error = "HTTP 401: Invalid API key or access token";
  refused.unauthorized = true;
  auto lines = doctor_report(c, {down, refused}, false);
  EXPECT_EQ(line(lines, "main", "domain reachable").status, check_status::fail);
  EXPECT_NE(line(lines, "main", "domain reachable").detail.find("Connection refused"), std::string::npos);
  EXPECT_EQ(line(lines, "main", "scopes").status, check_status::skipped);
  EXPECT_EQ(line(lines, "outlet", "token obtained").status, check_status::fail);
  EXPECT_NE(line(lines, "outlet", "token obtained").detail.find("refused the token"), std::string::npos);
  EXPECT_EQ(line(lines, "main", "public URL configured").status, check_status::ok);
  auto text = render_doctor(lines);
  EXPECT_NE(text.find("main    FAIL  domain reachable"), std::string::npos) << text;
}
