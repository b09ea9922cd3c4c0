#pragma once
// Reading request JSON (GraphQL variables, control API bodies) with simdjson's DOM: the
// simulator looks things up by key in small documents, so random access beats streaming here.
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shopsync::sim {

using simdjson::dom::element;

// The member `key` of an object; nullopt when el is not an object or has no such key.
inline std::optional<element> member(element el, std::string_view key) {
  simdjson::dom::object obj;
  if (el.get(obj) != simdjson::SUCCESS)
    return std::nullopt;
  element out;
  if (obj[key].get(out) != simdjson::SUCCESS)
    return std::nullopt;
  return out;
}

inline std::optional<std::int64_t> as_int(std::optional<element> el) {
  if (!el)
    return std::nullopt;
  std::int64_t v;
  if (el->get(v) == simdjson::SUCCESS)
    return v;
  double d;
  if (el->get(d) == simdjson::SUCCESS && d == static_cast<double>(static_cast<std::int64_t>(d)))
    return static_cast<std::int64_t>(d);
  std::string_view s; // control API callers may send ids as strings
  if (el->get(s) == simdjson::SUCCESS) {
    try {
      std::size_t pos = 0;
      long long n = std::stoll(std::string(s), &pos);
      if (pos == s.size())
        return n;
    } catch (...) {
    }
  }
  return std::nullopt;
}

inline std::optional<std::string_view> as_str(std::optional<element> el) {
  std::string_view s;
  if (el && el->get(s) == simdjson::SUCCESS)
    return s;
  return std::nullopt;
}

inline std::optional<double> as_double(std::optional<element> el) {
  double d;
  if (el && el->get(d) == simdjson::SUCCESS)
    return d;
  std::int64_t i;
  if (el && el->get(i) == simdjson::SUCCESS)
    return static_cast<double>(i);
  return std::nullopt;
}

inline std::optional<bool> as_bool(std::optional<element> el) {
  bool b;
  if (el && el->get(b) == simdjson::SUCCESS)
    return b;
  return std::nullopt;
}

inline bool is_null(std::optional<element> el) { return el && el->is_null(); }

inline std::string to_json(element el) { return simdjson::minify(el); }

// The number at the end of "gid://shopify/<type>/<n>" (a query string after it is ignored);
// also accepts a bare number, as the control API does.
std::optional<std::int64_t> gid_number(std::string_view gid, std::string_view type);
// gid://shopify/InventoryLevel/<level>?inventory_item_id=<item> → {level, item}. <level> is the
// level's own number (store::level_id), never the location's.
std::optional<std::pair<std::int64_t, std::int64_t>> level_gid(std::string_view gid);
std::string gid(std::string_view type, std::int64_t id);
std::string level_gid(std::int64_t level, std::int64_t item);

std::string base64_encode(std::string_view in);
std::string base64_decode(std::string_view in);

} // namespace shopsync::sim
