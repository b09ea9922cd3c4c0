#include "sim/uri_check.hpp"

namespace shopsync::sim {

namespace {
bool alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool hexdig(char c) { return digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }
bool unreserved(char c) { return alpha(c) || digit(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
bool sub_delim(char c) {
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';': case '=':
      return true;
    default:
      return false;
  }
}
} // namespace

bool is_rfc3986_uri(std::string_view s) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || !alpha(s[0]))
    return false;
  for (std::size_t i = 1; i < colon; ++i)
    if (!alpha(s[i]) && !digit(s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.')
      return false;
  bool fragment = false;
  for (std::size_t i = colon + 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !hexdig(s[i + 1]) || !hexdig(s[i + 2]))
        return false;
      i += 2;
    } else if (c == '#') {
      if (fragment)
        return false;
      fragment = true;
    } else if (!unreserved(c) && !sub_delim(c) && c != ':' && c != '@' && c != '/' && c != '?') {
      return false;
    }
  }
  return true;
}

} // namespace shopsync::sim
