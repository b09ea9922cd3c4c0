// topics_needed / scopes_needed: what each store must deliver and allow, by role and strategy.
#include "domain/store_needs.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace shopsync;

namespace {

config three_stores() {
  config c;
  auto store = [](std::string name, store_role role) {
    store_config s;
    s.name = name;
    s.shop_domain = name + ".myshopify.com";
    s.role = role;
    return s;
  };
  c.stores = {store("main", store_role::source), store("outlet", store_role::destination),
              store("wholesale", store_role::destination), store("idle", store_role::destination)};
  group_config stock;
  stock.name = "stock";
  stock.source = "main";
  stock.destinations = {"outlet"};
  stock.strategy = sync_strategy::two_way;
  group_config orders;
  orders.name = "b2b";
  orders.source = "main";
  orders.destinations = {"wholesale"};
  orders.strategy = sync_strategy::draft_order;
  c.groups = {stock, orders};
  return c;
}

std::vector<std::string> topics(const config& c, const std::string& store) {
  std::vector<std::string> out;
  for (auto& t : topics_needed(c, store))
    out.push_back(t.topic);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

} // namespace

TEST(StoreNeeds, EveryGroupStoreGetsInventoryCatalogAndAppTopicsButNoOrderTopicsOnTheSource) {
  auto c = three_stores();
  std::vector<std::string> inventory = {"app/uninstalled", "app/scopes_update", "inventory_levels/update",
                                        "inventory_levels/connect", "inventory_levels/disconnect",
                                        "inventory_items/update", "inventory_items/delete", "products/create",
                                        "products/update", "products/delete"};
  EXPECT_EQ(topics(c, "outlet"), inventory);
  // The Source of a draft_order group creates the drafts: it does not listen to orders.
  EXPECT_EQ(topics(c, "main"), inventory);
}

TEST(StoreNeeds, ADraftOrderDestinationAlsoNeedsOrdersAndDraftOrders) {
  auto c = three_stores();
  auto t = topics(c, "wholesale");
  EXPECT_TRUE(has(t, "orders/create"));
  EXPECT_TRUE(has(t, "draft_orders/create"));
  EXPECT_TRUE(has(t, "draft_orders/update"));
  EXPECT_TRUE(has(t, "inventory_levels/update"));
  EXPECT_EQ(t.size(), 13u);
  auto needs = topics_needed(c, "wholesale");
  auto it = std::find_if(needs.begin(), needs.end(), [](auto& n) { return n.topic == "orders/create"; });
  ASSERT_NE(it, needs.end());
  EXPECT_EQ(it->feature, "draft order sync (group b2b)");
}

TEST(StoreNeeds, AnOrderGroupDestinationNeedsOrdersCreateOnly) {
  auto c = three_stores();
  c.groups[1].strategy = sync_strategy::order;
  auto t = topics(c, "wholesale");
  EXPECT_TRUE(has(t, "orders/create"));
  EXPECT_FALSE(has(t, "draft_orders/create"));
}

TEST(StoreNeeds, AStoreInNoGroupNeedsOnlyTheAppTopicsAndAnUnknownStoreNothing) {
  auto c = three_stores();
  EXPECT_EQ(topics(c, "idle"), (std::vector<std::string>{"app/uninstalled", "app/scopes_update"}));
  EXPECT_TRUE(topics(c, "nobody").empty());
  EXPECT_TRUE(scopes_needed(c, "idle").empty());
}

TEST(StoreNeeds, ScopesFollowTheGroups) {
  auto c = three_stores();
  std::vector<std::string> s;
  for (auto& n : scopes_needed(c, "outlet"))
    s.push_back(n.scope);
  EXPECT_EQ(s, (std::vector<std::string>{"read_products", "read_locations", "read_inventory", "write_inventory"}));
  s.clear();
  for (auto& n : scopes_needed(c, "wholesale"))
    s.push_back(n.scope);
  EXPECT_EQ(s, (std::vector<std::string>{"read_products", "read_locations", "read_inventory", "write_inventory",
                                         "read_orders", "write_orders", "read_draft_orders", "write_draft_orders"}));
  auto w = scopes_needed(c, "wholesale");
  EXPECT_EQ(w[0].feature, "one-way inventory sync (group b2b)"); // draft_order groups sync stock one way
  EXPECT_EQ(w[4].feature, "draft order sync (group b2b)");
}

TEST(StoreNeeds, MissingScopesNameTheFeatureAndAWriteScopeCoversItsRead) {
  auto c = three_stores();
  auto needed = scopes_needed(c, "outlet");
  auto missing = missing_scopes(needed, {"read_products", "write_inventory", "read_locations"});
  EXPECT_TRUE(missing.empty()); // read_inventory is implied by write_inventory
  missing = missing_scopes(needed, {"read_products", "read_inventory", "read_locations"});
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].scope, "write_inventory");
  EXPECT_EQ(missing_scope_message("outlet", missing[0]),
            "store outlet lacks the access scope write_inventory (needed for two-way inventory sync (group "
            "stock)): add it to the app's access scopes (Dev Dashboard, app version) and approve it in the store");
}

TEST(StoreNeeds, TopicNamesMapToTheSubscriptionTopicEnumBothWays) {
  EXPECT_EQ(topic_enum("inventory_levels/update"), "INVENTORY_LEVELS_UPDATE");
  EXPECT_EQ(topic_enum("app/scopes_update"), "APP_SCOPES_UPDATE");
  EXPECT_EQ(topic_from_enum("APP_SCOPES_UPDATE"), std::optional<std::string>("app/scopes_update"));
  EXPECT_EQ(topic_from_enum("DRAFT_ORDERS_UPDATE"), std::optional<std::string>("draft_orders/update"));
  EXPECT_EQ(topic_from_enum("CARTS_CREATE"), std::nullopt);
  EXPECT_EQ(scope_for_topic("orders/create"), "read_orders");
  EXPECT_EQ(scope_for_topic("app/uninstalled"), "");
}
