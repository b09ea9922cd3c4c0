#pragma once
// sd_notify(3) for Type=notify units; a no-op when not started by systemd.
#include <string_view>

namespace shopsync {

void notify_ready();
void notify_stopping();
void notify_status(std::string_view text);

} // namespace shopsync
