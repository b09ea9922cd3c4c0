#pragma once
// Identifiers shared by every layer. Shopify ids exceed 2^53, so they are exact 64-bit
// integers everywhere (never doubles); GIDs are built and parsed in gid.hpp.
#include <cstdint>
#include <string>

namespace shopsync {

using shopify_id = std::uint64_t;
using inventory_item_id = shopify_id;
using location_id = shopify_id;
using variant_id = shopify_id;
using product_id = shopify_id;
using order_id = shopify_id;
using draft_order_id = shopify_id;

// A store is named by its `name` in the configuration (not by its shop domain).
using store_name = std::string;

// A time Shopify stamped (updated_at, createdAt): seconds since the epoch, UTC; one-second
// resolution, as Shopify gives it.
using shopify_time = std::int64_t;

} // namespace shopsync
