#include "io/json_grammar_scan.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <string_view>

namespace shopsync {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

bool valid_scalar(std::string_view t) {
  if (t == "true" || t == "false" || t == "null")
    return true;
  std::size_t i = 0, n = t.size();
  auto digits = [&] {
    std::size_t s = i;
    while (i < n && t[i] >= '0' && t[i] <= '9')
      ++i;
    return i > s;
  };
  if (i < n && t[i] == '-')
    ++i;
  if (i < n && t[i] == '0')
    ++i;
  else if (!digits())
    return false;
  if (i < n && t[i] == '.') {
    ++i;
    if (!digits())
      return false;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-'))
      ++i;
    if (!digits())
      return false;
  }
  return i == n;
}

} // namespace

status scan_json_object(const char* p, std::size_t n, std::size_t max_depth) {
  auto bad = [](std::string what) { return error{error_kind::webhook_malformed, "malformed JSON: " + what}; };
  enum class want { value, value_or_close, key, key_or_close, colon, comma_or_close, nothing };
  std::array<char, 256> stack{};
  if (max_depth > stack.size())
    max_depth = stack.size();
  std::size_t depth = 0;
  want w = want::value;
  std::size_t i = 0;
  // p[i] == '"'; leaves i after the closing quote. Escapes are checked here too, since
  // On-Demand never looks inside strings it skips (control characters it refuses anywhere).
  const char* string_error = nullptr;
  auto skip_string = [&]() -> bool {
    auto hex = [](char h) {
      return (h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F');
    };
    std::size_t j = i + 1;
    while (j < n) {
      auto c = static_cast<unsigned char>(p[j]);
      if (c == '"') {
        i = j + 1;
        return true;
      }
      if (c == '\\') {
        if (j + 1 >= n)
          break;
        char e = p[j + 1];
        if (e == 'u') {
          if (j + 5 >= n || !hex(p[j + 2]) || !hex(p[j + 3]) || !hex(p[j + 4]) || !hex(p[j + 5])) {
            string_error = "invalid \\u escape";
            return false;
          }
          j += 6;
          continue;
        }
        if (!std::strchr("\"\\/bfnrt", e) || e == 0) {
          string_error = "invalid escape in a string";
          return false;
        }
        j += 2;
        continue;
      }
      ++j;
    }
    string_error = "unterminated string (truncated JSON)";
    return false;
  };
  auto close = [&](char c) -> bool {
    if (depth == 0 || stack[depth - 1] != (c == '}' ? '{' : '['))
      return false;
    --depth;
    w = depth == 0 ? want::nothing : want::comma_or_close;
    ++i;
    return true;
  };
  while (i < n) {
    char c = p[i];
    if (is_ws(c)) {
      ++i;
      continue;
    }
    switch (w) {
    case want::nothing:
      return bad("content after the top-level object");
    case want::value:
    case want::value_or_close:
      if (c == ']' && w == want::value_or_close) {
        close(c);
        continue;
      }
      if (depth == 0 && c != '{')
        return bad("the top level is not an object");
      if (c == '{' || c == '[') {
        if (depth >= max_depth)
          return bad("nesting deeper than " + std::to_string(max_depth) + " levels");
        stack[depth++] = c;
        w = c == '{' ? want::key_or_close : want::value_or_close;
        ++i;
        continue;
      }
      if (c == '"') {
        if (!skip_string())
          return bad(string_error);
        w = want::comma_or_close;
        continue;
      }
      {
        std::size_t s = i;
        while (i < n && ((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'z') || p[i] == '-' ||
                         p[i] == '+' || p[i] == '.' || p[i] == 'E'))
          ++i;
        if (i == s)
          return bad(std::string("unexpected character '") + c + "'");
        if (!valid_scalar(std::string_view(p + s, i - s)))
          return bad("invalid literal '" + std::string(p + s, std::min<std::size_t>(i - s, 20)) + "'");
        w = want::comma_or_close;
      }
      continue;
    case want::key:
    case want::key_or_close:
      if (c == '}' && w == want::key_or_close) {
        close(c);
        continue;
      }
      if (c != '"')
        return bad("expected a key");
      if (!skip_string())
        return bad(string_error);
      w = want::colon;
      continue;
    case want::colon:
      if (c != ':')
        return bad("expected ':'");
      w = want::value;
      ++i;
      continue;
    case want::comma_or_close:
      if (c == ',') {
        w = stack[depth - 1] == '{' ? want::key : want::value;
        ++i;
        continue;
      }
      if ((c == '}' || c == ']') && close(c))
        continue;
      return bad("expected ',' or a closing bracket");
    }
  }
  if (w != want::nothing)
    return bad(n == 0 ? "empty body" : "truncated JSON");
  return ok_status();
}

} // namespace shopsync
