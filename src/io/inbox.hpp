#pragma once
// The durable inbox: accepted webhook deliveries, deduplicated by X-Shopify-Event-Id (one per
// event, shared when an event reaches us through two subscriptions; X-Shopify-Webhook-Id when
// a delivery has no event id), written to RocksDB before they are acknowledged.
//
// One writer thread does group commit itself: connections submit(), the writer takes
// everything queued, drops duplicates (seen within the retention window, or twice in the
// same batch), and writes all entries and their dedup records in ONE WriteBatch with the
// store's sync policy. Only then does it complete every waiting request. A failed write
// fails every request of the batch: nothing is acknowledged that is not on disk.
//
// Inbox keys are big-endian sequence numbers, monotonic across restarts. Values hold the
// envelope headers and the raw body (versioned); the event is re-parsed from the body on
// replay, so the same parser serves intake and replay. An entry stays (marked applied, by a
// small record of its own beside it) until purge() removes it after the inbox retention window.
//
// A signed delivery whose content shopsync cannot use (malformed, unknown topic, a wrong
// type...) is kept aside instead: same queue, same dedup, same seq numbers, but stored under
// unusable_key(seq) with the reason, never replayed nor counted in depth(), listed by
// list_unusable() and removed by purge() after unusable_retention.
#include "domain/events.hpp"
#include "domain/result.hpp"
#include "io/state_store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace shopsync {

class webhook_parser;
class metrics_registry;
class histogram_metric;

// Everything of an accepted delivery that is stored: its headers and the raw body.
struct webhook_delivery {
  std::string topic, shop_domain, webhook_id, event_id, triggered_at, api_version;
  std::string body;
  std::optional<error> unusable; // set: kept aside for inspection, never applied; why
};

enum class append_outcome { stored, duplicate, failed };

struct append_result {
  append_outcome outcome = append_outcome::failed;
  std::uint64_t seq = 0; // stored: the new entry; duplicate: the first delivery's (0 if unknown)
  std::string error;     // failed: why
};

struct inbox_entry {
  std::uint64_t seq = 0;
  std::chrono::system_clock::time_point received_at;
  webhook_envelope envelope;
};

// A stored entry as it is on disk (tests, diagnostics).
struct inbox_record {
  std::uint64_t seq = 0;
  std::chrono::system_clock::time_point received_at;
  std::optional<std::chrono::system_clock::time_point> applied_at;
  webhook_delivery delivery;
};

class inbox {
public:
  using clock_fn = std::function<std::chrono::system_clock::time_point()>;
  using completion = std::function<void(append_result)>;

  struct options {
    std::chrono::seconds dedup_retention{48 * 3600};
    std::chrono::seconds inbox_retention{48 * 3600};
    std::size_t max_queue = 100000; // beyond this, submit() fails at once (overload)
    clock_fn clock;                 // default: system_clock::now (tests pass their own)
    // Optional: shopsync_inbox_batch_size, shopsync_inbox_queue_seconds and shopsync_inbox_write_seconds histograms
    // (group commit at work: a delivery waits at most for the write in progress, then
    // for its own batch's write and sync).
    metrics_registry* metrics = nullptr;
    // Unusable deliveries wait this long for someone to look at them.
    std::chrono::seconds unusable_retention{30 * 24 * 3600};
  };

  // Recovers the next sequence number and the depth from the store, starts the writer.
  static result<std::unique_ptr<inbox>> open(state_store& store, options opts);
  ~inbox(); // stop()

  // Thread-safe. `done` runs on the writer thread once the delivery is on disk, found to
  // be a duplicate, or failed; it must not block (post the answer to your executor).
  void submit(webhook_delivery d, completion done);

  // Completes everything queued, then joins the writer. Later submits fail at once.
  void stop();

  // Entries not yet applied, in sequence order, with their events re-parsed (replay at
  // start). An entry whose body no longer parses is logged and left out.
  result<std::vector<inbox_entry>> pending() const;

  // Adds "entry seq is applied" to the caller's batch, so that the effects of an event
  // and its inbox mark are written together. Unknown or already applied seq: no-op.
  status mark_applied(state_store::batch& b, std::uint64_t seq, std::chrono::system_clock::time_point now);

  // Removes dedup records older than dedup_retention and applied entries applied more
  // than inbox_retention ago. Returns how many records were removed.
  result<std::size_t> purge(std::chrono::system_clock::time_point now);

  // Entries accepted and not yet marked applied.
  std::uint64_t depth() const noexcept { return depth_.load(std::memory_order_relaxed); }

  result<std::optional<inbox_record>> get(std::uint64_t seq) const;

  // Unusable deliveries kept aside, oldest first: the last `limit` of them (0: all).
  static result<std::vector<inbox_record>> list_unusable(const state_store& store, std::size_t limit = 0);
  static result<std::optional<inbox_record>> get_unusable(const state_store& store, std::uint64_t seq);

  static std::string key(std::uint64_t seq);
  static std::string unusable_key(std::uint64_t seq);
  // The dedup record of a delivery: shop and event id (webhook id without an event id).
  static std::string dedup_key(std::string_view shop_domain, std::string_view id);
  static std::string dedup_key(const webhook_delivery& d);

private:
  inbox(state_store& store, options opts);
  void run();
  struct pending_submit {
    webhook_delivery d;
    completion done;
    std::chrono::steady_clock::time_point submitted;
  };
  void write_batch(std::vector<pending_submit>& batch);

  state_store& store_;
  options opts_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<pending_submit> queue_;
  bool stopping_ = false;
  std::mutex write_mu_; // serialises the writer's batches with purge's deletes
  std::uint64_t next_seq_ = 1;
  std::atomic<std::uint64_t> depth_{0};
  // Entries stored and not yet marked applied: mark_applied's answer to "is there anything to
  // mark?" without reading the entry back.
  mutable std::mutex unapplied_mu_;
  std::unordered_set<std::uint64_t> unapplied_;
  std::thread writer_;
  histogram_metric* batch_size_ = nullptr;
  histogram_metric* queue_seconds_ = nullptr;
  histogram_metric* write_seconds_ = nullptr;
};

} // namespace shopsync
