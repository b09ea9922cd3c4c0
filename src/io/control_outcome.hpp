#pragma once
// What shopsyncctl makes of a control request that did not succeed: one kind per cause (its
// JSON error's "kind") and the exit code every command shares:
//   0  done (and, for a check, it passed)
//   1  the daemon answered no: an unknown group, store, order or identity; a refused request;
//      a check that failed (`doctor`)
//   2  nothing was asked: a usage error, or the daemon could not be reached (not running,
//      access denied, no answer in time, an unreadable answer)
#include "domain/result.hpp"

#include <string>
#include <string_view>

namespace shopsync {

enum class control_error_kind {
  usage,         // the command line is wrong (shopsyncctl's own check)
  unreachable,   // no daemon on the socket, or the connection failed
  access_denied, // the socket's permissions or the daemon's allow list refused this user
  timeout,       // no answer in time
  bad_reply,     // the daemon's answer could not be read
  not_found,     // the group, store, order or identity named does not exist
  ambiguous,     // the name fits several things (an order name in two stores)
  refused,       // the daemon refused the request (bad arguments, starting, busy, unknown command)
  failed,        // the daemon tried and failed (storage, internal), or a check failed
};
const char* to_string(control_error_kind);

// The kind of an error of control_call: its own failures by their kind (control_client.hpp),
// the daemon's answers by their code (classify_control_reply_code).
control_error_kind classify_control_error(const error& e);

// The kind of a code the daemon answered with: the control protocol's strings ("not_found",
// "order.not_found", "order.ambiguous", "bad_request", "not_ready", "busy", "unknown_command",
// "access_denied"); any other is `failed`.
control_error_kind classify_control_reply_code(std::string_view code);

// 1 or 2, as above.
int exit_code_of(control_error_kind);

// {"error": {"kind": ..., "code": <the daemon's or the client's code>, "message": ...}}
std::string control_error_json(control_error_kind, std::string_view code, std::string_view message);

} // namespace shopsync
