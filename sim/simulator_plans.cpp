// POST /_sim/bucket: a store's plan (its cost bucket), changed at run time.
#include "sim/answer_parts.hpp"
#include "sim/plans.hpp"
#include "sim/simulator.hpp"

#include "io/json_writer.hpp"
#include "sim/json_read.hpp"

namespace shopsync::sim {

// {"store", "plan": "standard" | "advanced" | "plus" | "enterprise"} or {"store", "max", "restore"}:
// a new, full bucket, as after a plan change.
http_answer simulator::control_bucket(store& s, element body) {
  double max = s.bucket.maximum(), restore = s.bucket.restore_rate();
  std::string plan;
  if (auto p = as_str(member(body, "plan"))) {
    auto b = bucket_of_plan(*p);
    if (!b)
      return json_answer(400, R"({"error":"plan must be standard, advanced, plus or enterprise"})");
    plan = std::string(*p);
    max = b->maximum;
    restore = b->restore_rate;
  }
  if (auto m = as_double(member(body, "max")))
    max = *m, plan.clear();
  if (auto r = as_double(member(body, "restore")))
    restore = *r, plan.clear();
  if (max <= 0 || restore <= 0)
    return json_answer(400, R"({"error":"max and restore must be above 0"})");
  s.bucket.reset(max, restore);
  s.plan = plan;
  json_writer w;
  w.begin_object().field("maximum", max).field("restore_rate", restore).key("plan");
  plan.empty() ? w.null() : w.value(plan);
  w.end_object();
  return json_answer(200, std::move(w).str());
}

} // namespace shopsync::sim
