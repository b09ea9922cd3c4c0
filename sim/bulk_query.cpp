#include "sim/bulk_query.hpp"

#include "io/json_writer.hpp"
#include "sim/json_read.hpp"
#include "sim/store.hpp"

#include <map>

namespace shopsync::sim {

namespace {

// What the simulator models of the 2026-10 schema for bulk reads: per type, its fields and what
// each returns. Every name here is a field of that type in admin-2026-10.introspection.json.gz.
enum class returns { scalar, object, object_list, connection };
struct field_info {
  returns r;
  std::string_view type; // object, object list or connection node type
};
using type_table = std::map<std::string_view, field_info, std::less<>>;

const std::map<std::string_view, type_table, std::less<>>& schema() {
  static const std::map<std::string_view, type_table, std::less<>> t = {
    {"QueryRoot", {{"productVariants", {returns::connection, "ProductVariant"}},
                   {"products", {returns::connection, "Product"}},
                   {"inventoryItems", {returns::connection, "InventoryItem"}},
                   {"locations", {returns::connection, "Location"}}}},
    {"ProductVariant", {{"id", {returns::scalar, ""}}, {"sku", {returns::scalar, ""}},
                        {"barcode", {returns::scalar, ""}}, {"title", {returns::scalar, ""}},
                        {"displayName", {returns::scalar, ""}}, {"position", {returns::scalar, ""}},
                        {"price", {returns::scalar, ""}}, {"inventoryQuantity", {returns::scalar, ""}},
                        {"selectedOptions", {returns::object_list, "SelectedOption"}},
                        {"inventoryItem", {returns::object, "InventoryItem"}},
                        {"product", {returns::object, "Product"}}}},
    {"SelectedOption", {{"name", {returns::scalar, ""}}, {"value", {returns::scalar, ""}}}},
    {"Product", {{"id", {returns::scalar, ""}}, {"handle", {returns::scalar, ""}}, {"title", {returns::scalar, ""}},
                 {"tags", {returns::scalar, ""}}, {"vendor", {returns::scalar, ""}},
                 {"productType", {returns::scalar, ""}}, {"variants", {returns::connection, "ProductVariant"}}}},
    {"InventoryItem", {{"id", {returns::scalar, ""}}, {"sku", {returns::scalar, ""}}, {"tracked", {returns::scalar, ""}},
                       {"variant", {returns::object, "ProductVariant"}},
                       {"inventoryLevel", {returns::object, "InventoryLevel"}},
                       {"inventoryLevels", {returns::connection, "InventoryLevel"}}}},
    {"InventoryLevel", {{"id", {returns::scalar, ""}}, {"isActive", {returns::scalar, ""}},
                        {"updatedAt", {returns::scalar, ""}},
                        {"quantities", {returns::object_list, "InventoryQuantity"}},
                        {"location", {returns::object, "Location"}}, {"item", {returns::object, "InventoryItem"}}}},
    {"InventoryQuantity", {{"name", {returns::scalar, ""}}, {"quantity", {returns::scalar, ""}}}},
    {"Location", {{"id", {returns::scalar, ""}}, {"name", {returns::scalar, ""}}, {"isActive", {returns::scalar, ""}},
                  {"inventoryLevels", {returns::connection, "InventoryLevel"}}}},
  };
  return t;
}

constexpr int max_connections = 5; // bulkOperationRunQuery (2026-10): "up to five connections"
constexpr int max_nesting = 2;     // "with a maximum nesting depth of two levels"

struct checker {
  const gql_document& doc;
  int connections = 0;
  std::string error;

  bool fail(std::string e) {
    if (error.empty())
      error = std::move(e);
    return false;
  }
  // The node selection of a connection field: `edges { node { … } }` and/or `nodes { … }`.
  bool connection(const gql_selection& f, std::string_view node_type, int level) {
    if (++connections > max_connections)
      return fail("Bulk queries cannot contain more than " + std::to_string(max_connections) + " connections.");
    if (level > max_nesting)
      return fail("Bulk queries cannot contain connections nested more than " + std::to_string(max_nesting) +
                  " levels deep (" + f.name + ").");
    for (auto& c : f.children) {
      if (c.k != gql_selection::kind::field)
        return fail("Fragments directly on a connection are not supported (" + f.name + ").");
      if (c.name == "nodes") {
        if (!c.has_selection || !set(c.children, node_type, level))
          return fail("Field " + f.name + ".nodes needs a selection.");
      } else if (c.name == "edges") {
        for (auto& e : c.children) {
          if (e.k == gql_selection::kind::field && e.name == "node") {
            if (!e.has_selection || !set(e.children, node_type, level))
              return fail("Field " + f.name + ".edges.node needs a selection.");
          } else if (!(e.k == gql_selection::kind::field && e.name == "cursor")) {
            return fail("Field " + f.name + ".edges." + e.name + " is not modelled by shopify-sim.");
          }
        }
      } else if (c.name != "pageInfo") {
        return fail("Field " + c.name + " on " + f.name + " is not modelled by shopify-sim.");
      }
    }
    return error.empty();
  }
  bool set(const std::vector<gql_selection>& sels, std::string_view type, int level) {
    auto t = schema().find(type);
    for (auto& s : sels) {
      if (s.k != gql_selection::kind::field) {
        const std::vector<gql_selection>* children = &s.children;
        std::string_view cond = s.type_condition;
        if (s.k == gql_selection::kind::fragment_spread) {
          auto* f = doc.fragment(s.name);
          if (!f)
            return fail("Fragment " + s.name + " is not defined.");
          children = &f->selections;
          cond = f->type_condition;
        }
        if (!cond.empty() && cond != type)
          continue; // a fragment on another type selects nothing here
        if (!set(*children, type, level))
          return false;
        continue;
      }
      if (s.name == "__typename")
        continue;
      auto it = t->second.find(s.name);
      if (it == t->second.end())
        return fail("Field " + s.name + " on " + std::string(type) + " is not modelled by shopify-sim.");
      auto& info = it->second;
      if (info.r == returns::scalar) {
        if (s.has_selection)
          return fail("Field " + s.name + " on " + std::string(type) + " is a scalar.");
      } else if (!s.has_selection) {
        return fail("Field " + s.name + " on " + std::string(type) + " needs a selection.");
      } else if (info.r == returns::connection) {
        if (!connection(s, info.type, level + 1))
          return false;
      } else if (!set(s.children, info.type, level)) {
        return false;
      }
    }
    return error.empty();
  }
};

// An object of the store: a variant (also its inventory item), a product, a level or a location.
struct ref {
  enum class type { variant, item, product, level, location, option, quantity };
  type t;
  std::uint32_t a = 0; // variant or product index
  std::size_t b = 0;   // location index
};

std::string_view type_name(ref::type t) {
  switch (t) {
    case ref::type::variant: return "ProductVariant";
    case ref::type::item: return "InventoryItem";
    case ref::type::product: return "Product";
    case ref::type::level: return "InventoryLevel";
    case ref::type::location: return "Location";
    case ref::type::option: return "SelectedOption";
    case ref::type::quantity: return "InventoryQuantity";
  }
  return "";
}

bool bool_arg(const gql_selection& s, std::string_view name) {
  auto* v = s.arg(name);
  return v && v->k == gql_value::kind::boolean && v->flag;
}

struct nested_work {
  const gql_selection* field; // the connection
  ref owner;                  // whose connection it is
  std::string parent_id;      // the line's node: its __parentId
};

class runner {
public:
  runner(const gql_document& doc, const store& s) : doc_(doc), s_(s) {}

  std::string gid_of(const ref& r) const {
    switch (r.t) {
      case ref::type::variant: return gid("ProductVariant", s_.variants[r.a].id);
      case ref::type::item: return gid("InventoryItem", s_.variants[r.a].inventory_item_id);
      case ref::type::product: return gid("Product", s_.products[r.a].id);
      case ref::type::level: return level_gid(s_.level_id(r.a, r.b), s_.variants[r.a].inventory_item_id);
      case ref::type::location: return gid("Location", s_.locations[r.b].id);
      default: return "";
    }
  }

  // The nodes of connection field `f` of `owner` (nullopt owner: the top level).
  std::vector<ref> nodes(const gql_selection& f, const std::optional<ref>& owner) const {
    std::vector<ref> out;
    const bool inactive_too = bool_arg(f, "includeInactive");
    auto level_ok = [&](std::uint32_t v, std::size_t l) {
      return s_.level(v, l) != not_stocked && (inactive_too || s_.level_active(v, l));
    };
    if (!owner) {
      if (f.name == "productVariants" || f.name == "inventoryItems") {
        std::string field, wanted; // productVariants(query: "sku:X" | "barcode:X"), as CatalogPage
        if (auto* q = f.arg("query"); q && q->k == gql_value::kind::string && f.name == "productVariants") {
          auto c = q->text.find(':');
          if (c != std::string::npos) {
            field = q->text.substr(0, c);
            wanted = q->text.substr(c + 1);
            if (wanted.size() >= 2 && (wanted.front() == '\'' || wanted.front() == '"'))
              wanted = wanted.substr(1, wanted.size() - 2);
          }
        }
        for (std::uint32_t v = 0; v < s_.variants.size(); ++v) {
          auto& var = s_.variants[v];
          if (var.deleted || (field == "sku" && var.sku != wanted) || (field == "barcode" && var.barcode != wanted))
            continue;
          out.push_back({f.name == "productVariants" ? ref::type::variant : ref::type::item, v, 0});
        }
      } else if (f.name == "products") {
        for (std::uint32_t p = 0; p < s_.products.size(); ++p)
          if (!s_.products[p].deleted)
            out.push_back({ref::type::product, p, 0});
      } else if (f.name == "locations") {
        for (std::size_t l = 0; l < s_.locations.size(); ++l)
          if (s_.locations[l].active || inactive_too)
            out.push_back({ref::type::location, 0, l});
      }
      return out;
    }
    if (owner->t == ref::type::product && f.name == "variants") {
      for (auto v : s_.products[owner->a].variants)
        if (!s_.variants[v].deleted)
          out.push_back({ref::type::variant, v, 0});
    } else if (owner->t == ref::type::item && f.name == "inventoryLevels") {
      for (std::size_t l = 0; l < s_.locations.size(); ++l)
        if (level_ok(owner->a, l))
          out.push_back({ref::type::level, owner->a, l});
    } else if (owner->t == ref::type::location && f.name == "inventoryLevels") {
      for (std::uint32_t v = 0; v < s_.variants.size(); ++v)
        if (!s_.variants[v].deleted && level_ok(v, owner->b))
          out.push_back({ref::type::level, v, owner->b});
    }
    return out;
  }

  // One line: the node's selected fields (objects inlined), its nested connections queued.
  std::string line(const std::vector<gql_selection>& sels, const ref& r, const std::string& parent_id,
                   std::vector<nested_work>& nested) {
    json_writer w;
    w.begin_object();
    const auto id = gid_of(r);
    fields(w, sels, r, id, nested);
    if (!parent_id.empty())
      w.field("__parentId", parent_id);
    w.end_object();
    return std::move(w).str() + "\n";
  }

private:
  void fields(json_writer& w, const std::vector<gql_selection>& sels, const ref& r, const std::string& line_id,
              std::vector<nested_work>& nested) {
    for (auto& s : sels) {
      if (s.k != gql_selection::kind::field) {
        const std::vector<gql_selection>* children = &s.children;
        std::string_view cond = s.type_condition;
        if (s.k == gql_selection::kind::fragment_spread) {
          auto* f = doc_.fragment(s.name);
          if (!f)
            continue;
          children = &f->selections;
          cond = f->type_condition;
        }
        if (cond.empty() || cond == type_name(r.t))
          fields(w, *children, r, line_id, nested);
        continue;
      }
      field(w, s, r, line_id, nested);
    }
  }

  void object(json_writer& w, const gql_selection& s, const ref& r, const std::string& line_id,
              std::vector<nested_work>& nested) {
    w.begin_object();
    fields(w, s.children, r, line_id, nested);
    w.end_object();
  }

  void field(json_writer& w, const gql_selection& s, const ref& r, const std::string& line_id,
             std::vector<nested_work>& nested) {
    const auto& key = s.response_key();
    if (s.name == "__typename") {
      w.field(key, type_name(r.t));
      return;
    }
    auto info = schema().at(type_name(r.t)).at(s.name);
    if (info.r == returns::connection) {
      nested.push_back({&s, r, line_id});
      return;
    }
    w.key(key);
    auto opt_str = [&](const std::string& v) { v.empty() ? w.null() : w.value(v); };
    switch (r.t) {
      case ref::type::variant: {
        auto& v = s_.variants[r.a];
        auto& p = s_.products[v.product];
        if (s.name == "id") w.value(gid_of(r));
        else if (s.name == "sku") opt_str(v.sku);
        else if (s.name == "barcode") opt_str(v.barcode);
        else if (s.name == "title") w.value(v.option);
        else if (s.name == "displayName") w.value(p.title + " - " + v.option);
        else if (s.name == "position") w.value(static_cast<int>(v.position));
        else if (s.name == "price") w.value(v.price);
        else if (s.name == "inventoryQuantity") w.value(static_cast<std::int64_t>(s_.inventory_quantity(r.a)));
        else if (s.name == "selectedOptions") {
          w.begin_array();
          object(w, s, {ref::type::option, r.a, 0}, line_id, nested);
          w.end_array();
        } else if (s.name == "inventoryItem") object(w, s, {ref::type::item, r.a, 0}, line_id, nested);
        else if (s.name == "product") object(w, s, {ref::type::product, v.product, 0}, line_id, nested);
        break;
      }
      case ref::type::option:
        w.value(s.name == "name" ? std::string("Size") : s_.variants[r.a].option);
        break;
      case ref::type::item: {
        auto& v = s_.variants[r.a];
        if (s.name == "id") w.value(gid_of(r));
        else if (s.name == "sku") opt_str(v.sku);
        else if (s.name == "tracked") w.value(v.tracked);
        else if (s.name == "variant") object(w, s, {ref::type::variant, r.a, 0}, line_id, nested);
        else if (s.name == "inventoryLevel") {
          std::optional<std::size_t> at;
          if (auto* loc = s.arg("locationId"); loc && loc->k == gql_value::kind::string)
            if (auto n = gid_number(loc->text, "Location"))
              at = s_.location_index(*n);
          if (at && s_.level(r.a, *at) != not_stocked && (bool_arg(s, "includeInactive") || s_.level_active(r.a, *at)))
            object(w, s, {ref::type::level, r.a, *at}, line_id, nested);
          else
            w.null();
        }
        break;
      }
      case ref::type::product: {
        auto& p = s_.products[r.a];
        if (s.name == "id") w.value(gid_of(r));
        else if (s.name == "handle") w.value(p.handle);
        else if (s.name == "title") w.value(p.title);
        else if (s.name == "vendor") w.value(p.vendor);
        else if (s.name == "productType") w.value(p.product_type);
        else if (s.name == "tags") {
          w.begin_array();
          for (auto& t : p.tags)
            w.value(t);
          w.end_array();
        }
        break;
      }
      case ref::type::level:
        if (s.name == "id") w.value(gid_of(r));
        else if (s.name == "isActive") w.value(s_.level_active(r.a, r.b));
        else if (s.name == "updatedAt") w.value(utc_time(s_.level_updated_at(r.a, r.b))); // as reads answer it
        else if (s.name == "location") object(w, s, {ref::type::location, 0, r.b}, line_id, nested);
        else if (s.name == "item") object(w, s, {ref::type::item, r.a, 0}, line_id, nested);
        else if (s.name == "quantities") {
          // quantities(names: [...]): the simulator keeps "available" only.
          w.begin_array();
          bool wants = true;
          if (auto* names = s.arg("names"); names && names->k == gql_value::kind::list) {
            wants = false;
            for (auto& n : names->items)
              wants = wants || (n.k == gql_value::kind::string && n.text == "available");
          }
          if (wants)
            object(w, s, {ref::type::quantity, r.a, r.b}, line_id, nested);
          w.end_array();
        }
        break;
      case ref::type::quantity:
        if (s.name == "name") w.value("available");
        else w.value(static_cast<std::int64_t>(s_.level(r.a, r.b)));
        break;
      case ref::type::location:
        if (s.name == "id") w.value(gid_of(r));
        else if (s.name == "name") w.value(s_.locations[r.b].name);
        else if (s.name == "isActive") w.value(s_.locations[r.b].active);
        break;
    }
  }

  const gql_document& doc_;
  const store& s_;
};

// The node selections of a connection field: edges.node and nodes (both, when both are asked).
std::vector<const std::vector<gql_selection>*> node_selections(const gql_selection& conn) {
  std::vector<const std::vector<gql_selection>*> out;
  for (auto& c : conn.children) {
    if (c.name == "nodes" && c.has_selection)
      out.push_back(&c.children);
    else if (c.name == "edges")
      for (auto& e : c.children)
        if (e.name == "node" && e.has_selection)
          out.push_back(&e.children);
  }
  return out;
}

} // namespace

std::optional<bulk_plan> plan_bulk_query(const std::string& query, std::string& error) {
  std::string why;
  auto doc = parse_graphql(query, &why);
  if (!doc) {
    error = "Invalid bulk query: " + why;
    return std::nullopt;
  }
  bulk_plan plan;
  plan.doc = std::move(*doc);
  if (plan.doc.operations.size() != 1 || plan.doc.operations.front().type != "query") {
    error = "Bulk queries must be a single query operation.";
    return std::nullopt;
  }
  plan.op = &plan.doc.operations.front();
  std::vector<const gql_selection*> roots;
  for (auto& s : plan.op->selections)
    if (s.k == gql_selection::kind::field)
      roots.push_back(&s);
  if (roots.size() != 1 || roots.size() != plan.op->selections.size()) {
    error = "Bulk queries must select a single top-level field.";
    return std::nullopt;
  }
  plan.root = roots.front();
  if (plan.root->name == "node" || plan.root->name == "nodes") {
    error = "The top-level node and nodes fields cannot be used in bulk queries.";
    return std::nullopt;
  }
  auto& top = schema().at("QueryRoot");
  auto it = top.find(plan.root->name);
  if (it == top.end()) {
    error = "Top-level field " + plan.root->name +
            " is not a connection shopify-sim models (productVariants, products, inventoryItems, locations); "
            "bulk queries need at least one connection.";
    return std::nullopt;
  }
  checker c{plan.doc, 0, {}};
  if (!plan.root->has_selection || !c.connection(*plan.root, it->second.type, 1)) {
    error = c.error.empty() ? "Field " + plan.root->name + " needs a selection." : c.error;
    return std::nullopt;
  }
  return plan;
}

bulk_counts run_bulk_query(const bulk_plan& plan, const store& s, bool group_objects,
                           const std::function<void(const std::string&, bool root)>& line) {
  constexpr std::size_t ungrouped_chunk = 100;
  runner run(plan.doc, s);
  bulk_counts counts;
  auto emit = [&](const std::string& text, bool root) {
    ++counts.objects;
    counts.bytes += text.size();
    line(text, root);
  };
  auto roots = run.nodes(*plan.root, std::nullopt);
  auto root_sels = node_selections(*plan.root);
  std::vector<nested_work> pending;
  auto flush_nested = [&] {
    // Nested connections are at most one level below the top (max_nesting = 2).
    for (auto& n : pending) {
      auto children = run.nodes(*n.field, n.owner);
      for (auto* sels : node_selections(*n.field)) {
        std::vector<nested_work> deeper; // none: the nesting limit keeps them out
        for (auto& child : children)
          emit(run.line(*sels, child, n.parent_id, deeper), false);
      }
    }
    pending.clear();
  };
  std::size_t in_chunk = 0;
  for (auto& r : roots) {
    for (auto* sels : root_sels) {
      ++counts.root_objects;
      emit(run.line(*sels, r, "", pending), true);
    }
    if (group_objects || ++in_chunk == ungrouped_chunk) {
      flush_nested();
      in_chunk = 0;
    }
  }
  flush_nested();
  return counts;
}

} // namespace shopsync::sim
