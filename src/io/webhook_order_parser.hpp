#pragma once
// orders/create and draft_orders/create|update payloads → events. The two documents share
// their fields of the same name (name, email, currency, tags, note, note_attributes,
// customer, addresses) and their line parsing (line_items[i], whose tax_lines and
// applied_discount are read alike); each adds its own (an order's shipping_lines, tax and
// discount lists; a draft's status, shipping_line and applied_discount). Every content field
// is nullable, as Shopify documents; `id` and `line_items` (and a draft's `status`) are
// required.
#include "domain/events.hpp"
#include "io/webhook_field_reader.hpp"

namespace shopsync {

bool read_order_created(webhook_field_reader& r, simdjson::ondemand::object& root, order_created& e);
bool read_draft_order_changed(webhook_field_reader& r, simdjson::ondemand::object& root, draft_order_changed& e);

} // namespace shopsync
