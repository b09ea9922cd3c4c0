#include "actors/order_actor.hpp"

#include "io/order_api.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <random>

namespace shopsync {

namespace {

using self_ptr = order_actor::stateful_pointer<order_actor_state>;

template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

order_time now_of(const order_actor_state& st) {
  return st.env.clock ? st.env.clock() : std::chrono::system_clock::now();
}

variant_resolver resolver_of(const order_actor_state& st) {
  if (!st.group.resolve)
    return {};
  return [resolve = st.group.resolve, store = st.key.store](variant_id v) { return resolve(store, v); };
}

double jitter_of(const order_actor_state& st) {
  if (st.env.jitter)
    return st.env.jitter();
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

std::string order_label(const order_key& k) {
  return std::string(to_string(k.kind)) + " " + k.store + "/" + std::to_string(k.id);
}

audit_entry audit_of(const order_audit_record& a, const order_key& key) {
  audit_entry e;
  e.time = a.at;
  e.group = key.group;
  e.subject = order_subject(key.store, key.id);
  e.store = a.store.empty() ? key.store : a.store;
  e.kind = a.event;
  e.cause = a.order.empty() ? a.detail : a.order + ": " + a.detail;
  return e;
}

void execute(self_ptr self, const order_command& c);

// Before every input: the machine learns whether its group's writes are held right now.
void tell_group_state(order_actor_state& st) {
  if (st.machine)
    st.machine->set_group_held(st.group.held && st.group.held());
}

// One info line per order created in the Source (or found there already), a warning when one
// needs the merchant; the rest of the trail is in the audit log (shopsyncctl order).
void log_outcome(const order_key& key, const order_audit_record& a) {
  const auto& order = a.order.empty() ? order_label(key) : a.order;
  if (a.event == "created" || a.event == "found_existing")
    spdlog::info("event=order_{} group={} store={} order=\"{}\": {}", a.event, key.group, key.store, order, a.detail);
  else if (a.event == "needs_attention")
    spdlog::warn("event=order_needs_attention group={} store={} order=\"{}\": {} (shopsyncctl order {} {})", key.group,
                 key.store, order, a.detail, key.store, key.id);
}

// The actor's loop: persist, then execute, then quit when at rest.
void run(self_ptr self, order_output out, std::uint64_t inbox_seq, bool found_by_reconcile = false) {
  auto& st = self->state;
  state_store::batch b;
  found_by_reconcile = found_by_reconcile && out.persist && st.machine;
  if (out.persist && st.machine)
    b.put(column::orders, order_state_key(st.key), st.machine->encode());
  if (found_by_reconcile)
    b.put(column::orders, order_found_key(st.key), "reconcile");
  if (st.env.audit)
    for (const auto& a : out.audit)
      st.env.audit->append(b, audit_of(a, st.key));
  if (inbox_seq != 0 && st.env.mark_inbox_applied)
    st.env.mark_inbox_applied(b, inbox_seq);
  if (!b.empty()) {
    auto w = st.env.store->write(b);
    if (!w) {
      // Nothing was stored, so nothing is sent: the inbox entry stays unapplied and is
      // delivered again after a restart; an in-memory step forward would be lost anyway.
      spdlog::error("event=order_persist_failed order={} error={}: {}", order_label(st.key),
                    w.error().code, w.error().message);
      self->quit(caf::sec::runtime_error);
      return;
    }
  }
  if (found_by_reconcile && st.env.found_by_reconcile)
    st.env.found_by_reconcile(st.key);
  for (const auto& a : out.audit)
    log_outcome(st.key, a);
  if (out.command)
    execute(self, *out.command);
  if (st.inflight == 0 && (!st.machine || order_at_rest(st.machine->state().phase))) {
    spdlog::debug("event=order_at_rest order={} state={}", order_label(st.key),
                  st.machine ? to_string(st.machine->state().phase) : "none");
    self->quit();
  }
}

// Sends one call to the Source and feeds the answer (or the failure) back with `seq`.
// `on_body` turns a successful answer's body into the machine's next output.
template <class OnBody>
void call(self_ptr self, std::uint64_t seq, order_api_call c, OnBody on_body) {
  auto& st = self->state;
  const bool mutation = c.mutation;
  const std::string operation = c.operation;
  auto fail = [self, seq, mutation, operation](const error& err) {
    auto& s = self->state;
    auto kind = classify_order_failure(err, mutation);
    spdlog::warn("event=order_call_failed order={} op={} kind={} error={}: {}", order_label(s.key),
                 operation, kind == order_failure_kind::transient   ? "transient"
                            : kind == order_failure_kind::uncertain ? "uncertain"
                                                              : "permanent",
                 err.code, err.message);
    return s.machine->failed(seq, step_failure{kind, err}, jitter_of(s), now_of(s));
  };
  if (!st.group.source) {
    run(self, fail(error{error_kind::admin_unavailable, "no store link for the Source"}), 0);
    return;
  }
  ++st.inflight;
  graphql_request req{c.operation, std::move(c.document), std::move(c.variables_json), c.mutation};
  self->request(st.group.source, st.env.request_timeout, execute_atom::value, std::move(req))
    .then(
      [self, fail, on_body](graphql_answer& a) {
        --self->state.inflight;
        if (!a.ok) {
          run(self, fail(a.err), 0);
          return;
        }
        auto parsed = on_body(a.body);
        if (!parsed)
          run(self, fail(parsed.error()), 0);
        else
          run(self, std::move(*parsed), 0);
      },
      [self, fail](caf::error& e) {
        --self->state.inflight;
        run(self, fail(error{error_kind::order_actor_no_answer, self->system().render(e)}), 0);
      });
}

void execute(self_ptr self, const order_command& command) {
  std::visit(
    overloaded{
      [&](const order_cmd::create_order& c) {
        auto seq = c.seq;
        call(self, seq, make_call(c), [self, seq](const std::string& body) -> result<order_output> {
          auto r = parse_order_create(body);
          if (!r)
            return r.error();
          return self->state.machine->created(seq, r->id, now_of(self->state));
        });
      },
      [&](const order_cmd::create_draft& c) {
        auto seq = c.seq;
        call(self, seq, make_call(c), [self, seq](const std::string& body) -> result<order_output> {
          auto r = parse_draft_order_create(body);
          if (!r)
            return r.error();
          return self->state.machine->created(seq, r->id, now_of(self->state));
        });
      },
      [&](const order_cmd::update_draft& c) {
        auto seq = c.seq;
        call(self, seq, make_call(c), [self, seq](const std::string& body) -> result<order_output> {
          auto r = parse_draft_order_update(body);
          if (!r)
            return r.error();
          return self->state.machine->done(seq, now_of(self->state));
        });
      },
      [&](const order_cmd::send_invoice& c) {
        auto seq = c.seq;
        call(self, seq, make_call(c), [self, seq](const std::string& body) -> result<order_output> {
          auto r = parse_draft_order_invoice_send(body);
          if (!r)
            return r.error();
          return self->state.machine->done(seq, now_of(self->state));
        });
      },
      [&](const order_cmd::lookup_origin& c) {
        auto seq = c.seq;
        call(self, seq, make_call(c),
             [self, seq, c](const std::string& body) -> result<order_output> {
               auto r = parse_origin_lookup(body, c.target, c.tag, c.marker);
               if (!r)
                 return r.error();
               return self->state.machine->found(seq, *r, now_of(self->state));
             });
      },
      [&](const order_cmd::schedule_retry& c) {
        self->delayed_send(caf::actor_cast<order_actor>(self), c.delay, order_timer_atom::value,
                           c.seq);
      },
    },
    command);
}

} // namespace

std::string order_subject(std::string_view store, shopify_id id) {
  return std::string(store) + "/" + std::to_string(id);
}

std::string order_found_key(const order_key& k) {
  return "f" + order_state_key(k).substr(1);
}

std::string order_state_key(const order_key& k) {
  return "o/" + k.group + "/" + k.store + "/" + to_string(k.kind) + "/" + std::to_string(k.id);
}

std::optional<order_key> parse_order_key(std::string_view key) {
  if (key.substr(0, 2) != "o/")
    return std::nullopt;
  key.remove_prefix(2);
  // group and store names have no '/' (config names); split from the right for safety.
  auto p3 = key.rfind('/');
  if (p3 == std::string_view::npos)
    return std::nullopt;
  auto p2 = key.rfind('/', p3 - 1);
  if (p2 == std::string_view::npos || p2 == 0)
    return std::nullopt;
  auto p1 = key.find('/');
  if (p1 == std::string_view::npos || p1 >= p2)
    return std::nullopt;
  order_key k;
  k.group = std::string(key.substr(0, p1));
  k.store = std::string(key.substr(p1 + 1, p2 - p1 - 1));
  auto kind = key.substr(p2 + 1, p3 - p2 - 1);
  if (kind == "order")
    k.kind = order_doc_kind::order;
  else if (kind == "draft_order")
    k.kind = order_doc_kind::draft_order;
  else
    return std::nullopt;
  auto id = key.substr(p3 + 1);
  auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), k.id);
  if (ec != std::errc() || ptr != id.data() + id.size() || k.group.empty() || k.store.empty())
    return std::nullopt;
  return k;
}

bool order_at_rest(order_phase p) {
  switch (p) {
    case order_phase::creating:
    case order_phase::retry_wait:
    case order_phase::looking_up:
    case order_phase::updating:
    case order_phase::inviting:
      return false;
    default:
      return true;
  }
}

order_actor::behavior_type order_actor_impl(self_ptr self, order_actor_env env,
                                            order_group_env group, order_key key,
                                            order_destination destination, bool resume) {
  auto& st = self->state;
  st.env = std::move(env);
  st.group = std::move(group);
  st.key = std::move(key);
  st.destination = std::move(destination);

  bool usable = true;
  auto stored = st.env.store->get(column::orders, order_state_key(st.key));
  if (!stored) {
    spdlog::error("event=order_load_failed order={} error={}", order_label(st.key), stored.error().message);
    self->quit(caf::sec::runtime_error);
    usable = false;
  } else if (*stored) {
    auto m = order_sync::decode(**stored, st.group.settings);
    if (!m) {
      // Never start afresh over a state we cannot read: that could create the order twice.
      spdlog::error("event=order_state_unreadable order={} error={}", order_label(st.key),
                    m.error().message);
      self->quit(caf::sec::runtime_error);
      usable = false;
    } else {
      st.machine.emplace(std::move(*m));
    }
  }
  tell_group_state(st);
  if (usable && resume && st.machine)
    run(self, st.machine->resume(now_of(st)), 0);

  return {
    [self](order_event& ev) -> std::string {
      auto& s = self->state;
      const bool fresh = !s.machine || s.machine->state().phase == order_phase::received;
      if (!s.machine)
        s.machine.emplace(order_sync(s.group.settings, s.destination));
      tell_group_state(s);
      auto now = now_of(s);
      auto out = std::visit(
        overloaded{
          [&](const order_created& e) { return s.machine->on_order_created(e, resolver_of(s), now); },
          [&](const draft_order_changed& e) {
            return s.machine->on_draft_changed(e, resolver_of(s), now);
          },
        },
        ev.event);
      run(self, std::move(out), ev.inbox_seq, fresh && ev.found_by_reconcile);
      return to_string(s.machine->state().phase);
    },
    [self](order_timer_atom, std::uint64_t seq) {
      auto& s = self->state;
      if (!s.machine)
        return;
      tell_group_state(s);
      run(self, s.machine->timer(seq, now_of(s)), 0);
    },
    [self](order_retry_atom) -> std::string {
      auto& s = self->state;
      if (!s.machine) {
        self->quit();
        return "unknown";
      }
      tell_group_state(s);
      run(self, s.machine->retry(resolver_of(s), now_of(s)), 0);
      return to_string(s.machine->state().phase);
    },
  };
}

order_actor spawn_order_actor(caf::actor_system& sys, order_actor_env env, order_group_env group,
                              order_key key, order_destination destination, bool resume) {
  return sys.spawn(order_actor_impl, std::move(env), std::move(group), std::move(key),
                   std::move(destination), resume);
}

result<std::size_t> resume_orders(
  caf::actor_system& sys, const order_actor_env& env,
  const std::function<std::optional<order_group_env>(const std::string& group)>& group_env,
  const std::function<void(const order_key&, const order_actor&)>& spawned) {
  struct pending {
    order_key key;
    order_group_env group;
    order_destination destination;
  };
  std::vector<pending> todo;
  auto st = env.store->scan(column::orders, "o/", [&](std::string_view k, std::string_view v) {
    auto key = parse_order_key(k);
    if (!key) {
      spdlog::warn("event=order_resume_skipped key={} reason=unknown key", k);
      return true;
    }
    auto g = group_env(key->group);
    if (!g) {
      spdlog::warn("event=order_resume_skipped order={} reason=group {} is not configured",
                   order_label(*key), key->group);
      return true;
    }
    auto m = order_sync::decode(v, g->settings);
    if (!m) {
      spdlog::error("event=order_resume_skipped order={} reason={}", order_label(*key), m.error().message);
      return true;
    }
    if (order_at_rest(m->state().phase))
      return true;
    todo.push_back({*key, std::move(*g), m->state().destination});
    return true;
  });
  if (!st)
    return st.error();
  for (auto& p : todo) {
    spdlog::info("event=order_resumed order={}", order_label(p.key));
    auto a = spawn_order_actor(sys, env, std::move(p.group), p.key, std::move(p.destination), true);
    if (spawned)
      spawned(p.key, a);
  }
  return todo.size();
}

} // namespace shopsync
