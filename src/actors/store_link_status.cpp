#include "actors/store_link_status.hpp"

#include "io/json_writer.hpp"

namespace shopsync {

std::string to_json(const store_link_status& s) {
  json_writer w;
  w.begin_object();
  w.field("store", s.store).field("shop_domain", s.shop_domain);
  w.key("bucket").begin_object();
  w.field("maximum", s.bucket_maximum).field("available", s.bucket_available);
  w.field("restore_rate", s.bucket_restore_rate);
  w.end_object();
  w.key("queue").begin_object();
  w.field("writes", static_cast<std::uint64_t>(s.queued_writes));
  w.field("ops", static_cast<std::uint64_t>(s.queued_ops));
  w.field("reads", static_cast<std::uint64_t>(s.queued_reads));
  w.field("batches", static_cast<std::uint64_t>(s.queued_batches));
  w.field("parked", static_cast<std::uint64_t>(s.parked_batches));
  w.end_object();
  w.field("in_flight", s.in_flight).field("max_in_flight", s.max_in_flight);
  w.field("mutations", s.mutations).field("entries_written", s.entries_written);
  w.field("level_queries", s.level_queries).field("requests", s.requests);
  w.field("retries", s.retries).field("throttled", s.throttled).field("errors", s.errors);
  w.field("cost_spent", s.cost_spent);
  w.field("last_error", s.last_error);
  w.field("auth", s.auth).field("unauthorized", s.unauthorized);
  w.field("unauthorized_reason", s.unauthorized_reason);
  w.end_object();
  return std::move(w).str();
}

} // namespace shopsync
