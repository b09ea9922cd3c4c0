#pragma once
// Shopify's times (ISO-8601 with a UTC offset, seconds resolution) as seconds since the epoch.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shopsync {

// ISO-8601 with offset ("2025-03-14T11:00:01-04:00", "...Z", fractions ignored) to epoch
// seconds (UTC); nullopt when malformed.
std::optional<std::int64_t> parse_iso8601_seconds(std::string_view);

// Epoch seconds to "2026-12-04T10:00:00Z" (UTC), the form Shopify's search syntax and the
// control replies use.
std::string iso8601_utc(std::int64_t epoch_s);

} // namespace shopsync
