#pragma once
// Whether a string is a URI by RFC 3986's grammar (scheme ":" hier-part ["?" query]
// ["#" fragment]), as Shopify checks referenceDocumentUri (INVALID_REFERENCE_DOCUMENT
// otherwise): a scheme (ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")), then only unreserved,
// sub-delims, ":", "@", "/", "?" and well-formed %XX, with at most one "#" (no space, no raw
// non-ASCII byte, no "<>\"{}|\\^`"). IP-literal hosts ("[...]") are not accepted.
#include <string_view>

namespace shopsync::sim {

bool is_rfc3986_uri(std::string_view);

} // namespace shopsync::sim
