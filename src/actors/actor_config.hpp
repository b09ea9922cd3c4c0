#pragma once
// The CAF system configuration shopsyncd runs with: an explicit number of scheduler threads
// and no lookup of caf-application.ini in the working directory.
#include <caf/actor_system_config.hpp>

namespace shopsync {

class actor_config : public caf::actor_system_config {
public:
  explicit actor_config(int scheduler_threads);
};

} // namespace shopsync
