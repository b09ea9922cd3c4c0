#include "domain/catalog_deletion.hpp"

#include <algorithm>
#include <tuple>

namespace shopsync {

namespace {

bool same_place(const match_problem& a, const match_problem& b) { return a.key == b.key && a.store == b.store; }

void unite(std::vector<variant_id>& into, const std::vector<variant_id>& from) {
  into.insert(into.end(), from.begin(), from.end());
  std::sort(into.begin(), into.end());
  into.erase(std::unique(into.begin(), into.end()), into.end());
}

// The identity with this key in a match's table (its identities are in key order).
std::optional<std::size_t> find_key(const identity_table& t, std::string_view key) {
  std::size_t lo = 0, hi = t.size();
  while (lo < hi) {
    auto mid = lo + (hi - lo) / 2;
    if (t.key(mid) < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < t.size() && t.key(lo) == key)
    return lo;
  return std::nullopt;
}

} // namespace

deletion_outcome take_deleted(keyed_catalog& rows, const catalog_deletion& d, const std::vector<store_name>& stores) {
  deletion_outcome out;
  if (d.store >= stores.size() || (!d.product && !d.item))
    return out;
  auto deleted = [&](const keyed_catalog::row& r) {
    return r.store == d.store && ((d.product && r.product == *d.product) || (d.item && r.item == *d.item));
  };
  std::vector<match_problem> found;
  for (const auto& r : rows.rows()) {
    if (!deleted(r))
      continue;
    out.items.push_back(r.item);
    if (r.key_len == 0)
      continue;
    match_problem p;
    p.kind = match_problem_kind::deleted;
    p.key = std::string(rows.key(r));
    p.store = stores[d.store];
    p.variants = {r.variant};
    merge_tombstones(found, {p});
  }
  rows.erase_if(deleted);
  std::sort(out.items.begin(), out.items.end());
  out.items.erase(std::unique(out.items.begin(), out.items.end()), out.items.end());
  out.tombstones = std::move(found);
  return out;
}

void merge_tombstones(std::vector<match_problem>& tombstones, const std::vector<match_problem>& more) {
  for (const auto& m : more) {
    auto it = std::find_if(tombstones.begin(), tombstones.end(), [&](const match_problem& t) { return same_place(t, m); });
    if (it == tombstones.end()) {
      tombstones.push_back(m);
      std::sort(tombstones.back().variants.begin(), tombstones.back().variants.end());
    } else {
      unite(it->variants, m.variants);
    }
  }
  std::sort(tombstones.begin(), tombstones.end(), [](const match_problem& a, const match_problem& b) {
    return std::tie(a.key, a.store) < std::tie(b.key, b.store);
  });
}

void drop_deleted_rows(keyed_catalog& rows, const std::vector<match_problem>& tombstones,
                       const std::vector<store_name>& stores) {
  if (tombstones.empty())
    return;
  std::vector<std::pair<std::uint16_t, variant_id>> gone;
  for (const auto& t : tombstones)
    for (std::size_t s = 0; s < stores.size(); ++s)
      if (stores[s] == t.store)
        for (auto v : t.variants)
          gone.emplace_back(static_cast<std::uint16_t>(s), v);
  std::sort(gone.begin(), gone.end());
  rows.erase_if([&](const keyed_catalog::row& r) {
    return std::binary_search(gone.begin(), gone.end(), std::make_pair(r.store, r.variant));
  });
}

void report_deletions(keyed_match& match, std::vector<match_problem>& tombstones) {
  const auto& t = match.identities;
  auto mapped_again = [&](const match_problem& p) {
    auto i = find_key(t, p.key);
    if (!i)
      return false;
    for (std::size_t s = 0; s < t.store_count(); ++s)
      if (t.stores()[s] == p.store)
        return t.has(*i, s);
    return false;
  };
  tombstones.erase(std::remove_if(tombstones.begin(), tombstones.end(), mapped_again), tombstones.end());
  auto& problems = match.problems;
  problems.erase(std::remove_if(problems.begin(), problems.end(),
                                [&](const match_problem& p) {
                                  if (p.kind != match_problem_kind::missing_in_destination)
                                    return false;
                                  return std::any_of(tombstones.begin(), tombstones.end(),
                                                     [&](const match_problem& d) { return same_place(d, p); });
                                }),
                 problems.end());
  problems.insert(problems.end(), tombstones.begin(), tombstones.end());
}

} // namespace shopsync
