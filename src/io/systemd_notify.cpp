#include "io/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <string>

namespace shopsync {

void notify_ready() { sd_notify(0, "READY=1"); }
void notify_stopping() { sd_notify(0, "STOPPING=1"); }
void notify_status(std::string_view text) {
  std::string msg = "STATUS=";
  msg.append(text);
  sd_notify(0, msg.c_str());
}

} // namespace shopsync
