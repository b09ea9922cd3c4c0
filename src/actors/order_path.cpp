#include "actors/order_path.hpp"

#include "actors/order_queries.hpp"
#include "actors/skip_log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace shopsync {

struct order_path::shared {
  caf::actor_system* sys = nullptr;
  order_actor_env env;
  mutable std::mutex mu;
  std::unordered_map<std::string, group_mapping_ptr> mappings;   // by group
  std::unordered_map<std::string, order_actor> actors;          // by order_state_key

  group_mapping_ptr mapping(const std::string& group) const {
    std::lock_guard lock(mu);
    auto it = mappings.find(group);
    return it == mappings.end() ? nullptr : it->second;
  }

  // Registers `a` under `key` and forgets it when it quits (unless replaced meanwhile).
  static void watch(const std::shared_ptr<shared>& sh, const std::string& key, const order_actor& a) {
    auto ptr = caf::actor_cast<caf::strong_actor_ptr>(a);
    if (!ptr)
      return;
    std::weak_ptr<shared> weak = sh;
    auto addr = a.address();
    // Runs at once if the actor is already gone; so no lock may be held here.
    ptr->get()->attach_functor([weak, key, addr] {
      if (auto s = weak.lock()) {
        std::lock_guard lock(s->mu);
        auto it = s->actors.find(key);
        if (it != s->actors.end() && it->second.address() == addr)
          s->actors.erase(it);
      }
    });
  }

  static order_actor get_or_spawn(const std::shared_ptr<shared>& sh, const order_key& k,
                                  const order_group_env& g, const order_destination& d) {
    auto key = order_state_key(k);
    order_actor a;
    {
      std::lock_guard lock(sh->mu);
      auto it = sh->actors.find(key);
      if (it != sh->actors.end())
        return it->second;
      a = spawn_order_actor(*sh->sys, sh->env, g, k, d);
      sh->actors.emplace(key, a);
    }
    watch(sh, key, a);
    return a;
  }

  static void forget(const std::shared_ptr<shared>& sh, const order_key& k, const order_actor& a) {
    std::lock_guard lock(sh->mu);
    auto it = sh->actors.find(order_state_key(k));
    if (it != sh->actors.end() && it->second.address() == a.address())
      sh->actors.erase(it);
  }
};

} // namespace shopsync

namespace shopsync {
namespace {

void send_event(caf::event_based_actor* h, std::shared_ptr<order_path::shared> sh, order_key k,
                order_group_env g, order_destination d, order_event ev, int tries,
                std::function<void(bool)> done = {}) {
  auto a = order_path::shared::get_or_spawn(sh, k, g, d);
  h->request(a, caf::infinite, ev)
    .then([done](std::string&) {
            if (done)
              done(true);
          },
          [h, sh, k, g, d, ev, tries, a, done](caf::error& err) {
            order_path::shared::forget(sh, k, a);
            if (tries <= 1) {
              // Left in the inbox (not marked applied): the next start delivers it again.
              spdlog::error("event=order_event_undelivered order={}/{} error={}", k.store, k.id,
                            h->system().render(err));
              if (done)
                done(false);
              return;
            }
            send_event(h, sh, k, g, d, ev, tries - 1, done);
          });
}

} // namespace

std::optional<variant_id> resolve_variant(const group_mapping& m, const store_name& destination,
                                          variant_id v) {
  auto& t = m.identities();
  if (t.store_count() == 0 || t.stores()[0] == destination)
    return std::nullopt; // stores[0] is the Source
  auto i = m.find_variant(destination, v);
  if (!i || !t.has(*i, 0))
    return std::nullopt;
  return t.ref(*i, 0).variant;
}

order_path::order_path(caf::actor_system& sys, order_path_options opts)
    : sys_(sys), opts_(std::move(opts)), shared_(std::make_shared<shared>()) {
  shared_->sys = &sys_;
  shared_->env = opts_.env;
}

void order_path::set_mapping(const std::string& group, group_mapping_ptr mapping) {
  std::lock_guard lock(shared_->mu);
  shared_->mappings[group] = std::move(mapping);
}

std::optional<order_sync_settings> order_path::settings(const std::string& group) const {
  for (const auto& g : opts_.cfg.groups) {
    if (g.name != group)
      continue;
    if (g.strategy != sync_strategy::order && g.strategy != sync_strategy::draft_order)
      return std::nullopt;
    order_sync_settings s;
    s.strategy = g.strategy;
    s.options = g.orders;
    s.app_id = opts_.cfg.daemon.app_id;
    s.retry = opts_.retry;
    return s;
  }
  return std::nullopt;
}

std::optional<order_group_env> order_path::group_env(const std::string& group) const {
  auto s = settings(group);
  if (!s)
    return std::nullopt;
  const group_config* gc = nullptr;
  for (const auto& g : opts_.cfg.groups)
    if (g.name == group)
      gc = &g;
  order_group_env e;
  e.group = group;
  e.settings = std::move(*s);
  if (opts_.link)
    if (auto l = opts_.link(gc->source))
      e.source = *l;
  std::weak_ptr<shared> weak = shared_;
  e.resolve = [weak, group](const store_name& dest, variant_id v) -> std::optional<variant_id> {
    auto sh = weak.lock();
    if (!sh)
      return std::nullopt;
    auto m = sh->mapping(group);
    if (!m)
      return std::nullopt;
    return resolve_variant(*m, dest, v);
  };
  if (opts_.held)
    e.held = [held = opts_.held, group] { return held(group); };
  return e;
}

std::size_t count_held_orders(const state_store& store, const std::string& group) {
  std::size_t n = 0;
  (void)store.scan(column::orders, "o/" + group + "/", [&](std::string_view k, std::string_view v) {
    auto key = parse_order_key(k);
    if (key && key->group == group)
      if (auto m = order_sync::decode(v, order_sync_settings{}); m && m->state().phase == order_phase::held)
        ++n;
    return true;
  });
  return n;
}

std::size_t order_path::release_held(const std::string& group) {
  auto ge = group_env(group);
  if (!ge || !opts_.env.store)
    return 0;
  std::vector<order_key> held;
  (void)opts_.env.store->scan(column::orders, "o/" + group + "/", [&](std::string_view k, std::string_view v) {
    auto key = parse_order_key(k);
    if (key && key->group == group)
      if (auto m = order_sync::decode(v, ge->settings); m && m->state().phase == order_phase::held)
        held.push_back(*key);
    return true;
  });
  for (auto& k : held) {
    order_destination d{k.store, {}};
    if (auto* sc = opts_.cfg.find_store(k.store))
      d.shop_domain = sc->shop_domain;
    spdlog::info("event=order_released group={} order={}/{}: the group syncs again", group, k.store, k.id);
    caf::anon_send(shared::get_or_spawn(shared_, k, *ge, d), order_retry_atom::value);
  }
  return held.size();
}

// An event no order group wants: recorded as such, and its inbox entry leaves the inbox.
void order_path::ignore(std::uint64_t inbox_seq, const webhook_envelope& env, const store_config& store,
                        const char* why) {
  auto& e = opts_.env;
  if (!e.store)
    return;
  audit_entry record{std::chrono::system_clock::now(), "", env.topic, store.name, 0, "skipped", {}, {}, 0, why};
  if (opts_.skipped)
    return opts_.skipped(inbox_seq, std::move(record));
  // No log to hold it (an order path without a router): the same record, written at once.
  skip_log now(e.store, e.audit, e.mark_inbox_applied);
  now.add(record, inbox_seq);
  now.flush();
}

bool order_path::dispatch(std::uint64_t inbox_seq, const webhook_envelope& env,
                          const store_config& store) {
  const bool is_order = env.topic == "orders/create";
  const bool is_draft = env.topic == "draft_orders/create" || env.topic == "draft_orders/update";
  if (!is_order && !is_draft) {
    ignore(inbox_seq, env, store, "not_an_order_topic");
    return true;
  }
  shopify_id id = 0;
  if (auto o = std::get_if<order_created>(&env.event); o && is_order)
    id = o->id;
  else if (auto d = std::get_if<draft_order_changed>(&env.event); d && is_draft)
    id = d->id;
  else {
    ignore(inbox_seq, env, store, "topic_event_mismatch");
    return true;
  }
  std::vector<const group_config*> groups;
  for (const auto& g : opts_.cfg.groups) {
    bool wants = g.strategy == sync_strategy::draft_order ||
                 (is_order && g.strategy == sync_strategy::order);
    if (wants && std::find(g.destinations.begin(), g.destinations.end(), store.name) != g.destinations.end())
      groups.push_back(&g);
  }
  if (groups.empty()) {
    ignore(inbox_seq, env, store, "no_order_group"); // e.g. a Source's own sales
    return true;
  }
  for (auto* g : groups)
    if (!shared_->mapping(g->name))
      return false; // lines cannot be resolved yet: the event waits in the inbox
  for (auto* g : groups) {
    auto ge = group_env(g->name);
    if (!ge)
      continue;
    order_key k{g->name, store.name, is_order ? order_doc_kind::order : order_doc_kind::draft_order, id};
    order_destination d{store.name, store.shop_domain};
    order_event ev{inbox_seq, is_order ? decltype(order_event::event)(std::get<order_created>(env.event))
                                       : decltype(order_event::event)(std::get<draft_order_changed>(env.event))};
    sys_.spawn([sh = shared_, k, g = std::move(*ge), d, ev](caf::event_based_actor* h) {
      send_event(h, sh, k, g, d, ev, 3);
    });
  }
  return true;
}

void order_path::dispatch_found(const std::string& group, const webhook_envelope& env, const store_config& store,
                                std::function<void(bool)> done) {
  const bool is_order = std::holds_alternative<order_created>(env.event);
  auto ge = group_env(group);
  if (!ge || !shared_->mapping(group)) {
    done(false); // lines cannot be resolved yet: the reconciler feeds it again next round
    return;
  }
  shopify_id id = is_order ? std::get<order_created>(env.event).id : std::get<draft_order_changed>(env.event).id;
  order_key k{group, store.name, is_order ? order_doc_kind::order : order_doc_kind::draft_order, id};
  order_destination d{store.name, store.shop_domain};
  order_event ev{0, is_order ? decltype(order_event::event)(std::get<order_created>(env.event))
                             : decltype(order_event::event)(std::get<draft_order_changed>(env.event)),
                 true};
  sys_.spawn([sh = shared_, k, g = std::move(*ge), d, ev, done = std::move(done)](caf::event_based_actor* h) {
    send_event(h, sh, k, g, d, ev, 3, done);
  });
}

void order_path::stop() {
  std::vector<order_actor> running;
  {
    std::lock_guard lock(shared_->mu);
    for (auto& [key, a] : shared_->actors)
      running.push_back(a);
  }
  for (auto& a : running)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

result<order_actor> order_path::actor_for(std::string_view store, shopify_id id) {
  auto key = find_order_key(*opts_.env.store, store, id);
  if (!key)
    return key.error();
  auto g = group_env(key->group);
  if (!g)
    return error{error_kind::order_group_gone, "group " + key->group + " is no longer an order group"};
  order_destination d{key->store, {}};
  if (auto* sc = opts_.cfg.find_store(key->store))
    d.shop_domain = sc->shop_domain;
  return shared::get_or_spawn(shared_, *key, *g, d);
}

result<std::size_t> order_path::resume() {
  std::vector<std::pair<std::string, order_actor>> spawned;
  auto n = resume_orders(
    sys_, opts_.env, [this](const std::string& group) { return group_env(group); },
    [&](const order_key& k, const order_actor& a) { spawned.emplace_back(order_state_key(k), a); });
  if (!n)
    return n.error();
  for (auto& [key, a] : spawned) {
    {
      std::lock_guard lock(shared_->mu);
      shared_->actors[key] = a;
    }
    shared::watch(shared_, key, a);
  }
  for (const auto& g : opts_.cfg.groups)
    if (settings(g.name) && !(opts_.held && opts_.held(g.name)))
      release_held(g.name);
  return *n;
}

std::size_t order_path::running() const {
  std::lock_guard lock(shared_->mu);
  return shared_->actors.size();
}

} // namespace shopsync
