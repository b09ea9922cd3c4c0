#include "io/webhook_field_reader.hpp"

#include "domain/iso8601.hpp"

#include <charconv>
#include <limits>

namespace shopsync {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

void add_tag(std::vector<std::string>& out, std::string_view s) {
  while (!s.empty() && is_ws(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back()))
    s.remove_suffix(1);
  if (!s.empty())
    out.emplace_back(s);
}

} // namespace

using json_type = webhook_field_reader::json_type;

webhook_field_reader::scope::scope(webhook_field_reader& rd, std::string_view field,
                                   std::optional<std::size_t> index)
    : r(rd), saved(rd.prefix_.size()) {
  r.prefix_.append(field);
  if (index) {
    r.prefix_ += '[';
    r.prefix_ += std::to_string(*index);
    r.prefix_ += ']';
  }
  r.prefix_ += '.';
}

bool webhook_field_reader::fail(error_kind kind, std::string_view field, std::string_view what) {
  std::string path = prefix_;
  path.append(field);
  if (field.empty() && !path.empty() && path.back() == '.')
    path.pop_back();
  if (path.empty())
    path = "(document)";
  err = error{kind, path + ": " + std::string(what)};
  return false;
}

bool webhook_field_reader::json_fail(std::string_view field, simdjson::error_code e) {
  return fail(error_kind::webhook_malformed, field, std::string("malformed JSON (") + simdjson::error_message(e) + ")");
}

bool webhook_field_reader::missing(std::string_view field) {
  return fail(error_kind::webhook_missing_field, field, "required field missing");
}

bool webhook_field_reader::wrong(std::string_view field, std::string_view expected) {
  return fail(error_kind::webhook_wrong_type, field, std::string("expected ") + std::string(expected));
}

bool webhook_field_reader::type(value& v, std::string_view field, json_type& t) {
  if (auto e = v.type().get(t))
    return json_fail(field, e);
  return true;
}

bool webhook_field_reader::id(value& v, std::string_view field, std::optional<std::uint64_t>& out) {
  json_type t{};
  if (!type(v, field, t))
    return false;
  switch (t) {
  case json_type::null:
    out.reset();
    return true;
  case json_type::number: {
    std::uint64_t x = 0;
    if (v.get_uint64().get(x) != simdjson::SUCCESS)
      return wrong(field, "a non-negative integer id below 2^64");
    out = x;
    return true;
  }
  case json_type::string: {
    std::string_view s;
    if (auto e = v.get_string().get(s))
      return json_fail(field, e);
    std::uint64_t x = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size())
      return wrong(field, "a non-negative integer id below 2^64");
    out = x;
    return true;
  }
  default:
    return wrong(field, "a non-negative integer id below 2^64");
  }
}

bool webhook_field_reader::required_id(value& v, std::string_view field, std::uint64_t& out) {
  std::optional<std::uint64_t> x;
  if (!id(v, field, x))
    return false;
  if (!x)
    return fail(error_kind::webhook_missing_field, field, "required id is null");
  out = *x;
  return true;
}

bool webhook_field_reader::str(value& v, std::string_view field, std::string& out) {
  json_type t{};
  if (!type(v, field, t))
    return false;
  if (t == json_type::null) {
    out.clear();
    return true;
  }
  if (t != json_type::string)
    return wrong(field, "a string");
  std::string_view s;
  if (auto e = v.get_string().get(s))
    return json_fail(field, e);
  out.assign(s);
  return true;
}

bool webhook_field_reader::time(value& v, std::string_view field, std::string& text,
                               std::optional<std::int64_t>& seconds) {
  json_type t{};
  if (!type(v, field, t))
    return false;
  text.clear();
  seconds.reset();
  std::string_view s;
  if (t != json_type::string || v.get_string().get(s))
    return true;
  text.assign(s);
  seconds = parse_iso8601_seconds(s);
  return true;
}

bool webhook_field_reader::money(value& v, std::string_view field, std::string& out) {
  json_type t{};
  if (!type(v, field, t))
    return false;
  if (t == json_type::number) {
    std::string_view raw = v.raw_json_token();
    while (!raw.empty() && is_ws(raw.back()))
      raw.remove_suffix(1);
    out.assign(raw);
    return true;
  }
  if (t != json_type::string && t != json_type::null)
    return wrong(field, "a decimal string");
  return str(v, field, out);
}

bool webhook_field_reader::integer(value& v, std::string_view field, std::optional<std::int64_t>& out) {
  json_type t{};
  if (!type(v, field, t))
    return false;
  if (t == json_type::null) {
    out.reset();
    return true;
  }
  std::int64_t x = 0;
  if (t != json_type::number || v.get_int64().get(x) != simdjson::SUCCESS ||
      x < std::numeric_limits<std::int32_t>::min() || x > std::numeric_limits<std::int32_t>::max())
    return wrong(field, "a 32-bit integer");
  out = x;
  return true;
}

bool webhook_field_reader::boolean(value& v, std::string_view field, bool& out) {
  json_type t{};
  if (!type(v, field, t))
    return false;
  if (t == json_type::null)
    return true; // keep the default
  if (t != json_type::boolean || v.get_bool().get(out) != simdjson::SUCCESS)
    return wrong(field, "true or false");
  return true;
}

bool webhook_field_reader::flag(value& v, std::string_view field, std::optional<bool>& out) {
  json_type t{};
  if (!type(v, field, t))
    return false;
  if (t == json_type::null) {
    out.reset();
    return true;
  }
  bool b = false;
  if (!boolean(v, field, b))
    return false;
  out = b;
  return true;
}

bool webhook_field_reader::tags(value& v, std::string_view field, std::vector<std::string>& out) {
  out.clear();
  json_type t{};
  if (!type(v, field, t))
    return false;
  if (t == json_type::null)
    return true;
  if (t == json_type::array) {
    std::size_t i = 0;
    return array(v, field, [&](value& item) {
      std::string s;
      if (!str(item, std::string(field) + "[" + std::to_string(i++) + "]", s))
        return false;
      add_tag(out, s);
      return true;
    });
  }
  std::string all;
  if (!str(v, field, all))
    return false;
  std::size_t start = 0;
  while (start <= all.size()) {
    auto comma = all.find(',', start);
    if (comma == std::string::npos)
      comma = all.size();
    add_tag(out, std::string_view(all).substr(start, comma - start));
    start = comma + 1;
  }
  return true;
}

} // namespace shopsync
