#include "domain/matcher.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace shopsync {

namespace {

std::string trim(const std::string& s) {
  const char* ws = " \t\r\n\f\v";
  auto b = s.find_first_not_of(ws);
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

} // namespace

const char* to_string(match_problem_kind k) {
  switch (k) {
    case match_problem_kind::duplicate: return "duplicate";
    case match_problem_kind::missing_in_destination: return "missing_in_destination";
    case match_problem_kind::missing_in_source: return "missing_in_source";
    case match_problem_kind::empty_identifier: return "empty_identifier";
  }
  return "?";
}

const char* to_string(location_problem_kind k) {
  switch (k) {
    case location_problem_kind::unknown_store: return "unknown_store";
    case location_problem_kind::unknown_source_location: return "unknown_source_location";
    case location_problem_kind::unknown_destination_location: return "unknown_destination_location";
    case location_problem_kind::ambiguous_name: return "ambiguous_name";
    case location_problem_kind::conflicting_pair: return "conflicting_pair";
    case location_problem_kind::unmapped_source_location: return "unmapped_source_location";
    case location_problem_kind::unmapped_destination_location: return "unmapped_destination_location";
  }
  return "?";
}

std::optional<std::string> identity_key(match_key by, const catalog_variant& v) {
  switch (by) {
    case match_key::sku: {
      auto s = trim(v.sku);
      if (s.empty()) return std::nullopt;
      return "sku:" + s;
    }
    case match_key::barcode: {
      auto s = trim(v.barcode);
      if (s.empty()) return std::nullopt;
      return "barcode:" + s;
    }
    case match_key::handle: {
      auto h = trim(v.handle);
      if (h.empty()) return std::nullopt;
      // A handle has no '/' or '#', so both forms below are unambiguous.
      const bool default_only =
          v.options.empty() || (v.options.size() == 1 && v.options[0] == "Default Title");
      if (default_only) {
        if (v.position <= 0) return std::nullopt;
        return "handle:" + h + "#" + std::to_string(v.position);
      }
      std::string key = "handle:" + h + "/";
      for (std::size_t i = 0; i < v.options.size(); ++i) {
        if (i) key += " / ";
        key += v.options[i];
      }
      return key;
    }
  }
  return std::nullopt;
}

catalog_match match_catalog(match_key by, const store_name& source,
                            const std::vector<store_name>& destinations,
                            const std::vector<catalog_variant>& rows) {
  // Store index in the group: 0 the Source, 1.. the Destinations.
  std::unordered_map<std::string, std::size_t> store_index;
  store_index.emplace(source, 0);
  for (std::size_t i = 0; i < destinations.size(); ++i) store_index.emplace(destinations[i], i + 1);
  const std::size_t nstores = destinations.size() + 1;
  std::vector<const store_name*> names(nstores);
  names[0] = &source;
  for (std::size_t i = 0; i < destinations.size(); ++i) names[i + 1] = &destinations[i];

  // One entry per (store, variant): the last row wins.
  struct ref {
    std::size_t store;
    variant_id variant;
    std::size_t row;
  };
  std::vector<ref> refs;
  refs.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto it = store_index.find(rows[i].store);
    if (it != store_index.end()) refs.push_back({it->second, rows[i].variant_id, i});
  }
  std::sort(refs.begin(), refs.end(), [](const ref& a, const ref& b) {
    return std::tie(a.store, a.variant, a.row) < std::tie(b.store, b.variant, b.row);
  });
  std::vector<std::pair<std::size_t, const catalog_variant*>> unique;
  unique.reserve(refs.size());
  for (std::size_t i = 0; i < refs.size(); ++i)
    if (i + 1 == refs.size() || refs[i + 1].store != refs[i].store || refs[i + 1].variant != refs[i].variant)
      unique.emplace_back(refs[i].store, &rows[refs[i].row]);

  catalog_match out;
  struct entry {
    std::string key;
    std::size_t store;
    const catalog_variant* row;
  };
  std::vector<entry> entries;
  entries.reserve(unique.size());
  for (const auto& [store, row] : unique) {
    auto key = identity_key(by, *row);
    if (!key) {
      out.problems.push_back({match_problem_kind::empty_identifier, {}, row->store, {row->variant_id}});
      continue;
    }
    entries.push_back({std::move(*key), store, row});
  }
  std::sort(entries.begin(), entries.end(), [](const entry& a, const entry& b) {
    return std::tie(a.key, a.store, a.row->variant_id) < std::tie(b.key, b.store, b.row->variant_id);
  });

  for (std::size_t i = 0; i < entries.size();) {
    std::size_t j = i;
    while (j < entries.size() && entries[j].key == entries[i].key) ++j;
    const std::string& key = entries[i].key;
    // Per store: the variants with this key (entries are sorted by store within the key).
    std::vector<std::vector<const catalog_variant*>> per_store(nstores);
    for (std::size_t k = i; k < j; ++k) per_store[entries[k].store].push_back(entries[k].row);
    bool duplicated = false;
    for (std::size_t s = 0; s < nstores; ++s) {
      if (per_store[s].size() < 2) continue;
      duplicated = true;
      match_problem p{match_problem_kind::duplicate, key, *names[s], {}};
      for (const auto* r : per_store[s]) p.variants.push_back(r->variant_id);
      out.problems.push_back(std::move(p));
    }
    if (!duplicated) {
      if (per_store[0].empty()) {
        for (std::size_t s = 1; s < nstores; ++s)
          if (!per_store[s].empty())
            out.problems.push_back({match_problem_kind::missing_in_source, key, *names[s],
                                    {per_store[s][0]->variant_id}});
      } else {
        identity_mapping m;
        m.key = key;
        for (std::size_t s = 0; s < nstores; ++s) {
          if (per_store[s].empty()) {
            out.problems.push_back({match_problem_kind::missing_in_destination, key, *names[s],
                                    {per_store[0][0]->variant_id}});
            continue;
          }
          const auto* r = per_store[s][0];
          m.stores.push_back({*names[s], r->product_id, r->variant_id, r->inventory_item});
        }
        // Only the Source has it: nothing to sync, already reported as missing.
        if (m.stores.size() > 1) out.identities.push_back(std::move(m));
      }
    }
    i = j;
  }

  std::stable_sort(out.problems.begin(), out.problems.end(),
                   [&](const match_problem& a, const match_problem& b) {
                     auto ia = store_index.at(a.store), ib = store_index.at(b.store);
                     auto va = a.variants.empty() ? 0 : a.variants[0];
                     auto vb = b.variants.empty() ? 0 : b.variants[0];
                     return std::tie(a.kind, a.key, ia, va) < std::tie(b.kind, b.key, ib, vb);
                   });
  return out;
}

// ---- locations

bool location_mapping::has_errors() const {
  return std::any_of(problems.begin(), problems.end(), [](const location_problem& p) { return p.error; });
}

namespace {

// name -> ids with that name, in one store.
std::map<std::string, std::vector<location_id>> by_name_index(const std::vector<location_info>& locs) {
  std::map<std::string, std::vector<location_id>> idx;
  for (const auto& l : locs) idx[l.name].push_back(l.id);
  return idx;
}

} // namespace

location_mapping map_locations(const store_locations& source,
                               const std::vector<store_locations>& destinations, bool by_name,
                               const std::vector<location_pair>& pairs) {
  location_mapping out;
  auto problem = [&](location_problem_kind k, bool error, const std::string& store,
                     const std::string& name) { out.problems.push_back({k, error, store, name}); };

  const auto src_idx = by_name_index(source.locations);
  std::vector<std::map<std::string, std::vector<location_id>>> dst_idx;
  for (const auto& d : destinations) dst_idx.push_back(by_name_index(d.locations));

  // map[d]: source location id -> destination location id; taken[d]: destination ids in use.
  std::vector<std::map<location_id, location_id>> map(destinations.size());
  std::vector<std::map<location_id, location_id>> taken(destinations.size());

  for (const auto& p : pairs) {
    std::size_t d = destinations.size();
    for (std::size_t i = 0; i < destinations.size(); ++i)
      if (destinations[i].store == p.store) d = i;
    if (d == destinations.size()) {
      problem(location_problem_kind::unknown_store, true, p.store, p.destination);
      continue;
    }
    auto s = src_idx.find(p.source);
    if (s == src_idx.end()) {
      problem(location_problem_kind::unknown_source_location, true, source.store, p.source);
      continue;
    }
    if (s->second.size() > 1) {
      problem(location_problem_kind::ambiguous_name, true, source.store, p.source);
      continue;
    }
    auto t = dst_idx[d].find(p.destination);
    if (t == dst_idx[d].end()) {
      problem(location_problem_kind::unknown_destination_location, true, p.store, p.destination);
      continue;
    }
    if (t->second.size() > 1) {
      problem(location_problem_kind::ambiguous_name, true, p.store, p.destination);
      continue;
    }
    const location_id sid = s->second[0], did = t->second[0];
    auto prev = map[d].find(sid);
    if (prev != map[d].end() && prev->second == did) continue; // the same pair twice
    if (prev != map[d].end() || taken[d].count(did)) {
      problem(location_problem_kind::conflicting_pair, true, p.store,
              p.source + " -> " + p.destination);
      continue;
    }
    map[d][sid] = did;
    taken[d][did] = sid;
  }

  if (by_name) {
    for (const auto& [name, sids] : src_idx) {
      if (sids.size() > 1) {
        problem(location_problem_kind::ambiguous_name, false, source.store, name);
        continue;
      }
      for (std::size_t d = 0; d < destinations.size(); ++d) {
        if (map[d].count(sids[0])) continue; // paired explicitly
        auto t = dst_idx[d].find(name);
        if (t == dst_idx[d].end()) continue;
        if (t->second.size() > 1) {
          problem(location_problem_kind::ambiguous_name, false, destinations[d].store, name);
          continue;
        }
        if (taken[d].count(t->second[0])) continue; // an explicit pair uses it
        map[d][sids[0]] = t->second[0];
        taken[d][t->second[0]] = sids[0];
      }
    }
  }

  // Slots, by Source name then id; what stays on one side only is reported.
  std::vector<location_info> srcs = source.locations;
  std::sort(srcs.begin(), srcs.end(), [](const location_info& a, const location_info& b) {
    return std::tie(a.name, a.id) < std::tie(b.name, b.id);
  });
  for (const auto& l : srcs) {
    location_slot slot{l.name, l.id, std::vector<std::optional<location_id>>(destinations.size())};
    bool any = false;
    for (std::size_t d = 0; d < destinations.size(); ++d) {
      auto it = map[d].find(l.id);
      if (it == map[d].end()) {
        problem(location_problem_kind::unmapped_source_location, false, destinations[d].store, l.name);
        continue;
      }
      slot.destinations[d] = it->second;
      any = true;
    }
    if (any) out.slots.push_back(std::move(slot));
  }
  for (std::size_t d = 0; d < destinations.size(); ++d) {
    std::vector<location_info> locs = destinations[d].locations;
    std::sort(locs.begin(), locs.end(), [](const location_info& a, const location_info& b) {
      return std::tie(a.name, a.id) < std::tie(b.name, b.id);
    });
    for (const auto& l : locs)
      if (!taken[d].count(l.id))
        problem(location_problem_kind::unmapped_destination_location, false, destinations[d].store,
                l.name);
  }
  // Ambiguous names may be found twice (pair and by-name): report each once.
  auto key = [](const location_problem& p) { return std::tie(p.kind, p.store, p.name); };
  std::stable_sort(out.problems.begin(), out.problems.end(),
                   [&](const location_problem& a, const location_problem& b) { return key(a) < key(b); });
  out.problems.erase(std::unique(out.problems.begin(), out.problems.end(),
                                 [&](const location_problem& a, const location_problem& b) {
                                   return key(a) == key(b);
                                 }),
                     out.problems.end());
  return out;
}

item_layout make_item_layout(const identity_mapping& identity, const location_mapping& locations,
                             const std::vector<store_name>& destinations, sync_mode mode) {
  item_layout layout;
  layout.identity = identity.key;
  layout.mode = mode;
  // For each of the identity's stores, its Destination index in the group (none for the Source).
  std::vector<std::optional<std::size_t>> dest_of;
  for (const auto& s : identity.stores) {
    layout.stores.push_back({s.store, s.inventory_item});
    std::optional<std::size_t> d;
    if (!dest_of.empty()) // stores[0] is the Source
      for (std::size_t i = 0; i < destinations.size(); ++i)
        if (destinations[i] == s.store) d = i;
    dest_of.push_back(d);
  }
  for (const auto& ls : locations.slots) {
    item_slot slot;
    slot.locations.push_back(ls.source);
    bool any = false;
    for (std::size_t i = 1; i < dest_of.size(); ++i) {
      std::optional<location_id> loc;
      if (dest_of[i] && *dest_of[i] < ls.destinations.size()) loc = ls.destinations[*dest_of[i]];
      any = any || loc.has_value();
      slot.locations.push_back(loc);
    }
    if (any) layout.slots.push_back(std::move(slot));
  }
  return layout;
}

} // namespace shopsync
