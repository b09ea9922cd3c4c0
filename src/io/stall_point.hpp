#pragma once
// Named stall points for tests of the watchdog: compiled in always, inert unless the environment
// variable SHOPSYNC_STALL_POINT names the point; then the Nth time a thread gets there
// (N = SHOPSYNC_STALL_AFTER, default 1) it blocks for good, as a thread stuck in a system call or
// a lost lock would. Points: router_watchdog (the router's answer to the watchdog probe).
namespace shopsync {

void stall_point(const char* name) noexcept;

} // namespace shopsync
