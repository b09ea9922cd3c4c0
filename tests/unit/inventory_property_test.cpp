// Property test of the inventory item state machine: seeded random interleavings against a
// tiny model of N Shopify stores. The test plays Shopify: external sales, restocks and manual
// edits in any store; a webhook for every change (the machine's own writes too: echoes),
// delivered late, duplicated, reordered and, in the lossy mode, lost; reads answered with the
// truth at answer time; writes applied at a random moment, each op id at most once (like
// Shopify's idempotency keys), their answers sometimes lost; transient failures; writes refused
// as not applied (ADJUST_QUANTITIES_FAILED, SERVICE_UNAVAILABLE; a key whose attempt failed is
// answered IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED ever after); retries of an applied write refused
// as expired (the store link's answer once its key may be gone); pauses; restarts from the
// persisted encoding. With `stocking`, the merchant also removes the item from
// Destination locations and stocks it there again (inventory_levels/disconnect and /connect,
// lost or late like any webhook; a write at a location where the item is not stocked stocks it,
// as in 2026-10): the machine must never send a write to a level after it learned the level
// is gone, until it finds it stocked again.
// In one-way groups the Source can be oversold (negative `available`, legal in Shopify): its
// Destinations then hold 0, and Shopify refuses sets below 0 (INVALID_QUANTITY_NEGATIVE) in half
// of the seeds.
//
// With `rules`, each one-way Destination has a random buffer and share (stock_allocation.hpp):
// at quiescence it holds floor(max(0, Source - buffer) * percent / 100). With `sums`, some
// Destinations have one location fed by the sum of every Source location (location sums): at
// quiescence it holds the rule applied to that sum, and the slots summed into it have no
// level of that Destination.
//
// Times (the header's "Times"): Shopify's clock ticks once per event and states seconds, with
// 1 to 16 events per second (so many changes share a second). Each level keeps the second of
// its last change (updated_at). A webhook's payload is assembled either when the change
// happens or later, at delivery (the value and updated_at then: two quick changes both carry
// the last), so snapshots from before our writes arrive after them; some payloads carry no
// updated_at. Reads answer the level's updatedAt, writes the adjustment group's createdAt
// (sometimes a second off, sometimes missing); reconciliation hints are snapshots of a level
// (its value and updatedAt when read, as a bulk operation's file gives them; sometimes no time),
// taken during the run and at the end, delivered late like webhooks. The properties above must
// hold, and hints newer than what is known must be acted on without a read (the test tallies it).
//
// SHOPSYNC_PROPERTY_SEEDS=N runs N seeds per test (default 3000).
#include "domain/inventory_item_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace shopsync::testing {
namespace {

struct config_t {
  bool two_way = true;
  bool lossy = false;
  bool hold = false; // one-way of an order group (follow_orders): Destination sales are held
  bool stocking = false; // Destinations' levels are removed and stocked again (one-way)
  bool rules = false;    // one-way Destinations have buffers and shares
  bool sums = false;     // one-way Destinations show the sum of several Source locations
};

struct message {
  enum class type { webhook, request, read_ok, write_ok, failure, connect, disconnect, read_unstocked } what =
    type::webhook;
  level_ref at;
  std::int64_t value = 0; // webhook: available; read_ok: q; write_ok: quantityAfterChange
  std::optional<std::int64_t> time; // webhook: updated_at; read_ok: updatedAt; write_ok: createdAt
  bool assemble_late = false;       // webhook: payload built at delivery, from the level then
  std::uint64_t seq = 0;  // read_ok: how many external changes were made before the answer
  command cmd;            // request
  std::uint64_t op_id = 0;
  bool write = false; // failure of a write (else of a read)
  failure_kind kind = failure_kind::transient;
  std::string code;
};

struct applied_op {
  op_kind kind;
  std::int64_t target, delta;
  std::optional<std::int64_t> change_from;
  std::int64_t after;
  bool stale = false; // answered CHANGE_FROM_QUANTITY_STALE: the key keeps that answer
  bool failed = false; // refused as not applied: the key is answered IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED
  std::optional<std::int64_t> created_at; // applied: the adjustment group's createdAt
};

struct external {
  std::size_t slot, store;
  std::int64_t delta;
  std::uint64_t seq;
};

class simulation {
public:
  simulation(std::uint64_t seed, config_t cfg) : rng_(seed), cfg_(cfg) {
    nstores_ = 2 + below(3);
    nslots_ = cfg.sums ? 2 + below(2) : 1 + below(2);
    item_layout layout;
    layout.identity = "sku:P-" + std::to_string(seed);
    layout.mode = cfg.two_way ? sync_mode::two_way : cfg.hold ? sync_mode::follow_orders : sync_mode::one_way;
    for (std::size_t i = 0; i < nstores_; ++i)
      layout.stores.push_back({"store" + std::to_string(i), 1000 + i});
    present_.assign(nslots_, std::vector<bool>(nstores_, true));
    sum_of_.assign(nstores_, {});
    for (std::size_t i = 1; cfg.sums && i < nstores_; ++i) {
      if (i > 1 && chance(40)) continue; // store 1 always sums; the others sometimes follow slot by slot
      for (std::size_t k = 1; k < nslots_; ++k) {
        sum_of_[i].push_back(k);
        present_[k][i] = false;
      }
    }
    for (std::size_t s = 0; s < nslots_; ++s) {
      item_slot slot;
      for (std::size_t i = 0; i < nstores_; ++i)
        slot.locations.push_back(present_[s][i] ? std::optional<location_id>(100 * (i + 1) + s) : std::nullopt);
      if (s == 0 && cfg.sums) {
        slot.adds.resize(nstores_);
        for (std::size_t i = 1; i < nstores_; ++i)
          for (auto k : sum_of_[i]) slot.adds[i].push_back(static_cast<std::uint32_t>(k));
      }
      layout.slots.push_back(slot);
    }
    rules_.assign(nstores_, stock_rule{});
    if (cfg.rules) {
      const int percents[] = {100, 50, 33, 0, 75, 100};
      for (std::size_t i = 1; i < nstores_; ++i) rules_[i] = {below(6), percents[below(6)]};
      layout.rules = rules_;
    }
    machine_.emplace(layout, seed);
    // Two-way levels share one stock: they stay as they were (negative only through sales).
    floor_ = cfg.two_way ? 0 : -5;
    refuse_negative_sets_ = !cfg.two_way && chance(50);
    truth_.assign(nslots_, std::vector<std::int64_t>(nstores_));
    stocked_.assign(nslots_, std::vector<bool>(nstores_, true));
    gone_.assign(nslots_, std::vector<bool>(nstores_, false));
    for (auto& slot : truth_)
      for (auto& q : slot) q = floor_ + below(30);
    updated_.assign(nslots_, std::vector<std::int64_t>(nstores_, 0));
    const int per_second[] = {1, 2, 4, 16};
    ticks_per_second_ = per_second[below(4)];
    tick_ = 1000 * ticks_per_second_;
    baseline_seq_.assign(nslots_, std::vector<std::optional<std::uint64_t>>(nstores_));
    source_baseline_.assign(nslots_, std::nullopt);
    adjusted_abs_.assign(nslots_, std::vector<std::int64_t>(nstores_, 0));
    provisional_abs_.assign(nslots_, std::vector<std::int64_t>(nstores_, 0));
  }

  // Empty when every property holds; otherwise what failed, with the recent history.
  std::string run() {
    apply(machine_->align(), nullptr);
    const int changes = 8 + below(16);
    int made = 0;
    long steps = 0;
    while (made < changes || (!pool_.empty() && steps < 400)) {
      if (++steps > step_limit) return fail("no progress (busy loop?)");
      int r = below(100);
      if (made < changes && (r < 22 || pool_.empty())) {
        external_change();
        ++made;
      } else if (r < 24) {
        apply(machine_->set_paused(!machine_->paused()), nullptr);
      } else if (r < 26) {
        if (auto err = restart(); !err.empty()) return fail(err);
      } else if (r < 27) {
        null_hint();
      } else if (cfg_.hold && r < 29) {
        apply(machine_->release_holds(), nullptr); // the holder's grace timer
      } else if (cfg_.stocking && r < 31) {
        toggle_stocking();
      } else if (r >= 31 && r < 33) {
        snapshot({static_cast<std::size_t>(below(static_cast<int>(nstores_))),
                  static_cast<std::size_t>(below(static_cast<int>(nslots_)))});
      } else if (r >= 33 && r < 35 && machine_->unverified()) {
        log("verify");
        apply(machine_->verify(), nullptr); // the holder's verification timer
      } else if (!pool_.empty()) {
        deliver();
      }
      if (!error_.empty()) return fail(error_);
      if (auto err = check_echo_of(); !err.empty()) return fail(err);
    }
    apply(machine_->set_paused(false), nullptr);
    if (!drain()) return fail("no quiescence");
    if (!error_.empty()) return fail(error_);

    if (cfg_.lossy) {
      // A final reconciliation: hints of the current truth heal lost webhooks.
      reconcile();
      if (!drain()) return fail("no quiescence after reconciliation");
      if (!error_.empty()) return fail(error_);
    }
    if (cfg_.hold) {
      // Held sales whose order never reached the Source: the grace period ends.
      apply(machine_->release_holds(), nullptr);
      if (!drain()) return fail("no quiescence after releasing holds");
      if (!error_.empty()) return fail(error_);
    }
    if (auto err = check_levels(); !err.empty()) return fail(err);
    if (!machine_->idle()) return fail("machine not idle at quiescence");
    for (std::size_t s = 0; s < nslots_; ++s)
      if (!cfg_.two_way && truth_[s][0] < 0) oversold_at_rest_ = 1;

    // Echoes and duplicates of the final truth, with nothing new: no write, no read at all (a
    // Destination at 0 below an oversold Source is at rest too).
    const long writes_before = writes_, reads_before = reads_;
    reconcile();
    if (auto err = check_echo_of(); !err.empty()) return fail(err);
    reconcile();
    if (auto err = check_echo_of(); !err.empty()) return fail(err);
    if (!drain()) return fail("no quiescence after echoes");
    if (writes_ != writes_before)
      return fail("an echo caused " + std::to_string(writes_ - writes_before) + " write(s)");
    if (reads_ != reads_before)
      return fail("an echo caused " + std::to_string(reads_ - reads_before) + " read(s)");
    if (auto err = check_levels(); !err.empty()) return fail(err);
    return {};
  }

  long writes() const { return writes_; }
  // Audit kinds seen: the test must exercise the rules it checks.
  std::map<std::string, long> tally() const {
    std::map<std::string, long> out;
    for (std::size_t k = 0; k < tally_.size(); ++k)
      if (tally_[k]) out[to_string(static_cast<audit_kind>(k))] = tally_[k];
    out["race found by a write result"] = races_;
    out["oversold Source at rest"] = oversold_at_rest_;
    out["hint trusted (newer, no read)"] = trusted_;
    out["hint taken provisionally"] = provisional_;
    out["hint set aside"] = set_aside_;
    out["hint dropped (older)"] = older_;
    out["echo_of"] = echo_of_;
    out["echo_of (timed)"] = echo_of_timed_;
    return out;
  }

private:
  static constexpr long step_limit = 20000;
  static std::size_t history_limit() {
    static const std::size_t n = [] {
      const char* env = std::getenv("SHOPSYNC_PROPERTY_HISTORY");
      return env ? static_cast<std::size_t>(std::strtoull(env, nullptr, 10)) : std::size_t{60};
    }();
    return n;
  }

  int below(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }
  bool chance(int percent) { return below(100) < percent; }

  void log(std::string line) {
    history_.push_back(std::move(line));
    if (history_.size() > history_limit()) history_.erase(history_.begin());
  }

  std::string fail(const std::string& why) {
    std::ostringstream out;
    out << why << "\n  stores=" << nstores_ << " slots=" << nslots_
        << " mode=" << (cfg_.two_way ? "two_way" : cfg_.hold ? "follow_orders" : "one_way") << (cfg_.lossy ? " lossy" : "")
        << "\n  truth:";
    for (std::size_t s = 0; s < nslots_; ++s) {
      out << " [";
      for (auto q : truth_[s]) out << " " << q;
      out << " ]";
    }
    out << "\n  state: " << machine_->encode() << "\n  last events:\n";
    for (const auto& h : history_) out << "    " << h << "\n";
    return out.str();
  }

  static std::string where(level_ref at) {
    return "s" + std::to_string(at.store) + "/l" + std::to_string(at.slot);
  }

  std::int64_t second() const { return tick_ / ticks_per_second_; }

  // A level changed now: its updated_at moves on, and a webhook is on its way.
  void changed(level_ref at) {
    updated_[at.slot][at.store] = second();
    webhook(at, truth_[at.slot][at.store]);
  }

  void webhook(level_ref at, std::int64_t value) {
    if (cfg_.lossy && chance(20)) {
      log("webhook lost " + where(at) + "=" + std::to_string(value));
      return;
    }
    message m;
    m.what = message::type::webhook;
    m.at = at;
    m.value = value;
    m.time = updated_[at.slot][at.store];
    m.assemble_late = chance(40);
    if (chance(10)) m.time.reset(); // no updated_at in this payload
    pool_.push_back(m);
  }

  void external_change() {
    ++tick_;
    level_ref at{static_cast<std::size_t>(below(static_cast<int>(nstores_))),
                 static_cast<std::size_t>(below(static_cast<int>(nslots_)))};
    if (!present_[at.slot][at.store]) return; // not a level of this identity (summed elsewhere)
    if (!stocked_[at.slot][at.store]) return; // nothing to sell there
    std::int64_t delta = 0;
    while (delta == 0) {
      int kind = below(100);
      if (kind < 65) delta = -(1 + below(3));                                // a sale
      else if (kind < 85) delta = 1 + below(4);                              // a restock
      else delta = floor_ + below(31) - truth_[at.slot][at.store];           // a manual edit
    }
    truth_[at.slot][at.store] += delta;
    externals_.push_back({at.slot, at.store, delta, ++seq_});
    log("external " + where(at) + " " + std::to_string(delta) + " -> " +
        std::to_string(truth_[at.slot][at.store]) + " @" + std::to_string(second()));
    changed(at);
  }

  // The merchant removes the item from a Destination location, or stocks it there again (at 0).
  void toggle_stocking() {
    level_ref at{1 + static_cast<std::size_t>(below(static_cast<int>(nstores_ - 1))),
                 static_cast<std::size_t>(below(static_cast<int>(nslots_)))};
    if (!present_[at.slot][at.store]) return;
    bool now = !stocked_[at.slot][at.store];
    stocked_[at.slot][at.store] = now;
    if (now) truth_[at.slot][at.store] = 0;
    updated_[at.slot][at.store] = second();
    log(std::string(now ? "merchant stocks " : "merchant removes ") + where(at));
    if (cfg_.lossy && chance(20)) return log("  its webhook is lost");
    message m;
    m.what = now ? message::type::connect : message::type::disconnect;
    m.at = at;
    pool_.push_back(m);
  }

  // echo_of(l, v, u) promises that hint(l, v, u) sends nothing and changes nothing (its
  // echo_dropped record aside): checked on a copy of the machine, for the value known at each
  // level, its neighbours and the level's truth, each without a time and, at one step in seven
  // or so, at one second drawn from the second of the level's last change (a snapshot's
  // updatedAt) and every second within 2 of known_at (all of them at every step would make the
  // test several times slower; a wrong rule fails within the first seeds either way).
  std::string check_echo_of() {
    for (const auto& v : machine_->view()) {
      std::vector<std::int64_t> values{truth_[v.at.slot][v.at.store]};
      if (v.known) values.insert(values.end(), {*v.known, *v.known - 1, *v.known + 1});
      std::sort(values.begin(), values.end());
      values.erase(std::unique(values.begin(), values.end()), values.end());
      std::vector<std::optional<std::int64_t>> times{updated_[v.at.slot][v.at.store]};
      if (v.known_at)
        for (std::int64_t d = -2; d <= 2; ++d) times.push_back(*v.known_at + d);
      times = {std::nullopt, times[static_cast<std::size_t>(below(static_cast<int>(times.size())))]};
      if (!chance(15)) times.pop_back();
      for (auto value : values)
        for (auto time : times) {
          if (!machine_->echo_of(v.at, value, time)) continue;
          ++(time ? echo_of_timed_ : echo_of_);
          auto copy = *machine_;
          auto t = copy.hint(v.at, value, time);
          const std::string at_text = " at " + where(v.at) + " value " + std::to_string(value) + " @" +
                                      (time ? std::to_string(*time) : "?");
          if (!t.commands.empty()) return "echo_of, yet the hint sent a command" + at_text;
          if (copy.encode() != machine_->encode()) return "echo_of, yet the hint changed the state" + at_text;
          if (!(copy == *machine_)) return "echo_of, yet the hint changed the machine" + at_text;
          for (const auto& a : t.audit)
            if (a.kind != audit_kind::echo_dropped)
              return std::string("echo_of, yet the hint recorded ") + to_string(a.kind) + at_text;
        }
    }
    return {};
  }

  // A reconcile read of one level: its value and updatedAt now (sometimes without the time),
  // delivered later like any hint.
  void snapshot(level_ref at) {
    if (!present_[at.slot][at.store]) return;
    message m;
    m.what = stocked_[at.slot][at.store] ? message::type::webhook : message::type::disconnect;
    m.at = at;
    m.value = truth_[at.slot][at.store];
    m.time = updated_[at.slot][at.store];
    if (chance(10)) m.time.reset();
    log("snapshot " + where(at) + "=" + std::to_string(m.value) + " @" + (m.time ? std::to_string(*m.time) : "?"));
    pool_.push_back(m);
  }

  void null_hint() {
    level_ref at{static_cast<std::size_t>(below(static_cast<int>(nstores_))),
                 static_cast<std::size_t>(below(static_cast<int>(nslots_)))};
    auto t = machine_->hint(at, std::nullopt);
    if (!t.commands.empty()) error_ = "a null hint produced a command";
  }

  void reconcile() {
    for (std::size_t s = 0; s < nslots_; ++s)
      for (std::size_t i = 0; i < nstores_; ++i) snapshot({i, s});
  }

  std::string restart() {
    auto encoded = machine_->encode();
    auto decoded = inventory_item_state::decode(encoded);
    if (!decoded) return "decode failed: " + decoded.error().message;
    if (!(*decoded == *machine_)) return "decode(encode()) differs";
    machine_.emplace(std::move(*decoded));
    log("restart");
    apply(machine_->restart(), nullptr);
    return {};
  }

  // Until nothing is on its way and nothing is left to verify (the holder's timer fires).
  bool drain() {
    long steps = 0;
    while (!pool_.empty() || machine_->unverified()) {
      if (++steps > step_limit) return false;
      if (pool_.empty()) {
        log("verify");
        apply(machine_->verify(), nullptr);
      } else {
        deliver();
      }
      if (!error_.empty()) return true;
    }
    return true;
  }

  // Every command goes to "Shopify"; checks that an op id never names two different writes.
  void apply(const transition& t, const message* answering) {
    for (const auto& a : t.audit) {
      ++tally_[static_cast<std::size_t>(a.kind)];
      if (a.kind == audit_kind::not_stocked) gone_[a.at.slot][a.at.store] = true;
      if (a.kind == audit_kind::stocked) gone_[a.at.slot][a.at.store] = false;
      if (a.kind == audit_kind::external_change && a.cause == "write result") ++races_;
      if (a.kind == audit_kind::external_change && a.cause == newer_hint_cause) ++trusted_;
      if (a.kind == audit_kind::external_change && a.cause == provisional_cause) {
        ++provisional_;
        provisional_abs_[a.at.slot][a.at.store] += -a.delta;
        if (a.delta >= 0) error_ = "a hint taken provisionally raised the level";
      }
      if (a.kind == audit_kind::echo_dropped && a.cause == set_aside_cause) ++set_aside_;
      if (a.kind == audit_kind::echo_dropped && a.cause == older_hint_cause) ++older_;
      if (a.kind == audit_kind::observed && answering && answering->what == message::type::read_ok)
        baseline(a.at, answering);
      if (a.kind != audit_kind::echo_dropped && a.kind != audit_kind::hint_dirty &&
          a.kind != audit_kind::stale_answer && a.kind != audit_kind::retried)
        log(std::string("  audit ") + to_string(a.kind) + " " + where(a.at) + " " +
            (a.before ? std::to_string(*a.before) : "?") + "->" +
            (a.after ? std::to_string(*a.after) : "?") + " d=" + std::to_string(a.delta) + " " +
            a.cause);
    }
    for (const auto& c : t.commands) {
      if (c.kind == op_kind::set || c.kind == op_kind::adjust) {
        if (c.attempt == 0) ++writes_;
        auto [it, fresh] = keys_.emplace(c.idempotency_key, std::make_tuple(c.at.slot, c.at.store, c.op_id,
                                                                            c.kind, c.target, c.delta,
                                                                            c.change_from));
        if (!fresh && it->second != std::make_tuple(c.at.slot, c.at.store, c.op_id, c.kind, c.target,
                                                    c.delta, c.change_from))
          error_ = "idempotency key " + c.idempotency_key + " reused for a different write";
        if (cfg_.two_way && c.kind == op_kind::set && !c.change_from)
          error_ = "two-way set without changeFromQuantity";
        if (!cfg_.two_way && c.kind == op_kind::adjust) error_ = "one-way sent an adjust";
        if (!cfg_.two_way && c.at.store == 0) error_ = "one-way wrote to the Source";
        if (c.attempt == 0 && gone_[c.at.slot][c.at.store])
          error_ = "a write sent to a level known not to be stocked";
        if (!cfg_.two_way && c.kind == op_kind::set && c.target < 0) error_ = "one-way set a Destination below 0";
      }
      if (c.kind == op_kind::read && c.attempt == 0) ++reads_;
      log(std::string("cmd ") + to_string(c.kind) + " " + where(c.at) + " op" +
          std::to_string(c.op_id) + " try" + std::to_string(c.attempt) +
          (c.kind == op_kind::set ? " target=" + std::to_string(c.target) : "") +
          (c.kind == op_kind::adjust ? " delta=" + std::to_string(c.delta) : "") +
          (c.change_from ? " from=" + std::to_string(*c.change_from) : ""));
      message m;
      m.what = message::type::request;
      m.at = c.at;
      m.cmd = c;
      pool_.push_back(m);
    }
  }

  void baseline(level_ref at, const message* answer) {
    auto& b = baseline_seq_[at.slot][at.store];
    if (b && cfg_.stocking) return; // a level that came back is a new level (one-way: no count)
    if (b) {
      error_ = "level observed twice for the first time";
      return;
    }
    b = answer->seq;
    if (at.store == 0) source_baseline_[at.slot] = answer->value;
  }

  // The holder's view of each store's bucket (read_pressure): whether reads are scarce there,
  // flipped now and then, told to the machine before every input (a restarted one forgets).
  void sense() {
    if (scarce_.size() != nstores_) scarce_.assign(nstores_, false);
    for (std::size_t i = 0; i < nstores_; ++i) {
      if (chance(3)) scarce_[i] = !scarce_[i];
      machine_->set_reads_scarce(i, scarce_[i]);
    }
  }

  void deliver() {
    ++tick_;
    sense();
    std::size_t k = static_cast<std::size_t>(below(static_cast<int>(pool_.size())));
    message m = pool_[k];
    bool duplicate = m.what == message::type::webhook && chance(10);
    if (!duplicate) {
      pool_[k] = pool_.back();
      pool_.pop_back();
    }
    switch (m.what) {
      case message::type::webhook:
        if (m.assemble_late && m.time && stocked_[m.at.slot][m.at.store]) {
          // Built now: the level as it is now, and the second of its last change.
          m.value = truth_[m.at.slot][m.at.store];
          m.time = updated_[m.at.slot][m.at.store];
        }
        log("hint " + where(m.at) + "=" + std::to_string(m.value) + " @" +
            (m.time ? std::to_string(*m.time) : "?") + (m.assemble_late ? " (late)" : "") +
            (duplicate ? " (dup)" : ""));
        apply(machine_->hint(m.at, m.value, m.time), nullptr);
        break;
      case message::type::request:
        serve(m.cmd);
        break;
      case message::type::read_ok:
        log("read answer " + where(m.at) + " op" + std::to_string(m.op_id) + " q=" +
            std::to_string(m.value) + " @" + (m.time ? std::to_string(*m.time) : "?"));
        apply(machine_->read_result(m.at, m.op_id, m.value, m.time), &m);
        break;
      case message::type::write_ok:
        log("write answer " + where(m.at) + " op" + std::to_string(m.op_id) + " after=" +
            std::to_string(m.value) + " @" + (m.time ? std::to_string(*m.time) : "?"));
        apply(machine_->write_result(m.at, m.op_id, m.value, m.time), &m);
        break;
      case message::type::connect:
        log("connect " + where(m.at));
        apply(machine_->connected(m.at), nullptr);
        break;
      case message::type::disconnect:
        log("disconnect " + where(m.at));
        apply(machine_->disconnected(m.at), nullptr);
        break;
      case message::type::read_unstocked:
        log("read answer " + where(m.at) + " op" + std::to_string(m.op_id) + " not stocked");
        apply(machine_->read_not_stocked(m.at, m.op_id, stocking::not_stocked), &m);
        break;
      case message::type::failure:
        log("failure " + where(m.at) + " op" + std::to_string(m.op_id) + " " + m.code);
        apply(m.write ? machine_->write_failed(m.at, m.op_id, m.kind, m.code)
                      : machine_->read_failed(m.at, m.op_id, m.kind, m.code),
              &m);
        break;
    }
  }

  void answer_failure(const command& c, bool write, failure_kind kind, std::string code) {
    message r;
    r.what = message::type::failure;
    r.at = c.at;
    r.op_id = c.op_id;
    r.write = write;
    r.kind = kind;
    r.code = std::move(code);
    pool_.push_back(r);
  }

  // Shopify's side of a request.
  void serve(const command& c) {
    auto& q = truth_[c.at.slot][c.at.store];
    if (c.kind == op_kind::read) {
      if (chance(8)) return answer_failure(c, false, failure_kind::transient, "TIMEOUT");
      message r;
      r.what = stocked_[c.at.slot][c.at.store] ? message::type::read_ok : message::type::read_unstocked;
      r.at = c.at;
      r.op_id = c.op_id;
      r.value = q;
      r.seq = seq_;
      r.time = updated_[c.at.slot][c.at.store];
      if (chance(10)) r.time.reset();
      pool_.push_back(r);
      return;
    }
    auto key = std::make_tuple(c.at.slot, c.at.store, c.op_id);
    auto done = applied_.find(key);
    if (done != applied_.end()) {
      // Same key again: Shopify answers the first result and applies nothing.
      log("shopify replays op" + std::to_string(c.op_id) + " " + where(c.at));
      if (done->second.kind != c.kind || done->second.target != c.target ||
          done->second.delta != c.delta || done->second.change_from != c.change_from) {
        error_ = "IDEMPOTENCY_KEY_PARAMETER_MISMATCH";
        return;
      }
      if (done->second.stale)
        return answer_failure(c, true, failure_kind::stale, "CHANGE_FROM_QUANTITY_STALE");
      if (done->second.failed)
        return answer_failure(c, true, failure_kind::not_applied, "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED");
      // A retry of an applied write whose key may have expired: the store link settles it by
      // reading instead of resending. (A write that never applied and expires is taken as
      // applied too, and its change lost: not modelled here, see the unit tests.)
      if (c.attempt > 0 && chance(25))
        return answer_failure(c, true, failure_kind::expired, "shopsync.key_expired");
      message r;
      r.what = message::type::write_ok;
      r.at = c.at;
      r.op_id = c.op_id;
      r.value = done->second.after;
      r.time = done->second.created_at;
      pool_.push_back(r);
      return;
    }
    if (chance(8)) return answer_failure(c, true, failure_kind::transient, "INTERNAL_SERVER_ERROR");
    if (chance(4)) {
      applied_[key] = {c.kind, c.target, c.delta, c.change_from, q, false, true};
      return answer_failure(c, true, failure_kind::not_applied,
                            c.kind == op_kind::set ? "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"
                            : chance(50)           ? "ADJUST_QUANTITIES_FAILED"
                                                   : "SERVICE_UNAVAILABLE");
    }
    if (c.change_from && *c.change_from != q) {
      applied_[key] = {c.kind, c.target, c.delta, c.change_from, q, true};
      return answer_failure(c, true, failure_kind::stale, "CHANGE_FROM_QUANTITY_STALE");
    }
    if (refuse_negative_sets_ && c.kind == op_kind::set && c.target < 0)
      return answer_failure(c, true, failure_kind::permanent, "INVALID_QUANTITY_NEGATIVE");
    if (!stocked_[c.at.slot][c.at.store]) {
      // 2026-10: the write stocks the item there (a write sent before the machine knew).
      stocked_[c.at.slot][c.at.store] = true;
      q = 0;
      updated_[c.at.slot][c.at.store] = second();
      log("shopify stocks " + where(c.at) + " by the write");
      message m;
      m.what = message::type::connect;
      m.at = c.at;
      pool_.push_back(m);
    }
    const std::int64_t was = q;
    if (c.kind == op_kind::set) {
      q = c.target;
    } else {
      q += c.delta;
      adjusted_abs_[c.at.slot][c.at.store] += c.delta < 0 ? -c.delta : c.delta;
    }
    // A set that changes nothing leaves the level's updated_at as it was.
    if (q != was || c.kind == op_kind::adjust) updated_[c.at.slot][c.at.store] = second();
    // The adjustment group's createdAt: the second of the write, sometimes a second off (the
    // group and the level stamped on either side of a second), sometimes not answered.
    std::optional<std::int64_t> created = second();
    if (chance(15)) *created += chance(50) ? 1 : -1;
    if (chance(10)) created.reset();
    applied_[key] = {c.kind, c.target, c.delta, c.change_from, q, false, false, created};
    log("shopify applies op" + std::to_string(c.op_id) + " " + where(c.at) + " -> " +
        std::to_string(q) + " @" + std::to_string(second()));
    webhook(c.at, q); // our own write comes back: an echo
    if (chance(10)) return answer_failure(c, true, failure_kind::transient, "TIMEOUT (answer lost)");
    message r;
    r.what = message::type::write_ok;
    r.at = c.at;
    r.op_id = c.op_id;
    r.value = q;
    r.time = created;
    pool_.push_back(r);
  }

  std::string check_levels() {
    auto view = machine_->view();
    for (const auto& v : view) {
      if ((v.stock == stocking::stocked) != stocked_[v.at.slot][v.at.store])
        return "stocking differs from truth at " + where(v.at);
      if (!stocked_[v.at.slot][v.at.store]) {
        if (v.in_flight != op_kind::none) return "op still in flight at " + where(v.at);
        continue;
      }
      if (!v.known || *v.known != truth_[v.at.slot][v.at.store])
        return "known differs from truth at " + where(v.at);
      if (v.in_flight != op_kind::none) return "op still in flight at " + where(v.at);
    }
    for (std::size_t s = 0; s < nslots_; ++s) {
      if (!cfg_.two_way) {
        for (std::size_t i = 1; i < nstores_; ++i) {
          if (!present_[s][i] || !stocked_[s][i]) continue;
          // The rule applied to the Source: its slot's quantity plus the slots summed into it.
          std::int64_t source = truth_[s][0];
          if (s == 0)
            for (auto k : sum_of_[i]) source += truth_[k][0];
          const std::int64_t expected = rule_target(rules_[i], source);
          if (truth_[s][i] != expected)
            return "one-way Destination " + std::to_string(i) + " holds " + std::to_string(truth_[s][i]) +
                   ", expected floor(max(0, " + std::to_string(source) + " - " + std::to_string(rules_[i].buffer) +
                   ") x " + std::to_string(rules_[i].percent) + "%) = " + std::to_string(expected) + " in slot " +
                   std::to_string(s);
        }
        continue;
      }
      if (!source_baseline_[s]) return "Source never read";
      std::int64_t expected = *source_baseline_[s];
      std::vector<std::int64_t> counted_abs(nstores_, 0);
      for (const auto& e : externals_) {
        if (e.slot != s) continue;
        const auto& b = baseline_seq_[s][e.store];
        if (!b) return "level never observed";
        if (e.seq > *b) {
          expected += e.delta;
          counted_abs[e.store] += e.delta < 0 ? -e.delta : e.delta;
        }
      }
      std::int64_t all_abs = 0;
      for (auto a : counted_abs) all_abs += a;
      for (std::size_t i = 0; i < nstores_; ++i) {
        if (truth_[s][i] != expected)
          return "two-way store " + std::to_string(i) + " holds " + std::to_string(truth_[s][i]) +
                 ", expected initial + changes = " + std::to_string(expected);
        // No phantom delta: what was adjusted into a store never exceeds what changed elsewhere,
        // but for hints taken provisionally elsewhere (the header's "Times"): one that proves
        // wrong (an older state: changes down and up again in the second of our write) moves the
        // other stores down by its delta and back once verified, never the other way.
        std::int64_t provisional_elsewhere = 0;
        for (std::size_t j = 0; j < nstores_; ++j)
          if (j != i) provisional_elsewhere += provisional_abs_[s][j];
        if (adjusted_abs_[s][i] > all_abs - counted_abs[i] + 2 * provisional_elsewhere)
          return "phantom delta: store " + std::to_string(i) + " adjusted by " +
                 std::to_string(adjusted_abs_[s][i]) + " in total, other stores changed by " +
                 std::to_string(all_abs - counted_abs[i]);
      }
    }
    return {};
  }

  // The model's own arithmetic, written independently of apply_rule: a plain loop over units.
  static std::int64_t rule_target(const stock_rule& r, std::int64_t source) {
    const std::int64_t offered = std::max<std::int64_t>(source - r.buffer, 0);
    std::int64_t shown = 0;
    while ((shown + 1) * 100 <= offered * r.percent) ++shown;
    return shown;
  }

  std::mt19937_64 rng_;
  config_t cfg_;
  std::vector<std::vector<bool>> present_;       // the identity has a level there (not summed away)
  std::vector<std::vector<std::size_t>> sum_of_; // per Destination: slots summed into its slot 0
  std::vector<stock_rule> rules_;                // per store ([0] unused)
  std::size_t nstores_ = 2, nslots_ = 1;
  std::optional<inventory_item_state> machine_;
  std::vector<std::vector<std::int64_t>> truth_;
  std::vector<std::vector<bool>> stocked_; // the merchant's: the item has a level there
  std::vector<std::vector<bool>> gone_;    // the machine said so (not_stocked audit, until stocked)
  std::vector<message> pool_;
  std::map<std::tuple<std::size_t, std::size_t, std::uint64_t>, applied_op> applied_;
  std::map<std::string, std::tuple<std::size_t, std::size_t, std::uint64_t, op_kind, std::int64_t,
                                   std::int64_t, std::optional<std::int64_t>>>
      keys_;
  std::vector<external> externals_;
  std::uint64_t seq_ = 0;
  std::vector<std::vector<std::optional<std::uint64_t>>> baseline_seq_;
  std::vector<std::optional<std::int64_t>> source_baseline_;
  std::vector<std::vector<std::int64_t>> adjusted_abs_;
  std::vector<bool> scarce_; // by store: the holder's read_pressure
  std::vector<std::vector<std::int64_t>> provisional_abs_; // |deltas| of hints taken provisionally
  long writes_ = 0, reads_ = 0;
  std::int64_t floor_ = 0;             // lowest value of a level at the start or after a manual edit
  bool refuse_negative_sets_ = false;  // Shopify's INVALID_QUANTITY_NEGATIVE for sets below 0
  std::vector<std::string> history_;
  std::string error_;
  std::array<long, 32> tally_{};
  long races_ = 0;
  long oversold_at_rest_ = 0;
  long trusted_ = 0, older_ = 0, provisional_ = 0, set_aside_ = 0;
  long echo_of_ = 0; // (level, value) pairs echo_of() vouched for, checked by check_echo_of()
  long echo_of_timed_ = 0; // (level, value, time) triples echo_of() vouched for
  std::vector<std::vector<std::int64_t>> updated_; // second of each level's last change
  std::int64_t tick_ = 0;                           // Shopify's clock: one tick per event
  std::int64_t ticks_per_second_ = 1;
};

std::uint64_t seeds() {
  if (const char* env = std::getenv("SHOPSYNC_PROPERTY_SEEDS")) {
    auto n = std::strtoull(env, nullptr, 10);
    if (n > 0) return n;
  }
  return 3000;
}

void run_seeds(config_t cfg, std::uint64_t salt) {
  const auto n = seeds();
  long writes = 0;
  std::map<std::string, long> tally;
  // SHOPSYNC_PROPERTY_SEED=<seed> replays one failing seed.
  const char* only = std::getenv("SHOPSYNC_PROPERTY_SEED");
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t seed = only ? std::strtoull(only, nullptr, 10) : salt * 1000003 + i;
    if (only && seed / 1000003 != salt) return;
    if (only && i > 0) break;
    simulation sim(seed, cfg);
    auto failure = sim.run();
    if (!failure.empty()) {
      ADD_FAILURE() << "seed " << seed << ": " << failure;
      return;
    }
    writes += sim.writes();
    for (const auto& [k, v] : sim.tally()) tally[k] += v;
  }
  std::string summary = "writes=" + std::to_string(writes);
  for (const auto& [k, v] : tally) summary += " " + k + "=" + std::to_string(v);
  std::printf("%s\n", summary.c_str());
  // The simulations exercised the rules they are meant to test.
  EXPECT_GT(writes, 0);
  if (n < 200 || only) return;
  for (const char* k : {"echo_dropped", "hint_dirty", "external_change", "retried", "stale_answer",
                        "level_set", "not_applied", "expired"})
    EXPECT_GT(tally[k], 0) << k;
  if (cfg.two_way)
    for (const char* k : {"stale", "aligned", "delta_propagated", "race found by a write result"})
      EXPECT_GT(tally[k], 0) << k;
  for (const char* k : {"hint trusted (newer, no read)", "hint dropped (older)", "echo_of", "echo_of (timed)",
                        "hint set aside"})
    EXPECT_GT(tally[k], 0) << k;
  if (cfg.two_way)
    EXPECT_GT(tally["hint taken provisionally"], 0);
  if (!cfg.two_way)
    EXPECT_GT(tally["oversold Source at rest"], 0);
  if (cfg.hold)
    for (const char* k : {"held", "released", "stale"})
      EXPECT_GT(tally[k], 0) << k;
  if (cfg.stocking)
    for (const char* k : {"not_stocked", "stocked"})
      EXPECT_GT(tally[k], 0) << k;
}

TEST(inventory_property, two_way_converges_without_reconciliation) { run_seeds({true, false}, 1); }
TEST(inventory_property, two_way_heals_lost_webhooks_by_reconciliation) { run_seeds({true, true}, 2); }
TEST(inventory_property, one_way_destinations_follow_the_source) { run_seeds({false, false}, 3); }
TEST(inventory_property, one_way_heals_lost_webhooks_by_reconciliation) { run_seeds({false, true}, 4); }
TEST(inventory_property, order_group_destinations_follow_the_source_after_holds) { run_seeds({false, false, true}, 5); }
TEST(inventory_property, order_group_heals_lost_webhooks_by_reconciliation) { run_seeds({false, true, true}, 6); }
TEST(inventory_property, one_way_never_writes_a_level_known_to_be_unstocked) { run_seeds({false, false, false, true}, 7); }
TEST(inventory_property, one_way_stocking_heals_lost_connects_by_reconciliation) { run_seeds({false, true, false, true}, 8); }
// Buffers and shares, and location sums, at quiescence equal the rule applied to the
// Source (summed), with every other property above still holding.
TEST(inventory_property, one_way_destinations_show_their_buffer_and_share_of_the_source) {
  run_seeds({false, false, false, false, true}, 9);
}
TEST(inventory_property, one_way_buffers_heal_lost_webhooks_by_reconciliation) { run_seeds({false, true, false, false, true}, 10); }
TEST(inventory_property, order_group_buffers_hold_sales_then_follow_the_rule) { run_seeds({false, false, true, false, true}, 11); }
TEST(inventory_property, one_way_summed_locations_follow_the_sum_of_the_source) {
  run_seeds({false, false, false, false, true, true}, 12);
}
TEST(inventory_property, one_way_sums_heal_lost_webhooks_by_reconciliation) { run_seeds({false, true, false, false, false, true}, 13); }
TEST(inventory_property, order_group_sums_hold_sales_then_follow_the_sum) { run_seeds({false, false, true, false, true, true}, 14); }
TEST(inventory_property, one_way_sums_with_stocking_changes) { run_seeds({false, false, false, true, true, true}, 15); }

} // namespace
} // namespace shopsync::testing
