#include "io/stall_point.hpp"

#include "io/env_point.hpp"

#include <chrono>
#include <thread>
#include <unistd.h>

namespace shopsync {

void stall_point(const char* name) noexcept {
  static env_point point("SHOPSYNC_STALL_POINT", "SHOPSYNC_STALL_AFTER");
  if (!point.reached(name))
    return;
  static const char msg[] = "stall_point: blocking this thread for good\n";
  (void)!::write(2, msg, sizeof msg - 1);
  for (;;)
    std::this_thread::sleep_for(std::chrono::hours(1));
}

} // namespace shopsync
