// Time and memory of a sync group's mapping at scale: matching keyed rows, building the
// compact mapping, encoding it ("gm2") and decoding it, as a restart does. Prints one line per
// step. Usage: mapping_codec_bench [identities=1000002] [rounds=3]
#include "domain/group_mapping.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

using namespace shopsync;
using clock_type = std::chrono::steady_clock;

namespace {

long rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string k;
  long v = 0;
  while (f >> k) {
    if (k == "VmRSS:") {
      f >> v;
      return v;
    }
  }
  return 0;
}

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

} // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'002;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  group_config g;
  g.name = "twoway";
  g.source = "s1";
  g.destinations = {"s2"};
  g.strategy = sync_strategy::two_way;
  g.match_by = match_key::sku;
  location_mapping locs;
  locs.slots.push_back({"Main Warehouse", 1, {2}, {}});

  auto r0 = rss_kib();
  auto t = clock_type::now();
  keyed_catalog rows;
  char sku[64];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(sku, sizeof sku, "sku:SKU-%06zu-%zu", i / 3 + 1, i % 3 + 1);
    // Both stores, in their own id ranges, as the simulator's generator gives them.
    rows.add(0, 1'000'000 + i / 3, 2'000'000 + i, 3'000'000 + i, std::string_view(sku));
    rows.add(1, 5'000'000 + i / 3, 6'000'000 + i, 7'000'000 + i, std::string_view(sku));
  }
  rows.sort_unique();
  std::printf("keyed rows: %zu rows in %.0f ms, +%ld MiB RSS\n", rows.size(), ms_since(t), (rss_kib() - r0) / 1024);

  auto r1 = rss_kib();
  t = clock_type::now();
  auto match = match_keyed(g.source, g.destinations, rows);
  group_mapping m(g, std::move(match), locs);
  std::printf("match + index: %zu identities in %.0f ms, mapping +%ld MiB RSS\n", m.size(), ms_since(t),
              (rss_kib() - r1) / 1024);

  t = clock_type::now();
  auto bytes = m.encode();
  std::printf("encode: %.1f MiB in %.0f ms\n", bytes.size() / 1048576.0, ms_since(t));
  for (int r = 0; r < rounds; ++r) {
    t = clock_type::now();
    auto back = group_mapping::decode(g, bytes);
    auto ms = ms_since(t);
    if (!back || !back->same_as(m)) {
      std::printf("decode failed\n");
      return 1;
    }
    t = clock_type::now();
    std::size_t found = 0;
    for (std::size_t i = 0; i < n; i += 7)
      found += back->find("s2", 7'000'000 + i).has_value();
    std::printf("decode: %.0f ms; %zu item look-ups in %.0f ms\n", ms, found, ms_since(t));
  }
  return 0;
}
