// The item actor on CAF's test_coordinator: deterministic scheduling and simulated time, no
// sockets, no sleeps. Its store links are fakes that hold a store's levels and answer at once
// (or fail as a test says); the state store is a real RocksDB in a temp dir. What is checked is
// the actor's own work: which messages it sends the links, when (retry pacing in simulated
// time), what it persists, and when it asks the router to passivate it.
#include "actors/item.hpp"

#include "io/audit_log.hpp"
#include "io/state_store.hpp"
#include "support/temp_dir.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace shopsync {
namespace {

using namespace std::chrono_literals;

// One fake store behind its fake link: its levels, what it was asked, and the failures to play.
struct fake_store {
  std::map<std::pair<inventory_item_id, location_id>, std::int64_t> levels;
  std::vector<write_intent> writes;           // every write asked, in order
  std::vector<level_key> reads;               // every read asked, in order
  int fail_next_writes = 0;                   // answered "admin.unavailable" (outcome unknown), not applied
};

struct fake_link_state {
  fake_store* store = nullptr;
  static inline const char* name = "fake_link";
};

store_link_actor::behavior_type fake_link(store_link_actor::stateful_pointer<fake_link_state> self, fake_store* s) {
  self->state.store = s;
  return {
    [](execute_atom, graphql_request&) { return graphql_answer{}; },
    [self](inv_write_atom, write_intent& w) {
      auto& st = *self->state.store;
      st.writes.push_back(w);
      inventory_write_reply r;
      r.op_id = w.op_id;
      if (st.fail_next_writes > 0) {
        --st.fail_next_writes;
        r.err = error{error_kind::admin_unavailable, "503"};
        return r;
      }
      auto& level = st.levels[{w.item, w.location}];
      level = w.kind == write_kind::set ? w.quantity : level + w.quantity;
      r.outcome = write_verdict::applied;
      r.quantity_after = level;
      return r;
    },
    [self](level_read_atom, level_key& k) {
      auto& st = *self->state.store;
      st.reads.push_back(k);
      level_read_reply r;
      r.key = k;
      r.ok = true;
      r.stocked = true;
      r.available = st.levels[{k.item, k.location}];
      return r;
    },
    [](catalog_atom, catalog_page_request&) { return catalog_page_reply{}; },
    [](locations_atom) { return locations_reply{}; },
    [](link_status_atom) { return store_link_status{}; },
    [](forget_atom, std::vector<inventory_item_id>&) {},
    [](link_auth_atom, std::string&) {},
    [](bulk_atom, bulk_read_request&) { return bulk_read_reply{false, 0, error{"test.no_bulk", "not here"}}; },
  };
}

// The router as an item actor sees it: it only records the passivation requests.
struct fake_router_state {
  std::vector<std::pair<std::string, std::uint64_t>>* passivations = nullptr;
  static inline const char* name = "fake_router";
};

router_actor::behavior_type fake_router(router_actor::stateful_pointer<fake_router_state> self,
                                        std::vector<std::pair<std::string, std::uint64_t>>* out) {
  self->state.passivations = out;
  return {
    [](event_atom, std::uint64_t, webhook_envelope&) {},
    [](mapping_atom, std::string&, group_mapping_ptr&) {},
    [](align_atom, std::string&) {},
    [](pause_atom, std::string&, bool) {},
    [](pause_atom) { return std::vector<std::string>{}; },
    [](watchdog_atom) -> caf::result<std::uint64_t, std::uint64_t> { return {0, 0}; },
    [](guard_atom, std::string&, std::string&) {},
    [](undo_atom, std::string&, std::string&, std::string&, location_id, std::int64_t, std::string&) {},
    [](resync_atom, std::string&) {},
    [](reconcile_atom, std::string&) {},
    [self](passivate_atom, std::string& key, std::uint64_t handled) {
      self->state.passivations->emplace_back(key, handled);
    },
    [](start_atom) {},
    [](flush_atom) {},
    [](view_atom, std::string&, std::string&) { return std::string{}; },
    [](mapping_atom, std::string&, bool) { return std::string{}; },
    [](order_retry_atom, std::string&, std::uint64_t) { return std::string{}; },
    [](order_recon_atom, std::string&, std::string&) { return std::string{}; },
    [](hint_atom, reconcile_hint&) {},
  };
}

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  cfg.set("logger.inline-output", true);
  return cfg;
}

constexpr inventory_item_id kSrcItem = 1, kDstItem = 2;
constexpr location_id kSrcLoc = 10, kDstLoc = 20;

class ItemActor : public ::testing::Test {
protected:
  ItemActor()
    : sys(testing_config(cfg)), sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    auto opened = state_store::open({(dir / "state").string(), false, true});
    EXPECT_TRUE(static_cast<bool>(opened));
    db = std::move(*opened);
    audit = std::make_unique<audit_log>(*db);
    ctx.store = db.get();
    ctx.audit = audit.get();
    ctx.item_idle_timeout = 30s;
    ctx.retry_base = 200ms;
    ctx.retry_max = 5s;
    ctx.links.emplace("src", sys.spawn(fake_link, &src));
    ctx.links.emplace("dst", sys.spawn(fake_link, &dst));
    router = sys.spawn(fake_router, &passivations);
    src.levels[{kSrcItem, kSrcLoc}] = 5;
    dst.levels[{kDstItem, kDstLoc}] = 3;
  }

  ~ItemActor() override {
    for (auto& [name, link] : ctx.links)
      caf::anon_send_exit(link, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    if (item_handle)
      caf::anon_send_exit(item_handle, caf::exit_reason::user_shutdown);
    sched.run();
  }

  static item_layout one_way() {
    item_layout l;
    l.identity = "sku:A";
    l.mode = sync_mode::one_way;
    l.stores = {{"src", kSrcItem}, {"dst", kDstItem}};
    l.slots = {item_slot{{location_id{kSrcLoc}, location_id{kDstLoc}}}};
    return l;
  }

  item_actor spawn_item() {
    item_handle = sys.spawn(item, &ctx, std::string("g"), one_way(), router, false, group_mapping_ptr{});
    sched.run();
    return item_handle;
  }

  void hint(const store_name& store, location_id loc, std::int64_t available) {
    level_hint h;
    h.store = store;
    h.location = loc;
    h.available = available;
    caf::anon_send(item_handle, hint_atom::value, std::move(h));
    sched.run();
  }

  std::int64_t dst_level() { return dst.levels[{kDstItem, kDstLoc}]; }

  testing::temp_dir dir{"shopsync-item-actor"};
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  std::unique_ptr<state_store> db;
  std::unique_ptr<audit_log> audit;
  sync_context ctx;
  fake_store src, dst;
  std::vector<std::pair<std::string, std::uint64_t>> passivations;
  router_actor router;
  item_actor item_handle;
};

TEST_F(ItemActor, aligns_a_one_way_destination_with_one_read_per_level_and_one_set) {
  spawn_item();
  EXPECT_EQ(src.reads.size(), 1u);
  EXPECT_EQ(dst.reads.size(), 1u);
  ASSERT_EQ(dst.writes.size(), 1u);
  EXPECT_EQ(dst.writes[0].kind, write_kind::set);
  EXPECT_EQ(dst.writes[0].quantity, 5);
  EXPECT_EQ(dst_level(), 5);
  EXPECT_TRUE(src.writes.empty()) << "the Source is never written in a one-way group";
  // Its state is persisted: a new actor for the identity finds it aligned and sends nothing.
  auto stored = db->get(column::levels, item_state_key("g", "sku:A"));
  ASSERT_TRUE(stored && *stored);
  EXPECT_FALSE(item_needs_actor(**stored, one_way()));
}

TEST_F(ItemActor, one_source_sale_makes_exactly_one_destination_write_and_its_echo_none) {
  spawn_item();
  const auto writes_before = dst.writes.size();
  src.levels[{kSrcItem, kSrcLoc}] = 4; // a sale in the Source
  hint("src", kSrcLoc, 4);
  ASSERT_EQ(dst.writes.size(), writes_before + 1);
  EXPECT_EQ(dst.writes.back().quantity, 4);
  EXPECT_EQ(dst_level(), 4);
  // The Destination's webhook for shopsync's own write is an echo: no read, no write.
  const auto reads_before = dst.reads.size();
  hint("dst", kDstLoc, 4);
  EXPECT_EQ(dst.reads.size(), reads_before);
  EXPECT_EQ(dst.writes.size(), writes_before + 1);
}

TEST_F(ItemActor, a_write_whose_outcome_is_unknown_is_asked_again_with_the_same_op_after_a_backoff) {
  dst.fail_next_writes = 1;
  spawn_item();
  ASSERT_EQ(dst.writes.size(), 1u);
  const auto op = dst.writes[0].op_id;
  // Nothing goes again before the backoff's fixed half (retry_base / 2 for the first retry).
  sched.advance_time(90ms);
  sched.run();
  EXPECT_EQ(dst.writes.size(), 1u) << "retried without backing off";
  // Within the first step (at most retry_base) it goes again, with the same op id (so the
  // same idempotency key in the link).
  sched.advance_time(ctx.retry_base);
  sched.run();
  ASSERT_EQ(dst.writes.size(), 2u);
  EXPECT_EQ(dst.writes[1].op_id, op);
  EXPECT_EQ(dst.writes[1].quantity, 5);
  EXPECT_EQ(dst_level(), 5);
}

TEST_F(ItemActor, an_idle_item_asks_the_router_to_passivate_it_after_its_idle_timeout_and_not_before) {
  spawn_item();
  ASSERT_TRUE(passivations.empty());
  sched.advance_time(ctx.item_idle_timeout - 1s);
  sched.run();
  EXPECT_TRUE(passivations.empty()) << "asked to leave before its idle timeout";
  // At the tick: idle, and nothing came from the router since the last tick.
  sched.advance_time(1s);
  sched.run();
  ASSERT_EQ(passivations.size(), 1u);
  EXPECT_EQ(passivations[0].first, item_state_key("g", "sku:A"));
  EXPECT_EQ(passivations[0].second, 0u); // it has handled no router message
}

TEST_F(ItemActor, a_router_message_within_the_interval_defers_passivation_by_a_whole_interval) {
  spawn_item();
  sched.advance_time(ctx.item_idle_timeout - 1s);
  sched.run();
  hint("src", kSrcLoc, 5); // an echo: nothing to do, but the router has sent something
  sched.advance_time(1s);
  sched.run();
  EXPECT_TRUE(passivations.empty()) << "asked to leave while the router had just sent it a message";
  sched.advance_time(ctx.item_idle_timeout);
  sched.run();
  ASSERT_EQ(passivations.size(), 1u);
  EXPECT_EQ(passivations[0].second, 1u); // the router grants it only once that message is counted
}

} // namespace
} // namespace shopsync
