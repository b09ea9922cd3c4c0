#pragma once
// A small streaming JSON writer with correct string escaping: request bodies for the Admin
// API, control socket replies, simulator payloads. Commas are inserted automatically.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

class json_writer {
public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view k);

  json_writer& value(std::string_view s);
  json_writer& value(const char* s) { return value(std::string_view{s}); }
  json_writer& value(const std::string& s) { return value(std::string_view{s}); }
  json_writer& value(bool b);
  json_writer& value(std::int64_t n);
  json_writer& value(std::uint64_t n);
  json_writer& value(int n) { return value(static_cast<std::int64_t>(n)); }
  json_writer& value(double d);
  json_writer& null();
  template <class T>
  json_writer& value(const std::optional<T>& v) {
    return v ? value(*v) : null();
  }
  // Inserts already-serialized JSON (e.g. a stored document) as one value.
  json_writer& raw(std::string_view json);

  // key(k).value(v) in one call.
  template <class T>
  json_writer& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  const std::string& str() const& noexcept { return out_; }
  std::string str() && noexcept { return std::move(out_); }

private:
  void before_value();
  std::string out_;
  std::vector<bool> first_; // per open container: no element written yet
  bool after_key_ = false;
};

// Appends s to out as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);

} // namespace shopsync
