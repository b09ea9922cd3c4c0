#pragma once
// The supervisor builds the actor system from the configuration, owns every other actor,
// restarts a child that dies abnormally, and leads the orderly shutdown.
#include "actors/control.hpp"
#include "actors/interfaces.hpp"

namespace shopsync {

struct supervisor_state {
  daemon_facts facts;
  control_actor control;
  static inline const char* name = "supervisor";
};

supervisor_actor::behavior_type supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
                                           daemon_facts facts);

} // namespace shopsync
