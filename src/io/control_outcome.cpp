#include "io/control_outcome.hpp"

#include "io/json_writer.hpp"

namespace shopsync {

const char* to_string(control_error_kind k) {
  switch (k) {
    case control_error_kind::usage: return "usage";
    case control_error_kind::unreachable: return "unreachable";
    case control_error_kind::access_denied: return "access_denied";
    case control_error_kind::timeout: return "timeout";
    case control_error_kind::bad_reply: return "bad_reply";
    case control_error_kind::not_found: return "not_found";
    case control_error_kind::ambiguous: return "ambiguous";
    case control_error_kind::refused: return "refused";
    case control_error_kind::failed: return "failed";
  }
  return "failed";
}

control_error_kind classify_control_error(const error& e) {
  // The client's own (control_client.hpp), by kind.
  switch (e.kind) {
    case error_kind::control_not_running:
    case error_kind::control_io:
    case error_kind::control_bad_path:
      return control_error_kind::unreachable;
    case error_kind::control_access_denied:
      return control_error_kind::access_denied;
    case error_kind::control_timeout:
      return control_error_kind::timeout;
    case error_kind::control_bad_reply:
      return control_error_kind::bad_reply;
    default:
      return classify_control_reply_code(e.code);
  }
}

control_error_kind classify_control_reply_code(std::string_view code) {
  auto ends_with = [code](std::string_view tail) {
    return code == tail || (code.size() > tail.size() && code.substr(code.size() - tail.size() - 1) ==
                                                             std::string(".") + std::string(tail));
  };
  if (code == "access_denied") // the daemon's allow list
    return control_error_kind::access_denied;
  // "not_found", "order.not_found", ...
  if (ends_with("not_found"))
    return control_error_kind::not_found;
  if (ends_with("ambiguous"))
    return control_error_kind::ambiguous;
  if (code == "bad_request" || code == "not_ready" || code == "busy" || code == "unknown_command")
    return control_error_kind::refused;
  return control_error_kind::failed;
}

int exit_code_of(control_error_kind k) {
  switch (k) {
    case control_error_kind::usage:
    case control_error_kind::unreachable:
    case control_error_kind::access_denied:
    case control_error_kind::timeout:
    case control_error_kind::bad_reply:
      return 2;
    case control_error_kind::not_found:
    case control_error_kind::ambiguous:
    case control_error_kind::refused:
    case control_error_kind::failed:
      return 1;
  }
  return 1;
}

std::string control_error_json(control_error_kind kind, std::string_view code, std::string_view message) {
  json_writer w;
  w.begin_object().key("error").begin_object().field("kind", to_string(kind));
  w.field("code", code).field("message", message).end_object().end_object();
  return std::move(w).str();
}

} // namespace shopsync
