#pragma once
// The inventory item state machine: the sync rules for one mapped identity (a product variant
// matched across the stores of one sync group). Pure and deterministic: events in, commands
// and audit records out. The spec is "inventory item state machine" in docs/ARCHITECTURE.md.
//
// How the holder (the item actor) uses it:
//   1. Build it from the mapping (`item_layout`) with an `epoch` it chose once (time or
//      randomness, an input), persist `encode()`, then call `align()` for the initial alignment.
//   2. Feed every input: `hint` (inventory_levels/update webhook), `connected`/`disconnected`
//      (inventory_levels/connect|disconnect), `read_result`/`read_not_stocked`/`read_failed`,
//      `write_result`/`write_failed`, `set_paused`, `set_stock_unstocked`, `clear_error`. Each
//      returns a `transition`.
//   3. After each input: persist `encode()` together with `transition.commands` (the outbox)
//      and `transition.audit` in one batch, THEN send the commands. Nothing else to decide:
//      a command's `idempotency_key` is stable across restarts, retries reuse the op id.
//   4. After a restart: `decode()` the state and send `restart().commands` (the operations
//      that were in flight; retried with the same op id and key, so they apply once).
//   Transient failures come back as the same command again; the holder (or the store link)
//   applies its backoff before sending any command with attempt > 0. A write refused as
//   not_applied comes back as a new op (new key); an expired one (its key may be gone) is
//   never sent again: the level is read. `view()` answers `shopsyncctl item`.
//
// Levels are addressed by `level_ref{store, slot}`: store 0 is the Source, 1.. the
// Destinations (in the order of the layout); a slot is one mapped location in each store.
#include "domain/config.hpp"
#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "domain/stock_allocation.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shopsync {

// one_way and draft_order groups keep their Destinations equal to the Source. So do order
// groups (follow_orders), except that a Destination's own sale is held: its order is on its way
// to the Source and will lower it there, so setting the Destination back up to the Source's
// pre-order value meanwhile would offer stock that is already sold. A hold ends when the Source
// changes, when the holder calls release_holds() (its grace period is over), or never lowers
// anything (a Destination above the Source is set down at once).
enum class sync_mode : std::uint8_t { one_way, two_way, follow_orders };
sync_mode sync_mode_for(sync_strategy);
// As above, except that an order group holds nothing when its orders leave the Source's stock
// alone (BYPASS: no order will lower the Source) or when its destination_hold is 0.
sync_mode sync_mode_for(const group_config&);
const char* to_string(sync_mode);

struct level_ref {
  std::size_t store = 0; // 0 = Source
  std::size_t slot = 0;
  friend bool operator==(level_ref a, level_ref b) { return a.store == b.store && a.slot == b.slot; }
};

// One store's side of the identity.
struct item_store {
  store_name store;
  inventory_item_id item = 0;
};

// One mapped location: its location id in each store (index = store index); nullopt when that
// store has no location mapped to this slot (it then takes no part in the slot). The Source's
// location (index 0) is always present.
//
// Location sums (one-way and follow_orders only): `adds[i]` lists the other slots whose Source
// quantity is added to this slot's for store i's level here; such a slot may have no
// Destination level of its own. A Source level that is not stocked counts 0 in a sum.
struct item_slot {
  std::vector<std::optional<location_id>> locations;
  std::vector<std::vector<std::uint32_t>> adds; // empty, or one list per store
  std::string name; // the Source location's name, for `shopsyncctl item`; not persisted
};

struct item_layout {
  std::string identity; // matcher key, e.g. "sku:ABC"
  sync_mode mode = sync_mode::one_way;
  std::vector<item_store> stores; // [0] Source, then Destinations
  std::vector<item_slot> slots;
  // Buffers and shares (one-way and follow_orders only): per store (index as stores; [0]
  // unused); empty when every Destination follows plainly. See stock_allocation.hpp.
  std::vector<stock_rule> rules;
};

// Same stores, items, slots, locations, sums and rules: a state made for one serves the other.
bool same_layout(const item_layout&, const item_layout&);

// Shopify's quantities, deltas and changeFromQuantity are GraphQL `Int`: 32-bit signed. Nothing
// outside this range is ever put in a command: a pending two-way delta beyond it is sent in
// steps (deltas commute, so the level converges the same), a set target beyond it blocks the
// level, and an API answer beyond it (impossible from Shopify) is refused, blocking the level.
// Blocked levels carry `quantity_out_of_range` and wait for `clear_error`, as other permanent
// failures do. Values inside the range that Shopify still refuses (|set| > 1e9, |result of an
// adjust| > 2e9) come back as INVALID_QUANTITY_TOO_HIGH/LOW, a permanent failure.
inline constexpr std::int64_t api_int_min = -2147483647LL - 1;
inline constexpr std::int64_t api_int_max = 2147483647LL;
inline constexpr const char* quantity_out_of_range = "QUANTITY_OUT_OF_RANGE";
// The blocked cause of a level whose store no longer has the identity (see unmap_store).
inline constexpr const char* unmapped_cause = "UNMAPPED";

// What a one-way Destination is set to for a Source value: the same, but never below 0. A Source
// oversold to -3 (legal in Shopify) shows 0 in its Destinations, the stock a merchant expects
// there; such a Destination at 0 is at rest (no write, no re-read). Two-way levels share one
// stock and go negative together through adjusts.
std::int64_t destination_target(std::int64_t source);
// With a Destination's buffer or share: apply_rule (never below 0 either).
std::int64_t destination_target(const stock_rule&, std::int64_t source);
// Shopify's answer to a set below 0 (InventorySetQuantitiesUserErrorCode): not applied.
inline constexpr const char* invalid_quantity_negative = "INVALID_QUANTITY_NEGATIVE";

// A time as Shopify states it (ISO-8601 with seconds resolution), as seconds since the Unix
// epoch (UTC). The machine reads no clock: it only compares the times its inputs carry.
//
// Times: acting on a hint without a read. A level keeps, next to `known`, `known_at`: a second
// in which the level held `known` (a read's InventoryLevel.updatedAt: the second of the change
// that made it so; a confirmed write's InventoryAdjustmentGroup.createdAt, taken as +-1 s, see
// write_time_slack; a hint's own updated_at once trusted). Unknown after anything else that
// sets `known` (a write answered without a time or not seen, a stocking change, an old state).
// An inventory_levels/update payload (value v, updated_at u: the second of the last change
// before the payload was assembled; v is the level after it) is then:
//   - u > known_at (strictly, beyond the slack), nothing in flight, not dirty, not blocked,
//     stocked: v's last change happened after a moment when the level held `known`, so v is a
//     later state; nothing of ours was applied between (no op in flight, every write of ours
//     confirmed, and a confirmed one moves known_at to its own time): v - known is a change
//     made by others, counted and propagated exactly as a read finding v would. No read.
//     (Equal: known_at just moves on.)
//   - u < known_at (beyond the slack): v's last change happened before the last change that
//     made the level `known` (that one is the last before a moment in second known_at, and v's
//     is earlier than that second), so v is known's state or an older one: it tells nothing
//     new and is dropped, even with an op in flight (an old state says nothing about our op).
//     Pre-write snapshots delivered after our write carry u <= our write's second: dropped
//     here, or read under the next rule, never trusted.
//   - u == known_at (two changes in one second cannot be ordered), or either time unknown:
//     the rules above without times (equal: echo; else read).
// known_at is the time of the newest state taken in: an echo without a time forgets it (it may
// be a change and its reversal after known_at, so an older hint could look newer), and hints
// received in flight that agree with the answer move it to the newest of their times.
// Hints received while an op was in flight that the answer (value a at time r: a read's
// updatedAt, or a write's createdAt with the slack) does not show are judged by the same rules
// once the answer is in: every time < r: states before the answer, which includes them:
// dropped, whatever their values; all with one value v, the newest time > r: v is a later
// state, taken as the truth at its time if nothing is in flight then. A time missing (a hint's,
// or the answer's): read. Else (a time within the slack, values that disagree and one newer):
// the times cannot order them, as below.
// Hints the times cannot order (a second within the slack of a write's createdAt, the second
// of known_at itself, or hints in flight as above) are read at once, exactly, while the store has
// points to spare. Where reads are scarce (set_reads_scarce: the store's bucket is not nearly
// full) they no longer cost a read each: in a busy store most sales land within a second of one
// of shopsync's writes, and reading each of them spends the cost bucket the writes need. Such a
// hint is, instead:
//   - taken provisionally, when it is lower than known and than the level just before our write
//     (the lowest of them, for hints in flight), and the level propagates changes (two-way levels,
//     a one-way Source): in a stream of sales the lowest value is the newest state, and no state
//     before our write is below both. It can still be an older state when changes before our
//     write went down and up again (a sale and its return in one second): the error then shows
//     less stock in the other stores for a while, never more;
//   - set aside otherwise (higher: an older state in a stream of sales, or a restock whose
//     latency is the verification's; any value at a one-way Destination, where a wrong value
//     would send a compare-and-set doomed to fail).
// Either way the level is `unverified`: known_at stays the write's (so later hints are still
// judged against it), and the level owes a verification. Any exact observation clears it: an op's
// answer (a read, a write's quantityAfterChange) or a hint newer than known_at. Otherwise the
// holder calls verify() once its delay has passed, which reads the level. Counting is safe either
// way: every observation counts (observed - known) and moves known to it, so what is propagated
// telescopes to (last observed - first known - our own deltas): a provisional value that was
// wrong is corrected by the next exact observation, and a hint set aside loses only latency.
// The only assumption: Shopify stamps updated_at with the time of the level's last change and
// createdAt within a second of the change it made (one transaction); a missing time is unknown.
// (shopify_time: domain/ids.hpp.)
// How far a write's createdAt may be from the second its change reached the level.
inline constexpr shopify_time write_time_slack = 1;
// The causes of the records of the rules above (echo_dropped; external_change via a hint).
inline constexpr const char* older_hint_cause = "older than known (updated_at): an old state";
inline constexpr const char* newer_hint_cause = "webhook newer than known (updated_at)";
inline constexpr const char* older_in_flight_cause = "hints in flight older than the answer (updated_at)";
inline constexpr const char* provisional_cause = "webhook its time cannot order, lower than known: taken, to be verified";
inline constexpr const char* set_aside_cause = "webhook its time cannot order: set aside until verified";
inline constexpr const char* verify_cause = "verifying a webhook taken or set aside";

enum class op_kind : std::uint8_t { none, read, set, adjust };
const char* to_string(op_kind);

// Whether the item is stocked at a level's location. Since 2026-10 Shopify accepts a write at a
// location where the item is not stocked and stocks it there, so writing is a decision: a
// level that is not stocked (never stocked, removed by the merchant, or deactivated) is not
// written, and takes no part in its slot, unless the group says to stock it
// (`set_stock_unstocked`, Destinations only: the Source is the merchant's truth). A level that
// comes back (connect, or a read finding it) starts again as a new level: a one-way
// Destination is set to the Source, a two-way Destination is aligned to the slot's value (never
// counting its reappearance as a sale or a restock).
//   disconnect_seen: stocked as far as known, but inventory_levels/disconnect said otherwise:
//   nothing is written until a read tells (a late disconnect changes nothing then).
enum class stocking : std::uint8_t { stocked, not_stocked, inactive, disconnect_seen };
const char* to_string(stocking);

// An API call to make. read: read `available` at (item, location). set: inventorySetQuantities
// to `target` with changeFromQuantity = `change_from` (null when absent). adjust:
// inventoryAdjustQuantities by `delta` with changeFromQuantity null.
struct command {
  op_kind kind = op_kind::none;
  level_ref at;
  store_name store;
  inventory_item_id item = 0;
  location_id location = 0;
  std::uint64_t op_id = 0;  // the answer must quote it
  std::uint32_t attempt = 0; // 0 first send; >0 back off first (a retry of the same op, or
                             // the next op after a write refused with not_applied)
  std::int64_t target = 0;  // set
  std::int64_t delta = 0;   // adjust
  std::optional<std::int64_t> change_from; // set only
  std::string idempotency_key; // writes: stable f(epoch, store, item, location, op id)
};

// How a failed call failed (src/io/write_answer.hpp reads Shopify's answers into these).
// transient: the outcome is uncertain or was refused for now (timeout, lost answer, 5xx,
//   THROTTLED, IDEMPOTENCY_CONCURRENT_REQUEST): the same op is retried with the same key.
// stale: CHANGE_FROM_QUANTITY_STALE, not applied: re-read.
// not_applied: certainly not applied and worth another try (ADJUST_QUANTITIES_FAILED,
//   SERVICE_UNAVAILABLE, IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED). Shopify refuses a key whose
//   attempt failed ("Retry with a new idempotency key"), so the op ends: the level is re-read
//   (after a backoff) and the intent goes out again as a new op, under a new key.
// expired: unanswered for longer than Shopify may keep its key: a resend could apply twice,
//   so the op is never sent again. The write is taken as applied and the level re-read (the
//   read counts whatever else changed). Never twice; if it in fact never applied, its change
//   is lost and the read counts the difference as a change made there (audited as `expired`).
// permanent: not applied, not retried (NON_MUTABLE_INVENTORY_ITEM, ...): the level is
//   blocked until `clear_error`.
enum class failure_kind : std::uint8_t { transient, stale, permanent, not_applied, expired };
// A level that is not stocked is not a failure: see `stocking` and `read_not_stocked`.

enum class audit_kind : std::uint8_t {
  echo_dropped,     // hint equal to known with nothing in flight: no API call
  hint_ignored,     // hint without a value (available null) or for a level not mapped here
  hint_dirty,       // hint differs (or an op is in flight): level will be re-read
  observed,         // first certain value of a level
  external_change,  // a change not made by us, found by a read or a write result
  delta_propagated, // two-way: our adjust confirmed (before, after, delta)
  level_set,        // a set confirmed (one-way target, or two-way alignment)
  aligned,          // two-way Destination reached the baseline (by set or already equal)
  retried,          // transient failure: the same op is sent again
  stale,            // CHANGE_FROM_QUANTITY_STALE: re-read
  error,            // permanent failure: the level is blocked
  stale_answer,     // an answer for an op that is no longer in flight: ignored
  held,             // follow_orders: a Destination's sale keeps its level until its order lands
  released,         // a hold ended (the Source changed, or the grace period is over)
  paused,
  resumed,
  error_cleared,
  not_applied,      // a write refused for now, certainly not applied: re-read, then a new op (new key)
  expired,          // a write unanswered longer than its key lives: taken as applied, re-read
  not_stocked,      // the level is not stocked (or inactive, or disconnected): not written
  stocked,          // the level is stocked again (found by a read), or stocked by our write
  undone,           // a merchant's undo: `delta` owed to the level to reverse shopsync's writes
};
const char* to_string(audit_kind);

// The holder adds the time and the identity when it appends the record.
struct audit_record {
  audit_kind kind = audit_kind::error;
  level_ref at;
  store_name store;
  location_id location = 0;
  std::optional<std::int64_t> before, after;
  std::int64_t delta = 0;
  std::uint64_t op_id = 0;
  std::string cause;
};

// What hint() (and connected()) made of a webhook or reconcile value, for the holder's metrics.
enum class hint_verdict : std::uint8_t {
  none,      // not a hint's transition
  ignored,   // the level is not mapped, or the value is null
  echo,      // equal to what is known: nothing to do
  older,     // an old state (its time): dropped
  taken,     // newer than known and different: taken as the truth, no read
  differs,   // different from known with nothing in flight: the level is read
  in_flight, // arrived while an op was in flight: judged when its answer is in
  unknown,   // the level is not known yet (or was connected): it is read
  provisional, // its time cannot order it; lower than known: taken, to be verified
  set_aside,   // its time cannot order it: kept out of the count until the level is verified
};

struct transition {
  std::vector<command> commands;
  std::vector<audit_record> audit;
  bool held = false; // follow_orders: a sale was held; its grace period starts now (the holder's timer)
  hint_verdict verdict = hint_verdict::none;
};

// For `shopsyncctl item`.
struct level_view {
  level_ref at;
  store_name store;
  location_id location = 0;
  std::optional<std::int64_t> known;
  // A second in which the level held `known` (see "Times"); nullopt: unknown. With
  // known_at_slack, the true second is within +- write_time_slack of it (a write's createdAt).
  std::optional<shopify_time> known_at;
  bool known_at_slack = false;
  op_kind in_flight = op_kind::none;
  std::uint64_t op_id = 0;
  std::int64_t op_value = 0;                   // target (set) or delta (adjust)
  std::optional<std::int64_t> pending_target; // one-way Destination not yet at the Source's value
  std::int64_t pending_delta = 0;             // two-way, not yet sent
  bool dirty = false;
  bool aligned = false; // two-way: shares the baseline
  bool held = false;    // follow_orders: a sale here waits for its order to reach the Source
  bool unverified = false; // a hint was taken provisionally or set aside: verify() will read
  std::string blocked;  // error code of a permanent failure; empty when fine
  stocking stock = stocking::stocked;
  stock_rule rule;                  // one-way Destination: its buffer and share
  std::vector<std::size_t> sum_of;  // one-way Destination: the other slots summed into it
  std::optional<std::int64_t> follows; // one-way Destination: the Source value it follows (summed)
};

// A write the machine owes a level but has not sent (paused, or waiting for its turn): what a
// plan shows. `before`: the level's known value (nullopt: not read yet).
struct pending_write {
  level_ref at;
  store_name store;
  location_id location = 0;
  std::optional<std::int64_t> before;
  std::int64_t after = 0;
};

class inventory_item_state {
public:
  inventory_item_state(item_layout layout, std::uint64_t epoch);

  // Inputs. Each returns what to send and what to record.
  // Initial alignment: read every level; then one-way Destinations are set to the Source's
  // value, two-way Destinations to the baseline (the Source's first value + every change
  // counted since) with a compare-and-set. Safe to repeat (resync): it only re-reads.
  transition align();
  // A webhook's value is a hint, never truth: equal to known with nothing in flight it is an
  // echo (dropped); otherwise the level is re-read (after the op in flight, if any), unless
  // every hint received during that op carried the value its answer found (they describe it).
  // A dirty two-way level owing a delta sends the adjust instead: its answer is the read.
  // `updated_at` (the payload's, see shopify_time) lets a hint be acted on without a read, or
  // dropped as old, when the times prove it (see "Times" below); nullopt: as above.
  transition hint(level_ref, std::optional<std::int64_t> available,
                  std::optional<shopify_time> updated_at = std::nullopt);
  // Answers quote the op id of their command; an answer for an op no longer in flight (a
  // duplicate, a late first attempt) is recorded as stale_answer and changes nothing.
  // `updated_at`: the level's InventoryLevel.updatedAt in the same answer (nullopt: not known).
  transition read_result(level_ref, std::uint64_t op_id, std::int64_t quantity,
                         std::optional<shopify_time> updated_at = std::nullopt);
  transition read_failed(level_ref, std::uint64_t op_id, failure_kind, const std::string& code);
  // The read found no level (`why` = not_stocked) or a deactivated one (inactive). Not an
  // error: nothing is written there (unless stocking is allowed), the holder reports it.
  // `quantity`: an inactive level's available (a group stocking unstocked levels syncs it).
  transition read_not_stocked(level_ref, std::uint64_t op_id, stocking why,
                              std::optional<std::int64_t> quantity = std::nullopt);
  // inventory_levels/connect: the item is now stocked there; the level is read (a hint).
  transition connected(level_ref);
  // inventory_levels/disconnect (or a reconcile read finding no level): the level is gone,
  // unless the webhook is late: no write until a read tells. Nothing for a level already
  // known not to be stocked.
  transition disconnected(level_ref);
  // quantity_after_change: `quantityAfterChange` of the mutation's change for this level.
  // created_at: the InventoryAdjustmentGroup's createdAt (nullopt: not known).
  transition write_result(level_ref, std::uint64_t op_id, std::int64_t quantity_after_change,
                          std::optional<shopify_time> created_at = std::nullopt);
  // Applied, but the answer did not report the level after it (Shopify always does; a
  // defensive path): the level is taken to be what the write made it and re-read, so that
  // whatever raced the write is still counted. Never sent again.
  transition write_applied_unseen(level_ref, std::uint64_t op_id);
  transition write_failed(level_ref, std::uint64_t op_id, failure_kind, const std::string& code);
  // Paused: no new write is sent; hints, reads and answers go on being recorded, and an op
  // already in flight is still completed (its transient retries included). Resuming sends
  // the coalesced intents.
  transition set_paused(bool paused);
  // The group's stock_unstocked option: Destinations' levels that are not stocked are written
  // (which stocks them) as if they held 0, with no compare-and-set.
  transition set_stock_unstocked(bool);
  bool stock_unstocked() const { return stock_unstocked_; }
  transition clear_error(level_ref);  // unblock after a permanent failure: re-read, go on
  // Undo (domain/undo_plan.hpp): `delta` is owed to the level as shopsync's own change
  // (sent as an adjust, never propagated to the other stores, audited `undone` now and
  // `delta_propagated` when confirmed). Two-way levels sharing the slot's value, and one-way
  // Destination levels (known, writable); else refused, recorded as hint_ignored.
  // One-way: the adjust is sent even while paused (a merchant's order, not a sync write), and
  // the set back to the Source's value stays pending behind it: so the holder pauses the
  // machine first (the group guard holds the group), else the Destination follows its Source
  // again right after. `is_undo` tells such a command apart.
  transition undo(level_ref, std::int64_t delta, const std::string& cause);
  // A one-way group writes its Destinations with sets only: an adjust there is an undo.
  bool is_undo(const command& c) const { return c.kind == op_kind::adjust && layout_.mode != sync_mode::two_way; }
  // The identity's variant in `store` is gone (deleted there, so unmapped): its levels are
  // blocked with unmapped_cause at once, so nothing more is written there, not even an intent
  // still pending; an op in flight gets its answer but is never retried. The holder starts a
  // new life with the new layout once nothing is in flight.
  transition unmap_store(std::size_t store);
  // follow_orders: the holder's grace period for held sales is over; their Destinations follow
  // the Source again.
  transition release_holds();
  // The holder's verification delay is over: every unverified level with nothing in flight is
  // read (a dirty two-way level owing a delta sends its adjust instead). Levels blocked or not
  // stocked meanwhile are not synced, so they owe nothing any more.
  transition verify();
  // Whether reads are scarce at `store` now (its cost bucket not nearly full): hints the times
  // cannot order are then taken provisionally or set aside there (see "Times"); else read at
  // once. Not persisted: the holder tells it before every input. Default: not scarce.
  void set_reads_scarce(std::size_t store, bool scarce);
  // After decode(): the ops that were in flight, to send again (same op ids and keys). The
  // state is its own outbox: nothing but encode() needs persisting.
  transition restart() const;

  // Whether `hint(at, available, updated_at)` would change nothing and send nothing: the
  // hint's echo rule holds (equal to known, nothing in flight there; see echo_rule), the level
  // owes nothing (stocked, not dirty, not blocked, not held, nothing pending), and known_at is
  // left as it is: without a time, the echo forgets known_at, so only a level without one is
  // left unchanged; with a time, the value is an echo when that time is not newer than
  // known_at (see "Times": newer moves known_at on). A holder may then drop such a hint (a
  // reconcile read equal to the persisted state) without loading the item, at the cost of its
  // echo_dropped audit record only. Not mapped here: false.
  bool echo_of(level_ref, std::int64_t available, std::optional<shopify_time> updated_at = std::nullopt) const;

  // The level of a webhook (store name + location id); nullopt when not mapped here.
  std::optional<level_ref> find_level(const store_name&, location_id) const;

  const item_layout& layout() const { return layout_; }
  bool paused() const { return paused_; }
  bool holding() const; // a Destination's sale is held (the holder owes a release_holds())
  bool unverified() const; // a level owes a verification (the holder owes a verify())
  bool in_flight() const; // an operation is in flight at some level
  // The next life of this identity must start its op ids (its epoch) at least here.
  std::uint64_t next_op_id() const { return next_op_; }
  bool idle() const;    // nothing in flight, dirty, left to write, held or unverified
  std::vector<level_view> view() const;
  // The writes owed and not in flight, each with the level it would leave: one-way
  // Destinations not at the Source's value, two-way Destinations to align, two-way deltas owed.
  // Of a paused machine: exactly what resuming would send (before its answers).
  std::vector<pending_write> would_write() const;

  // A compact versioned text ("iis6 ..."; "iis1" to "iis5" are still read): a few hundred bytes
  // for 3 stores, 1 slot.
  // decode() refuses other versions and damaged input with error_kind::state_corrupt ("state.corrupt").
  std::string encode() const;
  static result<inventory_item_state> decode(const std::string&);

  friend bool operator==(const inventory_item_state&, const inventory_item_state&);

private:
  friend struct inventory_item_codec; // the field lists of encode/decode (inventory_item_codec.cpp)
  struct level {
    bool present = false;
    std::optional<std::int64_t> known;
    // A second in which the level held `known` (see "Times" above); with `known_at_slack` the
    // true second is within +- write_time_slack of it (a write's createdAt).
    std::optional<shopify_time> known_at;
    bool known_at_slack = false;
    op_kind op = op_kind::none;
    std::uint64_t op_id = 0;
    std::uint32_t attempt = 0;
    std::int64_t op_target = 0; // set: target
    std::int64_t op_delta = 0;  // adjust: delta; two-way set: the pending delta it carries
    std::optional<std::int64_t> op_change_from;
    std::optional<std::int64_t> target; // one-way Destination
    std::int64_t delta = 0;            // two-way
    bool dirty = false;
    // While an op is in flight: the value every hint received since it was sent carried
    // (unset when none came, when they disagreed, or when the level is dirty for another reason).
    std::optional<std::int64_t> hinted;
    // The newest of those hints' times, also when they disagreed; unset if one had none, or when
    // the level is dirty for another reason.
    std::optional<shopify_time> hinted_at;
    // The lowest value of those hints of the newest second (hinted_at; unset when it is): the
    // latest states they tell, the one taken provisionally.
    std::optional<std::int64_t> hinted_low;
    bool unverified = false; // see "Times": a hint taken provisionally or set aside
    // While known_at is a write's createdAt (known_at_slack): the level just before that write.
    std::optional<std::int64_t> written_from;
    bool aligned = false;
    bool held = false;
    std::string blocked;
    stocking stock = stocking::stocked;
  };
  struct slot_state {
    std::optional<std::int64_t> baseline; // two-way: the Source's first value
    std::vector<level> levels;            // by store index
  };

  inventory_item_state() = default;
  level* find(level_ref);
  const level* find(level_ref) const;
  // hint()'s rule without times: a value equal to known with nothing in flight is an echo.
  static bool echo_rule(const level&, std::int64_t available);
  level* mapped(level_ref, transition&); // find(), or nullptr with a hint_ignored record
  level* answered(level_ref, std::uint64_t op_id, bool write, const char* what,
                  std::optional<std::int64_t> value, transition&);
  command make_command(level_ref, const level&) const;
  audit_record make_audit(audit_kind, level_ref, std::string cause) const;
  void observe(level_ref, std::int64_t quantity, const char* cause, transition&);
  void external_change(level_ref, std::int64_t delta, std::int64_t before, std::int64_t after,
                       const char* cause, transition&);
  void issue(level_ref, level&, op_kind, transition&);
  void hold_or_release(level_ref, std::int64_t before, std::int64_t after, transition&);
  void release(std::size_t slot, const char* cause, transition&);
  void block(level_ref, level&, std::string cause, transition&);
  void must_read(level&);
  // `known` was set from an input with this time (nullopt: none; slack: a write's createdAt).
  static void known_since(level&, std::optional<shopify_time>, bool slack = false);
  bool writable(level_ref, const level&) const;
  void unstock(level_ref, level&, stocking why, transition&);
  transition confirm_write(level_ref, std::uint64_t op_id, std::optional<std::int64_t> seen,
                           const char* unseen_cause, std::optional<shopify_time> created_at);
  // What the hints received while an op was in flight leave once its answer is in.
  struct settled_hints {
    std::optional<shopify_time> known_at; // when the level held the answer's value
    std::optional<std::int64_t> later;    // a later state they proved (taken by take_later)
    shopify_time later_at = 0;
    std::optional<std::int64_t> provisional; // their lowest value, to take provisionally (take_later)
  };
  // `slack`: the answer's time is a write's createdAt (+- write_time_slack).
  // `before`: the level just before the op took effect (a read: `value`; an adjust: value -
  // delta; a compare-and-set: changeFromQuantity; nullopt: not known).
  settled_hints settle_hints(level_ref, level&, std::int64_t value, std::optional<shopify_time> answered_at,
                             bool slack, std::optional<std::int64_t> before, transition&);
  void take_later(level_ref, level&, const settled_hints&, transition&);
  // Whether a hint the times cannot order, of value v, may be taken provisionally here: the
  // level propagates changes and v is below both `now` and `before` (see "Times").
  bool takes_provisionally(level_ref, std::int64_t v, std::int64_t now, std::optional<std::int64_t> before) const;
  // hint()'s rule for a hint the times cannot order at a level at rest.
  transition unordered_hint(level_ref, level&, std::int64_t available);
  void plan(transition&);
  void plan_level(level_ref, transition&);
  bool owes_undo(level_ref, const level&) const; // a one-way Destination's undo delta waits
  // One-way: the Source quantity a Destination level follows (its slot's, plus the slots
  // summed into it); nullopt while one is unknown, or when none is stocked.
  std::optional<std::int64_t> followed(level_ref) const;
  stock_rule rule_of(std::size_t store) const;
  bool feeds(std::size_t slot, std::size_t into, std::size_t store) const;

  item_layout layout_;
  std::uint64_t epoch_ = 0;
  std::uint64_t next_op_ = 1;
  bool paused_ = false;
  bool stock_unstocked_ = false;
  std::vector<slot_state> slots_;
  std::vector<bool> scarce_; // by store index (set_reads_scarce); not persisted
  bool scarce(std::size_t store) const { return store < scarce_.size() && scarce_[store]; }
};

} // namespace shopsync
