#include "io/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using namespace shopsync;

TEST(metrics, renders_counters_with_labels_in_prometheus_text) {
  metrics_registry reg;
  auto& a = reg.counter("shopsync_webhooks_total", "Webhook deliveries", {{"topic", "orders/create"}, {"outcome", "accepted"}});
  auto& b = reg.counter("shopsync_webhooks_total", "Webhook deliveries", {{"topic", "orders/create"}, {"outcome", "accepted"}});
  EXPECT_EQ(&a, &b); // same name and labels: the same counter
  a.inc();
  b.inc(2);
  reg.counter("shopsync_webhooks_total", "Webhook deliveries", {{"topic", "x\"y\\z\n"}, {"outcome", "ignored"}}).inc();
  auto text = reg.render();
  EXPECT_NE(text.find("# HELP shopsync_webhooks_total Webhook deliveries\n# TYPE shopsync_webhooks_total counter\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("shopsync_webhooks_total{topic=\"orders/create\",outcome=\"accepted\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("shopsync_webhooks_total{topic=\"x\\\"y\\\\z\\n\",outcome=\"ignored\"} 1\n"), std::string::npos) << text;
}

TEST(metrics, renders_gauges_and_callback_gauges) {
  metrics_registry reg;
  reg.gauge("queue_size", "Queued").set(2.5);
  int depth = 7;
  reg.gauge_callback("shopsync_inbox_depth", "Depth", [&] { return double(depth); });
  auto text = reg.render();
  EXPECT_NE(text.find("# TYPE queue_size gauge\nqueue_size 2.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("shopsync_inbox_depth 7\n"), std::string::npos) << text;
  depth = 9;
  EXPECT_NE(reg.render().find("shopsync_inbox_depth 9\n"), std::string::npos);
  reg.remove_callback("shopsync_inbox_depth");
  EXPECT_EQ(reg.render().find("shopsync_inbox_depth 9\n"), std::string::npos);
}

TEST(metrics, histogram_buckets_are_cumulative_with_sum_and_count) {
  metrics_registry reg;
  auto& h = reg.histogram("ack_seconds", "Ack latency", {0.001, 0.01, 0.1});
  h.observe(0.0005);
  h.observe(0.001); // le is inclusive
  h.observe(0.05);
  h.observe(3);
  auto text = reg.render();
  EXPECT_NE(text.find("# TYPE ack_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("ack_seconds_bucket{le=\"0.001\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ack_seconds_bucket{le=\"0.01\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ack_seconds_bucket{le=\"0.1\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ack_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ack_seconds_count 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ack_seconds_sum 3.0515\n"), std::string::npos) << text;
}

TEST(metrics, concurrent_increments_are_not_lost) {
  metrics_registry reg;
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        reg.counter("c_total", "c", {{"k", "v"}}).inc();
        reg.histogram("h", "h", {1.0}).observe(0.5);
      }
    });
  for (auto& t : ts)
    t.join();
  EXPECT_EQ(reg.counter("c_total", "c", {{"k", "v"}}).value(), 40000u);
  EXPECT_EQ(reg.histogram("h", "h", {1.0}).count(), 40000u);
}

// A collector sets gauges just before each render: values owned elsewhere (a state store
// count) are read only when someone scrapes.
TEST(metrics, collectors_run_before_each_render) {
  metrics_registry reg;
  int scrapes = 0;
  reg.on_render([&] { reg.gauge("shopsync_things", "Things", {{"kind", "a"}}).set(++scrapes * 10); });
  EXPECT_NE(reg.render().find("shopsync_things{kind=\"a\"} 10\n"), std::string::npos);
  EXPECT_NE(reg.render().find("shopsync_things{kind=\"a\"} 20\n"), std::string::npos);
  EXPECT_EQ(scrapes, 2);
}
