#pragma once
// Reads the values of a webhook payload with simdjson On-Demand, remembering where it is so
// that an error names the field ("line_items[0].quantity: expected a 32-bit integer").
//
// Each reading function returns false on an error and leaves it in `err` (code
// "webhook.malformed", "webhook.missing_field" or "webhook.wrong_type", see webhook_parser.hpp);
// the caller stops at the first false. The types Shopify may send as null read null as
// absent (an optional reset, a string cleared, an array empty). Used by the topic parsers of
// webhook_parser.cpp and webhook_order_parser.cpp; not thread-safe (one per parse).
#include "domain/result.hpp"

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

class webhook_field_reader {
public:
  using value = simdjson::ondemand::value;
  using object_type = simdjson::ondemand::object;
  using json_type = simdjson::ondemand::json_type;

  std::optional<error> err;

  // Path prefix of the object being read ("line_items[0]."), restored by scope.
  struct scope {
    webhook_field_reader& r;
    std::size_t saved;
    scope(webhook_field_reader& rd, std::string_view field, std::optional<std::size_t> index = std::nullopt);
    ~scope() { r.prefix_.resize(saved); }
  };

  bool fail(error_kind, std::string_view field, std::string_view what);
  bool json_fail(std::string_view field, simdjson::error_code e);
  bool missing(std::string_view field);
  bool wrong(std::string_view field, std::string_view expected);

  bool type(value& v, std::string_view field, json_type& t);

  // An id: an unsigned integer, or a string of digits. null → absent.
  bool id(value& v, std::string_view field, std::optional<std::uint64_t>& out);
  // The same; null is a missing field.
  bool required_id(value& v, std::string_view field, std::uint64_t& out);
  // A string; null → empty.
  bool str(value& v, std::string_view field, std::string& out);
  // A time: an ISO-8601 string with a UTC offset, kept as text and as seconds since the epoch
  // (UTC). Null, another type or a malformed text is an unknown time (nullopt), never a refusal.
  bool time(value& v, std::string_view field, std::string& text, std::optional<std::int64_t>& seconds);
  // Money: a decimal string; a JSON number keeps its raw text (no rounding through double).
  bool money(value& v, std::string_view field, std::string& out);
  // A signed integer within GraphQL Int (32 bits: Shopify's quantities and positions are Int,
  // negative ones included, e.g. oversold stock); null → absent. Strings, fractions, exponents
  // and anything beyond 32 bits are refused: no real webhook carries them, and a value the
  // Admin API could not take back must not enter the sync.
  bool integer(value& v, std::string_view field, std::optional<std::int64_t>& out);
  // true/false; null keeps the default.
  bool boolean(value& v, std::string_view field, bool& out);
  // true/false; null → absent.
  bool flag(value& v, std::string_view field, std::optional<bool>& out);
  // Webhook tags: one string "a, b" split on commas and trimmed (an array of strings is
  // accepted as well).
  bool tags(value& v, std::string_view field, std::vector<std::string>& out);

  // Visits the fields of an object: fn(key, value) → false stops. null → no fields
  // (present=false) where `present` is asked for, else a wrong type.
  template <class F>
  bool object(value& v, std::string_view field, F&& fn, bool* present = nullptr) {
    json_type t{};
    if (!type(v, field, t))
      return false;
    if (present)
      *present = t == json_type::object;
    if (t == json_type::null && present)
      return true;
    if (t != json_type::object)
      return wrong(field, "an object");
    object_type obj;
    if (auto e = v.get_object().get(obj))
      return json_fail(field, e);
    return fields(obj, fn);
  }

  template <class F>
  bool fields(object_type& obj, F&& fn) {
    for (auto fr : obj) {
      simdjson::ondemand::field f;
      if (auto e = std::move(fr).get(f))
        return json_fail("", e);
      std::string_view key;
      if (auto e = f.unescaped_key().get(key))
        return json_fail("", e);
      if (!fn(key, f.value()))
        return false;
    }
    return true;
  }

  // Visits the elements of an array; null → empty.
  template <class F>
  bool array(value& v, std::string_view field, F&& fn) {
    json_type t{};
    if (!type(v, field, t))
      return false;
    if (t == json_type::null)
      return true;
    if (t != json_type::array)
      return wrong(field, "an array");
    simdjson::ondemand::array arr;
    if (auto e = v.get_array().get(arr))
      return json_fail(field, e);
    for (auto er : arr) {
      value item;
      if (auto e = std::move(er).get(item))
        return json_fail(field, e);
      if (!fn(item))
        return false;
    }
    return true;
  }

  // An object read field by field into a T by on_field(t, key, value), kept in `out`; null →
  // absent. Errors are named under `field`.
  template <class T, class F>
  bool optional_object(value& v, std::string_view field, std::optional<T>& out, F&& on_field) {
    T x;
    bool present = false;
    scope sc(*this, field);
    bool ok = object(
        v, "", [&](std::string_view k, value val) { return on_field(x, k, val); }, &present);
    if (ok && present)
      out = std::move(x);
    return ok;
  }

  // An array of objects, each read field by field into a T by on_field(t, key, value) and
  // appended to `out`; null → empty. Errors are named "field[i].key".
  template <class T, class F>
  bool objects(value& v, std::string_view field, std::vector<T>& out, F&& on_field) {
    std::size_t i = 0;
    return array(v, field, [&](value& item) {
      T x;
      scope sc(*this, field, i++);
      bool ok = object(item, "", [&](std::string_view k, value val) { return on_field(x, k, val); });
      if (ok)
        out.push_back(std::move(x));
      return ok;
    });
  }

private:
  std::string prefix_;
};

} // namespace shopsync
