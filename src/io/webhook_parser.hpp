#pragma once
// Shopify webhook payloads → domain events, with simdjson On-Demand.
//
// Ids are exact unsigned 64-bit integers (JSON numbers, or digit strings); floats,
// negatives and values beyond 2^64-1 are refused. Quantities (`available`, line item
// `quantity`, `position`) are GraphQL Int: 32-bit signed, negatives allowed (oversold stock);
// strings, fractions and anything wider are refused. Money stays a decimal string (a JSON
// number is kept as its raw text). Unknown fields are ignored; fields Shopify may send as
// null are read as absent (a product variant without an id or inventory item id is left out
// of `variants`, its id kept in all_variants); a missing required field or a wrong type is
// an error naming the field ("line_items[0].quantity: ..."), with which the webhook server
// keeps the delivery aside as unusable. Nesting deeper than max_depth is refused before
// simdjson sees the document, so hostile input cannot exhaust anything.
//
// One parser per thread: it keeps its buffers between calls and is not thread-safe.
#include "domain/events.hpp"
#include "domain/result.hpp"

#include <cstddef>
#include <memory>
#include <string_view>

namespace shopsync {

class webhook_parser {
public:
  static constexpr std::size_t default_max_depth = 32;

  explicit webhook_parser(std::size_t max_depth = default_max_depth);
  ~webhook_parser();
  webhook_parser(const webhook_parser&) = delete;
  webhook_parser& operator=(const webhook_parser&) = delete;

  // Topics shopsync parses: inventory_levels/update, inventory_items/update, orders/create,
  // draft_orders/create, draft_orders/update, products/create, products/update,
  // inventory_levels/connect, inventory_levels/disconnect, products/delete,
  // inventory_items/delete.
  static bool is_known_topic(std::string_view topic);

  // Error codes: "webhook.malformed" (not JSON, truncated, invalid UTF-8, not an object,
  // too deep), "webhook.missing_field", "webhook.wrong_type", "webhook.unknown_topic".
  // The body is copied into a padded buffer owned by the parser.
  result<webhook_event> parse(std::string_view topic, std::string_view body);

  // The same, without the copy: `capacity` bytes are readable at `data` and
  // capacity >= size + SIMDJSON_PADDING (64) must hold.
  result<webhook_event> parse_padded(std::string_view topic, const char* data, std::size_t size,
                                     std::size_t capacity);

  // Full syntax check of a JSON object, for payloads whose topic is not parsed.
  status validate(std::string_view body);

  static constexpr std::size_t padding = 64; // == SIMDJSON_PADDING, checked in the .cpp

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace shopsync
