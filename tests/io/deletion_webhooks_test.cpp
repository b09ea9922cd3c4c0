// products/delete and inventory_items/delete payloads, in the shape Shopify documents for a
// deleted object (its id is the only detail left): parsed with exact 64-bit ids, other fields
// (null ones included) ignored; without a usable id the delivery is unusable (kept aside).
#include "io/webhook_parser.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

namespace {

TEST(deletion_webhooks, products_delete_carries_the_product_id_only) {
  webhook_parser p;
  EXPECT_TRUE(webhook_parser::is_known_topic("products/delete"));
  auto r = p.parse("products/delete", R"({"id":18446744073709551615})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(std::holds_alternative<product_deleted>(*r));
  EXPECT_EQ(std::get<product_deleted>(*r).id, 18446744073709551615ull);
}

TEST(deletion_webhooks, inventory_items_delete_ignores_its_null_origin_fields) {
  webhook_parser p;
  EXPECT_TRUE(webhook_parser::is_known_topic("inventory_items/delete"));
  auto r = p.parse("inventory_items/delete",
                   R"({"id":47000000000123,"country_code_of_origin":null,"province_code_of_origin":null,)"
                   R"("harmonized_system_code":null,"country_harmonized_system_codes":[]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(std::holds_alternative<inventory_item_deleted>(*r));
  EXPECT_EQ(std::get<inventory_item_deleted>(*r).item, 47000000000123u);
  // Fields a later API version might add are ignored too.
  auto more = p.parse("inventory_items/delete", R"({"admin_graphql_api_id":"gid://shopify/InventoryItem/5","id":5,"sku":null})");
  ASSERT_TRUE(more.ok()) << more.error().message;
  EXPECT_EQ(std::get<inventory_item_deleted>(*more).item, 5u);
}

TEST(deletion_webhooks, without_a_usable_id_there_is_nothing_to_unmap) {
  webhook_parser p;
  for (auto topic : {"products/delete", "inventory_items/delete"}) {
    auto missing = p.parse(topic, "{}");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, "webhook.missing_field");
    auto null_id = p.parse(topic, R"({"id":null})");
    ASSERT_FALSE(null_id.ok());
    auto text = p.parse(topic, R"({"id":"abc"})");
    ASSERT_FALSE(text.ok());
  }
}

} // namespace
