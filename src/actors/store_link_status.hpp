#pragma once
// What `shopsyncctl stores` shows of one store link: the cost bucket, queues, requests in
// flight, retries and errors.
#include <cstdint>
#include <optional>
#include <string>

namespace shopsync {

struct store_link_status {
  std::string store;
  std::string shop_domain;
  // Cost bucket (last throttleStatus, and the local estimate now); absent before the first answer.
  std::optional<double> bucket_maximum, bucket_available, bucket_restore_rate;
  std::size_t queued_writes = 0;   // distinct (item, location) entries waiting to be batched
  std::size_t queued_ops = 0;      // requesters behind them
  std::size_t queued_reads = 0;
  std::size_t queued_batches = 0;  // persisted batches waiting for a request slot
  std::size_t parked_batches = 0;  // unconfirmed after errors; re-sent when asked again or at start
  int in_flight = 0;
  int max_in_flight = 0;
  std::uint64_t mutations = 0;     // inventory mutations sent (batches, not entries)
  std::uint64_t entries_written = 0;
  std::uint64_t level_queries = 0;
  std::uint64_t requests = 0;      // HTTP requests, retries included
  std::uint64_t retries = 0;
  std::uint64_t throttled = 0;
  std::uint64_t errors = 0;        // requester-visible errors
  double cost_spent = 0;
  std::string last_error;
  std::string auth;                // static_token | client_credentials | authorization_code
  bool unauthorized = false;       // the store refuses every token shopsync has: writes held
  std::string unauthorized_reason;
};

// One JSON object (json_writer), for `shopsyncctl stores --json` and the control reply.
std::string to_json(const store_link_status& s);

} // namespace shopsync
