#include "io/webhook_metrics.hpp"

#include "io/inbox.hpp"
#include "io/metrics.hpp"

namespace shopsync {

webhook_metrics::webhook_metrics(metrics_registry& metrics, inbox& in) : metrics_(metrics) {
  ack_seconds_ = &metrics_.histogram("shopsync_webhook_ack_seconds",
                                     "Time from a webhook's complete header to its answer, in seconds",
                                     metrics_registry::default_latency_buckets());
  metrics_.gauge_callback("shopsync_inbox_depth", "Accepted webhooks not yet applied",
                          [&inbox = in] { return static_cast<double>(inbox.depth()); });
}

webhook_metrics::~webhook_metrics() { metrics_.remove_callback("shopsync_inbox_depth"); }

void webhook_metrics::answered(const std::string& topic, intake_outcome outcome, double ack_seconds) {
  count(topic, outcome);
  ack_seconds_->observe(ack_seconds);
}

void webhook_metrics::count(const std::string& topic, intake_outcome outcome) {
  counter_metric* c = nullptr;
  {
    std::lock_guard lock(mu_);
    for (auto& e : counters_)
      if (e.outcome == outcome && e.topic == topic) {
        c = e.counter;
        break;
      }
  }
  if (!c) {
    c = &metrics_.counter("shopsync_webhooks_total", "Webhook deliveries by topic and outcome",
                          {{"topic", topic}, {"outcome", to_string(outcome)}});
    std::lock_guard lock(mu_);
    counters_.push_back({topic, outcome, c});
  }
  c->inc();
}

void webhook_metrics::count_unusable(const std::string& topic) {
  metrics_
      .counter("shopsync_webhooks_unusable_total", "Signed webhook deliveries kept aside because their content is unusable",
               {{"topic", topic}})
      .inc();
}

} // namespace shopsync
