#pragma once
// The one word `shopsyncctl status` shows for a sync group ("state"), computed here and only
// here from what the daemon knows of the group, so every reply that shows it agrees.
// Pure: no I/O, no clock.
//
// To add a state (a plan waiting for approval, a tripped breaker): add a fact to
// group_facts, a value to group_state (and to_string), and its rule to state_of, in the order
// an operator must act on it.
namespace shopsync {

enum class group_state {
  syncing, // writes flow
  paused,  // `shopsyncctl pause`: outgoing writes held, inputs kept
  planned, // a plan waits for `shopsyncctl approve` (a new or changed group): writes held
  tripped, // the mass-change breaker tripped: writes held until approve or discard
};
const char* to_string(group_state);

struct group_facts {
  bool paused = false;
  bool planned = false;
  bool tripped = false;
};

group_state state_of(const group_facts&);

} // namespace shopsync
