#pragma once
// The control actor: answers shopsyncctl's commands from what the daemon knows, asking the
// router, the store links and the state store.
#include "actors/interfaces.hpp"
#include "actors/sync_context.hpp"
#include "domain/group_state.hpp"

#include <chrono>
#include <functional>
#include <map>
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

// What `status` shows beyond the configuration, asked of the router and the store links.
struct status_live {
  std::map<std::string, group_facts> groups;  // by group name; absent: nothing known against it
  std::map<std::string, bool> unauthorized;   // by store name; absent: unknown (shown as null)
};

// The JSON result of `status` (exposed for tests): stores [{store, shop_domain, role,
// api_version, unauthorized}], groups [{group, state (domain/group_state.hpp), strategy,
// match_by, source, destinations}].
std::string status_json(const daemon_facts& facts, std::chrono::system_clock::time_point now,
                        std::uint64_t inbox_depth, const status_live& live = {},
                        const sync_context* ctx = nullptr);

} // namespace shopsync
