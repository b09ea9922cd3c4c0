// inventorySetQuantities / inventoryAdjustQuantities as Shopify 2026-10 answers them:
// @idempotent keys, changeFromQuantity compare-and-set, batch limits and userErrors codes.
#include "sim/sim_fixture.hpp"

#include <chrono>
#include <thread>

using namespace shopsync::testing;

namespace {
struct SimInventory : ::testing::Test {
  sim_process sim{small_scenario()};
  const std::string shop = "alpha.myshopify.com";
  std::int64_t main_loc = sim.location_id(shop, "Main Warehouse");
  std::int64_t outlet = sim.location_id(shop, "Outlet");
  std::int64_t shirt_s = sim.ids(shop, "SHIRT-S").second;
  std::int64_t shirt_m = sim.ids(shop, "SHIRT-M").second;
  std::int64_t shirt_l = sim.ids(shop, "SHIRT-L").second;

  static std::string set_entry(std::int64_t item, std::int64_t loc, int qty, const std::string& cfq) {
    return R"({"inventoryItemId":")" + item_gid(item) + R"(","locationId":")" + location_gid(loc) +
           R"(","quantity":)" + std::to_string(qty) + (cfq.empty() ? "" : R"(,"changeFromQuantity":)" + cfq) + "}";
  }
  static std::string adjust_entry(std::int64_t item, std::int64_t loc, int delta, const std::string& cfq) {
    return R"({"inventoryItemId":")" + item_gid(item) + R"(","locationId":")" + location_gid(loc) +
           R"(","delta":)" + std::to_string(delta) + (cfq.empty() ? "" : R"(,"changeFromQuantity":)" + cfq) + "}";
  }
  static std::string set_vars(const std::string& key, const std::string& entries) {
    return R"({"idempotencyKey":")" + key + R"(","input":{"name":"available","reason":"correction","referenceDocumentUri":"gid://shopsync/SyncIntent/1","quantities":[)" + entries + "]}}";
  }
  static std::string adjust_vars(const std::string& key, const std::string& entries) {
    return R"({"idempotencyKey":")" + key + R"(","input":{"name":"available","reason":"correction","changes":[)" + entries + "]}}";
  }
  std::int64_t level(const std::string& sku, const std::string& loc = "Main Warehouse") { return sim.level(shop, sku, loc); }
};
} // namespace

TEST_F(SimInventory, SetAppliesAndReportsQuantityAfterChange) {
  auto j = sim.alpha("InventorySet", set_vars("k-1", set_entry(shirt_s, main_loc, 7, "null") + "," + set_entry(shirt_m, main_loc, 9, "5")));
  const std::string g = "/data/inventorySetQuantities/inventoryAdjustmentGroup/changes/";
  EXPECT_EQ(j->size("/data/inventorySetQuantities/userErrors"), 0u) << j->dump();
  EXPECT_EQ(j->str(g + "0/name"), "available");
  EXPECT_EQ(j->num(g + "0/delta"), -3);
  EXPECT_EQ(j->num(g + "0/quantityAfterChange"), 7);
  EXPECT_EQ(j->str(g + "0/item/id"), item_gid(shirt_s));
  EXPECT_EQ(j->str(g + "0/location/id"), location_gid(main_loc));
  EXPECT_EQ(j->num(g + "1/delta"), 4);
  EXPECT_EQ(j->num(g + "1/quantityAfterChange"), 9);
  EXPECT_EQ(j->num("/extensions/cost/actualQueryCost"), 10);
  EXPECT_EQ(level("SHIRT-S"), 7);
  EXPECT_EQ(level("SHIRT-M"), 9);
}

TEST_F(SimInventory, AdjustAddsDeltasAndMayGoNegative) {
  auto j = sim.alpha("InventoryAdjust", adjust_vars("a-1", adjust_entry(shirt_l, main_loc, -5, "null")));
  EXPECT_EQ(j->num("/data/inventoryAdjustQuantities/inventoryAdjustmentGroup/changes/0/quantityAfterChange"), -3);
  EXPECT_EQ(level("SHIRT-L"), -3);
}

TEST_F(SimInventory, ChangeFromQuantityStaleFailsTheWholeMutation) {
  auto j = sim.alpha("InventorySet", set_vars("k-2", set_entry(shirt_s, main_loc, 1, "10") + "," + set_entry(shirt_m, main_loc, 1, "4")));
  EXPECT_TRUE(j->is_null("/data/inventorySetQuantities/inventoryAdjustmentGroup"));
  EXPECT_EQ(j->str("/data/inventorySetQuantities/userErrors/0/code"), "CHANGE_FROM_QUANTITY_STALE");
  EXPECT_EQ(j->str("/data/inventorySetQuantities/userErrors/0/field/2"), "1");
  EXPECT_EQ(level("SHIRT-S"), 10) << "nothing applied, not even the entry that matched";
  EXPECT_EQ(level("SHIRT-M"), 5);
  auto a = sim.alpha("InventoryAdjust", adjust_vars("a-2", adjust_entry(shirt_s, main_loc, -1, "9")));
  EXPECT_EQ(a->str("/data/inventoryAdjustQuantities/userErrors/0/code"), "CHANGE_FROM_QUANTITY_STALE");
  EXPECT_EQ(level("SHIRT-S"), 10);
}

TEST_F(SimInventory, SameKeySameVariablesReplaysTheFirstResultWithoutApplyingTwice) {
  auto vars = adjust_vars("a-3", adjust_entry(shirt_s, main_loc, -2, "null"));
  auto first = sim.alpha("InventoryAdjust", vars);
  sim.post("/_sim/sale", R"({"store":"alpha.myshopify.com","sku":"SHIRT-S","location":"Main Warehouse","quantity":1})");
  auto again = sim.alpha("InventoryAdjust", vars);
  EXPECT_EQ(first->dump().substr(0, first->dump().find("\"extensions\"")),
            again->dump().substr(0, again->dump().find("\"extensions\"")));
  EXPECT_EQ(again->num("/data/inventoryAdjustQuantities/inventoryAdjustmentGroup/changes/0/quantityAfterChange"), 8);
  EXPECT_EQ(level("SHIRT-S"), 7) << "10 - 2 (once) - 1 (sale)";
  auto log = sim.get("/_sim/log?store=alpha.myshopify.com&operation=InventoryAdjust");
  ASSERT_EQ(log->size("/calls"), 2u);
  EXPECT_EQ(log->str("/calls/0/outcome"), "applied");
  EXPECT_EQ(log->str("/calls/1/outcome"), "replayed");
  EXPECT_EQ(log->str("/calls/1/idempotency_key"), "a-3");
  EXPECT_TRUE(log->flag("/calls/1/replayed"));
}

TEST_F(SimInventory, SameKeyDifferentVariablesIsAMismatch) {
  sim.alpha("InventorySet", set_vars("k-4", set_entry(shirt_s, main_loc, 3, "null")));
  auto j = sim.alpha("InventorySet", set_vars("k-4", set_entry(shirt_s, main_loc, 4, "null")));
  EXPECT_EQ(j->str("/data/inventorySetQuantities/userErrors/0/code"), "IDEMPOTENCY_KEY_PARAMETER_MISMATCH");
  EXPECT_EQ(level("SHIRT-S"), 3);
}

TEST_F(SimInventory, MissingKeyOrMissingChangeFromQuantityIsRefusedAndFree) {
  auto no_key = sim.alpha("InventorySet", R"({"input":{"name":"available","reason":"correction","quantities":[)" + set_entry(shirt_s, main_loc, 3, "null") + "]}}");
  EXPECT_FALSE(no_key->has("/data"));
  EXPECT_EQ(no_key->str("/errors/0/extensions/code"), "INVALID_VARIABLE");
  auto no_cfq = sim.alpha("InventorySet", set_vars("k-5", set_entry(shirt_s, main_loc, 3, "")));
  EXPECT_FALSE(no_cfq->has("/data"));
  EXPECT_NE(no_cfq->str("/errors/0/message").find("changeFromQuantity"), std::string::npos);
  auto adj = sim.alpha("InventoryAdjust", adjust_vars("a-5", adjust_entry(shirt_s, main_loc, 1, "")));
  EXPECT_FALSE(adj->has("/data"));
  EXPECT_TRUE(adj->is_null("/extensions/cost/actualQueryCost"));
  EXPECT_EQ(level("SHIRT-S"), 10);
}

TEST_F(SimInventory, BatchLimitDuplicatePairNotStockedAndUnknownIds) {
  std::string many;
  for (int i = 0; i < 251; ++i)
    many += std::string(i ? "," : "") + set_entry(shirt_s, main_loc, i, "null");
  auto big = sim.alpha("InventorySet", set_vars("k-6", many));
  EXPECT_EQ(big->str("/errors/0/extensions/code"), "MAX_INPUT_SIZE_EXCEEDED");
  EXPECT_FALSE(big->has("/data"));

  auto dup = sim.alpha("InventorySet", set_vars("k-7", set_entry(shirt_s, main_loc, 1, "null") + "," + set_entry(shirt_s, main_loc, 2, "null")));
  EXPECT_EQ(dup->str("/data/inventorySetQuantities/userErrors/0/code"), "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR");

  // 2026-10: no ITEM_NOT_STOCKED_AT_LOCATION; the write stocks the item there (sim_stocking_test).
  auto unstocked = sim.alpha("InventoryAdjust", adjust_vars("a-8", adjust_entry(shirt_l, outlet, 1, "null")));
  EXPECT_EQ(unstocked->size("/data/inventoryAdjustQuantities/userErrors"), 0u) << unstocked->dump();
  EXPECT_EQ(unstocked->num("/data/inventoryAdjustQuantities/inventoryAdjustmentGroup/changes/0/quantityAfterChange"), 1);

  auto unknown = sim.alpha("InventoryAdjust", adjust_vars("a-9", adjust_entry(1234, main_loc, 1, "null") + "," + adjust_entry(shirt_s, 99, 1, "null")));
  EXPECT_EQ(unknown->str("/data/inventoryAdjustQuantities/userErrors/0/code"), "INVALID_INVENTORY_ITEM");
  EXPECT_EQ(unknown->str("/data/inventoryAdjustQuantities/userErrors/1/code"), "INVALID_LOCATION");
  EXPECT_EQ(level("SHIRT-S"), 10);

  // 250 entries pass the size check (they are refused for their content instead).
  std::string ok;
  for (int i = 0; i < 250; ++i)
    ok += std::string(i ? "," : "") + set_entry(i % 2 ? shirt_s : 1, main_loc, 1, "null");
  auto at_limit = sim.alpha("InventorySet", set_vars("k-10", ok));
  EXPECT_TRUE(at_limit->has("/data/inventorySetQuantities/userErrors/0/code")) << "refused for its content, not its size";
}

TEST_F(SimInventory, ApiWritesComeBackAsInventoryLevelWebhooks) {
  sim.alpha("InventorySet", set_vars("k-11", set_entry(shirt_s, main_loc, 6, "null") + "," + set_entry(shirt_m, main_loc, 5, "null")));
  auto hooks = sim.get("/_sim/webhooks?store=alpha.myshopify.com&bodies=1&topic=inventory_levels/update");
  ASSERT_EQ(hooks->size("/deliveries"), 1u) << "SHIRT-M did not change: no webhook";
  EXPECT_EQ(hooks->num("/deliveries/0/body/inventory_item_id"), shirt_s);
  EXPECT_EQ(hooks->num("/deliveries/0/body/location_id"), main_loc);
  EXPECT_EQ(hooks->num("/deliveries/0/body/available"), 6);
}

// 2026-10: an attempt refused with ADJUST_QUANTITIES_FAILED / SERVICE_UNAVAILABLE applies
// nothing, and its key stays failed: "Retry with a new idempotency key".
TEST_F(SimInventory, AnInjectedRefusalAppliesNothingAndItsKeyIsAnsweredPreviousAttemptFailed) {
  for (const char* code : {"ADJUST_QUANTITIES_FAILED", "SERVICE_UNAVAILABLE"}) {
    SCOPED_TRACE(code);
    sim.post("/_sim/faults", std::string(R"({"user_error_next":1,"user_error_code":")") + code + R"("})");
    // A set is not refused with an adjust-only code: the fault waits for the next adjust.
    auto set = sim.alpha("InventorySet", set_vars(std::string("s-") + code, set_entry(shirt_m, main_loc, 5, "null")));
    EXPECT_EQ(set->size("/data/inventorySetQuantities/userErrors"), 0u) << set->dump();
    const auto before = level("SHIRT-S");
    auto vars = adjust_vars(std::string("r-") + code, adjust_entry(shirt_s, main_loc, -2, "null"));
    auto j = sim.alpha("InventoryAdjust", vars);
    EXPECT_TRUE(j->is_null("/data/inventoryAdjustQuantities/inventoryAdjustmentGroup"));
    EXPECT_EQ(j->str("/data/inventoryAdjustQuantities/userErrors/0/code"), code);
    EXPECT_TRUE(j->is_null("/data/inventoryAdjustQuantities/userErrors/0/field"));
    EXPECT_EQ(level("SHIRT-S"), before);
    auto again = sim.alpha("InventoryAdjust", vars);
    EXPECT_EQ(again->str("/data/inventoryAdjustQuantities/userErrors/0/code"), "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED");
    EXPECT_EQ(level("SHIRT-S"), before);
    auto fresh = sim.alpha("InventoryAdjust", adjust_vars(std::string("n-") + code, adjust_entry(shirt_s, main_loc, -2, "null")));
    EXPECT_EQ(fresh->size("/data/inventoryAdjustQuantities/userErrors"), 0u) << fresh->dump();
    EXPECT_EQ(level("SHIRT-S"), before - 2);
  }
  auto log = sim.get("/_sim/log?store=alpha.myshopify.com&operation=InventoryAdjust");
  ASSERT_EQ(log->size("/calls"), 6u);
  EXPECT_EQ(log->str("/calls/0/fault"), "user_error:ADJUST_QUANTITIES_FAILED");
  EXPECT_EQ(log->str("/calls/1/outcome"), "previous_attempt_failed");
  EXPECT_EQ(log->str("/calls/2/outcome"), "applied");
}

TEST_F(SimInventory, PreviousAttemptFailedCanBeInjectedForSetsToo) {
  sim.post("/_sim/faults", R"({"user_error_next":1,"user_error_code":"IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"})");
  auto j = sim.alpha("InventorySet", set_vars("p-1", set_entry(shirt_s, main_loc, 1, "null")));
  EXPECT_EQ(j->str("/data/inventorySetQuantities/userErrors/0/code"), "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED");
  EXPECT_EQ(level("SHIRT-S"), 10);
  auto bad = sim.client().post("/_sim/faults", R"({"user_error_code":"CHANGE_FROM_QUANTITY_STALE"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
}

// Shopify keeps keys for a window it does not publish: past it the same request applies again.
// This is why shopsyncd never resends an old unanswered write.
TEST_F(SimInventory, PastTheIdempotencyWindowTheSameRequestAppliesAgain) {
  sim.post("/_sim/faults", R"({"idempotency_window_s":0.3})");
  auto vars = adjust_vars("w-1", adjust_entry(shirt_s, main_loc, -2, "null"));
  sim.alpha("InventoryAdjust", vars);
  sim.alpha("InventoryAdjust", vars); // inside the window: replayed
  EXPECT_EQ(level("SHIRT-S"), 8);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto late = sim.alpha("InventoryAdjust", vars);
  EXPECT_EQ(late->num("/data/inventoryAdjustQuantities/inventoryAdjustmentGroup/changes/0/quantityAfterChange"), 6);
  EXPECT_EQ(level("SHIRT-S"), 6) << "applied twice: the key was forgotten";
  auto log = sim.get("/_sim/log?store=alpha.myshopify.com&operation=InventoryAdjust");
  ASSERT_EQ(log->size("/calls"), 3u);
  EXPECT_EQ(log->str("/calls/0/outcome"), "applied");
  EXPECT_EQ(log->str("/calls/1/outcome"), "replayed");
  EXPECT_EQ(log->str("/calls/2/outcome"), "applied");
}
