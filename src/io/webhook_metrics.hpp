#pragma once
// The webhook intake's metrics, for the HTTP session (webhook_server.cpp):
//   shopsync_webhooks_total{topic,outcome}    every request to /webhooks, by how it ended
//   shopsync_webhooks_unusable_total{topic}   signed deliveries kept aside
//   shopsync_webhook_ack_seconds               from a webhook's complete header to its answer
//   shopsync_inbox_depth                       accepted webhooks not yet applied (while it lives)
// Topic labels are a known topic, "other" or "unverified" (webhook_intake.hpp): a short list.
// Thread-safe; the registry and the inbox must outlive it.
#include "io/webhook_intake.hpp"

#include <mutex>
#include <string>
#include <vector>

namespace shopsync {

class counter_metric;
class histogram_metric;
class inbox;
class metrics_registry;

class webhook_metrics {
public:
  webhook_metrics(metrics_registry& metrics, inbox& in);
  ~webhook_metrics(); // the inbox depth gauge leaves the registry
  webhook_metrics(const webhook_metrics&) = delete;
  webhook_metrics& operator=(const webhook_metrics&) = delete;

  // One request ended with `outcome`; `ack_seconds` after its header when it was answered.
  void answered(const std::string& topic, intake_outcome outcome, double ack_seconds);
  // One ended before its answer could be timed (refused from its header or its body's size).
  void count(const std::string& topic, intake_outcome outcome);
  // A delivery kept aside.
  void count_unusable(const std::string& topic);

private:
  struct counter_entry {
    std::string topic;
    intake_outcome outcome;
    counter_metric* counter;
  };
  metrics_registry& metrics_;
  histogram_metric* ack_seconds_ = nullptr;
  std::mutex mu_;
  // Found without building a key: this runs for every request.
  std::vector<counter_entry> counters_;
};

} // namespace shopsync
