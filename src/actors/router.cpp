#include "actors/router.hpp"

#include "actors/catalog.hpp"
#include "actors/group_guard.hpp"
#include "actors/item.hpp"
#include "actors/reconciler.hpp"
#include "actors/sync_metrics.hpp"
#include "io/admin_api.hpp"
#include "io/bulk_download.hpp"
#include "io/control_protocol.hpp"
#include "io/graphql_documents.hpp"
#include "io/json_writer.hpp"
#include "io/metrics.hpp"
#include "io/stall_point.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace shopsync {

namespace {

using self_ptr = router_actor::stateful_pointer<router_state>;

bool in_group(const group_config& g, const store_name& s) {
  if (g.source == s)
    return true;
  for (auto& d : g.destinations)
    if (d == s)
      return true;
  return false;
}

template <class... Ts>
void send_item(self_ptr self, item_entry& e, Ts&&... xs) {
  e.sent++;
  self->send(e.actor, std::forward<Ts>(xs)...);
}

item_entry& item_for(self_ptr self, const group_mapping& m, std::size_t i, bool started = false,
                     std::shared_ptr<const level_snapshots> seed = nullptr, bool leave_when_idle = false) {
  auto& st = self->state;
  auto key = item_state_key(m.group(), std::string(m.key(i)));
  auto it = st.items.find(key);
  if (it != st.items.end())
    return it->second;
  // Monitored, not linked: an item that fails (it cannot persist) is rebuilt from disk at its
  // next message instead of taking the router down; and no link table grows with every item.
  auto names = st.mappings.count(m.group()) ? st.mappings.at(m.group()) : group_mapping_ptr{};
  const bool leave = started || leave_when_idle;
  auto a = seed ? self->spawn(seeded_item, st.ctx, m.group(), m.layout(i), caf::actor_cast<router_actor>(self),
                              leave, std::move(names), std::move(seed))
                : self->spawn(item, st.ctx, m.group(), m.layout(i), caf::actor_cast<router_actor>(self), leave,
                              std::move(names));
  self->monitor(a);
  auto& e = st.items.emplace(key, item_entry{a, 0, started}).first->second;
  if (started)
    st.starting_live++;
  if (st.paused.count(m.group()))
    send_item(self, e, pause_atom::value, true);
  return e;
}

// Identities the group's filter excluded in the previous mapping and includes in `now` (a
// product webhook changed its tags, vendor or type; mapping_diff::included) are aligned at once:
// while excluded nothing synced them, so a persisted state is stale.
void align_included(self_ptr self, const mapping_diff& d, const group_mapping& now) {
  for (auto& key : d.included())
    if (auto i = now.find_key(key)) {
      spdlog::info("router: group={} identity={} is included again by the group's filter: aligning", now.group(),
                   key);
      send_item(self, item_for(self, now, *i), align_atom::value);
    }
}

using item_iterator = std::unordered_map<std::string, item_entry>::iterator;

// Forgets a live item (it quits or has quit).
item_iterator forget(router_state& st, item_iterator it) {
  if (it->second.started)
    st.starting_live--;
  return st.items.erase(it);
}

// Walks identities [p.scanned, p.scanned + n) of a mapping along the group's persisted states
// (levels keys are group + '\0' + identity: the mapping's key order): an identity without a
// state, or whose state needs its actor (item_needs_actor), is queued.
void scan_chunk(self_ptr self, pending_starts& p, std::size_t n) {
  auto& m = *p.mapping;
  auto i = p.scanned;
  const auto end = std::min(m.size(), i + n);
  if (i >= end)
    return;
  auto prefix = item_state_key(m.group(), "");
  auto from = prefix + std::string(m.key(i));
  auto s = self->state.ctx->store->scan(column::levels, prefix, from, [&](std::string_view key, std::string_view value) {
    auto identity = key.substr(prefix.size());
    while (i < end && m.key(i) < identity)
      p.queue.push_back(static_cast<std::uint32_t>(i++)); // no state: a new identity, to align
    if (i == end)
      return false;
    if (m.key(i) == identity) {
      if (item_needs_actor(std::string(value), m.layout(i)))
        p.queue.push_back(static_cast<std::uint32_t>(i));
      ++i;
    } // else: the state of an identity no longer mapped
    return i < end;
  });
  if (!s)
    spdlog::error("router: group={} cannot scan item states, starting their items: {}", m.group(), s.error().message);
  while (i < end)
    p.queue.push_back(static_cast<std::uint32_t>(i++));
  p.scanned = end;
}

// --- Level snapshots for the first alignment of a large mapping (actors/level_snapshot.hpp).

// Reads a store's levels through one bulk operation (BulkLevels, as a reconcile round does),
// once for every group that holds the store. Lines are parsed and kept on the io thread.
void read_snapshot(self_ptr self, const store_name& store) {
  auto& st = self->state;
  if (st.snapshots.count(store))
    return;
  auto& slot = st.snapshots[store];
  auto* link = st.ctx->link(store);
  if (!link) {
    slot.pending = false;
    return;
  }
  struct sink_state {
    std::shared_ptr<level_snapshot> snapshot = std::make_shared<level_snapshot>();
    bulk_bad_lines bad;
  };
  auto sink = std::make_shared<sink_state>();
  bulk_read_request req;
  req.query = std::string(graphql::bulk_levels);
  req.on_line = [sink](std::string_view line) {
    if (auto lv = sink->bad.take(admin_api::parse_level_line(line)); lv && *lv)
      sink->snapshot->add(**lv);
  };
  req.on_end = [sink] { sink->snapshot->seal(); };
  spdlog::info("router: reading {}'s levels through a bulk operation for the first alignment", store);
  auto failed = [self, store](const std::string& why) {
    auto it = self->state.snapshots.find(store);
    if (it == self->state.snapshots.end())
      return;
    it->second.pending = false;
    spdlog::warn("router: bulk read of {}'s levels failed ({}): the first alignment reads them by query", store, why);
  };
  self->request(*link, caf::infinite, bulk_atom::value, std::move(req))
    .then(
      [self, store, sink, failed](const bulk_read_reply& r) {
        if (!r.ok)
          return failed(r.err.code + ": " + r.err.message);
        if (sink->bad.count)
          return failed(sink->bad.describe());
        auto it = self->state.snapshots.find(store);
        if (it == self->state.snapshots.end())
          return;
        it->second.pending = false;
        it->second.snapshot = sink->snapshot;
        spdlog::info("router: {} levels of {} read through a bulk operation", sink->snapshot->size(), store);
      },
      [failed](const caf::error& e) { failed("store link: " + caf::to_string(e)); });
}

// A group's first mapping at or above the threshold waits for its stores' snapshots.
void seed_first_alignment(self_ptr self, const std::string& group, pending_starts& p) {
  auto& st = self->state;
  const auto threshold = st.ctx->cfg.daemon.bulk_read_threshold;
  auto* g = st.ctx->cfg.find_group(group);
  if (st.snapshots_over || !g || threshold == 0 || p.mapping->size() < threshold)
    return;
  p.seeding = true;
  read_snapshot(self, g->source);
  for (auto& d : g->destinations)
    read_snapshot(self, d);
}

// Whether the group's snapshots are all read (or failed): its seed is then made.
bool seed_ready(self_ptr self, const std::string& group, pending_starts& p) {
  if (!p.seeding)
    return true;
  auto& st = self->state;
  auto* g = st.ctx->cfg.find_group(group);
  auto seed = std::make_shared<level_snapshots>();
  std::vector<store_name> stores{g->source};
  stores.insert(stores.end(), g->destinations.begin(), g->destinations.end());
  for (auto& s : stores) {
    auto it = st.snapshots.find(s);
    if (it == st.snapshots.end())
      continue;
    if (it->second.pending)
      return false;
    if (it->second.snapshot)
      seed->emplace(s, it->second.snapshot);
  }
  p.seeding = false;
  if (!seed->empty())
    p.seed = std::move(seed);
  return true;
}

// How long a skipped event's record may wait in memory for others (skip_log).
constexpr auto skip_flush_after = std::chrono::milliseconds(5);

void record_skip(self_ptr self, std::uint64_t seq, audit_entry e) {
  if (self->state.skips->add(e, seq))
    self->delayed_send(self, skip_flush_after, flush_atom::value);
}

// Records that an event had nothing to do here, with the reason, and marks it applied.
void skip(self_ptr self, std::uint64_t seq, const std::string& store, const std::string& subject,
          const std::string& why) {
  record_skip(self, seq, {std::chrono::system_clock::now(), "", subject, store, 0, "skipped", {}, {}, 0, why});
}

bool all_mapped(const router_state& st) {
  for (auto& g : st.ctx->cfg.groups)
    if (!st.mappings.count(g.name))
      return false;
  return true;
}

void route_level(self_ptr self, std::uint64_t seq, const webhook_envelope& env, const store_config& store,
                 const inventory_level_changed& ev,
                 level_hint::stocking_change change = level_hint::stocking_change::none) {
  auto& st = self->state;
  std::vector<std::pair<const group_mapping*, std::size_t>> targets;
  for (auto& g : st.ctx->cfg.groups) {
    if (!in_group(g, store.name))
      continue;
    auto& m = st.mappings.at(g.name);
    if (auto id = m->find(store.name, ev.item))
      targets.emplace_back(m.get(), *id);
  }
  if (targets.empty()) {
    skip(self, seq, store.name, "inventory_item/" + std::to_string(ev.item), "skipped_unmapped");
    return;
  }
  auto remaining = std::make_shared<std::atomic<int>>(static_cast<int>(targets.size()));
  for (auto& [m, id] : targets) {
    level_hint h{seq, store.name, ev.location, ev.available, remaining, change, std::chrono::steady_clock::now(),
                 ev.updated_at_s};
    send_item(self, item_for(self, *m, id), hint_atom::value, std::move(h));
  }
}

void route(self_ptr self, std::uint64_t seq, const webhook_envelope& env) {
  auto& st = self->state;
  auto* store = st.ctx->cfg.find_store_by_domain(env.shop_domain);
  if (!store) {
    skip(self, seq, env.shop_domain, env.topic, "unknown_shop");
    return;
  }
  if (auto* lvl = std::get_if<inventory_level_changed>(&env.event)) {
    route_level(self, seq, env, *store, *lvl);
  } else if (auto* sl = std::get_if<inventory_level_stocking>(&env.event)) {
    // connect / disconnect: to the item actors of that level, like an update (they read it).
    route_level(self, seq, env, *store, inventory_level_changed{sl->item, sl->location, sl->available, {}, std::nullopt},
                sl->connected ? level_hint::stocking_change::connected : level_hint::stocking_change::disconnected);
  } else if (std::holds_alternative<app_scopes_changed>(env.event)) {
    // The store's subscription keeper checks what the token may do now.
    if (auto it = st.ctx->keepers.find(store->name); it != st.ctx->keepers.end())
      self->send(it->second, scopes_atom::value);
    skip(self, seq, store->name, env.topic, "scope_check");
  } else if (std::holds_alternative<product_changed>(env.event) ||
             std::holds_alternative<inventory_item_changed>(env.event) ||
             std::holds_alternative<product_deleted>(env.event) ||
             std::holds_alternative<inventory_item_deleted>(env.event)) {
    // The mapping follows the catalog (the catalog re-reads a store when it must; a deletion
    // unmaps at once).
    for (auto& g : st.ctx->cfg.groups)
      if (in_group(g, store->name))
        self->send(st.catalogs.at(g.name), event_atom::value, store->name, env);
    skip(self, seq, store->name, env.topic, "catalog_updated");
  } else if (std::holds_alternative<app_uninstalled>(env.event)) {
    // Its tokens are dead: the store link stops sending and holds its writes until one works.
    if (auto* link = st.ctx->link(store->name))
      self->send(*link, link_auth_atom::value, std::string("uninstalled"));
    skip(self, seq, store->name, env.topic, "store_unauthorized");
  } else if (!st.orders->dispatch(seq, env, *store)) {
    // A group it concerns has no mapping yet: it stays in the inbox and is tried at the next
    // start (all_mapped() makes this rare).
    spdlog::warn("router: {} {} from {} left in the inbox", env.topic, env.webhook_id, store->name);
  }
}

} // namespace

router_actor::behavior_type router(router_actor::stateful_pointer<router_state> self, const sync_context* ctx) {
  auto& st = self->state;
  st.ctx = ctx;
  order_path_options po;
  po.cfg = ctx->cfg;
  po.env.store = ctx->store;
  po.env.audit = ctx->audit;
  po.env.mark_inbox_applied = ctx->mark_applied;
  po.env.found_by_reconcile = [ctx](const order_key& k) {
    if (ctx->metrics)
      ctx->metrics
        ->counter("shopsync_orders_found_by_reconcile_total",
                  "Orders and draft orders the order reconciler found before (or without) their webhook",
                  {{"group", k.group}, {"kind", to_string(k.kind)}})
        .inc();
  };
  po.held = [ctx](const std::string& group) { return ctx->guards && ctx->guards->holds(group); };
  po.link = [ctx](const store_name& s) -> std::optional<graphql_executor_actor> {
    if (auto* l = ctx->link(s))
      return graphql_executor_actor{*l};
    return std::nullopt;
  };
  st.skips = std::make_unique<skip_log>(ctx->store, ctx->audit, ctx->mark_applied);
  po.skipped = [self](std::uint64_t seq, audit_entry e) { record_skip(self, seq, std::move(e)); };
  st.orders = std::make_shared<order_path>(self->home_system(), std::move(po));
  for (auto& g : ctx->cfg.groups) {
    auto rec = self->spawn<caf::linked>(reconciler, ctx, g, caf::actor_cast<router_actor>(self));
    st.reconcilers.emplace(g.name, rec);
    st.catalogs.emplace(g.name, self->spawn<caf::linked>(catalog, ctx, g, caf::actor_cast<router_actor>(self)));
    if (g.strategy == sync_strategy::order || g.strategy == sync_strategy::draft_order)
      st.order_reconcilers.emplace(g.name, self->spawn<caf::linked>(order_reconciler, ctx, g, st.orders));
  }
  self->set_down_handler([self](const caf::down_msg& msg) {
    // A passivated item quits normally and is already forgotten: only failures need the scan.
    if (!msg.reason || msg.reason == caf::exit_reason::normal || msg.reason == caf::exit_reason::user_shutdown)
      return;
    auto& items = self->state.items;
    for (auto it = items.begin(); it != items.end(); ++it)
      if (it->second.actor.address() == msg.source) {
        spdlog::error("router: item actor {} stopped ({})", it->first.substr(it->first.find('\0') + 1),
                      caf::to_string(msg.reason));
        forget(self->state, it);
        break;
      }
  });
  // Shutdown: the item and order actors go with the router (their state is on disk).
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    auto& st = self->state;
    for (auto& [key, e] : st.items) {
      self->demonitor(e.actor.address());
      self->send_exit(e.actor, msg.reason);
    }
    st.items.clear();
    st.starting_live = 0;
    st.orders->stop();
    st.skips->flush();
    self->quit(msg.reason);
  });
  return {
    [self](flush_atom) { self->state.skips->flush(); },
    [self](event_atom, std::uint64_t seq, const webhook_envelope& env) {
      auto& st = self->state;
      if (seq != 0) // from the inbox (0: the reconciler's)
        if (auto* store = st.ctx->cfg.find_store_by_domain(env.shop_domain))
          note_webhook_received(st.ctx->metrics, store->name, env.topic);
      if (!all_mapped(st)) {
        st.waiting.emplace_back(seq, env);
        return;
      }
      route(self, seq, env);
    },
    [self](mapping_atom, const std::string& group, const group_mapping_ptr& m) {
      auto& st = self->state;
      auto previous = st.mappings.count(group) ? st.mappings[group] : nullptr;
      bool first = !previous;
      st.mappings[group] = m;
      if (st.ctx->guards)
        st.ctx->guards->mapped(*m); // before any item of it asks the breaker
      st.orders->set_mapping(group, m);
      // What changes for each identity is the domain's decision (mapping_diff); the first
      // mapping of the group has no previous one: every live item of it takes its layout.
      std::optional<mapping_diff> diff;
      if (previous)
        diff = m->diff(*previous);
      if (diff && diff->unchanged()) {
        // The same identities (a catalog reload found nothing new): item states stay valid.
        if (auto it = st.starting.find(group); it != st.starting.end())
          it->second.mapping = m;
      } else {
        // Item actors whose identity changed get its new layout: each starts a new state and
        // aligns once its operations in flight are done (item.cpp). One actor holds an identity
        // throughout: a replacement spawned next to a dying actor could read the state before
        // the old one's last write. Identities that are gone are shut down (their state stays).
        auto prefix = group + std::string(1, '\0');
        for (auto it = st.items.begin(); it != st.items.end();) {
          if (it->first.compare(0, prefix.size(), prefix) != 0) {
            ++it;
            continue;
          }
          auto now = m->find_key(std::string_view(it->first).substr(prefix.size()));
          auto change = !now ? identity_change::drop : diff ? diff->of_now(*now) : identity_change::remap;
          switch (change) {
            case identity_change::keep: ++it; break;
            case identity_change::remap:
            case identity_change::add: // a live actor from an older life: it takes the layout too
              send_item(self, it->second, remap_atom::value, m->layout(*now));
              ++it;
              break;
            case identity_change::drop:
              self->demonitor(it->second.actor.address());
              self->send(it->second.actor, shutdown_atom::value);
              it = forget(st, it);
              break;
          }
        }
        // New identities (no state) get their actor and align; persisted ones with operations in
        // flight or work left resume it. The others are spawned by their first message. Found
        // by a walk over the persisted states, a chunk per tick (start_atom): the router goes on
        // routing meanwhile.
        if (diff)
          align_included(self, *diff, *m);
        auto was = st.starting.find(group);
        const bool seeding = was != st.starting.end() && was->second.seeding;
        auto seed = was != st.starting.end() ? was->second.seed : nullptr;
        auto& p = st.starting[group] = pending_starts{m, 0, {}, 0, false, nullptr};
        p.seeding = seeding;
        p.seed = std::move(seed);
        if (first)
          seed_first_alignment(self, group, p);
        if (!st.start_scheduled) {
          st.start_scheduled = true;
          self->send(self, start_atom::value);
        }
      }
      self->send(st.reconcilers.at(group), mapping_atom::value, m);
      spdlog::info("router: group={} mapping {} ({} identities, {} problems)", group,
                   first ? "loaded" : "updated", m->size(), m->problems().size());
      if (all_mapped(st)) {
        if (!st.orders_resumed) {
          st.orders_resumed = true;
          if (auto n = st.orders->resume(); !n)
            spdlog::error("router: resuming orders failed: {}", n.error().message);
          else if (*n)
            spdlog::info("router: resumed {} orders", *n);
          // The first order reconcile round: it catches up what was placed while we were down.
          for (auto& [name, r] : st.order_reconcilers)
            self->send(r, reconcile_atom::value, false);
        }
        auto waiting = std::move(st.waiting);
        st.waiting.clear();
        for (auto& [seq, env] : waiting)
          route(self, seq, env);
      }
    },
    [self](align_atom, const std::string& group) {
      auto& st = self->state;
      auto mit = st.mappings.find(group);
      if (mit == st.mappings.end())
        return;
      auto m = mit->second;
      for (std::size_t i = 0; i < m->size(); ++i)
        send_item(self, item_for(self, *m, i), align_atom::value);
    },
    [self](pause_atom, const std::string& group, bool paused) {
      auto& st = self->state;
      for (auto& g : st.ctx->cfg.groups) {
        if (!group.empty() && g.name != group)
          continue;
        if (paused)
          st.paused.insert(g.name);
        else
          st.paused.erase(g.name);
        // Passivated items were not paused (item.hpp), and spawn takes st.paused into account.
        for (auto& [key, e] : st.items)
          if (key.compare(0, g.name.size() + 1, g.name + std::string(1, '\0')) == 0)
            send_item(self, e, pause_atom::value, paused);
      }
    },
    [self](pause_atom) -> std::vector<std::string> {
      auto& paused = self->state.paused;
      return {paused.begin(), paused.end()};
    },
    [self](guard_atom, const std::string& group, const std::string& action) {
      auto& st = self->state;
      auto prefix = group + std::string(1, '\0');
      for (auto& [key, e] : st.items)
        if (key.compare(0, prefix.size(), prefix) == 0)
          send_item(self, e, guard_atom::value, action);
      if (action == "approve" && st.orders) // orders held meanwhile are created now, once
        st.orders->release_held(group);
    },
    [self](undo_atom, const std::string& group, const std::string& identity, const std::string& store,
           location_id location, std::int64_t delta, const std::string& cause) {
      auto& st = self->state;
      auto mit = st.mappings.find(group);
      auto id = mit == st.mappings.end() ? std::nullopt : mit->second->find_key(identity);
      if (!id) {
        spdlog::warn("router: undo of {} in group={}: the identity is not mapped (any more)", identity, group);
        return;
      }
      send_item(self, item_for(self, *mit->second, *id), undo_atom::value, store, location, delta, cause);
    },
    [self](resync_atom, const std::string& group) {
      for (auto& [name, c] : self->state.catalogs)
        if (group.empty() || name == group)
          self->send(c, resync_atom::value);
    },
    [self](reconcile_atom, const std::string& group) {
      for (auto& [name, r] : self->state.reconcilers)
        if (group.empty() || name == group)
          self->send(r, reconcile_atom::value, false);
    },
    [self](mapping_atom, const std::string& group, bool problems_only) -> caf::result<std::string> {
      auto& st = self->state;
      std::vector<catalog_actor> targets;
      for (auto& [name, c] : st.catalogs)
        if (group.empty() || name == group)
          targets.push_back(c);
      if (targets.empty())
        return control_error("not_found", "no sync group '" + group + "'");
      // Gather every group's answer into one JSON array.
      auto rp = self->make_response_promise<std::string>();
      auto acc = std::make_shared<std::vector<std::string>>();
      auto left = std::make_shared<std::size_t>(targets.size());
      for (auto& c : targets) {
        self->request(c, std::chrono::seconds(30), mapping_atom::value, problems_only)
          .then(
            [rp, acc, left](const std::string& json) mutable {
              acc->push_back(json);
              if (--*left == 0) {
                std::string out = "[";
                for (std::size_t i = 0; i < acc->size(); ++i)
                  out += (i ? "," : "") + (*acc)[i];
                rp.deliver(control_ok(out + "]"));
              }
            },
            [rp](const caf::error& e) mutable { rp.deliver(control_error("internal", caf::to_string(e))); });
      }
      return rp;
    },
    [self](order_retry_atom, const std::string& store, std::uint64_t id) -> caf::result<std::string> {
      auto a = self->state.orders->actor_for(store, id);
      if (!a)
        return control_error("not_found", a.error().message);
      auto rp = self->make_response_promise<std::string>();
      self->request(*a, std::chrono::seconds(30), order_retry_atom::value)
        .then([rp, store, id](const std::string& state) mutable {
                json_writer w;
                w.begin_object().field("store", store).field("id", id).field("state", state).end_object();
                rp.deliver(control_ok(std::move(w).str()));
              },
              [rp](const caf::error& e) mutable { rp.deliver(control_error("internal", caf::to_string(e))); });
      return rp;
    },
    [self](order_recon_atom, const std::string& group, const std::string& args) -> caf::result<std::string> {
      auto& st = self->state;
      if (group.empty()) {
        for (auto& [name, r] : st.order_reconcilers)
          self->request(r, std::chrono::minutes(5), order_recon_atom::value, args)
            .then([](const std::string&) {}, [](const caf::error&) {});
        return control_ok(R"({"reconcile":"started","orders":true})");
      }
      auto it = st.order_reconcilers.find(group);
      if (it == st.order_reconcilers.end())
        return control_error("not_found", "no order or draft_order group '" + group + "'");
      auto rp = self->make_response_promise<std::string>();
      self->request(it->second, std::chrono::minutes(5), order_recon_atom::value, args)
        .then([rp](const std::string& line) mutable { rp.deliver(line); },
              [rp](const caf::error& e) mutable { rp.deliver(control_error("internal", caf::to_string(e))); });
      return rp;
    },
    [self](start_atom) {
      auto& st = self->state;
      constexpr std::size_t walk_chunk = 5'000; // persisted states looked at per tick
      constexpr std::size_t start_chunk = 500;  // actors started per tick
      std::size_t started = 0;
      for (auto it = st.starting.begin(); it != st.starting.end();) {
        auto& p = it->second;
        if (!seed_ready(self, it->first, p)) {
          ++it;
          continue;
        }
        // Keep the queue short: walk further only when it is nearly done.
        if (p.scanned < p.mapping->size() && p.queue.size() - p.next < start_chunk) {
          p.queue.erase(p.queue.begin(), p.queue.begin() + static_cast<std::ptrdiff_t>(p.next));
          p.next = 0;
          scan_chunk(self, p, walk_chunk);
        }
        for (; p.next < p.queue.size() && started < start_chunk && st.starting_live < st.ctx->start_window;
             ++p.next) {
          auto i = p.queue[p.next];
          if (!st.items.count(item_state_key(it->first, std::string(p.mapping->key(i))))) {
            item_for(self, *p.mapping, i, true, p.seed);
            started++;
          }
        }
        if (p.scanned == p.mapping->size() && p.next == p.queue.size()) {
          spdlog::info("router: group={} start-up walk done", it->first);
          it = st.starting.erase(it);
        } else {
          ++it;
        }
      }
      st.start_scheduled = !st.starting.empty();
      if (!st.start_scheduled && !st.snapshots.empty() && all_mapped(st)) {
        st.snapshots.clear(); // the first alignments are seeded: the memory goes
        st.snapshots_over = true;
      }
      // Paced (at most 25,000 actors/s): millions of actors made runnable at once livelock
      // CAF 0.17's work-stealing queues on a small machine, and nothing else gets scheduled.
      if (st.start_scheduled)
        self->delayed_send(self, std::chrono::milliseconds(20), start_atom::value);
    },
    [self](passivate_atom, const std::string& key, std::uint64_t handled) {
      auto& st = self->state;
      auto it = st.items.find(key);
      // Another actor for the key (the asker was replaced), or a message still on its way to it:
      // refused; it asks again after its next idle interval.
      if (it == st.items.end() || caf::actor_cast<caf::strong_actor_ptr>(it->second.actor) != self->current_sender() ||
          it->second.sent != handled)
        return;
      self->send(it->second.actor, shutdown_atom::value);
      forget(st, it);
    },
    [self](view_atom, const std::string& group, const std::string& identity) -> caf::result<std::string> {
      auto& st = self->state;
      auto mit = st.mappings.find(group);
      if (mit == st.mappings.end())
        return control_error("not_found", "no mapping for group '" + group + "' yet");
      auto id = mit->second->find_key(identity);
      if (!id)
        return control_error("not_found", "identity '" + identity + "' is not mapped in group '" + group + "'");
      auto rp = self->make_response_promise<std::string>();
      auto& e = item_for(self, *mit->second, *id);
      e.sent++;
      self->request(e.actor, caf::infinite, view_atom::value)
        .then([rp](const std::string& json) mutable { rp.deliver(control_ok(json)); },
              [rp](const caf::error& e) mutable { rp.deliver(control_error("internal", caf::to_string(e))); });
      return rp;
    },
    [self](watchdog_atom) -> caf::result<std::uint64_t, std::uint64_t> {
      stall_point("router_watchdog"); // tests: a router stuck for good
      auto& st = self->state;
      std::uint64_t syncing = 0;
      for (auto& g : st.ctx->cfg.groups)
        if (st.mappings.count(g.name) && !st.paused.count(g.name))
          ++syncing;
      return {syncing, static_cast<std::uint64_t>(st.ctx->cfg.groups.size())};
    },
    [self](hint_atom, const reconcile_hint& r) {
      auto& st = self->state;
      auto mit = st.mappings.find(r.group);
      if (mit == st.mappings.end())
        return;
      auto& m = *mit->second;
      auto id = m.find_key(r.identity);
      if (!id || m.find(r.store, r.item) != id) {
        // The mapping changed since the read: the item actor reads its levels itself.
        spdlog::debug("router: group={} identity={} store={}: reconcile read of an item no longer mapped there",
                      r.group, r.identity, r.store);
        return;
      }
      level_hint h;
      h.store = r.store;
      h.location = r.location;
      if (r.stocked)
        h.available = r.available;
      else
        h.change = level_hint::stocking_change::disconnected;
      h.updated_at = r.updated_at; // the snapshot's time: the item takes it as a webhook's
      // Almost every level of a round equals what its item knows: for an identity without a live
      // actor, such an echo is dropped here from its persisted state, instead of loading an actor
      // (a state read, a decode and a spawn) only to drop it there. A paused or guarded group's
      // item would change its state at load: it gets the hint as before.
      if (r.stocked && !st.items.count(item_state_key(r.group, r.identity)) && !st.paused.count(r.group) &&
          !(st.ctx->guards && st.ctx->guards->holds(r.group))) {
        auto stored = st.ctx->store->get(column::levels, item_state_key(r.group, r.identity));
        if (stored && *stored && reconcile_read_is_echo(**stored, m.layout(*id), r.store, r.location, r.available,
                                                         r.updated_at)) {
          st.reconcile_echoes_dropped++;
          note_reconcile_echo_dropped(st.ctx->metrics, r.group, r.store);
          return;
        }
      }
      h.received = std::chrono::steady_clock::now();
      // An actor spawned for a reconcile read leaves as soon as it is idle again: a round in bulk
      // brings a hint for every identity within a minute, and a million actors waiting for their
      // idle timeout would hold gigabytes.
      send_item(self, item_for(self, m, *id, false, nullptr, true), hint_atom::value, std::move(h));
    },
  };
}

} // namespace shopsync
