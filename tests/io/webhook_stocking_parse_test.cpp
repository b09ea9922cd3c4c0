// inventory_levels/connect and inventory_levels/disconnect: the two ids are what matters (the
// level is read); everything else may be null or missing, and a delivery without an id is
// refused by the parser (kept aside by the intake, never lost).
#include "io/webhook_parser.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

namespace {

inventory_level_stocking parse_ok(webhook_parser& p, const std::string& topic, const std::string& body) {
  auto r = p.parse(topic, body);
  if (!r.ok()) {
    ADD_FAILURE() << topic << ": " << r.error().code << " " << r.error().message;
    return {};
  }
  if (!std::holds_alternative<inventory_level_stocking>(*r)) {
    ADD_FAILURE() << topic << " parsed as another event";
    return {};
  }
  return std::get<inventory_level_stocking>(*r);
}

} // namespace

TEST(webhook_stocking_parse, connect_has_the_shape_of_an_update) {
  webhook_parser p;
  EXPECT_TRUE(webhook_parser::is_known_topic("inventory_levels/connect"));
  auto e = parse_ok(p, "inventory_levels/connect",
                    R"({"inventory_item_id":45678901234567,"location_id":71234567890,"available":0,)"
                    R"("updated_at":"2026-10-14T10:22:31-04:00",)"
                    R"("admin_graphql_api_id":"gid://shopify/InventoryLevel/123456789012?inventory_item_id=45678901234567"})");
  EXPECT_TRUE(e.connected);
  EXPECT_EQ(e.item, 45678901234567u);
  EXPECT_EQ(e.location, 71234567890u);
  EXPECT_EQ(e.available, 0);
}

TEST(webhook_stocking_parse, disconnect_may_carry_only_the_ids_and_nulls_elsewhere) {
  webhook_parser p;
  EXPECT_TRUE(webhook_parser::is_known_topic("inventory_levels/disconnect"));
  auto e = parse_ok(p, "inventory_levels/disconnect", R"({"inventory_item_id":9100000000000000123,"location_id":71234567890})");
  EXPECT_FALSE(e.connected);
  EXPECT_EQ(e.item, 9100000000000000123u); // beyond 2^53, exact
  EXPECT_FALSE(e.available);
  auto n = parse_ok(p, "inventory_levels/disconnect",
                    R"({"inventory_item_id":1,"location_id":2,"available":null,"updated_at":null,"admin_graphql_api_id":null})");
  EXPECT_EQ(n.location, 2u);
}

TEST(webhook_stocking_parse, without_an_id_it_is_refused_with_the_field_named) {
  webhook_parser p;
  auto r = p.parse("inventory_levels/connect", R"({"inventory_item_id":null,"location_id":2})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "webhook.missing_field");
  auto m = p.parse("inventory_levels/disconnect", R"({"inventory_item_id":1})");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, "webhook.missing_field");
  EXPECT_NE(m.error().message.find("location_id"), std::string::npos) << m.error().message;
}
