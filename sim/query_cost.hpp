#pragma once
// Shopify's calculated query cost ("GraphQL Admin API rate limits", shopify.dev), from the
// document a request sends:
// - a scalar or enum field costs 0, an object 1 (plus what is selected in it);
// - an interface or union, or fragments on one: the maximum of the possible selections;
// - a connection (a field with `first` or `last`): 2 + first × the cost of one node (the node
//   object and what is selected in it; `pageInfo` and `cursor` are part of the 2);
// - a mutation field costs 10, whatever it selects.
// The requested cost is computed before running, with every connection full; the actual cost
// from what the answer holds: connections count the nodes returned, an object that came back null
// costs its own 1 and nothing below it (a Shopify answer shows it: `product(id)` null,
// requestedQueryCost 25, actualQueryCost 1 — community.shopify.dev, "Unexpectedly Low GraphQL
// Query Cost in Shopify Admin API").
// Guess (not documented): `nodes(ids:)` is sized by the number of ids, like a connection
// without its 2; a list of objects that is not a connection counts as one object.
#include "sim/graphql_document.hpp"
#include "sim/json_read.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace shopsync::sim {

// Requested cost of `op` given the request's variables (for `first: $first`).
double requested_query_cost(const gql_document& doc, const gql_operation& op, element variables);

// The `first` of the connection reached by the field names of `path` from the operation's root
// (e.g. {"order", "lineItems"}), literal or through a variable; nullopt when there is none.
std::optional<std::int64_t> connection_first(const gql_operation& op, std::initializer_list<std::string_view> path,
                                             element variables);

// Actual cost of `op` given the `data` object of its answer.
double actual_query_cost(const gql_document& doc, const gql_operation& op, element data);

} // namespace shopsync::sim
