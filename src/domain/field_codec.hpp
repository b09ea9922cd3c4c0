#pragma once
// One field list per struct, walked in both directions, so that a state's encoder and decoder
// cannot drift apart:
//
//   template <class F> void fields(F& f, level& l) { f(l.known); f(l.op); if (f.version >= 2) f(l.held); }
//
// field_writer / field_reader visit values: std::string, bool, integers (signed or unsigned),
// enums (their underlying value), time points (milliseconds since the epoch), std::optional
// (presence, then the value), std::vector (a count, then the items), and any other type by
// Schema::fields(visitor, value), which lists that struct's fields (a Schema, not a free
// fields() found by lookup, so that each codec keeps its lists to itself).
//
// A Format spells the scalars; the two in use keep the bytes states were stored with:
//   compact_format (order sync states, "os2|"): a string <len>:<bytes>, an integer <digits>;,
//     a bool 0|1, an optional its presence as a bool.
//   tagged_format (inventory item states, "iis4"): space-separated tokens, a string
//     " s<len>:<bytes>", an unsigned " u<n>", a signed " i<n>", a bool " u0"|" u1", an
//     absent optional " -" (a present one is just its value).
// The reader never throws: the first malformed token sets `bad` and the rest is skipped.
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cerrno>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace shopsync {

namespace field_codec_detail {
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T> struct is_vector : std::false_type {};
template <class T> struct is_vector<std::vector<T>> : std::true_type {};
template <class T> struct is_time_point : std::false_type {};
template <class C, class D> struct is_time_point<std::chrono::time_point<C, D>> : std::true_type {};

template <class T> std::int64_t to_ms(const T& t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
template <class T> T from_ms(std::int64_t ms) {
  return T(std::chrono::duration_cast<typename T::duration>(std::chrono::milliseconds(ms)));
}
} // namespace field_codec_detail

// <len>:<bytes>  <digits>;  0|1 — no separators, any bytes.
struct compact_format {
  static void put_string(std::string& out, const std::string& v) {
    out += std::to_string(v.size());
    out += ':';
    out += v;
  }
  static void put_bool(std::string& out, bool v) { out += v ? '1' : '0'; }
  static void put_unsigned(std::string& out, std::uint64_t v) {
    out += std::to_string(v);
    out += ';';
  }
  static void put_signed(std::string& out, std::int64_t v) {
    out += std::to_string(v);
    out += ';';
  }
  static void put_presence(std::string& out, bool has) { put_bool(out, has); }

  struct input {
    std::string_view in;
    bool bad = false;

    std::size_t remaining() const { return in.size(); }
    std::string_view token(char end) {
      auto p = in.find(end);
      if (p == std::string_view::npos) {
        bad = true;
        return {};
      }
      auto t = in.substr(0, p);
      in.remove_prefix(p + 1);
      return t;
    }
    // Any integer type, as written (an enum's underlying type included).
    template <class N> void get_integer(N& v) {
      auto t = token(';');
      if (bad)
        return;
      auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc{} || ptr != t.data() + t.size() || t.empty())
        bad = true;
    }
    void get_string(std::string& v) {
      auto t = token(':');
      std::size_t n = 0;
      auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
      if (bad || ec != std::errc{} || ptr != t.data() + t.size() || t.empty() || n > in.size()) {
        bad = true;
        return;
      }
      v.assign(in.substr(0, n));
      in.remove_prefix(n);
    }
    void get_bool(bool& v) {
      if (in.empty() || (in[0] != '0' && in[0] != '1')) {
        bad = true;
        return;
      }
      v = in[0] == '1';
      in.remove_prefix(1);
    }
    bool get_presence() {
      bool has = false;
      get_bool(has);
      return has;
    }
  };
};

// " s<len>:<bytes>" " u<n>" " i<n>" " -": readable tokens, strings length-prefixed.
struct tagged_format {
  static void put_string(std::string& out, const std::string& v) {
    out += " s" + std::to_string(v.size()) + ":";
    out += v;
  }
  static void put_bool(std::string& out, bool v) { put_unsigned(out, v ? 1 : 0); }
  static void put_unsigned(std::string& out, std::uint64_t v) { out += " u" + std::to_string(v); }
  static void put_signed(std::string& out, std::int64_t v) { out += " i" + std::to_string(v); }
  static void put_presence(std::string& out, bool has) {
    if (!has)
      out += " -";
  }

  struct input {
    std::string_view in;
    std::size_t pos = 0;
    bool bad = false;

    std::size_t remaining() const { return in.size() - pos; }
    bool token(char tag) {
      if (bad || pos + 1 >= in.size() || in[pos] != ' ' || in[pos + 1] != tag)
        return bad = true, false;
      pos += 2;
      return true;
    }
    std::string digits(bool allow_sign) {
      std::size_t start = pos;
      if (allow_sign && pos < in.size() && in[pos] == '-')
        ++pos;
      while (pos < in.size() && in[pos] >= '0' && in[pos] <= '9')
        ++pos;
      if (pos == start || (pos == start + 1 && in[start] == '-') || pos - start > 20)
        bad = true;
      return std::string(in.substr(start, pos - start));
    }
    // " <tag><digits>": tag 'u' unsigned, tag 'i' signed (a '-' allowed).
    template <class N> N number(char tag) {
      if (!token(tag))
        return 0;
      auto d = digits(std::is_signed_v<N>);
      if (bad)
        return 0;
      errno = 0;
      N v = 0;
      if constexpr (std::is_signed_v<N>)
        v = std::strtoll(d.c_str(), nullptr, 10);
      else
        v = std::strtoull(d.c_str(), nullptr, 10);
      if (errno)
        bad = true;
      return v;
    }
    std::uint64_t u() { return number<std::uint64_t>('u'); }
    std::int64_t i() { return number<std::int64_t>('i'); }
    // Signed types from " i<n>", unsigned from " u<n>"; a value beyond N is malformed.
    template <class N> void get_integer(N& v) {
      if constexpr (std::is_signed_v<N>) {
        auto x = i();
        if (x < std::numeric_limits<N>::min() || x > std::numeric_limits<N>::max())
          bad = true;
        v = static_cast<N>(x);
      } else {
        auto x = u();
        if (x > std::numeric_limits<N>::max())
          bad = true;
        v = static_cast<N>(x);
      }
    }
    void get_string(std::string& v) {
      if (!token('s'))
        return;
      auto d = digits(false);
      if (bad || pos >= in.size() || in[pos] != ':') {
        bad = true;
        return;
      }
      ++pos;
      auto n = std::strtoull(d.c_str(), nullptr, 10);
      if (n > in.size() - pos) {
        bad = true;
        return;
      }
      v.assign(in.substr(pos, n));
      pos += n;
    }
    void get_bool(bool& v) {
      auto x = u();
      if (x > 1)
        bad = true;
      v = x == 1;
    }
    bool get_presence() {
      if (!bad && pos + 1 < in.size() && in[pos] == ' ' && in[pos + 1] == '-' &&
          (pos + 2 == in.size() || in[pos + 2] == ' ')) {
        pos += 2;
        return false;
      }
      return true;
    }
  };
};

template <class Format, class Schema>
struct field_writer {
  int version;
  std::string out;

  template <class T> void operator()(const T& v) {
    using namespace field_codec_detail;
    if constexpr (std::is_same_v<T, std::string>) {
      Format::put_string(out, v);
    } else if constexpr (std::is_same_v<T, bool>) {
      Format::put_bool(out, v);
    } else if constexpr (std::is_enum_v<T>) {
      Format::put_unsigned(out, static_cast<std::uint64_t>(v));
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      Format::put_signed(out, v);
    } else if constexpr (std::is_integral_v<T>) {
      Format::put_unsigned(out, v);
    } else if constexpr (is_time_point<T>::value) {
      Format::put_signed(out, to_ms(v));
    } else if constexpr (is_optional<T>::value) {
      Format::put_presence(out, v.has_value());
      if (v)
        (*this)(*v);
    } else if constexpr (is_vector<T>::value) {
      Format::put_unsigned(out, v.size());
      for (const auto& x : v)
        (*this)(x);
    } else {
      Schema::fields(*this, const_cast<T&>(v)); // fields() lists are written for both directions
    }
  }
};

template <class Format, class Schema>
struct field_reader {
  typename Format::input in;
  int version;

  bool bad() const { return in.bad; }

  template <class T> void operator()(T& v) {
    using namespace field_codec_detail;
    if (in.bad)
      return;
    if constexpr (std::is_same_v<T, std::string>) {
      in.get_string(v);
    } else if constexpr (std::is_same_v<T, bool>) {
      in.get_bool(v);
    } else if constexpr (std::is_enum_v<T>) {
      std::underlying_type_t<T> u{};
      in.get_integer(u);
      v = static_cast<T>(u);
    } else if constexpr (std::is_integral_v<T>) {
      in.get_integer(v);
    } else if constexpr (is_time_point<T>::value) {
      std::int64_t ms = 0;
      in.get_integer(ms);
      v = from_ms<T>(ms);
    } else if constexpr (is_optional<T>::value) {
      bool has = in.get_presence();
      if (in.bad)
        return;
      if (has) {
        v.emplace();
        (*this)(*v);
      } else {
        v.reset();
      }
    } else if constexpr (is_vector<T>::value) {
      std::uint64_t n = 0;
      in.get_integer(n);
      if (in.bad || n > in.remaining()) { // every item takes at least one byte
        in.bad = true;
        return;
      }
      v.clear();
      v.resize(static_cast<std::size_t>(n));
      for (auto& x : v)
        (*this)(x);
    } else {
      Schema::fields(*this, v);
    }
  }
};

} // namespace shopsync
