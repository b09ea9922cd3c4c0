#include "domain/product_filter.hpp"

#include <algorithm>

namespace shopsync {

namespace {

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos)
    return {};
  auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

char fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_name(std::string_view a, std::string_view b) {
  a = trim(a);
  b = trim(b);
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (fold(a[i]) != fold(b[i]))
      return false;
  return true;
}

bool any_of(const std::vector<std::string>& names, std::string_view value) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return same_name(n, value); });
}

bool any_tag(const std::vector<std::string>& wanted, const std::vector<std::string>& tags) {
  return std::any_of(tags.begin(), tags.end(), [&](const std::string& t) { return any_of(wanted, t); });
}

} // namespace

bool product_filter::empty() const {
  return include_tags.empty() && exclude_tags.empty() && include_vendors.empty() && exclude_vendors.empty() &&
         include_product_types.empty() && exclude_product_types.empty();
}

bool included(const product_filter& f, const product_facts& p) {
  if (!f.include_tags.empty() && !any_tag(f.include_tags, p.tags))
    return false;
  if (!f.include_vendors.empty() && !any_of(f.include_vendors, p.vendor))
    return false;
  if (!f.include_product_types.empty() && !any_of(f.include_product_types, p.product_type))
    return false;
  return !any_tag(f.exclude_tags, p.tags) && !any_of(f.exclude_vendors, p.vendor) &&
         !any_of(f.exclude_product_types, p.product_type);
}

std::vector<std::string> split_tags(std::string_view s) {
  std::vector<std::string> out;
  while (true) {
    auto comma = s.find(',');
    auto t = trim(s.substr(0, comma));
    if (!t.empty())
      out.emplace_back(t);
    if (comma == std::string_view::npos)
      break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

bool has_tag(const std::vector<std::string>& tags, std::string_view tag) {
  return std::any_of(tags.begin(), tags.end(), [&](const std::string& t) { return same_name(t, tag); });
}

std::optional<std::string> filter_name_problem(std::string_view name, bool is_tag) {
  if (trim(name).empty())
    return std::string("must not be empty");
  if (is_tag && name.find(',') != std::string_view::npos)
    return std::string("a tag cannot contain a comma (Shopify splits tags at commas)");
  return std::nullopt;
}

} // namespace shopsync
