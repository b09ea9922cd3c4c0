#pragma once
// Blocking client of the control socket, for shopsyncctl and tests.
#include "domain/result.hpp"

#include <chrono>
#include <string>

namespace shopsync {

// Sends {"cmd": cmd, "args": args_json} and returns the reply's result JSON, or an error:
// "not_running" (no daemon on that path), "access_denied", "timeout", or the daemon's own code.
result<std::string> control_call(const std::string& socket_path, const std::string& cmd,
                                 const std::string& args_json = "{}",
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Sends one raw line and returns the raw reply line (tests of the protocol itself).
result<std::string> control_roundtrip(const std::string& socket_path, const std::string& line,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

} // namespace shopsync
