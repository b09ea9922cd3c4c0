#pragma once
// An order's content (taxes, shipping, discounts) in GraphQL's shape, for OrderForSync and
// DraftOrderForSync: read from what the sim stores in the webhook's shape (order_content.hpp),
// so a read and a webhook of the same order carry the same facts.
#include "sim/model.hpp"

#include "io/json_writer.hpp"

namespace shopsync::sim {

// requiresShipping, taxable, taxLines (order lines) or appliedDiscount (draft lines).
void write_line_content(json_writer& w, const line_item& l, bool draft);

// shippingLines, taxLines, taxesIncluded, discountCodes, totalDiscountsSet, discountApplications.
void write_order_content(json_writer& w, const order& o);

// shippingLine, appliedDiscount, taxExempt, taxesIncluded.
void write_draft_content(json_writer& w, const draft_order& d);

} // namespace shopsync::sim
