#include "actors/store_link.hpp"

#include "actors/link_failure.hpp"
#include "domain/store_auth_state.hpp"
#include "io/bulk_operation.hpp"
#include "io/idempotency_key.hpp"
#include "io/link_outbox.hpp"
#include "io/write_answer.hpp"
#include "io/reference_uri.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <tuple>

namespace shopsync {

namespace {

using clock_type = std::chrono::steady_clock;

struct op_key {
  write_kind kind;
  inventory_item_id item;
  location_id location;
  std::uint64_t op;
  bool operator<(const op_key& o) const {
    return std::tie(kind, item, location, op) < std::tie(o.kind, o.item, o.location, o.op);
  }
};

enum class batch_where { ready, sending, parked };

struct batch_slot {
  outbox_batch b;
  batch_where where = batch_where::ready;
  outbox_transition pre; // persisted before the next send
  bool sent_before = false; // recovered from the outbox, or sent by this run
};

struct store_link_state {
  store_link_options opts;
  std::shared_ptr<admin_client> client;
  std::shared_ptr<admin_api> api;
  std::shared_ptr<bulk_runner> bulk; // made at the first bulk read
  std::shared_ptr<link_outbox> outbox;
  std::uint64_t mem_next_id = 0; // without outbox

  write_coalescer coalescer;
  std::optional<clock_type::time_point> writes_since, reads_since;
  std::map<op_key, std::vector<caf::typed_response_promise<inventory_write_reply>>> write_waiters;
  std::map<std::uint64_t, batch_slot> batches;
  std::deque<std::uint64_t> ready;
  std::map<op_key, std::uint64_t> op_batch;

  // Reads asked and not yet sent, and the requesters of each query sent. A read is answered by
  // a query sent after it was asked: one asked while the level's query is on its way waits for
  // the next (joining it could answer "what was there" to a requester that learnt of a change).
  using read_waiter = std::function<void(const level_read_reply&)>;
  std::map<level_key, std::vector<read_waiter>> read_waiters;
  std::deque<level_key> read_order;
  std::map<std::uint64_t, std::vector<std::vector<read_waiter>>> reads_sent; // by query, by key
  std::uint64_t read_queries = 0;
  std::deque<std::function<void()>> jobs;

  // Results answered but maybe not yet on disk: a requester asking again in that gap must
  // still find them (else its op would be batched anew, under a new key).
  std::map<std::tuple<inventory_item_id, location_id, std::uint64_t>, op_result> unpersisted;

  // Inventory items deleted in the store (forget_atom): no write for them is sent any more.
  // Shopify never reuses an id, so the set only grows; a restart starts from a mapping without them.
  std::set<inventory_item_id> deleted_items;

  int in_flight = 0;
  bool tick_armed = false;
  // Which kind of work a free request slot goes to first: writes, reads and other calls take
  // turns, so that none waits behind a steady flow of another (an order's create or lookup
  // behind a reconcile round's reads, at worst for hours on a large catalog).
  int turn = 0;

  std::shared_ptr<token_source> tokens;
  std::optional<store_auth_state> auth;
  bool probe_armed = false, probing = false;
  gauge_metric* unauthorized_gauge = nullptr;
  std::uint64_t mutations = 0, entries_written = 0, level_queries = 0, errors = 0;
  std::string last_error;

  static inline const char* name = "store_link";
};

using self_ptr = store_link_actor::stateful_pointer<store_link_state>;

void schedule(self_ptr self);

// Runs fn inside the actor: the bridge for answers arriving on io threads.
// Holds the actor weakly: io handlers that outlive it (pending when it stopped) neither keep it
// alive nor touch it.
void post_back(const caf::actor_addr& addr, std::function<void()> fn) {
  auto strong = caf::actor_cast<caf::strong_actor_ptr>(addr);
  if (!strong)
    return;
  caf::anon_send(caf::actor_cast<store_link_actor>(strong), link_task_atom::value, link_task{std::move(fn)});
}

std::string store_of(self_ptr self) { return self->state.opts.store.name; }

void note_error(self_ptr self, const error& e) {
  auto& st = self->state;
  ++st.errors;
  st.last_error = e.code + ": " + e.message;
}

std::chrono::milliseconds steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now().time_since_epoch());
}

bool is_unauthorized(const error& e) { return e.code == "admin.unauthorized"; }

void arm_probe(self_ptr self) {
  auto& st = self->state;
  auto next = st.auth->next_probe();
  if (st.probe_armed || !next)
    return;
  st.probe_armed = true;
  auto wait = std::max(*next - steady_ms(), std::chrono::milliseconds(1));
  self->delayed_send(self, wait, link_probe_atom::value);
}

// A refusal no fresh token cured: stop sending (the caller puts its request back), say it once.
void enter_unauthorized(self_ptr self, const error& e) {
  auto& st = self->state;
  note_error(self, e);
  if (st.auth->refused(e.message, steady_ms())) {
    spdlog::error("store {} ({}) is unauthorized: {}. Its writes are held (kept, not retried) until a token "
                  "works again, checked every {} s. What to do: {}",
                  store_of(self), st.opts.store.shop_domain, e.message,
                  std::chrono::duration_cast<std::chrono::seconds>(st.opts.unauthorized_probe).count(),
                  st.tokens->remedy());
    if (st.unauthorized_gauge)
      st.unauthorized_gauge->set(1);
    if (st.opts.health)
      st.opts.health->set("store " + store_of(self), "unauthorized (" + e.message + ")");
  }
  arm_probe(self);
}

void probe(self_ptr self);

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

void forget_unpersisted(self_ptr self, const std::vector<op_result_record>& results) {
  for (auto& r : results)
    self->state.unpersisted.erase({r.item, r.location, r.op_id});
}

void persist(self_ptr self, outbox_transition t) {
  auto outbox = self->state.outbox;
  if (!outbox)
    return;
  t.at_unix = unix_now();
  for (auto& r : t.results)
    self->state.unpersisted[{r.item, r.location, r.op_id}] = r.result;
  auto store = store_of(self);
  auto h = self->address();
  boost::asio::post(*self->state.opts.io, [outbox, t = std::move(t), store, h, self] {
    auto s = outbox->apply(t);
    if (!s.ok())
      spdlog::error("outbox write failed store={} error=\"{}\"", store, s.error().message);
    auto results = t.results;
    post_back(h, [self, results] { forget_unpersisted(self, results); });
  });
}

// Answers every requester of op k; returns whether anyone was waiting.
void answer(self_ptr self, const op_key& k, const op_result& r) {
  auto& st = self->state;
  st.op_batch.erase(k);
  auto it = st.write_waiters.find(k);
  if (it == st.write_waiters.end())
    return;
  inventory_write_reply rep;
  rep.op_id = k.op;
  if (r.quantity_after) {
    rep.ok = true;
    rep.quantity_after = *r.quantity_after;
  } else {
    rep.err = r.err.value_or(error{write_applied_unseen_code, "no quantityAfterChange"});
    note_error(self, rep.err);
  }
  for (auto& rp : it->second)
    rp.deliver(rep);
  st.write_waiters.erase(it);
}

// Answers waiters without forgetting the batch (its outcome is unknown; it stays in the outbox).
void answer_unknown(self_ptr self, const op_key& k, const error& e) {
  auto& st = self->state;
  auto it = st.write_waiters.find(k);
  if (it == st.write_waiters.end())
    return;
  inventory_write_reply rep;
  rep.op_id = k.op;
  rep.err = e;
  for (auto& rp : it->second)
    rp.deliver(rep);
  st.write_waiters.erase(it);
}

outbox_batch make_batch(self_ptr self, write_batch wb) {
  auto& st = self->state;
  outbox_batch b;
  b.id = st.outbox ? st.outbox->next_id() : st.mem_next_id++;
  b.idempotency_key = batch_idempotency_key(st.opts.store.name, b.id);
  b.batch = std::move(wb);
  b.variables_json = admin_api::write_variables(b.batch, b.idempotency_key,
                                                batch_reference_uri(st.opts.store.name, b.id));
  return b;
}

void register_batch(self_ptr self, outbox_batch b, outbox_transition pre, bool front) {
  auto& st = self->state;
  for (auto& e : b.batch.entries)
    for (auto op : e.op_ids)
      st.op_batch[{b.batch.kind, e.item, e.location, op}] = b.id;
  auto id = b.id;
  st.batches[id] = batch_slot{std::move(b), batch_where::ready, std::move(pre)};
  if (front)
    st.ready.push_front(id);
  else
    st.ready.push_back(id);
}

void on_write_done(self_ptr self, std::uint64_t id, result<write_outcome> r);

// The batch's outcome for every op it carries is `e`: recorded (so that asking again is answered
// from the record, never by a new batch), requesters answered, the batch forgotten.
void settle_batch(self_ptr self, std::map<std::uint64_t, batch_slot>::iterator sit, const error& e) {
  auto& st = self->state;
  auto& b = sit->second.b;
  outbox_transition t;
  for (auto& en : b.batch.entries)
    for (auto op : en.op_ids) {
      op_result res{std::nullopt, e};
      t.results.push_back({en.item, en.location, op, res});
      answer(self, {b.batch.kind, en.item, en.location, op}, res);
    }
  t.remove.push_back(sit->first);
  persist(self, std::move(t));
  st.batches.erase(sit);
}

void send_batch(self_ptr self, std::uint64_t id) {
  auto& st = self->state;
  auto sit = st.batches.find(id);
  auto& slot = sit->second;
  const auto now = unix_now();
  if (slot.sent_before &&
      decide_resend(slot.b.first_sent_unix, now, st.opts.idempotency_key_max_age) ==
        resend_decision::settle_by_reading) {
    // Shopify may have forgotten the key: this request could apply a second time.
    spdlog::warn("inventory batch not sent again, its key may have expired store={} batch={} first_sent={} "
                 "age_s={}: its requesters read the levels instead",
                 store_of(self), id, slot.b.first_sent_unix, now - slot.b.first_sent_unix);
    return settle_batch(self, sit, error{write_expired_code, "unanswered since " +
                                                               std::to_string(slot.b.first_sent_unix) +
                                                               " (unix s): its idempotency key may have expired"});
  }
  if (!slot.sent_before) {
    // The first send: its time is saved with the batch (which `pre` saves before sending).
    slot.sent_before = true;
    slot.b.first_sent_unix = now;
    for (auto& saved : slot.pre.save)
      if (saved.id == id)
        saved.first_sent_unix = now;
  }
  slot.where = batch_where::sending;
  ++st.in_flight;
  ++st.mutations;
  st.entries_written += slot.b.batch.entries.size();
  auto pre = std::move(slot.pre);
  slot.pre = {};
  std::vector<level_key> keys;
  for (auto& e : slot.b.batch.entries)
    keys.push_back({e.item, e.location});
  auto h = self->address();
  auto outbox = st.outbox;
  auto api = st.api;
  auto kind = slot.b.batch.kind;
  auto vars = slot.b.variables_json;
  boost::asio::post(*st.opts.io, [=]() mutable {
    if (outbox && (!pre.save.empty() || !pre.remove.empty() || !pre.results.empty())) {
      auto s = outbox->apply(pre);
      if (!s.ok()) {
        // Not saved: not sent either (an unsaved batch could not be re-sent after a crash).
        auto e = error{"outbox.write_failed", s.error().message};
        return post_back(h, [self, id, e] { on_write_done(self, id, e); });
      }
      if (!pre.results.empty()) {
        auto results = pre.results;
        post_back(h, [self, results] { forget_unpersisted(self, results); });
      }
    }
    api->write_inventory(kind, std::move(vars), std::move(keys), [h, self, id](result<write_outcome> r) {
      post_back(h, [self, id, r = std::move(r)]() mutable { on_write_done(self, id, std::move(r)); });
    });
  });
}

void on_write_done(self_ptr self, std::uint64_t id, result<write_outcome> r) {
  auto& st = self->state;
  --st.in_flight;
  auto sit = st.batches.find(id);
  if (sit == st.batches.end())
    return schedule(self);
  auto& b = sit->second.b;
  const auto kind = b.batch.kind;
  outbox_transition t;
  auto record = [&](const write_entry& e, const op_result& res) {
    for (auto op : e.op_ids) {
      t.results.push_back({e.item, e.location, op, res});
      answer(self, {kind, e.item, e.location, op}, res);
    }
  };
  // An error the requester answers by asking again (write_failure_kind: transient) is never
  // remembered as the op's outcome: a later ask would get the same error from the record, and
  // the op would be retried forever without ever being sent again. Such a batch is kept (same
  // key, same variables) for the next ask, as for an unknown outcome.
  auto park = [&](const error& e) {
    spdlog::warn("inventory batch outcome unknown store={} batch={} code={} error=\"{}\"", store_of(self), id,
                 e.code, e.message);
    note_error(self, e);
    sit->second.where = batch_where::parked;
    for (auto& en : b.batch.entries)
      for (auto op : en.op_ids)
        answer_unknown(self, {kind, en.item, en.location, op}, e);
    schedule(self);
  };
  if (!r.ok() && is_unauthorized(r.error())) {
    // Refused, so not applied: the same batch (same key) goes first once a token works.
    sit->second.where = batch_where::ready;
    st.ready.push_front(id);
    enter_unauthorized(self, r.error());
    return schedule(self);
  }
  if (!r.ok()) {
    const auto& e = r.error();
    if (e.code == "outbox.write_failed") {
      // Never sent: forget it; requesters may ask again.
      note_error(self, e);
      for (auto& en : b.batch.entries)
        for (auto op : en.op_ids) {
          op_key k{kind, en.item, en.location, op};
          answer_unknown(self, k, e);
          st.op_batch.erase(k);
        }
      st.batches.erase(sit);
      return schedule(self);
    }
    if (link_failure_kind(e) == failure_kind::transient)
      return park(e); // maybe applied (or refused for now): same key, same variables, later
    settle_batch(self, sit, e);
    return schedule(self);
  }
  auto& out = r.value();
  if (out.applied) {
    for (std::size_t i = 0; i < b.batch.entries.size(); ++i) {
      auto& en = b.batch.entries[i];
      auto q = out.quantity_after[i];
      if (!q && kind == write_kind::set)
        q = en.quantity; // an unchanged level may be left out of `changes`
      record(en, q ? op_result{q, std::nullopt}
                   : op_result{std::nullopt, error{write_applied_unseen_code,
                                                   "no quantityAfterChange for the entry"}});
    }
    t.remove.push_back(id);
    persist(self, std::move(t));
    st.batches.erase(sit);
    return schedule(self);
  }
  if (out.batch_error && link_failure_kind(*out.batch_error) == failure_kind::transient)
    return park(*out.batch_error); // e.g. IDEMPOTENCY_CONCURRENT_REQUEST: the first is still running
  if (out.batch_error) {
    spdlog::warn("inventory batch refused store={} batch={} code={} message=\"{}\"", store_of(self), id,
                 out.batch_error->code, out.batch_error->message);
    settle_batch(self, sit, *out.batch_error);
    return schedule(self);
  }
  // Entries refused on their own: report them, send the rest again as a new batch.
  std::vector<bool> failed(b.batch.entries.size(), false);
  for (auto& [i, e] : out.entry_errors) {
    if (failed[i] || link_failure_kind(e) == failure_kind::transient)
      continue; // sent again with the rest
    failed[i] = true;
    spdlog::info("inventory entry refused store={} item={} location={} code={}", store_of(self),
                 b.batch.entries[i].item, b.batch.entries[i].location, e.code);
    record(b.batch.entries[i], {std::nullopt, e});
  }
  write_batch rest{kind, {}};
  for (std::size_t i = 0; i < b.batch.entries.size(); ++i)
    if (!failed[i])
      rest.entries.push_back(b.batch.entries[i]);
  t.remove.push_back(id);
  t.at_unix = unix_now();
  st.batches.erase(sit);
  if (rest.entries.empty()) {
    persist(self, std::move(t));
    return schedule(self);
  }
  auto nb = make_batch(self, std::move(rest));
  t.save.push_back(nb);
  for (auto& r : t.results)
    st.unpersisted[{r.item, r.location, r.op_id}] = r.result;
  register_batch(self, std::move(nb), std::move(t), true);
  schedule(self);
}

void on_reads_done(self_ptr self, std::uint64_t query, const std::vector<level_key>& keys,
                   result<std::vector<level_value>> r) {
  auto& st = self->state;
  --st.in_flight;
  auto sent = st.reads_sent.extract(query);
  if (!r.ok() && is_unauthorized(r.error()) && sent) {
    // Asked again, later, by a query sent after the refusal: still "sent after it was asked".
    for (std::size_t i = keys.size(); i-- > 0;) {
      auto& ws = st.read_waiters[keys[i]];
      if (ws.empty())
        st.read_order.push_front(keys[i]);
      auto& back = sent.mapped()[i];
      ws.insert(ws.begin(), std::make_move_iterator(back.begin()), std::make_move_iterator(back.end()));
    }
    if (!st.reads_since)
      st.reads_since = clock_type::now();
    enter_unauthorized(self, r.error());
    return schedule(self);
  }
  for (std::size_t i = 0; sent && i < keys.size(); ++i) {
    level_read_reply rep;
    rep.key = keys[i];
    if (r.ok()) {
      rep.ok = true;
      auto& v = r.value()[i];
      rep.stocked = v.available.has_value() && v.active;
      rep.inactive = v.available.has_value() && !v.active;
      rep.available = v.available.value_or(0);
    } else {
      rep.err = r.error();
    }
    auto& fns = sent.mapped()[i];
    spdlog::debug("store_link store={} item={} location={} read answered ok={} waiters={}", store_of(self),
                  keys[i].item, keys[i].location, rep.ok, fns.size());
    for (auto& fn : fns)
      fn(rep);
  }
  if (!r.ok())
    note_error(self, r.error());
  schedule(self);
}

void send_reads(self_ptr self) {
  auto& st = self->state;
  std::vector<level_key> keys;
  const auto query = ++st.read_queries;
  auto& waiters = st.reads_sent[query];
  // One query reads one location (levels are addressed by item and location): the oldest
  // read's location, with up to 250 of its reads, oldest first; the others keep their order.
  const location_id at = st.read_order.front().location;
  for (auto it = st.read_order.begin(); it != st.read_order.end() && keys.size() < max_level_ids;) {
    if (it->location != at) {
      ++it;
      continue;
    }
    keys.push_back(*it);
    it = st.read_order.erase(it);
    auto w = st.read_waiters.find(keys.back());
    waiters.push_back(std::move(w->second));
    st.read_waiters.erase(w);
  }
  if (st.read_order.empty())
    st.reads_since.reset();
  ++st.in_flight;
  ++st.level_queries;
  auto h = self->address();
  st.api->inventory_levels(keys, [h, self, query, keys](result<std::vector<level_value>> r) {
    post_back(h, [self, query, keys, r = std::move(r)]() mutable { on_reads_done(self, query, keys, std::move(r)); });
  });
}

void queue_read(self_ptr self, const level_key& k, std::function<void(const level_read_reply&)> fn) {
  auto& st = self->state;
  auto& ws = st.read_waiters[k];
  spdlog::debug("store_link store={} item={} location={} read queued waiters={}", st.opts.store.name, k.item,
                k.location, ws.size());
  if (ws.empty())
    st.read_order.push_back(k);
  ws.push_back(std::move(fn));
  if (!st.reads_since)
    st.reads_since = clock_type::now();
}

// Takes the next batch from the coalescer. Adjust entries whose deltas cancelled out need no
// mutation: their requesters get the current level (a read) as quantityAfterChange.
bool take_write_batch(self_ptr self) {
  auto& st = self->state;
  auto wb = st.coalescer.take();
  if (st.coalescer.empty())
    st.writes_since.reset();
  if (!wb)
    return false;
  if (wb->kind == write_kind::adjust) {
    std::vector<write_entry> keep;
    for (auto& e : wb->entries) {
      if (e.quantity != 0) {
        keep.push_back(std::move(e));
        continue;
      }
      auto ops = e.op_ids;
      auto item = e.item, loc = e.location;
      queue_read(self, {item, loc}, [self, ops, item, loc](const level_read_reply& rep) {
        for (auto op : ops) {
          op_result res;
          if (rep.ok && rep.stocked)
            res.quantity_after = rep.available;
          else
            res.err = rep.ok ? error{level_not_stocked_code, "not stocked"} : rep.err;
          answer(self, {write_kind::adjust, item, loc, op}, res);
        }
      });
    }
    wb->entries = std::move(keep);
    if (wb->entries.empty())
      return true;
  }
  auto b = make_batch(self, std::move(*wb));
  outbox_transition pre;
  pre.save.push_back(b);
  register_batch(self, std::move(b), std::move(pre), false);
  return true;
}

void schedule(self_ptr self) {
  auto& st = self->state;
  const int max = std::max(1, st.opts.store.max_in_flight);
  const auto now = clock_type::now();
  const auto window = st.opts.batching_window;
  if (st.auth->unauthorized())
    return arm_probe(self); // everything waits for the probe
  // Each kind of work: whether it has something to send now, and sending it.
  auto writes_due = [&] {
    return !st.ready.empty() || (!st.coalescer.empty() && st.writes_since && now >= *st.writes_since + window);
  };
  auto reads_due = [&] { return !st.read_order.empty() && st.reads_since && now >= *st.reads_since + window; };
  auto send_write = [&] {
    if (st.ready.empty())
      take_write_batch(self); // makes a batch ready, or only reads (deltas that cancel out)
    if (st.ready.empty())
      return;
    auto id = st.ready.front();
    st.ready.pop_front();
    auto it = st.batches.find(id);
    if (it != st.batches.end() && it->second.where == batch_where::ready)
      send_batch(self, id);
  };
  auto send_job = [&] {
    auto job = std::move(st.jobs.front());
    st.jobs.pop_front();
    ++st.in_flight;
    job();
  };
  constexpr int kinds = 3; // 0 writes, 1 reads, 2 other calls
  while (st.in_flight < max) {
    int sent = -1;
    for (int i = 0; i < kinds && sent < 0; ++i) {
      const int k = (st.turn + i) % kinds;
      if (k == 0 && writes_due())
        send_write();
      else if (k == 1 && reads_due())
        send_reads(self);
      else if (k == 2 && !st.jobs.empty())
        send_job();
      else
        continue;
      sent = k;
    }
    if (sent < 0)
      break;
    st.turn = (sent + 1) % kinds;
  }
  if (st.in_flight < max && !st.tick_armed) {
    std::optional<clock_type::time_point> due;
    if (!st.coalescer.empty() && st.writes_since)
      due = *st.writes_since + window;
    if (!st.read_order.empty() && st.reads_since && (!due || *st.reads_since + window < *due))
      due = *st.reads_since + window;
    if (due) {
      st.tick_armed = true;
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*due - now) +
                  std::chrono::milliseconds(1);
      self->delayed_send(self, std::max(wait, std::chrono::milliseconds(1)), link_tick_atom::value);
    }
  }
}

error deleted_item_error() { return {"INVALID_INVENTORY_ITEM", "the inventory item was deleted in the store"}; }

// Drops the writes of deleted inventory items (`items` sorted) that are not on their way yet:
// entries still coalescing, and entries of batches made but not sent (those are made again
// without them, under a new id and key). Their requesters are answered INVALID_INVENTORY_ITEM.
void forget_items(self_ptr self, const std::vector<inventory_item_id>& items) {
  auto& st = self->state;
  auto deleted = [&](inventory_item_id i) { return std::binary_search(items.begin(), items.end(), i); };
  const op_result gone{std::nullopt, deleted_item_error()};
  for (auto& [kind, e] : st.coalescer.take_items(items))
    for (auto op : e.op_ids)
      answer(self, {kind, e.item, e.location, op}, gone);
  if (st.coalescer.empty())
    st.writes_since.reset();
  const std::vector<std::uint64_t> ids(st.ready.begin(), st.ready.end());
  for (auto id : ids) {
    auto it = st.batches.find(id);
    if (it == st.batches.end() || it->second.where != batch_where::ready)
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
        answer(self, {kind, e.item, e.location, op}, gone);
    }
    // What was to be persisted before the send, less this batch (removed if it was saved already).
    outbox_transition pre = std::move(it->second.pre);
    auto self_save = std::find_if(pre.save.begin(), pre.save.end(), [&](const outbox_batch& b) { return b.id == id; });
    if (self_save != pre.save.end())
      pre.save.erase(self_save);
    else
      pre.remove.push_back(id);
    st.batches.erase(it);
    if (rest.entries.empty()) {
      if (!pre.save.empty() || !pre.remove.empty() || !pre.results.empty())
        persist(self, std::move(pre));
      continue;
    }
    auto nb = make_batch(self, std::move(rest));
    pre.save.push_back(nb);
    register_batch(self, std::move(nb), std::move(pre), true);
  }
}

void job_done(self_ptr self) {
  --self->state.in_flight;
  schedule(self);
}

// A catalog or locations read or a GraphQL call, queued like every other request: its answer
// (or error) completes the requester's promise on the actor's thread. One refused for want of
// a token goes back to the head of the queue, unanswered.
template <class Reply, class T, class Start, class Fill>
void push_api_job(self_ptr self, caf::typed_response_promise<Reply> rp, Start start, Fill fill, bool front) {
  auto h = self->address();
  auto job = [self, h, rp, start, fill]() mutable {
    start([h, self, rp, start, fill](result<T> r) mutable {
      post_back(h, [self, rp, start, fill, r = std::move(r)]() mutable {
        if (!r.ok() && is_unauthorized(r.error())) {
          push_api_job<Reply, T>(self, rp, start, fill, true);
          enter_unauthorized(self, r.error());
          return job_done(self);
        }
        Reply rep;
        if (r.ok()) {
          rep.ok = true;
          fill(rep, std::move(r.value()));
        } else {
          rep.err = r.error();
          note_error(self, rep.err);
        }
        rp.deliver(std::move(rep));
        job_done(self);
      });
    });
  };
  if (front)
    self->state.jobs.push_front(std::move(job));
  else
    self->state.jobs.push_back(std::move(job));
}

template <class Reply, class T, class Start, class Fill>
caf::typed_response_promise<Reply> queue_api_job(self_ptr self, Start start, Fill fill) {
  auto rp = self->make_response_promise<Reply>();
  push_api_job<Reply, T>(self, rp, std::move(start), std::move(fill), false);
  schedule(self);
  return rp;
}

// The quiet check of an unauthorized store: a fresh token (or the token file / state store read
// again) and the cheapest read. Success resumes every held request.
void probe(self_ptr self) {
  auto& st = self->state;
  if (!st.auth->unauthorized() || st.probing || !st.auth->probe_due(steady_ms()))
    return arm_probe(self);
  st.probing = true;
  st.tokens->reset();
  auto h = self->address();
  st.api->locations([h, self](result<std::vector<location_row>> r) {
    post_back(h, [self, ok = r.ok(), e = r.ok() ? error{} : r.error()] {
      auto& st = self->state;
      st.probing = false;
      if (ok) {
        if (st.auth->recovered()) {
          spdlog::info("store {} is authorized again; resuming {} held batches, {} writes, {} reads", store_of(self),
                       st.ready.size(), st.coalescer.pending_entries(), st.read_order.size());
          if (st.unauthorized_gauge)
            st.unauthorized_gauge->set(0);
          if (st.opts.health)
            st.opts.health->clear("store " + store_of(self));
        }
        return schedule(self);
      }
      if (is_unauthorized(e))
        enter_unauthorized(self, e);
      else
        st.auth->refused(st.auth->reason(), steady_ms()); // unreachable: try again later, quietly
      arm_probe(self);
    });
  });
}

store_link_actor::behavior_type store_link_impl(self_ptr self, store_link_options opts) {
  auto& st = self->state;
  st.opts = std::move(opts);
  if (st.opts.client.pool_size < static_cast<std::size_t>(std::max(1, st.opts.store.max_in_flight)))
    st.opts.client.pool_size = static_cast<std::size_t>(std::max(1, st.opts.store.max_in_flight));
  st.tokens = st.opts.tokens ? st.opts.tokens : make_token_source({st.opts.store, nullptr, st.opts.io, st.opts.db});
  st.auth.emplace(st.opts.unauthorized_probe);
  if (st.opts.metrics) {
    st.unauthorized_gauge = &st.opts.metrics->gauge(
      "shopsync_store_unauthorized",
      "1 while the store refuses every token shopsync has (its writes are held), else 0",
      {{"store", st.opts.store.name}});
    st.unauthorized_gauge->set(0);
    st.opts.client.metrics = st.opts.metrics;
    if (st.tokens->method() == auth_method::client_credentials)
      st.opts.metrics->gauge_callback(
        "shopsync_token_expiry_seconds",
        "Seconds until the store's access token expires (client credentials; NaN while none is held)",
        [tokens = std::weak_ptr<token_source>(st.tokens)] {
          std::optional<std::chrono::seconds> left;
          if (auto t = tokens.lock())
            left = t->expires_in();
          return left ? static_cast<double>(left->count()) : std::numeric_limits<double>::quiet_NaN();
        },
        {{"store", st.opts.store.name}});
  }
  st.client = admin_client::make(*st.opts.io,
                                 {st.opts.store.name, st.opts.store.shop_domain, st.opts.store.base_url,
                                  st.opts.store.api_version, st.opts.store.access_token, st.tokens},
                                 st.opts.client);
  st.api = std::make_shared<admin_api>(st.client);
  self->attach_functor([client = std::weak_ptr<admin_client>(st.client)] {
    if (auto c = client.lock())
      c->close();
  });
  auto first = st.opts.first_batch_id
                 ? st.opts.first_batch_id
                 : static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  st.mem_next_id = first;
  if (st.opts.db) {
    st.outbox = std::make_shared<link_outbox>(*st.opts.db, st.opts.store.name, first);
    auto rec = st.outbox->recover();
    if (!rec.ok()) {
      spdlog::error("outbox recovery failed store={} error=\"{}\"", st.opts.store.name, rec.error().message);
      note_error(self, rec.error());
    } else {
      // Result records outlive their batch so that a requester asking again after a crash
      // learns the outcome; after a week nobody asks any more.
      auto outbox = st.outbox;
      auto store = st.opts.store.name;
      boost::asio::post(*st.opts.io, [outbox, store] {
        auto n = outbox->prune_results(unix_now() - 7 * 24 * 3600);
        if (n.ok() && *n)
          spdlog::info("outbox results pruned store={} count={}", store, *n);
      });
      for (auto& b : rec.value()) {
        spdlog::info("re-sending recovered inventory batch store={} batch={} entries={}",
                     st.opts.store.name, b.id, b.batch.entries.size());
        register_batch(self, std::move(b), {}, false);
      }
      for (auto& [id, slot] : st.batches)
        slot.sent_before = true; // maybe sent before the restart: resent only while its key lives
      schedule(self);
    }
  }
  return {
    [self](execute_atom, graphql_request& req) -> caf::typed_response_promise<graphql_answer> {
      return queue_api_job<graphql_answer, graphql_reply>(
        self,
        [self, req](std::function<void(result<graphql_reply>)> done) {
          graphql_call call{req.operation, req.document, req.variables_json,
                            req.mutation ? request_safety::non_idempotent : request_safety::query, 10};
          self->state.client->post(std::move(call), std::move(done));
        },
        [](graphql_answer& a, graphql_reply&& reply) { a.body = std::move(reply.body); });
    },
    [self](inv_write_atom, const write_intent& in) -> caf::typed_response_promise<inventory_write_reply> {
      auto& st = self->state;
      auto rp = self->make_response_promise<inventory_write_reply>();
      if (st.deleted_items.count(in.item)) {
        inventory_write_reply rep;
        rep.op_id = in.op_id;
        rep.err = deleted_item_error();
        rp.deliver(rep);
        return rp;
      }
      op_key k{in.kind, in.item, in.location, in.op_id};
      if (auto it = st.op_batch.find(k); it != st.op_batch.end()) {
        // Already in a batch (recovered, queued, in flight or parked): wait for its result.
        st.write_waiters[k].push_back(rp);
        auto& slot = st.batches.at(it->second);
        if (slot.where == batch_where::parked) {
          slot.where = batch_where::ready;
          st.ready.push_back(it->second);
          schedule(self);
        }
        return rp;
      }
      if (st.coalescer.carries(in.kind, in.item, in.location, in.op_id)) {
        st.write_waiters[k].push_back(rp);
        return rp;
      }
      if (auto u = st.unpersisted.find({in.item, in.location, in.op_id}); u != st.unpersisted.end()) {
        inventory_write_reply rep;
        rep.op_id = in.op_id;
        rep.ok = u->second.quantity_after.has_value();
        rep.quantity_after = u->second.quantity_after.value_or(0);
        if (!rep.ok)
          rep.err = u->second.err.value_or(error{"admin.unknown", ""});
        rp.deliver(rep);
        return rp;
      }
      if (st.outbox) {
        auto known = st.outbox->find_result(in.item, in.location, in.op_id);
        if (known.ok() && *known) {
          inventory_write_reply rep;
          rep.op_id = in.op_id;
          if ((*known)->quantity_after) {
            rep.ok = true;
            rep.quantity_after = *(*known)->quantity_after;
          } else {
            rep.err = (*known)->err.value_or(error{"admin.unknown", ""});
          }
          rp.deliver(rep);
          return rp;
        }
      }
      st.coalescer.add(in);
      st.write_waiters[k].push_back(rp);
      if (!st.writes_since)
        st.writes_since = clock_type::now();
      schedule(self);
      return rp;
    },
    [self](level_read_atom, const level_key& k) -> caf::typed_response_promise<level_read_reply> {
      auto rp = self->make_response_promise<level_read_reply>();
      queue_read(self, k, [rp](const level_read_reply& rep) mutable { rp.deliver(rep); });
      schedule(self);
      return rp;
    },
    [self](catalog_atom, const catalog_page_request& req) -> caf::typed_response_promise<catalog_page_reply> {
      return queue_api_job<catalog_page_reply, catalog_page>(
        self, [self, req](admin_api::callback<catalog_page> done) { self->state.api->catalog(req.first, req.after, std::move(done)); },
        [](catalog_page_reply& rep, catalog_page&& page) { rep.page = std::move(page); });
    },
    [self](locations_atom) -> caf::typed_response_promise<locations_reply> {
      return queue_api_job<locations_reply, std::vector<location_row>>(
        self, [self](admin_api::callback<std::vector<location_row>> done) { self->state.api->locations(std::move(done)); },
        [](locations_reply& rep, std::vector<location_row>&& rows) { rep.locations = std::move(rows); });
    },
    [self](link_status_atom) -> store_link_status {
      auto& st = self->state;
      auto cs = st.client->stats();
      store_link_status s;
      s.store = st.opts.store.name;
      s.shop_domain = st.opts.store.shop_domain;
      if (cs.bucket) {
        s.bucket_maximum = cs.bucket->maximum_available;
        s.bucket_restore_rate = cs.bucket->restore_rate;
      }
      s.bucket_available = cs.available;
      s.queued_writes = st.coalescer.pending_entries();
      s.queued_ops = st.coalescer.pending_ops();
      s.queued_reads = st.read_order.size();
      for (auto& [id, slot] : st.batches) {
        if (slot.where == batch_where::ready)
          ++s.queued_batches;
        else if (slot.where == batch_where::parked)
          ++s.parked_batches;
      }
      s.in_flight = st.in_flight;
      s.max_in_flight = std::max(1, st.opts.store.max_in_flight);
      s.mutations = st.mutations;
      s.entries_written = st.entries_written;
      s.level_queries = st.level_queries;
      s.requests = cs.attempts;
      s.retries = cs.retries;
      s.throttled = cs.throttled;
      s.errors = st.errors;
      s.cost_spent = cs.cost_spent;
      s.last_error = !st.last_error.empty() ? st.last_error : cs.last_error;
      s.auth = to_string(st.tokens->method());
      s.unauthorized = st.auth->unauthorized();
      if (s.unauthorized)
        s.unauthorized_reason = st.auth->reason();
      return s;
    },
    [self](link_task_atom, link_task& t) {
      if (t.run)
        t.run();
    },
    [self](link_tick_atom) {
      self->state.tick_armed = false;
      schedule(self);
    },
    [self](forget_atom, std::vector<inventory_item_id> items) {
      std::sort(items.begin(), items.end());
      items.erase(std::unique(items.begin(), items.end()), items.end());
      self->state.deleted_items.insert(items.begin(), items.end());
      forget_items(self, items);
      schedule(self);
    },
    [self](link_probe_atom) {
      self->state.probe_armed = false;
      probe(self);
    },
    [self](bulk_atom, bulk_read_request& req) -> caf::typed_response_promise<bulk_read_reply> {
      // Outside the request slots: the operation runs at Shopify, its start and polls are small
      // calls through the same client (and throttle model); its file is not an Admin API call.
      auto& st = self->state;
      auto rp = self->make_response_promise<bulk_read_reply>();
      if (!st.bulk)
        st.bulk = bulk_runner::make(*st.opts.io, st.client);
      auto h = self->address();
      st.bulk->run(std::move(req.query), std::move(req.on_line),
                   [h, rp, on_end = std::move(req.on_end)](result<bulk_summary> r) mutable {
                     if (on_end)
                       on_end();
                     bulk_read_reply rep;
                     if (r.ok()) {
                       rep.ok = true;
                       rep.lines = r->lines;
                     } else {
                       rep.err = r.error();
                     }
                     post_back(h, [rp, rep]() mutable { rp.deliver(rep); });
                   });
      return rp;
    },
    [self](link_auth_atom, const std::string& what) {
      auto& st = self->state;
      if (what == "uninstalled") {
        st.tokens->reset();
        enter_unauthorized(self, error{"shopify.app_uninstalled",
                                       "Shopify reports the app was uninstalled from the store (app/uninstalled)"});
      } else if (what == "token_changed" && st.auth->unauthorized()) {
        st.auth->probe_now();
        probe(self);
      }
    },
  };
}

} // namespace

store_link_actor spawn_store_link(caf::actor_system& sys, store_link_options opts) {
  return sys.spawn(store_link_impl, std::move(opts));
}

} // namespace shopsync
