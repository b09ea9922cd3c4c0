#include "domain/group_state.hpp"

namespace shopsync {

const char* to_string(group_state s) {
  switch (s) {
    case group_state::syncing: return "syncing";
    case group_state::paused: return "paused";
  }
  return "syncing";
}

group_state state_of(const group_facts& f) {
  if (f.paused)
    return group_state::paused;
  return group_state::syncing;
}

} // namespace shopsync
