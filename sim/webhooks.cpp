#include "sim/webhooks.hpp"

#include "io/json_writer.hpp"
#include "sim/hmac.hpp"
#include "sim/http_post.hpp"

#include <cstdio>

namespace shopsync::sim {

namespace {
// Shopify retries a failed delivery 8 times over about 4 hours (seconds of Shopify time).
constexpr double retry_backoff_s[] = {10, 30, 60, 300, 900, 1800, 3600, 7200};
constexpr int max_attempts = 1 + 8;
constexpr std::size_t history_cap = 100'000; // deliveries kept for /_sim/webhooks
} // namespace

webhook_dispatcher::webhook_dispatcher(webhook_settings settings, fault_injector& faults, std::uint64_t seed)
    : settings_(std::move(settings)), faults_(faults), rng_(seed ^ 0x5bd1e995ull) {
  for (int i = 0; i < std::max(1, settings_.threads); ++i)
    threads_.emplace_back([this] { worker(); });
}

webhook_dispatcher::~webhook_dispatcher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    t.join();
}

std::chrono::milliseconds webhook_dispatcher::scaled(double seconds, int floor_ms) const {
  auto ms = static_cast<long long>(seconds * 1000.0 * settings_.time_scale);
  return std::chrono::milliseconds(std::max<long long>(ms, floor_ms));
}

std::string webhook_dispatcher::uuid() {
  std::uint64_t a = rng_(), b = rng_();
  a = (a & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx", (unsigned long long)(a >> 32),
                (unsigned long long)((a >> 16) & 0xFFFF), (unsigned long long)(a & 0xFFFF),
                (unsigned long long)(b >> 48), (unsigned long long)(b & 0xFFFFFFFFFFFFull));
  return buf;
}

webhook_dispatcher::delivery* webhook_dispatcher::find(std::uint64_t seq) {
  if (seq < base_seq_ || seq >= base_seq_ + log_.size())
    return nullptr;
  return &log_[seq - base_seq_];
}

void webhook_dispatcher::enqueue(delivery d) {
  d.seq = next_seq_++;
  if (d.state == "pending")
    queue_.push({d.due, d.seq});
  log_.push_back(std::move(d));
  while (log_.size() > history_cap && log_.front().state != "pending") {
    log_.pop_front();
    ++base_seq_;
  }
}

void webhook_dispatcher::emit(const std::string& shop, const std::string& url, const std::string& topic,
                              std::string body, const std::string& triggered_at) {
  std::vector<webhook_target> targets;
  if (!url.empty())
    targets.push_back({url, 0});
  emit_to(shop, targets, topic, std::move(body), triggered_at);
}

void webhook_dispatcher::emit_to(const std::string& shop, const std::vector<webhook_target>& targets,
                                 const std::string& topic, std::string body, const std::string& triggered_at) {
  std::string event_id;
  std::size_t queued = 0;
  // No target: one record, "unsubscribed".
  const std::size_t n = std::max<std::size_t>(targets.size(), 1);
  for (std::size_t i = 0; i < n; ++i) {
  const std::string url = targets.empty() ? std::string() : targets[i].url;
  auto f = faults_.draw_webhook(topic);
  {
    std::lock_guard lock(mu_);
    auto now = clock::now();
    delivery d;
    d.shop = shop;
    d.url = url;
    d.subscription = targets.empty() ? 0 : targets[i].subscription;
    d.topic = topic;
    if (event_id.empty())
      event_id = uuid();
    d.event_id = event_id;
    d.webhook_id = uuid();
    d.triggered_at = triggered_at;
    d.body = i + 1 == n ? std::move(body) : body;
    d.injected_delay_ms = f.delay_ms;
    d.due = now + std::chrono::milliseconds(f.delay_ms);
    if (url.empty())
      d.state = "unsubscribed";
    else if (f.lost) {
      d.state = "lost";
      d.note = "fault:lost";
    }
    if (f.duplicate && d.state == "pending") {
      delivery dup = d;
      dup.webhook_id = uuid();
      dup.duplicate = true;
      dup.note = "fault:duplicate";
      dup.injected_delay_ms = f.duplicate_delay_ms;
      dup.due = now + std::chrono::milliseconds(f.duplicate_delay_ms);
      enqueue(std::move(d));
      enqueue(std::move(dup));
      queued += 2;
    } else {
      queued += d.state == "pending";
      enqueue(std::move(d));
    }
  }
  }
  // One sender per delivery: waking them all for each event (a flash sale's thousands a second)
  // cost the simulator more in context switches than the deliveries themselves. A woken sender
  // looks at the queue's head, so one sleeping until a later due time is woken for an earlier one.
  for (std::size_t i = 0; i < queued; ++i)
    cv_.notify_one();
}

// Test control: queued at once, no faults drawn (mu_ held).
webhook_dispatcher::sent webhook_dispatcher::enqueue_now(delivery d) {
  d.due = clock::now();
  if (d.url.empty())
    d.state = "unsubscribed";
  sent out{next_seq_, d.webhook_id, d.event_id};
  enqueue(std::move(d));
  cv_.notify_all();
  return out;
}

webhook_dispatcher::sent webhook_dispatcher::send(const std::string& shop, const std::string& url,
                                                  const std::string& topic, std::string body,
                                                  const std::string& triggered_at, const std::string& event_id) {
  std::lock_guard lock(mu_);
  delivery d;
  d.shop = shop;
  d.url = url;
  d.topic = topic;
  d.event_id = event_id.empty() ? uuid() : event_id;
  d.webhook_id = uuid();
  d.triggered_at = triggered_at;
  d.body = std::move(body);
  d.text_body = true;
  d.note = "control:send";
  return enqueue_now(std::move(d));
}

std::optional<webhook_dispatcher::sent> webhook_dispatcher::redeliver(std::uint64_t seq) {
  std::lock_guard lock(mu_);
  auto* first = find(seq);
  if (!first)
    return std::nullopt;
  delivery d = *first; // same shop, url, topic, event id, time and body
  d.webhook_id = uuid();
  d.state = "pending";
  d.attempts = 0;
  d.last_status = 0;
  d.last_error.clear();
  d.duplicate = false;
  d.injected_delay_ms = 0;
  d.delivered_at_ms = 0;
  d.note = "control:second_subscription";
  return enqueue_now(std::move(d));
}

void webhook_dispatcher::worker() {
  http_client client(settings_.keep_alive);
  std::unique_lock lock(mu_);
  for (;;) {
    if (stop_)
      return;
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto top = queue_.top();
    if (top.due > clock::now()) {
      cv_.wait_until(lock, top.due);
      continue;
    }
    queue_.pop();
    // Whoever was woken for this one may have been the sender waiting for a later head: pass
    // the wake on, so that a sender looks at the new head (notify_one wakes a single sender).
    if (!queue_.empty())
      cv_.notify_one();
    delivery* d = find(top.seq);
    if (!d || d->state != "pending")
      continue;
    ++in_flight_;
    ++d->attempts;
    std::string url = d->url, body = d->body;
    std::vector<std::pair<std::string, std::string>> headers = {
        {"X-Shopify-Topic", d->topic},
        {"X-Shopify-Shop-Domain", d->shop},
        {"X-Shopify-API-Version", settings_.api_version},
        {"X-Shopify-Hmac-Sha256", hmac_sha256_base64(settings_.secret, d->body)},
        {"X-Shopify-Webhook-Id", d->webhook_id},
        {"X-Shopify-Event-Id", d->event_id},
        {"X-Shopify-Triggered-At", d->triggered_at},
    };
    auto gen = generation_;
    auto seq = d->seq;
    const auto subscription = d->subscription;
    const std::string shop = d->shop;
    lock.unlock();
    if (subscription && settings_.still_subscribed && !settings_.still_subscribed(shop, subscription)) {
      lock.lock();
      --in_flight_;
      if (gen == generation_ && (d = find(seq))) {
        d->state = "unsubscribed";
        d->note = "subscription_deleted";
      }
      idle_cv_.notify_all();
      continue;
    }
    auto res = client.post(url, headers, body, scaled(1, 100), scaled(5, 250));
    if (subscription && settings_.attempted)
      settings_.attempted(shop, subscription, res.status >= 200 && res.status < 300);
    lock.lock();
    --in_flight_;
    d = gen == generation_ ? find(seq) : nullptr;
    if (d) {
      d->last_status = res.status;
      d->last_error = res.error;
      if (res.status >= 200 && res.status < 300) {
        d->state = "delivered";
        d->delivered_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start_).count();
      } else if (d->attempts >= max_attempts) {
        d->state = "failed";
      } else {
        d->due = clock::now() + scaled(retry_backoff_s[d->attempts - 1], 1);
        queue_.push({d->due, d->seq});
        cv_.notify_one();
      }
    }
    idle_cv_.notify_all();
  }
}

bool webhook_dispatcher::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [&] { return queue_.empty() && in_flight_ == 0; });
}

void webhook_dispatcher::reset(std::uint64_t seed) {
  std::lock_guard lock(mu_);
  log_.clear();
  base_seq_ = next_seq_ = 1;
  ++generation_;
  queue_ = {};
  rng_.seed(seed ^ 0x5bd1e995ull);
}

std::string webhook_dispatcher::stats_json(const std::string& shop, std::uint64_t since, bool bodies,
                                           const std::string& topic) {
  std::lock_guard lock(mu_);
  json_writer w;
  std::size_t pending = 0, delivered = 0, failed = 0, lost = 0, unsubscribed = 0;
  w.begin_object().key("deliveries").begin_array();
  for (auto& d : log_) {
    if (!shop.empty() && d.shop != shop)
      continue;
    if (d.state == "pending") ++pending;
    else if (d.state == "delivered") ++delivered;
    else if (d.state == "failed") ++failed;
    else if (d.state == "lost") ++lost;
    else ++unsubscribed;
    if (d.seq < since || (!topic.empty() && d.topic != topic))
      continue;
    w.begin_object()
        .field("seq", d.seq).field("shop", d.shop).field("topic", d.topic)
        .field("webhook_id", d.webhook_id).field("event_id", d.event_id)
        .field("triggered_at", d.triggered_at).field("state", d.state)
        .field("attempts", d.attempts).field("last_status", d.last_status)
        .field("last_error", d.last_error).field("duplicate", d.duplicate)
        .field("injected_delay_ms", d.injected_delay_ms).field("note", d.note)
        .field("delivered_at_ms", d.delivered_at_ms).field("url", d.url)
        .field("subscription", d.subscription);
    if (bodies && d.text_body)
      w.field("body", d.body);
    else if (bodies)
      w.key("body").raw(d.body);
    w.end_object();
  }
  w.end_array();
  w.key("summary").begin_object()
      .field("pending", pending).field("delivered", delivered).field("failed", failed)
      .field("lost", lost).field("unsubscribed", unsubscribed).field("in_flight", in_flight_)
      .end_object();
  w.field("next_seq", next_seq_);
  w.end_object();
  return std::move(w).str();
}

} // namespace shopsync::sim
