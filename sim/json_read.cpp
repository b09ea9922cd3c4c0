#include "sim/json_read.hpp"

#include <openssl/evp.h>

#include <charconv>

namespace shopsync::sim {

namespace {
std::optional<std::int64_t> parse_i64(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty())
    return std::nullopt;
  return v;
}
} // namespace

std::optional<std::int64_t> gid_number(std::string_view g, std::string_view type) {
  if (auto bare = parse_i64(g))
    return bare;
  std::string prefix = "gid://shopify/" + std::string(type) + "/";
  if (g.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  g.remove_prefix(prefix.size());
  if (auto q = g.find('?'); q != std::string_view::npos)
    g = g.substr(0, q);
  return parse_i64(g);
}

std::optional<std::pair<std::int64_t, std::int64_t>> level_gid(std::string_view g) {
  constexpr std::string_view prefix = "gid://shopify/InventoryLevel/";
  constexpr std::string_view param = "?inventory_item_id=";
  if (g.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  g.remove_prefix(prefix.size());
  auto q = g.find(param);
  if (q == std::string_view::npos)
    return std::nullopt;
  auto level = parse_i64(g.substr(0, q));
  auto item = parse_i64(g.substr(q + param.size()));
  if (!level || !item)
    return std::nullopt;
  return std::make_pair(*level, *item);
}

std::string gid(std::string_view type, std::int64_t id) {
  std::string s = "gid://shopify/";
  s += type;
  s += '/';
  s += std::to_string(id);
  return s;
}

std::string level_gid(std::int64_t level, std::int64_t item) {
  return "gid://shopify/InventoryLevel/" + std::to_string(level) +
         "?inventory_item_id=" + std::to_string(item);
}

std::string base64_encode(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64_decode(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0)
    return {};
  std::string out(3 * in.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0)
    return {};
  std::size_t pad = 0;
  if (in.back() == '=')
    ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=')
    ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

} // namespace shopsync::sim
