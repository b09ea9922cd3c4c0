#include "actors/item.hpp"

#include "actors/group_guard.hpp"
#include "actors/link_failure.hpp"
#include "actors/sync_metrics.hpp"
#include "domain/backoff.hpp"
#include "domain/iso8601.hpp"
#include "domain/mapping_diff.hpp"
#include "io/crash_point.hpp"
#include "io/json_writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace shopsync {

namespace {

using self_ptr = item_actor::stateful_pointer<item_holder>;

void execute(self_ptr self, const command& c, bool delayed);
void apply(self_ptr self, transition t, const level_hint* hint = nullptr);
void answer_read(self_ptr self, const command& c, const level_read_reply& r);
std::vector<std::pair<command, level_read_reply>> seeded_reads(item_holder& st, const transition& t);

// The group's stock_unstocked option goes into the state (persisted with it), and the levels
// that are not stocked into the stocking report whenever they change.
void follow_stocking_policy(self_ptr self) {
  auto& st = self->state;
  if (st.sm->stock_unstocked() != st.stock_unstocked)
    apply(self, st.sm->set_stock_unstocked(st.stock_unstocked));
}

void report_stocking(self_ptr self) {
  auto& st = self->state;
  auto now = unstocked_levels_of(st.sm->layout().identity, st.sm->view());
  if (now == st.reported)
    return;
  st.reported = now;
  st.ctx->stocking->update(st.group, st.sm->layout().identity, std::move(now));
}

// --- the group guard

// One-way Destinations' sets and the changes others made there, for the two-writer detector.
void note_for_two_writers(const item_holder& st, const audit_record& a) {
  if (!st.ctx->guards || a.at.store == 0 || st.sm->layout().mode == sync_mode::two_way || !a.after)
    return;
  if (a.kind == audit_kind::level_set)
    st.ctx->guards->level_set(st.group, st.sm->layout().identity, a.store, a.location, a.before, *a.after);
  else if (a.kind == audit_kind::external_change && a.before)
    st.ctx->guards->level_changed(st.group, st.sm->layout().identity, a.store, a.location, *a.before, *a.after);
}

std::optional<std::int64_t> known_at(const inventory_item_state& sm, level_ref at) {
  for (auto& v : sm.view())
    if (v.at == at)
      return v.known;
  return std::nullopt;
}

pending_write as_pending(const inventory_item_state& sm, const command& c) {
  auto before = known_at(sm, c.at);
  auto after = c.kind == op_kind::set ? c.target : before.value_or(0) + c.delta;
  return {c.at, c.store, c.location, before, after};
}

// While the group is held, the writes this identity owes (and those the guard holds) are its
// part of the group's plan; reported whenever they may have changed, cleared once released.
void report_owed(self_ptr self) {
  auto& st = self->state;
  if (!st.ctx->guards || (!st.owes_reported && !st.ctx->guards->holds(st.group)))
    return;
  auto owed = st.sm->would_write();
  for (auto& c : st.held)
    owed.push_back(as_pending(*st.sm, c));
  st.ctx->guards->owed(st.group, st.sm->layout().identity, owed);
  st.owes_reported = !owed.empty();
}

// A write passes the group guard before it is sent: held (kept, its op in flight in the state)
// while the group is planned or tripped, or when it trips the breaker (the router then holds
// the whole group). Approved writes pass without being counted; so do a one-way group's undo
// adjusts: the merchant ordered them while the group is held (guard_control.hpp).
bool held_by_guard(self_ptr self, const command& c) {
  auto& st = self->state;
  if (c.kind == op_kind::read || !st.ctx->guards || st.bypass_guard || st.sm->is_undo(c))
    return false;
  // A resync changed this identity's mapping and its alignment would write: the group is
  // planned first (the guard then holds this write like any other).
  if (st.realigning && st.ctx->guards->replan_for(st.group, st.sm->layout().identity))
    self->send(st.router, guard_atom::value, st.group, std::string("hold"));
  auto w = as_pending(*st.sm, c);
  auto d = st.ctx->guards->admit(st.group, c.store, c.item, c.location, w.before, w.after);
  if (d == breaker_decision::pass)
    return false;
  st.held.push_back(c);
  if (d == breaker_decision::tripped_now)
    self->send(st.router, guard_atom::value, st.group, std::string("hold"));
  report_owed(self);
  return true;
}

// Keeps the state paused while the group is held or the merchant paused it.
void follow_pause(self_ptr self) {
  auto& st = self->state;
  bool want = st.guarded || st.user_paused;
  if (st.sm->paused() != want)
    apply(self, st.sm->set_paused(want));
}

void on_guard(self_ptr self, const std::string& action) {
  auto& st = self->state;
  if (action == "hold") {
    st.guarded = true;
    follow_pause(self);
  } else if (action == "approve") {
    st.guarded = false;
    st.bypass_guard = true;
    auto held = std::move(st.held);
    st.held.clear();
    follow_pause(self);
    for (auto& c : held)
      execute(self, c, true);
    st.bypass_guard = false;
  } else if (action == "discard") {
    // Dropped, never sent: each level is read again and what it then owes is the new plan.
    st.guarded = true;
    follow_pause(self);
    auto held = std::move(st.held);
    st.held.clear();
    for (auto& c : held)
      apply(self, st.sm->write_failed(c.at, c.op_id, failure_kind::not_applied, "DISCARDED"));
    apply(self, st.sm->align());
  }
  report_owed(self);
}

// A new life of the identity (its layout changed): a new state, aligned from fresh reads. Its op
// ids start beyond the old life's, so no answer or outcome of the old life can be taken for
// one of the new life's.
void start_new_life(self_ptr self, item_layout layout, std::uint64_t min_epoch, bool paused) {
  auto& st = self->state;
  auto now = static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  st.sm.emplace(std::move(layout), std::max(now, min_epoch));
  if (paused)
    apply(self, st.sm->set_paused(true));
  follow_stocking_policy(self);
  st.realigning = st.ctx->guards != nullptr; // until this alignment is over (held_by_guard, apply)
  apply(self, st.sm->align());
}

// A remap waits until the old life has nothing in flight: its writes have landed (or failed)
// before the new life reads the levels, so none of them is later taken for a change made by
// someone else; and one actor holds the identity throughout, so no two lives write its state.
void switch_life_if_quiet(self_ptr self) {
  auto& st = self->state;
  if (!st.next_layout || st.sm->in_flight())
    return;
  auto layout = std::move(*st.next_layout);
  st.next_layout.reset();
  st.slot_names.clear();
  for (auto& sl : layout.slots)
    st.slot_names.push_back(sl.name);
  spdlog::info("item group={} identity={}: mapping changed under a live actor, starting a new state", st.group,
               layout.identity);
  start_new_life(self, std::move(layout), st.sm->next_op_id(), st.sm->paused());
}

// Every sale held gets the whole grace period: a newer timer makes older ones void.
void arm_release(self_ptr self) {
  auto& st = self->state;
  self->delayed_send(self, st.hold, release_atom::value, ++st.hold_timer);
}

// The machine, told at which of its stores reads are scarce (the bucket not nearly full
// there: hints the times cannot order are deferred, not read at once), before an input.
inventory_item_state& sense_pressure(item_holder& st) {
  auto& sm = *st.sm;
  const auto& stores = sm.layout().stores;
  for (std::size_t i = 0; i < stores.size(); ++i)
    sm.set_reads_scarce(i, st.ctx && st.ctx->pressure && st.ctx->pressure->scarce(stores[i].store));
  return sm;
}

// A level taken provisionally or set aside is read once the delay is over, unless an exact answer
// verified it first. One timer for the item, armed by the first such level: no level waits
// longer than the delay, and a busy item does not push its verification back for ever.
void arm_verify(self_ptr self) {
  auto& st = self->state;
  if (st.verify_armed || !st.sm->unverified())
    return;
  st.verify_armed = true;
  self->delayed_send(self, st.ctx->cfg.daemon.verify_after, verify_atom::value);
}

// An actor started for its start-up work leaves once that work is done (see item.hpp).
// It asks at every idle moment until the router agrees: the router refuses only when it has
// sent something since, and that message brings the actor here again once handled. Such an
// actor arms no idle timer: a pending delayed message would keep the quit actor's memory for a
// whole interval, for each of a million identities.
void leave_if_done(self_ptr self) {
  auto& st = self->state;
  if (!st.leave_when_idle || !st.sm->idle() || st.sm->paused() || st.asked_at == st.from_router)
    return;
  st.asked_at = st.from_router;
  self->send(st.router, passivate_atom::value, st.key, st.from_router);
}

// A location as the merchant knows it: its name (the Source's, which by-name matching shares
// with every store; a Destination of explicit pairs keeps its id), else its id.
std::string location_label(const item_holder& st, const store_name& store, location_id loc) {
  auto* g = st.ctx->cfg.find_group(st.group);
  if (!st.names || !g)
    return std::to_string(loc);
  // The mapping's stores are in group order: the Source, then the Destinations.
  std::optional<std::size_t> at;
  if (store == g->source)
    at = 0;
  else if (g->locations_by_name)
    for (std::size_t i = 0; i < g->destinations.size(); ++i)
      if (g->destinations[i] == store)
        at = i + 1;
  if (at)
    for (auto& slot : st.names->locations().slots)
      if (slot.in_store(*at) == loc)
        return "\"" + slot.name + "\"";
  return std::to_string(loc);
}

// One info line per level a confirmed write of ours changed, a warning per level blocked.
void log_outcome(const item_holder& st, const audit_record& a) {
  auto text = [](const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : std::string("?"); };
  switch (a.kind) {
    case audit_kind::level_set:
    case audit_kind::delta_propagated:
      if (a.before != a.after)
        spdlog::info("group {}: {} in store {} at location {}: {} -> {} ({})", st.group, st.sm->layout().identity,
                     a.store, location_label(st, a.store, a.location), text(a.before), text(a.after), a.cause);
      break;
    case audit_kind::error:
      spdlog::warn("group {}: {} in store {} at location {} is blocked: {} (shopsyncctl item {})", st.group,
                   st.sm->layout().identity, a.store, location_label(st, a.store, a.location), a.cause,
                   st.sm->layout().identity);
      break;
    default: break;
  }
}

// The level watch and the sync lag after a transition: a webhook that made a level dirty, or
// that was taken as it is (newer than what was known: no read), starts the clock; it stops
// when every level is settled again, and counts if a write was confirmed.
void watch_levels(self_ptr self, const transition& t, const level_hint* hint) {
  auto& st = self->state;
  const auto now = std::chrono::steady_clock::now();
  const bool webhook_changed = t.verdict == hint_verdict::taken || t.verdict == hint_verdict::provisional ||
                               t.verdict == hint_verdict::differs || t.verdict == hint_verdict::in_flight ||
                               t.verdict == hint_verdict::unknown;
  if (webhook_changed && hint && hint->inbox_seq != 0 && hint->received != std::chrono::steady_clock::time_point{} &&
      (!st.lag_from || hint->received < *st.lag_from))
    st.lag_from = hint->received;
  for (auto& a : t.audit)
    if (a.kind == audit_kind::level_set || a.kind == audit_kind::delta_propagated)
      st.lag_wrote = true;
  std::size_t unsettled = 0;
  for (auto& v : st.sm->view())
    if (v.dirty || v.in_flight != op_kind::none)
      ++unsettled;
  if (unsettled != st.unsettled) {
    st.unsettled = unsettled;
    st.ctx->watch->update(st.group, st.sm->layout().identity, unsettled, now);
  }
  if (unsettled == 0 && st.lag_from) {
    if (st.lag_wrote)
      observe_sync_lag(st.ctx->metrics, st.group, now - *st.lag_from);
    st.lag_from.reset();
    st.lag_wrote = false;
  }
}

// Records a transition (and, when it answers an inbox entry, the entry's mark) in one batch,
// then sends its commands. Nothing is sent when the record cannot be written: the inbox
// entry then stays unapplied and is replayed after a restart.
void apply(self_ptr self, transition t, const level_hint* hint) {
  auto& st = self->state;
  state_store::batch b;
  b.put(column::levels, st.key, st.sm->encode());
  auto now = std::chrono::system_clock::now();
  for (auto& a : t.audit) {
    audit_entry e{now, st.group, st.sm->layout().identity, a.store, a.location, to_string(a.kind),
                  a.before, a.after, a.delta, a.cause};
    st.ctx->audit->append(b, e);
    note_for_two_writers(st, a);
    spdlog::debug("item group={} identity={} store={} location={} {} before={} after={} cause={}", st.group,
                  e.subject, a.store, a.location, e.kind, a.before ? std::to_string(*a.before) : "-",
                  a.after ? std::to_string(*a.after) : "-", a.cause);
    log_outcome(st, a);
  }
  if (hint && hint->inbox_seq && st.ctx->mark_applied &&
      (!hint->remaining || hint->remaining->fetch_sub(1) == 1))
    st.ctx->mark_applied(b, hint->inbox_seq);
  // Not fsynced on its own: an item transition only has to be durable before the write it
  // leads to reaches Shopify, and the store link fsyncs its outbox batch (same WAL, later in
  // it) before sending; a lost read or hint is re-derived from the inbox entry, which stays
  // unapplied when this record is lost. So a power cut cannot make a write apply twice, and
  // the item path does not pay an fsync per transition.
  if (auto w = st.ctx->store->write(b, false); !w) {
    spdlog::error("item group={} identity={}: cannot persist state, holding its commands: {}", st.group,
                  st.sm->layout().identity, w.error().message);
    return;
  }
  if (!t.commands.empty())
    crash_point("after_intent_persisted");
  auto seeded = seeded_reads(st, t);
  for (auto& c : t.commands)
    if (std::none_of(seeded.begin(), seeded.end(), [&](const auto& s) { return s.first.op_id == c.op_id; }))
      execute(self, c, false);
  if (t.held)
    arm_release(self);
  arm_verify(self);
  watch_levels(self, t, hint);
  report_stocking(self);
  report_owed(self);
  if (st.realigning && st.sm->idle()) { // aligned without a write: it plans nothing
    st.realigning = false;
    st.ctx->guards->realigned(st.group, st.sm->layout().identity);
  }
  switch_life_if_quiet(self);
  leave_if_done(self);
  for (auto& [c, r] : seeded)
    answer_read(self, c, r);
}

void answer_read(self_ptr self, const command& c, const level_read_reply& r) {
  auto& sm = sense_pressure(self->state);
  spdlog::debug("item group={} identity={} store={} location={} op={} read answered ok={}", self->state.group,
                sm.layout().identity, c.store, c.location, c.op_id, r.ok);
  if (!r.ok)
    apply(self, sm.read_failed(c.at, c.op_id, link_failure_kind(r.err), r.err.code));
  else if (r.inactive)
    apply(self, sm.read_not_stocked(c.at, c.op_id, stocking::inactive, r.available));
  else if (!r.stocked)
    apply(self, sm.read_not_stocked(c.at, c.op_id, stocking::not_stocked));
  else
    apply(self, sm.read_result(c.at, c.op_id, r.available, r.updated_at));
}

// The reads of a new state's first alignment that a level snapshot answers (the seed is used
// once: later reads go to the store). They are answered at the end of the transition that asked
// them, before the actor takes its next message: any hint reaches the state after the value.
std::vector<std::pair<command, level_read_reply>> seeded_reads(item_holder& st, const transition& t) {
  std::vector<std::pair<command, level_read_reply>> out;
  if (!st.seed || std::none_of(t.commands.begin(), t.commands.end(),
                               [](const command& c) { return c.kind == op_kind::read; }))
    return out;
  auto seed = std::move(st.seed);
  st.seed.reset();
  for (auto& c : t.commands) {
    if (c.kind != op_kind::read || c.attempt > 0)
      continue;
    auto it = seed->find(c.store);
    if (it == seed->end() || !it->second)
      continue;
    if (auto r = it->second->answer(level_key{c.item, c.location}))
      out.emplace_back(c, *r);
  }
  return out;
}

void execute(self_ptr self, const command& c, bool delayed) {
  auto& st = self->state;
  if (c.attempt > 0 && !delayed) {
    // A retry of the same op: back off first (same op id, same idempotency key).
    std::uniform_real_distribution<double> u(0.0, 1.0);
    auto d = operation_retry_delay(st.ctx->retry_base, st.ctx->retry_max, c.attempt, u(st.jitter));
    self->delayed_send(self, d, resend_atom::value, c);
    return;
  }
  if (held_by_guard(self, c))
    return;
  auto* link = st.ctx->link(c.store);
  if (!link) {
    auto t = c.kind == op_kind::read ? st.sm->read_failed(c.at, c.op_id, failure_kind::permanent, "NO_STORE_LINK")
                                     : st.sm->write_failed(c.at, c.op_id, failure_kind::permanent, "NO_STORE_LINK");
    apply(self, std::move(t));
    return;
  }
  spdlog::debug("item group={} identity={} store={} location={} op={} {} sent attempt={}", st.group,
                st.sm->layout().identity, c.store, c.location, c.op_id, to_string(c.kind), c.attempt);
  if (c.kind == op_kind::read) {
    self->request(*link, caf::infinite, level_read_atom::value, level_key{c.item, c.location})
      .then(
        [self, c](const level_read_reply& r) { answer_read(self, c, r); },
        [self, c](const caf::error& e) {
          apply(self, self->state.sm->read_failed(c.at, c.op_id, failure_kind::transient, "LINK_DOWN"));
        });
    return;
  }
  write_intent w;
  w.kind = c.kind == op_kind::set ? write_kind::set : write_kind::adjust;
  w.item = c.item;
  w.location = c.location;
  w.quantity = c.kind == op_kind::set ? c.target : c.delta;
  w.change_from = c.change_from;
  w.op_id = c.op_id;
  self->request(*link, caf::infinite, inv_write_atom::value, w)
    .then(
      [self, c](const inventory_write_reply& r) {
        auto& sm = sense_pressure(self->state);
        switch (r.outcome) {
          case write_verdict::applied:
            return apply(self, sm.write_result(c.at, c.op_id, r.quantity_after, r.created_at));
          case write_verdict::applied_unseen: return apply(self, sm.write_applied_unseen(c.at, c.op_id));
          case write_verdict::refused:
          case write_verdict::unknown:
            return apply(self, sm.write_failed(c.at, c.op_id, link_failure_kind(r.err), r.err.code));
        }
      },
      [self, c](const caf::error&) {
        apply(self, self->state.sm->write_failed(c.at, c.op_id, failure_kind::transient, "LINK_DOWN"));
      });
}

// The merchant's controls of a one-way Destination level: its buffer and share, and the Source
// locations (by name) whose sum it follows.
void write_controls(json_writer& w, const item_holder& st, const level_view& v) {
  if (v.at.store == 0)
    return;
  auto name = [&](std::size_t slot) {
    return slot < st.slot_names.size() && !st.slot_names[slot].empty() ? st.slot_names[slot] : std::to_string(slot);
  };
  if (!v.rule.plain())
    w.key("rule").begin_object().field("buffer", v.rule.buffer).field("percent", v.rule.percent).end_object();
  if (!v.sum_of.empty()) {
    w.key("sum_of").begin_array().value(name(v.at.slot));
    for (auto s : v.sum_of)
      w.value(name(s));
    w.end_array();
  }
  if (!v.rule.plain() || !v.sum_of.empty())
    w.field("follows", v.follows);
}

std::string view_json(const item_holder& st) {
  json_writer w;
  auto& sm = *st.sm;
  w.begin_object().field("group", st.group).field("identity", sm.layout().identity);
  w.field("mode", to_string(sm.layout().mode)).field("paused", sm.paused()).field("idle", sm.idle());
  w.key("levels").begin_array();
  for (auto& v : sm.view()) {
    w.begin_object().field("store", v.store);
    std::optional<std::string> name;
    if (st.ctx && st.ctx->locations)
      name = st.ctx->locations->name_of(v.store, v.location);
    w.field("location", name.value_or(std::to_string(v.location)));
    w.field("location_id", static_cast<std::uint64_t>(v.location));
    w.field("slot", static_cast<std::uint64_t>(v.at.slot)).field("known", v.known);
    // The second in which the level held `known` (UTC; null: unknown), +-1 s when a write's
    // createdAt told it.
    w.field("known_at", v.known_at ? std::optional<std::string>(iso8601_utc(*v.known_at)) : std::nullopt);
    if (v.known_at && v.known_at_slack)
      w.field("known_at_within_s", static_cast<std::int64_t>(write_time_slack));
    w.field("in_flight", to_string(v.in_flight));
    if (v.in_flight != op_kind::none)
      w.field("op_id", v.op_id).field("op_value", v.op_value);
    w.field("pending_target", v.pending_target).field("pending_delta", v.pending_delta);
    w.field("dirty", v.dirty).field("aligned", v.aligned).field("held", v.held).field("unverified", v.unverified);
    if (!v.blocked.empty())
      w.field("blocked", v.blocked);
    if (v.stock != stocking::stocked)
      w.field("stocking", to_string(v.stock));
    write_controls(w, st, v);
    w.end_object();
  }
  w.end_array().end_object();
  return std::move(w).str();
}

} // namespace

bool item_needs_actor(const std::string& stored, const item_layout& layout) {
  auto decoded = inventory_item_state::decode(stored);
  if (!decoded || !same_layout(decoded->layout(), layout))
    return true;
  return !decoded->idle() || decoded->paused() ||
         !unstocked_levels_of(layout.identity, decoded->view()).empty();
}

bool reconcile_read_is_echo(const std::string& stored, const item_layout& layout, const store_name& store,
                            location_id location, std::int64_t available, std::optional<shopify_time> updated_at) {
  auto decoded = inventory_item_state::decode(stored);
  if (!decoded || !same_layout(decoded->layout(), layout))
    return false;
  if (!decoded->idle() || decoded->paused() || !unstocked_levels_of(layout.identity, decoded->view()).empty())
    return false; // as item_needs_actor: its actor would have work at start-up
  auto at = decoded->find_level(store, location);
  return at && decoded->echo_of(*at, available, updated_at);
}

std::string item_state_key(const std::string& group, const std::string& identity) {
  std::string k = group;
  k.push_back('\0');
  k += identity;
  return k;
}

item_actor::behavior_type item(item_actor::stateful_pointer<item_holder> self, const sync_context* ctx,
                               std::string group, item_layout layout, router_actor router, bool leave_when_idle,
                               group_mapping_ptr names) {
  auto& st = self->state;
  st.leave_when_idle = leave_when_idle;
  st.names = std::move(names);
  st.ctx = ctx;
  st.router = std::move(router);
  st.group = std::move(group);
  st.key = item_state_key(st.group, layout.identity);
  for (auto& sl : layout.slots)
    st.slot_names.push_back(sl.name);
  if (auto* g = ctx->cfg.find_group(st.group)) {
    st.hold = g->orders.destination_hold;
    st.stock_unstocked = g->stock_unstocked;
  }
  st.guarded = ctx->guards && ctx->guards->holds(st.group);
  auto stored = ctx->store->get(column::levels, st.key);
  bool fresh = true;
  std::uint64_t min_epoch = 0;
  if (stored && *stored) {
    auto decoded = inventory_item_state::decode(**stored);
    if (decoded && same_layout(decoded->layout(), layout)) {
      st.sm.emplace(std::move(*decoded));
      fresh = false;
    } else {
      if (decoded)
        min_epoch = decoded->next_op_id();
      spdlog::info("item group={} identity={}: mapping changed, starting a new state", st.group, layout.identity);
    }
  }
  if (fresh) {
    // Seeded only when nothing of the identity is on disk: a state (even of another layout) may
    // have taken hints newer than the snapshot.
    if (!stored || *stored)
      st.seed.reset();
    start_new_life(self, std::move(layout), min_epoch, st.guarded);
    st.seed.reset();
  } else {
    st.seed.reset();
    st.user_paused = st.sm->paused() && !st.guarded; // a pause that outlived a restart is the merchant's
    if (ctx->guards) // its state fits the mapping: nothing to align anew
      ctx->guards->realigned(st.group, st.sm->layout().identity);
    if (st.guarded && !st.sm->paused())
      apply(self, st.sm->set_paused(true));
    // Operations in flight when the daemon stopped: the same op ids and keys again.
    for (auto& c : st.sm->restart().commands)
      execute(self, c, true);
    if (st.sm->holding())
      arm_release(self);
    arm_verify(self);
    follow_stocking_policy(self);
    report_stocking(self);
    leave_if_done(self);
  }
  if (ctx->item_idle_timeout.count() > 0 && !st.leave_when_idle)
    self->delayed_send(self, ctx->item_idle_timeout, passivate_atom::value);
  return {
    [self](hint_atom, const level_hint& h) {
      self->state.from_router++;
      auto& sm = sense_pressure(self->state);
      auto at = sm.find_level(h.store, h.location);
      if (!at) {
        transition none;
        apply(self, std::move(none), &h); // still marks the inbox entry
        return;
      }
      switch (h.change) {
        case level_hint::stocking_change::connected: return apply(self, sm.connected(*at), &h);
        case level_hint::stocking_change::disconnected: return apply(self, sm.disconnected(*at), &h);
        case level_hint::stocking_change::none: break;
      }
      auto t = sm.hint(*at, h.available, h.updated_at);
      // A reconcile read (no inbox entry) that differs from what is known, with nothing in
      // flight, and is not older than it: a webhook that was lost or late (healed now, or by the
      // verification of a value its time could not order).
      if (h.inbox_seq == 0 && (t.verdict == hint_verdict::differs || t.verdict == hint_verdict::taken ||
                               t.verdict == hint_verdict::provisional || t.verdict == hint_verdict::set_aside))
        note_reconcile_healed(self->state.ctx->metrics, self->state.group, h.store);
      apply(self, std::move(t), &h);
    },
    [self](align_atom) {
      self->state.from_router++;
      apply(self, self->state.sm->align());
    },
    [self](pause_atom, bool paused) {
      self->state.from_router++;
      self->state.user_paused = paused;
      apply(self, self->state.sm->set_paused(paused || self->state.guarded));
    },
    [self](resend_atom, const command& c) { execute(self, c, true); },
    [self](remap_atom, item_layout& layout) {
      auto& st = self->state;
      st.from_router++;
      if (same_layout(st.sm->layout(), layout)) {
        st.next_layout.reset(); // back to the layout it has: nothing to do
        if (st.ctx->guards)
          st.ctx->guards->realigned(st.group, layout.identity);
      } else {
        // A store whose variant left the identity (deleted there; the domain's unmapped_stores):
        // nothing more is written to it from now on, while the old life finishes what is in
        // flight elsewhere.
        transition unmapped;
        for (auto i : unmapped_stores(st.sm->layout(), layout)) {
          auto u = st.sm->unmap_store(i);
          unmapped.audit.insert(unmapped.audit.end(), u.audit.begin(), u.audit.end());
        }
        st.next_layout = std::move(layout);
        if (!unmapped.audit.empty())
          apply(self, std::move(unmapped)); // may start the new life at once (nothing in flight)
      }
      switch_life_if_quiet(self);
    },
    [self](release_atom, std::uint64_t timer) {
      auto& st = self->state;
      if (timer == st.hold_timer && st.sm->holding())
        apply(self, st.sm->release_holds());
    },
    [self](verify_atom) {
      auto& st = self->state;
      st.verify_armed = false;
      if (st.sm->unverified())
        apply(self, st.sm->verify());
    },
    [self](view_atom) -> std::string {
      self->state.from_router++;
      auto json = view_json(self->state);
      leave_if_done(self);
      return json;
    },
    [self](passivate_atom) {
      auto& st = self->state;
      // Idle for a whole interval: nothing in flight (so no answer or resend can arrive), and
      // no router message since the last tick.
      if (st.from_router == st.at_last_tick && st.sm->idle() && !st.sm->paused())
        self->send(st.router, passivate_atom::value, st.key, st.from_router);
      st.at_last_tick = st.from_router;
      self->delayed_send(self, st.ctx->item_idle_timeout, passivate_atom::value);
    },
    [self](shutdown_atom) { self->quit(); },
    [self](undo_atom, const std::string& store, location_id location, std::int64_t delta, const std::string& cause) {
      self->state.from_router++;
      auto& sm = *self->state.sm;
      if (auto at = sm.find_level(store, location))
        apply(self, sm.undo(*at, delta, cause));
    },
    [self](guard_atom, const std::string& action) {
      self->state.from_router++;
      on_guard(self, action);
    },
  };
}

item_actor::behavior_type seeded_item(item_actor::stateful_pointer<item_holder> self, const sync_context* ctx,
                                      std::string group, item_layout layout, router_actor router,
                                      bool leave_when_idle, group_mapping_ptr names,
                                      std::shared_ptr<const level_snapshots> seed) {
  self->state.seed = std::move(seed);
  return item(self, ctx, std::move(group), std::move(layout), std::move(router), leave_when_idle, std::move(names));
}

} // namespace shopsync
