#include "sim/faults.hpp"

#include "io/json_writer.hpp"
#include "sim/json_read.hpp"

namespace shopsync::sim {

namespace {
template <class T>
bool read_num(simdjson::dom::element obj, std::string_view key, T& out, std::string& err) {
  auto m = member(obj, key);
  if (!m)
    return false;
  auto d = as_double(m);
  if (!d) {
    err = std::string(key) + " must be a number";
    return false;
  }
  out = static_cast<T>(*d);
  return true;
}
// An optional array of names; false when the key holds something else.
bool read_names(simdjson::dom::element obj, const char* key, std::set<std::string>& out) {
  auto v = member(obj, key);
  if (!v)
    return true;
  simdjson::dom::array arr;
  if (v->get(arr) != simdjson::SUCCESS)
    return false;
  out.clear();
  for (auto e : arr)
    if (auto s = as_str(e))
      out.insert(std::string(*s));
  return true;
}
} // namespace

std::string apply_fault_json(fault_config& c, simdjson::dom::element obj) {
  if (!obj.is_object())
    return "faults must be a JSON object";
  std::string err;
  read_num(obj, "error_rate", c.error_rate, err);
  read_num(obj, "error_status", c.error_status, err);
  read_num(obj, "error_next", c.error_next, err);
  read_num(obj, "throttle_rate", c.throttle_rate, err);
  read_num(obj, "throttle_next", c.throttle_next, err);
  read_num(obj, "latency_ms", c.latency_ms, err);
  read_num(obj, "latency_jitter_ms", c.latency_jitter_ms, err);
  read_num(obj, "answer_delay_ms", c.answer_delay_ms, err);
  read_num(obj, "lost_rate", c.lost_rate, err);
  read_num(obj, "lost_next", c.lost_next, err);
  read_num(obj, "search_lag_ms", c.search_lag_ms, err);
  read_num(obj, "unreported_next", c.unreported_next, err);
  read_num(obj, "user_error_next", c.user_error_next, err);
  read_num(obj, "idempotency_window_s", c.idempotency_window_s, err);
  read_num(obj, "bulk_objects_per_second", c.bulk_objects_per_second, err);
  read_num(obj, "bulk_query_limit", c.bulk_query_limit, err);
  read_num(obj, "bulk_fail_next", c.bulk_fail_next, err);
  read_num(obj, "bulk_fail_at", c.bulk_fail_at, err);
  if (auto m = as_str(member(obj, "bulk_fail_code"))) {
    if (*m != "INTERNAL_SERVER_ERROR" && *m != "TIMEOUT" && *m != "ACCESS_DENIED")
      return "bulk_fail_code must be INTERNAL_SERVER_ERROR, TIMEOUT or ACCESS_DENIED";
    c.bulk_fail_code = std::string(*m);
  }
  if (c.bulk_fail_at < 0 || c.bulk_fail_at > 1)
    return "bulk_fail_at must be between 0 and 1";
  if (c.bulk_query_limit < 1)
    return "bulk_query_limit must be at least 1";
  if (auto m = as_str(member(obj, "user_error_code"))) {
    if (*m != "ADJUST_QUANTITIES_FAILED" && *m != "SERVICE_UNAVAILABLE" && *m != "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED")
      return "user_error_code must be ADJUST_QUANTITIES_FAILED, SERVICE_UNAVAILABLE or IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED";
    c.user_error_code = std::string(*m);
  }
  read_num(obj, "webhook_duplicate_rate", c.webhook_duplicate_rate, err);
  read_num(obj, "webhook_reorder_rate", c.webhook_reorder_rate, err);
  read_num(obj, "webhook_reorder_window_ms", c.webhook_reorder_window_ms, err);
  read_num(obj, "webhook_delay_ms", c.webhook_delay_ms, err);
  read_num(obj, "webhook_delay_jitter_ms", c.webhook_delay_jitter_ms, err);
  read_num(obj, "webhook_loss_rate", c.webhook_loss_rate, err);
  read_num(obj, "webhook_loss_next", c.webhook_loss_next, err);
  if (auto m = as_str(member(obj, "lost_mode"))) {
    if (*m != "hang" && *m != "drop")
      return "lost_mode must be hang or drop";
    c.lost_mode = std::string(*m);
  }
  if (!read_names(obj, "operations", c.operations))
    return "operations must be an array of operation names";
  if (!read_names(obj, "webhook_loss_topics", c.webhook_loss_topics))
    return "webhook_loss_topics must be an array of topics";
  if (auto m = as_str(member(obj, "negative_sets"))) {
    if (*m != "refuse" && *m != "apply")
      return "negative_sets must be refuse or apply";
    c.negative_sets = std::string(*m);
  }
  if (c.error_status < 400 || c.error_status > 599)
    return "error_status must be 4xx or 5xx";
  return err;
}

std::string fault_json(const fault_config& c) {
  json_writer w;
  w.begin_object()
      .field("error_rate", c.error_rate).field("error_status", c.error_status)
      .field("error_next", c.error_next).field("throttle_rate", c.throttle_rate)
      .field("throttle_next", c.throttle_next).field("latency_ms", c.latency_ms)
      .field("latency_jitter_ms", c.latency_jitter_ms).field("answer_delay_ms", c.answer_delay_ms)
      .field("lost_rate", c.lost_rate)
      .field("lost_next", c.lost_next).field("lost_mode", c.lost_mode)
      .field("search_lag_ms", c.search_lag_ms)
      .field("unreported_next", c.unreported_next)
      .field("user_error_next", c.user_error_next).field("user_error_code", c.user_error_code)
      .field("idempotency_window_s", c.idempotency_window_s)
      .field("negative_sets", c.negative_sets)
      .field("bulk_objects_per_second", c.bulk_objects_per_second)
      .field("bulk_query_limit", c.bulk_query_limit).field("bulk_fail_next", c.bulk_fail_next)
      .field("bulk_fail_code", c.bulk_fail_code).field("bulk_fail_at", c.bulk_fail_at);
  w.key("operations").begin_array();
  for (auto& o : c.operations)
    w.value(o);
  w.end_array();
  w.field("webhook_duplicate_rate", c.webhook_duplicate_rate)
      .field("webhook_reorder_rate", c.webhook_reorder_rate)
      .field("webhook_reorder_window_ms", c.webhook_reorder_window_ms)
      .field("webhook_delay_ms", c.webhook_delay_ms)
      .field("webhook_delay_jitter_ms", c.webhook_delay_jitter_ms)
      .field("webhook_loss_rate", c.webhook_loss_rate)
      .field("webhook_loss_next", c.webhook_loss_next);
  w.key("webhook_loss_topics").begin_array();
  for (auto& t : c.webhook_loss_topics)
    w.value(t);
  w.end_array().end_object();
  return std::move(w).str();
}

std::string admin_fault::describe() const {
  std::string s;
  auto add = [&](const std::string& x) { s += (s.empty() ? "" : ","); s += x; };
  if (latency_ms)
    add("latency:" + std::to_string(latency_ms) + "ms");
  if (answer_delay_ms)
    add("answer_delay:" + std::to_string(answer_delay_ms) + "ms");
  if (error_status)
    add("http_" + std::to_string(error_status));
  if (throttled)
    add("throttled");
  if (lost)
    add(drop ? "lost_drop" : "lost_hang");
  if (unreported)
    add("unreported");
  if (!user_error.empty())
    add("user_error:" + user_error);
  return s;
}

bool fault_injector::chance(double p) {
  if (p <= 0)
    return false;
  return std::uniform_real_distribution<double>(0, 1)(rng_) < p;
}

admin_fault fault_injector::draw_admin(const std::string& operation) {
  std::lock_guard lock(mu_);
  admin_fault f;
  f.idempotency_window_s = cfg_.idempotency_window_s; // a setting of the store, not a fault
  if (!cfg_.operations.empty() && !cfg_.operations.count(operation))
    return f;
  f.latency_ms = cfg_.latency_ms;
  if (cfg_.latency_jitter_ms > 0)
    f.latency_ms += std::uniform_int_distribution<int>(0, cfg_.latency_jitter_ms)(rng_);
  f.answer_delay_ms = cfg_.answer_delay_ms;
  if (cfg_.error_next > 0) {
    --cfg_.error_next;
    f.error_status = cfg_.error_status;
    return f;
  }
  if (chance(cfg_.error_rate)) {
    f.error_status = cfg_.error_status;
    return f;
  }
  if (cfg_.throttle_next > 0) {
    --cfg_.throttle_next;
    f.throttled = true;
    return f;
  }
  if (chance(cfg_.throttle_rate)) {
    f.throttled = true;
    return f;
  }
  // Only where the operation's 2026-10 enum has the code.
  const bool takes_code = operation == "InventoryAdjust" ||
                          (operation == "InventorySet" && cfg_.user_error_code == "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED");
  if (cfg_.user_error_next > 0 && takes_code) {
    --cfg_.user_error_next;
    f.user_error = cfg_.user_error_code;
    return f;
  }
  if (cfg_.lost_next > 0) {
    --cfg_.lost_next;
    f.lost = true;
  } else if (chance(cfg_.lost_rate)) {
    f.lost = true;
  }
  f.drop = f.lost && cfg_.lost_mode == "drop";
  if (cfg_.unreported_next > 0 && (operation == "InventorySet" || operation == "InventoryAdjust")) {
    --cfg_.unreported_next;
    f.unreported = true;
  }
  return f;
}

std::pair<std::string, double> fault_injector::draw_bulk_failure() {
  std::lock_guard lock(mu_);
  if (cfg_.bulk_fail_next <= 0)
    return {"", 0};
  --cfg_.bulk_fail_next;
  return {cfg_.bulk_fail_code, cfg_.bulk_fail_at};
}

webhook_fault fault_injector::draw_webhook(const std::string& topic) {
  std::lock_guard lock(mu_);
  webhook_fault f;
  if (!topic.empty() && cfg_.webhook_loss_topics.count(topic)) {
    f.lost = true; // drawn before the generator: the other faults' sequence is unchanged
    return f;
  }
  if (cfg_.webhook_loss_next > 0) {
    --cfg_.webhook_loss_next;
    f.lost = true;
    return f;
  }
  if (chance(cfg_.webhook_loss_rate)) {
    f.lost = true;
    return f;
  }
  auto delay = [&] {
    int d = cfg_.webhook_delay_ms;
    if (cfg_.webhook_delay_jitter_ms > 0)
      d += std::uniform_int_distribution<int>(0, cfg_.webhook_delay_jitter_ms)(rng_);
    if (chance(cfg_.webhook_reorder_rate))
      d += std::uniform_int_distribution<int>(0, std::max(1, cfg_.webhook_reorder_window_ms))(rng_);
    return d;
  };
  f.delay_ms = delay();
  if (chance(cfg_.webhook_duplicate_rate)) {
    f.duplicate = true;
    f.duplicate_delay_ms = delay();
  }
  return f;
}

fault_config fault_injector::config() {
  std::lock_guard lock(mu_);
  return cfg_;
}

std::string fault_injector::update(simdjson::dom::element obj) {
  std::lock_guard lock(mu_);
  fault_config next = cfg_;
  if (auto err = apply_fault_json(next, obj); !err.empty())
    return err;
  cfg_ = std::move(next);
  return {};
}

void fault_injector::reset() {
  std::lock_guard lock(mu_);
  cfg_ = initial_;
  rng_.seed(seed_);
}

} // namespace shopsync::sim
