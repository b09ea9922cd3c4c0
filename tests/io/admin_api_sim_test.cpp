// The typed Admin API operations against the real shopify-sim over HTTP.
#include "io/admin_api.hpp"
#include "io/idempotency_key.hpp"
#include "io/io_threads.hpp"
#include "io/write_answer.hpp"
#include "support/sim_process.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <future>
#include <set>

using namespace shopsync;
using namespace shopsync::testing;
using namespace std::chrono_literals;

namespace {

const char* small_scenario = R"({
  "stores": [{
    "shop": "a.myshopify.com", "token": "shpat_a", "locations": ["Main", "Outlet"],
    "bucket": {"max": 20000, "restore": 10000},
    "catalog": {"products": [
      {"handle": "tee", "title": "Tee", "variants": [
        {"sku": "TEE-S", "barcode": "111", "option": "S", "available": {"Main": 10, "Outlet": 5}},
        {"sku": "TEE-M", "barcode": "112", "option": "M", "available": {"Main": 7}}]},
      {"handle": "cap", "title": "Cap", "variants": [
        {"sku": "CAP \"1\"", "barcode": "", "option": "One", "available": 3}]}]}}]})";

template <class T>
struct waiter {
  std::promise<result<T>> p;
  std::function<void(result<T>)> cb() {
    return [this](result<T> r) { p.set_value(std::move(r)); };
  }
  result<T> get() { return p.get_future().get(); }
};

struct sim_api {
  sim_process sim;
  io_threads io{1};
  admin_api api;
  explicit sim_api(const std::string& scenario, const std::vector<std::string>& args = {})
    : sim(scenario, args), api(make_client()) {}
  std::shared_ptr<admin_client> make_client() {
    admin_client_options o;
    o.backoff = {20ms, 200ms, 2.0, 5};
    o.read_timeout = 500ms;
    return admin_client::make(io.context(),
                              {"a", "a.myshopify.com", sim.base_url(), "2026-10", "shpat_a"}, o);
  }
  std::vector<catalog_row> all_rows(int page_size) {
    std::vector<catalog_row> rows;
    std::optional<std::string> after;
    for (int pages = 0; pages < 1000; ++pages) {
      waiter<catalog_page> w;
      api.catalog(page_size, after, w.cb());
      auto r = w.get();
      EXPECT_TRUE(r.ok()) << r.error().code << " " << r.error().message;
      if (!r.ok())
        break;
      for (auto& row : r->rows)
        rows.push_back(row);
      if (!r->has_next)
        break;
      after = r->end_cursor;
    }
    return rows;
  }
  std::vector<location_row> locations() {
    waiter<std::vector<location_row>> w;
    api.locations(w.cb());
    auto r = w.get();
    EXPECT_TRUE(r.ok());
    return r.ok() ? r.value() : std::vector<location_row>{};
  }
  result<std::vector<level_value>> levels(const std::vector<level_key>& keys) {
    waiter<std::vector<level_value>> w;
    api.inventory_levels(keys, w.cb());
    return w.get();
  }
  result<write_outcome> write(const write_batch& b, std::uint64_t batch_id) {
    std::vector<level_key> keys;
    for (auto& e : b.entries)
      keys.push_back({e.item, e.location});
    waiter<write_outcome> w;
    api.write_inventory(b.kind,
                        admin_api::write_variables(b, batch_idempotency_key("a", batch_id),
                                                   "gid://shopsync/SyncBatch/a/" + std::to_string(batch_id)),
                        keys, w.cb());
    return w.get();
  }
  // Calls in the simulator's log for an operation, as (outcome, idempotency key).
  std::vector<std::pair<std::string, std::string>> log(const std::string& op) {
    simdjson::dom::parser p;
    auto body = sim.get("/_sim/log?store=a.myshopify.com&operation=" + op);
    std::vector<std::pair<std::string, std::string>> out;
    for (auto c : p.parse(body)["calls"].get_array()) {
      std::string key = c["idempotency_key"].is_null() ? "" : std::string(c["idempotency_key"].get_string().value());
      out.emplace_back(std::string(c["outcome"].get_string().value()), key);
    }
    return out;
  }
};

} // namespace

TEST(admin_api_sim, catalog_rows_carry_every_identifier) {
  sim_api s(small_scenario);
  ASSERT_TRUE(s.sim.running());
  auto rows = s.all_rows(2); // 3 variants over 2 pages
  ASSERT_EQ(rows.size(), 3u);
  std::set<std::string> skus;
  for (auto& r : rows) {
    EXPECT_NE(r.variant, 0u);
    EXPECT_NE(r.product, 0u);
    EXPECT_NE(r.inventory_item, 0u);
    EXPECT_TRUE(r.tracked);
    EXPECT_FALSE(r.handle.empty());
    EXPECT_FALSE(r.options.empty());
    skus.insert(r.sku);
  }
  EXPECT_EQ(skus, (std::set<std::string>{"TEE-S", "TEE-M", "CAP \"1\""}));
  auto tee_s = std::find_if(rows.begin(), rows.end(), [](auto& r) { return r.sku == "TEE-S"; });
  EXPECT_EQ(tee_s->barcode, "111");
  EXPECT_EQ(tee_s->handle, "tee");
}

TEST(admin_api_sim, paginates_through_a_10000_variant_catalog) {
  sim_api s(R"({"stores": [{"shop": "a.myshopify.com", "token": "shpat_a", "locations": ["Main"],
    "bucket": {"max": 100000, "restore": 100000}, "big_ids": true,
    "catalog": {"generate": {"products": 2500, "variants_per_product": 4}}}]})");
  ASSERT_TRUE(s.sim.running());
  auto rows = s.all_rows(200); // 250 would cost 2 + 4 x 250 > 1000: MAX_COST_EXCEEDED
  ASSERT_EQ(rows.size(), 10000u);
  std::set<variant_id> ids;
  std::set<inventory_item_id> items;
  for (auto& r : rows) {
    ids.insert(r.variant);
    items.insert(r.inventory_item);
  }
  EXPECT_EQ(ids.size(), 10000u);
  EXPECT_EQ(items.size(), 10000u);
  EXPECT_GT(*ids.rbegin(), (1ull << 53)); // exact above 2^53
}

TEST(admin_api_sim, locations_and_levels_with_unstocked_as_null) {
  sim_api s(small_scenario);
  auto locs = s.locations();
  ASSERT_EQ(locs.size(), 2u);
  EXPECT_EQ(locs[0].name, "Main");
  auto rows = s.all_rows(50);
  std::map<std::string, inventory_item_id> item;
  for (auto& r : rows)
    item[r.sku] = r.inventory_item;
  // Read by (item, location), one location per query: real values, not nulls (a level GID made
  // up from the location id, as shopsync once sent, finds nothing in a real store).
  auto main = s.levels({{item["TEE-S"], locs[0].id}});
  ASSERT_TRUE(main.ok()) << main.error().message;
  ASSERT_EQ(main->size(), 1u);
  EXPECT_EQ((*main)[0].available, 10);
  EXPECT_TRUE((*main)[0].active);
  auto outlet = s.levels({{item["TEE-S"], locs[1].id}, {item["TEE-M"], locs[1].id}, {123, locs[1].id}});
  ASSERT_TRUE(outlet.ok()) << outlet.error().message;
  ASSERT_EQ(outlet->size(), 3u);
  EXPECT_EQ((*outlet)[0].available, 5);
  EXPECT_FALSE((*outlet)[1].available); // not stocked
  EXPECT_FALSE((*outlet)[2].available); // no such item
  auto mixed = s.levels({{item["TEE-S"], locs[0].id}, {item["TEE-S"], locs[1].id}});
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().code, "admin.bad_request");
}

TEST(admin_api_sim, set_and_adjust_report_quantity_after_change) {
  sim_api s(small_scenario);
  auto locs = s.locations();
  auto rows = s.all_rows(50);
  std::map<std::string, inventory_item_id> item;
  for (auto& r : rows)
    item[r.sku] = r.inventory_item;
  write_batch adj{write_kind::adjust, {{item["TEE-S"], locs[0].id, -3, std::nullopt, {1}},
                                       {item["TEE-S"], locs[1].id, 2, std::nullopt, {2}}}};
  auto r = s.write(adj, 1);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->applied);
  EXPECT_EQ(r->quantity_after[0], 7);
  EXPECT_EQ(r->quantity_after[1], 7);
  write_batch set{write_kind::set, {{item["TEE-M"], locs[0].id, 42, 7, {3}}}};
  auto r2 = s.write(set, 2);
  ASSERT_TRUE(r2.ok());
  EXPECT_TRUE(r2->applied);
  EXPECT_EQ(r2->quantity_after[0], 42);
}

TEST(admin_api_sim, per_entry_user_errors_name_the_entry_and_nothing_is_applied) {
  sim_api s(small_scenario);
  auto locs = s.locations();
  auto rows = s.all_rows(50);
  std::map<std::string, inventory_item_id> item;
  for (auto& r : rows)
    item[r.sku] = r.inventory_item;
  // Entry 1: no such location; entry 2: stale compare-and-set.
  write_batch b{write_kind::set, {{item["TEE-S"], locs[0].id, 1, std::nullopt, {1}},
                                  {item["TEE-M"], 1, 1, std::nullopt, {2}},
                                  {item["CAP \"1\""], locs[0].id, 9, 99, {3}}}};
  auto r = s.write(b, 7);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->applied);
  ASSERT_EQ(r->entry_errors.size(), 2u);
  EXPECT_EQ(r->entry_errors[0].first, 1u);
  EXPECT_EQ(r->entry_errors[0].second.code, "INVALID_LOCATION");
  EXPECT_EQ(r->entry_errors[1].first, 2u);
  EXPECT_EQ(r->entry_errors[1].second.code, "CHANGE_FROM_QUANTITY_STALE");
  auto lv = s.levels({{item["TEE-S"], locs[0].id}});
  EXPECT_EQ((*lv)[0].available, 10); // untouched
  // Reusing the key with other variables is refused, typed, at the batch level.
  write_batch other{write_kind::set, {{item["TEE-S"], locs[0].id, 2, std::nullopt, {4}}}};
  auto m = s.write(other, 7);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->batch_error);
  EXPECT_EQ(m->batch_error->code, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH");
}

TEST(admin_api_sim, a_5xx_is_retried_with_the_same_key_and_applied_once) {
  sim_api s(small_scenario);
  auto locs = s.locations();
  auto rows = s.all_rows(50);
  auto item = rows[0].inventory_item;
  ASSERT_EQ(s.sim.post("/_sim/faults", R"({"error_next": 2, "error_status": 503, "operations": ["InventoryAdjust"]})")[0], '{');
  auto r = s.write({write_kind::adjust, {{item, locs[0].id, -1, std::nullopt, {1}}}}, 11);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->quantity_after[0], 9);
  auto log = s.log("InventoryAdjust");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].first, "fault");
  EXPECT_EQ(log[2].first, "applied");
  EXPECT_EQ(log[0].second, log[2].second);
  EXPECT_EQ((*s.levels({{item, locs[0].id}}))[0].available, 9);
}

TEST(admin_api_sim, applied_but_never_answered_is_replayed_not_applied_twice) {
  for (std::string mode : {"drop", "hang"}) {
    sim_api s(small_scenario);
    auto locs = s.locations();
    auto rows = s.all_rows(50);
    auto item = rows[0].inventory_item;
    ASSERT_EQ(s.sim.post("/_sim/faults", R"({"lost_next": 1, "lost_mode": ")" + mode +
                                              R"(", "operations": ["InventoryAdjust"]})")[0], '{');
    auto r = s.write({write_kind::adjust, {{item, locs[0].id, -4, std::nullopt, {1}}}}, 12);
    ASSERT_TRUE(r.ok()) << mode << ": " << r.error().message;
    EXPECT_EQ(r->quantity_after[0], 6) << mode; // 10 - 4, once
    auto log = s.log("InventoryAdjust");
    ASSERT_EQ(log.size(), 2u) << mode;
    EXPECT_EQ(log[1].first, "replayed") << mode;
    EXPECT_EQ(log[0].second, log[1].second);
    EXPECT_EQ((*s.levels({{item, locs[0].id}}))[0].available, 6) << mode;
  }
}

// 2026-10 userErrors without a field path (answered for the whole mutation): a typed batch error,
// nothing applied, read as "not applied, send it again under a new key".
TEST(admin_api_sim, not_applied_refusals_are_batch_errors_read_as_not_applied) {
  for (std::string code : {"ADJUST_QUANTITIES_FAILED", "SERVICE_UNAVAILABLE", "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"}) {
    sim_api s(small_scenario);
    auto locs = s.locations();
    auto item = s.all_rows(50)[0].inventory_item;
    ASSERT_EQ(s.sim.post("/_sim/faults", R"({"user_error_next": 1, "user_error_code": ")" + code + R"("})")[0], '{');
    write_batch b{write_kind::adjust, {{item, locs[0].id, -1, std::nullopt, {1}}}};
    auto r = s.write(b, 21);
    ASSERT_TRUE(r.ok()) << code << ": " << r.error().message;
    EXPECT_FALSE(r->applied) << code;
    ASSERT_TRUE(r->batch_error) << code;
    EXPECT_EQ(r->batch_error->code, code);
    EXPECT_EQ(classify_write_failure(*r->batch_error), failure_kind::not_applied) << code;
    EXPECT_EQ((*s.levels({{item, locs[0].id}}))[0].available, 10) << code;
    // The same request under the same key: the failed attempt's key is refused.
    auto again = s.write(b, 21);
    ASSERT_TRUE(again.ok() && again->batch_error) << code;
    EXPECT_EQ(again->batch_error->code, "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED");
    EXPECT_EQ((*s.levels({{item, locs[0].id}}))[0].available, 10) << code;
  }
}

TEST(admin_api_sim, execute_returns_the_data_object) {
  sim_api s(small_scenario);
  std::promise<result<std::string>> p;
  s.api.execute("OrdersByOrigin", "query OrdersByOrigin($query: String!) { orders(first: 5, query: $query) { nodes { id } } }",
                R"({"query": "tag:'nothing'"})", request_safety::query,
                [&p](result<std::string> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r->find("\"orders\""), std::string::npos) << *r;
  // A wrong token is a typed HTTP error.
  auto bad = admin_client::make(s.io.context(), {"a", "a.myshopify.com", s.sim.base_url(), "2026-10", "wrong"});
  std::promise<result<graphql_reply>> p2;
  bad->post({"Locations", "q", R"({"first": 5})", request_safety::query, 7},
            [&p2](result<graphql_reply> r) { p2.set_value(std::move(r)); });
  auto r2 = p2.get_future().get();
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, "admin.unauthorized");
}
