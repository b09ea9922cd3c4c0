#include "actors/store_link.hpp"

#include "actors/link_failure.hpp"
#include "domain/store_auth_state.hpp"
#include "domain/store_link_protocol.hpp"
#include "domain/throttle_model.hpp"
#include "io/bulk_operation.hpp"
#include "io/idempotency_key.hpp"
#include "io/link_outbox.hpp"
#include "io/write_answer.hpp"
#include "io/reference_uri.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <variant>

namespace shopsync {

namespace {

// The actor is the bridge between the protocol (domain/store_link_protocol.hpp: what is sent,
// when, and what each requester is told) and the world: requesters' promises, the Admin API
// and the outbox on the io threads, timers, logs, and the unauthorized probe.
struct store_link_state {
  store_link_options opts;
  std::shared_ptr<admin_client> client;
  std::shared_ptr<admin_api> api;
  std::shared_ptr<bulk_runner> bulk; // made at the first bulk read
  std::shared_ptr<link_outbox> outbox;
  std::uint64_t mem_next_id = 0; // without outbox

  std::optional<store_link_protocol> link;
  link_ticket tickets = 0;
  std::map<link_ticket, caf::typed_response_promise<inventory_write_reply>> writers;
  std::map<link_ticket, caf::typed_response_promise<level_read_reply>> readers;
  // Calls queued or in flight, by ticket: started (again, after an unauthorized answer) at
  // their turn, forgotten once answered.
  std::map<link_ticket, std::function<void()>> calls;

  std::shared_ptr<token_source> tokens;
  std::optional<store_auth_state> auth;
  bool probe_armed = false, probing = false;
  gauge_metric* unauthorized_gauge = nullptr;

  static inline const char* name = "store_link";
};

} // namespace

// A closure run inside the store link: how answers from the io threads come back.
struct link_task {
  std::function<void()> run;
};

} // namespace shopsync
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::link_task)

namespace shopsync {
namespace {
using link_task_atom = caf::atom_constant<caf::atom("lnk_task")>;
using link_tick_atom = caf::atom_constant<caf::atom("lnk_tick")>;   // the batching window
using link_probe_atom = caf::atom_constant<caf::atom("lnk_probe")>; // the unauthorized probe

// The store link's own messages, kept out of its public interface (actors/interfaces.hpp).
using store_link_internal_actor = store_link_actor::extend<caf::reacts_to<link_task_atom, link_task>,
                                                           caf::reacts_to<link_tick_atom>,
                                                           caf::reacts_to<link_probe_atom>>;

using self_ptr = store_link_internal_actor::stateful_pointer<store_link_state>;

template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

// Runs fn inside the actor: the bridge for answers arriving on io threads.
// Holds the actor weakly: io handlers that outlive it (pending when it stopped) neither keep it
// alive nor touch it.
void post_back(const caf::actor_addr& addr, std::function<void()> fn) {
  auto strong = caf::actor_cast<caf::strong_actor_ptr>(addr);
  if (!strong)
    return;
  caf::anon_send(caf::actor_cast<store_link_internal_actor>(strong), link_task_atom::value, link_task{std::move(fn)});
}

std::string store_of(self_ptr self) { return self->state.opts.store.name; }

// The actor system's clock (steady_clock in the daemon; simulated time on CAF's test_coordinator),
// the same clock its delayed_send timers run on.
std::chrono::milliseconds steady_ms(self_ptr self) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(self->clock().now().time_since_epoch());
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

link_time now(self_ptr self) { return {steady_ms(self), unix_now()}; }

bool is_unauthorized(const error& e) { return e.kind == error_kind::admin_unauthorized; }

void arm_probe(self_ptr self) {
  auto& st = self->state;
  auto next = st.auth->next_probe();
  if (st.probe_armed || !next)
    return;
  st.probe_armed = true;
  auto wait = std::max(*next - steady_ms(self), std::chrono::milliseconds(1));
  self->delayed_send(self, wait, link_probe_atom::value);
}

// A refusal no fresh token cured: stop sending (the request that met it is back in its queue),
// say it once.
void enter_unauthorized(self_ptr self, const error& e) {
  auto& st = self->state;
  st.link->hold(e);
  if (st.auth->refused(e.message, steady_ms(self))) {
    spdlog::error("store {} ({}) is unauthorized: {}. Its writes are held (kept, not retried) until a token "
                  "works again, checked every {} s. What to do: {}",
                  store_of(self), st.opts.store.shop_domain, e.message,
                  std::chrono::duration_cast<std::chrono::seconds>(st.opts.unauthorized_probe).count(),
                  st.tokens->remedy());
    if (st.unauthorized_gauge)
      st.unauthorized_gauge->set(1);
    if (st.opts.health)
      st.opts.health->set("store " + store_of(self), "unauthorized (" + e.message + ")");
  }
  arm_probe(self);
}

void run(self_ptr self);

void send_write(self_ptr self, link_send_write w) {
  auto& st = self->state;
  auto h = self->address();
  auto outbox = st.outbox;
  auto api = st.api;
  boost::asio::post(*st.opts.io, [h, self, outbox, api, w = std::move(w)]() mutable {
    const auto& pre = w.pre;
    if (outbox && (!pre.save.empty() || !pre.remove.empty() || !pre.results.empty())) {
      auto s = outbox->apply(pre);
      if (!s.ok()) {
        // Not saved: not sent either (an unsaved batch could not be re-sent after a crash).
        auto e = error{error_kind::outbox_write_failed, s.error().message};
        return post_back(h, [self, id = w.batch, e] {
          self->state.link->write_answered(id, e, now(self));
          run(self);
        });
      }
      if (!pre.results.empty()) {
        auto results = pre.results;
        post_back(h, [self, results] { self->state.link->persisted(results); });
      }
    }
    api->write_inventory(w.kind, std::move(w.variables_json), std::move(w.keys),
                         [h, self, id = w.batch](result<write_outcome> r) {
                           post_back(h, [self, id, r = std::move(r)]() mutable {
                             self->state.link->write_answered(id, std::move(r), now(self));
                             run(self);
                           });
                         });
  });
}

void send_reads(self_ptr self, link_send_reads q) {
  auto h = self->address();
  self->state.api->inventory_levels(q.keys, [h, self, query = q.query](result<std::vector<level_value>> r) {
    post_back(h, [self, query, r = std::move(r)]() mutable {
      self->state.link->reads_answered(query, std::move(r), now(self));
      run(self);
    });
  });
}

void persist(self_ptr self, outbox_transition t) {
  auto outbox = self->state.outbox;
  if (!outbox)
    return;
  auto store = store_of(self);
  auto h = self->address();
  boost::asio::post(*self->state.opts.io, [outbox, t = std::move(t), store, h, self] {
    auto s = outbox->apply(t);
    if (!s.ok())
      spdlog::error("outbox write failed store={} error=\"{}\"", store, s.error().message);
    auto results = t.results;
    post_back(h, [self, results] { self->state.link->persisted(results); });
  });
}

// Carries out what the protocol decided, in order.
void run(self_ptr self) {
  auto& st = self->state;
  for (auto effects = st.link->take_effects(); !effects.empty(); effects = st.link->take_effects())
    for (auto& eff : effects)
      std::visit(overloaded{
                   [&](link_write_answer& a) {
                     auto it = st.writers.find(a.ticket);
                     if (it == st.writers.end())
                       return;
                     it->second.deliver(inventory_write_reply(std::move(a)));
                     st.writers.erase(it);
                   },
                   [&](link_read_answer& a) {
                     auto it = st.readers.find(a.ticket);
                     if (it == st.readers.end())
                       return;
                     it->second.deliver(level_read_reply(std::move(a)));
                     st.readers.erase(it);
                   },
                   [&](link_send_write& w) { send_write(self, std::move(w)); },
                   [&](link_send_reads& q) { send_reads(self, std::move(q)); },
                   [&](link_start_call& c) {
                     if (auto it = st.calls.find(c.ticket); it != st.calls.end())
                       it->second();
                   },
                   [&](link_persist& p) { persist(self, std::move(p.t)); },
                   [&](link_notice& n) {
                     switch (n.lvl) {
                       case link_notice::level::debug: spdlog::debug("{}", n.text); break;
                       case link_notice::level::info: spdlog::info("{}", n.text); break;
                       case link_notice::level::warn: spdlog::warn("{}", n.text); break;
                     }
                   },
                   [&](link_arm_tick& t) { self->delayed_send(self, t.after, link_tick_atom::value); },
                   [&](link_unauthorized& u) { enter_unauthorized(self, u.err); },
                 },
                 eff);
  if (st.auth->unauthorized())
    arm_probe(self); // everything waits for the probe
  if (st.opts.pressure) {
    auto s = st.client ? st.client->stats() : admin_client_stats{};
    st.opts.pressure->set(st.opts.store.name, s.available && s.bucket && reads_scarce(*s.bucket, *s.available));
  }
}

// A catalog or locations read or a GraphQL call, queued like every other request: its answer
// (or error) completes the requester's promise on the actor's thread. One refused for want of
// a token goes back to the head of the queue, unanswered.
template <class Reply, class T, class Start, class Fill>
caf::typed_response_promise<Reply> queue_api_job(self_ptr self, Start start, Fill fill) {
  auto& st = self->state;
  auto rp = self->make_response_promise<Reply>();
  auto h = self->address();
  const auto t = ++st.tickets;
  st.calls[t] = [self, h, t, rp, start, fill]() mutable {
    start([h, self, t, rp, fill](result<T> r) mutable {
      post_back(h, [self, t, rp, fill, r = std::move(r)]() mutable {
        auto& st = self->state;
        if (!r.ok() && is_unauthorized(r.error())) {
          st.link->call_unauthorized(t, r.error(), now(self));
          return run(self);
        }
        Reply rep;
        if (r.ok()) {
          rep.ok = true;
          fill(rep, std::move(r.value()));
        } else {
          rep.err = r.error();
          st.link->note_error(rep.err);
        }
        rp.deliver(std::move(rep));
        st.calls.erase(t);
        st.link->call_answered(now(self));
        run(self);
      });
    });
  };
  st.link->call(t, now(self));
  run(self);
  return rp;
}

// The quiet check of an unauthorized store: a fresh token (or the token file / state store read
// again) and the cheapest read. Success resumes every held request.
void probe(self_ptr self) {
  auto& st = self->state;
  if (!st.auth->unauthorized() || st.probing || !st.auth->probe_due(steady_ms(self)))
    return arm_probe(self);
  st.probing = true;
  st.tokens->reset();
  auto h = self->address();
  st.api->locations([h, self](result<std::vector<location_row>> r) {
    post_back(h, [self, ok = r.ok(), e = r.ok() ? error{} : r.error()] {
      auto& st = self->state;
      st.probing = false;
      if (ok) {
        if (st.auth->recovered()) {
          spdlog::info("store {} is authorized again; resuming {} held batches, {} writes, {} reads", store_of(self),
                       st.link->ready_batches(), st.link->queued_writes(), st.link->queued_reads());
          if (st.unauthorized_gauge)
            st.unauthorized_gauge->set(0);
          if (st.opts.health)
            st.opts.health->clear("store " + store_of(self));
        }
        st.link->resume(now(self));
        return run(self);
      }
      if (is_unauthorized(e))
        enter_unauthorized(self, e);
      else
        st.auth->refused(st.auth->reason(), steady_ms(self)); // unreachable: try again later, quietly
      arm_probe(self);
    });
  });
}

store_link_internal_actor::behavior_type store_link_impl(self_ptr self, store_link_options opts) {
  auto& st = self->state;
  st.opts = std::move(opts);
  if (st.opts.client.pool_size < static_cast<std::size_t>(std::max(1, st.opts.store.max_in_flight)))
    st.opts.client.pool_size = static_cast<std::size_t>(std::max(1, st.opts.store.max_in_flight));
  st.tokens = st.opts.tokens ? st.opts.tokens : make_token_source({st.opts.store, nullptr, st.opts.io, st.opts.db});
  st.auth.emplace(st.opts.unauthorized_probe);
  if (st.opts.metrics) {
    st.unauthorized_gauge = &st.opts.metrics->gauge(
      "shopsync_store_unauthorized",
      "1 while the store refuses every token shopsync has (its writes are held), else 0",
      {{"store", st.opts.store.name}});
    st.unauthorized_gauge->set(0);
    st.opts.client.metrics = st.opts.metrics;
    if (st.tokens->method() == auth_method::client_credentials)
      st.opts.metrics->gauge_callback(
        "shopsync_token_expiry_seconds",
        "Seconds until the store's access token expires (client credentials; NaN while none is held)",
        [tokens = std::weak_ptr<token_source>(st.tokens)] {
          std::optional<std::chrono::seconds> left;
          if (auto t = tokens.lock())
            left = t->expires_in();
          return left ? static_cast<double>(left->count()) : std::numeric_limits<double>::quiet_NaN();
        },
        {{"store", st.opts.store.name}});
  }
  st.client = admin_client::make(*st.opts.io,
                                 {st.opts.store.name, st.opts.store.shop_domain, st.opts.store.base_url,
                                  st.opts.store.api_version, st.opts.store.access_token, st.tokens},
                                 st.opts.client);
  st.api = st.opts.api ? st.opts.api : std::make_shared<admin_api>(st.client);
  self->attach_functor([client = std::weak_ptr<admin_client>(st.client)] {
    if (auto c = client.lock())
      c->close();
  });
  auto first = st.opts.first_batch_id
                 ? st.opts.first_batch_id
                 : static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  st.mem_next_id = first;
  if (st.opts.db)
    st.outbox = std::make_shared<link_outbox>(*st.opts.db, st.opts.store.name, first);
  store_link_protocol_options po;
  po.store = st.opts.store.name;
  po.max_in_flight = st.opts.store.max_in_flight;
  po.batching_window = st.opts.batching_window;
  po.idempotency_key_max_age = st.opts.idempotency_key_max_age;
  po.max_read_keys = max_level_ids;
  po.durable = st.outbox != nullptr;
  po.debug_notices = [] { return spdlog::should_log(spdlog::level::debug); };
  po.make_batch = [self](write_batch wb) {
    auto& st = self->state;
    outbox_batch b;
    b.id = st.outbox ? st.outbox->next_id() : st.mem_next_id++;
    b.idempotency_key = batch_idempotency_key(st.opts.store.name, b.id);
    b.batch = std::move(wb);
    b.variables_json = admin_api::write_variables(b.batch, b.idempotency_key,
                                                  batch_reference_uri(st.opts.store.name, b.id));
    return b;
  };
  po.classify = [](const error& e) { return link_failure_kind(e); };
  // The client's estimate of the bucket (its throttle model): a batch is formed when it can go.
  po.bucket_wait = [client = std::weak_ptr<admin_client>(st.client)](double cost) {
    auto c = client.lock();
    if (!c)
      return std::chrono::milliseconds::zero();
    auto s = c->stats();
    return s.available && s.bucket ? wait_for(*s.bucket, *s.available, cost) : std::chrono::milliseconds::zero();
  };
  po.write_reserve = [client = std::weak_ptr<admin_client>(st.client)] {
    auto c = client.lock();
    auto s = c ? c->stats() : admin_client_stats{};
    return s.bucket ? s.bucket->maximum_available * write_reserve_share : 0.0;
  };
  if (st.outbox)
    po.find_result = [outbox = st.outbox](inventory_item_id item, location_id loc,
                                          std::uint64_t op) -> std::optional<op_result> {
      auto known = outbox->find_result(item, loc, op);
      if (known.ok() && *known)
        return **known;
      return std::nullopt;
    };
  st.link.emplace(std::move(po));
  if (st.outbox) {
    auto rec = st.outbox->recover();
    if (!rec.ok()) {
      spdlog::error("outbox recovery failed store={} error=\"{}\"", st.opts.store.name, rec.error().message);
      st.link->note_error(rec.error());
    } else {
      // Result records outlive their batch so that a requester asking again after a crash
      // learns the outcome; after a week nobody asks any more.
      auto outbox = st.outbox;
      auto store = st.opts.store.name;
      boost::asio::post(*st.opts.io, [outbox, store] {
        auto n = outbox->prune_results(unix_now() - 7 * 24 * 3600);
        if (n.ok() && *n)
          spdlog::info("outbox results pruned store={} count={}", store, *n);
      });
      st.link->recover(std::move(rec.value()), now(self));
      run(self);
    }
  }
  return {
    [self](execute_atom, graphql_request& req) -> caf::typed_response_promise<graphql_answer> {
      return queue_api_job<graphql_answer, graphql_reply>(
        self,
        [self, req](std::function<void(result<graphql_reply>)> done) {
          graphql_call call{req.operation, req.document, req.variables_json,
                            req.mutation ? request_safety::non_idempotent : request_safety::query, 10};
          self->state.client->post(std::move(call), std::move(done));
        },
        [](graphql_answer& a, graphql_reply&& reply) { a.body = std::move(reply.body); });
    },
    [self](inv_write_atom, const write_intent& in) -> caf::typed_response_promise<inventory_write_reply> {
      auto& st = self->state;
      auto rp = self->make_response_promise<inventory_write_reply>();
      const auto t = ++st.tickets;
      st.writers.emplace(t, rp);
      st.link->write(in, t, now(self));
      run(self);
      return rp;
    },
    [self](level_read_atom, const level_key& k) -> caf::typed_response_promise<level_read_reply> {
      auto& st = self->state;
      auto rp = self->make_response_promise<level_read_reply>();
      const auto t = ++st.tickets;
      st.readers.emplace(t, rp);
      st.link->read(k, t, now(self));
      run(self);
      return rp;
    },
    [self](catalog_atom, const catalog_page_request& req) -> caf::typed_response_promise<catalog_page_reply> {
      return queue_api_job<catalog_page_reply, catalog_page>(
        self, [self, req](admin_api::callback<catalog_page> done) { self->state.api->catalog(req.first, req.after, std::move(done)); },
        [](catalog_page_reply& rep, catalog_page&& page) { rep.page = std::move(page); });
    },
    [self](locations_atom) -> caf::typed_response_promise<locations_reply> {
      return queue_api_job<locations_reply, std::vector<location_row>>(
        self, [self](admin_api::callback<std::vector<location_row>> done) { self->state.api->locations(std::move(done)); },
        [](locations_reply& rep, std::vector<location_row>&& rows) { rep.locations = std::move(rows); });
    },
    [self](link_status_atom) -> store_link_status {
      auto& st = self->state;
      auto cs = st.client->stats();
      store_link_status s;
      s.store = st.opts.store.name;
      s.shop_domain = st.opts.store.shop_domain;
      if (cs.bucket) {
        s.bucket_maximum = cs.bucket->maximum_available;
        s.bucket_restore_rate = cs.bucket->restore_rate;
      }
      s.bucket_available = cs.available;
      s.queued_writes = st.link->queued_writes();
      s.queued_ops = st.link->queued_ops();
      s.queued_reads = st.link->queued_reads();
      s.queued_batches = st.link->queued_batches();
      s.parked_batches = st.link->parked_batches();
      s.in_flight = st.link->in_flight();
      s.max_in_flight = std::max(1, st.opts.store.max_in_flight);
      s.mutations = st.link->mutations();
      s.entries_written = st.link->entries_written();
      s.level_queries = st.link->level_queries();
      s.requests = cs.attempts;
      s.retries = cs.retries;
      s.throttled = cs.throttled;
      s.errors = st.link->errors();
      s.cost_spent = cs.cost_spent;
      s.last_error = !st.link->last_error().empty() ? st.link->last_error() : cs.last_error;
      s.auth = to_string(st.tokens->method());
      s.unauthorized = st.auth->unauthorized();
      if (s.unauthorized)
        s.unauthorized_reason = st.auth->reason();
      return s;
    },
    [self](link_task_atom, link_task& t) {
      if (t.run)
        t.run();
    },
    [self](link_tick_atom) {
      self->state.link->tick(now(self));
      run(self);
    },
    [self](forget_atom, std::vector<inventory_item_id> items) {
      self->state.link->forget(std::move(items), now(self));
      run(self);
    },
    [self](link_probe_atom) {
      self->state.probe_armed = false;
      probe(self);
    },
    [self](bulk_atom, bulk_read_request& req) -> caf::typed_response_promise<bulk_read_reply> {
      // Outside the request slots: the operation runs at Shopify, its start and polls are small
      // calls through the same client (and throttle model); its file is not an Admin API call.
      auto& st = self->state;
      auto rp = self->make_response_promise<bulk_read_reply>();
      if (!st.bulk)
        st.bulk = bulk_runner::make(*st.opts.io, st.client);
      auto h = self->address();
      st.bulk->run(std::move(req.query), std::move(req.on_line),
                   [h, rp, on_end = std::move(req.on_end)](result<bulk_summary> r) mutable {
                     if (on_end)
                       on_end();
                     bulk_read_reply rep;
                     if (r.ok()) {
                       rep.ok = true;
                       rep.lines = r->lines;
                     } else {
                       rep.err = r.error();
                     }
                     post_back(h, [rp, rep]() mutable { rp.deliver(rep); });
                   });
      return rp;
    },
    [self](link_auth_atom, const std::string& what) {
      auto& st = self->state;
      if (what == "uninstalled") {
        st.tokens->reset();
        enter_unauthorized(self, error{error_kind::shopify_app_uninstalled,
                                       "Shopify reports the app was uninstalled from the store (app/uninstalled)"});
      } else if (what == "token_changed" && st.auth->unauthorized()) {
        st.auth->probe_now();
        probe(self);
      }
    },
  };
}

} // namespace

store_link_actor spawn_store_link(caf::actor_system& sys, store_link_options opts) {
  return sys.spawn(store_link_impl, std::move(opts));
}

} // namespace shopsync
