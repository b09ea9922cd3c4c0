#include "domain/inventory_item_state.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <utility>

namespace shopsync {

sync_mode sync_mode_for(sync_strategy s) {
  switch (s) {
    case sync_strategy::two_way: return sync_mode::two_way;
    case sync_strategy::order: return sync_mode::follow_orders;
    default: return sync_mode::one_way;
  }
}

sync_mode sync_mode_for(const group_config& g) {
  if (g.strategy == sync_strategy::order &&
      (g.orders.inventory_behaviour == "BYPASS" || g.orders.destination_hold.count() <= 0))
    return sync_mode::one_way;
  return sync_mode_for(g.strategy);
}

const char* to_string(sync_mode m) {
  switch (m) {
    case sync_mode::one_way: return "one_way";
    case sync_mode::two_way: return "two_way";
    case sync_mode::follow_orders: return "follow_orders";
  }
  return "?";
}

const char* to_string(op_kind k) {
  switch (k) {
    case op_kind::none: return "none";
    case op_kind::read: return "read";
    case op_kind::set: return "set";
    case op_kind::adjust: return "adjust";
  }
  return "?";
}

const char* to_string(audit_kind k) {
  switch (k) {
    case audit_kind::echo_dropped: return "echo_dropped";
    case audit_kind::hint_ignored: return "hint_ignored";
    case audit_kind::hint_dirty: return "hint_dirty";
    case audit_kind::observed: return "observed";
    case audit_kind::external_change: return "external_change";
    case audit_kind::delta_propagated: return "delta_propagated";
    case audit_kind::level_set: return "level_set";
    case audit_kind::aligned: return "aligned";
    case audit_kind::retried: return "retried";
    case audit_kind::stale: return "stale";
    case audit_kind::error: return "error";
    case audit_kind::stale_answer: return "stale_answer";
    case audit_kind::held: return "held";
    case audit_kind::released: return "released";
    case audit_kind::paused: return "paused";
    case audit_kind::resumed: return "resumed";
    case audit_kind::error_cleared: return "error_cleared";
    case audit_kind::not_applied: return "not_applied";
    case audit_kind::expired: return "expired";
    case audit_kind::not_stocked: return "not_stocked";
    case audit_kind::stocked: return "stocked";
    case audit_kind::undone: return "undone";
  }
  return "?";
}

const char* to_string(stocking s) {
  switch (s) {
    case stocking::stocked: return "stocked";
    case stocking::not_stocked: return "not_stocked";
    case stocking::inactive: return "inactive";
    case stocking::disconnect_seen: return "disconnect_seen";
  }
  return "?";
}

std::int64_t destination_target(std::int64_t source) {
  return std::max<std::int64_t>(source, 0);
}

std::int64_t destination_target(const stock_rule& rule, std::int64_t source) {
  return apply_rule(rule, source);
}

bool same_layout(const item_layout& a, const item_layout& b) {
  if (a.identity != b.identity || a.mode != b.mode || a.stores.size() != b.stores.size() ||
      a.slots.size() != b.slots.size())
    return false;
  for (std::size_t i = 0; i < a.stores.size(); ++i)
    if (a.stores[i].store != b.stores[i].store || a.stores[i].item != b.stores[i].item)
      return false;
  for (std::size_t i = 0; i < a.slots.size(); ++i)
    if (a.slots[i].locations != b.slots[i].locations || a.slots[i].adds != b.slots[i].adds)
      return false;
  auto rule = [](const item_layout& l, std::size_t i) { return i < l.rules.size() ? l.rules[i] : stock_rule{}; };
  for (std::size_t i = 0; i < a.stores.size(); ++i)
    if (rule(a, i) != rule(b, i))
      return false;
  return true;
}

namespace {

bool in_api_range(std::int64_t v) { return v >= api_int_min && v <= api_int_max; }

// acc += d, unless that overflows int64 (then acc is left as it was and false is returned).
bool add_checked(std::int64_t& acc, std::int64_t d) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(acc, d, &sum)) return false;
  acc = sum;
  return true;
}

} // namespace

inventory_item_state::inventory_item_state(item_layout layout, std::uint64_t epoch)
  // Op ids start at the epoch, not at 1: two lives of one identity (a new state after a
  // mapping change) must never share an op id, because the store links keep each op's outcome
  // for a week by (item, location, op id) and would answer the new life's op with the old one's.
  // The holder's epoch is a time in microseconds; a life would need more ops than microseconds
  // elapsed before the next life to collide.
  : layout_(std::move(layout)), epoch_(epoch), next_op_(std::max<std::uint64_t>(epoch, 1)) {
  slots_.resize(layout_.slots.size());
  for (std::size_t s = 0; s < slots_.size(); ++s) {
    slots_[s].levels.resize(layout_.stores.size());
    const auto& locs = layout_.slots[s].locations;
    for (std::size_t i = 0; i < layout_.stores.size(); ++i)
      slots_[s].levels[i].present = i < locs.size() && locs[i].has_value();
  }
}

inventory_item_state::level* inventory_item_state::find(level_ref at) {
  if (at.slot >= slots_.size() || at.store >= slots_[at.slot].levels.size()) return nullptr;
  auto& lv = slots_[at.slot].levels[at.store];
  return lv.present ? &lv : nullptr;
}

const inventory_item_state::level* inventory_item_state::find(level_ref at) const {
  return const_cast<inventory_item_state*>(this)->find(at);
}

bool inventory_item_state::echo_rule(const level& lv, std::int64_t available) {
  return lv.op == op_kind::none && lv.known && *lv.known == available;
}

bool inventory_item_state::echo_of(level_ref at, std::int64_t available,
                                   std::optional<shopify_time> updated_at) const {
  const level* lv = find(at);
  if (!lv || !echo_rule(*lv, available)) return false;
  if (updated_at) {
    // hint()'s times: older than known_at is dropped, within its slack is the echo rule (known_at
    // kept), newer moves known_at on (a change: not an echo). Without known_at: the echo rule.
    // Equal values only: an older, different value is dropped there too, but it is left to the
    // item (a snapshot overtaken by a change, rare).
    if (lv->known_at && *updated_at > *lv->known_at + (lv->known_at_slack ? write_time_slack : 0)) return false;
  } else if (lv->known_at || lv->known_at_slack) {
    return false; // the untimed echo forgets known_at (hint()): only a level that has none is left unchanged
  }
  return !lv->dirty && lv->blocked.empty() && lv->stock == stocking::stocked && !lv->held &&
         !lv->target && lv->delta == 0 && !lv->hinted && !lv->hinted_at;
}

std::optional<level_ref> inventory_item_state::find_level(const store_name& store,
                                                          location_id location) const {
  for (std::size_t i = 0; i < layout_.stores.size(); ++i) {
    if (layout_.stores[i].store != store) continue;
    for (std::size_t s = 0; s < layout_.slots.size(); ++s) {
      const auto& locs = layout_.slots[s].locations;
      if (i < locs.size() && locs[i] && *locs[i] == location) return level_ref{i, s};
    }
  }
  return std::nullopt;
}

audit_record inventory_item_state::make_audit(audit_kind kind, level_ref at,
                                              std::string cause) const {
  audit_record r;
  r.kind = kind;
  r.at = at;
  if (at.store < layout_.stores.size()) r.store = layout_.stores[at.store].store;
  if (at.slot < layout_.slots.size() && at.store < layout_.slots[at.slot].locations.size() &&
      layout_.slots[at.slot].locations[at.store])
    r.location = *layout_.slots[at.slot].locations[at.store];
  r.cause = std::move(cause);
  return r;
}

command inventory_item_state::make_command(level_ref at, const level& lv) const {
  command c;
  c.kind = lv.op;
  c.at = at;
  c.store = layout_.stores[at.store].store;
  c.item = layout_.stores[at.store].item;
  c.location = *layout_.slots[at.slot].locations[at.store];
  c.op_id = lv.op_id;
  c.attempt = lv.attempt;
  if (lv.op == op_kind::set) {
    c.target = lv.op_target;
    c.change_from = lv.op_change_from;
  }
  if (lv.op == op_kind::adjust) c.delta = lv.op_delta;
  if (lv.op == op_kind::set || lv.op == op_kind::adjust) {
    // The epoch tells apart two lives of the same identity; the store name guards against ids
    // shared across stores.
    c.idempotency_key = "ss1-" + std::to_string(epoch_) + "-" + std::to_string(c.item) + "-" +
                        std::to_string(c.location) + "-" + std::to_string(c.op_id) + "-" +
                        c.store;
  }
  return c;
}

void inventory_item_state::issue(level_ref at, level& lv, op_kind kind, transition& t) {
  lv.op = kind;
  lv.op_id = next_op_++;
  lv.attempt = 0;
  // A read, like an adjust's quantityAfterChange, answers every hint received before it is
  // sent (sets are only sent from a clean level); hints arriving while it is in flight may
  // describe later changes and set dirty again.
  lv.dirty = false;
  lv.hinted.reset();
  lv.hinted_at.reset();
  lv.hinted_low.reset();
  lv.unverified = false; // its answer is exact: whatever was taken or set aside is counted from it
  t.commands.push_back(make_command(at, lv));
}

void inventory_item_state::block(level_ref at, level& lv, std::string cause, transition& t) {
  lv.blocked = quantity_out_of_range;
  t.audit.push_back(make_audit(audit_kind::error, at, std::string(quantity_out_of_range) + ": " + cause));
}

void inventory_item_state::known_since(level& lv, std::optional<shopify_time> at, bool slack) {
  lv.known_at = lv.known ? at : std::nullopt;
  lv.known_at_slack = lv.known_at && slack;
  lv.written_from.reset(); // a write's answer sets it after this
}

void inventory_item_state::must_read(level& lv) {
  lv.dirty = true;
  lv.hinted.reset();
  lv.hinted_at.reset();
  lv.hinted_low.reset();
}

// Whether a write may be sent to the level: it is stocked, or the group stocks Destinations'
// unstocked levels (never after a disconnect not yet confirmed by a read).
bool inventory_item_state::writable(level_ref at, const level& lv) const {
  if (lv.stock == stocking::stocked) return true;
  return stock_unstocked_ && at.store != 0 &&
         (lv.stock == stocking::not_stocked || lv.stock == stocking::inactive);
}

// The level stops being one: what it held was not sold or restocked by anyone, so it is never
// counted as a change. A two-way Destination that shared the slot's value leaves with what it
// is owed folded into its alignment target (baseline + delta = the slot's value), so that if it
// comes back it is set to the slot's value then, like a Destination that never aligned.
void inventory_item_state::unstock(level_ref at, level& lv, stocking why, transition& t) {
  auto& slot = slots_[at.slot];
  auto a = make_audit(audit_kind::not_stocked, at, to_string(why));
  a.before = lv.known;
  t.audit.push_back(std::move(a));
  if (layout_.mode == sync_mode::two_way && at.store != 0 && lv.aligned) {
    lv.aligned = false;
    if (lv.known && slot.baseline && !add_checked(lv.delta, *lv.known - *slot.baseline))
      block(at, lv, "pending delta overflows", t);
  }
  lv.known.reset();
  lv.target.reset();
  lv.stock = why;
  // Stocked by writing, when the group says so: its quantities start at 0.
  if (writable(at, lv)) lv.known = 0;
  known_since(lv, std::nullopt);
}

// The hints received while the op was in flight all carried the value its answer found: they
// describe that state (or a change and its reversal after it, which nets to nothing), so they
// ask for no further read. Without this, a level hinted during every read (a busy store, or a
// reconcile round joining the read) would re-read forever and never send its pending change.
// Returns the time at which the level is known to hold `value` once those hints are taken in:
// the answer's, or the newest hint's when it is newer (a change and its reversal after the
// answer: they are accounted now, so no older state may be trusted later); unknown when one of
// them had no time.
inventory_item_state::settled_hints inventory_item_state::settle_hints(level_ref at, level& lv, std::int64_t value,
                                                                       std::optional<shopify_time> answered_at,
                                                                       bool slack,
                                                                       std::optional<std::int64_t> before,
                                                                       transition& t) {
  settled_hints s{answered_at, std::nullopt, 0};
  if (lv.dirty && lv.hinted && *lv.hinted == value) {
    lv.dirty = false;
    auto a = make_audit(audit_kind::echo_dropped, at, "hints in flight agree with the answer");
    a.before = a.after = value;
    t.audit.push_back(std::move(a));
    s.known_at = answered_at && lv.hinted_at ? std::optional<shopify_time>(std::max(*answered_at, *lv.hinted_at))
                                             : std::nullopt;
  } else if (lv.dirty && lv.hinted_at && answered_at) {
    // Another value, or values that disagree: their times tell whether all are older than the
    // answer; one value, whether it is later (see "Times").
    const shopify_time sl = slack ? write_time_slack : 0;
    if (*lv.hinted_at < *answered_at - sl) {
      lv.dirty = false;
      auto a = make_audit(audit_kind::echo_dropped, at, older_in_flight_cause);
      a.before = value;
      a.after = lv.hinted;
      t.audit.push_back(std::move(a));
    } else if (lv.hinted && *lv.hinted_at > *answered_at + sl) {
      s.later = lv.hinted; // the level stays dirty until take_later takes it
      s.later_at = *lv.hinted_at;
    } else if (lv.hinted_low && *lv.hinted_at <= *answered_at + sl && scarce(at.store)) {
      // The times cannot order them against the answer (see "Times"): no read now. (One newer
      // than the answer beside others that disagree is read: known_at must stay newer than every
      // hint set aside or taken, so that a later hint is judged against them all.)
      lv.dirty = false;
      lv.unverified = true;
      if (takes_provisionally(at, *lv.hinted_low, value, before))
        s.provisional = lv.hinted_low;
      else {
        auto a = make_audit(audit_kind::echo_dropped, at, set_aside_cause);
        a.before = value;
        a.after = lv.hinted_low;
        t.audit.push_back(std::move(a));
      }
    }
  }
  lv.hinted.reset();
  lv.hinted_at.reset();
  lv.hinted_low.reset();
  return s;
}

// A later state proved by hints in flight (settle_hints), taken as a webhook at rest would be
// (hint()): only with nothing in flight, stocked, not blocked; else the level stays dirty and is read.
// A value they left to take provisionally is taken the same way, keeping the answer's time.
void inventory_item_state::take_later(level_ref at, level& lv, const settled_hints& s, transition& t) {
  if (!lv.known || lv.op != op_kind::none || !lv.blocked.empty() || lv.stock != stocking::stocked)
    return;
  if (s.provisional && in_api_range(*s.provisional) && !lv.dirty) {
    observe(at, *s.provisional, provisional_cause, t);
    return;
  }
  if (!s.later || !lv.dirty || !in_api_range(*s.later))
    return;
  lv.dirty = false;
  lv.unverified = false;
  observe(at, *s.later, newer_hint_cause, t);
  known_since(lv, s.later_at);
}

bool inventory_item_state::takes_provisionally(level_ref at, std::int64_t v, std::int64_t now,
                                               std::optional<std::int64_t> before) const {
  const bool propagates = layout_.mode == sync_mode::two_way || (layout_.mode == sync_mode::one_way && at.store == 0);
  return propagates && before && v < now && v < *before;
}

transition inventory_item_state::unordered_hint(level_ref at, level& lv, std::int64_t available) {
  transition t;
  lv.unverified = true;
  // Before the write known_at stands for (when it is one), the level held written_from; else
  // known_at is the time of `known` itself.
  const auto before = lv.known_at_slack ? lv.written_from : lv.known;
  if (takes_provisionally(at, available, *lv.known, before)) {
    observe(at, available, provisional_cause, t);
    t.verdict = hint_verdict::provisional;
    plan(t);
  } else {
    auto a = make_audit(audit_kind::echo_dropped, at, set_aside_cause);
    a.before = lv.known;
    a.after = available;
    t.audit.push_back(std::move(a));
    t.verdict = hint_verdict::set_aside;
  }
  return t;
}

void inventory_item_state::observe(level_ref at, std::int64_t q, const char* cause,
                                   transition& t) {
  auto& slot = slots_[at.slot];
  auto& lv = slot.levels[at.store];
  if (!lv.known) {
    lv.known = q;
    auto a = make_audit(audit_kind::observed, at, cause);
    a.after = q;
    t.audit.push_back(std::move(a));
    if (at.store == 0) {
      if (!slot.baseline) slot.baseline = q;
      lv.aligned = true;
    }
    return;
  }
  std::int64_t before = *lv.known;
  lv.known = q;
  if (q == before) return;
  external_change(at, q - before, before, q, cause, t);
  hold_or_release(at, before, q, t);
}

void inventory_item_state::hold_or_release(level_ref at, std::int64_t before, std::int64_t after,
                                           transition& t) {
  if (layout_.mode != sync_mode::follow_orders) return;
  if (at.store == 0) {
    // The Destinations this Source level is summed into follow a changed Source too.
    for (std::size_t s = 0; s < slots_.size(); ++s)
      for (std::size_t i = 1; i < slots_[s].levels.size(); ++i) {
        auto& lv = slots_[s].levels[i];
        if (!lv.held || s == at.slot || !feeds(at.slot, s, i)) continue;
        lv.held = false;
        auto a = make_audit(audit_kind::released, {i, s}, "a Source location summed here changed");
        a.before = a.after = lv.known;
        t.audit.push_back(std::move(a));
      }
    return release(at.slot, "the Source changed", t);
  }
  if (after >= before) return; // not a sale: nothing will reach the Source
  auto& lv = slots_[at.slot].levels[at.store];
  lv.held = true;
  t.held = true;
  auto a = make_audit(audit_kind::held, at, "a sale here: its order will lower the Source");
  a.before = before;
  a.after = after;
  a.delta = after - before;
  t.audit.push_back(std::move(a));
}

void inventory_item_state::release(std::size_t s, const char* cause, transition& t) {
  auto& levels = slots_[s].levels;
  for (std::size_t i = 1; i < levels.size(); ++i) {
    if (!levels[i].held) continue;
    levels[i].held = false;
    auto a = make_audit(audit_kind::released, {i, s}, cause);
    a.before = a.after = levels[i].known;
    t.audit.push_back(std::move(a));
  }
}

void inventory_item_state::external_change(level_ref at, std::int64_t delta, std::int64_t before,
                                           std::int64_t after, const char* cause, transition& t) {
  auto a = make_audit(audit_kind::external_change, at, cause);
  a.before = before;
  a.after = after;
  a.delta = delta;
  t.audit.push_back(std::move(a));
  if (layout_.mode != sync_mode::two_way) return; // one-way: plan() re-targets from the Source
  auto& slot = slots_[at.slot];
  for (std::size_t j = 0; j < slot.levels.size(); ++j) {
    auto& other = slot.levels[j];
    if (!other.present) continue;
    // A Destination that has not reached the baseline yet counts its own changes into the
    // value it will be set to: its alignment target is baseline + every counted change.
    if (j == at.store ? (j != 0 && !other.aligned) : true) {
      if (!add_checked(other.delta, delta)) block({j, at.slot}, other, "pending delta overflows", t);
    }
  }
}

bool inventory_item_state::owes_undo(level_ref at, const level& lv) const {
  return layout_.mode != sync_mode::two_way && at.store != 0 && lv.known && lv.delta != 0;
}

void inventory_item_state::plan(transition& t) {
  for (std::size_t s = 0; s < slots_.size(); ++s)
    for (std::size_t i = 0; i < slots_[s].levels.size(); ++i) plan_level({i, s}, t);
}

stock_rule inventory_item_state::rule_of(std::size_t store) const {
  return store < layout_.rules.size() ? layout_.rules[store] : stock_rule{};
}

bool inventory_item_state::feeds(std::size_t slot, std::size_t into, std::size_t store) const {
  const auto& adds = layout_.slots[into].adds;
  return store < adds.size() && std::find(adds[store].begin(), adds[store].end(), slot) != adds[store].end();
}

std::optional<std::int64_t> inventory_item_state::followed(level_ref at) const {
  const auto& adds = layout_.slots[at.slot].adds;
  if (at.store >= adds.size() || adds[at.store].empty())
    return slots_[at.slot].levels[0].known;
  std::int64_t sum = 0;
  bool any = false;
  auto add = [&](std::size_t s) {
    const auto& src = slots_[s].levels[0];
    if (src.stock == stocking::not_stocked || src.stock == stocking::inactive) return true; // counts 0
    if (!src.known) return false;
    sum += *src.known; // API quantities are 32-bit: a sum of 2^16 slots fits
    any = true;
    return true;
  };
  if (!add(at.slot)) return std::nullopt;
  for (auto s : adds[at.store])
    if (s >= slots_.size() || !add(s)) return std::nullopt;
  if (!any) return std::nullopt;
  return sum;
}

void inventory_item_state::plan_level(level_ref at, transition& t) {
  auto& slot = slots_[at.slot];
  auto& lv = slot.levels[at.store];
  if (!lv.present) return;
  const bool can_write = writable(at, lv);
  const auto source = layout_.mode != sync_mode::two_way && at.store != 0 ? followed(at) : std::nullopt;
  if (layout_.mode != sync_mode::two_way && at.store != 0 && (!can_write || !source)) {
    lv.target.reset(); // nothing to follow (the Source is not stocked), or not to be written
  } else if (layout_.mode != sync_mode::two_way && at.store != 0) {
    // The pending intent of a one-way Destination: the newest Source value (summed over its
    // Source locations, the Destination's buffer and share applied, never below 0), unless it
    // is already there or on its way, or a held sale keeps it below.
    const std::int64_t src = destination_target(rule_of(at.store), *source);
    if (lv.known == src || (lv.op == op_kind::set && lv.op_target == src) ||
        (lv.held && lv.known && *lv.known < src))
      lv.target.reset();
    else
      lv.target = src;
  }
  if (lv.op != op_kind::none || !lv.blocked.empty()) return;
  if (lv.dirty) {
    // A two-way level that owes a delta sends it without reading first: the adjust's
    // quantityAfterChange tells what the read would (a change not seen yet is counted from it,
    // see write_result), so a level whose webhooks never stop still gets its deltas.
    const bool adjust_now = (layout_.mode == sync_mode::two_way && lv.known && lv.delta != 0 &&
                             !paused_ && (at.store == 0 || lv.aligned) && can_write) ||
                            (owes_undo(at, lv) && can_write);
    if (!adjust_now) return issue(at, lv, op_kind::read, t);
  }
  // A level that is not to be written waits for a hint or a connect to read it again.
  if (!can_write) return;
  // A level stocked by this write has no quantity to compare with.
  const bool compare = lv.stock == stocking::stocked;
  bool any_known = false;
  for (const auto& o : slot.levels) any_known = any_known || (o.present && o.known);

  if (layout_.mode == sync_mode::two_way) {
    if (!lv.known) {
      // A delta needs a certain starting point, and a slot where anyone is known needs
      // everyone known to align.
      if (lv.delta != 0 || any_known) issue(at, lv, op_kind::read, t);
      return;
    }
    if (at.store != 0 && !lv.aligned) {
      if (!slot.baseline) return; // the Source is being read (any_known above)
      std::int64_t target = *slot.baseline;
      if (!add_checked(target, lv.delta) || !in_api_range(target))
        return block(at, lv, "alignment target beyond a 32-bit quantity", t);
      if (target == *lv.known) {
        lv.aligned = true;
        lv.delta = 0;
        auto a = make_audit(audit_kind::aligned, at, "already at the baseline");
        a.before = a.after = lv.known;
        t.audit.push_back(std::move(a));
        return;
      }
      if (paused_) return;
      // Compare-and-set from the value just read: a sale racing the alignment gets
      // CHANGE_FROM_QUANTITY_STALE, is re-read and counted, never overwritten.
      lv.op_target = target;
      lv.op_change_from = compare ? lv.known : std::nullopt;
      lv.op_delta = lv.delta;
      lv.delta = 0;
      return issue(at, lv, op_kind::set, t);
    }
    if (lv.delta != 0 && !paused_) {
      // One adjust carries at most a 32-bit delta; the rest stays pending for the next one.
      lv.op_delta = std::min(std::max(lv.delta, api_int_min), api_int_max);
      lv.op_change_from.reset();
      lv.delta -= lv.op_delta;
      issue(at, lv, op_kind::adjust, t);
    }
    return;
  }

  // one-way
  if (at.store == 0) {
    bool summed_into_known = false; // a slot fed by this one waits for its value
    for (std::size_t s = 0; s < slots_.size() && !summed_into_known; ++s)
      for (std::size_t i = 1; i < slots_[s].levels.size(); ++i)
        if (feeds(at.slot, s, i) && slots_[s].levels[i].present && slots_[s].levels[i].known) {
          summed_into_known = true;
          break;
        }
    if (!lv.known && (any_known || summed_into_known)) issue(at, lv, op_kind::read, t);
    return;
  }
  // A merchant's undo goes first, paused or not (see undo()): an adjust, so a sale racing it
  // still counts; the set to the Source's value stays pending behind it.
  if (owes_undo(at, lv)) {
    lv.op_delta = std::min(std::max(lv.delta, api_int_min), api_int_max);
    lv.op_change_from.reset();
    lv.delta -= lv.op_delta;
    return issue(at, lv, op_kind::adjust, t);
  }
  // A Destination follows the Source, whatever changed it (a manual edit is set back): at
  // quiescence every Destination equals the Source. Coalesced: the newest Source value wins.
  if (!lv.target || paused_) return;
  lv.op_target = *lv.target;
  lv.target.reset();
  // follow_orders compares: a sale racing the set is found (stale, re-read, held), not
  // overwritten with stock it already sold.
  lv.op_change_from = layout_.mode == sync_mode::follow_orders && compare ? lv.known : std::nullopt;
  lv.op_delta = 0;
  issue(at, lv, op_kind::set, t);
}

transition inventory_item_state::align() {
  transition t;
  for (auto& slot : slots_)
    for (auto& lv : slot.levels)
      if (lv.present && lv.blocked.empty()) must_read(lv);
  plan(t);
  return t;
}

transition inventory_item_state::hint(level_ref at, std::optional<std::int64_t> available,
                                      std::optional<shopify_time> updated_at) {
  transition t;
  level* lv = find(at);
  if (!lv) {
    t.audit.push_back(make_audit(audit_kind::hint_ignored, at, "level not mapped"));
    t.verdict = hint_verdict::ignored;
    return t;
  }
  if (!available) {
    t.audit.push_back(make_audit(audit_kind::hint_ignored, at, "available is null"));
    t.verdict = hint_verdict::ignored;
    return t;
  }
  // Times (see the header): an older state is dropped; a newer one, with nothing of ours in
  // flight, is the truth at its time.
  if (updated_at && lv->known && lv->known_at) {
    const shopify_time slack = lv->known_at_slack ? write_time_slack : 0;
    if (*updated_at < *lv->known_at - slack) {
      auto a = make_audit(audit_kind::echo_dropped, at, older_hint_cause);
      a.before = lv->known;
      a.after = available;
      t.audit.push_back(std::move(a));
      t.verdict = hint_verdict::older;
      return t;
    }
    if (*updated_at > *lv->known_at + slack && lv->op == op_kind::none && !lv->dirty &&
        lv->blocked.empty() && lv->stock == stocking::stocked && in_api_range(*available)) {
      if (*lv->known == *available) {
        auto a = make_audit(audit_kind::echo_dropped, at, "equal to known, newer: known_at moves on");
        a.before = lv->known;
        a.after = available;
        t.audit.push_back(std::move(a));
        t.verdict = hint_verdict::echo;
      } else {
        observe(at, *available, newer_hint_cause, t);
        t.verdict = hint_verdict::taken;
      }
      lv->unverified = false; // a state after everything known: the count is exact again
      known_since(*lv, updated_at);
      plan(t);
      return t;
    }
  }
  if (echo_rule(*lv, *available)) {
    auto a = make_audit(audit_kind::echo_dropped, at, "equal to known, nothing in flight");
    a.before = lv->known;
    a.after = available;
    t.audit.push_back(std::move(a));
    // A state of unknown time taken in (maybe a change and its reversal after known_at): an
    // older state's hint must not be trusted after it.
    if (!updated_at) known_since(*lv, std::nullopt);
    t.verdict = hint_verdict::echo;
    return t;
  }
  // Neither older nor newer than known_at (the rules above returned): the times cannot order it.
  if (scarce(at.store) && updated_at && lv->known && lv->known_at && lv->op == op_kind::none && !lv->dirty &&
      lv->blocked.empty() && lv->stock == stocking::stocked && in_api_range(*available))
    return unordered_hint(at, *lv, *available);
  if (lv->op == op_kind::none) {
    lv->hinted.reset();
  } else if (!lv->dirty) {
    lv->hinted = available; // the first hint since the op was sent
    lv->hinted_at = updated_at;
    lv->hinted_low = updated_at ? available : std::nullopt;
  } else {
    if (lv->hinted != available) {
      lv->hinted.reset(); // hints that disagree: only a read can tell, unless all are older than the answer
      if (lv->hinted_at && updated_at && lv->hinted_low && *updated_at >= *lv->hinted_at)
        lv->hinted_low = *updated_at > *lv->hinted_at ? *available : std::min(*lv->hinted_low, *available);
    }
    lv->hinted_at = lv->hinted_at && updated_at ? std::optional<shopify_time>(std::max(*lv->hinted_at, *updated_at))
                                                : std::nullopt;
    if (!lv->hinted_at) lv->hinted_low.reset();
  }
  lv->dirty = true;
  t.verdict = lv->op != op_kind::none ? hint_verdict::in_flight
              : lv->known             ? hint_verdict::differs
                                      : hint_verdict::unknown;
  auto a = make_audit(audit_kind::hint_dirty, at,
                      lv->op != op_kind::none ? "op in flight"
                      : lv->known             ? "differs from known"
                                              : "level not known yet");
  a.before = lv->known;
  a.after = available;
  t.audit.push_back(std::move(a));
  plan(t);
  return t;
}

// The level an answer is for, when its op is the one in flight there; otherwise (a duplicate,
// a late first attempt) the answer is recorded as stale_answer and nullptr returned.
inventory_item_state::level* inventory_item_state::answered(level_ref at, std::uint64_t op_id,
                                                             bool write, const char* what,
                                                             std::optional<std::int64_t> value,
                                                             transition& t) {
  level* lv = find(at);
  const bool kind_matches =
    lv && (write ? lv->op == op_kind::set || lv->op == op_kind::adjust : lv->op == op_kind::read);
  if (kind_matches && lv->op_id == op_id) return lv;
  auto a = make_audit(audit_kind::stale_answer, at, std::string(what) + " for an op not in flight");
  a.op_id = op_id;
  a.after = value;
  t.audit.push_back(std::move(a));
  return nullptr;
}

transition inventory_item_state::read_result(level_ref at, std::uint64_t op_id,
                                             std::int64_t quantity,
                                             std::optional<shopify_time> updated_at) {
  transition t;
  level* lv = answered(at, op_id, false, "read answer", quantity, t);
  if (!lv) return t;
  lv->op = op_kind::none;
  lv->attempt = 0;
  if (!in_api_range(quantity)) {
    must_read(*lv); // re-read once cleared
    block(at, *lv, "read " + std::to_string(quantity), t);
    t.audit.back().op_id = op_id;
    plan(t);
    return t;
  }
  if (lv->stock != stocking::stocked) {
    // Found stocked. After a disconnect that a read now contradicts, nothing happened; a level
    // that was gone is a new level: its first value is observed, never counted as a change.
    const bool was_gone = lv->stock != stocking::disconnect_seen;
    lv->stock = stocking::stocked;
    if (was_gone) lv->known.reset();
    known_since(*lv, std::nullopt);
    auto a = make_audit(audit_kind::stocked, at, was_gone ? "found stocked by a read" : "still stocked after a disconnect");
    a.after = quantity;
    a.op_id = op_id;
    t.audit.push_back(std::move(a));
  }
  const auto settled = settle_hints(at, *lv, quantity, updated_at, false, quantity, t);
  observe(at, quantity, "read", t);
  known_since(*lv, settled.known_at);
  take_later(at, *lv, settled, t);
  plan(t);
  return t;
}

transition inventory_item_state::read_not_stocked(level_ref at, std::uint64_t op_id, stocking why,
                                                  std::optional<std::int64_t> quantity) {
  if (why == stocking::stocked || why == stocking::disconnect_seen) why = stocking::not_stocked;
  // A deactivated level still has its quantities: a group that stocks unstocked levels syncs it
  // as it is (writing it does not need to create it).
  if (why == stocking::inactive && quantity && stock_unstocked_ && at.store != 0)
    return read_result(at, op_id, *quantity);
  transition t;
  level* lv = answered(at, op_id, false, "read answer (not stocked)", std::nullopt, t);
  if (!lv) return t;
  lv->op = op_kind::none;
  lv->attempt = 0;
  lv->hinted.reset();
  lv->hinted_at.reset();
  if (lv->stock != why) unstock(at, *lv, why, t);
  plan(t);
  return t;
}

inventory_item_state::level* inventory_item_state::mapped(level_ref at, transition& t) {
  level* lv = find(at);
  if (!lv) t.audit.push_back(make_audit(audit_kind::hint_ignored, at, "level not mapped"));
  return lv;
}

transition inventory_item_state::connected(level_ref at) {
  transition t;
  level* lv = mapped(at, t);
  if (!lv) return t;
  must_read(*lv);
  t.verdict = hint_verdict::unknown;
  auto a = make_audit(audit_kind::hint_dirty, at, "inventory_levels/connect");
  a.before = lv->known;
  t.audit.push_back(std::move(a));
  plan(t);
  return t;
}

transition inventory_item_state::disconnected(level_ref at) {
  transition t;
  level* lv = mapped(at, t);
  if (!lv) return t;
  // Known gone, and no read on its way that could have been answered before the removal.
  if ((lv->stock == stocking::not_stocked || lv->stock == stocking::inactive) && lv->op == op_kind::none)
    return t;
  if (lv->stock == stocking::stocked) {
    lv->stock = stocking::disconnect_seen;
    auto a = make_audit(audit_kind::not_stocked, at, "inventory_levels/disconnect: no write until a read tells");
    a.before = lv->known;
    t.audit.push_back(std::move(a));
  }
  // Read again even when a read is on its way: it may have been answered before the removal.
  must_read(*lv);
  plan(t);
  return t;
}

transition inventory_item_state::set_stock_unstocked(bool on) {
  transition t;
  if (on == stock_unstocked_) return t;
  stock_unstocked_ = on;
  for (std::size_t s = 0; s < slots_.size(); ++s)
    for (std::size_t i = 1; i < slots_[s].levels.size(); ++i) {
      auto& lv = slots_[s].levels[i];
      if (!lv.present || lv.op != op_kind::none ||
          (lv.stock != stocking::not_stocked && lv.stock != stocking::inactive))
        continue;
      if (on) {
        lv.known = 0;
      } else {
        lv.known.reset();
        lv.target.reset();
      }
      known_since(lv, std::nullopt);
    }
  plan(t);
  return t;
}

transition inventory_item_state::read_failed(level_ref at, std::uint64_t op_id, failure_kind kind,
                                             const std::string& code) {
  transition t;
  level* lv = answered(at, op_id, false, "read failure", std::nullopt, t);
  if (!lv) return t;
  if (lv->blocked == unmapped_cause) kind = failure_kind::permanent; // nothing to retry there
  if (kind != failure_kind::permanent) {
    ++lv->attempt;
    auto a = make_audit(audit_kind::retried, at, code);
    a.op_id = op_id;
    t.audit.push_back(std::move(a));
    t.commands.push_back(make_command(at, *lv));
    return t;
  }
  lv->op = op_kind::none;
  lv->attempt = 0;
  if (lv->blocked != unmapped_cause) lv->blocked = code.empty() ? "permanent" : code;
  must_read(*lv); // re-read once cleared
  auto a = make_audit(audit_kind::error, at, "read: " + code);
  a.op_id = op_id;
  t.audit.push_back(std::move(a));
  plan(t);
  return t;
}

transition inventory_item_state::write_result(level_ref at, std::uint64_t op_id,
                                              std::int64_t after,
                                              std::optional<shopify_time> created_at) {
  return confirm_write(at, op_id, after, "", created_at);
}

transition inventory_item_state::write_applied_unseen(level_ref at, std::uint64_t op_id) {
  return confirm_write(at, op_id, std::nullopt, "applied, level after it not reported: re-read",
                       std::nullopt);
}

// `seen`: quantityAfterChange; nullopt when the answer did not say it (the level is then taken
// to be what the write made it, and re-read: the read counts whatever raced the write).
transition inventory_item_state::confirm_write(level_ref at, std::uint64_t op_id,
                                               std::optional<std::int64_t> seen,
                                               const char* unseen_cause,
                                               std::optional<shopify_time> created_at) {
  transition t;
  level* lv = answered(at, op_id, true, "write answer", seen, t);
  if (!lv) return t;
  const op_kind kind = lv->op;
  const std::optional<std::int64_t> before = lv->known;
  // Adjusts are only sent from a known level.
  const std::int64_t after =
    seen ? *seen : kind == op_kind::adjust ? *before + lv->op_delta : lv->op_target;
  // The level just before the write took effect: exact for an adjust and a compare-and-set.
  const std::optional<std::int64_t> written_from =
    kind == op_kind::adjust ? std::optional<std::int64_t>(after - lv->op_delta) : lv->op_change_from;
  lv->op = op_kind::none;
  lv->attempt = 0;
  if (!in_api_range(after)) {
    // Applied, with an answer that cannot be true: the level is no longer known. It is re-read
    // once the error is cleared; what raced this write cannot be told apart and is not counted.
    lv->known.reset();
    known_since(*lv, std::nullopt);
    must_read(*lv);
    block(at, *lv, "quantityAfterChange " + std::to_string(after), t);
    t.audit.back().before = before;
    t.audit.back().op_id = op_id;
    plan(t);
    return t;
  }
  settled_hints settled;
  if (seen)
    settled = settle_hints(at, *lv, after, created_at, true, written_from, t);
  else
    must_read(*lv);
  if (lv->stock == stocking::not_stocked || lv->stock == stocking::inactive) {
    lv->stock = stocking::stocked;
    auto a = make_audit(audit_kind::stocked, at, "stocked by this write (stock_unstocked)");
    a.after = after;
    a.op_id = op_id;
    t.audit.push_back(std::move(a));
  }
  lv->known = after;
  // Our write's time, when seen: the level held `after` right after it.
  known_since(*lv, settled.known_at, true);
  if (lv->known_at_slack) lv->written_from = written_from;
  if (kind == op_kind::adjust) {
    // What raced the write shows here: external = after - delta - known.
    const std::int64_t d = lv->op_delta;
    auto a = make_audit(audit_kind::delta_propagated, at,
                        seen ? std::string("adjust confirmed") : std::string("adjust ") + unseen_cause);
    a.before = before;
    a.after = after;
    a.delta = d;
    a.op_id = op_id;
    t.audit.push_back(std::move(a));
    const std::int64_t external = after - d - *before;
    if (external != 0) external_change(at, external, *before + d, after, "write result", t);
  } else {
    auto a = make_audit(audit_kind::level_set, at,
                        seen ? std::string("set confirmed") : std::string("set ") + unseen_cause);
    a.before = before;
    a.after = after;
    a.delta = after - before.value_or(after);
    a.op_id = op_id;
    t.audit.push_back(std::move(a));
    if (layout_.mode == sync_mode::two_way && at.store != 0 && !lv->aligned) {
      lv->aligned = true;
      auto b = make_audit(audit_kind::aligned, at, "set to the baseline");
      b.before = before;
      b.after = after;
      b.op_id = op_id;
      t.audit.push_back(std::move(b));
      // A compare-and-set that succeeded raced nothing, so after == target; anything else
      // is a change we did not make, counted like any other.
      if (after != lv->op_target)
        external_change(at, after - lv->op_target, lv->op_target, after, "write result", t);
    }
  }
  take_later(at, *lv, settled, t);
  plan(t);
  return t;
}

transition inventory_item_state::write_failed(level_ref at, std::uint64_t op_id,
                                              failure_kind kind, const std::string& code) {
  transition t;
  level* lv = answered(at, op_id, true, "write failure", std::nullopt, t);
  if (!lv) return t;
  // A one-way set below 0 (sent before targets were floored at 0, and replayed after an upgrade)
  // is refused by Shopify and applied nothing: the level is re-read and gets a target >= 0.
  if (code == invalid_quantity_negative && lv->op == op_kind::set && layout_.mode != sync_mode::two_way)
    kind = failure_kind::stale;
  if (lv->blocked == unmapped_cause) kind = failure_kind::permanent; // never sent again there
  if (kind == failure_kind::expired) {
    // The key may be gone: a resend could apply a second time. Taken as applied (never twice)
    // and settled by reading; the read counts whatever else changed.
    auto a = make_audit(audit_kind::expired, at, code + ": unanswered longer than its key lives; "
                                                        "taken as applied, never sent again, level re-read");
    a.before = lv->known;
    a.delta = lv->op == op_kind::adjust ? lv->op_delta : 0;
    a.op_id = op_id;
    auto settled = confirm_write(at, op_id, std::nullopt, "taken as applied (key expired): re-read",
                                 std::nullopt);
    settled.audit.insert(settled.audit.begin(), std::move(a));
    return settled;
  }
  if (kind == failure_kind::transient) {
    // Maybe applied, maybe not: only the same op with the same key can tell without risk.
    ++lv->attempt;
    auto a = make_audit(audit_kind::retried, at, code);
    a.op_id = op_id;
    t.audit.push_back(std::move(a));
    t.commands.push_back(make_command(at, *lv));
    return t;
  }
  // Not applied: the intent goes back to pending (a one-way target is recomputed anyway).
  // (A one-way adjust is an undo: its delta is owed again.)
  bool overflow = (layout_.mode == sync_mode::two_way || lv->op == op_kind::adjust) &&
                  !add_checked(lv->delta, lv->op_delta);
  lv->op = op_kind::none;
  lv->attempt = 0;
  const bool retry = kind == failure_kind::stale || kind == failure_kind::not_applied;
  auto a = make_audit(kind == failure_kind::stale         ? audit_kind::stale
                      : kind == failure_kind::not_applied ? audit_kind::not_applied
                                                          : audit_kind::error,
                      at, code);
  a.before = lv->known;
  a.op_id = op_id;
  t.audit.push_back(std::move(a));
  lv->hinted.reset(); // no answer: hints received in flight keep the level dirty
  lv->hinted_at.reset();
  if (retry)
    must_read(*lv);
  else if (lv->blocked != unmapped_cause)
    lv->blocked = code.empty() ? "permanent" : code;
  if (overflow) block(at, *lv, "pending delta overflows", t);
  plan(t);
  if (kind == failure_kind::not_applied) {
    // Refused for now (load, a failed attempt): what goes next (the re-read, or a two-way
    // adjust whose answer is the read) waits a backoff, so that a store refusing every write
    // is not asked again at once. A write is a new op, with a new key.
    for (auto& c : t.commands)
      if (c.at == at) c.attempt = lv->attempt = 1;
  }
  return t;
}

transition inventory_item_state::set_paused(bool p) {
  transition t;
  if (p == paused_) return t;
  paused_ = p;
  audit_record a;
  a.kind = p ? audit_kind::paused : audit_kind::resumed;
  a.cause = p ? "writes held" : "writes released";
  t.audit.push_back(std::move(a)); // for the whole identity: no store, no location
  plan(t);
  return t;
}

transition inventory_item_state::undo(level_ref at, std::int64_t delta, const std::string& cause) {
  transition t;
  level* lv = mapped(at, t);
  if (!lv) return t;
  // Two-way: a level sharing the slot's value. One-way: a Destination (shopsync never writes
  // a one-way Source's levels).
  const bool takes_delta = layout_.mode == sync_mode::two_way ? (at.store == 0 || lv->aligned)
                                                              : (at.store != 0 && writable(at, *lv));
  if (!takes_delta || !lv->known || delta == 0 || !lv->blocked.empty()) {
    t.audit.push_back(make_audit(audit_kind::hint_ignored, at,
                                 "undo refused: only a two-way level that shares the slot's value or a one-way "
                                 "Destination level known and writable takes a delta"));
    return t;
  }
  if (!add_checked(lv->delta, delta)) {
    block(at, *lv, "pending delta overflows", t);
    return t;
  }
  auto a = make_audit(audit_kind::undone, at, cause);
  a.before = lv->known;
  a.after = *lv->known + delta;
  a.delta = delta;
  t.audit.push_back(std::move(a));
  plan(t);
  return t;
}

transition inventory_item_state::clear_error(level_ref at) {
  transition t;
  level* lv = find(at);
  if (!lv || lv->blocked.empty() || lv->blocked == unmapped_cause) return t; // gone: nothing to clear
  auto a = make_audit(audit_kind::error_cleared, at, lv->blocked);
  t.audit.push_back(std::move(a));
  lv->blocked.clear();
  must_read(*lv);
  plan(t);
  return t;
}

transition inventory_item_state::unmap_store(std::size_t store) {
  transition t;
  for (std::size_t s = 0; s < slots_.size(); ++s) {
    level* lv = find({store, s});
    if (!lv || lv->blocked == unmapped_cause) continue;
    lv->blocked = unmapped_cause;
    lv->target.reset();
    lv->delta = 0;
    lv->dirty = false;
    lv->held = false;
    auto a = make_audit(audit_kind::error, {store, s}, std::string(unmapped_cause) + ": no longer in this store");
    a.before = lv->known;
    t.audit.push_back(std::move(a));
  }
  return t;
}

transition inventory_item_state::release_holds() {
  transition t;
  for (std::size_t s = 0; s < slots_.size(); ++s) release(s, "grace period over", t);
  plan(t);
  return t;
}

transition inventory_item_state::verify() {
  transition t;
  for (std::size_t s = 0; s < slots_.size(); ++s)
    for (std::size_t i = 0; i < slots_[s].levels.size(); ++i) {
      auto& lv = slots_[s].levels[i];
      if (!lv.present || !lv.unverified || lv.op != op_kind::none) continue; // an answer will verify
      lv.unverified = false;
      if (!lv.blocked.empty() || lv.stock != stocking::stocked || lv.dirty) continue;
      must_read(lv);
      auto a = make_audit(audit_kind::hint_dirty, {i, s}, verify_cause);
      a.before = lv.known;
      t.audit.push_back(std::move(a));
    }
  plan(t);
  return t;
}

void inventory_item_state::set_reads_scarce(std::size_t store, bool scarce) {
  if (scarce_.size() < layout_.stores.size()) scarce_.resize(layout_.stores.size(), false);
  if (store < scarce_.size()) scarce_[store] = scarce;
}

bool inventory_item_state::unverified() const {
  for (const auto& slot : slots_)
    for (const auto& lv : slot.levels)
      if (lv.present && lv.unverified) return true;
  return false;
}

bool inventory_item_state::in_flight() const {
  for (const auto& slot : slots_)
    for (const auto& lv : slot.levels)
      if (lv.present && lv.op != op_kind::none) return true;
  return false;
}

bool inventory_item_state::holding() const {
  for (const auto& slot : slots_)
    for (const auto& lv : slot.levels)
      if (lv.present && lv.held) return true;
  return false;
}

transition inventory_item_state::restart() const {
  transition t;
  for (std::size_t s = 0; s < slots_.size(); ++s)
    for (std::size_t i = 0; i < slots_[s].levels.size(); ++i) {
      const auto& lv = slots_[s].levels[i];
      if (!lv.present || lv.op == op_kind::none) continue;
      auto c = make_command({i, s}, lv);
      c.attempt = lv.attempt + 1;
      t.commands.push_back(std::move(c));
    }
  return t;
}

bool inventory_item_state::idle() const {
  for (const auto& slot : slots_)
    for (std::size_t i = 0; i < slot.levels.size(); ++i) {
      const auto& lv = slot.levels[i];
      if (!lv.present) continue;
      if (lv.op != op_kind::none || lv.held || lv.unverified) return false;
      if (!lv.blocked.empty()) continue;
      if (!lv.dirty && !writable({i, 0}, lv)) continue; // not stocked: reported, nothing to do
      if (lv.dirty || lv.delta != 0 || lv.target) return false;
      if (layout_.mode == sync_mode::two_way && i != 0 && lv.known && !lv.aligned) return false;
    }
  return true;
}

std::vector<level_view> inventory_item_state::view() const {
  std::vector<level_view> out;
  for (std::size_t s = 0; s < slots_.size(); ++s)
    for (std::size_t i = 0; i < slots_[s].levels.size(); ++i) {
      const auto& lv = slots_[s].levels[i];
      if (!lv.present) continue;
      level_view v;
      v.at = {i, s};
      v.store = layout_.stores[i].store;
      v.location = *layout_.slots[s].locations[i];
      v.known = lv.known;
      v.known_at = lv.known_at;
      v.known_at_slack = lv.known_at_slack;
      v.in_flight = lv.op;
      v.op_id = lv.op == op_kind::none ? 0 : lv.op_id;
      v.op_value = lv.op == op_kind::set ? lv.op_target : lv.op == op_kind::adjust ? lv.op_delta : 0;
      v.pending_target = lv.target;
      v.pending_delta = lv.delta;
      v.dirty = lv.dirty;
      v.aligned = lv.aligned;
      v.held = lv.held;
      v.unverified = lv.unverified;
      v.blocked = lv.blocked;
      v.stock = lv.stock;
      if (i != 0 && layout_.mode != sync_mode::two_way) {
        v.rule = rule_of(i);
        const auto& adds = layout_.slots[s].adds;
        if (i < adds.size())
          v.sum_of.assign(adds[i].begin(), adds[i].end());
        v.follows = followed({i, s});
      }
      out.push_back(std::move(v));
    }
  return out;
}

std::vector<pending_write> inventory_item_state::would_write() const {
  std::vector<pending_write> out;
  for (std::size_t s = 0; s < slots_.size(); ++s)
    for (std::size_t i = 0; i < slots_[s].levels.size(); ++i) {
      const auto& lv = slots_[s].levels[i];
      const level_ref at{i, s};
      if (!lv.present || lv.op != op_kind::none || !lv.blocked.empty() || !writable(at, lv)) continue;
      std::optional<std::int64_t> after;
      if (layout_.mode != sync_mode::two_way) {
        if (i != 0 && lv.target && lv.target != lv.known) after = lv.target;
      } else if (lv.known) {
        if (i != 0 && !lv.aligned) {
          std::int64_t target = slots_[s].baseline.value_or(*lv.known);
          if (slots_[s].baseline && add_checked(target, lv.delta) && target != *lv.known) after = target;
        } else if (lv.delta != 0) {
          std::int64_t target = *lv.known;
          if (add_checked(target, lv.delta)) after = target;
        }
      }
      if (!after) continue;
      out.push_back({at, layout_.stores[i].store, *layout_.slots[s].locations[i], lv.known, *after});
    }
  return out;
}

} // namespace shopsync
