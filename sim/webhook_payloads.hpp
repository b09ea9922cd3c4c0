#pragma once
// Webhook bodies in Shopify's REST shapes (snake_case, integer ids, GID strings, money as decimal
// strings, tags as one "a, b" string), one builder per topic. Callers hold the store's mutex.
#include "sim/store.hpp"

#include <string>

namespace shopsync::sim {

// inventory_levels/update and inventory_levels/connect (the same shape).
std::string inventory_level_payload(const store& s, std::uint32_t v, std::size_t l, i64 now);
// inventory_levels/disconnect: the level is gone, so only the pair it was.
std::string inventory_level_disconnect_payload(const store& s, std::uint32_t v, std::size_t l);
std::string inventory_item_payload(const store& s, std::uint32_t v, i64 now);
// inventory_items/delete: the item's id and its (null) origin fields, nothing else.
std::string inventory_item_deleted_payload(const store& s, std::uint32_t v);
std::string order_payload(const store& s, const order& o);
std::string draft_order_payload(const store& s, const draft_order& d);
std::string product_payload(const store& s, std::uint32_t p);

std::string join_tags(const std::vector<std::string>& tags);

} // namespace shopsync::sim
