#include "sim/answer_parts.hpp"

#include "io/json_writer.hpp"
#include "sim/json_read.hpp"

namespace shopsync::sim {

std::string errors_json(std::string_view message, std::string_view code) {
  json_writer w;
  w.begin_array().begin_object().field("message", message);
  w.key("extensions").begin_object().field("code", code).end_object();
  w.end_object().end_array();
  return std::move(w).str();
}

http_answer json_answer(int status, std::string body) {
  http_answer a;
  a.status = status;
  a.body = std::move(body);
  return a;
}

std::string cursor_for(i64 id) {
  return base64_encode("{\"last_id\":" + std::to_string(id) + ",\"last_value\":\"" + std::to_string(id) + "\"}");
}

std::optional<i64> cursor_id(std::string_view cursor) {
  auto raw = base64_decode(cursor);
  auto p = raw.find("\"last_id\":");
  if (p == std::string::npos)
    return std::nullopt;
  try {
    return std::stoll(raw.substr(p + 10));
  } catch (...) {
    return std::nullopt;
  }
}

std::string url_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%' && i + 2 < in.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

} // namespace shopsync::sim
