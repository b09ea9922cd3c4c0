#pragma once
// The order reconciler's side of the Admin API: listing a Destination's orders (created since)
// and draft orders (updated since) a page at a time, and reading one document in full. The
// full read becomes the same domain event the webhook parser makes of an orders/create or
// draft_orders/update payload, so the order path applies the same filters and "is it ours"
// checks (app id, tags, note attributes, source name) to both.
//
// Listing is cheap on purpose (ids and times only, ~1 point a document); a document is read
// in full only when the reconciler does not know it. Queries use Shopify's search syntax
// (`created_at:>=2026-12-04T10:00:00Z`) sorted ascending by CREATED_AT / UPDATED_AT.
//
// What GraphQL cannot give that a webhook carries: a draft order's api_client_id (DraftOrder
// has no app field) - its origin tag and note attributes still mark shopsync's own drafts.
// Lines beyond the first 100 of a document are not read: such a document is refused with
// "order_reconcile.too_many_lines" rather than synced short.
#include "domain/events.hpp"
#include "domain/order_reconcile.hpp"
#include "domain/result.hpp"
#include "io/order_api.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

enum class reconcile_doc : std::uint8_t { orders, draft_orders };

// epoch seconds -> "2026-12-04T10:00:00Z"
std::string iso8601_utc(std::int64_t epoch_s);

// The search query of a listing: "created_at:>=<since>" (orders) / "updated_at:>=<since>".
std::string reconcile_search_query(reconcile_doc, std::int64_t since);

order_api_call make_listing_call(reconcile_doc, const reconcile_query&);
order_api_call make_order_read_call(order_id);
order_api_call make_draft_order_read_call(draft_order_id);

struct listing_page {
  struct entry {
    shopify_id id = 0;
    std::int64_t at = 0; // createdAt (orders) / updatedAt (draft orders), epoch seconds
  };
  std::vector<entry> docs;
  bool has_next = false;
  std::string end_cursor;
};
result<listing_page> parse_listing(std::string_view body, reconcile_doc);

// The document as its webhook would have carried it. Error "order_reconcile.gone" when the
// answer is null (deleted since it was listed).
result<order_created> parse_order_read(std::string_view body);
result<draft_order_changed> parse_draft_order_read(std::string_view body);

} // namespace shopsync
