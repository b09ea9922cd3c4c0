#include "actors/actor_config.hpp"

#include "actors/messages.hpp"

#include <caf/all.hpp>

namespace shopsync {

actor_config::actor_config(int scheduler_threads) {
  set("scheduler.max-threads", static_cast<size_t>(scheduler_threads < 1 ? 1 : scheduler_threads));
  // CAF 0.17 would otherwise read caf-application.ini from the working directory.
  config_file_path = "";
  set("logger.verbosity", caf::atom("quiet"));
}

} // namespace shopsync
