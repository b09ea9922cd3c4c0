// Cost points and mutations spent per 1,000 inventory changes through the store link, against
// one mutation per change. Runs shopify-sim (Standard plan bucket: 2000 points, 100/s) and
// counts what the simulator logged.
//   inventory_batching_bench [--steady-seconds 10]
#include "actors/actor_config.hpp"
#include "actors/store_link.hpp"
#include "io/admin_api.hpp"
#include "io/idempotency_key.hpp"
#include "io/io_threads.hpp"
#include "support/sim_process.hpp"

#include <caf/all.hpp>
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <map>
#include <string>
#include <thread>

using namespace shopsync;
using namespace std::chrono_literals;

namespace {

struct figures {
  std::string name;
  std::size_t changes = 0, ok = 0, mutations = 0;
  double cost = 0, seconds = 0;
};

// InventoryAdjust calls the simulator applied for `shop` since log sequence `since`, and their cost.
std::pair<std::size_t, double> spent(const testing::sim_process& sim, const std::string& shop, std::uint64_t since) {
  simdjson::dom::parser p;
  auto body = sim.get("/_sim/log?store=" + shop + "&operation=InventoryAdjust&since=" + std::to_string(since));
  std::size_t n = 0;
  double cost = 0;
  for (auto c : p.parse(body)["calls"].get_array()) {
    if (std::string_view(c["outcome"].get_string().value()) != "applied")
      continue;
    ++n;
    double d = 0;
    if (c["actual_cost"].get(d) == simdjson::SUCCESS)
      cost += d;
    else
      cost += double(std::int64_t(c["actual_cost"].get_int64().value()));
  }
  return {n, cost};
}

std::uint64_t next_seq(const testing::sim_process& sim) {
  simdjson::dom::parser p;
  return std::uint64_t(p.parse(sim.get("/_sim/log?store=none"))["next_seq"].get_uint64().value());
}

std::vector<inventory_item_id> items_of(const testing::sim_process& sim, const std::string& shop, location_id& loc) {
  simdjson::dom::parser p;
  std::vector<inventory_item_id> out;
  auto doc = p.parse(sim.get("/_sim/state?store=" + shop));
  for (auto v : doc["variants"].get_array()) {
    out.push_back(v["inventory_item_id"].get_uint64().value());
    loc = v["levels"].at(0)["location_id"].get_uint64().value();
  }
  return out;
}

} // namespace

int main(int argc, char** argv) {
  int steady_seconds = 10;
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], "--steady-seconds"))
      steady_seconds = std::atoi(argv[i + 1]);
  const std::size_t changes = 1000;
  testing::sim_process sim(R"({"stores": [
    {"shop": "std.myshopify.com", "token": "shpat_std", "locations": ["Main"],
     "bucket": {"max": 2000, "restore": 100},
     "catalog": {"generate": {"products": 100, "variants_per_product": 3, "available_min": 5000, "available_max": 5000}}},
    {"shop": "base.myshopify.com", "token": "shpat_base", "locations": ["Main"],
     "bucket": {"max": 1000000, "restore": 1000000},
     "catalog": {"generate": {"products": 100, "variants_per_product": 3, "available_min": 5000, "available_max": 5000}}}]})");
  if (!sim.running()) {
    std::fprintf(stderr, "shopify-sim did not start\n");
    return 1;
  }
  location_id loc = 0, base_loc = 0;
  auto items = items_of(sim, "std.myshopify.com", loc);
  auto base_items = items_of(sim, "base.myshopify.com", base_loc);

  io_threads io{1}; // outlives the actor system
  actor_config cfg{2};
  caf::actor_system sys{cfg};
  store_link_options o;
  o.store.name = "std";
  o.store.shop_domain = "std.myshopify.com";
  o.store.base_url = sim.base_url();
  o.store.access_token = "shpat_std";
  o.io = &io.context();
  auto link = spawn_store_link(sys, o);
  std::vector<figures> out;
  std::uint64_t op = 1;

  auto run = [&](const std::string& name, std::chrono::microseconds gap) {
    figures f;
    f.name = name;
    f.changes = changes;
    auto since = next_seq(sim);
    caf::scoped_actor self{sys};
    using handle_t = decltype(self->request(link, caf::infinite, inv_write_atom::value, write_intent{}));
    std::vector<handle_t> hs;
    auto t0 = std::chrono::steady_clock::now();
    for (std::size_t n = 0; n < changes; ++n) {
      write_intent in{write_kind::adjust, items[(n * 7) % 300], loc, -1, std::nullopt, op++};
      hs.push_back(self->request(link, caf::infinite, inv_write_atom::value, in));
      if (gap.count())
        std::this_thread::sleep_until(t0 + gap * (n + 1));
    }
    for (auto& h : hs)
      h.receive([&](inventory_write_reply& r) { f.ok += r.applied(); }, [&](caf::error&) {});
    f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::tie(f.mutations, f.cost) = spent(sim, "std.myshopify.com", since);
    out.push_back(f);
  };
  run("burst, 300 items", std::chrono::microseconds(0));
  run("steady 100/s, 300 items",
      std::chrono::microseconds(steady_seconds * 1'000'000 / static_cast<long>(changes)));

  {
    // One mutation per change (no coalescing, no batching), two in flight.
    figures f;
    f.name = "one mutation per change";
    f.changes = changes;
    auto since = next_seq(sim);
    auto client = admin_client::make(io.context(), {"base", "base.myshopify.com", sim.base_url(), "2026-10", "shpat_base", nullptr});
    admin_api api(client);
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::promise<bool>> ps(changes);
    for (std::size_t n = 0; n < changes; ++n) {
      write_batch b{write_kind::adjust, {{base_items[(n * 7) % 300], base_loc, -1, std::nullopt, {n}}}};
      api.write_inventory(b.kind,
                          admin_api::write_variables(b, batch_idempotency_key("base", n + 1), ""),
                          {{b.entries[0].item, base_loc}},
                          [&ps, n](result<write_outcome> r) { ps[n].set_value(r.ok() && r->applied); });
      if (n % 2 == 1)
        ps[n].get_future().wait(), ps[n - 1].get_future().wait();
    }
    for (std::size_t n = 0; n < changes; ++n)
      if (n % 2 == 0 && n + 1 == changes)
        ps[n].get_future().wait();
    f.ok = changes;
    f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::tie(f.mutations, f.cost) = spent(sim, "base.myshopify.com", since);
    out.push_back(f);
  }
  caf::anon_send_exit(link, caf::exit_reason::user_shutdown);

  const auto& base = out.back();
  std::printf("%-26s %8s %6s %10s %12s %12s %14s %8s\n", "scenario", "changes", "ok", "mutations",
              "cost_points", "changes/mut", "ratio_vs_1:1", "seconds");
  for (auto& f : out)
    std::printf("%-26s %8zu %6zu %10zu %12.0f %12.1f %14.4f %8.2f\n", f.name.c_str(), f.changes, f.ok,
                f.mutations, f.cost, f.mutations ? double(f.changes) / double(f.mutations) : 0.0,
                base.cost > 0 ? f.cost / base.cost : 0.0, f.seconds);
  std::printf("target: burst cost <= 1/100 of one mutation per change -> %s\n",
              out[0].cost * 100 <= base.cost ? "met" : "NOT met");
  return 0;
}
