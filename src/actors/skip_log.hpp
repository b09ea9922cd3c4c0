#pragma once
// The records of events that had nothing to do here (an audit "skipped" record and the
// event's inbox mark), written together instead of one write each.
//
// Why: a flash sale sends a products/update and an orders/create with every sale, and each is
// skipped (the catalog has it already; no order group). One RocksDB write apiece was two of
// the seven writes a sale cost the daemon. These records are not fsynced anyway: one lost to a
// crash leaves its inbox entry unapplied, and the event is skipped again at the next start.
// Holding them for a few milliseconds in memory adds nothing to that.
//
// Used on one actor's thread (the router's); not thread-safe.
#include "io/audit_log.hpp"
#include "io/state_store.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>

namespace shopsync {

class skip_log {
public:
  using mark_fn = std::function<void(state_store::batch&, std::uint64_t inbox_seq)>;
  static constexpr std::size_t max_pending = 256;

  // store: nullptr records nothing; audit, mark: optional.
  skip_log(state_store* store, audit_log* audit, mark_fn mark);

  // Adds one skipped event (inbox_seq 0: none to mark). True when it is the first since the
  // last flush: the owner arranges a flush soon. Flushes at once when max_pending are held.
  bool add(const audit_entry& e, std::uint64_t inbox_seq);
  // Writes what is held (not fsynced). Nothing held: nothing written.
  void flush();
  std::size_t pending() const noexcept { return pending_; }

private:
  state_store* store_;
  audit_log* audit_;
  mark_fn mark_;
  state_store::batch batch_;
  std::size_t pending_ = 0;
};

} // namespace shopsync
