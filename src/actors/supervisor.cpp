#include "actors/supervisor.hpp"

#include "actors/router.hpp"
#include "actors/store_link.hpp"
#include "actors/subscription_keeper.hpp"
#include "io/control_protocol.hpp"
#include "io/token_source.hpp"

#include <memory>

#include <spdlog/spdlog.h>

namespace shopsync {

namespace {

using self_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

void spawn_router(self_ptr self) {
  auto& st = self->state;
  st.router = self->spawn(router, st.env.ctx);
  self->monitor(st.router);
}

// One subscription keeper per store; not restarted (like the links), told to quit at shutdown.
void spawn_keepers(self_ptr self) {
  auto& ctx = *self->state.env.ctx;
  for (auto& s : ctx.cfg.stores) {
    subscription_keeper_options o;
    o.store = s;
    o.link = ctx.links.at(s.name);
    o.supervisor = caf::actor_cast<supervisor_actor>(self);
    auto k = self->spawn(subscription_keeper, &ctx, std::move(o));
    ctx.keepers.emplace(s.name, k);
    self->send(k, subs_check_atom::value, true);
  }
}

void spawn_control(self_ptr self) {
  auto& st = self->state;
  st.control = self->spawn(control, control_env{st.env.facts, st.env.ctx, st.router, st.env.inbox_depth});
  self->monitor(st.control);
}

} // namespace

supervisor_actor::behavior_type supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
                                           supervisor_env env) {
  auto& st = self->state;
  st.env = std::move(env);
  if (st.env.ctx) {
    auto& ctx = *st.env.ctx;
    for (auto& s : ctx.cfg.stores) {
      store_link_options o;
      o.store = s;
      o.batching_window = ctx.cfg.daemon.batching_window;
      o.idempotency_key_max_age = ctx.cfg.daemon.idempotency_key_max_age;
      o.io = st.env.io;
      o.db = ctx.store;
      o.tokens = make_token_source({s, ctx.cfg.find_app(s.app), st.env.io, ctx.store});
      st.tokens.emplace(s.name, o.tokens);
      o.unauthorized_probe = ctx.cfg.daemon.unauthorized_probe;
      o.metrics = ctx.metrics;
      o.health = ctx.health;
      o.pressure = ctx.pressure;
      auto link = spawn_store_link(self->home_system(), o);
      // Not restarted: its handle is shared by every actor (a dead link is logged below).
      self->monitor(link);
      ctx.links.emplace(s.name, link);
    }
    spawn_keepers(self);
    spawn_router(self);
  }
  spawn_control(self);
  self->set_down_handler([self](const caf::down_msg& msg) {
    auto& st = self->state;
    if (msg.reason == caf::exit_reason::user_shutdown || !msg.reason)
      return;
    if (msg.source == st.router.address()) {
      spdlog::error("supervisor: router died ({}), restarting it", caf::to_string(msg.reason));
      spawn_router(self);
      self->send_exit(st.control, caf::exit_reason::user_shutdown);
      spawn_control(self); // it holds the router's handle
    } else if (msg.source == st.control.address()) {
      spdlog::error("supervisor: control actor died ({}), restarting it", caf::to_string(msg.reason));
      spawn_control(self);
    } else {
      spdlog::critical("supervisor: a store link died ({}); restart shopsyncd", caf::to_string(msg.reason));
    }
  });
  return {
    [self](control_atom atm, const std::string& cmd, const std::string& args) {
      return self->delegate(self->state.control, atm, cmd, args);
    },
    [self](event_atom atm, std::uint64_t seq, webhook_envelope& env) {
      if (self->state.router)
        self->send(self->state.router, atm, seq, std::move(env));
    },
    [self](reconcile_atom atm, const std::string& group) {
      if (self->state.router)
        self->send(self->state.router, atm, group);
    },
    [self](order_recon_atom atm, const std::string& group) {
      if (self->state.router)
        self->request(self->state.router, std::chrono::minutes(5), atm, group, std::string(R"({"action":"reconcile"})"))
          .then([](const std::string&) {}, [group](const caf::error& e) {
            spdlog::warn("supervisor: order reconcile of group {} failed: {}", group, caf::to_string(e));
          });
    },
    [self](link_auth_atom atm, const std::string& store, const std::string& what) {
      if (self->state.env.ctx)
        if (auto* link = self->state.env.ctx->link(store))
          self->send(*link, atm, what);
    },
    [self](reload_atom, const config_ptr& cfg) {
      // Secrets and token files were read again: each token source takes its store's, and a
      // link whose store is unauthorized probes at once with it.
      auto& st = self->state;
      for (auto& s : cfg->stores) {
        auto it = st.tokens.find(s.name);
        if (it == st.tokens.end())
          continue; // a store added: it needs a restart (the reload said so)
        it->second->update(s, cfg->find_app(s.app));
        if (st.env.ctx)
          if (auto* link = st.env.ctx->link(s.name))
            self->send(*link, link_auth_atom::value, std::string("token_changed"));
      }
    },
    [self](watchdog_atom) -> caf::result<daemon_health> {
      // Through the router and every store link: an answer means none of them is stuck.
      auto& st = self->state;
      auto rp = self->make_response_promise<daemon_health>();
      if (!st.env.ctx || !st.router) {
        rp.deliver(daemon_health{});
        return rp;
      }
      auto timeout = std::chrono::seconds(5);
      self->request(st.router, timeout, watchdog_atom::value)
        .then(
          [self, rp, timeout](std::uint64_t syncing, std::uint64_t groups) mutable {
            auto& links = self->state.env.ctx->links;
            auto h = std::make_shared<daemon_health>();
            h->groups = groups;
            h->groups_syncing = syncing;
            h->stores = links.size();
            if (links.empty()) {
              rp.deliver(*h);
              return;
            }
            auto left = std::make_shared<std::size_t>(links.size());
            for (auto& [name, link] : links)
              self->request(link, timeout, link_status_atom::value)
                .then(
                  [rp, h, left](const store_link_status& s) mutable {
                    if (*left == 0) // an error was answered already
                      return;
                    if (s.unauthorized)
                      ++h->stores_unauthorized;
                    if (--*left == 0)
                      rp.deliver(*h);
                  },
                  [rp, left](const caf::error& e) mutable {
                    if (*left == 0)
                      return;
                    *left = 0;
                    rp.deliver(e);
                  });
          },
          [rp](const caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
    [self](shutdown_atom) {
      auto& st = self->state;
      spdlog::info("supervisor: shutting down");
      if (st.router)
        self->send_exit(st.router, caf::exit_reason::user_shutdown);
      self->send_exit(st.control, caf::exit_reason::user_shutdown);
      if (st.env.ctx)
        for (auto& [name, link] : st.env.ctx->links)
          self->send_exit(link, caf::exit_reason::user_shutdown);
      if (st.env.ctx)
        for (auto& [name, keeper] : st.env.ctx->keepers)
          self->send_exit(keeper, caf::exit_reason::user_shutdown);
      self->quit(caf::exit_reason::user_shutdown);
    },
  };
}

} // namespace shopsync
