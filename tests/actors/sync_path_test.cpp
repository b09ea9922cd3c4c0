// The sync path's real actors, router → item → store link, on CAF's test_coordinator:
// deterministic scheduling and simulated time, no sockets, no sleeps. Only the Admin API is
// fake: an in-memory Shopify per store (levels by (inventory item, location), answering level
// reads and batched set/adjust mutations, replaying an idempotency key it has seen, failing
// writes as a test scripts), given to each store link through store_link_options::api.
//
// The seam is the admin_api and not the io threads: the store link still posts its outbox
// writes (real RocksDB, in a temp dir) and its mutations to an io_context, but that io_context
// is the test's own, polled on the test's thread between scheduler runs (settle()); answers come
// back into the link as messages, exactly as from the daemon's io threads. The store link and
// the item run on the actor system's clock, so the batching window, retry backoffs and idle
// timers all move only when the test advances time.
//
// GoogleTest drives the test_coordinator directly (sched.run(), advance_time()), as
// item_actor_test.cpp does: caf/test/dsl.hpp's expect/allow would need CAF's own unit test
// engine (CAF_CHECK, its main) in a binary of its own, and the checks here are on effects (the
// fake store, the state store, the inbox) rather than on single messages.
//
// What is checked is the wiring between the actors: who spawns whom, what reaches the fake
// store and when, what is persisted, and when an inbox entry is marked applied. The rules
// themselves are the domain's, with their own property tests.
#include "actors/item.hpp"
#include "actors/router.hpp"
#include "actors/store_link.hpp"
#include "domain/gid.hpp"
#include "domain/group_mapping.hpp"
#include "io/audit_log.hpp"
#include "io/control_protocol.hpp"
#include "io/inbox.hpp"
#include "io/state_store.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace shopsync {
namespace {

using namespace std::chrono_literals;

// --- the fake Shopify of one store

struct write_call {
  write_kind kind = write_kind::set;
  std::string idempotency_key;
  struct entry {
    level_key key;
    std::int64_t quantity = 0; // the target (set) or the delta (adjust)
    std::optional<std::int64_t> change_from;
  };
  std::vector<entry> entries;
  bool applied = false;
};

class fake_store_api : public admin_api {
public:
  fake_store_api() : admin_api(nullptr) {}

  std::map<level_key, std::int64_t> levels; // stocked levels; a key not here is not stocked
  std::vector<level_key> reads;             // every level read, in order
  std::vector<write_call> writes;           // every mutation received, in order
  std::deque<error> fail_writes;            // the next mutations fail with these (not applied)
  // Times, when the test gives them: reads answer a level's updatedAt from `updated`; with a
  // clock (`now`), an applied mutation stamps its levels and answers createdAt = now.
  std::map<level_key, shopify_time> updated;
  std::optional<shopify_time> now;

  std::int64_t level(inventory_item_id item, location_id loc) const { return levels.at({item, loc}); }
  std::size_t writes_to(inventory_item_id item) const {
    std::size_t n = 0;
    for (auto& w : writes)
      for (auto& e : w.entries)
        n += e.key.item == item;
    return n;
  }
  std::size_t reads_of(inventory_item_id item) const {
    std::size_t n = 0;
    for (auto& k : reads)
      n += k.item == item;
    return n;
  }

  void catalog(int, const std::optional<std::string>&, callback<catalog_page> done) override {
    // The tests publish mappings to the router themselves: the group's catalog actor finds
    // nothing to match (it retries later, quietly as far as these tests go).
    done(error{error_kind::admin_unavailable, "the fake store serves no catalog"});
  }
  void locations(callback<std::vector<location_row>> done) override {
    done(error{error_kind::admin_unavailable, "the fake store serves no locations"});
  }

  void inventory_levels(const std::vector<level_key>& keys, callback<std::vector<level_value>> done) override {
    std::vector<level_value> out;
    for (auto& k : keys) {
      reads.push_back(k);
      level_value v{k, std::nullopt, true};
      if (auto it = levels.find(k); it != levels.end())
        v.available = it->second;
      if (auto t = updated.find(k); t != updated.end() && v.available)
        v.updated_at = t->second;
      out.push_back(v);
    }
    done(std::move(out));
  }

  // Shopify's rules as the store link relies on them: a batch is applied whole or not at all;
  // a set with a changeFromQuantity that differs is refused (CHANGE_FROM_QUANTITY_STALE); the
  // same idempotency key again gets the first answer, never a second application.
  void write_inventory(write_kind kind, std::string variables_json, std::vector<level_key> entries,
                       callback<write_outcome> done) override {
    auto call = parse(kind, variables_json);
    EXPECT_EQ(call.entries.size(), entries.size());
    if (!fail_writes.empty()) {
      auto e = fail_writes.front();
      fail_writes.pop_front();
      writes.push_back(std::move(call));
      return done(e);
    }
    if (auto seen = answered_.find(call.idempotency_key); seen != answered_.end()) {
      writes.push_back(std::move(call));
      return done(seen->second);
    }
    write_outcome out;
    for (std::size_t i = 0; i < call.entries.size(); ++i) {
      auto& e = call.entries[i];
      auto it = levels.find(e.key);
      if (it == levels.end())
        out.entry_errors.emplace_back(i, error{"ITEM_NOT_STOCKED_AT_LOCATION", "not stocked"});
      else if (kind == write_kind::set && e.change_from && *e.change_from != it->second)
        out.entry_errors.emplace_back(i, error{"CHANGE_FROM_QUANTITY_STALE", "stale"});
    }
    if (out.entry_errors.empty()) {
      out.applied = true;
      for (auto& e : call.entries) {
        auto& l = levels.at(e.key);
        l = kind == write_kind::set ? e.quantity : l + e.quantity;
        out.quantity_after.emplace_back(l);
        if (now)
          updated[e.key] = *now;
      }
      out.created_at = now;
      call.applied = true;
    }
    answered_[call.idempotency_key] = out;
    writes.push_back(std::move(call));
    done(std::move(out));
  }

private:
  static write_call parse(write_kind kind, const std::string& json) {
    write_call c;
    c.kind = kind;
    simdjson::dom::parser p;
    simdjson::dom::element doc = p.parse(json);
    c.idempotency_key = std::string(std::string_view(doc["idempotencyKey"]));
    const bool set = kind == write_kind::set;
    for (simdjson::dom::element x : simdjson::dom::array(doc["input"][set ? "quantities" : "changes"])) {
      write_call::entry e;
      e.key.item = *parse_gid(std::string_view(x["inventoryItemId"]), "InventoryItem");
      e.key.location = *parse_gid(std::string_view(x["locationId"]), "Location");
      e.quantity = std::int64_t(x[set ? "quantity" : "delta"]);
      if (auto cf = x["changeFromQuantity"]; !cf.is_null())
        e.change_from = std::int64_t(cf);
      c.entries.push_back(e);
    }
    return c;
  }

  std::map<std::string, write_outcome> answered_; // by idempotency key
};

// --- the group: Source "src" (item 1 at location 10), Destination "dst" (item 2 at location
// 20; item 3 is another variant there, for the remap).

constexpr inventory_item_id kSrcItem = 1, kDstItem = 2, kOtherDstItem = 3;
constexpr location_id kSrcLoc = 10, kDstLoc = 20;
const std::string kGroup = "g";
const std::string kIdentity = "sku:A";

config make_config() {
  config c;
  store_config src;
  src.name = "src";
  src.shop_domain = "src.myshopify.com";
  src.role = store_role::source;
  src.access_token = "test-token";
  store_config dst = src;
  dst.name = "dst";
  dst.shop_domain = "dst.myshopify.com";
  dst.role = store_role::destination;
  c.stores = {src, dst};
  group_config g;
  g.name = kGroup;
  g.source = "src";
  g.destinations = {"dst"};
  g.strategy = sync_strategy::one_way;
  g.match_by = match_key::sku;
  c.groups = {g};
  c.daemon.reconcile_interval = std::chrono::hours(24); // no reconcile round within a test
  return c;
}

// The group's mapping with identity sku:A on Destination item `dst_item`.
group_mapping_ptr mapping_with(const config& c, inventory_item_id dst_item) {
  catalog_match match;
  identity_mapping id{kIdentity, {{"src", 100, 101, kSrcItem}, {"dst", 200 + dst_item, 300 + dst_item, dst_item}}};
  match.identities.push_back(std::move(id));
  store_locations src{"src", {{kSrcLoc, "Warehouse"}}};
  std::vector<store_locations> dst{{"dst", {{kDstLoc, "Warehouse"}}}};
  return std::make_shared<const group_mapping>(c.groups[0], std::move(match), map_locations(src, dst, true, {}));
}

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  return cfg;
}

class SyncPath : public ::testing::Test {
protected:
  SyncPath() : sys(testing_config(sys_cfg)), sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    log_level = spdlog::get_level();
    spdlog::set_level(spdlog::level::off); // the catalog actors' failed loads are expected here
    auto opened = state_store::open({(dir / "state").string(), false, true});
    EXPECT_TRUE(static_cast<bool>(opened));
    db = std::move(*opened);
    audit = std::make_unique<audit_log>(*db);
    auto in = inbox::open(*db, {});
    EXPECT_TRUE(static_cast<bool>(in));
    inbox_ = std::move(*in);
    ctx.cfg = make_config();
    ctx.store = db.get();
    ctx.audit = audit.get();
    ctx.item_idle_timeout = 30s;
    ctx.retry_base = 200ms;
    ctx.retry_max = 5s;
    // As the daemon does (shopsyncd.cpp), and each mark noted with whether the item's own
    // state is in the same batch.
    ctx.mark_applied = [this](state_store::batch& b, std::uint64_t seq) {
      mark m{seq, {}};
      b.for_each([&](column c, std::string_view key, bool erase) {
        if (c == column::levels && !erase)
          m.item_states.emplace_back(key);
      });
      marks.push_back(std::move(m));
      EXPECT_TRUE(inbox_->mark_applied(b, seq, std::chrono::system_clock::now()));
    };
    src->levels[{kSrcItem, kSrcLoc}] = 5;
    dst->levels[{kDstItem, kDstLoc}] = 3;
    dst->levels[{kOtherDstItem, kDstLoc}] = 7;
  }

  // The links of the configured stores and the router (a derived fixture may change ctx.cfg
  // in its constructor first).
  void SetUp() override {
    for (auto& s : ctx.cfg.stores)
      ctx.links.emplace(s.name, spawn_link(s.name, fakes.at(s.name), 0ms));
    router = sys.spawn(shopsync::router, &ctx);
    settle();
  }

  // A real store link over the fake store. batching_window 0: each op is sent at once, so the
  // pacing the retry tests see is the item's.
  store_link_actor spawn_link(const store_name& name, std::shared_ptr<fake_store_api> api,
                              std::chrono::milliseconds batching_window) {
    store_link_options o;
    o.store = *ctx.cfg.find_store(name);
    o.batching_window = batching_window;
    o.io = &io;
    o.db = db.get();
    o.first_batch_id = name == "src" ? 1'000 : 2'000;
    o.api = std::move(api);
    return spawn_store_link(sys, std::move(o));
  }

  // The Destination's link replaced by one with another batching window (item actors look
  // their link up at each operation).
  void respawn_dst_link(std::chrono::milliseconds batching_window) {
    caf::anon_send_exit(ctx.links.at("dst"), caf::exit_reason::user_shutdown);
    settle();
    ctx.links.at("dst") = spawn_link("dst", dst, batching_window);
    settle();
  }

  ~SyncPath() override {
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    for (auto& [name, link] : ctx.links)
      caf::anon_send_exit(link, caf::exit_reason::user_shutdown);
    settle();
    inbox_->stop();
    spdlog::set_level(log_level);
  }

  // Runs every actor and io handler until nothing is left to do at this simulated time.
  void settle() {
    for (;;) {
      auto jobs = sched.run();
      io.restart();
      auto handlers = io.poll();
      if (jobs == 0 && handlers == 0)
        return;
    }
  }

  void advance(caf::timespan d) {
    sched.advance_time(d);
    settle();
  }

  // Advances a millisecond at a time until the Destination has received `n` mutations; the
  // simulated time that took (nullopt: not within `limit`).
  std::optional<caf::timespan> until_writes(std::size_t n, caf::timespan limit) {
    caf::timespan t{0};
    while (dst->writes.size() < n) {
      if (t >= limit)
        return std::nullopt;
      advance(1ms);
      t += 1ms;
    }
    return t;
  }

  void publish(group_mapping_ptr m) {
    caf::anon_send(router, mapping_atom::value, kGroup, std::move(m));
    settle();
  }

  // An inventory_levels/update of the Source, accepted into the inbox (real, same RocksDB)
  // and handed to the router as the daemon's supervisor does. Returns its inbox seq.
  std::uint64_t source_webhook(std::int64_t available) {
    webhook_delivery d;
    d.topic = "inventory_levels/update";
    d.shop_domain = "src.myshopify.com";
    d.webhook_id = "w" + std::to_string(++webhooks);
    d.event_id = "e" + std::to_string(webhooks);
    d.body = R"({"inventory_item_id":1,"location_id":10,"available":)" + std::to_string(available) + "}";
    std::promise<append_result> stored;
    inbox_->submit(d, [&](append_result r) { stored.set_value(r); });
    auto r = stored.get_future().get();
    EXPECT_EQ(r.outcome, append_outcome::stored);
    webhook_envelope env;
    env.topic = d.topic;
    env.shop_domain = d.shop_domain;
    env.webhook_id = d.webhook_id;
    env.event_id = d.event_id;
    env.event = inventory_level_changed{kSrcItem, kSrcLoc, available, {}};
    caf::anon_send(router, event_atom::value, r.seq, env);
    return r.seq;
  }

  bool applied(std::uint64_t seq) {
    auto rec = inbox_->get(seq);
    EXPECT_TRUE(rec && *rec);
    return rec && *rec && (*rec)->applied_at.has_value();
  }

  router_state& router_view() {
    auto* p = dynamic_cast<router_actor::stateful_pointer<router_state>>(caf::actor_cast<caf::abstract_actor*>(router));
    return p->state;
  }

  // The live item actor of sku:A, if the router has one.
  std::optional<item_actor> live_item() {
    auto& items = router_view().items;
    auto it = items.find(item_state_key(kGroup, kIdentity));
    if (it == items.end())
      return std::nullopt;
    return it->second.actor;
  }

  // What `shopsyncctl item` shows of sku:A (the router's view, from a live or a loaded item).
  std::unique_ptr<simdjson::dom::parser> view_parser = std::make_unique<simdjson::dom::parser>();
  std::string item_view() {
    auto out = std::make_shared<std::string>();
    sys.spawn([out, r = router](caf::event_based_actor* a) {
      a->request(r, caf::infinite, view_atom::value, kGroup, kIdentity).then([out](const std::string& s) { *out = s; });
    });
    settle();
    auto result = parse_control_reply(*out);
    EXPECT_TRUE(static_cast<bool>(result)) << *out;
    return result ? *result : std::string("{}");
  }

  std::optional<inventory_item_state> persisted() {
    auto s = db->get(column::levels, item_state_key(kGroup, kIdentity));
    if (!s || !*s)
      return std::nullopt;
    auto d = inventory_item_state::decode(**s);
    if (!d)
      return std::nullopt;
    return std::move(*d);
  }

  // Mapped and aligned, with no item actor left (the one the mapping started leaves once done).
  void aligned_and_quiet() {
    publish(mapping_with(ctx.cfg, kDstItem));
    ASSERT_EQ(dst->level(kDstItem, kDstLoc), 5) << "the mapping's start-up alignment did not reach the store";
    ASSERT_FALSE(live_item()) << "the item started for the alignment did not leave";
  }

  testing::temp_dir dir{"shopsync-sync-path"};
  boost::asio::io_context io; // the store links' "io threads": polled by settle()
  std::unique_ptr<state_store> db;
  std::unique_ptr<audit_log> audit;
  std::unique_ptr<inbox> inbox_;
  sync_context ctx;
  std::shared_ptr<fake_store_api> src = std::make_shared<fake_store_api>();
  std::shared_ptr<fake_store_api> dst = std::make_shared<fake_store_api>();
  std::shared_ptr<fake_store_api> outlet = std::make_shared<fake_store_api>(); // SyncPathTwoGroups
  std::map<store_name, std::shared_ptr<fake_store_api>> fakes{{"src", src}, {"dst", dst}, {"outlet", outlet}};
  // Each inbox mark, with the item states written in the same batch (levels column keys).
  struct mark {
    std::uint64_t seq = 0;
    std::vector<std::string> item_states;
  };
  std::vector<mark> marks;
  std::uint64_t webhooks = 0;
  spdlog::level::level_enum log_level;
  caf::actor_system_config sys_cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  router_actor router;
};

// 1. A webhook for a mapped identity reaches a new item actor, which reads and writes through
// the store links; the inbox entry is marked applied in the same batch as the item's state.
TEST_F(SyncPath, a_webhook_reaches_a_new_item_that_syncs_through_the_store_links_and_marks_the_inbox_with_its_state) {
  src->levels[{kSrcItem, kSrcLoc}] = 4; // a sale in the Source
  auto seq = source_webhook(4);
  settle();
  // No mapping yet: the event waits in the router (it is durable in the inbox), unapplied.
  EXPECT_FALSE(applied(seq));
  EXPECT_TRUE(dst->writes.empty());
  EXPECT_FALSE(live_item());

  publish(mapping_with(ctx.cfg, kDstItem));
  // The waiting hint spawned the identity's item (a new one: no state yet), which aligned
  // through the links: both levels read, the Destination set to the Source's level.
  EXPECT_EQ(src->reads_of(kSrcItem), 1u);
  EXPECT_GE(dst->reads_of(kDstItem), 1u);
  EXPECT_EQ(dst->level(kDstItem, kDstLoc), 4);
  EXPECT_EQ(src->level(kSrcItem, kSrcLoc), 4);
  EXPECT_TRUE(src->writes.empty()) << "a one-way group never writes its Source";
  ASSERT_EQ(dst->writes.size(), 1u);
  EXPECT_EQ(dst->writes[0].kind, write_kind::set);
  EXPECT_TRUE(dst->writes[0].applied);
  EXPECT_TRUE(live_item()) << "the item a webhook spawned stays until its idle timeout";

  // The inbox entry is applied, marked once, in the batch that persisted the item's state.
  EXPECT_TRUE(applied(seq));
  ASSERT_EQ(marks.size(), 1u);
  EXPECT_EQ(marks[0].seq, seq);
  EXPECT_EQ(marks[0].item_states, std::vector<std::string>{item_state_key(kGroup, kIdentity)})
    << "the inbox entry was marked without the item's state in the same batch";
  auto st = persisted();
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->idle());
  ASSERT_EQ(st->view().size(), 2u);
  for (auto& v : st->view())
    EXPECT_EQ(v.known, 4) << "store " << v.store;
}

// 2. Passivation: an idle item stops after its idle timeout (simulated time); the next webhook
// spawns a new actor that resumes from the persisted state without aligning again.
TEST_F(SyncPath, an_idle_item_is_passivated_and_a_later_webhook_revives_it_from_its_state_without_realigning) {
  aligned_and_quiet();
  src->levels[{kSrcItem, kSrcLoc}] = 4;
  source_webhook(4);
  settle();
  auto first = live_item();
  ASSERT_TRUE(first);
  ASSERT_EQ(dst->level(kDstItem, kDstLoc), 4);
  bool stopped = false;
  caf::actor_cast<caf::abstract_actor*>(*first)->attach_functor([&stopped] { stopped = true; });

  // Its first idle tick (one timeout after its start) still counts the webhook the router sent
  // in that interval; the next one finds a whole interval without a message and it leaves.
  // (Time goes in steps that end on each tick: the test clock fires a timer at the end of an
  // advance, and the item re-arms from there.)
  advance(ctx.item_idle_timeout);
  EXPECT_FALSE(stopped) << "passivated at its first tick, with the router's webhook in the interval";
  advance(ctx.item_idle_timeout - 1ms);
  EXPECT_FALSE(stopped) << "passivated before a whole idle interval";
  EXPECT_TRUE(live_item());
  advance(1ms);
  EXPECT_TRUE(stopped) << "not passivated after its idle timeout";
  EXPECT_FALSE(live_item()) << "the router still holds a passivated item";

  // Revival: a new actor, from the persisted state. Aligning would read the Destination's
  // level again; resuming does not: it writes the new level at once.
  const auto dst_reads = dst->reads_of(kDstItem);
  const auto dst_writes = dst->writes.size();
  src->levels[{kSrcItem, kSrcLoc}] = 3;
  auto seq = source_webhook(3);
  settle();
  auto second = live_item();
  ASSERT_TRUE(second);
  EXPECT_NE(second->address(), first->address());
  EXPECT_EQ(dst->reads_of(kDstItem), dst_reads) << "the revived item aligned again instead of resuming";
  ASSERT_EQ(dst->writes.size(), dst_writes + 1);
  EXPECT_EQ(dst->writes.back().entries.at(0).quantity, 3);
  EXPECT_EQ(dst->level(kDstItem, kDstLoc), 3);
  EXPECT_TRUE(applied(seq));
}

// 3. Remap: a new mapping moves the identity to another Destination variant; the live item
// takes the new layout, aligns it, and the old variant's level is never written again.
TEST_F(SyncPath, a_remap_moves_the_identity_to_another_variant_and_the_old_one_is_no_longer_written) {
  aligned_and_quiet();
  source_webhook(5); // the echo of nothing: it only makes the item live
  settle();
  auto before = live_item();
  ASSERT_TRUE(before);
  const auto old_writes = dst->writes_to(kDstItem);

  publish(mapping_with(ctx.cfg, kOtherDstItem));
  // The live item (the same actor: one actor holds an identity throughout) started its new
  // life: it read the new variant's level and aligned it.
  auto after = live_item();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->address(), before->address());
  EXPECT_GE(dst->reads_of(kOtherDstItem), 1u);
  EXPECT_EQ(dst->level(kOtherDstItem, kDstLoc), 5);

  src->levels[{kSrcItem, kSrcLoc}] = 2;
  source_webhook(2);
  settle();
  EXPECT_EQ(dst->level(kOtherDstItem, kDstLoc), 2) << "the new layout is not written";
  EXPECT_EQ(dst->level(kDstItem, kDstLoc), 5) << "the old variant is still written";
  EXPECT_EQ(dst->writes_to(kDstItem), old_writes);
  auto st = persisted();
  ASSERT_TRUE(st);
  ASSERT_EQ(st->layout().stores.size(), 2u);
  EXPECT_EQ(st->layout().stores[1].item, kOtherDstItem) << "the persisted state keeps the old layout";
}

// 4. Retry pacing: a throttled mutation goes out again (same batch, same idempotency key) only
// after the item's backoff: not before its fixed half, by its whole first step.
TEST_F(SyncPath, a_throttled_write_goes_out_again_only_after_the_backoff_in_simulated_time) {
  aligned_and_quiet();
  const auto before = dst->writes.size();
  dst->fail_writes.push_back(error{error_kind::admin_throttled, "THROTTLED, attempts exhausted"});
  src->levels[{kSrcItem, kSrcLoc}] = 4;
  source_webhook(4);
  settle();
  ASSERT_EQ(dst->writes.size(), before + 1);
  EXPECT_FALSE(dst->writes.back().applied);
  EXPECT_EQ(dst->level(kDstItem, kDstLoc), 5);
  const auto key = dst->writes.back().idempotency_key;

  // The first retry's delay is retry_base * (1/2 + jitter/2): at least 100 ms.
  advance(ctx.retry_base / 2 - 1ms);
  EXPECT_EQ(dst->writes.size(), before + 1) << "sent again before the backoff";
  advance(ctx.retry_base / 2 + 1ms);
  ASSERT_EQ(dst->writes.size(), before + 2) << "not sent again within the first backoff step";
  EXPECT_EQ(dst->writes.back().idempotency_key, key) << "a retry must carry the same idempotency key";
  EXPECT_TRUE(dst->writes.back().applied);
  EXPECT_EQ(dst->level(kDstItem, kDstLoc), 4);
  // Settled: nothing more goes out.
  advance(10s);
  EXPECT_EQ(dst->writes.size(), before + 2);
}

// The same with a 5xx (Shopify unavailable): the outcome is unknown, the batch is asked again
// under its key after the backoff, and a second failure doubles the step.
TEST_F(SyncPath, an_unavailable_store_is_retried_with_a_doubling_backoff) {
  aligned_and_quiet();
  const auto before = dst->writes.size();
  dst->fail_writes.push_back(error{error_kind::admin_unavailable, "HTTP 503"});
  dst->fail_writes.push_back(error{error_kind::admin_unavailable, "HTTP 503"});
  src->levels[{kSrcItem, kSrcLoc}] = 4;
  source_webhook(4);
  settle();
  ASSERT_EQ(dst->writes.size(), before + 1);
  // Simulated time moves a millisecond at a time: each gap is measured exactly.
  auto first_gap = until_writes(before + 2, 1s);
  auto second_gap = until_writes(before + 3, 1s);
  ASSERT_TRUE(first_gap && second_gap) << "not sent again";
  // retry n waits retry_base * 2^(n-1) * (1/2 + jitter/2).
  EXPECT_GE(*first_gap, ctx.retry_base / 2);
  EXPECT_LE(*first_gap, ctx.retry_base);
  EXPECT_GE(*second_gap, ctx.retry_base) << "the second retry did not back off longer";
  EXPECT_LE(*second_gap, 2 * ctx.retry_base);
  EXPECT_EQ(dst->writes.back().idempotency_key, dst->writes[before].idempotency_key);
  EXPECT_EQ(dst->level(kDstItem, kDstLoc), 4);
}

// The store link's batching window runs on the actor system's clock: a write waits for the
// window in simulated time. Its tick is armed 1 ms past the window's end (store_link_protocol's
// schedule), so the write goes out at 51 ms, not at 50.
TEST_F(SyncPath, the_store_links_batching_window_runs_on_simulated_time) {
  aligned_and_quiet();
  respawn_dst_link(50ms);
  const auto before = dst->writes.size();
  src->levels[{kSrcItem, kSrcLoc}] = 4;
  source_webhook(4);
  settle();
  EXPECT_EQ(dst->writes.size(), before) << "sent before the batching window";
  advance(50ms);
  EXPECT_EQ(dst->writes.size(), before) << "sent before the batching window's tick";
  advance(1ms);
  ASSERT_EQ(dst->writes.size(), before + 1) << "not sent at the batching window's tick";
  EXPECT_EQ(dst->level(kDstItem, kDstLoc), 4);
}

// The Source in two groups: "g" (to dst) and "h" (to outlet, item 4 at location 30).
class SyncPathTwoGroups : public SyncPath {
protected:
  SyncPathTwoGroups() {
    auto outlet_store = *ctx.cfg.find_store("dst");
    outlet_store.name = "outlet";
    outlet_store.shop_domain = "outlet.myshopify.com";
    ctx.cfg.stores.push_back(outlet_store);
    auto h = ctx.cfg.groups[0];
    h.name = "h";
    h.destinations = {"outlet"};
    ctx.cfg.groups.push_back(h);
    outlet->levels[{kOutletItem, kOutletLoc}] = 1;
  }

  group_mapping_ptr outlet_mapping() {
    catalog_match match;
    match.identities.push_back({kIdentity, {{"src", 100, 101, kSrcItem}, {"outlet", 400, 401, kOutletItem}}});
    store_locations src_locs{"src", {{kSrcLoc, "Warehouse"}}};
    std::vector<store_locations> outlet_locs{{"outlet", {{kOutletLoc, "Warehouse"}}}};
    return std::make_shared<const group_mapping>(*ctx.cfg.find_group("h"), std::move(match),
                                                 map_locations(src_locs, outlet_locs, true, {}));
  }

  static constexpr inventory_item_id kOutletItem = 4;
  static constexpr location_id kOutletLoc = 30;
};

// One webhook, two item actors (one per group): the entry is marked once, by the last of them
// to persist its state, in that state's batch; the first one's batch leaves it unmarked.
TEST_F(SyncPathTwoGroups, a_webhook_for_two_groups_is_marked_applied_once_by_the_last_item_to_persist) {
  caf::anon_send(router, mapping_atom::value, std::string("h"), outlet_mapping());
  publish(mapping_with(ctx.cfg, kDstItem));
  ASSERT_EQ(dst->level(kDstItem, kDstLoc), 5);
  ASSERT_EQ(outlet->level(kOutletItem, kOutletLoc), 5);
  ASSERT_TRUE(marks.empty());

  src->levels[{kSrcItem, kSrcLoc}] = 4;
  auto seq = source_webhook(4);
  settle();
  EXPECT_EQ(dst->level(kDstItem, kDstLoc), 4);
  EXPECT_EQ(outlet->level(kOutletItem, kOutletLoc), 4);
  EXPECT_TRUE(applied(seq));
  ASSERT_EQ(marks.size(), 1u) << "each item marked the entry: it was applied before every effect was recorded";
  ASSERT_EQ(marks[0].item_states.size(), 1u);
  const auto& key = marks[0].item_states[0];
  EXPECT_TRUE(key == item_state_key("g", kIdentity) || key == item_state_key("h", kIdentity)) << key;
}

// A reconcile round's reads (reconcile_hint: inbox_seq 0) of levels equal to the persisted state
// of an item at rest, with no live actor: the router drops them from that state, no item is
// loaded (no echo_dropped record of an item, no read); a level that differs still reaches a new
// item, which reads it and heals it.
TEST_F(SyncPath, reconcile_reads_equal_to_a_persisted_item_at_rest_load_no_item_and_a_differing_one_heals) {
  aligned_and_quiet();
  const auto before = persisted();
  ASSERT_TRUE(before);
  auto echo_records = [&] {
    auto q = audit->query({kIdentity, std::nullopt, 1000});
    EXPECT_TRUE(static_cast<bool>(q));
    std::size_t n = 0;
    for (auto& json : *q)
      n += json.find("\"echo_dropped\"") != std::string::npos;
    return n;
  };
  const auto echoes_before = echo_records();
  const auto src_reads = src->reads.size(), dst_reads = dst->reads.size();
  const auto dst_writes = dst->writes.size();
  auto reconcile_read = [&](const store_name& store, inventory_item_id item, location_id loc, std::int64_t v) {
    caf::anon_send(router, hint_atom::value, reconcile_hint{kGroup, kIdentity, store, item, loc, true, v, std::nullopt});
  };

  reconcile_read("src", kSrcItem, kSrcLoc, 5);
  reconcile_read("dst", kDstItem, kDstLoc, 5);
  settle();
  EXPECT_EQ(router_view().reconcile_echoes_dropped, 2u);
  EXPECT_EQ(echo_records(), echoes_before) << "an item was loaded to drop the echo";
  EXPECT_FALSE(live_item());
  EXPECT_EQ(src->reads.size(), src_reads);
  EXPECT_EQ(dst->reads.size(), dst_reads);
  auto after = persisted();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->encode(), before->encode());

  // A lost webhook: someone set the Destination to 2. The round's read differs: healed.
  dst->levels[{kDstItem, kDstLoc}] = 2;
  reconcile_read("dst", kDstItem, kDstLoc, 2);
  settle();
  advance(1s);
  EXPECT_EQ(router_view().reconcile_echoes_dropped, 2u);
  EXPECT_GT(dst->reads.size(), dst_reads) << "the differing level was not read";
  EXPECT_GT(dst->writes.size(), dst_writes);
  EXPECT_EQ(dst->level(kDstItem, kDstLoc), 5) << "the differing level was not healed";
}

// The same with times (a bulk round's reads carry each level's updatedAt): once the item knows
// when its levels held their values (a read's updatedAt, a write's createdAt +-1 s), a read
// equal to that value at a time not newer is still dropped without loading the item; one at a
// newer time is not (it moves the known time on, without a read), nor is a differing one
// (taken without a read when newer, read when the times cannot tell).
TEST_F(SyncPath, timed_reconcile_reads_equal_and_not_newer_than_the_known_time_load_no_item_newer_or_differing_ones_do) {
  constexpr shopify_time t0 = 1796450000; // the Source's last change before the mapping
  constexpr shopify_time t1 = 1796452800; // the Destination's alignment write
  src->updated[{kSrcItem, kSrcLoc}] = t0;
  dst->now = t1;
  aligned_and_quiet();
  const auto before = persisted();
  ASSERT_TRUE(before);
  for (auto& v : before->view()) {
    ASSERT_TRUE(v.known_at) << v.store;
    EXPECT_EQ(*v.known_at, v.store == "src" ? t0 : t1) << v.store;
    EXPECT_EQ(v.known_at_slack, v.store == "dst") << v.store;
  }
  // shopsyncctl item shows those times (UTC), the write's with its second of slack.
  {
    auto json = item_view();
    simdjson::dom::element v = view_parser->parse(json);
    for (simdjson::dom::element l : simdjson::dom::array(v["levels"])) {
      const bool s = std::string_view(l["store"]) == "src";
      EXPECT_EQ(std::string_view(l["known_at"]), s ? "2026-12-05T05:53:20Z" : "2026-12-05T06:40:00Z") << json;
      EXPECT_EQ(l["known_at_within_s"].error() ? 0 : std::int64_t(l["known_at_within_s"]), s ? 0 : 1) << json;
    }
  }
  advance(ctx.item_idle_timeout); // the item the view loaded leaves at its second idle tick
  advance(ctx.item_idle_timeout);
  ASSERT_FALSE(live_item());
  const auto src_reads = src->reads.size(), dst_reads = dst->reads.size();
  auto reconcile_read = [&](const store_name& store, std::int64_t v, std::optional<shopify_time> at) {
    const bool s = store == "src";
    caf::anon_send(router, hint_atom::value,
                   reconcile_hint{kGroup, kIdentity, store, s ? kSrcItem : kDstItem, s ? kSrcLoc : kDstLoc, true, v, at});
  };

  // Equal values at the known second, at an older one, and within the write's second of slack.
  reconcile_read("src", 5, t0);
  reconcile_read("src", 5, t0 - 60);
  reconcile_read("dst", 5, t1);
  reconcile_read("dst", 5, t1 + 1);
  settle();
  EXPECT_EQ(router_view().reconcile_echoes_dropped, 4u);
  EXPECT_FALSE(live_item());
  EXPECT_EQ(persisted()->encode(), before->encode());

  // Equal, but newer than the known second (beyond the slack): the item takes the new second,
  // without reading.
  reconcile_read("dst", 5, t1 + 2);
  settle();
  EXPECT_EQ(router_view().reconcile_echoes_dropped, 4u);
  for (auto& v : persisted()->view())
    if (v.store == "dst") {
      EXPECT_EQ(v.known_at, t1 + 2);
      EXPECT_FALSE(v.known_at_slack);
    }
  EXPECT_EQ(dst->reads.size(), dst_reads);
  advance(ctx.item_idle_timeout);
  ASSERT_FALSE(live_item());

  // A lost webhook of a newer change at the Source: taken as a change by others without a read,
  // and carried to the Destination.
  src->levels[{kSrcItem, kSrcLoc}] = 3;
  src->updated[{kSrcItem, kSrcLoc}] = t1 + 10;
  dst->now = t1 + 11;
  reconcile_read("src", 3, t1 + 10);
  settle();
  advance(1s);
  EXPECT_EQ(router_view().reconcile_echoes_dropped, 4u);
  EXPECT_EQ(src->reads.size(), src_reads) << "a newer value is taken without a read";
  EXPECT_EQ(dst->level(kDstItem, kDstLoc), 3) << "the newer Source value was not carried";
  advance(ctx.item_idle_timeout);
  ASSERT_FALSE(live_item());

  // A different value at the known second (two changes in one second cannot be ordered): read,
  // and healed.
  dst->levels[{kDstItem, kDstLoc}] = 7;
  reconcile_read("dst", 7, t1 + 11);
  settle();
  advance(1s);
  EXPECT_EQ(router_view().reconcile_echoes_dropped, 4u);
  EXPECT_GT(dst->reads.size(), dst_reads) << "the differing level was not read";
  EXPECT_EQ(dst->level(kDstItem, kDstLoc), 3) << "the differing level was not healed";
  advance(ctx.item_idle_timeout);
  ASSERT_FALSE(live_item());

  // Without a time, the known value would make the item forget its known time: not dropped.
  reconcile_read("src", 3, std::nullopt);
  settle();
  EXPECT_EQ(router_view().reconcile_echoes_dropped, 4u);
  for (auto& v : persisted()->view())
    if (v.store == "src")
      EXPECT_FALSE(v.known_at) << "the untimed echo did not reach the item";
  auto json = item_view();
  simdjson::dom::element view = view_parser->parse(json);
  EXPECT_TRUE(view["levels"].at(0)["known_at"].is_null()) << "an unknown time is shown as null: " << json;
}

} // namespace
} // namespace shopsync
