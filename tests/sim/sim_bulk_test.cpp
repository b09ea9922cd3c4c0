// Bulk query operations over real HTTP: bulkOperationRunQuery, bulkOperation(id) /
// currentBulkOperation, the JSONL file (nested connections' nodes as lines with __parentId),
// a running time proportional to the objects read, the concurrency limit per store, injected
// failures (INTERNAL_SERVER_ERROR, TIMEOUT, ACCESS_DENIED) and the queries bulk rules refuse.
#include "sim/sim_fixture.hpp"

#include "io/graphql_documents.hpp"
#include "io/json_writer.hpp"

#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <thread>

using namespace shopsync::testing;

namespace {

// A catalog of `products` × 2 variants, each stocked at both locations.
std::string bulk_scenario(int products, const std::string& faults = "{}") {
  return R"({"app_secret":"s","faults":)" + faults + R"(,"stores":[{"shop":"alpha.myshopify.com","token":"shpat_alpha",
    "locations":["Main Warehouse","Outlet"],
    "catalog":{"generate":{"products":)" + std::to_string(products) + R"(,"variants_per_product":2}}}]})";
}

// One Admin call with a document of its own.
std::unique_ptr<json_doc> gql(sim_process& sim, const std::string& query, const std::string& variables = "{}",
                              const std::string& op = "") {
  shopsync::json_writer w;
  w.begin_object().field("query", query).key("variables").raw(variables);
  if (!op.empty())
    w.field("operationName", op);
  w.end_object();
  auto r = sim.client().request("POST", "/admin/api/2026-10/graphql.json", std::move(w).str(),
                                {{"Host", "alpha.myshopify.com"}, {"X-Shopify-Access-Token", "shpat_alpha"}});
  EXPECT_EQ(r.status, 200) << r.body;
  return parse_json(r.body);
}

const char* run_doc = R"(mutation RunBulk($query: String!, $group: Boolean!) {
  bulkOperationRunQuery(query: $query, groupObjects: $group) {
    bulkOperation { id status objectCount url }
    userErrors { field message code }
  }
})";

const char* poll_doc = R"(query PollBulk($id: ID!) {
  bulkOperation(id: $id) {
    id status errorCode objectCount rootObjectCount fileSize url partialDataUrl createdAt completedAt
  }
})";

// Every variant with its item's levels: a nested connection (two levels).
const char* levels_query = R"({ productVariants { edges { node { id sku inventoryItem { id inventoryLevels {
  edges { node { id quantities(names: ["available"]) { name quantity } location { id } } } } } } } } })";

std::string quoted(const std::string& s) {
  shopsync::json_writer w;
  w.value(s);
  return std::move(w).str();
}

std::unique_ptr<json_doc> run(sim_process& sim, const std::string& query, bool group = false) {
  return gql(sim, run_doc, R"({"query":)" + quoted(query) + R"(,"group":)" + (group ? "true" : "false") + "}", "RunBulk");
}

std::unique_ptr<json_doc> poll(sim_process& sim, const std::string& id) {
  return gql(sim, poll_doc, R"({"id":")" + id + R"("})", "PollBulk");
}

// Polls until the operation is no longer CREATED or RUNNING (20 s at most).
std::unique_ptr<json_doc> finished(sim_process& sim, const std::string& id) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    auto p = poll(sim, id);
    auto st = p->str("/data/bulkOperation/status");
    if ((st != "RUNNING" && st != "CREATED") || std::chrono::steady_clock::now() > deadline)
      return p;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string path_of(const std::string& url) {
  auto p = url.find("/_sim/");
  return p == std::string::npos ? url : url.substr(p);
}

std::vector<std::string> lines_of(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream in(body);
  for (std::string l; std::getline(in, l);)
    out.push_back(l);
  return out;
}

} // namespace

TEST(SimBulk, AQueryRunsAndLeavesAJsonlFileWithNestedNodesAsLinesOfTheirOwn) {
  sim_process sim(bulk_scenario(3));
  auto started = run(sim, levels_query);
  ASSERT_EQ(started->size("/data/bulkOperationRunQuery/userErrors"), 0u) << started->dump();
  EXPECT_EQ(started->str("/data/bulkOperationRunQuery/bulkOperation/status"), "CREATED");
  EXPECT_EQ(started->num("/extensions/cost/requestedQueryCost"), 10) << "a mutation costs 10";
  auto id = started->str("/data/bulkOperationRunQuery/bulkOperation/id");
  EXPECT_EQ(id.rfind("gid://shopify/BulkOperation/", 0), 0u);

  auto done = finished(sim, id);
  ASSERT_EQ(done->str("/data/bulkOperation/status"), "COMPLETED") << done->dump();
  EXPECT_TRUE(done->is_null("/data/bulkOperation/errorCode"));
  EXPECT_TRUE(done->is_null("/data/bulkOperation/partialDataUrl"));
  EXPECT_FALSE(done->is_null("/data/bulkOperation/completedAt"));
  // 6 variants and 12 levels; UnsignedInt64 values are strings.
  EXPECT_EQ(done->str("/data/bulkOperation/objectCount"), "18");
  EXPECT_EQ(done->str("/data/bulkOperation/rootObjectCount"), "6");

  auto file = sim.client().get(path_of(done->str("/data/bulkOperation/url")));
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(std::to_string(file.body.size()), done->str("/data/bulkOperation/fileSize"));
  auto lines = lines_of(file.body);
  ASSERT_EQ(lines.size(), 18u);
  std::set<std::string> variants;
  std::map<std::string, int> levels_per_variant;
  for (auto& l : lines) {
    auto j = parse_json(l);
    auto line_id = j->str("/id");
    if (line_id.rfind("gid://shopify/ProductVariant/", 0) == 0) {
      EXPECT_FALSE(j->has("/__parentId")) << l;
      EXPECT_TRUE(j->has("/inventoryItem/id")) << "objects that are not connections stay in the line: " << l;
      EXPECT_FALSE(j->has("/inventoryItem/inventoryLevels")) << "a nested connection is not in its parent's line";
      variants.insert(line_id);
    } else {
      EXPECT_EQ(line_id.rfind("gid://shopify/InventoryLevel/", 0), 0u) << l;
      EXPECT_TRUE(variants.count(j->str("/__parentId"))) << "a child comes after its parent: " << l;
      ++levels_per_variant[j->str("/__parentId")];
      EXPECT_EQ(j->str("/quantities/0/name"), "available");
      EXPECT_EQ(j->str("/location/id").rfind("gid://shopify/Location/", 0), 0u);
    }
  }
  EXPECT_EQ(variants.size(), 6u);
  for (auto& [v, n] : levels_per_variant)
    EXPECT_EQ(n, 2) << v;

  auto current = gql(sim, "query Current { currentBulkOperation { id status url } }");
  EXPECT_EQ(current->str("/data/currentBulkOperation/id"), id);
  EXPECT_TRUE(poll(sim, "gid://shopify/BulkOperation/1")->is_null("/data/bulkOperation")) << "unknown id";
}

TEST(SimBulk, TheFileHoldsTheStoreAsItWasWhenTheOperationStarted) {
  sim_process sim(bulk_scenario(1, R"({"bulk_objects_per_second": 2})"));
  auto id = run(sim, R"({ productVariants { nodes { id sku inventoryQuantity } } })")
                ->str("/data/bulkOperationRunQuery/bulkOperation/id");
  auto sku = sim.get("/_sim/state?store=alpha.myshopify.com&limit=1")->str("/variants/0/sku");
  sim.post("/_sim/sale", R"({"store":"alpha.myshopify.com","sku":")" + sku + R"(","quantity":1})");
  auto done = finished(sim, id);
  ASSERT_EQ(done->str("/data/bulkOperation/status"), "COMPLETED");
  auto lines = lines_of(sim.client().get(path_of(done->str("/data/bulkOperation/url"))).body);
  ASSERT_EQ(lines.size(), 2u);
  auto st = sim.get("/_sim/state?store=alpha.myshopify.com&sku=" + sku);
  std::int64_t now_total = 0;
  for (std::size_t i = 0; i < st->size("/variants/0/levels"); ++i)
    now_total += st->num("/variants/0/levels/" + std::to_string(i) + "/available");
  EXPECT_EQ(parse_json(lines[0])->num("/inventoryQuantity"), now_total + 1) << "the sale came after the snapshot";
}

// BulkLevels (the reconcile round's document) answers each level's updatedAt: the second of its
// last change, as a read by query answers it; a sale moves it on, and only at its own level.
TEST(SimBulk, BulkLevelsAnswersEachLevelsUpdatedAtAsReadsDo) {
  sim_process sim(bulk_scenario(1));
  auto state = sim.get("/_sim/state?store=alpha.myshopify.com&limit=1");
  const auto sku = state->str("/variants/0/sku");
  const auto item = "gid://shopify/InventoryItem/" + std::to_string(state->num("/variants/0/inventory_item_id"));
  const auto location = "gid://shopify/Location/" + std::to_string(state->num("/variants/0/levels/0/location_id"));
  const auto other = "gid://shopify/Location/" + std::to_string(state->num("/variants/0/levels/1/location_id"));
  // The level's updatedAt in a BulkLevels file and in an InventoryLevels read; the item's level
  // at the other location in the file.
  std::string at_other;
  auto levels = [&](std::string& by_read) {
    auto read = gql(sim, std::string(shopsync::graphql::inventory_levels),
                    R"({"ids":[")" + item + R"("],"locationId":")" + location + R"("})", "InventoryLevels");
    by_read = read->str("/data/nodes/0/inventoryLevel/updatedAt");
    auto done = finished(sim, run(sim, std::string(shopsync::graphql::bulk_levels))
                                ->str("/data/bulkOperationRunQuery/bulkOperation/id"));
    EXPECT_EQ(done->str("/data/bulkOperation/status"), "COMPLETED") << done->dump();
    std::string in_file;
    std::size_t level_lines = 0;
    for (auto& l : lines_of(sim.client().get(path_of(done->str("/data/bulkOperation/url"))).body)) {
      auto j = parse_json(l);
      if (!j->has("/__parentId"))
        continue; // a location's own line
      ++level_lines;
      EXPECT_EQ(j->str("/updatedAt").size(), 20u) << "an ISO-8601 UTC second: " << l;
      if (j->str("/item/id") == item && j->str("/__parentId") == location)
        in_file = j->str("/updatedAt");
      if (j->str("/item/id") == item && j->str("/__parentId") == other)
        at_other = j->str("/updatedAt");
    }
    EXPECT_EQ(level_lines, 4u); // 2 variants x 2 locations
    return in_file;
  };
  std::string read_before, read_after;
  const auto before = levels(read_before);
  const auto other_before = at_other;
  EXPECT_FALSE(before.empty());
  EXPECT_EQ(before, read_before);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100)); // the next second
  sim.post("/_sim/sale", R"({"store":"alpha.myshopify.com","sku":")" + sku + R"(","location_id":")" + location +
                             R"(","quantity":1})");
  const auto after = levels(read_after);
  EXPECT_EQ(after, read_after);
  EXPECT_GT(after, before) << "the sale did not move the level's updatedAt";
  EXPECT_EQ(at_other, other_before) << "a sale moved the updatedAt of another level of the item";
}

TEST(SimBulk, ItRunsForATimeProportionalToItsObjects) {
  // 3 products: 6 variants + 12 levels = 18 objects at 6 a second: about 3 seconds.
  sim_process sim(bulk_scenario(3, R"({"bulk_objects_per_second": 6})"));
  auto id = run(sim, levels_query)->str("/data/bulkOperationRunQuery/bulkOperation/id");
  auto early = poll(sim, id);
  EXPECT_EQ(early->str("/data/bulkOperation/status"), "RUNNING");
  EXPECT_LT(std::stoi(early->str("/data/bulkOperation/objectCount")), 18);
  EXPECT_TRUE(early->is_null("/data/bulkOperation/url")) << "no file before it completes";
  auto done = finished(sim, id);
  EXPECT_EQ(done->str("/data/bulkOperation/status"), "COMPLETED");
  EXPECT_EQ(done->str("/data/bulkOperation/objectCount"), "18");
}

TEST(SimBulk, FiveQueriesRunAtOnceAndASixthIsRefused) {
  sim_process sim(bulk_scenario(2, R"({"bulk_objects_per_second": 0.01})"));
  for (int i = 0; i < 5; ++i) {
    auto r = run(sim, R"({ products { edges { node { id handle } } } })");
    ASSERT_EQ(r->size("/data/bulkOperationRunQuery/userErrors"), 0u) << i << r->dump();
  }
  auto sixth = run(sim, R"({ products { edges { node { id handle } } } })");
  EXPECT_TRUE(sixth->is_null("/data/bulkOperationRunQuery/bulkOperation"));
  EXPECT_EQ(sixth->str("/data/bulkOperationRunQuery/userErrors/0/code"), "LIMIT_REACHED");
  // API versions before 2026-01 ran one at a time: "already in progress".
  sim.post("/_sim/faults", R"({"bulk_query_limit": 1})");
  auto one = run(sim, R"({ products { edges { node { id } } } })");
  EXPECT_EQ(one->str("/data/bulkOperationRunQuery/userErrors/0/code"), "OPERATION_IN_PROGRESS");
  EXPECT_EQ(sim.get("/_sim/bulk?store=alpha.myshopify.com")->size("/bulk_operations"), 5u);
}

// currentBulkOperation is deprecated in 2026-10 ("Use `bulkOperations` with status filter instead").
TEST(SimBulk, BulkOperationsListsNewestFirstAndFiltersByStatus) {
  sim_process sim(bulk_scenario(2, R"({"bulk_objects_per_second": 0.01})"));
  auto a = run(sim, R"({ products { nodes { id } } })")->str("/data/bulkOperationRunQuery/bulkOperation/id");
  auto b = run(sim, R"({ locations { nodes { id name } } })")->str("/data/bulkOperationRunQuery/bulkOperation/id");
  const char* list = R"(query Running($q: String) {
    bulkOperations(first: 1, query: $q) { nodes { id status } pageInfo { hasNextPage endCursor } }
  })";
  auto running = gql(sim, list, R"({"q": "status:running"})");
  ASSERT_EQ(running->size("/data/bulkOperations/nodes"), 1u) << running->dump();
  EXPECT_EQ(running->str("/data/bulkOperations/nodes/0/id"), b) << "newest first";
  EXPECT_EQ(running->str("/data/bulkOperations/nodes/0/status"), "RUNNING");
  EXPECT_TRUE(running->flag("/data/bulkOperations/pageInfo/hasNextPage"));
  auto next = gql(sim, R"(query Next($after: String) { bulkOperations(first: 5, after: $after, query: "status:running") { edges { cursor node { id } } } })",
                  R"({"after": ")" + running->str("/data/bulkOperations/pageInfo/endCursor") + R"("})");
  ASSERT_EQ(next->size("/data/bulkOperations/edges"), 1u);
  EXPECT_EQ(next->str("/data/bulkOperations/edges/0/node/id"), a);
  EXPECT_EQ(gql(sim, list, R"({"q": "status:completed"})")->size("/data/bulkOperations/nodes"), 0u);
  EXPECT_EQ(next->num("/extensions/cost/requestedQueryCost"), 2 + 5) << "a connection of 5 objects";
}

TEST(SimBulk, InjectedFailuresLeavePartialDataExceptAccessDenied) {
  sim_process sim(bulk_scenario(4));
  for (const std::string code : {"INTERNAL_SERVER_ERROR", "TIMEOUT"}) {
    sim.post("/_sim/faults", R"({"bulk_fail_next": 1, "bulk_fail_at": 0.5, "bulk_fail_code": ")" + code + R"("})");
    auto id = run(sim, R"({ productVariants { edges { node { id sku } } } })")
                  ->str("/data/bulkOperationRunQuery/bulkOperation/id");
    auto done = finished(sim, id);
    EXPECT_EQ(done->str("/data/bulkOperation/status"), "FAILED") << code;
    EXPECT_EQ(done->str("/data/bulkOperation/errorCode"), code);
    EXPECT_EQ(done->str("/data/bulkOperation/objectCount"), "4") << "half of 8 variants";
    EXPECT_TRUE(done->is_null("/data/bulkOperation/url"));
    auto partial = sim.client().get(path_of(done->str("/data/bulkOperation/partialDataUrl")));
    ASSERT_EQ(partial.status, 200);
    EXPECT_EQ(lines_of(partial.body).size(), 4u);
  }
  sim.post("/_sim/faults", R"({"bulk_fail_next": 1, "bulk_fail_code": "ACCESS_DENIED"})");
  auto denied = finished(sim, run(sim, R"({ products { nodes { id } } })")->str("/data/bulkOperationRunQuery/bulkOperation/id"));
  EXPECT_EQ(denied->str("/data/bulkOperation/status"), "FAILED");
  EXPECT_EQ(denied->str("/data/bulkOperation/errorCode"), "ACCESS_DENIED");
  EXPECT_TRUE(denied->is_null("/data/bulkOperation/partialDataUrl"));
  // Without read_inventory, reading levels is denied too.
  sim.post("/_sim/scopes", R"({"store":"alpha.myshopify.com","scopes":["read_products","read_locations"]})");
  auto no_scope = finished(sim, run(sim, levels_query)->str("/data/bulkOperationRunQuery/bulkOperation/id"));
  EXPECT_EQ(no_scope->str("/data/bulkOperation/errorCode"), "ACCESS_DENIED");
  // The next one runs again.
  sim.post("/_sim/scopes", R"({"store":"alpha.myshopify.com","scopes":["read_products","read_inventory"]})");
  auto ok = finished(sim, run(sim, levels_query)->str("/data/bulkOperationRunQuery/bulkOperation/id"));
  EXPECT_EQ(ok->str("/data/bulkOperation/status"), "COMPLETED");
}

TEST(SimBulk, QueriesTheBulkRulesRefuse) {
  sim_process sim(bulk_scenario(1));
  auto refused = [&](const std::string& q) {
    auto r = run(sim, q);
    EXPECT_TRUE(r->is_null("/data/bulkOperationRunQuery/bulkOperation")) << q;
    EXPECT_EQ(r->str("/data/bulkOperationRunQuery/userErrors/0/field/0"), "query") << q;
    return r->str("/data/bulkOperationRunQuery/userErrors/0/message");
  };
  // Three levels of connections (two at most).
  EXPECT_NE(refused(R"({ products { edges { node { id variants { edges { node { id inventoryItem {
      inventoryLevels { edges { node { id } } } } } } } } } } })").find("levels deep"), std::string::npos);
  // Six connections (five at most).
  EXPECT_NE(refused(R"({ products { edges { node { id
      a: variants { edges { node { id } } } b: variants { edges { node { id } } } c: variants { edges { node { id } } }
      d: variants { edges { node { id } } } e: variants { edges { node { id } } } } } } })").find("5 connections"), std::string::npos);
  EXPECT_NE(refused(R"({ nodes(ids: ["gid://shopify/Product/1"]) { id } })").find("node and nodes"), std::string::npos);
  EXPECT_NE(refused(R"({ shop { name } })").find("connection"), std::string::npos);
  EXPECT_NE(refused(R"({ products { edges { node { id descriptionHtml } } } })").find("shopify-sim"), std::string::npos)
      << "a field the simulator does not model is refused, never made up";
  EXPECT_NE(refused("{ products { edges { node { id }").find("Invalid bulk query"), std::string::npos);
  EXPECT_EQ(sim.get("/_sim/bulk?store=alpha.myshopify.com")->size("/bulk_operations"), 0u);
}

TEST(SimBulk, GroupedOutputPutsChildrenRightAfterTheirParentUngroupedAfterAChunkOfParents) {
  sim_process sim(bulk_scenario(60)); // 120 variants: more than one chunk of 100 parents
  const std::string q = R"({ productVariants { edges { node { id inventoryItem { inventoryLevels { edges { node { id } } } } } } } })";
  auto lines_for = [&](bool group) {
    auto done = finished(sim, run(sim, q, group)->str("/data/bulkOperationRunQuery/bulkOperation/id"));
    return lines_of(sim.client().get(path_of(done->str("/data/bulkOperation/url"))).body);
  };
  auto grouped = lines_for(true);
  ASSERT_EQ(grouped.size(), 360u);
  EXPECT_EQ(parse_json(grouped[1])->str("/__parentId"), parse_json(grouped[0])->str("/id"));
  auto ungrouped = lines_for(false);
  ASSERT_EQ(ungrouped.size(), 360u);
  EXPECT_FALSE(parse_json(ungrouped[1])->has("/__parentId")) << "the next parent, not the first one's children";
  // Every child still comes after its parent.
  std::set<std::string> seen;
  for (auto& l : ungrouped) {
    auto j = parse_json(l);
    if (j->has("/__parentId"))
      EXPECT_TRUE(seen.count(j->str("/__parentId")));
    else
      seen.insert(j->str("/id"));
  }
}
