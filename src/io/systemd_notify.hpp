#pragma once
// sd_notify(3) for Type=notify units; a no-op when not started by systemd.
#include <chrono>
#include <string_view>

namespace shopsync {

void notify_ready();
void notify_stopping();
void notify_status(std::string_view text);
// SIGHUP: RELOADING=1 before the configuration is read again, notify_ready() after.
void notify_reloading();
// WATCHDOG=1: send only after the actor system answered a probe (see shopsyncd's main loop).
void notify_watchdog();
// The unit's WatchdogSec= (sd_watchdog_enabled: $WATCHDOG_USEC for this process); 0 when off.
std::chrono::microseconds watchdog_interval();

} // namespace shopsync
