#include "actors/reconciler.hpp"

#include "actors/sync_metrics.hpp"
#include "domain/bulk_level_gaps.hpp"
#include "io/bulk_download.hpp"
#include "io/graphql_documents.hpp"
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
          reconcile_hint h{st.group.name, identity, store, item, location, r.stocked, r.available, r.updated_at};
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
    if (!st.by_query.empty() && !st.by_query[group_index * slots.size() + k])
      continue; // read through a bulk operation
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

// --- A store's levels through a bulk operation.

// Lines are parsed on the io thread and sent here in chunks; the read is over when the
// operation ended and every level it held arrived (the chunks and the reply travel apart).
constexpr std::size_t bulk_chunk_levels = 2000;

struct bulk_levels_sink {
  caf::actor_addr reconciler;
  std::uint64_t load = 0;
  std::size_t store = 0;
  std::vector<level_value> chunk;
  std::uint64_t levels = 0;
  bulk_bad_lines bad;

  void send() {
    auto strong = caf::actor_cast<caf::strong_actor_ptr>(reconciler);
    if (strong && !chunk.empty())
      caf::anon_send(caf::actor_cast<reconciler_actor>(strong), bulk_levels_atom::value, load, store,
                     std::move(chunk));
    chunk = {};
    chunk.reserve(bulk_chunk_levels);
  }
};

// The walk by query, over what the bulk reads left to it.
void start_walk(self_ptr self) {
  auto& st = self->state;
  if (!st.bulk.empty())
    return;
  if (!st.by_query.empty() && std::none_of(st.by_query.begin(), st.by_query.end(), [](bool b) { return b; }))
    st.next_identity = st.round_mapping->identities().size(); // nothing left to read by query
  issue_more(self);
}

// A level of the file: a hint for its identity, as a read by query would have sent it.
void bulk_level(self_ptr self, std::size_t g, reconciler_state::bulk_read& b, const level_value& lv) {
  auto& st = self->state;
  const auto& m = *st.round_mapping;
  const auto& t = m.identities();
  const auto& store = t.stores()[g];
  auto slot = b.slot_of.find(lv.key.location);
  if (slot == b.slot_of.end())
    return; // a location the group does not map
  auto i = m.find(store, lv.key.item);
  if (!i || !t.has(*i, g) || t.ref(*i, g).item != lv.key.item)
    return; // an item the group does not map
  const auto slots = m.locations().slots.size();
  b.seen[*i * slots + slot->second] = true;
  b.listed.insert(lv.key.location);
  ++b.received;
  const bool stocked = lv.available.has_value() && lv.active;
  if (!stocked)
    ++b.not_stocked;
  reconcile_hint h{st.group.name, std::string(t.key(*i)), store, lv.key.item, lv.key.location, stocked,
                   stocked ? *lv.available : 0, lv.updated_at};
  self->send(st.router, hint_atom::value, std::move(h));
}

void bulk_count(self_ptr self, const store_name& store, std::uint64_t read, std::uint64_t not_stocked) {
  auto& st = self->state;
  auto& c = counts_of(self, store);
  c.read += read;
  c.not_stocked += not_stocked;
  if (auto* m = st.ctx->metrics)
    m->counter("shopsync_reconcile_levels_read_total", "Levels read by inventory reconcile rounds",
               {{"group", st.group.name}, {"store", store}})
      .inc(read);
}

// The file is read whole: what it leaves out is decided by find_bulk_level_gaps.
void bulk_done(self_ptr self, std::size_t g) {
  auto& st = self->state;
  auto it = st.bulk.find(g);
  auto& b = it->second;
  const auto& m = *st.round_mapping;
  const auto& t = m.identities();
  const auto& slots = m.locations().slots;
  const auto& store = t.stores()[g];
  auto gaps = find_bulk_level_gaps(t, slots, g, b.seen, b.listed);
  for (auto k : gaps.by_query)
    st.by_query[g * slots.size() + k] = true;
  for (auto [i, k] : gaps.not_stocked) {
    reconcile_hint h{st.group.name, std::string(t.key(i)), store, t.ref(i, g).item, *slots[k].in_store(g), false, 0,
                     std::nullopt};
    self->send(st.router, hint_atom::value, std::move(h));
  }
  const std::uint64_t unlisted = gaps.not_stocked.size();
  bulk_count(self, store, b.received + unlisted, b.not_stocked + unlisted);
  spdlog::info("reconcile group {}: {} levels of {} read through a bulk operation", st.group.name,
               b.received + unlisted, store);
  st.bulk.erase(it);
  start_walk(self);
}

void bulk_maybe_done(self_ptr self, std::size_t g) {
  auto it = self->state.bulk.find(g);
  if (it != self->state.bulk.end() && it->second.expected && it->second.arrived >= *it->second.expected)
    bulk_done(self, g);
}

// A failed bulk read: the store's levels are read by query (the hints already sent were hints:
// the item actors re-read what differed).
void bulk_failed(self_ptr self, std::size_t g, const std::string& why) {
  auto& st = self->state;
  const auto slots = st.round_mapping->locations().slots.size();
  const auto& store = st.round_mapping->identities().stores()[g];
  spdlog::warn("reconcile group {}: bulk read of {}'s levels failed ({}): reading them by query", st.group.name,
               store, why);
  for (std::size_t k = 0; k < slots; ++k)
    st.by_query[g * slots + k] = true;
  st.bulk.erase(g);
  start_walk(self);
}

void read_bulk(self_ptr self, std::size_t g, const store_link_actor& link) {
  auto& st = self->state;
  const auto& m = *st.round_mapping;
  const auto& slots = m.locations().slots;
  auto& b = st.bulk[g];
  b.load = ++st.bulk_loads;
  for (std::size_t k = 0; k < slots.size(); ++k)
    if (auto loc = slots[k].in_store(g))
      b.slot_of.emplace(*loc, k);
  b.seen.assign(m.identities().size() * slots.size(), false);
  auto sink = std::make_shared<bulk_levels_sink>();
  sink->reconciler = self->address();
  sink->load = b.load;
  sink->store = g;
  sink->chunk.reserve(bulk_chunk_levels);
  bulk_read_request req;
  req.query = std::string(graphql::bulk_levels);
  req.on_line = [sink](std::string_view line) {
    auto lv = sink->bad.take(admin_api::parse_level_line(line));
    if (!lv || !*lv)
      return; // unreadable, or a location's own line
    ++sink->levels;
    sink->chunk.push_back(**lv);
    if (sink->chunk.size() >= bulk_chunk_levels)
      sink->send();
  };
  req.on_end = [sink] { sink->send(); };
  const auto load = b.load;
  self->request(link, caf::infinite, bulk_atom::value, std::move(req))
    .then(
      [self, g, load, sink](const bulk_read_reply& r) {
        auto& st = self->state;
        auto it = st.bulk.find(g);
        if (it == st.bulk.end() || it->second.load != load)
          return;
        if (!r.ok)
          return bulk_failed(self, g, r.err.code + ": " + r.err.message);
        if (sink->bad.count)
          return bulk_failed(self, g, sink->bad.describe());
        it->second.expected = sink->levels;
        bulk_maybe_done(self, g);
      },
      [self, g, load](const caf::error& e) {
        auto it = self->state.bulk.find(g);
        if (it != self->state.bulk.end() && it->second.load == load)
          bulk_failed(self, g, "store link: " + caf::to_string(e));
      });
}

constexpr std::size_t hint_window = 20000;

// Takes chunks while fewer than a window of hints wait in the router; then asks the router a
// question (watchdog_atom: answered in order, after every hint sent before it) and goes on at
// its answer.
void drain_chunks(self_ptr self) {
  auto& st = self->state;
  while (!st.chunks.empty() && st.unacked < hint_window) {
    auto [g, levels] = std::move(st.chunks.front());
    st.chunks.pop_front();
    auto it = st.bulk.find(g);
    if (it == st.bulk.end())
      continue; // its bulk read failed meanwhile
    it->second.arrived += levels.size();
    st.unacked += levels.size();
    for (const auto& lv : levels)
      bulk_level(self, g, it->second, lv);
    bulk_maybe_done(self, g);
  }
  if (st.unacked >= hint_window && !st.ack_waiting) {
    st.ack_waiting = true;
    auto go_on = [self] {
      self->state.ack_waiting = false;
      self->state.unacked = 0;
      drain_chunks(self);
    };
    self->request(st.router, caf::infinite, watchdog_atom::value)
      .then([go_on](std::uint64_t, std::uint64_t) { go_on(); }, [go_on](const caf::error&) { go_on(); });
  }
}

void start_round(self_ptr self) {
  auto& st = self->state;
  if (st.running || !st.mapping)
    return;
  st.running = true;
  st.round_mapping = st.mapping;
  st.next_identity = st.next_store = st.next_slot = 0;
  st.outstanding = 0;
  st.by_query.clear();
  st.bulk.clear();
  st.chunks.clear();
  const auto& t = st.round_mapping->identities();
  const auto threshold = st.ctx->cfg.daemon.bulk_read_threshold;
  if (threshold > 0 && t.size() >= threshold) {
    st.by_query.assign(t.store_count() * st.round_mapping->locations().slots.size(), false);
    for (std::size_t g = 0; g < t.store_count(); ++g)
      if (auto* link = st.ctx->link(t.stores()[g]))
        read_bulk(self, g, *link);
  }
  start_walk(self);
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
    [self](bulk_levels_atom, std::uint64_t load, std::size_t g, std::vector<level_value>& levels) {
      auto& st = self->state;
      auto it = st.bulk.find(g);
      if (it == st.bulk.end() || it->second.load != load)
        return; // an abandoned bulk read
      st.chunks.emplace_back(g, std::move(levels));
      drain_chunks(self);
    },
  };
}

} // namespace shopsync
