#pragma once
// The control actor: answers shopsyncctl's commands from what the daemon knows, asking the
// router, the store links and the state store.
#include "actors/interfaces.hpp"
#include "actors/sync_context.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace shopsync {

struct daemon_facts {
  std::string version;
  std::chrono::system_clock::time_point started;
  config cfg;
};

struct control_env {
  daemon_facts facts;
  const sync_context* ctx = nullptr; // nullptr: nothing but ping and status
  router_actor router;
  std::function<std::uint64_t()> inbox_depth;
};

struct control_state {
  control_env env;
  static inline const char* name = "control";
};

control_actor::behavior_type control(control_actor::stateful_pointer<control_state> self, control_env env);

// The JSON result of `status` (exposed for tests).
std::string status_json(const daemon_facts& facts, std::chrono::system_clock::time_point now,
                        std::uint64_t inbox_depth, const sync_context* ctx = nullptr);

} // namespace shopsync
