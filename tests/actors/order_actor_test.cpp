// The order actor against the real shopify-sim: the Source's real store_link (its generic
// execute, over admin_client and loopback HTTP) and a real RocksDB in a temp dir. One test uses
// an in-test fake executor to watch persist-before-execute.
#include "actors/actor_config.hpp"
#include "actors/order_actor.hpp"
#include "actors/order_path.hpp"
#include "actors/order_queries.hpp"
#include "actors/store_link.hpp"
#include "io/io_threads.hpp"
#include "io/order_api.hpp"
#include "sim/sim_fixture.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace shopsync;
using namespace std::chrono_literals;
namespace t = shopsync::testing;

namespace {

constexpr const char* source_shop = "alpha.myshopify.com";
constexpr variant_id dest_shirt_s = 45012345678901, dest_mug = 45012345678902,
                     dest_unmapped = 45012345678999;

// --- domain events as the intake would produce them

mailing_address address() {
  mailing_address a;
  a.first_name = "Jane";
  a.last_name = "Doe";
  a.address1 = "1 Main St";
  a.city = "Springfield";
  a.province_code = "IL";
  a.zip = "62701";
  a.country_code = "US";
  return a;
}

order_line line(shopify_id id, variant_id v, std::int64_t q, std::string price, std::string sku) {
  order_line l;
  l.line_id = id;
  l.variant = v;
  l.title = sku;
  l.sku = std::move(sku);
  l.quantity = q;
  l.price = std::move(price);
  return l;
}

order_created paid_order(order_id id, std::vector<order_line> lines) {
  order_created o;
  o.id = id;
  o.name = "#" + std::to_string(id % 10000);
  o.email = "jane@example.com";
  o.financial_status = "paid";
  o.currency = "USD";
  o.source_name = "web";
  o.app_id = 1; // the Destination's storefront, not us
  o.customer = customer_ref{7012345678901, "jane@example.com", "Jane", "Doe"};
  o.shipping_address = address();
  o.lines = std::move(lines);
  return o;
}

draft_order_changed draft(draft_order_id id, std::string status, std::int64_t quantity,
                          std::string updated_at, bool created) {
  draft_order_changed d;
  d.id = id;
  d.created = created;
  d.name = "#D17";
  d.status = std::move(status);
  d.email = "jane@example.com";
  d.currency = "USD";
  d.api_client_id = 1;
  d.shipping_address = address();
  d.lines = {line(57012345678901, dest_shirt_s, quantity, "29.99", "SHIRT-S")};
  d.updated_at = std::move(updated_at);
  if (d.status == "completed")
    d.completed_order = 5822345678901;
  return d;
}

// --- the fixture: sim + admin_client + RocksDB + CAF

struct order_fixture {
  t::sim_process sim;
  t::temp_dir dir{"order-actor"};
  std::unique_ptr<state_store> store;
  std::unique_ptr<audit_log> audit;
  io_threads io{1};
  actor_config cfg{2};
  caf::actor_system sys{cfg};
  store_link_actor link;
  std::map<variant_id, variant_id> mapping;
  std::mutex mapping_mu;
  std::mutex inbox_mu;
  std::set<std::uint64_t> inbox_applied;

  explicit order_fixture(std::vector<std::string> sim_args = {})
      : sim(t::small_scenario(), std::move(sim_args)) {
    auto s = state_store::open({dir.str() + "/db", false, true});
    if (!s)
      throw std::runtime_error(s.error().message);
    store = std::move(*s);
    audit = std::make_unique<audit_log>(*store);
    store_link_options o;
    o.store.name = "source";
    o.store.shop_domain = source_shop;
    o.store.role = store_role::source;
    o.store.base_url = "http://127.0.0.1:" + std::to_string(sim.port());
    o.store.access_token = "shpat_alpha";
    o.io = &io.context();
    o.db = store.get();
    o.client.connect_timeout = 1s;
    o.client.read_timeout = 1s; // a lost answer becomes admin.uncertain quickly
    o.client.backoff = {20ms, 100ms, 2.0, 3};
    o.client.jitter = [] { return 0.5; };
    link = spawn_store_link(sys, o);
    mapping[dest_shirt_s] = sim.ids(source_shop, "SHIRT-S").first;
    mapping[dest_mug] = sim.ids(source_shop, "MUG").first;
  }
  ~order_fixture() {
    caf::anon_send_exit(link, caf::exit_reason::user_shutdown);
  }

  order_actor_env env() {
    order_actor_env e;
    e.store = store.get();
    e.audit = audit.get();
    e.jitter = [] { return 0.0; };
    e.request_timeout = 10s;
    e.mark_inbox_applied = [this](state_store::batch& b, std::uint64_t seq) {
      b.put(column::inbox, "applied/" + std::to_string(seq), "1");
      std::lock_guard lock(inbox_mu);
      inbox_applied.insert(seq);
    };
    return e;
  }
  order_group_env group(sync_strategy strategy, bool send_invoice = false) {
    order_group_env g;
    g.group = "eu";
    g.settings.strategy = strategy;
    g.settings.app_id = 580111;
    g.settings.options.send_invoice = send_invoice;
    g.settings.options.name_prefix = "EU-";
    g.settings.retry.base_delay = 20ms;
    g.settings.retry.max_delay = 200ms;
    g.settings.retry.lookup_delay = 50ms;
    g.settings.retry.max_attempts = 5;
    // The simulator's search shows an order at once unless search_lag_ms says otherwise: a
    // short window keeps the tests of a re-create after an uncertain failure quick.
    g.settings.options.lookup_window = 1s;
    g.source = link;
    g.resolve = [this](const store_name& dest, variant_id v) -> std::optional<variant_id> {
      if (dest != "dest")
        return std::nullopt;
      std::lock_guard lock(mapping_mu);
      auto it = mapping.find(v);
      if (it == mapping.end())
        return std::nullopt;
      return it->second;
    };
    return g;
  }
  order_key key(order_doc_kind kind, shopify_id id) { return {"eu", "dest", kind, id}; }
  order_actor spawn(sync_strategy s, order_doc_kind kind, shopify_id id, bool invoice = false) {
    return spawn_order_actor(sys, env(), group(s, invoice), key(kind, id),
                             {"dest", "dest.myshopify.com"});
  }

  std::optional<order_sync> persisted(order_doc_kind kind, shopify_id id) {
    auto v = store->get(column::orders, order_state_key(key(kind, id)));
    if (!v || !*v)
      return std::nullopt;
    auto m = order_sync::decode(**v, order_sync_settings{});
    if (!m)
      return std::nullopt;
    return std::move(*m);
  }
  // Waits (bounded) until the persisted state is in `phase`; returns it.
  std::optional<order_sync> wait_phase(order_doc_kind kind, shopify_id id, order_phase phase,
                                       std::chrono::milliseconds limit = 20s) {
    auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto m = persisted(kind, id);
      if (m && m->state().phase == phase)
        return m;
      if (std::chrono::steady_clock::now() > until) {
        ADD_FAILURE() << "state never reached " << to_string(phase) << "; it is "
                      << (m ? to_string(m->state().phase) : "absent");
        return m;
      }
      std::this_thread::sleep_for(20ms);
    }
  }
  // Blocks until the actor has quit (it quits when the order is at rest).
  void wait_quit(const order_actor& a) {
    caf::scoped_actor self{sys};
    self->monitor(a);
    bool down = false;
    self->receive([&](caf::down_msg&) { down = true; }, caf::after(20s) >> [] {});
    EXPECT_TRUE(down) << "the order actor did not quit";
  }

  std::unique_ptr<t::json_doc> source_state() { return sim.get(std::string("/_sim/state?store=") + source_shop + "&variants=0"); }
  std::size_t calls(const std::string& op) {
    return sim.get(std::string("/_sim/log?store=") + source_shop + "&operation=" + op)->size("/calls");
  }
};

std::size_t orders_with_marker(t::json_doc& st, const std::string& marker) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < st.size("/orders"); ++i) {
    auto p = "/orders/" + std::to_string(i) + "/source_identifier";
    if (!st.is_null(p) && st.str(p) == marker)
      ++n;
  }
  return n;
}

} // namespace

TEST(order_actor_sim, order_is_created_once_with_duplicated_orders_create) {
  order_fixture fx;
  const order_id id = 5812345678901;
  auto ev = paid_order(id, {line(14012345678901, dest_shirt_s, 2, "29.99", "SHIRT-S")});
  auto a = fx.spawn(sync_strategy::order, order_doc_kind::order, id);
  caf::anon_send(a, order_event{11, ev});
  caf::anon_send(a, order_event{12, ev}); // a second delivery while the create is in flight
  fx.wait_quit(a);
  auto m = fx.wait_phase(order_doc_kind::order, id, order_phase::created);
  ASSERT_TRUE(m && m->state().source_id);

  // a third delivery after the actor quit: the router spawns it again, the state says created
  auto again = fx.spawn(sync_strategy::order, order_doc_kind::order, id);
  caf::anon_send(again, order_event{13, ev});
  fx.wait_quit(again);

  auto st = fx.source_state();
  ASSERT_EQ(orders_with_marker(*st, "dest.myshopify.com/5812345678901"), 1u) << st->dump();
  EXPECT_EQ(fx.calls("OrderCreate"), 1u);
  EXPECT_EQ(st->num("/orders/0/id"), static_cast<std::int64_t>(*m->state().source_id));
  EXPECT_EQ(st->str("/orders/0/name"), "EU-" + ev.name);
  EXPECT_NE(st->str("/orders/0/tags").find("shopsync-origin:dest.myshopify.com:5812345678901"), std::string::npos);
  EXPECT_EQ(st->num("/orders/0/line_items/0/variant_id"), static_cast<std::int64_t>(fx.mapping[dest_shirt_s]));
  EXPECT_EQ(st->num("/orders/0/line_items/0/quantity"), 2);
  std::lock_guard lock(fx.inbox_mu);
  EXPECT_EQ(fx.inbox_applied, (std::set<std::uint64_t>{11, 12, 13})) << "every delivery is marked applied";
  auto applied = fx.store->get(column::inbox, "applied/11");
  ASSERT_TRUE(applied && *applied);
}

TEST(order_actor_sim, a_5xx_on_order_create_is_retried_without_a_duplicate) {
  order_fixture fx;
  fx.sim.post("/_sim/faults", R"({"error_next":2,"error_status":503,"operations":["OrderCreate"]})");
  const order_id id = 5812345678902;
  auto a = fx.spawn(sync_strategy::order, order_doc_kind::order, id);
  caf::anon_send(a, order_event{0, paid_order(id, {line(1, dest_mug, 1, "9.99", "MUG")})});
  fx.wait_quit(a);
  auto m = fx.wait_phase(order_doc_kind::order, id, order_phase::created);
  ASSERT_TRUE(m);
  EXPECT_GE(fx.calls("OrderCreate"), 2u) << "the 503s were seen, then a create went through";
  auto st = fx.source_state();
  EXPECT_EQ(orders_with_marker(*st, "dest.myshopify.com/5812345678902"), 1u) << st->dump();
  EXPECT_FALSE(m->state().last_error.has_value() && m->state().phase != order_phase::created);
}

TEST(order_actor_sim, applied_but_never_answered_is_found_by_lookup_not_created_again) {
  order_fixture fx;
  fx.sim.post("/_sim/faults", R"({"lost_next":1,"lost_mode":"hang","operations":["OrderCreate"]})");
  const order_id id = 5812345678903;
  auto a = fx.spawn(sync_strategy::order, order_doc_kind::order, id);
  caf::anon_send(a, order_event{0, paid_order(id, {line(1, dest_shirt_s, 1, "29.99", "SHIRT-S")})});
  fx.wait_quit(a);
  auto m = fx.wait_phase(order_doc_kind::order, id, order_phase::created);
  ASSERT_TRUE(m && m->state().source_id);
  EXPECT_EQ(fx.calls("OrderCreate"), 1u) << "never sent twice";
  EXPECT_GE(fx.calls("OrdersByOrigin"), 1u);
  auto st = fx.source_state();
  ASSERT_EQ(orders_with_marker(*st, "dest.myshopify.com/5812345678903"), 1u) << st->dump();
  EXPECT_EQ(st->num("/orders/0/id"), static_cast<std::int64_t>(*m->state().source_id))
    << "the id found by the lookup is the one the lost create made";
  auto detail = order_detail_json(*fx.store, fx.audit.get(), "dest", id);
  ASSERT_TRUE(detail);
  EXPECT_NE(detail->find("found_existing"), std::string::npos) << *detail;
}

TEST(order_actor_sim, unmapped_lines_are_reported_and_a_retry_creates_once_mapped) {
  order_fixture fx;
  // one line maps, one does not: created with the one, the other named
  const order_id partial = 5812345678904;
  auto a = fx.spawn(sync_strategy::order, order_doc_kind::order, partial);
  caf::anon_send(a, order_event{0, paid_order(partial, {line(1, dest_shirt_s, 1, "29.99", "SHIRT-S"),
                                                         line(2, dest_unmapped, 3, "5.00", "NOPE-1")})});
  fx.wait_quit(a);
  auto m = fx.wait_phase(order_doc_kind::order, partial, order_phase::created);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->state().unmapped.size(), 1u);
  auto st = fx.source_state();
  EXPECT_EQ(st->size("/orders/0/line_items"), 1u);

  // no line maps: needs attention, nothing sent
  const order_id none = 5812345678905;
  auto b = fx.spawn(sync_strategy::order, order_doc_kind::order, none);
  caf::anon_send(b, order_event{0, paid_order(none, {line(1, dest_unmapped, 1, "5.00", "NOPE-1")})});
  fx.wait_quit(b);
  fx.wait_phase(order_doc_kind::order, none, order_phase::needs_attention);
  EXPECT_EQ(fx.calls("OrderCreate"), 1u);

  auto list = orders_json(*fx.store, {std::nullopt, true});
  ASSERT_TRUE(list);
  EXPECT_NE(list->find("\"count\":2"), std::string::npos) << *list;
  EXPECT_NE(list->find("NOPE-1"), std::string::npos) << *list;
  auto needing = orders_json(*fx.store, {order_phase::needs_attention, false});
  ASSERT_TRUE(needing);
  EXPECT_NE(needing->find("\"count\":1"), std::string::npos) << *needing;
  EXPECT_NE(needing->find("5812345678905"), std::string::npos) << *needing;
  auto detail = order_detail_json(*fx.store, fx.audit.get(), "dest", partial);
  ASSERT_TRUE(detail);
  EXPECT_NE(detail->find("\"kind\":\"unmapped_line\""), std::string::npos) << *detail;
  EXPECT_FALSE(order_detail_json(*fx.store, fx.audit.get(), "dest", 1));

  // the mapping learns the variant; shopsyncctl retry resumes the order
  {
    std::lock_guard lock(fx.mapping_mu);
    fx.mapping[dest_unmapped] = fx.sim.ids(source_shop, "SHIRT-M").first;
  }
  auto k = find_order_key(*fx.store, "dest", none);
  ASSERT_TRUE(k);
  auto c = spawn_order_actor(fx.sys, fx.env(), fx.group(sync_strategy::order), *k, {"dest", "dest.myshopify.com"});
  caf::scoped_actor self{fx.sys};
  std::string reply;
  self->request(c, 10s, order_retry_atom::value)
    .receive([&](std::string& s) { reply = s; }, [&](caf::error& e) { reply = fx.sys.render(e); });
  EXPECT_EQ(reply, "creating");
  fx.wait_quit(c);
  fx.wait_phase(order_doc_kind::order, none, order_phase::created);
  st = fx.source_state();
  EXPECT_EQ(orders_with_marker(*st, "dest.myshopify.com/5812345678905"), 1u) << st->dump();
}

TEST(order_actor_sim, draft_is_created_invoiced_updated_and_completion_recorded) {
  order_fixture fx;
  const draft_order_id id = 1123456789012;
  auto a = fx.spawn(sync_strategy::draft_order, order_doc_kind::draft_order, id, true);
  caf::anon_send(a, order_event{0, draft(id, "open", 2, "2025-03-14T10:25:00-04:00", true)});
  fx.wait_quit(a);
  auto m = fx.wait_phase(order_doc_kind::draft_order, id, order_phase::created);
  ASSERT_TRUE(m && m->state().source_id);
  EXPECT_TRUE(m->state().invoice_sent);
  auto st = fx.source_state();
  ASSERT_EQ(st->size("/draft_orders"), 1u) << st->dump();
  EXPECT_EQ(st->num("/draft_orders/0/id"), static_cast<std::int64_t>(*m->state().source_id));
  EXPECT_EQ(st->str("/draft_orders/0/status"), "invoice_sent") << st->dump();
  EXPECT_EQ(fx.calls("DraftOrderInvoiceSend"), 1u);

  // draft_orders/update in the Destination: the same Source draft is updated
  auto b = fx.spawn(sync_strategy::draft_order, order_doc_kind::draft_order, id, true);
  caf::anon_send(b, order_event{0, draft(id, "open", 3, "2025-03-14T10:40:00-04:00", false)});
  fx.wait_quit(b);
  EXPECT_EQ(fx.calls("DraftOrderUpdate"), 1u);
  st = fx.source_state();
  ASSERT_EQ(st->size("/draft_orders"), 1u) << st->dump();
  EXPECT_EQ(st->num("/draft_orders/0/line_items/0/quantity"), 3) << st->dump();

  // completed in the Destination: recorded, nothing created or updated
  auto c = fx.spawn(sync_strategy::draft_order, order_doc_kind::draft_order, id, true);
  caf::anon_send(c, order_event{0, draft(id, "completed", 3, "2025-03-14T11:00:01-04:00", false)});
  fx.wait_quit(c);
  fx.wait_phase(order_doc_kind::draft_order, id, order_phase::completed_in_destination);
  EXPECT_EQ(fx.calls("DraftOrderCreate"), 1u);
  EXPECT_EQ(fx.calls("DraftOrderUpdate"), 1u);
  st = fx.source_state();
  EXPECT_EQ(st->size("/draft_orders"), 1u);
  EXPECT_EQ(st->size("/orders"), 0u) << "the draft is not turned into an order by shopsync";
}

TEST(order_actor_sim, resume_after_a_crash_mid_create_finds_the_applied_order) {
  order_fixture fx;
  // The daemon persisted `creating`, sent orderCreate, the Source applied it, then the daemon died.
  const order_id id = 5812345678906;
  auto g = fx.group(sync_strategy::order);
  order_sync m(g.settings, {"dest", "dest.myshopify.com"});
  variant_resolver resolver = [&](variant_id v) { return g.resolve("dest", v); };
  auto out = m.on_order_created(paid_order(id, {line(1, dest_mug, 2, "9.99", "MUG")}), resolver,
                                std::chrono::system_clock::now());
  ASSERT_TRUE(out.command && std::holds_alternative<order_cmd::create_order>(*out.command));
  ASSERT_TRUE(fx.store->put(column::orders, order_state_key(fx.key(order_doc_kind::order, id)), m.encode()));
  auto call = make_call(std::get<order_cmd::create_order>(*out.command));
  ASSERT_EQ(fx.sim.admin(source_shop, "shpat_alpha", call.operation, call.variables_json).status, 200);
  // a second order still waiting for its retry timer, and one at rest (not resumed)
  const order_id waiting = 5812345678907;
  order_sync w(g.settings, {"dest", "dest.myshopify.com"});
  out = w.on_order_created(paid_order(waiting, {line(1, dest_mug, 1, "9.99", "MUG")}), resolver,
                           std::chrono::system_clock::now());
  out = w.failed(w.state().seq, {order_failure_kind::transient, {error_kind::admin_unavailable, "503"}}, 0.0,
                 std::chrono::system_clock::now());
  ASSERT_EQ(w.state().phase, order_phase::retry_wait);
  ASSERT_TRUE(fx.store->put(column::orders, order_state_key(fx.key(order_doc_kind::order, waiting)), w.encode()));
  ASSERT_TRUE(fx.store->put(column::orders, "o/eu/dest/order/1", order_sync(g.settings, {"dest", "d"}).encode()));

  std::vector<order_actor> resumed;
  auto n = resume_orders(fx.sys, fx.env(),
                         [&](const std::string& group) -> std::optional<order_group_env> {
                           if (group == "eu")
                             return fx.group(sync_strategy::order);
                           return std::nullopt;
                         },
                         [&](const order_key&, const order_actor& a) { resumed.push_back(a); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2u);
  for (auto& a : resumed)
    fx.wait_quit(a);
  auto done = fx.wait_phase(order_doc_kind::order, id, order_phase::created);
  fx.wait_phase(order_doc_kind::order, waiting, order_phase::created);
  auto st = fx.source_state();
  EXPECT_EQ(orders_with_marker(*st, "dest.myshopify.com/5812345678906"), 1u) << st->dump();
  EXPECT_EQ(orders_with_marker(*st, "dest.myshopify.com/5812345678907"), 1u) << st->dump();
  EXPECT_EQ(fx.calls("OrderCreate"), 2u) << "the crashed create is not sent again";
  ASSERT_TRUE(done && done->state().source_id);
}

// --- against an in-test fake executor

namespace {
struct fake_state {
  state_store* store = nullptr;
  std::string key;
  std::vector<std::string> phases_seen; // persisted phase when each call arrived
  std::vector<std::string> operations;
};
graphql_executor_actor::behavior_type fake_link(graphql_executor_actor::stateful_pointer<fake_state> self,
                                                state_store* store, std::string key,
                                                std::shared_ptr<std::vector<std::string>> log) {
  self->state.store = store;
  self->state.key = std::move(key);
  return {[self, log](execute_atom, graphql_request& r) -> graphql_answer {
    auto v = self->state.store->get(column::orders, self->state.key);
    std::string phase = "absent";
    if (v && *v)
      if (auto m = order_sync::decode(**v, order_sync_settings{}))
        phase = to_string(m->state().phase);
    log->push_back(r.operation + "@" + phase);
    graphql_answer a;
    a.ok = true;
    if (r.operation == "OrderCreate")
      a.body = R"({"data":{"orderCreate":{"order":null,"userErrors":[{"code":"INVALID","field":["order","email"],"message":"Email is invalid"}]}}})";
    else
      a.body = R"({"data":{"orders":{"nodes":[]}}})";
    return a;
  }};
}
} // namespace

TEST(order_actor_fake, state_is_persisted_before_each_call_and_user_errors_need_attention) {
  t::temp_dir dir("order-actor-fake");
  auto store = state_store::open({dir.str() + "/db", false, true});
  ASSERT_TRUE(store);
  actor_config cfg{2};
  caf::actor_system sys{cfg};
  order_key key{"eu", "dest", order_doc_kind::order, 77};
  auto log = std::make_shared<std::vector<std::string>>();
  auto link = sys.spawn(fake_link, store->get(), order_state_key(key), log);
  order_actor_env env;
  env.store = store->get();
  env.jitter = [] { return 0.0; };
  order_group_env g;
  g.group = "eu";
  g.settings.app_id = 580111;
  g.settings.retry.base_delay = 10ms;
  g.settings.retry.lookup_delay = 10ms;
  g.source = link;
  g.resolve = [](const store_name&, variant_id) { return std::optional<variant_id>(42); };
  auto a = spawn_order_actor(sys, env, g, key, {"dest", "dest.myshopify.com"});
  caf::anon_send(a, order_event{0, paid_order(77, {line(1, 5, 1, "1.00", "X")})});
  {
    caf::scoped_actor self{sys};
    self->monitor(a);
    self->receive([](caf::down_msg&) {}, caf::after(20s) >> [] { ADD_FAILURE() << "no quit"; });
  }
  ASSERT_GE(log->size(), 2u);
  for (const auto& entry : *log)
    EXPECT_EQ(entry, "OrderCreate@creating") << "every create is sent after `creating` is on disk";
  auto v = (*store)->get(column::orders, order_state_key(key));
  ASSERT_TRUE(v && *v);
  auto m = order_sync::decode(**v, order_sync_settings{});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->state().phase, order_phase::needs_attention);
  ASSERT_TRUE(m->state().last_error);
  EXPECT_EQ(m->state().last_error->code, "shopify.user_errors");
  EXPECT_NE(m->state().last_error->message.find("Email is invalid"), std::string::npos);
  caf::anon_send_exit(link, caf::exit_reason::user_shutdown);
}

TEST(order_actor_keys, state_keys_round_trip_and_junk_is_refused) {
  order_key k{"eu-group", "dest_a", order_doc_kind::draft_order, 1123456789012};
  EXPECT_EQ(order_state_key(k), "o/eu-group/dest_a/draft_order/1123456789012");
  auto back = parse_order_key(order_state_key(k));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->group, k.group);
  EXPECT_EQ(back->store, k.store);
  EXPECT_EQ(back->kind, k.kind);
  EXPECT_EQ(back->id, k.id);
  for (const char* junk : {"", "o/", "o/g/s/order/", "o/g/s/invoice/1", "o/g/order/1", "x/g/s/order/1",
                           "o/g/s/order/12x", "o//s/order/1"})
    EXPECT_FALSE(parse_order_key(junk)) << junk;
  EXPECT_FALSE(order_at_rest(order_phase::creating));
  EXPECT_FALSE(order_at_rest(order_phase::retry_wait));
  EXPECT_TRUE(order_at_rest(order_phase::created));
  EXPECT_TRUE(order_at_rest(order_phase::needs_attention));
}

// --- the order path (what the router and the control actor call)

namespace {
group_mapping_ptr mapping_for(const group_config& g, const std::map<variant_id, variant_id>& dest_to_source,
                              const store_name& dest) {
  catalog_match m;
  for (auto [d, s] : dest_to_source) {
    identity_mapping id;
    id.key = "sku:" + std::to_string(s);
    id.stores.push_back({g.source, 1, s, 1});
    id.stores.push_back({dest, 2, d, 2});
    m.identities.push_back(id);
  }
  return std::make_shared<const group_mapping>(g, m, location_mapping{});
}

webhook_envelope envelope(std::string topic, std::string shop, webhook_event ev, std::string id) {
  webhook_envelope e;
  e.topic = std::move(topic);
  e.shop_domain = std::move(shop);
  e.webhook_id = std::move(id);
  e.event = std::move(ev);
  return e;
}
} // namespace

TEST(order_path_sim, routes_by_group_waits_for_the_mapping_and_never_duplicates) {
  order_fixture fx;
  config cfg;
  cfg.daemon.app_id = 580111;
  cfg.stores = {{"source", source_shop, store_role::source}, {"dest", "dest.myshopify.com"},
                {"dest2", "dest2.myshopify.com"}};
  group_config orders_group{"eu-orders", "source", {"dest"}, sync_strategy::order};
  group_config drafts_group{"eu-drafts", "source", {"dest2"}, sync_strategy::draft_order};
  orders_group.orders.name_prefix = "EU-";
  cfg.groups = {orders_group, drafts_group};
  order_path_options po;
  po.cfg = cfg;
  po.env = fx.env();
  po.link = [&](const store_name& s) -> std::optional<graphql_executor_actor> {
    if (s == "source")
      return graphql_executor_actor{fx.link};
    return std::nullopt;
  };
  po.retry.base_delay = 20ms;
  po.retry.lookup_delay = 50ms;
  order_path path(fx.sys, po);

  const order_id id = 5812345678911;
  auto order_env = envelope("orders/create", "dest.myshopify.com",
                            paid_order(id, {line(1, dest_shirt_s, 2, "29.99", "SHIRT-S")}), "w1");
  EXPECT_FALSE(path.dispatch(21, order_env, cfg.stores[1])) << "no mapping yet: stays in the inbox";
  path.set_mapping("eu-orders", mapping_for(orders_group, fx.mapping, "dest"));
  path.set_mapping("eu-drafts", mapping_for(drafts_group, fx.mapping, "dest2"));
  EXPECT_TRUE(path.dispatch(21, order_env, cfg.stores[1]));
  EXPECT_TRUE(path.dispatch(22, order_env, cfg.stores[1])); // duplicated delivery
  EXPECT_TRUE(path.dispatch(0, envelope("inventory_levels/update", "dest.myshopify.com",
                                        inventory_level_changed{}, "w3"), cfg.stores[1]))
    << "not an order topic: nothing to do";
  auto wait_key = [&](const std::string& key, std::function<bool(const order_sync_state&)> pred) -> bool {
    auto until = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < until) {
      auto v = fx.store->get(column::orders, key);
      if (v && *v)
        if (auto d = order_sync::decode(**v, order_sync_settings{}); d.ok() && pred(d.value().state()))
          return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  };
  ASSERT_TRUE(wait_key(order_state_key({"eu-orders", "dest", order_doc_kind::order, id}),
                       [](const order_sync_state& s) -> bool { return s.phase == order_phase::created; }));
  EXPECT_EQ(parse_order_key(order_state_key({"eu-orders", "dest", order_doc_kind::order, id}))->group, "eu-orders");
  auto in_group = fx.store->get(column::orders, order_state_key({"eu-orders", "dest", order_doc_kind::order, id}));
  ASSERT_TRUE(in_group && *in_group) << "the state is kept under the group that owns it";

  // a draft of dest2: created, then updated after its actor quit (a fresh actor takes it)
  const draft_order_id did = 1123456789077;
  EXPECT_TRUE(path.dispatch(23, envelope("draft_orders/create", "dest2.myshopify.com",
                                         draft(did, "open", 1, "2025-03-14T10:25:00-04:00", true), "w4"),
                            cfg.stores[2]));
  auto dkey = order_state_key({"eu-drafts", "dest2", order_doc_kind::draft_order, did});
  ASSERT_TRUE(wait_key(dkey, [](const order_sync_state& s) -> bool { return s.phase == order_phase::created; }));
  auto until = std::chrono::steady_clock::now() + 20s;
  while (path.running() > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(path.running(), 0u) << "actors quit at rest";
  EXPECT_TRUE(path.dispatch(24, envelope("draft_orders/update", "dest2.myshopify.com",
                                         draft(did, "open", 4, "2025-03-14T10:50:00-04:00", false), "w5"),
                            cfg.stores[2]));
  ASSERT_TRUE(wait_key(dkey, [](const order_sync_state& s) -> bool {
    return s.phase == order_phase::created && !s.lines.empty() && s.lines[0].quantity == 4;
  }));
  auto st = fx.source_state();
  EXPECT_EQ(orders_with_marker(*st, "dest.myshopify.com/5812345678911"), 1u) << st->dump();
  ASSERT_EQ(st->size("/draft_orders"), 1u) << st->dump();
  until = std::chrono::steady_clock::now() + 20s;
  while (fx.calls("DraftOrderUpdate") < 1 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  st = fx.source_state();
  EXPECT_EQ(st->num("/draft_orders/0/line_items/0/quantity"), 4) << st->dump();
  std::lock_guard lock(fx.inbox_mu);
  EXPECT_TRUE(fx.inbox_applied.count(21) && fx.inbox_applied.count(22) && fx.inbox_applied.count(24));

  // shopsyncctl retry of an order that is not in needs_attention changes nothing
  auto a = path.actor_for("dest", id);
  ASSERT_TRUE(a);
  caf::scoped_actor self{fx.sys};
  std::string reply;
  self->request(*a, 10s, order_retry_atom::value)
    .receive([&](std::string& s) { reply = s; }, [&](caf::error& e) { reply = fx.sys.render(e); });
  EXPECT_EQ(reply, "created");
  EXPECT_FALSE(path.actor_for("dest", 42));
}

TEST(order_queries, control_commands_list_filter_and_detail_from_the_store) {
  t::temp_dir dir("order-queries");
  auto opened = state_store::open({dir.str() + "/db", false, true});
  ASSERT_TRUE(opened);
  auto& store = **opened;
  audit_log audit(store);
  order_sync_settings settings;
  settings.app_id = 580111;
  const auto now = std::chrono::system_clock::now();
  variant_resolver none = [](variant_id) { return std::optional<variant_id>(); };
  variant_resolver all = [](variant_id v) { return std::optional<variant_id>(v + 1); };
  auto save = [&](const order_sync& m, const order_output& out, shopify_id id) {
    state_store::batch b;
    b.put(column::orders, order_state_key({"eu", "dest", order_doc_kind::order, id}), m.encode());
    for (auto& a : out.audit)
      audit.append(b, {a.at, "eu", order_subject("dest", id), "dest", 0, a.event, {}, {}, 0, a.detail});
    ASSERT_TRUE(store.write(b));
  };
  order_sync stuck(settings, {"dest", "dest.myshopify.com"});
  auto out = stuck.on_order_created(paid_order(101, {line(1, 7, 1, "1.00", "LOST-SKU")}), none, now);
  ASSERT_EQ(stuck.state().phase, order_phase::needs_attention);
  save(stuck, out, 101);
  order_sync fine(settings, {"dest", "dest.myshopify.com"});
  out = fine.on_order_created(paid_order(102, {line(1, 7, 1, "1.00", "OK-SKU")}), all, now);
  ASSERT_EQ(fine.state().phase, order_phase::creating);
  save(fine, out, 102);

  auto all_orders = order_control_query("orders", "{}", store, &audit);
  ASSERT_TRUE(all_orders);
  EXPECT_NE(all_orders->find("\"count\":2"), std::string::npos) << *all_orders;
  auto attention = order_control_query("orders", R"({"attention":true})", store, &audit);
  ASSERT_TRUE(attention);
  EXPECT_NE(attention->find("\"count\":1"), std::string::npos) << *attention;
  EXPECT_NE(attention->find("\"id\":101"), std::string::npos) << *attention;
  EXPECT_NE(attention->find("LOST-SKU"), std::string::npos) << *attention;
  auto creating = order_control_query("orders", R"({"state":"creating"})", store, &audit);
  ASSERT_TRUE(creating);
  EXPECT_NE(creating->find("\"id\":102"), std::string::npos) << *creating;
  EXPECT_EQ(creating->find("\"id\":101"), std::string::npos) << *creating;
  auto bad = order_control_query("orders", R"({"state":"lost"})", store, &audit);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "bad_request");

  auto detail = order_control_query("order", R"({"store":"dest","id":"101"})", store, &audit);
  ASSERT_TRUE(detail) << detail.error().message;
  EXPECT_NE(detail->find("\"state\":\"needs_attention\""), std::string::npos) << *detail;
  EXPECT_NE(detail->find("\"kind\":\"needs_attention\""), std::string::npos) << "audit trail: " << *detail;
  EXPECT_EQ(detail->find("create_sent"), std::string::npos) << "only this order's trail: " << *detail;
  auto other = order_control_query("order", R"({"store":"dest","id":102})", store, &audit);
  ASSERT_TRUE(other);
  EXPECT_NE(other->find("\"kind\":\"create_sent\""), std::string::npos) << *other;
  auto missing = order_control_query("order", R"({"store":"dest","id":999})", store, &audit);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "order.not_found");
  EXPECT_FALSE(parse_order_ref(R"({"id":5})"));
  EXPECT_FALSE(parse_order_ref(R"({"store":"dest","id":-5})"));
  EXPECT_FALSE(parse_order_ref("not json"));
  auto ref = parse_order_ref(R"({"store":"dest","id":5812345678901})");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->second, 5812345678901u);
}

TEST(order_actor_sim, a_lost_draft_create_is_found_by_the_draft_lookup) {
  order_fixture fx;
  fx.sim.post("/_sim/faults", R"({"lost_next":1,"lost_mode":"drop","operations":["DraftOrderCreate"]})");
  const draft_order_id id = 1123456789055;
  auto a = fx.spawn(sync_strategy::draft_order, order_doc_kind::draft_order, id);
  caf::anon_send(a, order_event{0, draft(id, "open", 2, "2025-03-14T10:25:00-04:00", true)});
  fx.wait_quit(a);
  auto m = fx.wait_phase(order_doc_kind::draft_order, id, order_phase::created);
  ASSERT_TRUE(m && m->state().source_id);
  EXPECT_EQ(fx.calls("DraftOrderCreate"), 1u);
  EXPECT_GE(fx.calls("DraftOrdersByOrigin"), 1u);
  auto st = fx.source_state();
  ASSERT_EQ(st->size("/draft_orders"), 1u) << st->dump();
  EXPECT_EQ(st->num("/draft_orders/0/id"), static_cast<std::int64_t>(*m->state().source_id));
}

TEST(order_actor_sim, throttled_order_create_is_retried_and_created_once) {
  order_fixture fx;
  // THROTTLED means nothing ran: the link retries it as the throttle model says, with no
  // lookup and no duplicate (an exhausted THROTTLED reaches the actor as admin.throttled,
  // classified transient: order_api_classify.transport_errors).
  fx.sim.post("/_sim/faults", R"({"throttle_next":3,"operations":["OrderCreate"]})");
  const order_id id = 5812345678921;
  auto a = fx.spawn(sync_strategy::order, order_doc_kind::order, id);
  caf::anon_send(a, order_event{0, paid_order(id, {line(1, dest_mug, 1, "9.99", "MUG")})});
  fx.wait_quit(a);
  auto m = fx.wait_phase(order_doc_kind::order, id, order_phase::created);
  ASSERT_TRUE(m);
  EXPECT_EQ(fx.calls("OrderCreate"), 4u) << "3 THROTTLED, then the one that ran";
  EXPECT_EQ(fx.calls("OrdersByOrigin"), 0u) << "a THROTTLED call did not run: no lookup";
  auto st = fx.source_state();
  EXPECT_EQ(orders_with_marker(*st, "dest.myshopify.com/5812345678921"), 1u) << st->dump();
}

// Shopify's order search lags behind a create, and orderCreate takes no idempotency
// key. An OrderCreate applied but never answered must be looked for over the whole lookup
// window, not once after a few seconds, or the order is created twice.
TEST(order_actor_sim, a_lost_create_behind_a_lagging_search_index_makes_exactly_one_order) {
  order_fixture fx;
  fx.sim.post("/_sim/faults", R"({"lost_next":1,"lost_mode":"hang","operations":["OrderCreate"],"search_lag_ms":6000})");
  const order_id id = 5812345678931;
  auto g = fx.group(sync_strategy::order);
  g.settings.options.lookup_window = std::chrono::seconds(15);
  auto a = spawn_order_actor(fx.sys, fx.env(), g, fx.key(order_doc_kind::order, id), {"dest", "dest.myshopify.com"});
  caf::anon_send(a, order_event{0, paid_order(id, {line(1, dest_shirt_s, 1, "29.99", "SHIRT-S")})});
  auto m = fx.wait_phase(order_doc_kind::order, id, order_phase::created, 30s);
  ASSERT_TRUE(m && m->state().source_id);
  fx.wait_quit(a);
  auto st = fx.source_state();
  EXPECT_EQ(orders_with_marker(*st, "dest.myshopify.com/5812345678931"), 1u) << st->dump();
  EXPECT_EQ(fx.calls("OrderCreate"), 1u) << "re-created while the search did not show the order yet";
  EXPECT_GE(fx.calls("OrdersByOrigin"), 2u) << "looked again while the search lagged";
  auto detail = order_detail_json(*fx.store, fx.audit.get(), "dest", id);
  ASSERT_TRUE(detail);
  EXPECT_NE(detail->find("lookup_again"), std::string::npos) << *detail;
  EXPECT_NE(detail->find("found_existing"), std::string::npos) << *detail;
}

TEST(order_queries, an_order_is_found_by_its_name_or_id_and_a_name_in_two_stores_names_them) {
  t::temp_dir dir("order-by-name");
  auto opened = state_store::open({dir.str() + "/db", false, true});
  ASSERT_TRUE(opened);
  auto& store = **opened;
  order_sync_settings settings;
  settings.app_id = 580111;
  const auto now = std::chrono::system_clock::now();
  variant_resolver none = [](variant_id) { return std::optional<variant_id>(); };
  auto save = [&](const std::string& dest, shopify_id id) {
    order_sync m(settings, {dest, dest + ".myshopify.com"});
    (void)m.on_order_created(paid_order(id, {line(1, 7, 1, "1.00", "LOST-SKU")}), none, now);
    state_store::batch b;
    b.put(column::orders, order_state_key({"eu", dest, order_doc_kind::order, id}), m.encode());
    ASSERT_TRUE(store.write(b));
  };
  save("dest", 5812345671001);   // "#1001" in dest
  save("dest-b", 5812345681001); // "#1001" in dest-b too: every store counts from #1001
  save("dest-b", 5812345681002); // "#1002" only in dest-b

  auto by_name = resolve_order_ref(store, R"({"order":"#1002"})");
  ASSERT_TRUE(by_name) << by_name.error().message;
  EXPECT_EQ(by_name->first, "dest-b");
  EXPECT_EQ(by_name->second, 5812345681002u);
  auto digits = resolve_order_ref(store, R"({"order":"1002"})"); // the shell eats an unquoted '#'
  ASSERT_TRUE(digits);
  EXPECT_EQ(digits->second, 5812345681002u);
  auto by_id = resolve_order_ref(store, R"({"order":"5812345671001"})");
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->first, "dest");
  auto in_store = resolve_order_ref(store, R"({"order":"#1001","store":"dest-b"})");
  ASSERT_TRUE(in_store);
  EXPECT_EQ(in_store->second, 5812345681001u);

  auto two = resolve_order_ref(store, R"({"order":"#1001"})");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code, "order.ambiguous");
  EXPECT_NE(two.error().message.find("dest, dest-b"), std::string::npos) << two.error().message;
  auto missing = resolve_order_ref(store, R"({"order":"#1003"})");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "order.not_found");
  EXPECT_NE(missing.error().message.find("#1003"), std::string::npos) << missing.error().message;
  auto elsewhere = resolve_order_ref(store, R"({"order":"#1002","store":"dest"})");
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().code, "order.not_found");
  // The old form still works.
  auto old = resolve_order_ref(store, R"({"store":"dest","id":5812345671001})");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->second, 5812345671001u);

  auto detail = order_control_query("order", R"({"order":"#1002"})", store, nullptr);
  ASSERT_TRUE(detail) << detail.error().message;
  EXPECT_NE(detail->find(R"("order":"#1002")"), std::string::npos) << *detail;
}
