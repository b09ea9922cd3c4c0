#include "io/control_protocol.hpp"

#include "io/json_writer.hpp"

#include <simdjson.h>

namespace shopsync {

namespace {

error bad_request(std::string message) { return error{error_kind::bad_request, std::move(message)}; }

// simdjson On-Demand needs SIMDJSON_PADDING readable bytes after the input.
simdjson::padded_string padded(std::string_view s) { return simdjson::padded_string(s.data(), s.size()); }

// The JSON text of any value (simdjson 3.0.1 has raw_json() only on objects and arrays).
simdjson::simdjson_result<std::string_view> raw_value(simdjson::ondemand::value v) {
  simdjson::ondemand::json_type t;
  if (auto e = v.type().get(t))
    return e;
  if (t == simdjson::ondemand::json_type::object) {
    simdjson::ondemand::object o;
    if (auto e = v.get_object().get(o))
      return e;
    return o.raw_json();
  }
  if (t == simdjson::ondemand::json_type::array) {
    simdjson::ondemand::array a;
    if (auto e = v.get_array().get(a))
      return e;
    return a.raw_json();
  }
  return v.raw_json_token();
}

} // namespace

result<control_request> parse_control_request(std::string_view line) {
  if (line.size() > control_max_line)
    return bad_request("request line longer than " + std::to_string(control_max_line) + " bytes");
  // The DOM parser validates the whole line (trailing garbage included); requests are small.
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(line.data(), line.size()).get(doc))
    return bad_request("request is not valid JSON");
  simdjson::dom::object obj;
  if (doc.get_object().get(obj))
    return bad_request("request must be a JSON object");
  control_request req;
  std::string_view cmd;
  if (auto e = obj["cmd"].get_string().get(cmd); e || cmd.empty())
    return bad_request(e == simdjson::INCORRECT_TYPE ? "\"cmd\" must be a string" : "request needs a \"cmd\"");
  req.cmd = std::string(cmd);
  simdjson::dom::element args;
  if (!obj["args"].get(args)) {
    if (!args.is_object())
      return bad_request("\"args\" must be an object");
    req.args_json = simdjson::minify(args);
  }
  return req;
}

std::string control_ok(std::string_view result_json) {
  json_writer w;
  w.begin_object().field("ok", true).key("result").raw(result_json).end_object();
  auto out = std::move(w).str();
  out.push_back('\n');
  return out;
}

std::string control_error(std::string_view code, std::string_view message) {
  json_writer w;
  w.begin_object().field("ok", false).key("error").begin_object();
  w.field("code", code).field("message", message).end_object().end_object();
  auto out = std::move(w).str();
  out.push_back('\n');
  return out;
}

result<std::string> parse_control_reply(std::string_view line) {
  simdjson::ondemand::parser parser;
  auto buf = padded(line);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  if (parser.iterate(buf).get(doc) || doc.get_object().get(obj))
    return error{error_kind::control_bad_reply, "the daemon's reply is not a JSON object"};
  bool ok = false;
  std::string result_json, code = "error", message = "unknown error";
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key))
      return error{error_kind::control_bad_reply, "the daemon's reply is not valid JSON"};
    if (key == "ok") {
      if (field.value().get_bool().get(ok))
        return error{error_kind::control_bad_reply, "\"ok\" is not a boolean"};
    } else if (key == "result") {
      std::string_view raw;
      if (raw_value(field.value()).get(raw))
        return error{error_kind::control_bad_reply, "\"result\" is not valid JSON"};
      result_json = std::string(raw);
    } else if (key == "error") {
      simdjson::ondemand::object e;
      if (field.value().get_object().get(e))
        return error{error_kind::control_bad_reply, "\"error\" is not an object"};
      for (auto ef : e) {
        std::string_view k, v;
        if (ef.unescaped_key().get(k) || ef.value().get_string().get(v))
          continue;
        if (k == "code") code = std::string(v);
        if (k == "message") message = std::string(v);
      }
    } else if (raw_value(field.value()).error()) {
      return error{error_kind::control_bad_reply, "the daemon's reply is not valid JSON"};
    }
  }
  if (!ok)
    return error{code, message};
  return result_json;
}

} // namespace shopsync
