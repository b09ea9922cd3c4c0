#include "domain/group_mapping.hpp"

#include <charconv>
#include <sstream>

namespace shopsync {

namespace {

std::string item_key(const store_name& store, inventory_item_id item) {
  std::string k = store;
  k.push_back('\0');
  k += std::to_string(item);
  return k;
}

// Fields are tab-separated, records newline-separated: escape both (and the escape).
void put(std::string& out, std::string_view field) {
  out.push_back('\t');
  for (char c : field) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      default: out.push_back(c);
    }
  }
}

void put(std::string& out, std::uint64_t n) { put(out, std::to_string(n)); }

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> fields(1);
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\t') {
      fields.emplace_back();
    } else if (c == '\\' && i + 1 < line.size()) {
      char n = line[++i];
      fields.back().push_back(n == 't' ? '\t' : n == 'n' ? '\n' : n);
    } else {
      fields.back().push_back(c);
    }
  }
  return fields;
}

bool num(const std::string& s, std::uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

error corrupt(const std::string& why) { return error{"mapping.corrupt", "stored mapping unreadable: " + why}; }

} // namespace

group_mapping::group_mapping(const group_config& group, catalog_match match, location_mapping locations)
  : group_(group.name), mode_(sync_mode_for(group)), destinations_(group.destinations),
    match_(std::move(match)), locations_(std::move(locations)) {
  build_index();
}

void group_mapping::build_index() {
  by_key_.clear();
  by_item_.clear();
  by_variant_.clear();
  by_key_.reserve(match_.identities.size());
  by_item_.reserve(match_.identities.size() * (destinations_.size() + 1));
  for (std::size_t i = 0; i < match_.identities.size(); ++i) {
    auto& id = match_.identities[i];
    by_key_.emplace(id.key, i);
    for (auto& s : id.stores) {
      by_item_.emplace(item_key(s.store, s.inventory_item), i);
      by_variant_.emplace(item_key(s.store, s.variant_id), i);
    }
  }
}

const identity_mapping* group_mapping::find(const store_name& store, inventory_item_id item) const {
  auto it = by_item_.find(item_key(store, item));
  return it == by_item_.end() ? nullptr : &match_.identities[it->second];
}

const identity_mapping* group_mapping::find_variant(const store_name& store, variant_id variant) const {
  auto it = by_variant_.find(item_key(store, variant));
  return it == by_variant_.end() ? nullptr : &match_.identities[it->second];
}

const identity_mapping* group_mapping::find_key(const std::string& key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : &match_.identities[it->second];
}

item_layout group_mapping::layout(const identity_mapping& id) const {
  return make_item_layout(id, locations_, destinations_, mode_);
}

std::string group_mapping::encode() const {
  std::string out = "gm1";
  for (auto& id : match_.identities) {
    out += "\nI";
    put(out, id.key);
    for (auto& s : id.stores) {
      put(out, s.store);
      put(out, s.product_id);
      put(out, s.variant_id);
      put(out, s.inventory_item);
    }
  }
  for (auto& p : match_.problems) {
    out += "\nP";
    put(out, static_cast<std::uint64_t>(p.kind));
    put(out, p.key);
    put(out, p.store);
    for (auto v : p.variants)
      put(out, v);
  }
  for (auto& s : locations_.slots) {
    out += "\nS";
    put(out, s.name);
    put(out, s.source);
    for (auto& d : s.destinations)
      put(out, d ? std::to_string(*d) : std::string("-"));
  }
  for (auto& p : locations_.problems) {
    out += "\nL";
    put(out, static_cast<std::uint64_t>(p.kind));
    put(out, p.error ? 1 : 0);
    put(out, p.store);
    put(out, p.name);
  }
  return out;
}

result<group_mapping> group_mapping::decode(const group_config& group, const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "gm1")
    return corrupt("unknown version");
  catalog_match match;
  location_mapping locs;
  while (std::getline(in, line)) {
    auto f = split(line);
    if (f.empty() || f[0].empty())
      return corrupt("empty record");
    std::uint64_t a = 0, b = 0, c = 0;
    if (f[0] == "I") {
      if (f.size() < 2 || (f.size() - 2) % 4 != 0)
        return corrupt("identity record");
      identity_mapping id;
      id.key = f[1];
      for (std::size_t i = 2; i < f.size(); i += 4) {
        if (!num(f[i + 1], a) || !num(f[i + 2], b) || !num(f[i + 3], c))
          return corrupt("identity ids");
        id.stores.push_back({f[i], a, b, c});
      }
      match.identities.push_back(std::move(id));
    } else if (f[0] == "P") {
      if (f.size() < 4 || !num(f[1], a) || a > 3)
        return corrupt("problem record");
      match_problem p;
      p.kind = static_cast<match_problem_kind>(a);
      p.key = f[2];
      p.store = f[3];
      for (std::size_t i = 4; i < f.size(); ++i) {
        if (!num(f[i], b))
          return corrupt("problem variants");
        p.variants.push_back(b);
      }
      match.problems.push_back(std::move(p));
    } else if (f[0] == "S") {
      if (f.size() < 3 || !num(f[2], a))
        return corrupt("slot record");
      location_slot s;
      s.name = f[1];
      s.source = a;
      for (std::size_t i = 3; i < f.size(); ++i) {
        if (f[i] == "-") {
          s.destinations.push_back(std::nullopt);
        } else if (num(f[i], b)) {
          s.destinations.push_back(b);
        } else {
          return corrupt("slot destinations");
        }
      }
      locs.slots.push_back(std::move(s));
    } else if (f[0] == "L") {
      if (f.size() != 5 || !num(f[1], a) || a > 6 || !num(f[2], b))
        return corrupt("location problem record");
      locs.problems.push_back({static_cast<location_problem_kind>(a), b != 0, f[3], f[4]});
    } else {
      return corrupt("unknown record " + f[0]);
    }
  }
  return group_mapping(group, std::move(match), std::move(locs));
}

} // namespace shopsync
