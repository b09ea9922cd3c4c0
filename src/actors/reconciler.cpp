#include "actors/reconciler.hpp"

#include "actors/sync_metrics.hpp"
#include "io/metrics.hpp"

#include <spdlog/spdlog.h>

namespace shopsync {

namespace {

using self_ptr = reconciler_actor::stateful_pointer<reconciler_state>;

constexpr std::size_t read_window = 2000; // reads in flight per group (8 queries of 250)

// The store's line of a round: its counts, and the levels the item actors found different
// meanwhile (their hints trail the last reads by a moment: the line is written a second later).
void log_store_round(const std::string& group, std::uint64_t round, const store_name& store,
                     const reconciler_state::round_counts& c, std::uint64_t healed) {
  spdlog::log(c.errors ? spdlog::level::warn : spdlog::level::info,
              "reconcile group {} round {}: store {}: {} levels read, {} differed (healed), {} not stocked, {} read "
              "errors{}{}",
              group, round, store, c.read, healed, c.not_stocked, c.errors, c.errors ? "; last: " : "", c.last_error);
}

void round_done(self_ptr self) {
  auto& st = self->state;
  st.running = false;
  st.round_mapping.reset();
  st.rounds++;
  auto* m = st.ctx->metrics;
  if (m) {
    m->counter("shopsync_reconcile_rounds_total", "Inventory reconcile rounds completed", {{"group", st.group.name}})
      .inc();
    m->gauge("shopsync_reconcile_last_round_timestamp_seconds", "Unix time the last inventory reconcile round ended",
             {{"group", st.group.name}})
      .set(static_cast<double>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count()));
  }
  auto counts = std::move(st.round);
  st.round.clear();
  // A one-shot actor writes the lines a second later, when the last hints have reached the items.
  self->home_system().spawn([group = st.group.name, round = st.rounds, counts, m](caf::event_based_actor* a)
                              -> caf::behavior {
    return {caf::after(std::chrono::seconds(1)) >> [a, group, round, counts, m] {
      for (auto& [store, c] : counts)
        log_store_round(group, round, store, c, reconcile_healed(m, group, store) - c.healed_before);
      a->quit();
    }};
  });
}

reconciler_state::round_counts& counts_of(self_ptr self, const store_name& store) {
  auto& st = self->state;
  auto [it, fresh] = st.round.try_emplace(store);
  if (fresh) {
    it->second.healed_before = reconcile_healed(st.ctx->metrics, st.group.name, store);
    if (auto* m = st.ctx->metrics) // shown at 0 before the first error, for rate() and alerts
      m->counter("shopsync_reconcile_errors_total", "Level reads of inventory reconcile rounds that failed",
                 {{"group", st.group.name}, {"store", store}});
  }
  return it->second;
}

void count_read(self_ptr self, const store_name& store, bool ok, const std::string& error = {}) {
  auto& st = self->state;
  auto& c = counts_of(self, store);
  if (ok) {
    ++c.read;
  } else {
    ++c.errors;
    c.last_error = error;
  }
  if (auto* m = st.ctx->metrics)
    m->counter(ok ? "shopsync_reconcile_levels_read_total" : "shopsync_reconcile_errors_total",
               ok ? "Levels read by inventory reconcile rounds" : "Level reads of inventory reconcile rounds that failed",
               {{"group", st.group.name}, {"store", store}})
      .inc();
}

void issue_more(self_ptr self);

void read_level(self_ptr self, const store_link_actor& link, const std::string& identity, inventory_item_id item,
                const store_name& store, location_id location) {
  self->state.outstanding++;
  // The store link batches these reads (up to 250 per query).
  self->request(link, caf::infinite, level_read_atom::value, level_key{item, location})
    .then(
      [self, identity, item, store, location](const level_read_reply& r) {
        auto& st = self->state;
        if (!r.ok) {
          count_read(self, store, false, r.err.code + ": " + r.err.message);
        } else {
          count_read(self, store, true);
          // Not stocked: as a lost inventory_levels/disconnect would have said (the item actor
          // stops writing there; a level it already knows to be unstocked is left alone).
          if (!r.stocked)
            ++counts_of(self, store).not_stocked;
          reconcile_hint h{st.group.name, identity, store, item, location, r.stocked, r.available};
          self->send(st.router, hint_atom::value, std::move(h));
        }
        st.outstanding--;
        issue_more(self);
      },
      [self, store](const caf::error& e) {
        auto& st = self->state;
        count_read(self, store, false, "store link: " + caf::to_string(e));
        st.outstanding--;
        issue_more(self);
      });
}

// Sends the round's next reads, up to the window; the round is done when the walk is over and
// every read answered.
void issue_more(self_ptr self) {
  auto& st = self->state;
  auto& m = *st.round_mapping;
  auto& t = m.identities();
  auto& slots = m.locations().slots;
  while (st.outstanding < read_window && st.next_identity < t.size()) {
    const auto i = st.next_identity, group_index = st.next_store, k = st.next_slot;
    if (++st.next_slot >= slots.size()) {
      st.next_slot = 0;
      if (++st.next_store >= t.store_count()) {
        st.next_store = 0;
        ++st.next_identity;
      }
    }
    if (k >= slots.size() || !t.has(i, group_index))
      continue;
    // The table's stores are in group order (0 = Source).
    auto loc = slots[k].in_store(group_index);
    const auto& store = t.stores()[group_index];
    auto* link = st.ctx->link(store);
    if (!loc || !link)
      continue;
    read_level(self, *link, std::string(t.key(i)), t.ref(i, group_index).item, store, *loc);
  }
  if (st.outstanding == 0 && st.next_identity >= t.size())
    round_done(self);
}

void start_round(self_ptr self) {
  auto& st = self->state;
  if (st.running || !st.mapping)
    return;
  st.running = true;
  st.round_mapping = st.mapping;
  st.next_identity = st.next_store = st.next_slot = 0;
  st.outstanding = 0;
  issue_more(self);
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
