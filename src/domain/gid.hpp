#pragma once
// Shopify global ids: gid://shopify/<Type>/<number>[?query]. The number is the webhook's
// integer id, so conversion is exact in both directions.
#include "domain/ids.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace shopsync {

std::string make_gid(std::string_view type, shopify_id id);

// The number of a GID of the given type ("InventoryItem", ...); nullopt when the text is
// not such a GID. A query suffix ("?inventory_item_id=...") is ignored.
std::optional<shopify_id> parse_gid(std::string_view gid, std::string_view type);

} // namespace shopsync
