#pragma once
// What the store link records of its inventory batches (kept durably by io/link_outbox): a
// batch with its idempotency key and the exact variables it is (re)sent with, each
// requester's result, and one atomic change of the record.
#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "domain/write_coalescer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shopsync {

struct outbox_batch {
  std::uint64_t id = 0;
  std::string idempotency_key;
  write_batch batch;          // entries with every op id they carry
  std::string variables_json; // exactly what is (re)sent
  // When it was first sent (unix s; 0: not yet, or a record older than this field). Saved with
  // the batch before that send: a resend is only safe while Shopify surely keeps the key
  // (domain/write_expiry.hpp).
  std::int64_t first_sent_unix = 0;
};

// What a requester gets: quantityAfterChange or a typed error.
struct op_result {
  std::optional<std::int64_t> quantity_after;
  std::optional<error> err;
  // The adjustment group's createdAt (epoch s): told to the requesters answered from memory,
  // not kept on disk (an answer found there has no time: its level's time is then unknown).
  std::optional<std::int64_t> created_at;
};

struct op_result_record {
  inventory_item_id item = 0;
  location_id location = 0;
  std::uint64_t op_id = 0;
  op_result result;
};

// One atomic change of the outbox.
struct outbox_transition {
  std::vector<std::uint64_t> remove;     // batch ids
  std::vector<outbox_batch> save;        // new batches (the counter moves past their ids)
  std::vector<op_result_record> results; // recorded for requesters
  std::int64_t at_unix = 0;              // when (kept with results, for pruning)
};

} // namespace shopsync
