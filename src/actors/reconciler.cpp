#include "actors/reconciler.hpp"

#include <spdlog/spdlog.h>

namespace shopsync {

namespace {

using self_ptr = reconciler_actor::stateful_pointer<reconciler_state>;

// The shop domain of a store, for the synthetic event.
const std::string& domain_of(const config& cfg, const store_name& s) {
  static const std::string none;
  auto* sc = cfg.find_store(s);
  return sc ? sc->shop_domain : none;
}

void round_done(self_ptr self) {
  auto& st = self->state;
  st.running = false;
  st.rounds++;
  spdlog::info("reconciler group={}: round {} done ({} levels read, {} errors)", st.group.name, st.rounds,
               st.levels_read, st.read_errors);
}

void start_round(self_ptr self) {
  auto& st = self->state;
  if (st.running || !st.mapping)
    return;
  st.running = true;
  st.outstanding = 0;
  auto& m = *st.mapping;
  auto& slots = m.locations().slots;
  auto& t = m.identities();
  for (std::size_t i = 0; i < t.size(); ++i) {
    for (std::size_t group_index = 0; group_index < t.store_count(); ++group_index) {
      if (!t.has(i, group_index))
        continue;
      // The table's stores are in group order (0 = Source): the slot's location in that store.
      const auto& store_name_ = t.stores()[group_index];
      auto* link = st.ctx->link(store_name_);
      if (!link)
        continue;
      for (auto& slot : slots) {
        std::optional<location_id> loc =
          group_index == 0 ? std::optional<location_id>(slot.source)
                           : (group_index - 1 < slot.destinations.size() ? slot.destinations[group_index - 1]
                                                                         : std::nullopt);
        if (!loc)
          continue;
        st.outstanding++;
        auto item = t.ref(i, group_index).item;
        auto store = store_name_;
        auto location = *loc;
        // The store link batches these reads (up to 250 per query).
        self->request(*link, caf::infinite, level_read_atom::value, level_key{item, location})
          .then(
            [self, item, store, location](const level_read_reply& r) {
              auto& st = self->state;
              if (!r.ok || !r.stocked) {
                if (!r.ok)
                  st.read_errors++;
              } else {
                st.levels_read++;
                webhook_envelope env;
                env.topic = "inventory_levels/update";
                env.shop_domain = domain_of(st.ctx->cfg, store);
                env.webhook_id = "reconcile";
                env.event = inventory_level_changed{item, location, r.available, ""};
                self->send(st.router, event_atom::value, std::uint64_t{0}, std::move(env));
              }
              if (--st.outstanding == 0)
                round_done(self);
            },
            [self](const caf::error&) {
              auto& st = self->state;
              st.read_errors++;
              if (--st.outstanding == 0)
                round_done(self);
            });
      }
    }
  }
  if (st.outstanding == 0)
    round_done(self);
}

} // namespace

reconciler_actor::behavior_type reconciler(reconciler_actor::stateful_pointer<reconciler_state> self,
                                           const sync_context* ctx, group_config group, router_actor router) {
  auto& st = self->state;
  st.ctx = ctx;
  st.group = std::move(group);
  st.router = std::move(router);
  return {
    [self](reconcile_atom, bool periodic) {
      start_round(self);
      if (periodic)
        self->delayed_send(self, self->state.ctx->cfg.daemon.reconcile_interval, reconcile_atom::value, true);
    },
    [self](mapping_atom, const group_mapping_ptr& m) {
      auto& st = self->state;
      bool first = !st.mapping;
      st.mapping = m;
      if (first)
        self->delayed_send(self, st.ctx->cfg.daemon.reconcile_interval, reconcile_atom::value, true);
    },
  };
}

} // namespace shopsync
