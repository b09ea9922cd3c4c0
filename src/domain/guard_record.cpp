#include "domain/guard_record.hpp"

#include <charconv>
#include <vector>

namespace shopsync {

const char* to_string(hold_reason r) {
  switch (r) {
    case hold_reason::none: return "none";
    case hold_reason::never_synced: return "never_synced";
    case hold_reason::config_changed: return "config_changed";
    case hold_reason::discarded: return "discarded";
    case hold_reason::undone: return "undone";
    case hold_reason::breaker: return "breaker";
  }
  return "none";
}

namespace {

// "<state> [<fingerprint>] key=value ..." with values percent-escaped (a store name may hold
// any character).
std::string escape(std::string_view v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '%' || c == '=' || c >= 0x7f) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::optional<std::string> unescape(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '%') {
      out += v[i];
      continue;
    }
    if (i + 2 >= v.size()) return std::nullopt;
    unsigned value = 0;
    auto [p, ec] = std::from_chars(v.data() + i + 1, v.data() + i + 3, value, 16);
    if (ec != std::errc() || p != v.data() + i + 3) return std::nullopt;
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

template <typename T>
bool number(std::string_view v, T& out) {
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && p == v.data() + v.size() && !v.empty();
}

std::optional<hold_reason> parse_reason(std::string_view v) {
  for (auto r : {hold_reason::none, hold_reason::never_synced, hold_reason::config_changed, hold_reason::discarded,
                 hold_reason::undone, hold_reason::breaker})
    if (v == to_string(r)) return r;
  return std::nullopt;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i <= s.size()) {
    auto j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

} // namespace

std::string encode(const guard_record& r) {
  std::string out = to_string(r.state);
  if (r.state == group_state::syncing) {
    // Exactly the text written before records had facts: an older daemon reads it too.
    out += " " + escape(r.fingerprint);
    return out;
  }
  out += " reason=" + std::string(to_string(r.reason));
  out += " since=" + std::to_string(r.since_s);
  if (r.reason == hold_reason::undone) out += " undone_from=" + std::to_string(r.undone_from_s);
  if (r.trip) {
    out += " store=" + escape(r.trip->store);
    out += " drops=" + std::to_string(r.trip->drops);
    out += " allowance=" + std::to_string(r.trip->allowance);
    out += " mapped=" + std::to_string(r.trip->mapped);
  }
  return out;
}

std::optional<guard_record> decode_guard_record(std::string_view s) {
  auto w = words(s);
  guard_record r;
  if (w[0] == "syncing") {
    if (w.size() > 2) return std::nullopt;
    if (w.size() == 2) {
      auto f = unescape(w[1]);
      if (!f) return std::nullopt;
      r.fingerprint = *f;
    }
    return r;
  }
  if (w[0] == "planned") r.state = group_state::planned;
  else if (w[0] == "tripped") r.state = group_state::tripped;
  else return std::nullopt;
  held_trip trip;
  bool has_trip = false;
  for (std::size_t i = 1; i < w.size(); ++i) {
    auto eq = w[i].find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    auto key = w[i].substr(0, eq);
    auto value = w[i].substr(eq + 1);
    bool ok = true;
    if (key == "reason") {
      auto reason = parse_reason(value);
      ok = reason.has_value();
      if (ok) r.reason = *reason;
    } else if (key == "since") {
      ok = number(value, r.since_s);
    } else if (key == "undone_from") {
      ok = number(value, r.undone_from_s);
    } else if (key == "store") {
      auto v = unescape(value);
      ok = v.has_value();
      if (ok) trip.store = *v;
      has_trip = true;
    } else if (key == "drops") {
      ok = number(value, trip.drops);
    } else if (key == "allowance") {
      ok = number(value, trip.allowance);
    } else if (key == "mapped") {
      ok = number(value, trip.mapped);
    } // an unknown key: written by a newer daemon, skipped
    if (!ok) return std::nullopt;
  }
  if (has_trip) r.trip = trip;
  return r;
}

} // namespace shopsync
