#pragma once
// A bulk operation's query run over one store, as Shopify's "Perform bulk operations with the
// GraphQL Admin API" guide describes it: one top-level connection field; every node of every
// connection is a line of its own in a JSONL file; a node of a nested connection carries
// `__parentId`, the id of the node it belongs to; objects that are not connections are inlined
// in their line. Restrictions checked before anything runs (bulkOperationRunQuery's description in
// the 2026-10 schema, and the guide): at least one connection, at most five, nested at most two
// levels deep; the top-level `node`/`nodes` fields are refused.
//
// The simulator answers the types it models: productVariants, products, inventoryItems and
// locations at the top; ProductVariant, Product, InventoryItem, InventoryLevel, Location and
// their fields that the catalog and level reads use. A field it does not model refuses the query
// (its userError says so): no field is ever made up.
#include "sim/graphql_document.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace shopsync::sim {

class store;

struct bulk_plan {
  gql_document doc;
  const gql_operation* op = nullptr;
  const gql_selection* root = nullptr; // the top-level connection field
};

// Checks `query` against the bulk rules and what the simulator models. Returns the plan, or the
// userError message (and nullopt).
std::optional<bulk_plan> plan_bulk_query(const std::string& query, std::string& error);

struct bulk_counts {
  std::uint64_t objects = 0;      // every line
  std::uint64_t root_objects = 0; // lines of the top-level connection
  std::uint64_t bytes = 0;
};

// Runs the plan over `s` (mutex held), handing each JSONL line (with its '\n', and whether it is
// a node of the top-level connection) to `line`, in
// Shopify's order: a node, then its nested connections' nodes. With `group_objects` false the
// children of up to 100 parents follow those parents (Shopify does not promise that children
// come right after their parent without grouping).
bulk_counts run_bulk_query(const bulk_plan& plan, const store& s, bool group_objects,
                           const std::function<void(const std::string&, bool root)>& line);

} // namespace shopsync::sim
