#include "io/inbox.hpp"

#include "io/crash_point.hpp"
#include "io/metrics.hpp"
#include "io/webhook_parser.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <unordered_map>

namespace shopsync {

namespace {

using sys_clock = std::chrono::system_clock;
constexpr unsigned char record_version = 1;
constexpr unsigned char flag_applied = 1;
constexpr std::string_view last_seq_key = "inbox.last_seq";
// Unusable deliveries: this prefix and the seq. Regular entries' keys are exactly 8 bytes, so
// no scan of them sees these, and a prefix scan sees nothing else.
constexpr std::string_view unusable_prefix = "unusable/";
// "Entry seq is applied": this prefix and the seq, the time as value. Marking an entry applied
// used to rewrite it whole (body included) after reading it back, once per event on an actor's
// thread; entries of earlier versions still carry the mark in their flags.
constexpr std::string_view applied_prefix = "applied/";

std::int64_t to_seconds(sys_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
sys_clock::time_point from_seconds(std::int64_t s) { return sys_clock::time_point(std::chrono::seconds(s)); }

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i)
    out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}
std::uint64_t get_u64(std::string_view in, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i)
    v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  return v;
}
void put_str(std::string& out, std::string_view s) {
  auto n = static_cast<std::uint32_t>(s.size());
  for (int i = 3; i >= 0; --i)
    out.push_back(static_cast<char>((n >> (i * 8)) & 0xff));
  out.append(s);
}
bool get_str(std::string_view in, std::size_t& at, std::string& out) {
  if (in.size() < at + 4)
    return false;
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < 4; ++i)
    n = (n << 8) | static_cast<unsigned char>(in[at + i]);
  at += 4;
  if (in.size() - at < n)
    return false;
  out.assign(in.substr(at, n));
  at += n;
  return true;
}

// v1: version, flags, received_at (s, BE), applied_at (s, BE, 0 = not applied), then
// length-prefixed topic, shop, webhook id, event id, triggered at, api version, body; an
// unusable delivery adds its reason's code and message.
constexpr std::size_t header_size = 2 + 8 + 8;
constexpr std::size_t flags_at = 1, applied_at_at = 10;

std::string encode(const webhook_delivery& d, sys_clock::time_point received) {
  std::string out;
  out.reserve(header_size + 7 * 4 + d.topic.size() + d.shop_domain.size() + d.webhook_id.size() +
              d.event_id.size() + d.triggered_at.size() + d.api_version.size() + d.body.size());
  out.push_back(static_cast<char>(record_version));
  out.push_back(0);
  put_u64(out, static_cast<std::uint64_t>(to_seconds(received)));
  put_u64(out, 0);
  for (auto* s : {&d.topic, &d.shop_domain, &d.webhook_id, &d.event_id, &d.triggered_at, &d.api_version, &d.body})
    put_str(out, *s);
  if (d.unusable) {
    put_str(out, d.unusable->code);
    put_str(out, d.unusable->message);
  }
  return out;
}

result<inbox_record> decode(std::uint64_t seq, std::string_view v) {
  if (v.size() < header_size || static_cast<unsigned char>(v[0]) != record_version)
    return error{error_kind::inbox_corrupt, "inbox entry " + std::to_string(seq) + " has an unknown format"};
  inbox_record r;
  r.seq = seq;
  r.received_at = from_seconds(static_cast<std::int64_t>(get_u64(v, 2)));
  if (static_cast<unsigned char>(v[flags_at]) & flag_applied)
    r.applied_at = from_seconds(static_cast<std::int64_t>(get_u64(v, applied_at_at)));
  std::size_t at = header_size;
  auto& d = r.delivery;
  for (auto* s : {&d.topic, &d.shop_domain, &d.webhook_id, &d.event_id, &d.triggered_at, &d.api_version, &d.body})
    if (!get_str(v, at, *s))
      return error{error_kind::inbox_corrupt, "inbox entry " + std::to_string(seq) + " is truncated"};
  if (at < v.size()) {
    error why;
    if (!get_str(v, at, why.code) || !get_str(v, at, why.message))
      return error{error_kind::inbox_corrupt, "inbox entry " + std::to_string(seq) + " is truncated"};
    why.kind = error_kind_of_code(why.code); // only the code was kept
    d.unusable = std::move(why);
  }
  return r;
}

std::string dedup_value(sys_clock::time_point seen, std::uint64_t seq) {
  std::string out;
  put_u64(out, static_cast<std::uint64_t>(to_seconds(seen)));
  put_u64(out, seq);
  return out;
}

} // namespace

std::string inbox::key(std::uint64_t seq) {
  std::string k;
  put_u64(k, seq);
  return k;
}

namespace {
std::string applied_key(std::uint64_t seq) {
  std::string k(applied_prefix);
  put_u64(k, seq);
  return k;
}

// The seqs marked applied by a record of their own, in order.
result<std::vector<std::uint64_t>> applied_marks(const state_store& store) {
  std::vector<std::uint64_t> out;
  auto st = store.scan(column::inbox, applied_prefix, [&](std::string_view k, std::string_view) {
    if (k.size() == applied_prefix.size() + 8)
      out.push_back(get_u64(k, applied_prefix.size()));
    return true;
  });
  if (!st)
    return st.error();
  return out;
}

bool flagged_applied(std::string_view v) { return static_cast<unsigned char>(v[flags_at]) & flag_applied; }
} // namespace

std::string inbox::unusable_key(std::uint64_t seq) {
  std::string k(unusable_prefix);
  put_u64(k, seq);
  return k;
}

std::string inbox::dedup_key(std::string_view shop_domain, std::string_view id) {
  std::string k;
  k.reserve(shop_domain.size() + 1 + id.size());
  k.append(shop_domain).push_back('\n');
  k.append(id);
  return k;
}

std::string inbox::dedup_key(const webhook_delivery& d) {
  return dedup_key(d.shop_domain, d.event_id.empty() ? d.webhook_id : d.event_id);
}

inbox::inbox(state_store& store, options opts) : store_(store), opts_(std::move(opts)) {
  if (!opts_.clock)
    opts_.clock = [] { return sys_clock::now(); };
  if (opts_.metrics) {
    batch_size_ = &opts_.metrics->histogram("shopsync_inbox_batch_size", "Deliveries taken by the inbox writer per batch",
                                            {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024});
    queue_seconds_ = &opts_.metrics->histogram(
        "shopsync_inbox_queue_seconds", "Time a delivery waits in the inbox queue before its batch is written, seconds",
        metrics_registry::default_latency_buckets());
    write_seconds_ = &opts_.metrics->histogram("shopsync_inbox_write_seconds",
                                               "Duration of one inbox batch write (dedup lookups and WriteBatch), seconds",
                                               metrics_registry::default_latency_buckets());
  }
}

result<std::unique_ptr<inbox>> inbox::open(state_store& store, options opts) {
  std::unique_ptr<inbox> self{new inbox(store, std::move(opts))};
  std::uint64_t max_seq = 0;
  auto marks = applied_marks(store);
  if (!marks)
    return marks.error();
  auto st = store.scan(column::inbox, "", [&](std::string_view k, std::string_view v) {
    if (k.size() != 8)
      return true;
    max_seq = get_u64(k, 0); // keys are in order: the last one is the largest
    if (v.size() >= header_size && !flagged_applied(v) && !std::binary_search(marks->begin(), marks->end(), max_seq))
      self->unapplied_.insert(max_seq);
    return true;
  });
  if (!st)
    return st.error();
  const std::uint64_t depth = self->unapplied_.size();
  // Purged entries leave no key behind: the last seq given is also kept in meta.
  auto last = store.get(column::meta, last_seq_key);
  if (!last)
    return last.error();
  if (*last && (*last)->size() == 8)
    max_seq = std::max(max_seq, get_u64(**last, 0));
  self->next_seq_ = max_seq + 1;
  self->depth_.store(depth, std::memory_order_relaxed);
  self->writer_ = std::thread([p = self.get()] { p->run(); });
  spdlog::info("event=inbox_open next_seq={} depth={}", self->next_seq_, depth);
  return self;
}

inbox::~inbox() { stop(); }

void inbox::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable())
    writer_.join();
}

void inbox::submit(webhook_delivery d, completion done) {
  bool stopped = false;
  {
    std::unique_lock lock(mu_);
    stopped = stopping_;
    if (!stopped && queue_.size() < opts_.max_queue) {
      queue_.push_back(pending_submit{std::move(d), std::move(done), std::chrono::steady_clock::now()});
      bool was_empty = queue_.size() == 1;
      lock.unlock();
      if (was_empty)
        cv_.notify_one();
      return;
    }
  }
  done(append_result{append_outcome::failed, 0, stopped ? "inbox stopped" : "inbox queue full"});
}

void inbox::run() {
  std::vector<pending_submit> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_)
        return;
      batch.swap(queue_);
    }
    write_batch(batch);
    batch.clear();
  }
}

void inbox::write_batch(std::vector<pending_submit>& items) {
  std::lock_guard wlock(write_mu_);
  auto started = std::chrono::steady_clock::now();
  if (queue_seconds_)
    for (auto& it : items)
      queue_seconds_->observe(std::chrono::duration<double>(started - it.submitted).count());
  auto now = opts_.clock();
  std::vector<append_result> results(items.size());
  state_store::batch b;
  // In-batch duplicates follow the fate of the first delivery with that key.
  std::unordered_map<std::string, std::size_t> first_in_batch;
  std::vector<std::optional<std::size_t>> same_as(items.size());
  const std::uint64_t first_seq = next_seq_;
  bool lookup_failed = false;
  std::string lookup_error;
  std::uint64_t usable = 0; // stored entries that count in depth()

  // The first delivery seen within the retention window under `dk`: its seq, 0 if none.
  auto seen_under = [&](const std::string& dk, std::size_t i) -> std::optional<std::uint64_t> {
    auto seen = store_.get(column::dedup, dk);
    if (!seen) {
      lookup_failed = true;
      lookup_error = seen.error().message;
      results[i] = {append_outcome::failed, 0, seen.error().message};
      return std::nullopt;
    }
    if (*seen && seen->value().size() == 16 &&
        now - from_seconds(static_cast<std::int64_t>(get_u64(**seen, 0))) < opts_.dedup_retention)
      return get_u64(**seen, 8);
    return std::uint64_t{0};
  };

  for (std::size_t i = 0; i < items.size(); ++i) {
    auto& d = items[i].d;
    // No id at all: nothing to deduplicate on, every such delivery is kept.
    bool has_id = !d.event_id.empty() || !d.webhook_id.empty();
    auto dk = dedup_key(d);
    if (auto it = has_id ? first_in_batch.find(dk) : first_in_batch.end(); it != first_in_batch.end()) {
      same_as[i] = it->second;
      continue;
    }
    std::optional<std::uint64_t> first_seq_seen{0};
    if (has_id)
      first_seq_seen = seen_under(dk, i);
    // A retry of a delivery recorded under its webhook id (by a version that deduplicated
    // on it, or without an event id) is the same delivery.
    if (first_seq_seen && *first_seq_seen == 0 && !d.event_id.empty() && !d.webhook_id.empty() &&
        d.webhook_id != d.event_id)
      first_seq_seen = seen_under(dedup_key(d.shop_domain, d.webhook_id), i);
    if (!first_seq_seen)
      continue; // lookup failed
    if (*first_seq_seen) {
      results[i] = {append_outcome::duplicate, *first_seq_seen, {}};
      first_in_batch.emplace(std::move(dk), i);
      continue;
    }
    auto seq = next_seq_++;
    b.put(column::inbox, d.unusable ? unusable_key(seq) : key(seq), encode(d, now));
    if (has_id)
      b.put(column::dedup, dk, dedup_value(now, seq));
    results[i] = {append_outcome::stored, seq, {}};
    if (!d.unusable)
      ++usable;
    if (has_id)
      first_in_batch.emplace(std::move(dk), i);
  }
  (void)lookup_failed;
  (void)lookup_error;

  std::uint64_t stored = next_seq_ - first_seq;
  if (stored)
    b.put(column::meta, last_seq_key, key(next_seq_ - 1));
  if (!b.empty()) {
    if (auto st = store_.write(b); !st) {
      next_seq_ = first_seq;
      stored = 0;
      usable = 0;
      spdlog::error("event=inbox_write_failed deliveries={} error=\"{}\"", items.size(), st.error().message);
      for (auto& r : results)
        if (r.outcome == append_outcome::stored)
          r = {append_outcome::failed, 0, st.error().message};
    }
  }
  if (stored)
    crash_point("after_inbox_write");
  if (usable) {
    std::lock_guard lock(unapplied_mu_);
    for (std::size_t i = 0; i < items.size(); ++i)
      if (!same_as[i] && results[i].outcome == append_outcome::stored && !items[i].d.unusable)
        unapplied_.insert(results[i].seq);
    depth_.store(unapplied_.size(), std::memory_order_relaxed);
  }
  if (batch_size_) {
    batch_size_->observe(double(items.size()));
    write_seconds_->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }

  for (std::size_t i = 0; i < items.size(); ++i) {
    append_result r;
    if (same_as[i]) {
      auto& first = results[*same_as[i]];
      r = first.outcome == append_outcome::failed ? first
                                                  : append_result{append_outcome::duplicate, first.seq, {}};
    } else {
      r = std::move(results[i]);
    }
    items[i].done(std::move(r));
  }
}

result<std::vector<inbox_entry>> inbox::pending() const {
  std::vector<inbox_entry> out;
  webhook_parser parser;
  std::unordered_set<std::uint64_t> unapplied; // open() found them, write_batch adds, mark_applied takes
  {
    std::lock_guard lock(unapplied_mu_);
    unapplied = unapplied_;
  }
  auto st = store_.scan(column::inbox, "", [&](std::string_view k, std::string_view v) {
    if (k.size() != 8 || !unapplied.count(get_u64(k, 0)))
      return true;
    auto seq = get_u64(k, 0);
    auto rec = decode(seq, v);
    if (!rec) {
      spdlog::error("event=inbox_replay_skipped seq={} error=\"{}\"", seq, rec.error().message);
      return true;
    }
    auto& d = rec->delivery;
    auto ev = parser.parse(d.topic, d.body);
    if (!ev) {
      spdlog::error("event=inbox_replay_skipped seq={} topic={} error=\"{}\"", seq, d.topic, ev.error().message);
      return true;
    }
    inbox_entry e;
    e.seq = seq;
    e.received_at = rec->received_at;
    e.envelope = webhook_envelope{std::move(d.topic),        std::move(d.shop_domain), std::move(d.webhook_id),
                                  std::move(d.event_id),     std::move(d.triggered_at),
                                  std::move(d.api_version), std::move(*ev)};
    out.push_back(std::move(e));
    return true;
  });
  if (!st)
    return st.error();
  return out;
}

status inbox::mark_applied(state_store::batch& b, std::uint64_t seq, sys_clock::time_point now) {
  {
    std::lock_guard lock(unapplied_mu_);
    if (unapplied_.erase(seq) == 0)
      return ok_status(); // unknown, unusable or already applied
    // Counted as applied now; if the caller's batch then fails, the gauge is one low until
    // the next start recounts it.
    depth_.store(unapplied_.size(), std::memory_order_relaxed);
  }
  std::string at;
  put_u64(at, static_cast<std::uint64_t>(to_seconds(now)));
  b.put(column::inbox, applied_key(seq), at);
  return ok_status();
}

result<std::size_t> inbox::purge(sys_clock::time_point now) {
  std::vector<std::string> dedup_keys, inbox_keys, mark_keys;
  auto st = store_.scan(column::dedup, "", [&](std::string_view k, std::string_view v) {
    if (v.size() == 16 && now - from_seconds(static_cast<std::int64_t>(get_u64(v, 0))) >= opts_.dedup_retention)
      dedup_keys.emplace_back(k);
    return true;
  });
  if (!st)
    return st.error();
  st = store_.scan(column::inbox, "", [&](std::string_view k, std::string_view v) {
    if (k.size() == 8 && v.size() >= header_size && flagged_applied(v) &&
        now - from_seconds(static_cast<std::int64_t>(get_u64(v, applied_at_at))) >= opts_.inbox_retention)
      inbox_keys.emplace_back(k);
    return true;
  });
  if (!st)
    return st.error();
  st = store_.scan(column::inbox, applied_prefix, [&](std::string_view k, std::string_view v) {
    if (k.size() == applied_prefix.size() + 8 && v.size() == 8 &&
        now - from_seconds(static_cast<std::int64_t>(get_u64(v, 0))) >= opts_.inbox_retention) {
      mark_keys.emplace_back(k);
      inbox_keys.push_back(key(get_u64(k, applied_prefix.size())));
    }
    return true;
  });
  if (!st)
    return st.error();
  st = store_.scan(column::inbox, unusable_prefix, [&](std::string_view k, std::string_view v) {
    if (v.size() >= header_size &&
        now - from_seconds(static_cast<std::int64_t>(get_u64(v, 2))) >= opts_.unusable_retention)
      inbox_keys.emplace_back(k);
    return true;
  });
  if (!st)
    return st.error();

  // Dedup records are re-checked under the writer's lock, in chunks: a delivery that
  // renewed its record since the scan keeps it.
  std::size_t removed = 0;
  constexpr std::size_t chunk = 1000;
  for (std::size_t i = 0; i < dedup_keys.size(); i += chunk) {
    std::lock_guard wlock(write_mu_);
    state_store::batch b;
    for (std::size_t j = i; j < std::min(dedup_keys.size(), i + chunk); ++j) {
      auto v = store_.get(column::dedup, dedup_keys[j]);
      if (!v)
        return v.error();
      if (*v && (*v)->size() == 16 &&
          now - from_seconds(static_cast<std::int64_t>(get_u64(**v, 0))) >= opts_.dedup_retention)
        b.del(column::dedup, dedup_keys[j]);
    }
    auto n = b.count();
    if (n == 0)
      continue;
    if (auto w = store_.write(b); !w)
      return w.error();
    removed += n;
  }
  // Applied and unusable entries never change again: no re-check needed. An entry's applied
  // mark goes with it (not counted: it is part of the entry).
  for (std::size_t i = 0; i < inbox_keys.size(); i += chunk) {
    state_store::batch b;
    for (std::size_t j = i; j < std::min(inbox_keys.size(), i + chunk); ++j)
      b.del(column::inbox, inbox_keys[j]);
    removed += b.count();
    for (std::size_t j = i; j < std::min(mark_keys.size(), i + chunk); ++j)
      b.del(column::inbox, mark_keys[j]);
    if (auto w = store_.write(b); !w)
      return w.error();
  }
  if (removed)
    spdlog::info("event=inbox_purge removed={}", removed);
  return removed;
}

namespace {
// The record of entry `seq` stored under `k` (an entry's key or an unusable one's), if any.
result<std::optional<inbox_record>> read_record(const state_store& store, const std::string& k, std::uint64_t seq) {
  auto v = store.get(column::inbox, k);
  if (!v)
    return v.error();
  if (!*v)
    return std::optional<inbox_record>{};
  auto r = decode(seq, **v);
  if (!r)
    return r.error();
  return std::optional<inbox_record>{std::move(*r)};
}
} // namespace

result<std::optional<inbox_record>> inbox::get(std::uint64_t seq) const {
  auto r = read_record(store_, key(seq), seq);
  if (!r || !*r || (*r)->applied_at)
    return r;
  auto mark = store_.get(column::inbox, applied_key(seq));
  if (!mark)
    return mark.error();
  if (*mark && (*mark)->size() == 8)
    (*r)->applied_at = from_seconds(static_cast<std::int64_t>(get_u64(**mark, 0)));
  return r;
}

result<std::vector<inbox_record>> inbox::list_unusable(const state_store& store, std::size_t limit) {
  std::deque<inbox_record> out;
  std::optional<error> bad;
  auto st = store.scan(column::inbox, unusable_prefix, [&](std::string_view k, std::string_view v) {
    if (k.size() != unusable_prefix.size() + 8)
      return true;
    auto r = decode(get_u64(k, unusable_prefix.size()), v);
    if (!r) {
      bad = r.error();
      return false;
    }
    out.push_back(std::move(*r));
    if (limit && out.size() > limit) // keep the newest `limit`
      out.pop_front();
    return true;
  });
  if (!st)
    return st.error();
  if (bad)
    return *bad;
  return std::vector<inbox_record>(std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()));
}

result<std::optional<inbox_record>> inbox::get_unusable(const state_store& store, std::uint64_t seq) {
  return read_record(store, unusable_key(seq), seq);
}

} // namespace shopsync
