#include "domain/gid.hpp"

#include <charconv>

namespace shopsync {

namespace {
constexpr std::string_view gid_prefix = "gid://shopify/";
}

std::string make_gid(std::string_view type, shopify_id id) {
  std::string out;
  out.reserve(gid_prefix.size() + type.size() + 21);
  out.append(gid_prefix).append(type).push_back('/');
  out.append(std::to_string(id));
  return out;
}

std::optional<shopify_id> parse_gid(std::string_view gid, std::string_view type) {
  if (gid.substr(0, gid_prefix.size()) != gid_prefix)
    return std::nullopt;
  gid.remove_prefix(gid_prefix.size());
  if (gid.substr(0, type.size()) != type || gid.size() <= type.size() || gid[type.size()] != '/')
    return std::nullopt;
  gid.remove_prefix(type.size() + 1);
  auto end = gid.find('?');
  auto digits = gid.substr(0, end);
  shopify_id id = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc{} || ptr != digits.data() + digits.size() || digits.empty())
    return std::nullopt;
  return id;
}

} // namespace shopsync
