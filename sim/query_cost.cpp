#include "sim/query_cost.hpp"

#include <algorithm>

namespace shopsync::sim {

namespace {

constexpr double object_cost = 1;
constexpr double connection_cost = 2;
constexpr double mutation_cost = 10;

using selections = std::vector<gql_selection>;

const selections* fragment_children(const gql_document& doc, const gql_selection& s) {
  if (s.k == gql_selection::kind::inline_fragment)
    return &s.children;
  auto* f = doc.fragment(s.name);
  return f ? &f->selections : nullptr;
}

// The integer an argument holds, literally or through a variable.
std::int64_t int_value(const gql_value* v, element vars) {
  if (!v)
    return 0;
  if (v->k == gql_value::kind::integer)
    return v->number;
  if (v->k == gql_value::kind::variable)
    return as_int(member(vars, v->text)).value_or(0);
  return 0;
}

std::size_t list_size(const gql_value* v, element vars) {
  if (!v)
    return 0;
  if (v->k == gql_value::kind::list)
    return v->items.size();
  if (v->k == gql_value::kind::variable) {
    simdjson::dom::array a;
    if (auto m = member(vars, v->text); m && m->get(a) == simdjson::SUCCESS)
      return a.size();
    return 0;
  }
  return 1; // a single value where a list is expected counts as a list of one
}

bool is_connection(const gql_selection& s) { return s.arg("first") || s.arg("last"); }
bool is_sized_by_ids(const gql_selection& s) { return s.arg("ids") != nullptr; }

struct requested {
  const gql_document& doc;
  element vars;
  int depth = 0;

  double set(const selections& sels) {
    if (depth >= 64) // fragments that include each other: a cycle costs nothing more
      return 0;
    ++depth;
    double fields = 0, fragments = 0;
    for (auto& s : sels) {
      if (s.k == gql_selection::kind::field) {
        fields += field(s);
      } else if (auto* c = fragment_children(doc, s)) {
        fragments = std::max(fragments, set(*c));
      }
    }
    --depth;
    return fields + fragments;
  }
  // One node of a connection: the node object and its selection, through `nodes` or `edges`.
  double node(const selections& sels) {
    double out = 0;
    for (auto& s : sels) {
      if (s.k != gql_selection::kind::field || !s.has_selection)
        continue;
      if (s.name == "nodes")
        out += object_cost + set(s.children);
      else if (s.name == "edges")
        for (auto& e : s.children)
          if (e.k == gql_selection::kind::field && e.name == "node" && e.has_selection)
            out += object_cost + set(e.children);
    }
    return out;
  }
  double field(const gql_selection& s) {
    if (!s.has_selection)
      return 0; // scalar or enum
    if (is_connection(s)) {
      auto n = std::max<std::int64_t>(0, std::max(int_value(s.arg("first"), vars), int_value(s.arg("last"), vars)));
      return connection_cost + static_cast<double>(n) * node(s.children);
    }
    if (is_sized_by_ids(s))
      return static_cast<double>(list_size(s.arg("ids"), vars)) * (object_cost + set(s.children));
    return object_cost + set(s.children);
  }
};

struct actual {
  const gql_document& doc;
  int depth = 0;

  double set(const selections& sels, element value) {
    if (depth >= 64)
      return 0;
    ++depth;
    double fields = 0, fragments = 0;
    for (auto& s : sels) {
      if (s.k == gql_selection::kind::field) {
        if (auto v = member(value, s.response_key()))
          fields += field(s, *v);
      } else if (auto* c = fragment_children(doc, s)) {
        fragments = std::max(fragments, set(*c, value));
      }
    }
    --depth;
    return fields + fragments;
  }
  double objects(const selections& sels, element list) {
    simdjson::dom::array a;
    double out = 0;
    if (list.get(a) != simdjson::SUCCESS)
      return 0;
    for (auto el : a)
      out += object_cost + (el.is_null() ? 0 : set(sels, el));
    return out;
  }
  double field(const gql_selection& s, element v) {
    if (!s.has_selection)
      return 0;
    if (v.is_null()) // the object was looked up and not found: its own point, nothing below it
      return object_cost;
    if (is_connection(s)) {
      double out = connection_cost;
      for (auto& c : s.children) {
        if (c.k != gql_selection::kind::field || !c.has_selection)
          continue;
        auto list = member(v, c.response_key());
        if (!list)
          continue;
        if (c.name == "nodes") {
          out += objects(c.children, *list);
        } else if (c.name == "edges") {
          simdjson::dom::array edges;
          if (list->get(edges) != simdjson::SUCCESS)
            continue;
          for (auto e : edges)
            for (auto& n : c.children)
              if (n.k == gql_selection::kind::field && n.name == "node" && n.has_selection)
                if (auto node = member(e, n.response_key()); node && !node->is_null())
                  out += object_cost + set(n.children, *node);
        }
      }
      return out;
    }
    if (is_sized_by_ids(s))
      return objects(s.children, v);
    simdjson::dom::array a;
    if (v.get(a) == simdjson::SUCCESS) { // a list of objects that is not a connection: one object
      double most = 0;
      for (auto el : a)
        if (!el.is_null())
          most = std::max(most, set(s.children, el));
      return object_cost + most;
    }
    return object_cost + set(s.children, v);
  }
};

} // namespace

double requested_query_cost(const gql_document& doc, const gql_operation& op, element variables) {
  if (op.type == "mutation") {
    double out = 0;
    for (auto& s : op.selections)
      if (s.k == gql_selection::kind::field)
        out += mutation_cost;
    return out;
  }
  return requested{doc, variables}.set(op.selections);
}

double actual_query_cost(const gql_document& doc, const gql_operation& op, element data) {
  if (op.type == "mutation")
    return requested_query_cost(doc, op, data);
  return actual{doc}.set(op.selections, data);
}

std::optional<std::int64_t> connection_first(const gql_operation& op, std::initializer_list<std::string_view> path,
                                             element variables) {
  const std::vector<gql_selection>* level = &op.selections;
  const gql_selection* field = nullptr;
  for (auto name : path) {
    auto it = std::find_if(level->begin(), level->end(),
                           [&](const gql_selection& s) { return s.k == gql_selection::kind::field && s.name == name; });
    if (it == level->end())
      return std::nullopt;
    field = &*it;
    level = &it->children;
  }
  const gql_value* first = field ? field->arg("first") : nullptr;
  if (!first || (first->k == gql_value::kind::variable && !member(variables, first->text)))
    return std::nullopt;
  return int_value(first, variables);
}

} // namespace shopsync::sim
