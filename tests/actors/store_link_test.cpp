// The store link actor against the real shopify-sim over HTTP, with a real RocksDB outbox.
#include "actors/actor_config.hpp"
#include "actors/store_link.hpp"
#include "io/idempotency_key.hpp"
#include "io/io_threads.hpp"
#include "io/link_outbox.hpp"
#include "io/write_answer.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <condition_variable>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <map>
#include <set>
#include <thread>

using namespace shopsync;
using namespace shopsync::testing;
using namespace std::chrono_literals;

namespace {

std::pair<inventory_item_id, location_id> key_of(inventory_item_id i, location_id l) { return {i, l}; }

std::string scenario(int products, int variants, double bucket_max, double bucket_restore,
                     double unstocked_rate = 0) {
  return R"({"stores": [{"shop": "a.myshopify.com", "token": "shpat_a", "locations": ["Main", "Outlet"],
    "bucket": {"max": )" + std::to_string(bucket_max) + R"(, "restore": )" + std::to_string(bucket_restore) + R"(},
    "catalog": {"generate": {"products": )" + std::to_string(products) + R"(, "variants_per_product": )" +
         std::to_string(variants) + R"(, "available_min": 100, "available_max": 100, "unstocked_rate": )" +
         std::to_string(unstocked_rate) + "}}}]}";
}

struct sim_call {
  std::string operation, outcome, key;
  std::size_t entries = 0;
};

struct link_fixture {
  sim_process sim;
  temp_dir dir{"store-link"};
  std::unique_ptr<state_store> db;
  // io threads outlive the actor system (declared before it): clients die with their actors.
  std::unique_ptr<io_threads> io = std::make_unique<io_threads>(1);
  std::vector<std::unique_ptr<io_threads>> retired_io;
  actor_config cfg{2};
  caf::actor_system sys{cfg};

  std::vector<store_link_actor> links;

  explicit link_fixture(const std::string& scen) : sim(scen) { open_db(); }
  // Links go before the io threads they post to.
  ~link_fixture() {
    stop_links();
    io->stop();
  }
  store_link_actor spawn(store_link_options o) {
    links.push_back(spawn_store_link(sys, std::move(o)));
    return links.back();
  }
  void stop_links() {
    caf::scoped_actor self{sys};
    for (auto& l : links) {
      self->send_exit(l, caf::exit_reason::user_shutdown);
      self->wait_for(l);
    }
    links.clear();
  }

  // A crash of `link`: the actor dies, its io threads stop, the database is closed and opened
  // again (what a restarted daemon finds).
  void crash(const store_link_actor& link) {
    {
      caf::scoped_actor self{sys};
      self->send_exit(link, caf::exit_reason::kill);
      self->wait_for(link);
    }
    io->stop();
    retired_io.push_back(std::move(io));
    io = std::make_unique<io_threads>(1);
    db.reset();
    open_db();
  }

  // The catalog's items and the first location, through a link that is gone again.
  std::pair<std::vector<inventory_item_id>, location_id> probe() {
    auto link = spawn(options());
    std::pair<std::vector<inventory_item_id>, location_id> out{items(link), locations(link).at(0).id};
    stop_links();
    return out;
  }

  // A first link's adjusts (made from the catalog's items and the first location) go out as one
  // batch that applies and is never answered (the connection hangs: `faults` adds to that), then
  // the link crashes. Returns the items and the location.
  std::pair<std::vector<inventory_item_id>, location_id>
  crash_with_an_unanswered_batch(const std::string& faults,
                                 const std::function<std::vector<write_intent>(
                                   const std::vector<inventory_item_id>&, location_id)>& intents) {
    auto link = spawn(options());
    auto its = items(link);
    auto loc = locations(link).at(0).id;
    sim.post("/_sim/faults", R"({"lost_next": 1, "lost_mode": "hang", "operations": ["InventoryAdjust"])" +
                               std::string(faults.empty() ? "" : ", ") + faults + "}");
    caf::scoped_actor self{sys};
    for (auto& in : intents(its, loc))
      self->request(link, std::chrono::seconds(30), inv_write_atom::value, in);
    for (int i = 0; i < 200 && log("InventoryAdjust").empty(); ++i)
      std::this_thread::sleep_for(10ms);
    EXPECT_EQ(log("InventoryAdjust").size(), 1u);
    EXPECT_EQ(outbox_batches(), 1u); // saved before it was sent
    crash(link);
    return {its, loc};
  }

  void open_db() {
    auto r = state_store::open({dir.str() + "/db", false, true});
    EXPECT_TRUE(r.ok());
    db = std::move(r.value());
  }

  store_link_options options(int max_in_flight = 2) {
    store_link_options o;
    o.store.name = "a";
    o.store.shop_domain = "a.myshopify.com";
    o.store.base_url = sim.base_url();
    o.store.access_token = "shpat_a";
    o.store.max_in_flight = max_in_flight;
    o.batching_window = 50ms;
    o.io = &io->context();
    o.db = db.get();
    o.client.backoff = {20ms, 200ms, 2.0, 5};
    o.client.read_timeout = 2s;
    return o;
  }

  // Every variant's inventory item, and the location ids, through the link itself.
  std::vector<inventory_item_id> items(const store_link_actor& link) {
    caf::scoped_actor self{sys};
    std::vector<inventory_item_id> out;
    std::optional<std::string> after;
    for (;;) {
      catalog_page_reply rep;
      // 200 a page: at 250, shopsync's CatalogPage costs 2 + 4 x 250 > 1000 (MAX_COST_EXCEEDED).
      self->request(link, std::chrono::seconds(30), catalog_atom::value, catalog_page_request{200, after})
        .receive([&](catalog_page_reply& r) { rep = std::move(r); }, [&](caf::error&) {});
      EXPECT_TRUE(rep.ok) << rep.err.message;
      for (auto& row : rep.page.rows)
        out.push_back(row.inventory_item);
      if (!rep.ok || !rep.page.has_next)
        break;
      after = rep.page.end_cursor;
    }
    return out;
  }
  std::vector<location_row> locations(const store_link_actor& link) {
    caf::scoped_actor self{sys};
    locations_reply rep;
    self->request(link, std::chrono::seconds(30), locations_atom::value)
      .receive([&](locations_reply& r) { rep = std::move(r); }, [&](caf::error&) {});
    EXPECT_TRUE(rep.ok);
    return rep.locations;
  }

  // The simulator's truth: available per (item, location); nullopt when not stocked.
  std::map<std::pair<inventory_item_id, location_id>, std::optional<std::int64_t>> levels() {
    simdjson::dom::parser p;
    std::map<std::pair<inventory_item_id, location_id>, std::optional<std::int64_t>> out;
    auto body = sim.get("/_sim/state?store=a.myshopify.com");
    for (auto v : p.parse(body)["variants"].get_array()) {
      auto item = std::uint64_t(v["inventory_item_id"].get_uint64());
      for (auto l : v["levels"].get_array()) {
        std::optional<std::int64_t> a;
        if (!l["available"].is_null())
          a = std::int64_t(l["available"].get_int64());
        out[key_of(item, std::uint64_t(l["location_id"].get_uint64()))] = a;
      }
    }
    return out;
  }

  std::vector<sim_call> log(const std::string& op = "") {
    simdjson::dom::parser p;
    std::vector<sim_call> out;
    auto body = sim.get("/_sim/log?store=a.myshopify.com" + (op.empty() ? "" : "&operation=" + op));
    for (auto c : p.parse(body)["calls"].get_array()) {
      sim_call sc;
      sc.operation = std::string(c["operation"].get_string().value());
      sc.outcome = std::string(c["outcome"].get_string().value());
      if (!c["idempotency_key"].is_null())
        sc.key = std::string(c["idempotency_key"].get_string().value());
      auto vars = c["variables"];
      if (vars.is_object()) {
        simdjson::dom::element input;
        if (vars["input"].get(input) == simdjson::SUCCESS) {
          simdjson::dom::array list;
          if (input["changes"].get(list) == simdjson::SUCCESS || input["quantities"].get(list) == simdjson::SUCCESS)
            sc.entries = list.size();
        }
      }
      out.push_back(sc);
    }
    return out;
  }

  // Confirmed batches leave the outbox just after their requesters are answered (the delete is
  // written on an io thread): wait for it.
  std::size_t outbox_batches_settled() {
    std::size_t n = outbox_batches();
    for (int i = 0; i < 300 && n != 0; ++i) {
      std::this_thread::sleep_for(10ms);
      n = outbox_batches();
    }
    return n;
  }

  std::size_t outbox_batches() {
    std::size_t n = 0;
    auto st = db->scan(column::outbox, "link/a/batch/", [&](std::string_view, std::string_view) {
      ++n;
      return true;
    });
    EXPECT_TRUE(st.ok());
    return n;
  }
};

write_intent adjust(inventory_item_id item, location_id loc, std::int64_t d, std::uint64_t op) {
  return {write_kind::adjust, item, loc, d, std::nullopt, op};
}

// Sends every intent at once, then collects every reply (in order).
std::vector<inventory_write_reply> write_all(caf::actor_system& sys, const store_link_actor& link,
                                             const std::vector<write_intent>& intents) {
  caf::scoped_actor self{sys};
  using handle_t = decltype(self->request(link, std::chrono::seconds(30), inv_write_atom::value, intents[0]));
  std::vector<handle_t> handles;
  for (auto& in : intents)
    handles.push_back(self->request(link, std::chrono::seconds(30), inv_write_atom::value, in));
  std::vector<inventory_write_reply> out;
  for (auto& h : handles)
    h.receive([&](inventory_write_reply& r) { out.push_back(r); },
              [&](caf::error& e) {
                inventory_write_reply r;
                r.err = error{"caf", to_string(e)};
                out.push_back(r);
              });
  return out;
}

store_link_status link_status(caf::actor_system& sys, const store_link_actor& link) {
  caf::scoped_actor self{sys};
  store_link_status s;
  self->request(link, std::chrono::seconds(30), link_status_atom::value)
    .receive([&](store_link_status& r) { s = r; }, [&](caf::error&) {});
  return s;
}

// Asks every level at once and collects the answers in the order asked (each ok, for its key).
std::vector<level_read_reply> read_all(caf::actor_system& sys, const store_link_actor& link,
                                       const std::vector<level_key>& keys) {
  caf::scoped_actor self{sys};
  using handle_t = decltype(self->request(link, std::chrono::seconds(30), level_read_atom::value, keys[0]));
  std::vector<handle_t> hs;
  for (auto& k : keys)
    hs.push_back(self->request(link, std::chrono::seconds(30), level_read_atom::value, k));
  std::vector<level_read_reply> out;
  for (std::size_t i = 0; i < hs.size(); ++i)
    hs[i].receive(
      [&](level_read_reply& r) {
        EXPECT_TRUE(r.ok) << r.err.message;
        EXPECT_EQ(r.key, keys[i]);
        out.push_back(r);
      },
      [&](caf::error& e) { ADD_FAILURE() << to_string(e); });
  return out;
}

} // namespace

TEST(store_link, a_burst_of_1000_changes_over_300_items_takes_two_mutations) {
  link_fixture fx(scenario(100, 3, 20000, 10000));
  ASSERT_TRUE(fx.sim.running());
  auto link = fx.spawn(fx.options());
  auto items = fx.items(link);
  ASSERT_EQ(items.size(), 300u);
  auto loc = fx.locations(link).at(0).id;
  std::vector<write_intent> intents;
  std::map<inventory_item_id, int> count;
  for (std::uint64_t n = 0; n < 1000; ++n) {
    auto item = items[(n * 7) % 300];
    intents.push_back(adjust(item, loc, -1, 1000 + n));
    ++count[item];
  }
  auto replies = write_all(fx.sys, link, intents);
  ASSERT_EQ(replies.size(), 1000u);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    ASSERT_TRUE(replies[i].applied()) << replies[i].err.code << " " << replies[i].err.message;
    EXPECT_EQ(replies[i].op_id, intents[i].op_id);
    EXPECT_EQ(replies[i].quantity_after, 100 - count[intents[i].item]);
  }
  auto mutations = fx.log("InventoryAdjust");
  ASSERT_EQ(mutations.size(), 2u);
  EXPECT_EQ(mutations[0].entries + mutations[1].entries, 300u);
  EXPECT_NE(mutations[0].key, mutations[1].key);
  auto truth = fx.levels();
  for (auto& [item, n] : count)
    EXPECT_EQ(truth[key_of(item, loc)], 100 - n);
  auto st = link_status(fx.sys, link);
  EXPECT_EQ(st.mutations, 2u);
  EXPECT_EQ(st.entries_written, 300u);
  EXPECT_EQ(st.in_flight, 0);
  EXPECT_EQ(fx.outbox_batches_settled(), 0u); // confirmed batches leave the outbox
  auto json = to_json(st);
  EXPECT_NE(json.find("\"mutations\":2"), std::string::npos) << json;
  EXPECT_NE(json.find("\"bucket\":{\"maximum\":20000"), std::string::npos) << json;
}

TEST(store_link, a_tiny_bucket_throttles_without_losing_or_doubling_a_change) {
  link_fixture fx(scenario(10, 2, 25, 40));
  auto link = fx.spawn(fx.options());
  std::vector<inventory_item_id> items;
  {
    // Catalog pages cost more than this bucket holds: read the ids from the simulator.
    for (auto& [k, v] : fx.levels())
      items.push_back(k.first);
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
  }
  ASSERT_EQ(items.size(), 20u);
  auto before = fx.levels();
  auto loc = before.begin()->first.second;
  // Some THROTTLED answers regardless of the bucket, too.
  fx.sim.post("/_sim/faults", R"({"throttle_next": 3, "operations": ["InventoryAdjust"]})");
  std::map<inventory_item_id, int> expected;
  std::uint64_t op = 1;
  std::vector<inventory_write_reply> replies;
  for (int wave = 0; wave < 6; ++wave) {
    std::vector<write_intent> intents;
    for (int i = 0; i < 20; ++i) {
      auto item = items[(wave * 3 + i) % items.size()];
      int d = (i % 3) - 1 == 0 ? 2 : (i % 3) - 1;
      intents.push_back(adjust(item, loc, d, op++));
      expected[item] += d;
    }
    auto r = write_all(fx.sys, link, intents);
    replies.insert(replies.end(), r.begin(), r.end());
  }
  for (auto& r : replies)
    ASSERT_TRUE(r.applied()) << r.err.code << " " << r.err.message;
  auto truth = fx.levels();
  for (auto item : items)
    EXPECT_EQ(truth[key_of(item, loc)], *before[key_of(item, loc)] + expected[item]) << item;
  auto calls = fx.log("InventoryAdjust");
  std::size_t applied = 0, throttled = 0;
  std::set<std::string> keys;
  for (auto& c : calls) {
    applied += c.outcome == "applied";
    throttled += c.outcome == "throttled";
    if (c.outcome == "applied")
      EXPECT_TRUE(keys.insert(c.key).second) << "a key applied twice";
  }
  EXPECT_EQ(applied, 6u);
  EXPECT_GE(throttled, 3u);
  auto st = link_status(fx.sys, link);
  EXPECT_EQ(st.mutations, 6u);
  EXPECT_GE(st.throttled, 3u);
  ASSERT_TRUE(st.bucket_maximum);
  EXPECT_EQ(*st.bucket_maximum, 25);
}

TEST(store_link, one_entry_refused_the_rest_goes_through_with_a_new_key) {
  link_fixture fx(scenario(30, 1, 20000, 10000, 0.3));
  auto link = fx.spawn(fx.options());
  auto truth = fx.levels();
  auto locs = fx.locations(link);
  // Two stocked pairs and an item that does not exist, at the Main location (since 2026-10 a
  // write where the item is not stocked is not refused: it stocks it).
  std::vector<inventory_item_id> stocked;
  std::optional<inventory_item_id> unstocked = 1234; // no such inventory item
  for (auto& [k, v] : truth) {
    if (k.second != locs[0].id)
      continue;
    if (v && stocked.size() < 2)
      stocked.push_back(k.first);
  }
  ASSERT_EQ(stocked.size(), 2u);
  ASSERT_TRUE(unstocked);
  std::vector<write_intent> intents = {adjust(stocked[0], locs[0].id, -1, 1), adjust(*unstocked, locs[0].id, -1, 2),
                                       adjust(stocked[1], locs[0].id, 3, 3)};
  auto replies = write_all(fx.sys, link, intents);
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_TRUE(replies[0].applied());
  EXPECT_EQ(replies[0].quantity_after, *truth[key_of(stocked[0], locs[0].id)] - 1);
  EXPECT_FALSE(replies[1].applied());
  EXPECT_EQ(replies[1].outcome, write_verdict::refused);
  EXPECT_EQ(replies[1].err.code, "INVALID_INVENTORY_ITEM");
  EXPECT_TRUE(replies[2].applied());
  EXPECT_EQ(replies[2].quantity_after, *truth[key_of(stocked[1], locs[0].id)] + 3);
  auto calls = fx.log("InventoryAdjust");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].outcome, "user_errors");
  EXPECT_EQ(calls[0].entries, 3u);
  EXPECT_EQ(calls[1].outcome, "applied");
  EXPECT_EQ(calls[1].entries, 2u);
  EXPECT_NE(calls[0].key, calls[1].key);
  EXPECT_EQ(fx.outbox_batches_settled(), 0u);
  // Asking again with the refused op id answers from the record, without a call.
  auto again = write_all(fx.sys, link, {intents[1]});
  EXPECT_EQ(again[0].err.code, "INVALID_INVENTORY_ITEM");
  EXPECT_EQ(fx.log("InventoryAdjust").size(), 2u);
  // Old result records are pruned; recent ones stay.
  link_outbox ob(*fx.db, "a", 1);
  auto kept = ob.prune_results(0);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, 0u);
  auto pruned = ob.prune_results(std::numeric_limits<std::int64_t>::max());
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 3u);
}

TEST(store_link, compare_and_set_stale_is_reported_and_nothing_overwritten) {
  link_fixture fx(scenario(4, 1, 20000, 10000));
  auto link = fx.spawn(fx.options());
  auto items = fx.items(link);
  auto loc = fx.locations(link).at(0).id;
  auto truth = fx.levels();
  auto cur = *truth[key_of(items[0], loc)];
  // A sale raced the alignment: the expected value is stale.
  fx.sim.post("/_sim/restock", R"({"store": "a.myshopify.com", "inventory_item_id": )" + std::to_string(items[0]) +
                                   R"(, "location_id": )" + std::to_string(loc) + R"(, "delta": -2})");
  auto r = write_all(fx.sys, link,
                     {write_intent{write_kind::set, items[0], loc, 50, cur, 1},
                      write_intent{write_kind::set, items[1], loc, 60, *truth[key_of(items[1], loc)], 2}});
  EXPECT_FALSE(r[0].applied());
  EXPECT_EQ(r[0].err.code, "CHANGE_FROM_QUANTITY_STALE");
  EXPECT_EQ(r[0].outcome, write_verdict::refused);
  EXPECT_TRUE(r[1].applied());
  EXPECT_EQ(r[1].quantity_after, 60);
  EXPECT_EQ(*fx.levels()[key_of(items[0], loc)], cur - 2);
  // With the value read again, it goes through.
  auto ok = write_all(fx.sys, link, {write_intent{write_kind::set, items[0], loc, 50, cur - 2, 3}});
  EXPECT_TRUE(ok[0].applied());
  EXPECT_EQ(ok[0].quantity_after, 50);
}

TEST(store_link, level_reads_are_batched_250_to_a_query) {
  link_fixture fx(scenario(100, 3, 20000, 10000, 0.1));
  auto link = fx.spawn(fx.options());
  auto truth = fx.levels();
  std::vector<level_key> keys;
  for (auto& [k, v] : truth)
    if (keys.size() < 300 && k.second == truth.begin()->first.second)
      keys.push_back({k.first, k.second});
  ASSERT_EQ(keys.size(), 300u);
  std::size_t unstocked = 0;
  for (auto& r : read_all(fx.sys, link, keys)) {
    auto want = truth[key_of(r.key.item, r.key.location)];
    EXPECT_EQ(r.stocked, want.has_value());
    if (want)
      EXPECT_EQ(r.available, *want);
    unstocked += !r.stocked;
  }
  EXPECT_GT(unstocked, 0u);
  EXPECT_EQ(fx.log("InventoryLevels").size(), 2u);
}

// Levels are addressed by (item, location): reads of two locations asked in turn go as one
// query per location, and find the real values (a level GID made up from the location id, as
// shopsync once sent, finds nothing in a real store or in the simulator).
TEST(store_link, level_reads_go_one_query_per_location_and_find_the_levels) {
  link_fixture fx(scenario(20, 1, 20000, 10000, 0.2));
  auto link = fx.spawn(fx.options());
  auto truth = fx.levels();
  auto locs = fx.locations(link);
  ASSERT_EQ(locs.size(), 2u);
  std::vector<level_key> keys;
  for (auto& [k, v] : truth)
    if (k.second == locs[0].id && keys.size() < 40) {
      keys.push_back({k.first, locs[0].id});
      keys.push_back({k.first, locs[1].id});
    }
  std::size_t stocked = 0, unstocked = 0;
  for (auto& r : read_all(fx.sys, link, keys)) {
    auto want = truth[key_of(r.key.item, r.key.location)];
    EXPECT_EQ(r.stocked, want.has_value());
    EXPECT_FALSE(r.inactive);
    if (want)
      EXPECT_EQ(r.available, *want);
    stocked += r.stocked;
    unstocked += !r.stocked;
  }
  EXPECT_GT(stocked, 20u);
  EXPECT_GT(unstocked, 0u);
  EXPECT_EQ(fx.log("InventoryLevels").size(), 2u);
}

TEST(store_link, a_read_asked_while_the_levels_query_is_on_its_way_is_answered_by_a_later_query) {
  link_fixture fx(scenario(2, 1, 20000, 10000));
  auto link = fx.spawn(fx.options());
  auto items = fx.items(link);
  auto loc = fx.locations(link).at(0).id;
  const level_key k{items[0], loc};
  // Level reads are answered 400 ms after the simulator computed them.
  fx.sim.post("/_sim/faults", R"({"answer_delay_ms": 400, "operations": ["InventoryLevels"]})");
  caf::scoped_actor self{fx.sys};
  auto first = self->request(link, std::chrono::seconds(30), level_read_atom::value, k);
  std::this_thread::sleep_for(250ms); // its query is answered, the answer on its way back
  // A change, and (as after its webhook) a second read of the level.
  auto set = fx.sim.post("/_sim/set_level", R"({"store": "a.myshopify.com", "inventory_item_id": )" +
                                                std::to_string(k.item) + R"(, "location_id": )" +
                                                std::to_string(k.location) + R"(, "available": 7})");
  ASSERT_EQ(set.rfind("HTTP", 0), std::string::npos) << set;
  auto second = self->request(link, std::chrono::seconds(30), level_read_atom::value, k);
  first.receive([&](level_read_reply& r) { EXPECT_EQ(r.available, 100); },
                [&](caf::error& e) { ADD_FAILURE() << to_string(e); });
  second.receive([&](level_read_reply& r) { EXPECT_EQ(r.available, 7) << "not the value from before the change"; },
                 [&](caf::error& e) { ADD_FAILURE() << to_string(e); });
  EXPECT_EQ(fx.log("InventoryLevels").size(), 2u);
}

TEST(store_link, deltas_that_cancel_out_cost_a_read_not_a_mutation) {
  link_fixture fx(scenario(2, 1, 20000, 10000));
  auto link = fx.spawn(fx.options());
  auto items = fx.items(link);
  auto loc = fx.locations(link).at(0).id;
  auto r = write_all(fx.sys, link, {adjust(items[0], loc, -2, 1), adjust(items[0], loc, 2, 2)});
  ASSERT_TRUE(r[0].applied() && r[1].applied());
  EXPECT_EQ(r[0].quantity_after, 100);
  EXPECT_EQ(fx.log("InventoryAdjust").size(), 0u);
}

TEST(store_link, a_crash_after_sending_resends_the_same_batch_and_it_applies_once) {
  link_fixture fx(scenario(3, 1, 20000, 10000));
  // The first mutation is applied, and its answer never comes (the connection hangs).
  auto [items, loc] = fx.crash_with_an_unanswered_batch("", [](auto& its, location_id l) {
    return std::vector<write_intent>{adjust(its[0], l, -5, 41), adjust(its[1], l, 7, 42)};
  });
  EXPECT_EQ(fx.outbox_batches(), 1u);
  auto after_crash = fx.levels();
  EXPECT_EQ(*after_crash[key_of(items[0], loc)], 95);
  EXPECT_EQ(*after_crash[key_of(items[1], loc)], 107);

  // Restart: the recovered batch goes first, verbatim; Shopify answers with its first result.
  auto link2 = fx.spawn(fx.options());
  EXPECT_EQ(fx.outbox_batches_settled(), 0u);
  auto calls = fx.log("InventoryAdjust");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].outcome, "replayed");
  EXPECT_EQ(calls[0].key, calls[1].key);
  // The item actors ask again with their op ids and learn the result; nothing is written again.
  auto r = write_all(fx.sys, link2, {adjust(items[0], loc, -5, 41), adjust(items[1], loc, 7, 42)});
  ASSERT_TRUE(r[0].applied()) << r[0].err.code;
  EXPECT_EQ(r[0].quantity_after, 95);
  ASSERT_TRUE(r[1].applied());
  EXPECT_EQ(r[1].quantity_after, 107);
  EXPECT_EQ(fx.log("InventoryAdjust").size(), 2u);
  auto truth = fx.levels();
  EXPECT_EQ(*truth[key_of(items[0], loc)], 95);
  EXPECT_EQ(*truth[key_of(items[1], loc)], 107);
}

TEST(store_link, a_resubmission_during_recovery_is_attached_to_the_recovered_batch) {
  link_fixture fx(scenario(2, 1, 20000, 10000));
  auto [items, loc] = fx.probe();
  // A batch persisted by a previous run and never sent (the crash came before the send; its
  // record carries the send time it was saved for, a moment ago).
  link_outbox ob(*fx.db, "a", 7000);
  write_batch wb{write_kind::adjust, {{items[0], loc, -3, std::nullopt, {77}}}};
  outbox_batch b{7000, batch_idempotency_key("a", 7000), wb, ""};
  b.variables_json = admin_api::write_variables(wb, b.idempotency_key, "gid://shopsync/SyncBatch/a/7000");
  b.first_sent_unix = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
  ASSERT_TRUE(ob.apply({{}, {b}, {}}).ok());
  // Slow answers, so the re-submission arrives while the recovered batch is in flight.
  fx.sim.post("/_sim/faults", R"({"latency_ms": 300})");
  auto link = fx.spawn(fx.options());
  auto r = write_all(fx.sys, link, {adjust(items[0], loc, -3, 77)});
  ASSERT_TRUE(r[0].applied()) << r[0].err.code;
  EXPECT_EQ(r[0].quantity_after, 97);
  auto calls = fx.log("InventoryAdjust");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].key, b.idempotency_key);
  EXPECT_EQ(*fx.levels()[key_of(items[0], loc)], 97);
}

TEST(store_link, a_requester_asking_again_before_the_result_is_on_disk_gets_it_without_a_second_write) {
  link_fixture fx(scenario(2, 1, 20000, 10000));
  // The disk is slow: result records (link/a/done/...) are held back until released. The gate
  // is shared with the hook, which may outlive this scope on an io thread.
  struct gate {
    std::mutex m;
    std::condition_variable cv;
    bool hold = true, holding = false;
  };
  auto g = std::make_shared<gate>();
  fx.db->set_write_hook_for_testing([g](const state_store::batch& b) {
    bool results = false;
    b.for_each([&](column c, std::string_view key, bool) {
      results = results || (c == column::outbox && key.find("/done/") != std::string_view::npos);
    });
    if (!results)
      return;
    std::unique_lock l(g->m);
    g->holding = true;
    g->cv.notify_all();
    g->cv.wait(l, [&] { return !g->hold; });
  });
  auto release = [g] {
    {
      std::lock_guard l(g->m);
      g->hold = false;
    }
    g->cv.notify_all();
  };
  struct guard {
    std::function<void()> f;
    ~guard() { f(); }
  } release_at_exit{release}; // even when an assertion ends the test early

  auto link = fx.spawn(fx.options());
  auto items = fx.items(link);
  auto loc = fx.locations(link).at(0).id;
  auto first = write_all(fx.sys, link, {adjust(items[0], loc, -5, 41)});
  ASSERT_TRUE(first[0].applied()) << first[0].err.code;
  EXPECT_EQ(first[0].quantity_after, 95);
  {
    std::unique_lock l(g->m);
    ASSERT_TRUE(g->cv.wait_for(l, 10s, [&] { return g->holding; })) << "the result record was never written";
  }
  // The batch is done and its result is not on disk yet. The requester asks again with the
  // same op id (as an item actor does after its own restart): it learns the result at once,
  // and nothing is batched anew under a new key.
  caf::scoped_actor self{fx.sys};
  std::optional<inventory_write_reply> again;
  self->request(link, std::chrono::seconds(3), inv_write_atom::value, adjust(items[0], loc, -5, 41))
    .receive([&](inventory_write_reply& r) { again = r; },
             [&](caf::error& e) { ADD_FAILURE() << "no answer while the result is not on disk: " << to_string(e); });
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->applied()) << again->err.code;
  EXPECT_EQ(again->quantity_after, 95);

  release();
  // Once on disk, the record answers a later ask too; still one mutation, applied once.
  link_outbox ob(*fx.db, "a", 1);
  for (int i = 0; i < 300; ++i) {
    auto r = ob.find_result(items[0], loc, 41);
    if (r.ok() && *r)
      break;
    std::this_thread::sleep_for(10ms);
  }
  auto r = ob.find_result(items[0], loc, 41);
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_EQ((*r)->quantity_after, 95);
  auto later = write_all(fx.sys, link, {adjust(items[0], loc, -5, 41)});
  ASSERT_TRUE(later[0].applied());
  EXPECT_EQ(later[0].quantity_after, 95);
  EXPECT_EQ(fx.log("InventoryAdjust").size(), 1u);
  EXPECT_EQ(*fx.levels()[key_of(items[0], loc)], 95);
}

TEST(store_link, execute_passes_any_document_through) {
  link_fixture fx(scenario(1, 1, 20000, 10000));
  auto link = fx.spawn(fx.options());
  caf::scoped_actor self{fx.sys};
  graphql_answer a;
  self->request(link, std::chrono::seconds(30), execute_atom::value,
                graphql_request{"OrdersByOrigin", "query OrdersByOrigin($query: String!) { orders(first: 5, query: $query) { nodes { id } } }",
                                R"({"query": "tag:'x'"})", false})
    .receive([&](graphql_answer& r) { a = r; }, [&](caf::error&) {});
  ASSERT_TRUE(a.ok) << a.err.message;
  EXPECT_NE(a.body.find("\"data\""), std::string::npos);
  // As the order actor sees it.
  graphql_executor_actor exec = link;
  self->request(exec, std::chrono::seconds(30), execute_atom::value, graphql_request{"Nope", "query Nope { x }", "{}", false})
    .receive([&](graphql_answer& r) { a = r; }, [&](caf::error&) {});
  EXPECT_FALSE(a.ok);
  EXPECT_EQ(a.err.code, "SIM_UNKNOWN_OPERATION");
}

// Writes, reads and other calls take turns for a free request slot: a call (an order's create or
// lookup) waits for at most one query of each other kind, never for a whole reconcile round's
// reads. One slot, each request slowed: a call queued between two reads goes between them.
TEST(store_link, a_call_queued_behind_reads_goes_at_its_turn_not_after_every_read) {
  link_fixture fx(scenario(4, 1, 20000, 10000));
  auto truth = fx.levels();
  std::vector<location_id> locs;
  for (auto& [k, v] : truth)
    if (std::find(locs.begin(), locs.end(), k.second) == locs.end())
      locs.push_back(k.second);
  ASSERT_EQ(locs.size(), 2u);
  const auto item = truth.begin()->first.first;
  auto link = fx.spawn(fx.options(1));
  const auto before = fx.log().size();
  fx.sim.post("/_sim/faults", R"({"latency_ms": 150})");
  caf::anon_send(link, locations_atom::value); // takes the slot
  caf::anon_send(link, level_read_atom::value, level_key{item, locs[0]});
  caf::anon_send(link, execute_atom::value,
                 graphql_request{"OrdersByOrigin", "query OrdersByOrigin($query: String!) { orders(first: 5, query: $query) { nodes { id } } }",
                                 R"({"query": "tag:'x'"})", false});
  caf::anon_send(link, level_read_atom::value, level_key{item, locs[1]});
  std::vector<sim_call> calls;
  for (int i = 0; i < 300 && calls.size() < 4; ++i) {
    std::this_thread::sleep_for(10ms);
    auto all = fx.log();
    calls.assign(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
  }
  ASSERT_EQ(calls.size(), 4u);
  std::vector<std::string> order;
  for (auto& c : calls)
    order.push_back(c.operation);
  EXPECT_EQ(order, (std::vector<std::string>{"Locations", "InventoryLevels", "OrdersByOrigin", "InventoryLevels"}));
}

TEST(store_link, never_more_requests_in_flight_than_configured) {
  link_fixture fx(scenario(20, 1, 20000, 10000));
  auto link = fx.spawn(fx.options(1));
  auto truth = fx.levels();
  auto loc = truth.begin()->first.second;
  fx.sim.post("/_sim/faults", R"({"latency_ms": 60})");
  caf::scoped_actor self{fx.sys};
  // Distinct kinds of work: two catalog pages, locations, reads, writes.
  self->request(link, std::chrono::seconds(30), catalog_atom::value, catalog_page_request{5, std::nullopt});
  self->request(link, std::chrono::seconds(30), catalog_atom::value, catalog_page_request{5, std::nullopt});
  self->request(link, std::chrono::seconds(30), locations_atom::value);
  std::uint64_t op = 1;
  for (auto& [k, v] : truth)
    if (k.second == loc) {
      self->request(link, std::chrono::seconds(30), level_read_atom::value, level_key{k.first, k.second});
      self->request(link, std::chrono::seconds(30), inv_write_atom::value, adjust(k.first, k.second, 1, op++));
    }
  int max_seen = 0;
  std::size_t max_queued = 0;
  for (int i = 0; i < 200; ++i) {
    auto st = link_status(fx.sys, link);
    max_seen = std::max(max_seen, st.in_flight);
    max_queued = std::max(max_queued, st.queued_ops + st.queued_reads + st.queued_batches);
    if (i > 5 && st.in_flight == 0 && st.queued_ops + st.queued_reads + st.queued_batches == 0)
      break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(max_seen, 1);
  EXPECT_GT(max_queued, 0u);
  EXPECT_EQ(fx.log("InventoryAdjust").size(), 1u); // 20 writes, one mutation
}

// An answer its requester meets by asking again (an HTTP refusal, an unknown outcome, a
// concurrent request) must not become the op's remembered outcome: the next ask would get the
// same error from the record, forever, and the change would never be written.
TEST(store_link, an_error_the_requester_retries_is_not_remembered_as_the_outcome) {
  link_fixture fx(scenario(2, 1, 20000, 10000));
  auto link = fx.spawn(fx.options());
  auto items = fx.items(link);
  auto loc = fx.locations(link).at(0).id;
  fx.sim.post("/_sim/faults", R"({"error_next": 1, "error_status": 400, "operations": ["InventoryAdjust"]})");
  auto first = write_all(fx.sys, link, {adjust(items[0], loc, -4, 51)});
  ASSERT_FALSE(first[0].applied());
  EXPECT_EQ(first[0].err.code, "admin.http");
  EXPECT_EQ(first[0].outcome, write_verdict::unknown);
  EXPECT_EQ(*fx.levels()[key_of(items[0], loc)], 100); // refused: nothing applied
  EXPECT_EQ(fx.outbox_batches(), 1u);                  // kept for the next ask, same key
  // The requester asks again with the same op: the batch is sent again and applies, once.
  auto again = write_all(fx.sys, link, {adjust(items[0], loc, -4, 51)});
  ASSERT_TRUE(again[0].applied()) << again[0].err.code << ": " << again[0].err.message;
  EXPECT_EQ(again[0].quantity_after, 96);
  auto calls = fx.log("InventoryAdjust");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].key, calls[1].key);
  EXPECT_EQ(calls[1].outcome, "applied");
  EXPECT_EQ(*fx.levels()[key_of(items[0], loc)], 96);
  EXPECT_EQ(fx.outbox_batches_settled(), 0u);
  // And now the outcome is remembered: asking once more writes nothing.
  auto third = write_all(fx.sys, link, {adjust(items[0], loc, -4, 51)});
  ASSERT_TRUE(third[0].applied());
  EXPECT_EQ(third[0].quantity_after, 96);
  EXPECT_EQ(fx.log("InventoryAdjust").size(), 2u);
}

// 2026-10: SERVICE_UNAVAILABLE / ADJUST_QUANTITIES_FAILED mean "not applied, try again", and
// Shopify refuses the key of a failed attempt ("Retry with a new idempotency key"). The link
// remembers the refusal as the op's outcome, so asking again never resends that key; the next
// op (the requester's new attempt) goes in a new batch under a new key.
TEST(store_link, a_write_refused_as_not_applied_is_never_resent_under_its_key) {
  link_fixture fx(scenario(2, 1, 20000, 10000));
  auto link = fx.spawn(fx.options());
  auto items = fx.items(link);
  auto loc = fx.locations(link).at(0).id;
  fx.sim.post("/_sim/faults", R"({"user_error_next": 1, "user_error_code": "SERVICE_UNAVAILABLE"})");
  auto first = write_all(fx.sys, link, {adjust(items[0], loc, -4, 61)});
  ASSERT_FALSE(first[0].applied());
  EXPECT_EQ(first[0].err.code, "SERVICE_UNAVAILABLE");
  EXPECT_EQ(classify_write_failure(first[0].err), failure_kind::not_applied);
  EXPECT_EQ(*fx.levels()[key_of(items[0], loc)], 100);
  EXPECT_EQ(fx.outbox_batches_settled(), 0u);
  // The same op asked again: answered from the record, nothing sent.
  auto again = write_all(fx.sys, link, {adjust(items[0], loc, -4, 61)});
  ASSERT_FALSE(again[0].applied());
  EXPECT_EQ(again[0].err.code, "SERVICE_UNAVAILABLE");
  ASSERT_EQ(fx.log("InventoryAdjust").size(), 1u) << "the refused key was sent again";
  // The requester's new attempt: a new op, a new batch, a new key; it applies once.
  auto next = write_all(fx.sys, link, {adjust(items[0], loc, -4, 62)});
  ASSERT_TRUE(next[0].applied()) << next[0].err.code;
  EXPECT_EQ(next[0].quantity_after, 96);
  auto calls = fx.log("InventoryAdjust");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_NE(calls[0].key, calls[1].key);
  EXPECT_EQ(calls[1].outcome, "applied");
}

// A batch that was sent and never answered, found in the outbox after a restart that came later
// than its key's lifetime: it is not sent again (the simulator, whose keys live 1 s here, would
// apply it a second time); its requesters are told it expired and settle by reading.
TEST(store_link, a_recovered_batch_older_than_its_key_lifetime_is_not_resent) {
  link_fixture fx(scenario(3, 1, 20000, 10000));
  auto [items, loc] = fx.crash_with_an_unanswered_batch(R"("idempotency_window_s": 1)", [](auto& its, location_id l) {
    return std::vector<write_intent>{adjust(its[0], l, -5, 81)};
  });
  ASSERT_EQ(fx.outbox_batches(), 1u);
  EXPECT_EQ(*fx.levels()[key_of(items[0], loc)], 95);
  std::this_thread::sleep_for(2200ms);

  auto o = fx.options();
  o.idempotency_key_max_age = 1s;
  auto link2 = fx.spawn(o);
  EXPECT_EQ(fx.outbox_batches_settled(), 0u);
  auto r = write_all(fx.sys, link2, {adjust(items[0], loc, -5, 81)});
  ASSERT_FALSE(r[0].applied());
  EXPECT_EQ(r[0].err.code, write_expired_code);
  EXPECT_EQ(r[0].outcome, write_verdict::unknown);
  EXPECT_EQ(classify_write_failure(r[0].err), failure_kind::expired);
  EXPECT_EQ(fx.log("InventoryAdjust").size(), 1u) << "resent under a key that may be gone";
  EXPECT_EQ(*fx.levels()[key_of(items[0], loc)], 95) << "applied once";
}

// The first send time is kept with the batch. An outbox record from before it was kept has no
// age: it is settled by reading rather than resent (reading is always safe, resending is not).
TEST(store_link, an_outbox_record_without_a_send_time_is_settled_by_reading_not_resent) {
  link_fixture fx(scenario(2, 1, 20000, 10000));
  auto [items, loc] = fx.probe();
  link_outbox ob(*fx.db, "a", 9000);
  write_batch wb{write_kind::adjust, {{items[0], loc, -3, std::nullopt, {92}}}};
  outbox_batch b{9000, batch_idempotency_key("a", 9000), wb, ""};
  b.variables_json = admin_api::write_variables(wb, b.idempotency_key, "gid://shopsync/SyncBatch/a/9000");
  auto decoded = link_outbox::decode(link_outbox::encode(b));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->first_sent_unix, 0);
  b.first_sent_unix = 1234;
  EXPECT_EQ(link_outbox::decode(link_outbox::encode(b))->first_sent_unix, 1234);
  b.first_sent_unix = 0;
  ASSERT_TRUE(ob.apply({{}, {b}, {}}).ok());
  auto link = fx.spawn(fx.options());
  auto r = write_all(fx.sys, link, {adjust(items[0], loc, -3, 92)});
  ASSERT_FALSE(r[0].applied());
  EXPECT_EQ(r[0].err.code, write_expired_code);
  EXPECT_EQ(r[0].outcome, write_verdict::unknown);
  EXPECT_EQ(fx.log("InventoryAdjust").size(), 0u);
  EXPECT_EQ(*fx.levels()[key_of(items[0], loc)], 100);
}

TEST(store_link, writes_still_waiting_for_a_deleted_item_are_dropped_and_never_sent) {
  link_fixture fx(scenario(4, 1, 20000, 10000));
  ASSERT_TRUE(fx.sim.running());
  auto o = fx.options();
  o.batching_window = 1500ms; // every write below is still coalescing when the deletion comes
  auto link = fx.spawn(o);
  auto items = fx.items(link);
  ASSERT_GE(items.size(), 2u);
  auto loc = fx.locations(link).at(0).id;
  caf::scoped_actor self{fx.sys};
  auto h1 = self->request(link, 30s, inv_write_atom::value, write_intent{write_kind::set, items[0], loc, 5, std::nullopt, 1});
  auto h2 = self->request(link, 30s, inv_write_atom::value, adjust(items[0], fx.locations(link).at(1).id, -1, 2));
  auto h3 = self->request(link, 30s, inv_write_atom::value, write_intent{write_kind::set, items[1], loc, 6, std::nullopt, 3});
  self->send(link, forget_atom::value, std::vector<inventory_item_id>{items[0]});
  for (auto* h : {&h1, &h2})
    h->receive([&](inventory_write_reply& r) {
      EXPECT_FALSE(r.applied());
      EXPECT_EQ(r.err.code, "INVALID_INVENTORY_ITEM");
    },
               [&](caf::error& e) { ADD_FAILURE() << to_string(e); });
  h3.receive([&](inventory_write_reply& r) {
    EXPECT_TRUE(r.applied()) << r.err.code;
    EXPECT_EQ(r.quantity_after, 6);
  },
             [&](caf::error& e) { ADD_FAILURE() << to_string(e); });
  // A write asked later for the deleted item is refused at once.
  auto later = write_all(fx.sys, link, {write_intent{write_kind::set, items[0], loc, 9, std::nullopt, 4}});
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].err.code, "INVALID_INVENTORY_ITEM");
  // Shopify saw one mutation, for the other item only.
  auto sets = fx.log("InventorySet");
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].entries, 1u);
  EXPECT_TRUE(fx.log("InventoryAdjust").empty());
  EXPECT_EQ(fx.levels()[key_of(items[0], loc)], 100);
}
