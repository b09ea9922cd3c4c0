#pragma once
// What `shopsyncctl inbox --unusable` shows: the signed deliveries kept aside because their
// content could not be used (inbox::list_unusable), as JSON for the control socket. Stores are
// named as the merchant named them; bytes that are not UTF-8 (headers, bodies: whatever was
// signed) are shown as U+FFFD, and a body that is not UTF-8 comes in base64 as well.
#include "domain/config.hpp"
#include "domain/result.hpp"
#include "io/state_store.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace shopsync {

// {"unusable":[{"id", "store", "shop_domain", "topic", "webhook_id", "event_id", "received_at",
// "reason_code", "reason", "size"}...], "shown"}: the newest `limit` (0: all), oldest first.
result<std::string> unusable_list_json(const state_store& store, const std::vector<store_config>& stores,
                                       std::size_t limit);

// One of them with its headers and body ("body", and "body_base64" when it is not UTF-8);
// error "not_found" when there is no such id.
result<std::string> unusable_delivery_json(const state_store& store, const std::vector<store_config>& stores,
                                           std::uint64_t id);

} // namespace shopsync
