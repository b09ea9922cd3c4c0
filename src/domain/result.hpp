#pragma once
// Errors are values. `result<T>` holds a T or an `error`; no exceptions cross layer or
// actor boundaries.
#include "domain/error_kind.hpp"

#include <string>
#include <utility>
#include <variant>

namespace shopsync {

// `kind` is what logic branches on; `code` is its stable string (or a Shopify code, kind
// foreign) for logs, replies, persisted records and tests.
struct error {
  std::string code;    // stable, machine-readable ("config.invalid", "THROTTLED", ...)
  std::string message; // for people and logs
  error_kind kind = error_kind::foreign;

  error() = default;
  // A foreign code (Shopify's, or the control protocol's as the daemon answered it).
  error(std::string c, std::string m) : code(std::move(c)), message(std::move(m)) {}
  // One of shopsync's own kinds: the code is the kind's.
  error(error_kind k, std::string m) : code(code_of(k)), message(std::move(m)), kind(k) {}
};

template <class T>
class [[nodiscard]] result {
public:
  result(T value) : v_(std::move(value)) {}
  result(shopsync::error e) : v_(std::move(e)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const shopsync::error& error() const { return std::get<1>(v_); }

private:
  std::variant<T, shopsync::error> v_;
};

// For operations that return nothing on success.
struct unit_t {};
using status = result<unit_t>;
inline status ok_status() { return unit_t{}; }

} // namespace shopsync
