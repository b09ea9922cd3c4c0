#include "sim/plans.hpp"

namespace shopsync::sim {

std::optional<plan_bucket> bucket_of_plan(std::string_view plan) {
  if (plan == "standard")
    return plan_bucket{2000, 100};
  if (plan == "advanced")
    return plan_bucket{4000, 200};
  if (plan == "plus")
    return plan_bucket{20000, 1000};
  if (plan == "enterprise")
    return plan_bucket{40000, 2000};
  return std::nullopt;
}

} // namespace shopsync::sim
