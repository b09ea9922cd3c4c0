// Fuzz target: the Shopify webhook parser (simdjson On-Demand + the grammar scan of
// io/json_grammar_scan.cpp).
// Input: "<topic>\n<body>" — the X-Shopify-Topic header, a newline, then the raw body; an
// input without a newline is a body for "orders/create" (the biggest parser).
// Each input goes through the production path (parse(): one parser reused across calls, its
// buffer keeps stale bytes of earlier bodies) and through parse_padded() on a fresh heap
// buffer of exactly size + padding whose padding is junk, so ASan sees any read past it and
// any dependence on the padding's content shows up as a disagreement. Both must agree on
// ok/error code/event kind. validate() (the full syntax check) runs on the body too; when
// parse() accepts a body, validate() must accept it as well (save for
// out-of-range numbers in skipped fields, see below).
#include "io/webhook_parser.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "property violated: %s: [%s] vs [%s]\n", what, a.c_str(), b.c_str());
  std::abort();
}

std::string summary(const shopsync::result<shopsync::webhook_event>& r) {
  if (r) return "ok:" + std::to_string(r->index());
  return "error:" + r.error().code;
}

// "\uD800".."\uDFFF" anywhere (a preceding backslash may make it literal text: close enough).
bool has_surrogate_escape(std::string_view s) {
  for (std::size_t i = 0; i + 3 < s.size(); ++i)
    if (s[i] == '\\' && s[i + 1] == 'u' && (s[i + 2] == 'd' || s[i + 2] == 'D') &&
        std::strchr("89abcdefABCDEF", s[i + 3]) && s[i + 3] != 0)
      return true;
  return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static shopsync::webhook_parser parser; // production keeps one per thread, reused
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view topic = "orders/create", body = in;
  if (auto nl = in.find('\n'); nl != std::string_view::npos) {
    topic = in.substr(0, nl);
    body = in.substr(nl + 1);
  }

  auto a = parser.parse(topic, body);
  if (std::getenv("SHOPSYNC_FUZZ_VERBOSE")) // to see why a seed is refused
    std::fprintf(stderr, "%s\n", a ? "accepted" : a.error().message.c_str());

  constexpr std::size_t pad = shopsync::webhook_parser::padding;
  std::unique_ptr<char[]> fresh(new char[body.size() + pad]);
  if (!body.empty()) std::memcpy(fresh.get(), body.data(), body.size());
  std::memset(fresh.get() + body.size(), '"', pad); // junk: a quote invites a runaway string
  auto b = parser.parse_padded(topic, fresh.get(), body.size(), body.size() + pad);

  if (summary(a) != summary(b)) fail("parse and parse_padded disagree", summary(a), summary(b));
  if (!a && a.error().code.rfind("webhook.", 0) != 0) fail("error code outside webhook.*", a.error().code, "");

  // Allowed difference, by design (json_grammar_scan.hpp): the grammar scan checks the
  // grammar and escapes everywhere (simdjson control characters), but a number's range only where
  // On-Demand reads it, so a number beyond 64 bits in a skipped field passes parse() while
  // validate() (DOM) refuses it. Anything else validate() refuses, parse() must refuse too.
  // Known and reported, not yet decided by the parser's owner: a lone UTF-16 surrogate escape
  // ("\ud80d") in a skipped string passes the pre-scan; simdjson refuses it where it reads.
  auto v = parser.validate(body);
  if (a && !v) {
    const auto& m = v.error().message;
    bool number = m.find("number") != std::string::npos || m.find("integer") != std::string::npos;
    bool surrogate = m.find("string") != std::string::npos && has_surrogate_escape(body);
    if (!number && !surrogate) fail("parse accepted a body validate() refuses", m, std::string(topic));
  }
  return 0;
}
