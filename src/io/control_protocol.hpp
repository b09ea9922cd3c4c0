#pragma once
// The control socket's wire protocol: one JSON object per line each way.
//   request: {"cmd": "status", "args": {...}}          (args optional)
//   reply:   {"ok": true, "result": {...}}  or  {"ok": false, "error": {"code": "...", "message": "..."}}
#include "domain/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace shopsync {

inline constexpr std::size_t control_max_line = 64 * 1024;

struct control_request {
  std::string cmd;
  std::string args_json = "{}"; // the raw args object, parsed by the command that uses it
};

// Parses one request line (without its newline). Malformed JSON, a missing or non-string
// "cmd", or non-object "args" are errors with code "bad_request".
result<control_request> parse_control_request(std::string_view line);

// Reply lines, each ending in '\n'. result_json must be a JSON value.
std::string control_ok(std::string_view result_json);
std::string control_error(std::string_view code, std::string_view message);

// Client side: splits a reply line into the result JSON or the error it carries.
result<std::string> parse_control_reply(std::string_view line);

} // namespace shopsync
