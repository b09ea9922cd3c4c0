// Property test of group_mapping::diff: seeded random pairs of mappings of one group (identities
// appearing, disappearing, moving to other products or items, Destinations losing or gaining a
// variant, allocation tags, location slots and filter exclusions changing) and their diff:
//   - every identity of either mapping has exactly one change: nothing is both dropped and
//     kept (or remapped, or added); an added identity was not in the previous mapping;
//   - applying the diff to the previous mapping's layouts (drop, take the new layout of
//     remapped and added identities, keep the others as they are) gives the new mapping's;
//   - keep means the same layout; unchanged means the same identities;
//   - the diff agrees with the rule the router applied before the diff existed (same location
//     slots and same stores, items and tags: keep; else remap; gone: drop).
// SHOPSYNC_PROPERTY_SEEDS=N runs N seeds (default 2000); SHOPSYNC_PROPERTY_SEED replays one.
#include "domain/group_mapping.hpp"
#include "property_seeds.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>

using namespace shopsync;

namespace {

std::uint64_t seeds() { return shopsync::testing::property_seeds(2000); }

group_config group_of(bool allocation) {
  group_config g;
  g.name = "mirror";
  g.source = "main";
  g.destinations = {"a", "b"};
  g.strategy = sync_strategy::one_way;
  g.match_by = match_key::sku;
  if (allocation)
    g.allocation.push_back({"a", "clearance", {2, 50}});
  return g;
}

constexpr int keys = 12; // sku:K10 sorts before sku:K2

// A random mapping: identities (the Source always has a variant; each Destination may), items
// drawn from two generations so that the next mapping often repeats them; tags; locations.
group_mapping random_mapping(const group_config& g, std::mt19937_64& rng, bool alt_locations) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  catalog_match match;
  bool tags = pick(3) == 0;
  for (int k = 0; k < keys; ++k) {
    if (pick(4) == 0) {
      if (pick(3) == 0)
        match.excluded.push_back("sku:K" + std::to_string(k));
      continue;
    }
    identity_mapping id{"sku:K" + std::to_string(k), {}};
    for (int s = 0; s < 3; ++s) {
      if (s > 0 && pick(5) == 0)
        continue;
      auto item = static_cast<inventory_item_id>(1000 * (k + 1) + 10 * s + (pick(4) == 0 ? 1 : 0));
      id.stores.push_back({s == 0 ? "main" : g.destinations[static_cast<std::size_t>(s - 1)], item, item, item});
    }
    match.identities.push_back(std::move(id));
    match.tag_bits.push_back(tags && pick(3) == 0 ? 1 : 0);
  }
  if (pick(3) == 0) { // identities not in key order (the mapping then keeps a key index)
    for (std::size_t i = match.identities.size(); i > 1; --i) {
      auto j = static_cast<std::size_t>(rng() % i);
      std::swap(match.identities[i - 1], match.identities[j]);
      std::swap(match.tag_bits[i - 1], match.tag_bits[j]);
    }
  }
  store_locations src{"main", {{100, "Main Warehouse"}, {101, "Outlet"}}};
  std::vector<store_locations> dst{{"a", {{200, "Main Warehouse"}, {201, "Outlet"}}},
                                   {"b", {{alt_locations ? location_id{302} : location_id{300}, "Main Warehouse"}}}};
  return group_mapping(g, std::move(match), map_locations(src, dst, true, {}));
}

// The rule router.cpp applied itself before the diff: keep when the slots' locations and the
// identity's stores, items and tags are the same.
identity_change reference(const group_mapping& previous, const group_mapping& now, std::size_t i) {
  auto j = previous.find_key(now.key(i));
  if (!j)
    return identity_change::add;
  auto& a = previous.locations().slots;
  auto& b = now.locations().slots;
  bool same_locations = a.size() == b.size();
  for (std::size_t k = 0; same_locations && k < a.size(); ++k)
    same_locations = a[k].source == b[k].source && a[k].destinations == b[k].destinations && a[k].adds == b[k].adds;
  return same_locations && previous.same_stores(*j, now, i) ? identity_change::keep : identity_change::remap;
}

std::string check(std::uint64_t seed, std::map<std::string, long>& tally) {
  std::mt19937_64 rng(seed);
  const auto g = group_of(seed % 2 == 0);
  auto previous = random_mapping(g, rng, false);
  const int mode = static_cast<int>(rng() % 4);
  // mode 0: the same mapping again; 1: the same identities with other locations; else a new one.
  auto now = mode == 0 ? previous : random_mapping(g, rng, rng() % 5 == 0);
  if (mode == 1) {
    catalog_match m;
    for (std::size_t i = 0; i < previous.size(); ++i)
      m.identities.push_back(previous.identity(i));
    m.tag_bits.assign(previous.size(), 0);
    for (std::size_t i = 0; i < previous.size(); ++i)
      m.tag_bits[i] = previous.tag_bits(i);
    now = group_mapping(g, std::move(m), random_mapping(g, rng, true).locations());
  }
  auto d = now.diff(previous);

  if (d.unchanged() != previous.same_identities(now))
    return "unchanged() disagrees with same_identities";
  if (d.unchanged()) {
    tally["unchanged"]++;
    for (std::size_t i = 0; i < now.size(); ++i)
      if (d.of_now(i) != identity_change::keep)
        return "an unchanged mapping does not keep " + std::string(now.key(i));
  }
  if (d.locations_changed())
    tally["locations_changed"]++;

  // Exactly one change per identity of either mapping.
  std::map<std::string, identity_change> change;
  for (std::size_t i = 0; i < now.size(); ++i) {
    auto c = d.of_now(i);
    if (c == identity_change::drop)
      return "an identity of the new mapping is dropped";
    if (!change.emplace(std::string(now.key(i)), c).second)
      return "two changes for " + std::string(now.key(i));
    if (c != reference(previous, now, i))
      return std::string(now.key(i)) + ": " + to_string(c) + ", the router's rule says " +
             to_string(reference(previous, now, i));
    bool was = previous.find_key(now.key(i)).has_value();
    if ((c == identity_change::add) == was)
      return std::string(now.key(i)) + ": added iff new, but " + to_string(c);
    tally[to_string(c)]++;
  }
  for (auto j : d.dropped()) {
    std::string key(previous.key(j));
    if (!change.emplace(key, identity_change::drop).second)
      return key + " is dropped and " + to_string(change[key]);
    tally["drop"]++;
  }
  for (std::size_t j = 0; j < previous.size(); ++j)
    if (!change.count(std::string(previous.key(j))))
      return std::string(previous.key(j)) + " of the previous mapping has no change";
  // The lists agree with of_now.
  for (auto i : d.remapped())
    if (d.of_now(i) != identity_change::remap)
      return "remapped() lists a non-remap";
  for (auto i : d.added())
    if (d.of_now(i) != identity_change::add)
      return "added() lists a non-add";
  if (d.remapped().size() + d.added().size() + d.kept() != now.size())
    return "the lists do not cover the new mapping";

  // Applying the diff to the previous layouts gives the new ones; keep means the same layout.
  std::map<std::string, item_layout> applied;
  for (std::size_t j = 0; j < previous.size(); ++j)
    applied.emplace(std::string(previous.key(j)), previous.layout(j));
  for (auto j : d.dropped())
    applied.erase(std::string(previous.key(j)));
  for (std::size_t i = 0; i < now.size(); ++i) {
    auto c = d.of_now(i);
    if (c == identity_change::keep) {
      auto it = applied.find(std::string(now.key(i)));
      if (it == applied.end() || !same_layout(it->second, now.layout(i)))
        return "kept " + std::string(now.key(i)) + " with another layout";
    } else {
      applied[std::string(now.key(i))] = now.layout(i);
    }
  }
  if (applied.size() != now.size())
    return "applying the diff leaves " + std::to_string(applied.size()) + " identities, the mapping has " +
           std::to_string(now.size());
  for (std::size_t i = 0; i < now.size(); ++i)
    if (!same_layout(applied.at(std::string(now.key(i))), now.layout(i)))
      return "applying the diff gives another layout for " + std::string(now.key(i));

  // Included: added, and excluded before.
  std::set<std::string> excluded(previous.excluded().begin(), previous.excluded().end());
  for (auto& k : d.included()) {
    if (!excluded.count(k) || change[k] != identity_change::add)
      return k + " is included but was not excluded or is not added";
    tally["included"]++;
  }
  // Its own diff: nothing changes.
  if (!now.diff(now).unchanged())
    return "a mapping's diff with itself is not unchanged";
  return {};
}

} // namespace

TEST(mapping_diff_property, every_identity_has_one_change_and_applying_the_diff_gives_the_new_mapping) {
  std::map<std::string, long> tally;
  const char* only = std::getenv("SHOPSYNC_PROPERTY_SEED");
  const auto n = only ? 1 : seeds();
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t seed = only ? std::strtoull(only, nullptr, 10) : 7919ULL * 1000003 + i;
    auto failure = check(seed, tally);
    if (!failure.empty()) {
      ADD_FAILURE() << "seed " << seed << ": " << failure;
      return;
    }
  }
  std::string summary;
  for (auto& [k, v] : tally)
    summary += k + "=" + std::to_string(v) + " ";
  std::printf("%s\n", summary.c_str());
  if (n < 200)
    return;
  // The seeds exercised every kind of change.
  for (const char* k : {"keep", "remap", "add", "drop", "unchanged", "locations_changed", "included"})
    EXPECT_GT(tally[k], 0) << k;
}
