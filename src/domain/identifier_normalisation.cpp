#include "domain/identifier_normalisation.hpp"

namespace shopsync {

namespace {

constexpr const char* k_space = " \t\r\n\f\v";

std::string_view trim(std::string_view s) {
  auto b = s.find_first_not_of(k_space);
  if (b == std::string_view::npos)
    return {};
  auto e = s.find_last_not_of(k_space);
  return s.substr(b, e - b + 1);
}

char fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string folded(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = fold(c);
  return out;
}

} // namespace

std::optional<std::string> normalise_identifier(const identifier_normalisation& n, std::string_view raw) {
  std::string s(trim(raw));
  if (n.case_fold)
    s = folded(s);
  if (!n.strip_prefix.empty()) {
    const std::string prefix = n.case_fold ? folded(n.strip_prefix) : n.strip_prefix;
    if (s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0)
      s = std::string(trim(std::string_view(s).substr(prefix.size())));
  }
  if (s.empty())
    return std::nullopt;
  return s;
}

std::optional<std::string> strip_prefix_problem(std::string_view prefix) {
  if (prefix.empty())
    return std::nullopt;
  if (trim(prefix).size() != prefix.size())
    return std::string("must not begin or end with whitespace (identifiers are trimmed first)");
  return std::nullopt;
}

} // namespace shopsync
