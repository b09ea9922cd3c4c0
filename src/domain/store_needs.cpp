#include "domain/store_needs.hpp"

#include <algorithm>
#include <cctype>

namespace shopsync {

namespace {

// Every topic shopsync may subscribe to, in the order topics_needed() reports them.
constexpr const char* known_topics[] = {
    "app/uninstalled",          "app/scopes_update",
    "inventory_levels/update",  "inventory_levels/connect", "inventory_levels/disconnect",
    "inventory_items/update",   "inventory_items/delete",
    "products/create",          "products/update",          "products/delete",
    "orders/create",            "draft_orders/create",      "draft_orders/update"};

constexpr const char* inventory_topics[] = {
    "inventory_levels/update", "inventory_levels/connect", "inventory_levels/disconnect",
    "inventory_items/update",  "inventory_items/delete",   "products/create",
    "products/update",         "products/delete"};

constexpr const char* inventory_scopes[] = {"read_products", "read_locations", "read_inventory",
                                            "write_inventory"};
constexpr const char* order_scopes[] = {"read_orders", "write_orders", "read_draft_orders",
                                        "write_draft_orders"};

bool member_of(const group_config& g, const std::string& store) {
  return g.source == store || std::find(g.destinations.begin(), g.destinations.end(), store) != g.destinations.end();
}

bool is_destination(const group_config& g, const std::string& store) {
  return std::find(g.destinations.begin(), g.destinations.end(), store) != g.destinations.end();
}

std::string inventory_feature(const group_config& g) {
  return std::string(g.strategy == sync_strategy::two_way ? "two-way" : "one-way") +
         " inventory sync (group " + g.name + ")";
}

std::string order_feature(const group_config& g) {
  return std::string(g.strategy == sync_strategy::order ? "order" : "draft order") + " sync (group " + g.name + ")";
}

void add_topic(std::vector<topic_need>& out, const std::string& t, const std::string& feature) {
  for (auto& n : out)
    if (n.topic == t)
      return;
  out.push_back({t, feature});
}

void add_scope(std::vector<scope_need>& out, const std::string& s, const std::string& feature) {
  for (auto& n : out)
    if (n.scope == s)
      return;
  out.push_back({s, feature});
}

std::size_t topic_rank(const std::string& t) {
  auto it = std::find_if(std::begin(known_topics), std::end(known_topics), [&](const char* k) { return t == k; });
  return static_cast<std::size_t>(it - std::begin(known_topics));
}

} // namespace

std::vector<topic_need> topics_needed(const config& cfg, const std::string& store) {
  std::vector<topic_need> out;
  if (!cfg.find_store(store))
    return out;
  add_topic(out, "app/uninstalled", "knowing when the app is uninstalled");
  add_topic(out, "app/scopes_update", "knowing when the app's access scopes change");
  for (auto& g : cfg.groups) {
    if (!member_of(g, store))
      continue;
    for (auto* t : inventory_topics)
      add_topic(out, t, inventory_feature(g));
    if (!is_destination(g, store))
      continue;
    if (g.strategy == sync_strategy::order || g.strategy == sync_strategy::draft_order)
      add_topic(out, "orders/create", order_feature(g));
    if (g.strategy == sync_strategy::draft_order) {
      add_topic(out, "draft_orders/create", order_feature(g));
      add_topic(out, "draft_orders/update", order_feature(g));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const topic_need& a, const topic_need& b) { return topic_rank(a.topic) < topic_rank(b.topic); });
  return out;
}

std::vector<scope_need> scopes_needed(const config& cfg, const std::string& store) {
  std::vector<scope_need> out;
  for (auto& g : cfg.groups) {
    if (!member_of(g, store))
      continue;
    for (auto* s : inventory_scopes)
      add_scope(out, s, inventory_feature(g));
  }
  for (auto& g : cfg.groups) {
    if (!member_of(g, store) || (g.strategy != sync_strategy::order && g.strategy != sync_strategy::draft_order))
      continue;
    for (auto* s : order_scopes)
      add_scope(out, s, order_feature(g));
  }
  for (auto& t : topics_needed(cfg, store))
    if (auto s = scope_for_topic(t.topic); !s.empty())
      add_scope(out, s, "webhook " + t.topic + " for " + t.feature);
  return out;
}

std::vector<scope_need> missing_scopes(const std::vector<scope_need>& needed,
                                       const std::vector<std::string>& granted) {
  auto has = [&](const std::string& s) { return std::find(granted.begin(), granted.end(), s) != granted.end(); };
  std::vector<scope_need> out;
  for (auto& n : needed) {
    if (has(n.scope))
      continue;
    // write_X implies read_X.
    if (n.scope.rfind("read_", 0) == 0 && has("write_" + n.scope.substr(5)))
      continue;
    out.push_back(n);
  }
  return out;
}

std::string scope_for_topic(const std::string& topic) {
  auto starts = [&](const char* p) { return topic.rfind(p, 0) == 0; };
  if (starts("inventory_levels/") || starts("inventory_items/"))
    return "read_inventory";
  if (starts("products/"))
    return "read_products";
  if (starts("orders/"))
    return "read_orders";
  if (starts("draft_orders/"))
    return "read_draft_orders";
  if (starts("locations/"))
    return "read_locations";
  return "";
}

std::string topic_enum(const std::string& topic) {
  std::string out = topic;
  for (auto& c : out)
    c = c == '/' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> topic_from_enum(const std::string& value) {
  for (auto* t : known_topics)
    if (topic_enum(t) == value)
      return std::string(t);
  return std::nullopt;
}

std::string missing_scope_message(const std::string& store, const scope_need& missing) {
  return "store " + store + " lacks the access scope " + missing.scope + " (needed for " + missing.feature +
         "): add it to the app's access scopes (Dev Dashboard, app version) and approve it in the store";
}

} // namespace shopsync
