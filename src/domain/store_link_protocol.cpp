#include "domain/store_link_protocol.hpp"

#include "domain/write_expiry.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace shopsync {

namespace {

bool is_unauthorized(const error& e) { return e.kind == error_kind::admin_unauthorized; }

} // namespace

store_link_protocol::store_link_protocol(store_link_protocol_options opts) : opts_(std::move(opts)) {}

bool store_link_protocol::debug_wanted() const { return opts_.debug_notices && opts_.debug_notices(); }

std::vector<link_effect> store_link_protocol::take_effects() {
  std::vector<link_effect> out;
  out.swap(out_);
  return out;
}

void store_link_protocol::notice(link_notice::level lvl, std::string text) {
  out_.push_back(link_notice{lvl, std::move(text)});
}

void store_link_protocol::note_error(const error& e) {
  ++errors_;
  last_error_ = e.code + ": " + e.message;
}

error store_link_protocol::deleted_item_error() {
  return {"INVALID_INVENTORY_ITEM", "the inventory item was deleted in the store"};
}

std::size_t store_link_protocol::queued_batches() const {
  return static_cast<std::size_t>(std::count_if(batches_.begin(), batches_.end(), [](const auto& b) {
    return b.second.where == batch_where::ready;
  }));
}

std::size_t store_link_protocol::parked_batches() const {
  return static_cast<std::size_t>(std::count_if(batches_.begin(), batches_.end(), [](const auto& b) {
    return b.second.where == batch_where::parked;
  }));
}

void store_link_protocol::persist(outbox_transition t, link_time now) {
  if (!opts_.durable)
    return;
  t.at_unix = now.unix_s;
  for (auto& r : t.results)
    unpersisted_[{r.item, r.location, r.op_id}] = r.result;
  out_.push_back(link_persist{std::move(t)});
}

void store_link_protocol::persisted(const std::vector<op_result_record>& results) {
  for (auto& r : results)
    unpersisted_.erase({r.item, r.location, r.op_id});
}

// An op's recorded result, read: applied entries without a reported level are recorded with
// write_applied_unseen_code; a failure that leaves the outcome open (one to ask again about, or
// to settle by reading) is unknown, every other one a refusal.
write_verdict store_link_protocol::verdict_of(const op_result& r) const {
  if (r.quantity_after)
    return write_verdict::applied;
  if (!r.err || r.err->kind == error_kind::admin_no_change_reported)
    return write_verdict::applied_unseen;
  const auto kind = opts_.classify(*r.err);
  return kind == failure_kind::transient || kind == failure_kind::expired ? write_verdict::unknown
                                                                          : write_verdict::refused;
}

void store_link_protocol::reply_now(link_ticket t, std::uint64_t op, const op_result& r) {
  link_write_answer rep;
  rep.ticket = t;
  rep.op_id = op;
  rep.quantity_after = r.quantity_after.value_or(0);
  rep.created_at = r.created_at;
  if (!r.quantity_after) {
    rep.err = r.err.value_or(error{error_kind::admin_unknown, ""});
    rep.outcome = r.err ? verdict_of(r) : write_verdict::unknown;
  } else {
    rep.outcome = write_verdict::applied;
  }
  out_.push_back(std::move(rep));
}

// Answers every requester of op k, and forgets the op's batch.
void store_link_protocol::answer(const op_key& k, const op_result& r) {
  op_batch_.erase(k);
  auto it = write_waiters_.find(k);
  if (it == write_waiters_.end())
    return;
  link_write_answer rep;
  rep.op_id = k.op;
  rep.outcome = verdict_of(r);
  rep.created_at = r.created_at;
  if (r.quantity_after) {
    rep.quantity_after = *r.quantity_after;
  } else {
    rep.err = r.err.value_or(error{error_kind::admin_no_change_reported, "no quantityAfterChange"});
    note_error(rep.err);
  }
  for (auto t : it->second) {
    rep.ticket = t;
    out_.push_back(rep);
  }
  write_waiters_.erase(it);
}

// Answers waiters without forgetting the batch (its outcome is unknown; it stays in the outbox).
void store_link_protocol::answer_unknown(const op_key& k, const error& e) {
  auto it = write_waiters_.find(k);
  if (it == write_waiters_.end())
    return;
  link_write_answer rep;
  rep.op_id = k.op;
  rep.outcome = write_verdict::unknown;
  rep.err = e;
  for (auto t : it->second) {
    rep.ticket = t;
    out_.push_back(rep);
  }
  write_waiters_.erase(it);
}

void store_link_protocol::register_batch(outbox_batch b, outbox_transition pre, bool front) {
  for (auto& e : b.batch.entries)
    for (auto op : e.op_ids)
      op_batch_[{b.batch.kind, e.item, e.location, op}] = b.id;
  auto id = b.id;
  batches_[id] = batch_slot{std::move(b), batch_where::ready, std::move(pre)};
  if (front)
    ready_.push_front(id);
  else
    ready_.push_back(id);
}

void store_link_protocol::recover(std::vector<outbox_batch> batches, link_time now) {
  for (auto& b : batches) {
    notice(link_notice::level::info, "re-sending recovered inventory batch store=" + opts_.store +
                                       " batch=" + std::to_string(b.id) +
                                       " entries=" + std::to_string(b.batch.entries.size()));
    register_batch(std::move(b), {}, false);
  }
  for (auto& [id, slot] : batches_)
    slot.sent_before = true; // maybe sent before the restart: resent only while its key lives
  schedule(now);
}

// The batch's outcome for every op it carries is `e`: recorded (so that asking again is answered
// from the record, never by a new batch), requesters answered, the batch forgotten.
void store_link_protocol::settle_batch(batch_iter sit, const error& e, link_time now) {
  auto& b = sit->second.b;
  outbox_transition t;
  for (auto& en : b.batch.entries)
    for (auto op : en.op_ids) {
      op_result res{std::nullopt, e, std::nullopt};
      t.results.push_back({en.item, en.location, op, res});
      answer({b.batch.kind, en.item, en.location, op}, res);
    }
  t.remove.push_back(sit->first);
  persist(std::move(t), now);
  batches_.erase(sit);
}

void store_link_protocol::send_batch(std::uint64_t id, link_time now) {
  auto sit = batches_.find(id);
  auto& slot = sit->second;
  if (slot.sent_before && decide_resend(slot.b.first_sent_unix, now.unix_s, opts_.idempotency_key_max_age) ==
                            resend_decision::settle_by_reading) {
    // Shopify may have forgotten the key: this request could apply a second time.
    notice(link_notice::level::warn,
           "inventory batch not sent again, its key may have expired store=" + opts_.store +
             " batch=" + std::to_string(id) + " first_sent=" + std::to_string(slot.b.first_sent_unix) +
             " age_s=" + std::to_string(now.unix_s - slot.b.first_sent_unix) +
             ": its requesters read the levels instead");
    return settle_batch(sit,
                        error{error_kind::key_expired, "unanswered since " + std::to_string(slot.b.first_sent_unix) +
                                                    " (unix s): its idempotency key may have expired"},
                        now);
  }
  if (!slot.sent_before) {
    // The first send: its time is saved with the batch (which `pre` saves before sending).
    slot.sent_before = true;
    slot.b.first_sent_unix = now.unix_s;
    for (auto& saved : slot.pre.save)
      if (saved.id == id)
        saved.first_sent_unix = now.unix_s;
  }
  slot.where = batch_where::sending;
  ++in_flight_;
  ++mutations_;
  entries_written_ += slot.b.batch.entries.size();
  link_send_write send;
  send.batch = id;
  send.kind = slot.b.batch.kind;
  send.variables_json = slot.b.variables_json;
  send.pre = std::move(slot.pre);
  slot.pre = {};
  for (auto& e : slot.b.batch.entries)
    send.keys.push_back({e.item, e.location});
  out_.push_back(std::move(send));
}

void store_link_protocol::write_answered(std::uint64_t id, result<write_outcome> r, link_time now) {
  --in_flight_;
  auto sit = batches_.find(id);
  if (sit == batches_.end())
    return schedule(now);
  auto& b = sit->second.b;
  const auto kind = b.batch.kind;
  outbox_transition t;
  auto record = [&](const write_entry& e, const op_result& res) {
    for (auto op : e.op_ids) {
      t.results.push_back({e.item, e.location, op, res});
      answer({kind, e.item, e.location, op}, res);
    }
  };
  // An error the requester answers by asking again (failure_kind::transient) is never
  // remembered as the op's outcome: a later ask would get the same error from the record, and
  // the op would be retried forever without ever being sent again. Such a batch is kept (same
  // key, same variables) for the next ask, as for an unknown outcome.
  auto park = [&](const error& e) {
    notice(link_notice::level::warn, "inventory batch outcome unknown store=" + opts_.store +
                                       " batch=" + std::to_string(id) + " code=" + e.code + " error=\"" +
                                       e.message + "\"");
    note_error(e);
    sit->second.where = batch_where::parked;
    for (auto& en : b.batch.entries)
      for (auto op : en.op_ids)
        answer_unknown({kind, en.item, en.location, op}, e);
    schedule(now);
  };
  if (!r.ok() && is_unauthorized(r.error())) {
    // Refused, so not applied: the same batch (same key) goes first once a token works.
    sit->second.where = batch_where::ready;
    ready_.push_front(id);
    held_ = true;
    out_.push_back(link_unauthorized{r.error()});
    return schedule(now);
  }
  if (!r.ok()) {
    const auto& e = r.error();
    if (e.kind == error_kind::outbox_write_failed) {
      // Never sent: forget it; requesters may ask again.
      note_error(e);
      for (auto& en : b.batch.entries)
        for (auto op : en.op_ids) {
          op_key k{kind, en.item, en.location, op};
          answer_unknown(k, e);
          op_batch_.erase(k);
        }
      batches_.erase(sit);
      return schedule(now);
    }
    if (opts_.classify(e) == failure_kind::transient)
      return park(e); // maybe applied (or refused for now): same key, same variables, later
    settle_batch(sit, e, now);
    return schedule(now);
  }
  auto& out = r.value();
  if (out.applied) {
    for (std::size_t i = 0; i < b.batch.entries.size(); ++i) {
      auto& en = b.batch.entries[i];
      auto q = out.quantity_after[i];
      if (!q && kind == write_kind::set)
        q = en.quantity; // an unchanged level may be left out of `changes`
      record(en, q ? op_result{q, std::nullopt, out.created_at}
                   : op_result{std::nullopt, error{error_kind::admin_no_change_reported, "no quantityAfterChange for the entry"}, std::nullopt});
    }
    t.remove.push_back(id);
    persist(std::move(t), now);
    batches_.erase(sit);
    return schedule(now);
  }
  if (out.batch_error && opts_.classify(*out.batch_error) == failure_kind::transient)
    return park(*out.batch_error); // e.g. IDEMPOTENCY_CONCURRENT_REQUEST: the first is still running
  if (out.batch_error) {
    notice(link_notice::level::warn, "inventory batch refused store=" + opts_.store + " batch=" +
                                       std::to_string(id) + " code=" + out.batch_error->code + " message=\"" +
                                       out.batch_error->message + "\"");
    settle_batch(sit, *out.batch_error, now);
    return schedule(now);
  }
  // Entries refused on their own: report them, send the rest again as a new batch.
  std::vector<bool> failed(b.batch.entries.size(), false);
  for (auto& [i, e] : out.entry_errors) {
    if (failed[i] || opts_.classify(e) == failure_kind::transient)
      continue; // sent again with the rest
    failed[i] = true;
    notice(link_notice::level::info, "inventory entry refused store=" + opts_.store +
                                       " item=" + std::to_string(b.batch.entries[i].item) +
                                       " location=" + std::to_string(b.batch.entries[i].location) +
                                       " code=" + e.code);
    record(b.batch.entries[i], {std::nullopt, e, std::nullopt});
  }
  write_batch rest{kind, {}};
  for (std::size_t i = 0; i < b.batch.entries.size(); ++i)
    if (!failed[i])
      rest.entries.push_back(b.batch.entries[i]);
  t.remove.push_back(id);
  t.at_unix = now.unix_s;
  batches_.erase(sit);
  if (rest.entries.empty()) {
    persist(std::move(t), now);
    return schedule(now);
  }
  auto nb = opts_.make_batch(std::move(rest));
  t.save.push_back(nb);
  for (auto& r : t.results)
    unpersisted_[{r.item, r.location, r.op_id}] = r.result;
  register_batch(std::move(nb), std::move(t), true);
  schedule(now);
}

void store_link_protocol::answer_read(const level_key& k, const read_waiter& w, const link_read_answer& rep) {
  if (w.ticket) {
    auto a = rep;
    a.ticket = *w.ticket;
    out_.push_back(std::move(a));
    return;
  }
  // Adjusts whose deltas cancelled out: the level read is their quantityAfterChange.
  for (auto op : w.ops) {
    op_result res;
    if (rep.ok && rep.stocked)
      res.quantity_after = rep.available;
    else
      res.err = rep.ok ? error{error_kind::not_stocked, "not stocked"} : rep.err;
    answer({write_kind::adjust, k.item, k.location, op}, res);
  }
}

void store_link_protocol::reads_answered(std::uint64_t query, result<std::vector<level_value>> r, link_time now) {
  --in_flight_;
  auto sent = reads_sent_.extract(query);
  if (!sent) {
    if (!r.ok())
      note_error(r.error());
    return schedule(now);
  }
  const auto& keys = sent.mapped().keys;
  if (!r.ok() && is_unauthorized(r.error())) {
    // Asked again, later, by a query sent after the refusal: still "sent after it was asked".
    for (std::size_t i = keys.size(); i-- > 0;) {
      auto& ws = read_waiters_[keys[i]];
      if (ws.empty())
        read_order_.push_front(keys[i]);
      auto& back = sent.mapped().waiters[i];
      ws.insert(ws.begin(), std::make_move_iterator(back.begin()), std::make_move_iterator(back.end()));
    }
    if (!reads_since_)
      reads_since_ = now.steady;
    held_ = true;
    out_.push_back(link_unauthorized{r.error()});
    return schedule(now);
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    link_read_answer rep;
    rep.key = keys[i];
    if (r.ok()) {
      rep.ok = true;
      auto& v = r.value()[i];
      rep.stocked = v.available.has_value() && v.active;
      rep.inactive = v.available.has_value() && !v.active;
      rep.available = v.available.value_or(0);
      rep.updated_at = v.updated_at;
    } else {
      rep.err = r.error();
    }
    auto& ws = sent.mapped().waiters[i];
    if (debug_wanted())
      notice(link_notice::level::debug, "store_link store=" + opts_.store + " item=" + std::to_string(keys[i].item) +
                                          " location=" + std::to_string(keys[i].location) +
                                          " read answered ok=" + (rep.ok ? "true" : "false") +
                                          " waiters=" + std::to_string(ws.size()));
    for (auto& w : ws)
      answer_read(keys[i], w, rep);
  }
  if (!r.ok())
    note_error(r.error());
  schedule(now);
}

void store_link_protocol::send_reads() {
  sent_reads sent;
  const auto query = ++read_queries_;
  // One query reads one location (levels are addressed by item and location): the oldest
  // read's location, with up to max_read_keys of its reads, oldest first; the others keep
  // their order.
  const location_id at = read_order_.front().location;
  for (auto it = read_order_.begin(); it != read_order_.end() && sent.keys.size() < opts_.max_read_keys;) {
    if (it->location != at) {
      ++it;
      continue;
    }
    sent.keys.push_back(*it);
    it = read_order_.erase(it);
    auto w = read_waiters_.find(sent.keys.back());
    sent.waiters.push_back(std::move(w->second));
    read_waiters_.erase(w);
  }
  if (read_order_.empty())
    reads_since_.reset();
  ++in_flight_;
  ++level_queries_;
  out_.push_back(link_send_reads{query, sent.keys});
  reads_sent_[query] = std::move(sent);
}

void store_link_protocol::queue_read(const level_key& k, read_waiter w, link_time now) {
  auto& ws = read_waiters_[k];
  if (debug_wanted())
    notice(link_notice::level::debug, "store_link store=" + opts_.store + " item=" + std::to_string(k.item) +
                                        " location=" + std::to_string(k.location) +
                                        " read queued waiters=" + std::to_string(ws.size()));
  if (ws.empty())
    read_order_.push_back(k);
  ws.push_back(std::move(w));
  if (!reads_since_)
    reads_since_ = now.steady;
}

// Takes the next batch from the coalescer. Adjust entries whose deltas cancelled out need no
// mutation: their requesters get the current level (a read) as quantityAfterChange.
bool store_link_protocol::take_write_batch(link_time now) {
  auto wb = coalescer_.take(opts_.max_batch_entries);
  if (coalescer_.empty())
    writes_since_.reset();
  else if (coalescer_.pending_entries() < opts_.max_batch_entries)
    writes_since_ = now.steady; // what a full batch left behind starts its own wait
  if (!wb)
    return false;
  if (wb->kind == write_kind::adjust) {
    std::vector<write_entry> keep;
    for (auto& e : wb->entries) {
      if (e.quantity != 0) {
        keep.push_back(std::move(e));
        continue;
      }
      queue_read({e.item, e.location}, read_waiter{std::nullopt, e.op_ids}, now);
    }
    wb->entries = std::move(keep);
    if (wb->entries.empty())
      return true;
  }
  auto b = opts_.make_batch(std::move(*wb));
  outbox_transition pre;
  pre.save.push_back(b);
  register_batch(std::move(b), std::move(pre), false);
  return true;
}

void store_link_protocol::schedule(link_time now) {
  const int max = std::max(1, opts_.max_in_flight);
  const auto window = opts_.batching_window;
  if (held_)
    return; // everything waits for the shell's probe
  // Each kind of work: whether it has something to send now, and sending it.
  // Points asked for by the writes sent in this pass (the client reserves them only when it sends).
  double spent = 0;
  std::optional<std::chrono::milliseconds> bucket_wait; // a batch waits for the bucket this long
  std::optional<std::chrono::milliseconds> fill_due;    // a batch below the reserve waits to fill until then
  auto writes_due = [&] {
    if (!ready_.empty())
      return true; // formed already (a resend, a remainder): its entries cannot grow
    if (coalescer_.empty() || !writes_since_ || now.steady < *writes_since_ + window)
      return false;
    if (opts_.bucket_wait) {
      if (auto w = opts_.bucket_wait(spent + opts_.write_cost); w.count() > 0) {
        bucket_wait = w;
        return false;
      }
      const double reserve = opts_.write_reserve ? opts_.write_reserve() : 0;
      const auto fill_until = *writes_since_ + opts_.max_write_wait;
      if (reserve > 0 && coalescer_.pending_entries() < opts_.max_batch_entries && now.steady < fill_until)
        if (auto w = opts_.bucket_wait(spent + opts_.write_cost + reserve); w.count() > 0) {
          fill_due = std::min(now.steady + w, fill_until);
          return false;
        }
    }
    spent += opts_.write_cost;
    return true;
  };
  auto reads_due = [&] { return !read_order_.empty() && reads_since_ && now.steady >= *reads_since_ + window; };
  auto send_write = [&] {
    if (ready_.empty())
      take_write_batch(now); // makes a batch ready, or only reads (deltas that cancel out)
    if (ready_.empty())
      return;
    auto id = ready_.front();
    ready_.pop_front();
    auto it = batches_.find(id);
    if (it != batches_.end() && it->second.where == batch_where::ready)
      send_batch(id, now);
  };
  auto send_call = [&] {
    auto t = calls_.front();
    calls_.pop_front();
    ++in_flight_;
    out_.push_back(link_start_call{t});
  };
  constexpr int kinds = 3; // 0 writes, 1 reads, 2 other calls
  while (in_flight_ < max) {
    int sent = -1;
    // A batch waiting for the bucket holds the pass: a read or call sent now would spend the
    // points it waits for, and a steady flow of them would starve the writes.
    for (int i = 0; i < kinds && sent < 0 && !bucket_wait; ++i) {
      const int k = (turn_ + i) % kinds;
      if (k == 0 && writes_due())
        send_write();
      else if (k == 1 && reads_due())
        send_reads();
      else if (k == 2 && !calls_.empty())
        send_call();
      else
        continue;
      sent = k;
    }
    if (sent >= 0)
      turn_ = (sent + 1) % kinds;
    if (sent < 0 || bucket_wait)
      break;
  }
  if (in_flight_ < max && !tick_armed_) {
    std::optional<std::chrono::milliseconds> due;
    if (!coalescer_.empty() && writes_since_)
      due = bucket_wait ? now.steady + *bucket_wait : fill_due ? *fill_due : *writes_since_ + window;
    if (!read_order_.empty() && reads_since_ && (!due || *reads_since_ + window < *due))
      due = *reads_since_ + window;
    if (due) {
      tick_armed_ = true;
      auto wait = *due - now.steady + std::chrono::milliseconds(1);
      out_.push_back(link_arm_tick{std::max(wait, std::chrono::milliseconds(1))});
    }
  }
}

void store_link_protocol::tick(link_time now) {
  tick_armed_ = false;
  schedule(now);
}

void store_link_protocol::write(const write_intent& in, link_ticket t, link_time now) {
  if (deleted_items_.count(in.item)) {
    link_write_answer rep;
    rep.ticket = t;
    rep.op_id = in.op_id;
    rep.outcome = write_verdict::refused;
    rep.err = deleted_item_error();
    out_.push_back(std::move(rep));
    return;
  }
  op_key k{in.kind, in.item, in.location, in.op_id};
  if (auto it = op_batch_.find(k); it != op_batch_.end()) {
    // Already in a batch (recovered, queued, in flight or parked): wait for its result.
    write_waiters_[k].push_back(t);
    auto& slot = batches_.at(it->second);
    if (slot.where == batch_where::parked) {
      slot.where = batch_where::ready;
      ready_.push_back(it->second);
      schedule(now);
    }
    return;
  }
  if (coalescer_.carries(in.kind, in.item, in.location, in.op_id)) {
    write_waiters_[k].push_back(t);
    return;
  }
  if (auto u = unpersisted_.find({in.item, in.location, in.op_id}); u != unpersisted_.end())
    return reply_now(t, in.op_id, u->second);
  if (opts_.find_result)
    if (auto known = opts_.find_result(in.item, in.location, in.op_id))
      return reply_now(t, in.op_id, *known);
  coalescer_.add(in);
  write_waiters_[k].push_back(t);
  if (!writes_since_)
    writes_since_ = now.steady;
  schedule(now);
}

void store_link_protocol::read(const level_key& k, link_ticket t, link_time now) {
  queue_read(k, read_waiter{t, {}}, now);
  schedule(now);
}

void store_link_protocol::call(link_ticket t, link_time now) {
  calls_.push_back(t);
  schedule(now);
}

void store_link_protocol::call_answered(link_time now) {
  --in_flight_;
  schedule(now);
}

void store_link_protocol::call_unauthorized(link_ticket t, const error& e, link_time now) {
  calls_.push_front(t);
  held_ = true;
  out_.push_back(link_unauthorized{e});
  call_answered(now);
}

void store_link_protocol::hold(const error& e) {
  note_error(e);
  held_ = true;
}

void store_link_protocol::resume(link_time now) {
  held_ = false;
  schedule(now);
}

// Drops the writes of deleted inventory items that are not on their way yet: entries still
// coalescing, and entries of batches made but never sent (those are made again without them,
// under a new id and key). Their requesters are answered INVALID_INVENTORY_ITEM.
void store_link_protocol::forget(std::vector<inventory_item_id> items, link_time now) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  deleted_items_.insert(items.begin(), items.end());
  auto deleted = [&](inventory_item_id i) { return std::binary_search(items.begin(), items.end(), i); };
  const op_result gone{std::nullopt, deleted_item_error(), std::nullopt};
  for (auto& [kind, e] : coalescer_.take_items(items))
    for (auto op : e.op_ids)
      answer({kind, e.item, e.location, op}, gone);
  if (coalescer_.empty())
    writes_since_.reset();
  const std::vector<std::uint64_t> ids(ready_.begin(), ready_.end());
  for (auto id : ids) {
    auto it = batches_.find(id);
    // One maybe sent before (recovered, or parked and asked for again) keeps its key: made
    // again under a new one, an entry it applied could apply a second time. It goes as it is;
    // Shopify refuses the deleted items' entries on their own and the rest is settled.
    if (it == batches_.end() || it->second.where != batch_where::ready || it->second.sent_before)
      continue;
    const auto& entries = it->second.b.batch.entries;
    if (std::none_of(entries.begin(), entries.end(), [&](const write_entry& e) { return deleted(e.item); }))
      continue;
    const auto kind = it->second.b.batch.kind;
    write_batch rest{kind, {}};
    for (auto& e : entries) {
      if (!deleted(e.item)) {
        rest.entries.push_back(e);
        continue;
      }
      for (auto op : e.op_ids)
        answer({kind, e.item, e.location, op}, gone);
    }
    // What was to be persisted before the send, less this batch (removed if it was saved already).
    outbox_transition pre = std::move(it->second.pre);
    auto self_save =
      std::find_if(pre.save.begin(), pre.save.end(), [&](const outbox_batch& b) { return b.id == id; });
    if (self_save != pre.save.end())
      pre.save.erase(self_save);
    else
      pre.remove.push_back(id);
    batches_.erase(it);
    if (rest.entries.empty()) {
      if (!pre.save.empty() || !pre.remove.empty() || !pre.results.empty())
        persist(std::move(pre), now);
      continue;
    }
    auto nb = opts_.make_batch(std::move(rest));
    pre.save.push_back(nb);
    register_batch(std::move(nb), std::move(pre), true);
  }
  schedule(now);
}

} // namespace shopsync
