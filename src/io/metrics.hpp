#pragma once
// A small thread-safe metrics registry rendered in Prometheus text format (version 0.0.4).
// Registration returns a reference that stays valid for the registry's lifetime, so hot
// paths look a metric up once and then only touch atomics. Components add their own
// metrics by name; asking twice for the same name and labels returns the same metric.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace shopsync {

// {{"topic", "orders/create"}, {"outcome", "accepted"}}: order is kept as given.
using metric_labels = std::vector<std::pair<std::string, std::string>>;

class counter_metric {
public:
  void inc(std::uint64_t n = 1) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> v_{0};
};

class gauge_metric {
public:
  void set(double v) noexcept { v_.store(v, std::memory_order_relaxed); }
  void add(double d) noexcept;
  double value() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> v_{0};
};

class histogram_metric {
public:
  explicit histogram_metric(std::vector<double> upper_bounds);
  void observe(double v) noexcept;
  const std::vector<double>& bounds() const noexcept { return bounds_; }
  // Non-cumulative count per bucket; the last one is +Inf.
  std::vector<std::uint64_t> bucket_counts() const;
  std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_; // bounds_.size() + 1
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

class metrics_registry {
public:
  counter_metric& counter(const std::string& name, const std::string& help,
                          const metric_labels& labels = {});
  gauge_metric& gauge(const std::string& name, const std::string& help,
                      const metric_labels& labels = {});
  // A gauge whose value is read at scrape time (e.g. a queue depth owned elsewhere).
  // The function must stay callable until the registry dies or remove_callback() is called.
  void gauge_callback(const std::string& name, const std::string& help,
                      std::function<double()> fn, const metric_labels& labels = {});
  void remove_callback(const std::string& name, const metric_labels& labels = {});
  // Buckets are fixed at the first registration of a name.
  histogram_metric& histogram(const std::string& name, const std::string& help,
                              std::vector<double> upper_bounds, const metric_labels& labels = {});

  // Runs before every render(), outside the registry's lock, so it may set gauges (e.g. counts
  // read from the state store). It must stay callable until the registry dies.
  void on_render(std::function<void()> collect);

  std::string render() const;

  static std::vector<double> default_latency_buckets(); // seconds, 100 µs .. 10 s

private:
  enum class kind { counter, gauge, histogram };
  struct series {
    std::unique_ptr<counter_metric> c;
    std::unique_ptr<gauge_metric> g;
    std::function<double()> fn;
    std::unique_ptr<histogram_metric> h;
  };
  struct family {
    kind k;
    std::string help;
    std::map<std::string, series> by_labels; // key: rendered label set
  };
  family& family_for(const std::string& name, const std::string& help, kind k);

  mutable std::mutex mu_;
  std::map<std::string, family> families_;
  mutable std::mutex collectors_mu_; // held while collectors run: one scrape collects at a time
  std::vector<std::function<void()>> collectors_;
};

// Label text as Prometheus wants it: {a="x",b="y"} with \\, \" and \n escaped.
std::string render_labels(const metric_labels& labels);

} // namespace shopsync
