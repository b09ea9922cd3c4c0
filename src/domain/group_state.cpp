#include "domain/group_state.hpp"

namespace shopsync {

const char* to_string(group_state s) {
  switch (s) {
    case group_state::syncing: return "syncing";
    case group_state::paused: return "paused";
    case group_state::planned: return "planned";
    case group_state::tripped: return "tripped";
  }
  return "syncing";
}

// In the order an operator acts on them: a tripped breaker first (something looked like a
// disaster), then a plan to approve, then a pause the merchant chose.
group_state state_of(const group_facts& f) {
  if (f.tripped)
    return group_state::tripped;
  if (f.planned)
    return group_state::planned;
  if (f.paused)
    return group_state::paused;
  return group_state::syncing;
}

} // namespace shopsync
