#pragma once
// The store link's durable record of inventory batches, in the state_store `outbox` column.
// A mutation's idempotency key covers its whole batch, so after a crash the daemon must send an
// unconfirmed batch again with the SAME key and the SAME variables (anything else would make
// Shopify apply a delta twice, or refuse the key). Hence: a batch is saved, with its exact
// variables, before it is sent; when its result is known it is deleted and a result record per
// requester (item, location, op id) is written in the same atomic batch, so a requester that
// asks again after a crash learns the result instead of causing a second write.
// Keys: link/<store>/seq, link/<store>/batch/<id, 20 digits>, link/<store>/done/<item>/<loc>/<op>.
// Blocking (RocksDB, fsync'd): call from io threads, not from actor workers.
#include "domain/link_records.hpp"
#include "domain/result.hpp"
#include "domain/write_coalescer.hpp"
#include "io/state_store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shopsync {

class link_outbox {
public:
  // `first_id` seeds the batch counter of a store that never had one (use something unique
  // per installation, e.g. the current time in microseconds, so a wiped database does not
  // reuse keys Shopify still remembers).
  link_outbox(state_store& db, std::string store, std::uint64_t first_id);

  // Batches saved and not completed, oldest first. Also loads the counter.
  result<std::vector<outbox_batch>> recover();
  // A fresh batch id (persisted with the batch that uses it).
  std::uint64_t next_id() { return next_id_++; }
  status apply(const outbox_transition& t);
  result<std::optional<op_result>> find_result(inventory_item_id item, location_id location,
                                               std::uint64_t op_id) const;
  // Deletes result records written before `before_unix` (requesters have long recorded them);
  // returns how many.
  result<std::size_t> prune_results(std::int64_t before_unix);

  // Serialization, exposed for tests.
  static std::string encode(const outbox_batch& b);
  static result<outbox_batch> decode(std::string json);

private:
  std::string batch_key(std::uint64_t id) const;
  std::string result_key(inventory_item_id item, location_id location, std::uint64_t op) const;

  state_store& db_;
  std::string prefix_; // link/<store>/
  std::uint64_t next_id_;
};

} // namespace shopsync
