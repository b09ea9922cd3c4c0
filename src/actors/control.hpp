#pragma once
// The control actor: answers shopsyncctl's commands from what the daemon knows.
#include "actors/interfaces.hpp"

#include <chrono>
#include <string>

namespace shopsync {

struct daemon_facts {
  std::string version;
  std::chrono::system_clock::time_point started;
  config cfg;
};

struct control_state {
  daemon_facts facts;
  static inline const char* name = "control";
};

control_actor::behavior_type control(control_actor::stateful_pointer<control_state> self, daemon_facts facts);

// The JSON result of `status` (exposed for tests).
std::string status_json(const daemon_facts& facts, std::chrono::system_clock::time_point now);

} // namespace shopsync
