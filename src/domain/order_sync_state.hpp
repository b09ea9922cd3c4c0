#pragma once
// The order sync state machine: one Destination order or draft order on its way to the
// Source, exactly once. Pure and deterministic: the order actor feeds it inputs (webhook
// events, results of the commands it executed, timers, a manual retry) and executes the one
// command it returns; time and jitter come in as arguments.
//
//   received ─(qualify, resolve lines)─▶ creating ─▶ created
//       │                                  │  ▲ ▲        │ (draft_order target)
//       ▼                                  │  │ │        ├─▶ updating ─▶ created   (draft changed)
//    skipped                               │  │ │        ├─▶ inviting ─▶ created   (send_invoice)
//                                          │  │ │        └─▶ completed_in_destination
//              transient/uncertain failure ▼  │ │
//                                     retry_wait │ (after an uncertain create: lookup first)
//                                          └─▶ looking_up ─ found ─▶ created
//   no line maps, permanent error, too many attempts ─▶ needs_attention ─(manual retry)─▶ ...
//   a create while the group's writes are held (planned or tripped) ─▶ held
//       ─(resume or retry once the group syncs again)─▶ creating (or looking_up, see below)
//
// Exactly once: a create that may have reached Shopify (uncertain failure, or a restart while
// `creating`) is never repeated before `lookup_origin` has searched the Source for the origin
// tag and found nothing for the whole lookup window (order_options::lookup_window, counted
// from when the create was sent): Shopify's search lags behind a create, so a lookup that
// finds nothing inside the window is repeated, backing off, and the last one runs at or
// after the window's end. Every answer carries the `seq` of the command it answers; answers
// and timers of an older step are ignored, so late or duplicated messages are harmless.
//
// Persistence: after every input whose output has `persist` set, the actor stores encode()
// (with the audit records, one WriteBatch) *before* executing the command; audit records of
// an output without `persist` (duplicates) are appended all the same. A skipped document is
// persisted too: it is the record `shopsyncctl orders --state skipped` lists. After a restart
// it decodes the state and calls resume(). Times are kept to the millisecond.
//
// The actor's loop, in full:
//   out = m.on_order_created(e, resolver, now)   (or on_draft_changed / retry / resume)
//   if (out.persist) store(key, m.encode(), out.audit) else append(out.audit)
//   execute(*out.command): create_order → m.created(seq, id) | m.failed(seq, f, jitter)
//                          lookup_origin → m.found(seq, id or nullopt) | m.failed(...)
//                          update_draft, send_invoice → m.done(seq) | m.failed(...)
//                          schedule_retry → after delay, m.timer(seq)
//   and feed each answer back the same way. The actor ends when no command is returned.
#include "domain/config.hpp"
#include "domain/events.hpp"
#include "domain/ids.hpp"
#include "domain/iso8601.hpp"
#include "domain/order_requests.hpp"
#include "domain/result.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace shopsync {

using order_time = std::chrono::system_clock::time_point;

// Destination variant -> Source variant through the group's mapping; nullopt: no match.
using variant_resolver = std::function<std::optional<variant_id>(variant_id destination_variant)>;

enum class order_doc_kind : std::uint8_t { order, draft_order };

enum class order_phase : std::uint8_t {
  received,                 // nothing decided yet (qualification and resolution are synchronous)
  creating,                 // orderCreate / draftOrderCreate sent (or about to be)
  retry_wait,               // waiting for schedule_retry before the next attempt of `step`
  looking_up,               // searching the Source for the origin tag
  created,                  // the Source id is recorded; nothing in flight
  updating,                 // draftOrderUpdate of the paired Source draft sent
  inviting,                 // draftOrderInvoiceSend sent
  completed_in_destination, // draft target: the Destination draft was completed; no more updates
  needs_attention,          // see `reason`; a manual retry() resumes
  skipped,                  // not qualified, or created by shopsync itself (kept as a record)
  held,                     // its create waits: the group's writes are held (planned or tripped)
};

// The step a phase is about (what retry_wait waits for; what needs_attention failed at).
enum class order_step_kind : std::uint8_t { none, create, lookup, update, invoice };

const char* to_string(order_doc_kind);
const char* to_string(order_phase);
const char* to_string(order_step_kind);
std::optional<order_phase> parse_order_phase(std::string_view); // for `orders --state S`

// How io classifies a failed command. When unsure whether a mutation was applied (timeout
// after sending, connection lost mid-answer, 5xx), say `uncertain`.
enum class order_failure_kind : std::uint8_t {
  transient, // certainly not applied: THROTTLED, 429, connection refused, request never sent
  uncertain, // may have been applied
  permanent, // refused by Shopify: userErrors, or a top-level error a retry won't fix
};

struct step_failure {
  order_failure_kind kind = order_failure_kind::transient;
  error err;
};

struct order_retry_policy {
  std::chrono::milliseconds base_delay{1000};  // delay after the 1st failure, doubled per failure
  std::chrono::milliseconds max_delay{300000}; // cap before jitter
  double jitter_ratio = 0.2;                   // up to this fraction of the delay is added
  std::chrono::milliseconds lookup_delay{5000}; // least wait before the first lookup
  // (the whole lookup window is order_options::lookup_window; lookups inside it back off from
  // base_delay up to max_delay)
  int max_attempts = 10;          // failures of one operation before needs_attention
  int max_permanent_failures = 2; // permanent failures before needs_attention
};

struct order_sync_settings {
  sync_strategy strategy = sync_strategy::order; // order or draft_order: what the Source gets
  order_options options;
  std::uint64_t app_id = 0; // daemon.app_id: documents carrying it are ours
  order_retry_policy retry;
};

struct order_destination {
  store_name store;        // the Destination's name in the configuration
  std::string shop_domain; // its name.myshopify.com
};

// A Destination line that did not make it into the Source document.
struct unmapped_line {
  shopify_id line_id = 0;
  std::optional<variant_id> variant;
  std::string sku, title;
  std::int64_t quantity = 0;
  std::string reason;
};

// Everything that is persisted. Read it through order_sync::state(); change it only
// through order_sync's inputs.
struct order_sync_state {
  // identity
  order_destination destination;
  order_doc_kind destination_kind = order_doc_kind::order;
  shopify_id destination_id = 0;
  std::string destination_name;
  order_doc_kind target = order_doc_kind::order; // what the Source gets
  // the Destination document as last seen
  std::string email, currency, note;
  std::optional<customer_ref> customer;
  std::optional<mailing_address> shipping_address, billing_address;
  std::vector<order_line> lines;
  std::vector<shipping_line> shipping_lines;      // orders
  std::vector<tax_line> tax_lines;                // orders: the order's own
  std::vector<discount_code> discount_codes;      // orders
  std::vector<discount_application> discount_applications; // orders
  std::string total_discounts;                    // orders
  std::optional<bool> taxes_included;
  std::optional<shipping_line> draft_shipping;    // draft orders: shipping_line
  std::optional<applied_discount> draft_discount; // draft orders: applied_discount
  std::optional<bool> tax_exempt;                 // draft orders
  std::vector<std::optional<variant_id>> source_variants; // per line: the resolved Source variant
  std::int64_t destination_updated = 0; // updated_at of the last applied draft event, epoch s
  // progress
  order_phase phase = order_phase::received;
  order_step_kind step = order_step_kind::none; // in flight, or awaited by retry_wait
  std::uint64_t seq = 0;                        // seq of the last command
  int attempts = 0;                             // failures of the current operation
  int permanent_failures = 0;
  order_time retry_at{};                        // retry_wait: when the timer fires
  bool maybe_created = false;                   // a create may have been applied: lookup first
  std::optional<error> last_error;
  std::string reason;                           // why needs_attention / skipped
  order_step_kind failed_step = order_step_kind::none;
  std::optional<shopify_id> source_id;          // the Source order / draft order
  std::string origin_tag;                       // fixed once: tag on the Source document
  std::string origin_marker;                    // "<shop>/<id>": sourceIdentifier
  std::vector<unmapped_line> unmapped;
  std::uint64_t inflight_fingerprint = 0;       // content of the create/update in flight
  std::uint64_t applied_fingerprint = 0;        // content the Source draft has (0: unknown)
  bool invoice_sent = false;
  bool destination_completed = false;
  std::optional<order_id> completed_order;      // the Destination order the draft became
  order_time received_at{}, updated_at{};
  // after an uncertain create: looked up until lookup_until (the create's send time plus the
  // lookup window); `lookups` found nothing so far
  order_time create_sent_at{}, lookup_until{};
  int lookups = 0;
};

// For shopsyncctl orders / order <store> <id>.
struct order_summary {
  std::string state; // to_string(phase)
  std::string store;
  std::string kind; // Destination document: order | draft_order
  shopify_id destination_id = 0;
  std::string destination_name;
  std::string target; // Source document: order | draft_order
  std::optional<shopify_id> source_id;
  int attempts = 0;
  std::string last_error; // "code: message"
  std::string reason;
  std::vector<unmapped_line> unmapped;
  bool attention = false; // needs_attention, or created with unmapped lines (`--attention`)
  order_time received_at{};
};

// Commands for the actor. Each carries the seq that its answer must quote.
namespace order_cmd {
struct create_order {
  std::uint64_t seq = 0;
  order_create_request request; // OrderCreate
};
struct create_draft {
  std::uint64_t seq = 0;
  draft_order_request request; // DraftOrderCreate
};
struct update_draft {
  std::uint64_t seq = 0;
  shopify_id source_draft = 0; // DraftOrderUpdate(id: gid://shopify/DraftOrder/<n>)
  draft_order_request request;
};
struct send_invoice {
  std::uint64_t seq = 0;
  shopify_id source_draft = 0; // DraftOrderInvoiceSend(id), no email: the draft's own
};
// OrdersByOrigin / DraftOrdersByOrigin: query "tag:'<tag>'"; answer found(seq, oldest id).
struct lookup_origin {
  std::uint64_t seq = 0;
  order_doc_kind target = order_doc_kind::order;
  std::string tag;
  std::string marker; // sourceIdentifier, for a check by io (orders only)
};
// Call timer(seq) after `delay`.
struct schedule_retry {
  std::uint64_t seq = 0;
  std::chrono::milliseconds delay{0};
};
} // namespace order_cmd

using order_command =
  std::variant<order_cmd::create_order, order_cmd::create_draft, order_cmd::update_draft,
               order_cmd::send_invoice, order_cmd::lookup_origin, order_cmd::schedule_retry>;

// For the audit log: stable `event` names, a sentence in `detail`.
struct order_audit_record {
  order_time at{};
  std::string store;  // Destination store
  std::string order;  // "order 5812345678901 #1042" / "draft_order ..."
  std::string event;  // skipped, resolved, unmapped_line, create_sent, created, found_existing,
                      // retry_scheduled, needs_attention, draft_updated, invoice_sent, ...
  std::string detail;
};

struct order_output {
  bool persist = false; // the state changed: store encode() before executing `command`
  std::optional<order_command> command; // at most one step is in flight
  std::vector<order_audit_record> audit;
};

class order_sync {
public:
  order_sync(order_sync_settings settings, order_destination destination);

  // A persisted state with today's settings; error code "order_state.decode" when the text
  // is not a state this version wrote.
  static result<order_sync> decode(std::string_view encoded, order_sync_settings settings);
  std::string encode() const;

  const order_sync_state& state() const { return s_; }
  order_summary summary() const;

  // --- Destination events (the router sends each to the state keyed by store/kind/id)
  // orders/create. A second delivery for a state already started is ignored.
  order_output on_order_created(const order_created&, const variant_resolver&, order_time now);
  // draft_orders/create and draft_orders/update: starts, or updates the paired Source draft.
  order_output on_draft_changed(const draft_order_changed&, const variant_resolver&,
                                order_time now);

  // --- answers to commands (quote the command's seq)
  order_output created(std::uint64_t seq, shopify_id source_id, order_time now);
  order_output found(std::uint64_t seq, std::optional<shopify_id> source_id, order_time now);
  order_output done(std::uint64_t seq, order_time now); // update_draft or send_invoice succeeded
  // jitter in [0, 1), drawn by the caller, spreads the retry delay.
  order_output failed(std::uint64_t seq, const step_failure&, double jitter, order_time now);
  order_output timer(std::uint64_t seq, order_time now);

  // --- control and lifecycle
  // shopsyncctl retry: needs_attention only (else nothing happens). Lines are resolved again.
  // A held order whose group syncs again goes on, as with `resume`.
  order_output retry(const variant_resolver&, order_time now);
  // After decode: the command that continues the persisted step. A create that was in flight
  // is looked up first. A held order whose group syncs again goes on to its create.
  order_output resume(order_time now);

  // Whether the group's writes are held (planned or tripped), told by the holder
  // before every input (it is the group's state, not the order's: not persisted). While held,
  // no create is sent: the order waits in phase `held` (persisted, listed, counted), and goes
  // on, exactly once, at the first `resume` or `retry` after the group syncs again. Steps other
  // than a create (a lookup, a draft's update or invoice of a document already created) go on.
  void set_group_held(bool held) { group_held_ = held; }

  // The documents the current state would send (also used for the fingerprints).
  order_create_request order_request() const;
  draft_order_request draft_request() const;

private:
  order_sync() = default;
  void start(order_time now, order_output&, const variant_resolver&);
  // Maps every line again; nullopt, or why nothing can be created from the lines.
  std::optional<std::string> resolve(const variant_resolver&, order_time now, order_output&);
  void begin(order_step_kind, order_time now, order_output&);
  void next_with_source(order_time now, order_output&);
  void attention(order_step_kind failed, std::string reason, order_time now, order_output&);
  void skip(std::string reason, order_time now, order_output&);
  void open_lookup_window();
  void audit(order_output&, order_time now, std::string event, std::string detail) const;

  order_sync_settings settings_;
  order_sync_state s_;
  bool group_held_ = false;
};

// --- the rules, exposed for the router and for tests

// Why an orders/create does not start a sync (nullopt: it qualifies): financial status not
// in the filter (empty filter, or "any" in it: every status), created by shopsync (app id,
// origin tag prefix, our note attributes; never sourceName, which Shopify means for order
// attribution), or a completed draft in a draft_order group (its draft is the one synced).
std::optional<std::string> order_skip_reason(const order_created&, const order_sync_settings&);
std::optional<std::string> draft_skip_reason(const draft_order_changed&,
                                             const order_sync_settings&);

// The origin tag: template placeholders {shop} (shop domain), {order} (document id) and
// {name} (document name, e.g. "#1042") replaced.
std::string make_origin_tag(std::string_view tmpl, std::string_view shop, shopify_id id,
                            std::string_view name);

// parse_iso8601_seconds: domain/iso8601.hpp

// The delay before retry number `failures` (1 = after the first failure).
std::chrono::milliseconds retry_delay(const order_retry_policy&, int failures, double jitter);

// Custom attribute keys on Source documents (they come back as note_attributes).
inline constexpr const char* origin_shop_key = "shopsync_origin_shop";
inline constexpr const char* origin_id_key = "shopsync_origin_order_id";
inline constexpr const char* origin_name_key = "shopsync_origin_order_name";

} // namespace shopsync
