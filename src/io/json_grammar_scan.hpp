#pragma once
// The JSON grammar of a webhook body, checked where simdjson On-Demand does not look.
//
// On-Demand validates what it reads and, for the whole document, what its first stage sees:
// UTF-8, control characters inside strings, unterminated strings, an empty body, a root that
// is not an object (the parser asks for one), a document that ends early. It does not check
// the values it skips — the fields shopsync does not read — so a body with a bad literal
// (`tru`, `01`), a bad escape (`"\q"`), a missing comma, colon or key, a mismatched bracket,
// content after the root object (`{...}}`) or nesting beyond any limit in such a field would
// be accepted. simdjson's full validation (DOM) would refuse those, but it also refuses valid
// JSON the parser must take: numbers beyond 64 bits or a double in fields it skips
// (`1e999`, 30-digit integers), and it stops at the first of them. Hence this scan, linear and
// iterative, in front of On-Demand; the fuzz target and webhook_parser_test hold the two to
// the same refusals.
#include "domain/result.hpp"

#include <cstddef>

namespace shopsync {

// ok, or error "webhook.malformed" saying what is wrong ("malformed JSON: ..."): the grammar
// of JSON (values, keys, colons, commas, brackets matched), literals and numbers well-formed,
// escapes valid, strings terminated, nesting within max_depth (at most 256), one object at
// the root and nothing after it. Control characters inside strings are left to simdjson.
status scan_json_object(const char* p, std::size_t n, std::size_t max_depth);

} // namespace shopsync
