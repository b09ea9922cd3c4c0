// Shopify's calculated query cost as the simulator charges it (sim/query_cost.hpp): requested
// from the document, actual from what the answer holds; and the per-plan cost buckets.
#include "sim/sim_fixture.hpp"

#include "io/graphql_documents.hpp"
#include "io/json_writer.hpp"
#include "sim/graphql_document.hpp"
#include "sim/query_cost.hpp"

using namespace shopsync::testing;
using shopsync::sim::actual_query_cost;
using shopsync::sim::parse_graphql;
using shopsync::sim::requested_query_cost;

namespace {

struct priced {
  double requested = -1, actual = -1;
};

priced price(const std::string& doc_text, const std::string& variables, const std::string& data = "") {
  std::string err;
  auto doc = parse_graphql(doc_text, &err);
  EXPECT_TRUE(doc) << err;
  if (!doc)
    return {};
  simdjson::dom::parser vp, dp;
  auto vars = vp.parse(variables).value();
  priced out;
  out.requested = requested_query_cost(*doc, doc->operations.front(), vars);
  if (!data.empty())
    out.actual = actual_query_cost(*doc, doc->operations.front(), dp.parse(data).value());
  return out;
}

std::string document_of(std::string_view op) {
  for (auto& d : shopsync::graphql::all_documents())
    if (d.operation == op)
      return std::string(d.query);
  ADD_FAILURE() << "no document " << op;
  return {};
}

} // namespace

TEST(SimCost, ScalarsAreFreeObjectsCostOneConnectionsTwoPlusFirstTimesANode) {
  EXPECT_EQ(price("{ shop { name id } }", "{}").requested, 1);
  // Shopify's own illustration: 2 + 10 × (1 + (2 + 5 × 1)) = 82.
  EXPECT_EQ(price("{ products(first: 10) { edges { node { title variants(first: 5) { edges { node { price } } } } } } }", "{}").requested, 82);
  // `first` through a variable; pageInfo is in the connection's 2.
  EXPECT_EQ(price("query Q($n: Int!) { locations(first: $n) { nodes { id } pageInfo { hasNextPage } } }", R"({"n": 50})").requested, 52);
  // Fragments on an interface or union: the most expensive possible selection.
  EXPECT_EQ(price("{ node(id: \"x\") { ... on Product { id } ... on Order { customer { id } app { id } } } }", "{}").requested, 3);
  // A mutation costs 10, whatever it selects.
  EXPECT_EQ(price(document_of("InventorySet"), "{}").requested, 10);
}

TEST(SimCost, ShopsyncsDocumentsAtTheirSizes) {
  // productVariants(first) nodes: the variant, selectedOptions, inventoryItem, product = 4 a node.
  EXPECT_EQ(price(document_of("CatalogPage"), R"({"first": 100})").requested, 2 + 4 * 100);
  EXPECT_EQ(price(document_of("CatalogPage"), R"({"first": 250})").requested, 1002) << "over 1000: MAX_COST_EXCEEDED";
  // nodes(ids): sized by the ids (the item, its level, the level's quantities).
  EXPECT_EQ(price(document_of("InventoryLevels"), R"({"ids": ["a", "b", "c"]})").requested, 9);
  const auto order_100 = price(document_of("OrderForSync"), R"({"id": "x", "lines": 100})").requested;
  EXPECT_LE(order_100, 1000) << "must stay runnable";
  // Its lines are a connection sized by $lines: fewer lines, a cheaper read (a small bucket).
  const auto order_25 = price(document_of("OrderForSync"), R"({"id": "x", "lines": 25})").requested;
  EXPECT_EQ(order_100 - order_25, 75 * 8) << "8 points a line";
  EXPECT_LE(order_25, 300);
}

TEST(SimCost, TheActualCostCountsWhatCameBack) {
  auto catalog = price(document_of("CatalogPage"), R"({"first": 100})",
                       R"({"productVariants": {"nodes": [
                           {"id": "1", "selectedOptions": [{"name": "Size", "value": "S"}], "inventoryItem": {"id": "2"}, "product": {"id": "3"}},
                           {"id": "4", "selectedOptions": [], "inventoryItem": {"id": "5"}, "product": {"id": "6"}}],
                          "pageInfo": {"hasNextPage": false, "endCursor": null}}})");
  EXPECT_EQ(catalog.actual, 2 + 4 + 4);
  // A node not found costs its own point, nothing below it.
  auto levels = price(document_of("InventoryLevels"), R"({"ids": ["a", "b"]})",
                      R"({"nodes": [{"id": "a", "inventoryLevel": {"id": "l", "quantities": [{"name": "available", "quantity": 1}]}}, null]})");
  EXPECT_EQ(levels.actual, 3 + 1);
  auto missing = price(document_of("OrderForSync"), R"({"id": "x", "lines": 100})", R"({"order": null})");
  EXPECT_EQ(missing.actual, 1);
}

TEST(SimCost, ARequestIsPricedByTheDocumentItSends) {
  sim_process sim(small_scenario());
  shopsync::json_writer w;
  w.begin_object().field("query", "query CatalogPage($first: Int!) { productVariants(first: $first) { nodes { id sku } } }")
      .key("variables").raw(R"({"first": 30})").field("operationName", "CatalogPage").end_object();
  auto r = sim.client().request("POST", "/admin/api/2026-10/graphql.json", std::move(w).str(),
                                {{"Host", "alpha.myshopify.com"}, {"X-Shopify-Access-Token", "shpat_alpha"}});
  auto j = parse_json(r.body);
  EXPECT_EQ(j->num("/extensions/cost/requestedQueryCost"), 2 + 30);
  EXPECT_EQ(j->num("/extensions/cost/actualQueryCost"), 2 + 5) << "5 variants came back";
  // Without a document of its own (a comment), it is priced by shopsync's document of that name.
  auto own = sim.alpha("CatalogPage", R"({"first": 30})");
  EXPECT_EQ(own->num("/extensions/cost/requestedQueryCost"), 2 + 4 * 30);
  // A page of 250 with shopsync's selection costs more than one query may.
  auto big = sim.alpha("CatalogPage", R"({"first": 250})");
  EXPECT_EQ(big->str("/errors/0/extensions/code"), "MAX_COST_EXCEEDED");
  EXPECT_TRUE(big->is_null("/extensions/cost/actualQueryCost"));
}

TEST(SimPlans, APlanSetsTheBucketAndCanChangeAtRunTime) {
  sim_process sim(R"({"app_secret":"s","stores":[
    {"shop":"alpha.myshopify.com","token":"shpat_alpha","plan":"plus"},
    {"shop":"beta.myshopify.com","token":"shpat_beta"}]})");
  auto j = sim.alpha("Locations", R"({"first":10})");
  EXPECT_EQ(j->num("/extensions/cost/throttleStatus/maximumAvailable"), 20000);
  EXPECT_EQ(j->num("/extensions/cost/throttleStatus/restoreRate"), 1000);
  auto beta = parse_json(sim.admin("beta.myshopify.com", "shpat_beta", "Locations", R"({"first":10})").body);
  EXPECT_EQ(beta->num("/extensions/cost/throttleStatus/maximumAvailable"), 2000) << "the default: Standard";
  EXPECT_EQ(beta->num("/extensions/cost/throttleStatus/restoreRate"), 100);
  sim.post("/_sim/bucket", R"({"store":"alpha.myshopify.com","plan":"advanced"})");
  j = sim.alpha("Locations", R"({"first":10})");
  EXPECT_EQ(j->num("/extensions/cost/throttleStatus/maximumAvailable"), 4000);
  EXPECT_EQ(j->num("/extensions/cost/throttleStatus/restoreRate"), 200);
  EXPECT_EQ(sim.get("/_sim/state?store=alpha.myshopify.com&variants=0")->str("/bucket/plan"), "advanced");
  sim.post("/_sim/bucket", R"({"store":"alpha.myshopify.com","max":250,"restore":100})");
  j = sim.alpha("Locations", R"({"first":10})");
  EXPECT_EQ(j->num("/extensions/cost/throttleStatus/maximumAvailable"), 250);
  sim.post("/_sim/bucket", R"({"store":"alpha.myshopify.com","plan":"basic"})", 400);
}

TEST(SimPlans, AnUnknownPlanIsRefusedAtStart) {
  temp_dir dir("sim-plan");
  auto path = dir / "scenario.json";
  std::ofstream(path) << R"({"stores":[{"shop":"a.myshopify.com","token":"t","plan":"gold"}]})";
  auto r = run_program({binary_path("shopify-sim").string(), "--scenario", path.string(), "--port", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("plan"), std::string::npos) << r.output;
}
