#pragma once
// The store link actor: one per store, the only path from shopsync to that store's Admin API.
// Interface and messages: store_link_actor in actors/interfaces.hpp. The rules below live in
// the pure domain/store_link_protocol.hpp; the actor carries its inputs and effects.
//
// Writes: intents are coalesced for the batching window (newest target wins, deltas add up;
// domain/write_coalescer), then sent as batches of up to 250 entries, sets and adjusts apart.
// Each batch is saved in the outbox with its idempotency key and exact variables BEFORE it is
// sent (io/link_outbox), and re-sent verbatim after a restart; a requester asking again with an
// op id already in a batch is attached to it, and one whose batch completed while nobody
// listened gets the recorded result. When entries fail with their own userError (e.g.
// ITEM_NOT_STOCKED_AT_LOCATION, CHANGE_FROM_QUANTITY_STALE), those requesters get the error
// and the rest goes again as a new batch (new id and key, saved first).
// A batch is re-sent under its key (a recovered one, or a parked one asked for again) only while
// Shopify surely still keeps the key: idempotency_key_max_age after its first send. An older one
// is dropped unsent and its requesters get write_expired_code (domain/write_expiry.hpp): they settle
// by reading the level. Refusals that say "not applied" (ADJUST_QUANTITIES_FAILED,
// SERVICE_UNAVAILABLE, IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED) are remembered as the op's outcome:
// its requester sends the change again as a new op, so in a new batch under a new key.
// Reads: level reads are batched the same way (250 per InventoryLevels query, one location each).
// At most store.max_in_flight requests are in flight; the client's throttle model gates each.
// Unauthorized (domain/store_auth_state): an "admin.unauthorized" answer (a 401/403 a fresh
// token did not cure, or no token to be had) or app/uninstalled stops all sending; the request
// that met it goes back to the head of its queue unanswered, so requesters simply wait, and a
// probe every unauthorized_probe (or at once on "token_changed") resumes everything when it
// succeeds. Logged once per outage at error level, with what to do.
#include "actors/messages.hpp"
#include "domain/config.hpp"
#include "domain/write_expiry.hpp"
#include "io/admin_client.hpp"
#include "actors/read_pressure.hpp"
#include "io/health_board.hpp"
#include "io/metrics.hpp"
#include "io/state_store.hpp"
#include "io/token_source.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>

namespace shopsync {

struct store_link_options {
  store_config store;                           // name, shop, base_url, token, max_in_flight
  std::chrono::milliseconds batching_window{50}; // daemon.batching_window
  boost::asio::io_context* io = nullptr;        // the client's and the outbox writes' threads;
                                                // must outlive the actor system

  state_store* db = nullptr;                    // nullptr: no outbox (benchmarks of reads only)
  admin_client_options client;                  // pool_size defaults to max_in_flight
  std::uint64_t first_batch_id = 0;             // 0: current time in microseconds
  // daemon.idempotency_key_max_age_s: an unanswered batch first sent longer ago than this is
  // never sent again (its key may be gone); its requesters are told write_expired_code and
  // settle by reading.
  std::chrono::seconds idempotency_key_max_age = default_idempotency_key_max_age;
  // Where the store's token comes from; nullptr: the static store.access_token.
  std::shared_ptr<token_source> tokens;
  // While the store refuses every token (unauthorized), every request waits (kept, in order)
  // and one quiet probe goes out this often; its first success resumes them all.
  std::chrono::milliseconds unauthorized_probe{60'000};
  // shopsync_store_unauthorized{store}, shopsync_token_expiry_seconds{store} (client
  // credentials) and the client's shopsync_admin_* series (admin_client_options::metrics).
  metrics_registry* metrics = nullptr;
  // An unauthorized store is a problem here ("store <name>") until a token works again.
  std::shared_ptr<health_board> health;
  // Whether reads are scarce at the store (its bucket not nearly full), after every pass (nullptr: not told).
  std::shared_ptr<read_pressure> pressure;
  // The Admin API the link calls; nullptr: admin_api over the client built from `store` (the
  // daemon). Tests give a fake store here (tests/actors/sync_path_test.cpp).
  std::shared_ptr<admin_api> api;
};

store_link_actor spawn_store_link(caf::actor_system& sys, store_link_options opts);

} // namespace shopsync
