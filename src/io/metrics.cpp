#include "io/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace shopsync {

namespace {
void atomic_add(std::atomic<double>& a, double d) noexcept {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

std::string format_number(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// Merge an extra label (le="...") into an already rendered label set.
std::string with_label(const std::string& rendered, const std::string& extra) {
  if (rendered.empty())
    return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}
} // namespace

std::string render_labels(const metric_labels& labels) {
  if (labels.empty())
    return {};
  std::string out = "{";
  bool first = true;
  for (auto& [k, v] : labels) {
    if (!first)
      out += ',';
    first = false;
    out += k;
    out += "=\"";
    for (char ch : v) {
      if (ch == '\\')
        out += "\\\\";
      else if (ch == '"')
        out += "\\\"";
      else if (ch == '\n')
        out += "\\n";
      else
        out += ch;
    }
    out += '"';
  }
  out += '}';
  return out;
}

void gauge_metric::add(double d) noexcept { atomic_add(v_, d); }

histogram_metric::histogram_metric(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  buckets_.reset(new std::atomic<std::uint64_t>[bounds_.size() + 1]);
  for (std::size_t i = 0; i <= bounds_.size(); ++i)
    buckets_[i].store(0, std::memory_order_relaxed);
}

void histogram_metric::observe(double v) noexcept {
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v); // first bound >= v (le)
  buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  atomic_add(sum_, v);
}

std::vector<std::uint64_t> histogram_metric::bucket_counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

std::vector<double> metrics_registry::default_latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

metrics_registry::family& metrics_registry::family_for(const std::string& name, const std::string& help,
                                                       kind k) {
  auto it = families_.find(name);
  if (it == families_.end())
    it = families_.emplace(name, family{k, help, {}}).first;
  else if (it->second.k != k)
    throw std::logic_error("metric " + name + " registered twice with different types");
  return it->second;
}

counter_metric& metrics_registry::counter(const std::string& name, const std::string& help,
                                          const metric_labels& labels) {
  std::lock_guard lock(mu_);
  auto& s = family_for(name, help, kind::counter).by_labels[render_labels(labels)];
  if (!s.c)
    s.c = std::make_unique<counter_metric>();
  return *s.c;
}

gauge_metric& metrics_registry::gauge(const std::string& name, const std::string& help,
                                      const metric_labels& labels) {
  std::lock_guard lock(mu_);
  auto& s = family_for(name, help, kind::gauge).by_labels[render_labels(labels)];
  if (!s.g)
    s.g = std::make_unique<gauge_metric>();
  return *s.g;
}

void metrics_registry::gauge_callback(const std::string& name, const std::string& help,
                                      std::function<double()> fn, const metric_labels& labels) {
  std::lock_guard lock(mu_);
  auto& s = family_for(name, help, kind::gauge).by_labels[render_labels(labels)];
  s.fn = std::move(fn);
}

void metrics_registry::remove_callback(const std::string& name, const metric_labels& labels) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end())
    return;
  auto s = it->second.by_labels.find(render_labels(labels));
  if (s != it->second.by_labels.end())
    s->second.fn = nullptr;
}

histogram_metric& metrics_registry::histogram(const std::string& name, const std::string& help,
                                              std::vector<double> upper_bounds,
                                              const metric_labels& labels) {
  std::lock_guard lock(mu_);
  auto& f = family_for(name, help, kind::histogram);
  auto& s = f.by_labels[render_labels(labels)];
  if (!s.h) {
    // Every series of one histogram family shares the first registration's buckets.
    for (auto& [_, other] : f.by_labels)
      if (other.h) {
        upper_bounds = other.h->bounds();
        break;
      }
    s.h = std::make_unique<histogram_metric>(std::move(upper_bounds));
  }
  return *s.h;
}

void metrics_registry::on_render(std::function<void()> collect) {
  std::lock_guard lock(collectors_mu_);
  collectors_.push_back(std::move(collect));
}

std::string metrics_registry::render() const {
  {
    std::lock_guard collecting(collectors_mu_);
    for (auto& c : collectors_)
      c();
  }
  std::lock_guard lock(mu_);
  std::string out;
  out.reserve(4096);
  for (auto& [name, f] : families_) {
    const char* type = f.k == kind::counter ? "counter" : f.k == kind::gauge ? "gauge" : "histogram";
    std::string help;
    for (char ch : f.help)
      help += ch == '\n' ? std::string("\\n") : ch == '\\' ? std::string("\\\\") : std::string(1, ch);
    out += "# HELP " + name + " " + help + "\n";
    out += "# TYPE " + name + " " + type + "\n";
    for (auto& [labels, s] : f.by_labels) {
      if (s.c) {
        out += name + labels + " " + std::to_string(s.c->value()) + "\n";
      } else if (s.h) {
        auto counts = s.h->bucket_counts();
        std::uint64_t cumulative = 0;
        auto& b = s.h->bounds();
        for (std::size_t i = 0; i < counts.size(); ++i) {
          cumulative += counts[i];
          std::string le = i < b.size() ? format_number(b[i]) : "+Inf";
          out += name + "_bucket" + with_label(labels, "le=\"" + le + "\"") + " " +
                 std::to_string(cumulative) + "\n";
        }
        out += name + "_sum" + labels + " " + format_number(s.h->sum()) + "\n";
        out += name + "_count" + labels + " " + std::to_string(cumulative) + "\n";
      } else if (s.g || s.fn) {
        double v = s.fn ? s.fn() : s.g->value();
        out += name + labels + " " + format_number(v) + "\n";
      }
    }
  }
  return out;
}

} // namespace shopsync
