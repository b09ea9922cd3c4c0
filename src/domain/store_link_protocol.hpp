#pragma once
// The store link's protocol, pure: what one store's link sends, when, and what each requester
// is told. The actor (actors/store_link.cpp) only carries its inputs and effects to and from
// the io threads.
//
// Inputs: requesters' asks (writes, level reads, other calls, each with a ticket), the Admin
// API's answers, timer ticks, "persisted" confirmations from the outbox, held/resumed (the
// store unauthorized or authorized again), deleted items. Every input takes the time.
// Effects, in order: requests to send (a write batch with what to persist first, a level
// query, a call), answers to requesters (by ticket), records to persist, a tick to arm,
// notices to log, and "unauthorized" (the shell stops everything until its probe succeeds).
//
// The rules:
// - Writes coalesce for the batching window (domain/write_coalescer), then go as batches of at
//   most write_coalescer::max_batch_entries, each saved (with its key and exact variables)
//   before it is sent. Adjusts whose deltas cancelled out send nothing: their requesters get
//   the level read by a later query (not stocked: level_not_stocked, below).
// - An answer that leaves the outcome unknown, or a transient refusal, parks the batch (same
//   key, same variables): its requesters are told the error, and the batch is sent again when
//   one of them asks again, while its key lives (domain/write_expiry.hpp); else it is settled
//   with write_expired. Entries refused on their own are answered; the rest goes again as a
//   new batch (new id, new key, saved first). Every other refusal settles the whole batch.
// - Results are recorded (persisted) with the batch's removal; one asked again before the
//   record is on disk is answered from memory, one on disk through `find_result`.
// - A level read is answered by a query sent after it was asked; one query reads up to
//   max_read_keys levels of one location (the oldest read's), oldest first.
// - At most max_in_flight requests are in flight; a free slot goes to writes, reads and other
//   calls in turn, so that none waits behind a steady flow of another.
// - A write batch is taken from the coalescer only once the store's cost bucket can pay for a
//   mutation (bucket_wait): on a throttled store the changes arriving meanwhile join it, so the
//   bucket buys a few full mutations instead of many small ones queued at the client. While a
//   batch waits so, nothing else is sent (reads would spend its points and could starve it).
// - Below the bucket's reserve (write_reserve), a batch that is not full waits to fill, for at
//   most max_write_wait: a mutation costs the same for one change or 250, so on a busy store the
//   points go further in full batches and the rest is left to reads (verifications, first
//   reads), which go meanwhile. Above it, a batch goes when the window ends.
// - An "admin.unauthorized" answer puts its request back at the head of its queue unanswered
//   and holds everything until resume().
#include "domain/inventory_answers.hpp"
#include "domain/inventory_item_state.hpp"
#include "domain/link_records.hpp"
#include "domain/result.hpp"
#include "domain/write_coalescer.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

namespace shopsync {

// Now, as the protocol needs it: a monotonic time for the batching window, the wall clock (unix
// s) for the keys' age and the records.
struct link_time {
  std::chrono::milliseconds steady{0};
  std::int64_t unix_s = 0;
};

// One requester's ask, numbered by the shell; every ticket is answered exactly once (a call's
// by the shell, when its answer comes).
using link_ticket = std::uint64_t;

// The reply owed to the requester holding `ticket` (the shell delivers the reply part).
struct link_write_answer : inventory_write_reply {
  link_ticket ticket = 0;
};

struct link_read_answer : level_read_reply {
  link_ticket ticket = 0;
};

// Send a write batch: persist `pre` first (not saved: not sent; answer write_answered with
// outbox_write_failed_code), then the mutation with exactly these variables.
struct link_send_write {
  std::uint64_t batch = 0;
  write_kind kind = write_kind::adjust;
  std::string variables_json;
  std::vector<level_key> keys;
  outbox_transition pre;
};
// Send one InventoryLevels query.
struct link_send_reads {
  std::uint64_t query = 0;
  std::vector<level_key> keys;
};
// Start the call of this ticket (queued by call()).
struct link_start_call {
  link_ticket ticket = 0;
};
// Persist this transition; then tell persisted(results).
struct link_persist {
  outbox_transition t;
};
struct link_notice {
  enum class level { debug, info, warn } lvl = level::info;
  std::string text;
};
// Call tick() after this long.
struct link_arm_tick {
  std::chrono::milliseconds after{1};
};
// A request met "admin.unauthorized": the protocol holds; the shell probes and resumes.
struct link_unauthorized {
  error err;
};

using link_effect = std::variant<link_write_answer, link_read_answer, link_send_write, link_send_reads,
                                 link_start_call, link_persist, link_notice, link_arm_tick, link_unauthorized>;

// How an op's record (link_records.hpp) says its write was applied but the answer did not report
// the level after it (kept as it is on disk); its requesters are told write_verdict::applied_unseen.
inline constexpr const char* write_applied_unseen_code = "admin.no_change_reported";
// The client's code for a request refused for want of a working token.
inline constexpr const char* unauthorized_code = "admin.unauthorized";
// The link's code for an adjust whose deltas cancelled out (nothing sent) at a level its read
// found not stocked: not applied; the requester re-reads, and the read tells it so.
inline constexpr const char* level_not_stocked_code = "shopsync.not_stocked";
// A batch not saved, so not sent.
inline constexpr const char* outbox_write_failed_code = "outbox.write_failed";
// The codes of those kinds (domain/error_kind.hpp): logic branches on the kinds.
static_assert(code_of(error_kind::admin_no_change_reported) == write_applied_unseen_code);
static_assert(code_of(error_kind::admin_unauthorized) == unauthorized_code);
static_assert(code_of(error_kind::not_stocked) == level_not_stocked_code);
static_assert(code_of(error_kind::outbox_write_failed) == outbox_write_failed_code);

struct store_link_protocol_options {
  std::string store; // for notices
  int max_in_flight = 1;
  std::chrono::milliseconds batching_window{50};
  std::chrono::seconds idempotency_key_max_age{3600};
  std::size_t max_read_keys = 250;
  std::size_t max_batch_entries = write_coalescer::max_batch_entries;
  // Whether results are persisted (an outbox): then they are kept in memory until persisted().
  bool durable = true;
  // Whether debug notices (every read queued and answered) are wanted now (may be empty: no).
  std::function<bool()> debug_notices;
  // Gives a new batch its id, idempotency key and exact variables.
  std::function<outbox_batch(write_batch)> make_batch;
  // How a failed answer is read (actors/link_failure.hpp).
  std::function<failure_kind(const error&)> classify;
  // How long until the store's cost bucket holds `cost` points (zero: now, or not known); may be
  // empty: writes never wait for the bucket here (the client still does).
  std::function<std::chrono::milliseconds(double cost)> bucket_wait;
  double write_cost = 10; // a mutation's requested cost (Shopify: 10 per mutation)
  // Points the bucket keeps before a batch that is not full goes (0 or empty: none; the shell
  // gives half the bucket's maximum), and how long such a batch waits to fill at most.
  std::function<double()> write_reserve;
  std::chrono::milliseconds max_write_wait{1000};
  // A result recorded on disk for (item, location, op), if any (may be empty).
  std::function<std::optional<op_result>(inventory_item_id, location_id, std::uint64_t)> find_result;
};

class store_link_protocol {
public:
  explicit store_link_protocol(store_link_protocol_options opts);

  // Batches found in the outbox at start: maybe sent before, so resent only while their key lives.
  void recover(std::vector<outbox_batch> batches, link_time now);
  void write(const write_intent& in, link_ticket t, link_time now);
  void read(const level_key& k, link_ticket t, link_time now);
  // Another request (a catalog page, the locations, a GraphQL call), sent at its turn.
  void call(link_ticket t, link_time now);
  // A started call's answer came (the shell answers its requester).
  void call_answered(link_time now);
  // A started call met "admin.unauthorized": it goes back to the head of its queue.
  void call_unauthorized(link_ticket t, const error& e, link_time now);
  void write_answered(std::uint64_t batch, result<write_outcome> r, link_time now);
  void reads_answered(std::uint64_t query, result<std::vector<level_value>> r, link_time now);
  void persisted(const std::vector<op_result_record>& results);
  void tick(link_time now);
  // Inventory items deleted in the store: nothing more is sent for them.
  void forget(std::vector<inventory_item_id> items, link_time now);
  // The store is unauthorized (an answer, or app/uninstalled): nothing is sent until resume().
  void hold(const error& e);
  void resume(link_time now);
  void note_error(const error& e);

  std::vector<link_effect> take_effects();

  bool held() const noexcept { return held_; }
  int in_flight() const noexcept { return in_flight_; }
  std::size_t queued_writes() const noexcept { return coalescer_.pending_entries(); }
  std::size_t queued_ops() const noexcept { return coalescer_.pending_ops(); }
  std::size_t queued_reads() const noexcept { return read_order_.size(); }
  std::size_t ready_batches() const noexcept { return ready_.size(); }
  std::size_t queued_batches() const;
  std::size_t parked_batches() const;
  std::uint64_t mutations() const noexcept { return mutations_; }
  std::uint64_t entries_written() const noexcept { return entries_written_; }
  std::uint64_t level_queries() const noexcept { return level_queries_; }
  std::uint64_t errors() const noexcept { return errors_; }
  const std::string& last_error() const noexcept { return last_error_; }

private:
  struct op_key {
    write_kind kind;
    inventory_item_id item;
    location_id location;
    std::uint64_t op;
    bool operator<(const op_key& o) const {
      return std::tie(kind, item, location, op) < std::tie(o.kind, o.item, o.location, o.op);
    }
  };
  enum class batch_where { ready, sending, parked };
  struct batch_slot {
    outbox_batch b;
    batch_where where = batch_where::ready;
    outbox_transition pre;    // persisted before the next send
    bool sent_before = false; // recovered from the outbox, or sent by this run
  };
  // A read's requester, or (no ticket) the ops of adjusts whose deltas cancelled out there.
  struct read_waiter {
    std::optional<link_ticket> ticket;
    std::vector<std::uint64_t> ops;
  };
  struct sent_reads {
    std::vector<level_key> keys;
    std::vector<std::vector<read_waiter>> waiters; // by key
  };
  using batch_iter = std::map<std::uint64_t, batch_slot>::iterator;

  void schedule(link_time now);
  bool take_write_batch(link_time now);
  void send_batch(std::uint64_t id, link_time now);
  void send_reads();
  void queue_read(const level_key& k, read_waiter w, link_time now);
  void answer_read(const level_key& k, const read_waiter& w, const link_read_answer& rep);
  void answer(const op_key& k, const op_result& r);
  void answer_unknown(const op_key& k, const error& e);
  void reply_now(link_ticket t, std::uint64_t op, const op_result& r);
  write_verdict verdict_of(const op_result& r) const;
  void register_batch(outbox_batch b, outbox_transition pre, bool front);
  void settle_batch(batch_iter sit, const error& e, link_time now);
  void persist(outbox_transition t, link_time now);
  void notice(link_notice::level lvl, std::string text);
  bool debug_wanted() const;
  static error deleted_item_error();

  store_link_protocol_options opts_;
  std::vector<link_effect> out_;

  write_coalescer coalescer_;
  std::optional<std::chrono::milliseconds> writes_since_, reads_since_;
  std::map<op_key, std::vector<link_ticket>> write_waiters_;
  std::map<std::uint64_t, batch_slot> batches_;
  std::deque<std::uint64_t> ready_;
  std::map<op_key, std::uint64_t> op_batch_;

  // Reads asked and not yet sent, and the requesters of each query sent. A read is answered by
  // a query sent after it was asked: one asked while the level's query is on its way waits for
  // the next (joining it could answer "what was there" to a requester that learnt of a change).
  std::map<level_key, std::vector<read_waiter>> read_waiters_;
  std::deque<level_key> read_order_;
  std::map<std::uint64_t, sent_reads> reads_sent_;
  std::uint64_t read_queries_ = 0;
  std::deque<link_ticket> calls_;

  // Results answered but maybe not yet on disk: a requester asking again in that gap must
  // still find them (else its op would be batched anew, under a new key).
  std::map<std::tuple<inventory_item_id, location_id, std::uint64_t>, op_result> unpersisted_;

  // Inventory items deleted in the store: no write for them is sent any more. Shopify never
  // reuses an id, so the set only grows; a restart starts from a mapping without them.
  std::set<inventory_item_id> deleted_items_;

  int in_flight_ = 0;
  bool tick_armed_ = false;
  // Which kind of work a free request slot goes to first: writes, reads and other calls take
  // turns, so that none waits behind a steady flow of another (an order's create or lookup
  // behind a reconcile round's reads, at worst for hours on a large catalog).
  int turn_ = 0;
  bool held_ = false;
  std::uint64_t mutations_ = 0, entries_written_ = 0, level_queries_ = 0, errors_ = 0;
  std::string last_error_;
};

} // namespace shopsync
