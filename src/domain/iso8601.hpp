#pragma once
// Shopify's times (ISO-8601 with a UTC offset, seconds resolution) as seconds since the epoch.
#include <cstdint>
#include <optional>
#include <string_view>

namespace shopsync {

// ISO-8601 with offset ("2025-03-14T11:00:01-04:00", "...Z", fractions ignored) to epoch
// seconds (UTC); nullopt when malformed.
std::optional<std::int64_t> parse_iso8601_seconds(std::string_view);

} // namespace shopsync
