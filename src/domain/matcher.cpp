#include "domain/matcher.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace shopsync {

namespace {

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
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
    case match_problem_kind::deleted: return "deleted";
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

std::optional<std::string> identity_key(match_key by, std::string_view sku, std::string_view barcode,
                                        std::string_view handle, int position, const std::string_view* options,
                                        std::size_t option_count, const identifier_normalisation& norm) {
  switch (by) {
    case match_key::sku: {
      auto s = normalise_identifier(norm, sku);
      if (!s) return std::nullopt;
      return "sku:" + *s;
    }
    case match_key::barcode: {
      auto s = normalise_identifier(norm, barcode);
      if (!s) return std::nullopt;
      return "barcode:" + *s;
    }
    case match_key::handle: {
      auto h = trim(handle);
      if (h.empty()) return std::nullopt;
      // A handle has no '/' or '#', so both forms below are unambiguous.
      const bool default_only = option_count == 0 || (option_count == 1 && options[0] == "Default Title");
      if (default_only) {
        if (position <= 0) return std::nullopt;
        return "handle:" + std::string(h) + "#" + std::to_string(position);
      }
      std::string key = "handle:" + std::string(h) + "/";
      for (std::size_t i = 0; i < option_count; ++i) {
        if (i) key += " / ";
        key += options[i];
      }
      return key;
    }
  }
  return std::nullopt;
}

std::optional<std::string> identity_key(match_key by, const catalog_variant& v,
                                        const identifier_normalisation& norm) {
  std::vector<std::string_view> options(v.options.begin(), v.options.end());
  return identity_key(by, v.sku, v.barcode, v.handle, v.position, options.data(), options.size(), norm);
}

catalog_match match_catalog(match_key by, const store_name& source,
                            const std::vector<store_name>& destinations,
                            const std::vector<catalog_variant>& rows, const identifier_normalisation& norm) {
  std::unordered_map<std::string, std::uint16_t> store_index;
  store_index.emplace(source, 0);
  for (std::size_t i = 0; i < destinations.size(); ++i)
    store_index.emplace(destinations[i], static_cast<std::uint16_t>(i + 1));
  keyed_catalog keyed;
  for (const auto& r : rows) {
    auto it = store_index.find(r.store);
    if (it == store_index.end()) continue; // not a store of the group
    auto key = identity_key(by, r, norm);
    keyed.add(it->second, r.product_id, r.variant_id, r.inventory_item,
              key ? std::optional<std::string_view>(*key) : std::nullopt, {r.excluded, r.tag_bits});
  }
  auto m = match_keyed(source, destinations, keyed);
  catalog_match out;
  out.identities.reserve(m.identities.size());
  for (std::size_t i = 0; i < m.identities.size(); ++i) out.identities.push_back(m.identities.materialize(i));
  out.problems = std::move(m.problems);
  out.excluded = std::move(m.excluded);
  out.tag_bits = std::move(m.tag_bits);
  out.tag_bits.resize(out.identities.size());
  return out;
}

keyed_match match_keyed(const store_name& source, const std::vector<store_name>& destinations,
                        const keyed_catalog& catalog) {
  const std::size_t nstores = destinations.size() + 1;
  std::vector<store_name> names;
  names.reserve(nstores);
  names.push_back(source);
  for (const auto& d : destinations) names.push_back(d);
  const auto& rows = catalog.rows();

  // One row per (store, variant): the last one wins. Row indexes, sorted.
  std::vector<std::uint32_t> order;
  order.reserve(rows.size());
  for (std::uint32_t i = 0; i < rows.size(); ++i)
    if (rows[i].store < nstores) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::tie(rows[a].store, rows[a].variant, a) < std::tie(rows[b].store, rows[b].variant, b);
  });
  keyed_match out{identity_table(names), {}, {}, {}};
  std::size_t kept = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto& r = rows[order[i]];
    bool last = i + 1 == order.size() || rows[order[i + 1]].store != r.store || rows[order[i + 1]].variant != r.variant;
    if (!last) continue;
    if (r.key_len == 0) {
      out.problems.push_back({match_problem_kind::empty_identifier, {}, names[r.store], {r.variant}});
      continue;
    }
    order[kept++] = order[i];
  }
  order.resize(kept);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    auto ka = catalog.key(rows[a]), kb = catalog.key(rows[b]);
    if (int c = ka.compare(kb)) return c < 0;
    return std::tie(rows[a].store, rows[a].variant) < std::tie(rows[b].store, rows[b].variant);
  });

  std::vector<variant_ref> refs(nstores);
  std::unique_ptr<bool[]> present(new bool[nstores]);
  std::vector<std::size_t> per_store(nstores);
  std::vector<std::size_t> first(nstores);
  out.identities.reserve(order.size() / (nstores ? nstores : 1), 0);
  for (std::size_t i = 0; i < order.size();) {
    const auto key = catalog.key(rows[order[i]]);
    std::size_t j = i;
    while (j < order.size() && catalog.key(rows[order[j]]) == key) ++j;
    // Per store: how many variants have this key (entries are sorted by store within the key).
    std::fill(per_store.begin(), per_store.end(), 0);
    for (std::size_t k = j; k-- > i;) {
      per_store[rows[order[k]].store]++;
      first[rows[order[k]].store] = k;
    }
    // The Source's product decides: excluded, the identity is listed as such and nothing more.
    bool excluded = false;
    for (std::size_t k = i; k < j; ++k)
      excluded = excluded || (rows[order[k]].store == 0 && rows[order[k]].excluded);
    if (excluded) {
      out.excluded.emplace_back(key);
      i = j;
      continue;
    }
    bool duplicated = false;
    for (std::size_t s = 0; s < nstores; ++s) {
      if (per_store[s] < 2) continue;
      duplicated = true;
      match_problem p{match_problem_kind::duplicate, std::string(key), names[s], {}};
      for (std::size_t k = first[s]; k < first[s] + per_store[s]; ++k) p.variants.push_back(rows[order[k]].variant);
      out.problems.push_back(std::move(p));
    }
    if (!duplicated) {
      if (per_store[0] == 0) {
        for (std::size_t s = 1; s < nstores; ++s)
          if (per_store[s])
            out.problems.push_back({match_problem_kind::missing_in_source, std::string(key), names[s],
                                    {rows[order[first[s]]].variant}});
      } else {
        std::size_t have = 0;
        for (std::size_t s = 0; s < nstores; ++s) {
          present[s] = per_store[s] != 0;
          if (!present[s]) {
            out.problems.push_back({match_problem_kind::missing_in_destination, std::string(key), names[s],
                                    {rows[order[first[0]]].variant}});
            continue;
          }
          const auto& r = rows[order[first[s]]];
          refs[s] = {r.product, r.variant, r.item};
          have++;
        }
        // Only the Source has it: nothing to sync, already reported as missing.
        if (have > 1) {
          out.identities.add(key, refs.data(), present.get());
          out.tag_bits.push_back(rows[order[first[0]]].tag_bits);
        }
      }
    }
    i = j;
  }
  out.identities.shrink_to_fit();
  if (std::all_of(out.tag_bits.begin(), out.tag_bits.end(), [](std::uint8_t b) { return b == 0; }))
    out.tag_bits = {}; // no allocation tags anywhere: nothing kept per identity

  std::unordered_map<std::string, std::size_t> store_index;
  for (std::size_t s = 0; s < nstores; ++s) store_index.emplace(names[s], s);
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
                               const std::vector<location_pair>& pairs,
                               const std::vector<location_sum>& sums) {
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

  // Sums: a Destination location fed by several Source locations (resolved into slots below).
  struct resolved_sum {
    std::size_t d;
    location_id target;
    std::vector<location_id> sources;
  };
  std::vector<resolved_sum> resolved;
  std::vector<std::set<location_id>> summed(destinations.size());
  for (const auto& ls : sums) {
    std::size_t d = destinations.size();
    for (std::size_t i = 0; i < destinations.size(); ++i)
      if (destinations[i].store == ls.store) d = i;
    if (d == destinations.size()) {
      problem(location_problem_kind::unknown_store, true, ls.store, ls.destination);
      continue;
    }
    auto t = dst_idx[d].find(ls.destination);
    if (t == dst_idx[d].end()) {
      problem(location_problem_kind::unknown_destination_location, true, ls.store, ls.destination);
      continue;
    }
    if (t->second.size() > 1) {
      problem(location_problem_kind::ambiguous_name, true, ls.store, ls.destination);
      continue;
    }
    resolved_sum r{d, t->second[0], {}};
    bool ok = true;
    for (const auto& name : ls.sources) {
      auto s = src_idx.find(name);
      if (s == src_idx.end() || s->second.size() > 1) {
        problem(s == src_idx.end() ? location_problem_kind::unknown_source_location
                                   : location_problem_kind::ambiguous_name,
                true, source.store, name);
        ok = false;
        continue;
      }
      if (map[d].count(s->second[0]) || summed[d].count(s->second[0])) {
        problem(location_problem_kind::conflicting_pair, true, ls.store, name + " -> " + ls.destination);
        ok = false;
        continue;
      }
      r.sources.push_back(s->second[0]);
    }
    if (taken[d].count(r.target)) {
      problem(location_problem_kind::conflicting_pair, true, ls.store, ls.destination);
      ok = false;
    }
    if (!ok || r.sources.empty())
      continue;
    for (auto sid : r.sources)
      summed[d].insert(sid);
    taken[d][r.target] = r.sources.front();
    resolved.push_back(std::move(r));
  }

  if (by_name) {
    for (const auto& [name, sids] : src_idx) {
      if (sids.size() > 1) {
        problem(location_problem_kind::ambiguous_name, false, source.store, name);
        continue;
      }
      for (std::size_t d = 0; d < destinations.size(); ++d) {
        if (map[d].count(sids[0]) || summed[d].count(sids[0])) continue; // paired or summed explicitly
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
    location_slot slot{l.name, l.id, std::vector<std::optional<location_id>>(destinations.size()), {}};
    bool any = false;
    for (std::size_t d = 0; d < destinations.size(); ++d) {
      if (summed[d].count(l.id)) {
        any = true; // its quantity counts in a sum (the Destination location is put below)
        continue;
      }
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
  for (const auto& r : resolved) {
    std::vector<std::uint32_t> at;
    for (std::uint32_t k = 0; k < out.slots.size(); ++k)
      if (std::find(r.sources.begin(), r.sources.end(), out.slots[k].source) != r.sources.end())
        at.push_back(k);
    auto& primary = out.slots[at.front()]; // every summed Source location has a slot (above)
    primary.destinations[r.d] = r.target;
    primary.adds.resize(destinations.size());
    primary.adds[r.d].assign(at.begin() + 1, at.end());
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
                             const std::vector<store_name>& destinations, sync_mode mode,
                             const std::vector<stock_rule>& rules) {
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
  const bool controls = mode != sync_mode::two_way;
  if (controls && std::any_of(rules.begin(), rules.end(), [](const stock_rule& r) { return !r.plain(); })) {
    layout.rules.resize(layout.stores.size());
    for (std::size_t i = 1; i < dest_of.size(); ++i)
      if (dest_of[i] && *dest_of[i] < rules.size()) layout.rules[i] = rules[*dest_of[i]];
  }
  const auto& ls = locations.slots;
  std::vector<item_slot> built(ls.size());
  std::vector<bool> keep(ls.size(), false);
  for (std::size_t k = 0; k < ls.size(); ++k) {
    auto& slot = built[k];
    slot.name = ls[k].name;
    slot.locations.push_back(ls[k].source);
    for (std::size_t i = 1; i < dest_of.size(); ++i) {
      std::optional<location_id> loc;
      if (dest_of[i]) loc = ls[k].in_store(*dest_of[i] + 1);
      keep[k] = keep[k] || loc.has_value();
      slot.locations.push_back(loc);
    }
  }
  // Sums: the slots summed into a Destination level of this identity are kept, and named by
  // their index among the kept slots.
  auto summed = [&](std::size_t k, std::size_t i) -> const std::vector<std::uint32_t>* {
    if (!controls || !dest_of[i] || !built[k].locations[i] || *dest_of[i] >= ls[k].adds.size()) return nullptr;
    return &ls[k].adds[*dest_of[i]];
  };
  for (std::size_t k = 0; k < ls.size(); ++k)
    if (keep[k])
      for (std::size_t i = 1; i < dest_of.size(); ++i)
        if (auto* a = summed(k, i))
          for (auto other : *a)
            if (other < ls.size()) keep[other] = true;
  std::vector<std::uint32_t> index(ls.size());
  std::uint32_t n = 0;
  for (std::size_t k = 0; k < ls.size(); ++k) index[k] = keep[k] ? n++ : 0;
  for (std::size_t k = 0; k < ls.size(); ++k) {
    if (!keep[k]) continue;
    auto& slot = built[k];
    for (std::size_t i = 1; i < dest_of.size(); ++i) {
      auto* a = summed(k, i);
      if (!a || a->empty()) continue;
      slot.adds.resize(layout.stores.size());
      for (auto other : *a)
        if (other < ls.size()) slot.adds[i].push_back(index[other]);
    }
    layout.slots.push_back(std::move(slot));
  }
  return layout;
}

} // namespace shopsync
