#include "domain/write_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

namespace shopsync {

namespace {

// An unknown level counts as 0 throughout (change_of): a write of 0 there changes nothing shown.
bool changes_something(const planned_write& w) { return w.before.value_or(0) != w.after; }

std::int64_t magnitude(const planned_write& w) {
  auto c = change_of(w);
  return c < 0 ? -c : c;
}

// Largest change first; ties by identity, location, store: a stable, order-free ranking.
bool bigger(const planned_write& a, const planned_write& b) {
  auto ma = magnitude(a), mb = magnitude(b);
  if (ma != mb) return ma > mb;
  return std::tie(a.identity, a.location, a.store, a.after) < std::tie(b.identity, b.location, b.store, b.after);
}

std::string canonical(const planned_write& w) {
  std::string s;
  for (auto* part : {&w.store, &w.identity, &w.location}) {
    s += std::to_string(part->size());
    s += ':';
    s += *part;
  }
  s += w.before ? std::to_string(*w.before) : std::string("-");
  s += '>';
  s += std::to_string(w.after);
  return s;
}

} // namespace

std::int64_t change_of(const planned_write& w) { return w.after - w.before.value_or(0); }

write_plan summarize_plan(const std::vector<planned_write>& writes, const std::vector<std::string>& store_order,
                          std::size_t biggest) {
  write_plan p;
  p.id = plan_digest(writes);
  std::map<std::string, store_plan> by_store;
  for (auto& w : writes) {
    if (!changes_something(w)) continue;
    auto& s = by_store[w.store];
    s.store = w.store;
    s.changes++;
    p.changes++;
    auto c = change_of(w);
    if (c > 0) s.up++;
    if (c < 0) s.down++;
    if (w.after <= 0 && w.before.value_or(0) > 0) s.to_zero++;
    s.biggest.push_back(w);
  }
  for (auto& [name, s] : by_store) {
    std::sort(s.biggest.begin(), s.biggest.end(), bigger);
    if (s.biggest.size() > biggest) s.biggest.resize(biggest);
  }
  for (auto& name : store_order)
    if (auto it = by_store.find(name); it != by_store.end()) {
      p.stores.push_back(std::move(it->second));
      by_store.erase(it);
    }
  for (auto& [name, s] : by_store) p.stores.push_back(std::move(s));
  return p;
}

std::string plan_digest(const std::vector<planned_write>& writes) {
  std::vector<std::string> lines;
  for (auto& w : writes)
    if (changes_something(w)) lines.push_back(canonical(w));
  std::sort(lines.begin(), lines.end());
  // FNV-1a, 64 bits, over the sorted canonical lines.
  std::uint64_t h = 1469598103934665603ULL;
  for (auto& l : lines) {
    for (unsigned char c : l) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= '\n';
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

} // namespace shopsync
