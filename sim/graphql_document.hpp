#pragma once
// A GraphQL executable document, parsed just far enough for what the simulator needs from it:
// operations with their selection sets (fields, aliases, arguments, inline fragments and
// fragment spreads), so it can price a request by Shopify's calculated query cost and run a
// bulk operation's query. No validation against the schema (tests/schema does that for every
// document shopsync sends); directives are skipped; variable definitions are skipped (values
// come from the request's `variables`).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shopsync::sim {

struct gql_value {
  enum class kind { variable, integer, floating, string, boolean, null, enumeration, list, object };
  kind k = kind::null;
  std::string text;     // variable name (without $), string, enum name, number as written
  std::int64_t number = 0; // integer
  bool flag = false;       // boolean
  std::vector<gql_value> items;                         // list
  std::vector<std::pair<std::string, gql_value>> fields; // object
};

struct gql_selection {
  enum class kind { field, inline_fragment, fragment_spread };
  kind k = kind::field;
  std::string alias, name; // field (alias empty when none); spread: the fragment's name
  std::string type_condition; // inline fragment: "on X" (empty when none)
  std::vector<std::pair<std::string, gql_value>> args;
  std::vector<gql_selection> children;
  bool has_selection = false; // a field with { … } (an object, interface, union or connection)

  // The key of this field in the response: its alias, else its name.
  const std::string& response_key() const { return alias.empty() ? name : alias; }
  const gql_value* arg(std::string_view n) const;
};

struct gql_operation {
  std::string type = "query"; // query | mutation | subscription
  std::string name;           // empty for an anonymous operation
  std::vector<gql_selection> selections;
};

struct gql_fragment {
  std::string type_condition;
  std::vector<gql_selection> selections;
};

struct gql_document {
  std::vector<gql_operation> operations;
  std::map<std::string, gql_fragment, std::less<>> fragments;

  // The operation named `name`, or the only one when `name` is empty; nullptr when none fits.
  const gql_operation* operation(std::string_view name) const;
  const gql_fragment* fragment(std::string_view name) const;
};

// Parses `text`; on a syntax error returns nullopt and sets `error` (with the offset).
std::optional<gql_document> parse_graphql(std::string_view text, std::string* error = nullptr);

} // namespace shopsync::sim
