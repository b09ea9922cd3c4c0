#pragma once
// Webhook delivery as Shopify does it: every event is signed and POSTed with the X-Shopify-*
// headers; a non-2xx answer or none within the deadline is retried 8 times with growing backoff
// (Shopify spreads them over ~4 hours; --time-scale shrinks that for tests). Faults (loss,
// duplication, delay, reordering) are drawn when the event is emitted, so they are reproducible.
#include "sim/faults.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace shopsync::sim {

struct webhook_settings {
  std::string secret;
  std::string api_version = "2026-10";
  double time_scale = 1.0; // multiplies backoff and deadlines (floors: 100 ms connect, 250 ms answer)
  int threads = 2; // concurrent deliveries, each sender with its own connection
  bool keep_alive = true; // see http_client
  // For deliveries through an API-made subscription (subscription != 0), called without the
  // dispatcher's lock: before each attempt (false: the subscription is gone, the delivery is
  // dropped as "unsubscribed") and after it with its outcome (Shopify counts failures).
  std::function<bool(const std::string& shop, std::int64_t subscription)> still_subscribed;
  std::function<void(const std::string& shop, std::int64_t subscription, bool delivered)> attempted;
};

// Where one event goes: the app-specific subscription's url (subscription 0) or an API-made one.
struct webhook_target {
  std::string url;
  std::int64_t subscription = 0;
};

class webhook_dispatcher {
public:
  using clock = std::chrono::steady_clock;
  webhook_dispatcher(webhook_settings settings, fault_injector& faults, std::uint64_t seed);
  ~webhook_dispatcher();
  webhook_dispatcher(const webhook_dispatcher&) = delete;
  webhook_dispatcher& operator=(const webhook_dispatcher&) = delete;

  // Queues one event (one X-Shopify-Event-Id) for `url`; an empty url records it as unsubscribed.
  void emit(const std::string& shop, const std::string& url, const std::string& topic, std::string body,
            const std::string& triggered_at);
  // Test control (no faults drawn). send: one delivery of `body` exactly as given (Shopify's
  // own samples, or junk), under `event_id` (empty: a new one). redeliver: delivery `seq` again
  // as a second subscription to its topic would send it: same event id, topic and body, a new
  // webhook id (nullopt: no such delivery).
  struct sent {
    std::uint64_t seq = 0;
    std::string webhook_id, event_id;
  };
  sent send(const std::string& shop, const std::string& url, const std::string& topic, std::string body,
            const std::string& triggered_at, const std::string& event_id);
  std::optional<sent> redeliver(std::uint64_t seq);
  // One event to every target, one delivery (and X-Shopify-Webhook-Id) each, all with the same
  // X-Shopify-Event-Id; no target: recorded as unsubscribed.
  void emit_to(const std::string& shop, const std::vector<webhook_target>& targets, const std::string& topic,
               std::string body, const std::string& triggered_at);
  // Deliveries as JSON: {"deliveries":[...], "summary":{...}}; filters optional.
  std::string stats_json(const std::string& shop, std::uint64_t since, bool bodies, const std::string& topic);
  void reset(std::uint64_t seed);
  // Blocks until nothing is pending or in flight, or the timeout passes; true when idle.
  bool wait_idle(std::chrono::milliseconds timeout);
  const webhook_settings& settings() const noexcept { return settings_; }

private:
  struct delivery {
    std::uint64_t seq = 0;
    std::string shop, url, topic, webhook_id, event_id, triggered_at, body, note, last_error;
    int attempts = 0;
    int last_status = 0;
    std::int64_t subscription = 0; // 0: app-specific
    std::string state = "pending"; // pending | delivered | failed | lost | unsubscribed
    bool duplicate = false;
    bool text_body = false; // sent by hand, maybe not JSON: listed as a string
    int injected_delay_ms = 0;
    clock::time_point due;
    std::int64_t delivered_at_ms = 0; // ms since the dispatcher started
  };
  struct due_entry {
    clock::time_point due;
    std::uint64_t seq;
    bool operator>(const due_entry& o) const { return due != o.due ? due > o.due : seq > o.seq; }
  };
  std::string uuid();
  delivery* find(std::uint64_t seq);
  void enqueue(delivery d);
  sent enqueue_now(delivery d);
  void worker();
  std::chrono::milliseconds scaled(double seconds, int floor_ms) const;

  webhook_settings settings_;
  fault_injector& faults_;
  std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<delivery> log_;
  std::uint64_t base_seq_ = 1, next_seq_ = 1, generation_ = 0;
  std::priority_queue<due_entry, std::vector<due_entry>, std::greater<>> queue_;
  int in_flight_ = 0;
  std::mt19937_64 rng_;
  bool stop_ = false;
  clock::time_point start_ = clock::now();
  std::vector<std::thread> threads_;
};

} // namespace shopsync::sim
