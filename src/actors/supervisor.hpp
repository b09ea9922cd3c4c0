#pragma once
// The supervisor builds the actor system from the configuration: a store link per store, the
// router (which owns the catalog, reconciler, item and order actors of every group) and the
// control actor. It restarts the router or the control actor when one dies abnormally, gives
// the control socket and the intake a stable handle, and leads the orderly shutdown.
#include "actors/control.hpp"
#include "actors/interfaces.hpp"
#include "actors/sync_context.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <map>
#include <memory>

namespace shopsync {

class token_source;

struct supervisor_env {
  daemon_facts facts;
  sync_context* ctx = nullptr;            // nullptr: control only (no sync)
  boost::asio::io_context* io = nullptr;  // the Admin API clients' threads
  std::function<std::uint64_t()> inbox_depth;
};

struct supervisor_state {
  supervisor_env env;
  control_actor control;
  router_actor router;
  // Each store's token source (also held by its link): a reload hands them new secrets.
  std::map<std::string, std::shared_ptr<token_source>> tokens;
  static inline const char* name = "supervisor";
};

supervisor_actor::behavior_type supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
                                           supervisor_env env);

} // namespace shopsync
