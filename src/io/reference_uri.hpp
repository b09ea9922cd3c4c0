#pragma once
// The referenceDocumentUri of shopsync's inventory mutations. Shopify refuses one that is not a
// valid URI (INVALID_REFERENCE_DOCUMENT) and the whole mutation with it, so a store named
// "Dépôt Nord #2" must not end up raw inside it: names are percent-encoded (RFC 3986: every byte
// but the unreserved ALPHA / DIGIT / "-" / "." / "_" / "~" becomes %XX of its UTF-8 byte).
#include <cstdint>
#include <string>
#include <string_view>

namespace shopsync {

// One path segment, percent-encoded as above: "Dépôt Nord #2" -> "D%C3%A9p%C3%B4t%20Nord%20%232".
std::string percent_encode_segment(std::string_view);

// "gid://shopsync/SyncBatch/<store, encoded>/<batch id>": names the batch in the store's
// inventory history (Shopify's preferred form for it is such a GID).
std::string batch_reference_uri(std::string_view store, std::uint64_t batch_id);

} // namespace shopsync
