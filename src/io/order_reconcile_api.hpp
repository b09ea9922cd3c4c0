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
// Lines come 100 an answer (lineItems(first: 100)): a document with more is read again with
// the cursor its answer gives (`more_lines_after`) and the lines appended, so it is never synced
// short; the rest of each later answer repeats the first and is ignored.
#include "domain/events.hpp"
#include "domain/order_reconcile.hpp"
#include "domain/result.hpp"
#include "io/order_api.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

enum class reconcile_doc : std::uint8_t { orders, draft_orders };

// The search query of a listing: "created_at:>=<since>" (orders) / "updated_at:>=<since>".
std::string reconcile_search_query(reconcile_doc, std::int64_t since);

order_api_call make_listing_call(reconcile_doc, const reconcile_query&);
// lines_after: empty for the first answer, else the cursor of the previous one; lines: the
// most lines one answer may hold (what the read costs grows with it).
inline constexpr std::size_t order_read_lines = 100;
order_api_call make_order_read_call(order_id, const std::string& lines_after = {},
                                    std::size_t lines = order_read_lines);
order_api_call make_draft_order_read_call(draft_order_id, const std::string& lines_after = {},
                                          std::size_t lines = order_read_lines);

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

// One answer of a full read: the document as its webhook would have carried it, with the lines
// of this answer only. While `more_lines_after` is set, read again with it and append the lines
// of that answer (the document is complete only then). Error "order_reconcile.gone" when the
// answer is null (deleted since it was listed).
template <class Event>
struct document_read {
  Event event;
  std::optional<std::string> more_lines_after;
};
result<document_read<order_created>> parse_order_read(std::string_view body);
result<document_read<draft_order_changed>> parse_draft_order_read(std::string_view body);

} // namespace shopsync
