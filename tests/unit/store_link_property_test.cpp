// Property test of the store link's protocol (domain/store_link_protocol): seeded random
// interleavings of requesters and a tiny Shopify. Requesters behave as item actors do: one op
// at a time per level, asked again (same op id) after an answer that leaves the outcome unknown,
// sometimes asked twice, sometimes asked again long after its answer. Shopify applies a batch
// entirely or not at all, answers a key it saw before with its first answer, loses answers
// (after applying, or not), refuses entries on their own, refuses whole batches, and sometimes
// refuses every token (unauthorized) until the probe succeeds. The outbox confirms records late;
// saving a batch sometimes fails. Time moves; parked batches outlive their key.
//
// Properties, checked at every step and at quiescence:
// - every ask (write, read, call) is answered exactly once; a read by a query sent after it;
// - no level has two writes in flight; batches never exceed their limits; a query reads one
//   location;
// - no op is applied twice; an op told refused was never applied, one told applied was, with
//   the level Shopify reported for it;
// - every batch sent was saved first, and every result handed to persist is on disk at the end,
//   equal to what its requester was told; nothing is left in the outbox; an op asked again
//   after its answer gets the same answer;
// - a call at the head of its queue starts after at most two other requests (writes and reads
//   take turns with it).
//
// SHOPSYNC_PROPERTY_SEEDS=N runs N seeds per test (default 3000); SHOPSYNC_PROPERTY_SEED=S replays
// one; SHOPSYNC_PROPERTY_TRACE=1 adds the sends, applies, asks and answers to a failure.
#include "domain/store_link_protocol.hpp"
#include "domain/write_expiry.hpp"
#include "property_seeds.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace shopsync::testing {
namespace {

using namespace std::chrono_literals;


failure_kind classify(const error& e) {
  if (e.code.rfind("admin.", 0) == 0 || e.code.rfind("outbox.", 0) == 0)
    return failure_kind::transient;
  if (e.code == write_expired_code)
    return failure_kind::expired;
  if (e.code == level_not_stocked_code)
    return failure_kind::stale;
  return failure_kind::permanent;
}

struct config_t {
  int max_in_flight = 2;
  bool durable = true;
  // A cost bucket (30 points, 10 restored a second, 10 per mutation) that the link asks through
  // bucket_wait: batches are taken only when it can pay, and ticks must wake the link for it.
  // Below a reserve of 15 points a batch that is not full waits to fill, 300 ms at most.
  bool bucket = false;
};

class simulation {
public:
  simulation(std::uint64_t seed, config_t cfg) : rng_(seed), cfg_(cfg), link_(options()) {}

  std::string run() {
    const int steps = 300 + static_cast<int>(rng_() % 300);
    for (int i = 0; i < steps && failure_.empty(); ++i) {
      step();
      drain();
    }
    for (int i = 0; i < 2000 && failure_.empty() && !quiet(); ++i) {
      settle();
      drain();
    }
    if (failure_.empty() && !quiet())
      fail("no quiescence");
    if (failure_.empty())
      check_end();
    return failure_;
  }

  long tally(const std::string& k) const {
    auto it = tally_.find(k);
    return it == tally_.end() ? 0 : it->second;
  }
  const std::map<std::string, long>& tallies() const { return tally_; }

private:
  struct pair_state {
    std::optional<write_intent> current;
    bool open = false; // an ask of `current` is unanswered
  };
  struct ask {
    enum class what { write, read, call } kind = what::write;
    std::uint64_t op = 0;
    level_key key;
    std::uint64_t sends_before = 0; // requests sent when it was asked (reads)
  };
  struct in_flight_write {
    std::uint64_t batch;
    std::vector<level_key> keys;
    bool unsaved = false; // the outbox failed to save it: never sent
  };
  struct told {
    bool ok = false;
    std::int64_t q = 0;
    std::string code;
    bool recorded = false; // from a batch: asking again must give the same answer
  };

  store_link_protocol_options options() {
    store_link_protocol_options o;
    o.store = "A";
    o.max_in_flight = cfg_.max_in_flight;
    o.batching_window = 50ms;
    o.idempotency_key_max_age = 5s;
    o.max_read_keys = 3;
    o.max_batch_entries = 4;
    o.durable = cfg_.durable;
    o.make_batch = [this](write_batch wb) {
      outbox_batch b;
      b.id = next_batch_++;
      b.idempotency_key = "key-" + std::to_string(b.id);
      b.batch = std::move(wb);
      b.variables_json = "{}";
      made_[b.id] = b.batch;
      return b;
    };
    o.classify = classify;
    if (cfg_.bucket)
      o.bucket_wait = [this](double cost) {
        const double have = points();
        if (have >= cost)
          return std::chrono::milliseconds::zero();
        count(cost >= 25 ? "reserve_waited" : "bucket_waited");
        return std::chrono::milliseconds(static_cast<std::int64_t>((cost - have) * 100.0) + 1); // 10 points/s
      };
    if (cfg_.bucket) {
      o.write_reserve = [] { return 15.0; };
      o.max_write_wait = std::chrono::milliseconds(300);
    }
    if (cfg_.durable)
      o.find_result = [this](inventory_item_id i, location_id l, std::uint64_t op) -> std::optional<op_result> {
        auto it = disk_results_.find({i, l, op});
        if (it == disk_results_.end())
          return std::nullopt;
        return it->second;
      };
    return o;
  }

  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }
  bool chance(int percent) { return static_cast<int>(rng_() % 100) < percent; }
  void fail(const std::string& why) {
    if (failure_.empty())
      failure_ = why + (std::getenv("SHOPSYNC_PROPERTY_TRACE") ? "\n" + trace_ : "");
  }
  void trace(const std::string& s) {
    if (std::getenv("SHOPSYNC_PROPERTY_TRACE"))
      trace_ += s + "\n";
  }
  void count(const std::string& k) { ++tally_[k]; }

  link_time now() const { return {steady_, unix_}; }
  level_key random_key() { return {1 + pick(6), 1 + pick(2)}; }

  // ---- requesters

  void ask_write(const write_intent& in) {
    const auto t = ++tickets_;
    trace("ask ticket " + std::to_string(t) + " op " + std::to_string(in.op_id));
    asks_[t] = {ask::what::write, in.op_id, {in.item, in.location}, sends_};
    pairs_[{in.item, in.location}].open = true;
    link_.write(in, t, now());
  }

  void new_op() {
    auto k = random_key();
    auto& p = pairs_[k];
    if (p.current || deleted_.count(k.item))
      return;
    write_intent in;
    in.item = k.item;
    in.location = k.location;
    in.op_id = ++ops_;
    if (chance(30)) {
      in.kind = write_kind::set;
      in.quantity = static_cast<std::int64_t>(pick(20));
    } else {
      in.kind = write_kind::adjust;
      in.quantity = static_cast<std::int64_t>(pick(7)) - 3;
    }
    p.current = in;
    intents_[in.op_id] = in;
    ask_write(in);
  }

  void step() {
    const auto r = pick(100);
    if (r < 18)
      new_op();
    else if (r < 24)
      again();
    else if (r < 27)
      ask_finished_again();
    else if (r < 35) {
      const auto t = ++tickets_;
      auto k = random_key();
      asks_[t] = {ask::what::read, 0, k, sends_};
      link_.read(k, t, now());
    } else if (r < 40) {
      const auto t = ++tickets_;
      asks_[t] = {ask::what::call};
      calls_queued_.push_back(t);
      link_.call(t, now());
    } else if (r < 60)
      advance(std::chrono::milliseconds(pick(120)));
    else if (r < 75)
      answer_write();
    else if (r < 84)
      answer_reads();
    else if (r < 89)
      answer_call();
    else if (r < 95)
      confirm_persist();
    else if (r < 98) {
      if (link_.held()) {
        count("resumed");
        link_.resume(now());
      }
    } else if (r < 99 && chance(30)) {
      const inventory_item_id item = 1 + pick(6);
      deleted_.insert(item);
      count("forget");
      link_.forget({item}, now());
    } else
      advance(std::chrono::milliseconds(1000 + pick(3000)));
  }

  // A requester whose op's outcome is unknown asks again (same op id), or asks twice.
  void again() {
    std::vector<level_key> ks;
    for (auto& [k, p] : pairs_)
      if (p.current && (!p.open || chance(10)) && !deleted_.count(k.item))
        ks.push_back(k);
    if (ks.empty())
      return;
    count("asked_again");
    ask_write(*pairs_[ks[pick(ks.size())]].current);
  }

  void ask_finished_again() {
    if (finished_.empty() || !cfg_.durable)
      return;
    auto it = finished_.begin();
    std::advance(it, static_cast<long>(pick(finished_.size())));
    if (!it->second.recorded || deleted_.count(intents_[it->first].item))
      return;
    count("finished_asked_again");
    const auto t = ++tickets_;
    const auto& in = intents_[it->first];
    asks_[t] = {ask::what::write, in.op_id, {in.item, in.location}, sends_};
    again_asks_.insert(t);
    link_.write(in, t, now());
  }

  // ---- time

  void advance(std::chrono::milliseconds d) {
    steady_ += d;
    unix_ = 1'000'000 + steady_.count() / 1000;
    if (tick_due_ && steady_ >= *tick_due_) {
      tick_due_.reset();
      link_.tick(now());
    }
  }

  // ---- Shopify

  void answer_write() {
    if (writes_.empty())
      return;
    const auto i = pick(writes_.size());
    auto w = writes_[i];
    writes_.erase(writes_.begin() + static_cast<long>(i));
    const auto& b = made_.at(w.batch);
    const auto r = pick(100);
    if (w.unsaved)
      return link_.write_answered(w.batch, error{error_kind::outbox_write_failed, "disk full"}, now());
    if (auto seen = by_key_.find(w.batch); seen != by_key_.end()) {
      count("same_key_answered_again");
      return link_.write_answered(w.batch, seen->second, now());
    }
    if (r < 62)
      return link_.write_answered(w.batch, apply(w.batch, b), now());
    if (r < 68) {
      apply(w.batch, b); // applied, its answer lost
      count("answer_lost");
      return link_.write_answered(w.batch, error{error_kind::admin_unavailable, "lost"}, now());
    }
    if (r < 74) {
      count("transient");
      return link_.write_answered(w.batch, error{error_kind::admin_unavailable, "unavailable"}, now());
    }
    if (r < 84) {
      write_outcome out;
      for (std::size_t e = 0; e < b.entries.size(); ++e)
        if (chance(40))
          out.entry_errors.push_back({e, chance(80) ? error{"ITEM_NOT_STOCKED_AT_LOCATION", "no"} : error{error_kind::admin_unavailable, "no"}});
      if (out.entry_errors.empty())
        out.entry_errors.push_back({0, error{"ITEM_NOT_STOCKED_AT_LOCATION", "no"}});
      count("entries_refused");
      by_key_[w.batch] = out;
      return link_.write_answered(w.batch, out, now());
    }
    if (r < 88) {
      write_outcome out;
      out.batch_error = error{chance(50) ? "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" : "THROTTLED_X", "no"};
      count("batch_refused");
      by_key_[w.batch] = out;
      return link_.write_answered(w.batch, out, now());
    }
    if (r < 94) {
      count("unauthorized");
      return link_.write_answered(w.batch, error{error_kind::admin_unauthorized, "401"}, now());
    }
    link_.write_answered(w.batch, apply(w.batch, b), now());
  }

  write_outcome apply(std::uint64_t id, const write_batch& b) {
    trace("apply batch " + std::to_string(id));
    write_outcome out;
    out.applied = true;
    for (auto& e : b.entries) {
      auto& level = shop_[{e.item, e.location}];
      level = b.kind == write_kind::set ? e.quantity : level + e.quantity;
      out.quantity_after.push_back(level);
      for (auto op : e.op_ids) {
        if (++applications_[op] > 1)
          fail("op " + std::to_string(op) + " applied twice (batch " + std::to_string(id) + ")");
        applied_q_[op] = level;
      }
    }
    by_key_[id] = out;
    count("applied");
    return out;
  }

  void answer_reads() {
    if (reads_.empty())
      return;
    const auto i = pick(reads_.size());
    auto q = reads_[i];
    reads_.erase(reads_.begin() + static_cast<long>(i));
    answering_query_send_ = query_send_.at(q.query);
    const auto r = pick(100);
    if (r < 85) {
      std::vector<level_value> vs;
      for (auto& k : q.keys)
        vs.push_back({k, chance(10) ? std::nullopt : std::optional<std::int64_t>(shop_[k]), true});
      link_.reads_answered(q.query, vs, now());
    } else if (r < 93) {
      link_.reads_answered(q.query, error{error_kind::admin_unavailable, "unavailable"}, now());
    } else {
      count("reads_unauthorized");
      link_.reads_answered(q.query, error{error_kind::admin_unauthorized, "401"}, now());
    }
    drain();
    answering_query_send_.reset();
  }

  void answer_call() {
    if (calls_started_.empty())
      return;
    const auto i = pick(calls_started_.size());
    const auto t = calls_started_[i];
    calls_started_.erase(calls_started_.begin() + static_cast<long>(i));
    if (chance(8)) {
      count("call_unauthorized");
      calls_queued_.push_front(t);
      return link_.call_unauthorized(t, error{error_kind::admin_unauthorized, "401"}, now());
    }
    answered(t); // the shell answers its requester
    link_.call_answered(now());
  }

  // ---- the outbox

  void apply_to_disk(const outbox_transition& t) {
    for (auto id : t.remove)
      disk_batches_.erase(id);
    for (auto& b : t.save)
      disk_batches_[b.id] = b;
    for (auto& r : t.results)
      disk_results_[{r.item, r.location, r.op_id}] = r.result;
  }

  void confirm_persist() {
    if (persists_.empty())
      return;
    auto t = std::move(persists_.front());
    persists_.pop_front();
    apply_to_disk(t);
    link_.persisted(t.results);
  }

  // ---- effects

  void answered(link_ticket t) {
    if (!asks_.count(t))
      return fail("answer to unknown ticket " + std::to_string(t));
    if (!answered_.insert(t).second)
      fail("ticket " + std::to_string(t) + " answered twice");
  }

  void on_write_answer(const link_write_answer& a) {
    trace("answer ticket " + std::to_string(a.ticket) + " op " + std::to_string(a.op_id) + " ok=" +
          to_string(a.outcome) + " " + a.err.code);
    answered(a.ticket);
    const auto& ask = asks_.at(a.ticket);
    if (ask.op != a.op_id)
      return fail("write answer for the wrong op");
    const bool ok = a.outcome == write_verdict::applied;
    if (a.outcome == write_verdict::applied_unseen)
      fail("op " + std::to_string(a.op_id) + " applied unseen, every answer here reports the level");
    if (!ok && (a.outcome == write_verdict::unknown) !=
                 (classify(a.err) == failure_kind::transient || classify(a.err) == failure_kind::expired))
      fail("op " + std::to_string(a.op_id) + " told " + to_string(a.outcome) + " for " + a.err.code);
    told now_told{ok, a.quantity_after, ok ? "" : a.err.code, false};
    if (again_asks_.count(a.ticket)) {
      auto& first = finished_.at(a.op_id);
      if (first.ok != now_told.ok || first.q != now_told.q || first.code != now_told.code)
        fail("op " + std::to_string(a.op_id) + " asked again got another answer: " + now_told.code + " vs " +
             first.code);
      return;
    }
    auto& p = pairs_[ask.key];
    if (!p.current || p.current->op_id != a.op_id)
      return; // an answer to an earlier duplicate ask
    p.open = false;
    const auto kind = ok ? failure_kind::transient : classify(a.err);
    if (!ok && kind == failure_kind::transient) {
      count("unknown_told");
      return; // asked again later
    }
    const auto& in = intents_.at(a.op_id);
    const bool zero = in.kind == write_kind::adjust && in.quantity == 0;
    const bool deleted = a.err.code == "INVALID_INVENTORY_ITEM";
    now_told.recorded = !zero && !deleted;
    if (ok && !zero) {
      if (!applications_.count(a.op_id))
        fail("op " + std::to_string(a.op_id) + " told applied, never applied");
      else if (applied_q_.at(a.op_id) != a.quantity_after)
        fail("op " + std::to_string(a.op_id) + " told another quantity than Shopify's");
    }
    if (a.outcome == write_verdict::refused && !deleted && (kind == failure_kind::permanent || kind == failure_kind::not_applied) &&
        applications_.count(a.op_id))
      fail("op " + std::to_string(a.op_id) + " told refused (" + a.err.code + ") but applied");
    if (!ok && kind == failure_kind::expired)
      count("expired");
    if (zero)
      count("zero_delta");
    finished_[a.op_id] = now_told;
    p.current.reset();
  }

  // The bucket's points now (refilled since the last spending).
  double points() const {
    return std::min(30.0, points_ + static_cast<double>((steady_ - points_at_).count()) / 100.0);
  }

  void on_send_write(link_send_write& w) {
    if (cfg_.bucket) {
      points_ = points() - 10;
      points_at_ = steady_;
      if (points_ < 0)
        count("bucket_overdrawn"); // a batch formed earlier (a resend, a remainder): not gated
    }
    {
      std::string ops;
      for (auto& e : made_.at(w.batch).entries)
        for (auto op : e.op_ids)
          ops += " " + std::to_string(op);
      trace("send batch " + std::to_string(w.batch) + " ops" + ops);
    }
    ++sends_;
    ++others_since_head_;
    count("batches");
    if (w.keys.size() > 4)
      fail("batch of " + std::to_string(w.keys.size()) + " entries");
    for (auto& k : w.keys)
      for (auto& f : writes_)
        if (std::find(f.keys.begin(), f.keys.end(), k) != f.keys.end())
          fail("two writes in flight for item " + std::to_string(k.item));
    if (!cfg_.durable)
      return writes_.push_back({w.batch, w.keys});
    // Saving a fresh batch fails now and then: then it is not sent.
    const bool fresh = w.pre.save.size() == 1 && w.pre.remove.empty() && w.pre.results.empty();
    if (fresh && chance(3)) {
      count("outbox_failed");
      return writes_.push_back({w.batch, w.keys, true});
    }
    apply_to_disk(w.pre); // saved before it is sent
    if (!disk_batches_.count(w.batch))
      fail("batch " + std::to_string(w.batch) + " sent unsaved");
    link_.persisted(w.pre.results);
    writes_.push_back({w.batch, w.keys});
  }

  void on_send_reads(link_send_reads& q) {
    ++sends_;
    ++others_since_head_;
    if (q.keys.empty() || q.keys.size() > 3)
      fail("query of " + std::to_string(q.keys.size()) + " levels");
    for (auto& k : q.keys)
      if (k.location != q.keys.front().location)
        fail("query over two locations");
    query_send_[q.query] = sends_;
    reads_.push_back(q);
  }

  void drain() {
    for (int guard = 0; guard < 100; ++guard) {
      auto effects = link_.take_effects();
      if (effects.empty())
        break;
      for (auto& e : effects) {
        if (auto* a = std::get_if<link_write_answer>(&e))
          on_write_answer(*a);
        else if (auto* r = std::get_if<link_read_answer>(&e)) {
          answered(r->ticket);
          if (!answering_query_send_ || *answering_query_send_ <= asks_.at(r->ticket).sends_before)
            fail("read answered by a query sent before it was asked");
        } else if (auto* w = std::get_if<link_send_write>(&e))
          on_send_write(*w);
        else if (auto* q = std::get_if<link_send_reads>(&e))
          on_send_reads(*q);
        else if (auto* c = std::get_if<link_start_call>(&e)) {
          ++sends_;
          if (calls_queued_.empty() || calls_queued_.front() != c->ticket)
            fail("call started out of its order");
          else
            calls_queued_.pop_front();
          calls_started_.push_back(c->ticket);
          others_since_head_ = 0;
          count("calls");
        } else if (auto* p = std::get_if<link_persist>(&e))
          persists_.push_back(std::move(p->t));
        else if (auto* t = std::get_if<link_arm_tick>(&e)) {
          if (tick_due_)
            fail("tick armed twice");
          tick_due_ = steady_ + t->after;
        }
      }
      // The turn rule: a call at the head starts after at most two other requests.
      if (calls_queued_.empty() || link_.held())
        others_since_head_ = 0;
      else if (others_since_head_ > 2)
        fail("a call waited behind " + std::to_string(others_since_head_) + " other requests");
    }
  }

  // ---- quiescence: Shopify answers everything, the store is authorized, requesters ask again.

  bool quiet() const {
    if (!writes_.empty() || !reads_.empty() || !calls_started_.empty() || !persists_.empty() || link_.held())
      return false;
    for (auto& [k, p] : pairs_)
      if (p.current)
        return false;
    return answered_.size() == asks_.size() && link_.in_flight() == 0;
  }

  void settle() {
    if (link_.held())
      return link_.resume(now());
    if (!writes_.empty()) {
      auto w = writes_.front();
      writes_.erase(writes_.begin());
      if (w.unsaved)
        return link_.write_answered(w.batch, error{error_kind::outbox_write_failed, "disk full"}, now());
      if (auto seen = by_key_.find(w.batch); seen != by_key_.end())
        return link_.write_answered(w.batch, seen->second, now());
      return link_.write_answered(w.batch, apply(w.batch, made_.at(w.batch)), now());
    }
    if (!reads_.empty()) {
      auto q = reads_.front();
      reads_.erase(reads_.begin());
      answering_query_send_ = query_send_.at(q.query);
      std::vector<level_value> vs;
      for (auto& k : q.keys)
        vs.push_back({k, shop_[k], true});
      link_.reads_answered(q.query, vs, now());
      drain();
    answering_query_send_.reset();
      return;
    }
    if (!calls_started_.empty()) {
      answered(calls_started_.front());
      calls_started_.erase(calls_started_.begin());
      return link_.call_answered(now());
    }
    if (!persists_.empty())
      return confirm_persist();
    for (auto& [k, p] : pairs_)
      if (p.current && !p.open) {
        if (deleted_.count(k.item)) {
          p.current.reset(); // the item is gone: its requester gives up
          return;
        }
        return ask_write(*p.current);
      }
    advance(100ms);
  }

  void check_end() {
    // Left only: parked batches of deleted items, whose requesters stopped asking.
    for (auto& [id, b] : disk_batches_)
      for (auto& e : b.batch.entries)
        if (!deleted_.count(e.item))
          return fail("batch " + std::to_string(id) + " left in the outbox");
    if (!cfg_.durable)
      return;
    for (auto& [op, t] : finished_) {
      if (!t.recorded)
        continue;
      const auto& in = intents_.at(op);
      auto it = disk_results_.find({in.item, in.location, op});
      if (it == disk_results_.end())
        return fail("op " + std::to_string(op) + "'s result was never persisted");
      const auto& r = it->second;
      if (r.quantity_after.has_value() != t.ok || (t.ok && *r.quantity_after != t.q) ||
          (!t.ok && r.err && r.err->code != t.code))
        return fail("op " + std::to_string(op) + "'s persisted result differs from its answer");
    }
  }

  std::mt19937_64 rng_;
  config_t cfg_;
  std::uint64_t next_batch_ = 1;
  std::map<std::uint64_t, write_batch> made_;
  store_link_protocol link_;
  std::string failure_, trace_;
  std::map<std::string, long> tally_;

  std::chrono::milliseconds steady_{1000};
  double points_ = 30;                      // the bucket (cfg_.bucket), as of points_at_
  std::chrono::milliseconds points_at_{0};
  std::int64_t unix_ = 1'000'001;
  std::optional<std::chrono::milliseconds> tick_due_;

  link_ticket tickets_ = 0;
  std::uint64_t ops_ = 0;
  std::map<link_ticket, ask> asks_;
  std::set<link_ticket> answered_, again_asks_;
  std::map<level_key, pair_state> pairs_;
  std::map<std::uint64_t, write_intent> intents_;
  std::map<std::uint64_t, told> finished_;
  std::set<inventory_item_id> deleted_;

  std::uint64_t sends_ = 0;
  int others_since_head_ = 0;
  std::deque<link_ticket> calls_queued_;
  std::vector<link_ticket> calls_started_;
  std::vector<in_flight_write> writes_;
  std::vector<link_send_reads> reads_;
  std::map<std::uint64_t, std::uint64_t> query_send_;
  std::optional<std::uint64_t> answering_query_send_;

  std::map<level_key, std::int64_t> shop_;
  std::map<std::uint64_t, write_outcome> by_key_;
  std::map<std::uint64_t, int> applications_;
  std::map<std::uint64_t, std::int64_t> applied_q_;

  std::deque<outbox_transition> persists_;
  std::map<std::uint64_t, outbox_batch> disk_batches_;
  std::map<std::tuple<inventory_item_id, location_id, std::uint64_t>, op_result> disk_results_;
};

std::uint64_t seeds() { return shopsync::testing::property_seeds(3000); }

void run_seeds(config_t cfg, std::uint64_t salt) {
  const auto n = seeds();
  std::map<std::string, long> tally;
  // SHOPSYNC_PROPERTY_SEED=<seed> replays one failing seed.
  const char* only = std::getenv("SHOPSYNC_PROPERTY_SEED");
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t seed = only ? std::strtoull(only, nullptr, 10) : salt * 1000003 + i;
    if (only && seed / 1000003 != salt)
      return;
    if (only && i > 0)
      break;
    simulation sim(seed, cfg);
    auto failure = sim.run();
    if (!failure.empty()) {
      ADD_FAILURE() << "seed " << seed << ": " << failure;
      return;
    }
    for (const auto& [k, v] : sim.tallies())
      tally[k] += v;
  }
  std::string summary;
  for (const auto& [k, v] : tally)
    summary += k + "=" + std::to_string(v) + " ";
  std::printf("%s\n", summary.c_str());
  // The simulations exercised the rules they are meant to test.
  if (n < 200 || only)
    return;
  for (const char* k : {"applied", "answer_lost", "transient", "entries_refused", "batch_refused", "unauthorized",
                        "reads_unauthorized", "call_unauthorized", "resumed", "expired", "zero_delta", "calls",
                        "finished_asked_again", "forget", "same_key_answered_again"})
    EXPECT_GT(tally[k], 0) << k;
  if (cfg.durable)
    EXPECT_GT(tally["outbox_failed"], 0);
  if (cfg.bucket) {
    EXPECT_GT(tally["bucket_waited"], 0);
    EXPECT_GT(tally["reserve_waited"], 0);
  }
}

TEST(store_link_property, every_ask_is_answered_once_and_nothing_is_applied_twice) { run_seeds({2, true}, 1); }
TEST(store_link_property, one_request_at_a_time) { run_seeds({1, true}, 2); }
TEST(store_link_property, many_in_flight) { run_seeds({5, true}, 3); }
TEST(store_link_property, batches_wait_for_the_cost_bucket) { run_seeds({2, true, true}, 4); }

// A link of store "A" with a 50 ms window, in memory; batches numbered 1, 2, ...
store_link_protocol_options bucket_case_options() {
  store_link_protocol_options o;
  o.store = "A";
  o.batching_window = 50ms;
  o.durable = false;
  o.make_batch = [n = std::uint64_t{0}](write_batch wb) mutable {
    outbox_batch b;
    b.id = ++n;
    b.idempotency_key = "k" + std::to_string(b.id);
    b.batch = std::move(wb);
    return b;
  };
  o.classify = classify;
  return o;
}

// On a throttled store, writes asked while the bucket refills join one mutation: the batch is
// taken when the bucket can pay for it, not when the batching window ends.
TEST(store_link_protocol_bucket, writes_asked_while_the_bucket_refills_go_as_one_batch) {
  std::chrono::milliseconds refilled_at{450};
  link_time now{std::chrono::milliseconds(0), 1'000'000};
  auto o = bucket_case_options();
  o.bucket_wait = [&](double) { return std::max(std::chrono::milliseconds::zero(), refilled_at - now.steady); };
  store_link_protocol link(o);
  std::vector<std::size_t> batches;
  std::optional<std::chrono::milliseconds> tick;
  auto drain = [&] {
    for (auto& e : link.take_effects()) {
      if (auto* w = std::get_if<link_send_write>(&e))
        batches.push_back(w->keys.size());
      if (auto* t = std::get_if<link_arm_tick>(&e))
        tick = now.steady + t->after;
    }
  };
  for (std::uint64_t i = 0; i < 5; ++i) {
    now.steady = std::chrono::milliseconds(100 * i);
    if (tick && *tick <= now.steady) {
      tick.reset();
      link.tick(now);
    }
    link.write({write_kind::adjust, 10 + i, 1, -1, std::nullopt, 1}, i + 1, now);
    drain();
  }
  EXPECT_TRUE(batches.empty()) << "nothing sent before the bucket can pay, though the window ended at 50 ms";
  ASSERT_TRUE(tick.has_value());
  EXPECT_LE(*tick, std::chrono::milliseconds(451)) << "the link wakes when the bucket is refilled";
  now.steady = *tick;
  link.tick(now);
  drain();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0], 5u);
}

// Below the reserve, a batch that is not full waits to fill: it goes as soon as it is full, or
// once it has waited max_write_wait; a read asked meanwhile is not held back.
TEST(store_link_protocol_bucket, below_the_reserve_a_batch_goes_full_or_after_its_longest_wait) {
  link_time now{std::chrono::milliseconds(0), 1'000'000};
  double points = 100; // the bucket, never refilled here: always below the reserve of 500
  auto o = bucket_case_options();
  o.max_batch_entries = 4;
  o.max_write_wait = 400ms;
  o.max_in_flight = 4; // nothing is answered here
  o.bucket_wait = [&](double cost) {
    return cost <= points ? std::chrono::milliseconds::zero() : std::chrono::milliseconds(10'000);
  };
  o.write_reserve = [] { return 500.0; };
  store_link_protocol link(o);
  std::vector<std::size_t> batches;
  std::size_t reads = 0;
  std::optional<std::chrono::milliseconds> tick;
  auto drain = [&] {
    for (auto& e : link.take_effects()) {
      if (auto* w = std::get_if<link_send_write>(&e))
        batches.push_back(w->keys.size());
      if (std::get_if<link_send_reads>(&e))
        ++reads;
      if (auto* t = std::get_if<link_arm_tick>(&e))
        tick = now.steady + t->after;
    }
  };
  auto at = [&](int ms) {
    now.steady = std::chrono::milliseconds(ms);
    if (tick && *tick <= now.steady) {
      tick.reset();
      link.tick(now);
      drain();
    }
  };
  std::uint64_t ticket = 0;
  for (int i = 0; i < 4; ++i) { // four changes 60 ms apart: the fourth fills the batch
    at(60 * i);
    link.write({write_kind::adjust, 10 + static_cast<std::uint64_t>(i), 1, -1, std::nullopt, 1}, ++ticket, now);
    drain();
    if (i == 1) {
      link.read({99, 1}, ++ticket, now);
      drain();
    }
  }
  at(250);
  ASSERT_EQ(batches.size(), 1u) << "sent once full, not at the end of the window";
  EXPECT_EQ(batches[0], 4u);
  EXPECT_EQ(reads, 1u) << "the read went while the batch filled";
  at(300);
  link.write({write_kind::adjust, 20, 1, -1, std::nullopt, 1}, ++ticket, now);
  drain();
  at(650);
  EXPECT_EQ(batches.size(), 1u) << "one change waits for more";
  ASSERT_TRUE(tick.has_value());
  EXPECT_LE(*tick, std::chrono::milliseconds(701)) << "the link wakes when the longest wait is over";
  at(701);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1], 1u);
}

} // namespace
} // namespace shopsync::testing
