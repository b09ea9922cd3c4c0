#pragma once
// The order reconciler's decisions for one Destination store and one kind of document (orders,
// or draft orders) of one sync group: which time range to ask for, which listed documents are
// new and must go the webhook's way, when a round is done and how far the watermark may move.
// Pure and deterministic: pages and acknowledgements in, queries and feeds out; times (epoch
// seconds) are inputs, never read from a clock.
//
// Shopify does not guarantee webhook delivery (at least once, sometimes never: 8 retries over
// 4 hours, then the event is gone). So every `interval` the holder lists the documents of the
// Destination created (orders) or updated (draft orders) since the watermark minus an overlap,
// oldest first, and feeds every one it does not know yet into the order path, where the same
// filters and the same exactly-once state machine apply as for a webhook.
//
// How the holder (the order reconciler actor) uses it:
//   1. At the group's first start, `start(now)` (no history import: the floor and the watermark
//      are `now`); else `decode()` the persisted text. Persist `encode()` whenever an output has
//      `persist` set.
//   2. Each round: `begin(now)` returns the first `query`; send it (created_at/updated_at >=
//      `since`, sorted ascending, `first` documents after `after`). Feed each answer to `page()`
//      with every document's `known` flag filled in from the order states (orders: a state
//      exists; draft orders: the state applied an updated_at >= this one). The output lists the
//      documents to `feed` and the next `query` (none: the listing is over).
//   3. Fetch each document to feed, hand it to the order path, and once the order actor took it
//      (persisted), call `fed(id, at, true)`; when it could not (fetch failed, actor gone),
//      `fed(id, at, false)`: it is fed again next round. A failed listing is `abort()`.
//   4. The round is done when the listing is over and every feed is acknowledged: that output
//      has `done` and `persist` and a new watermark: the round's start minus `grace`, never past
//      a document left unfed (too young, failed). Nothing of a round is persisted before it is
//      done, so a restart mid-round starts again from the persisted watermark (documents fed
//      meanwhile are known by then; a skipped one is fed again, which the order path skips again).
//   `import_since(t)` lowers the floor and the watermark to `t` (an explicit backfill); a
//   `begin(now, since, dry_run = true)` lists without feeding and counts what a real round
//   would feed (`shopsyncctl import-orders`, dry run first).
#include "domain/ids.hpp"
#include "domain/result.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

struct order_reconcile_options {
  std::int64_t overlap_s = 300; // each round looks again this far behind the watermark (index lag)
  std::int64_t grace_s = 60;    // a document younger than this is left to its webhook this round
  int page_size = 100;          // documents per listing page
};

// A document of a listing page: its id and its time (created_at of an order, updated_at of a
// draft order), and whether the order path already has it at that time (from the holder).
struct listed_document {
  shopify_id id = 0;
  std::int64_t at = 0;
  bool known = false;
};

struct reconcile_query {
  std::int64_t since = 0; // created_at/updated_at >= since
  std::string after;      // cursor ("" for the first page)
  int first = 100;
};

struct reconcile_output {
  std::vector<listed_document> feed;  // to fetch and hand to the order path, oldest first
  std::optional<reconcile_query> query; // the next page to ask for
  bool done = false;                  // the round is over
  bool persist = false;               // store encode() now
  std::size_t would_feed = 0;         // dry run: documents a real round would have fed
};

class order_reconcile {
public:
  explicit order_reconcile(order_reconcile_options opts = {}) : opts_(opts) {}

  // A new group: nothing before `now` is imported.
  reconcile_output start(std::int64_t now);
  static result<order_reconcile> decode(std::string_view encoded, order_reconcile_options opts);
  std::string encode() const;
  bool started() const { return started_; }

  // A round; nullopt query when one is running (the caller waits for it) or not started.
  // since: a dry run's own start (import-orders --since); otherwise the watermark's.
  reconcile_output begin(std::int64_t now, std::optional<std::int64_t> since = std::nullopt,
                         bool dry_run = false);
  // One listing page, its documents in ascending `at`; `end_cursor` for the next page.
  reconcile_output page(const std::vector<listed_document>& docs, bool has_next,
                        std::string_view end_cursor);
  reconcile_output fed(shopify_id id, std::int64_t at, bool ok);
  // The listing failed: the round ends once the feeds in flight are acknowledged; the
  // watermark stays where it was.
  reconcile_output abort();

  // shopsyncctl import-orders --apply: the next round starts at `since`.
  reconcile_output import_since(std::int64_t since);

  bool running() const { return round_.has_value(); }
  std::int64_t watermark() const { return watermark_; }
  std::int64_t floor() const { return floor_; }
  // The start of the next round's listing.
  std::int64_t next_since() const;
  // Documents fed this round and not yet acknowledged.
  std::size_t in_flight() const { return round_ ? round_->pending.size() : 0; }

private:
  struct round_state {
    std::int64_t now = 0;
    std::int64_t since = 0;
    bool dry_run = false;
    bool listing_over = false;
    bool aborted = false;
    std::optional<std::int64_t> blocked; // earliest `at` left unfed (young or failed)
    std::map<shopify_id, std::int64_t> pending; // fed, not yet acknowledged
    std::size_t would_feed = 0;
  };
  reconcile_output finish_if_done();
  void block(std::int64_t at);

  order_reconcile_options opts_;
  bool started_ = false;
  std::int64_t floor_ = 0;     // never list before this
  std::int64_t watermark_ = 0; // every document with at < watermark was fed or known
  std::map<shopify_id, std::int64_t> fed_; // fed at this `at`, kept while at >= watermark - overlap
  std::optional<round_state> round_;
};

} // namespace shopsync
