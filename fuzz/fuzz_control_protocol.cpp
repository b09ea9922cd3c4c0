// Fuzz target: the control socket's line protocol (both directions).
// Input: one line as it arrives on the socket (the server strips the newline).
// Properties checked beyond "no crash":
//  - a request that parses has a non-empty cmd and args_json that is itself a JSON object;
//  - the server's reply encoders round-trip through the client's decoder:
//    parse_control_reply(control_ok(args)) == args, and
//    parse_control_reply(control_error(cmd, cmd)) is that error, byte for byte.
#include "io/control_protocol.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "property violated: %s: [%.*s]\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

std::string_view strip_newline(const std::string& s) {
  std::string_view v(s);
  if (v.empty() || v.back() != '\n') fail("reply line does not end in a newline", v);
  v.remove_suffix(1);
  return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);

  auto req = shopsync::parse_control_request(line);
  if (req) {
    if (req->cmd.empty()) fail("accepted request without cmd", line);
    if (req->args_json.empty() || req->args_json.front() != '{' || req->args_json.back() != '}')
      fail("args_json is not an object", req->args_json);

    auto ok_line = shopsync::control_ok(req->args_json);
    auto back = shopsync::parse_control_reply(strip_newline(ok_line));
    if (!back) fail("control_ok reply not understood", ok_line);
    if (*back != req->args_json) fail("control_ok result changed", *back);

    auto err_line = shopsync::control_error(req->cmd, req->cmd);
    auto err = shopsync::parse_control_reply(strip_newline(err_line));
    if (err) fail("control_error reply read as success", err_line);
    if (err.error().code != req->cmd || err.error().message != req->cmd)
      fail("control_error code/message changed", err_line);
  } else if (req.error().code != "bad_request") {
    fail("unexpected request error code", req.error().code);
  }

  // The same bytes as a reply from the daemon (the client trusts nothing either).
  (void)shopsync::parse_control_reply(line);
  return 0;
}
