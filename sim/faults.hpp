#pragma once
// Fault injection. Every fault is a flag, a scenario key and a runtime switch (/_sim/faults);
// each decision is drawn from one seeded generator in the order requests and webhooks arrive,
// so a run with the same seed and the same traffic injects the same faults.
#include <simdjson.h>

#include <cstdint>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <utility>

namespace shopsync::sim {

struct fault_config {
  // Admin API
  double error_rate = 0;      // answer HTTP error_status before doing anything
  int error_status = 503;
  int error_next = 0;         // the next N Admin calls fail that way (deterministic)
  double throttle_rate = 0;   // THROTTLED whatever the bucket holds
  int throttle_next = 0;
  int latency_ms = 0;         // added before every Admin answer
  int latency_jitter_ms = 0;  // plus uniform [0, jitter]
  int answer_delay_ms = 0;    // the answer, computed at once, is held back this long (a slow way back)
  double lost_rate = 0;       // applied, then never answered
  int lost_next = 0;
  std::string lost_mode = "hang"; // hang: keep the connection open, silent; drop: close it
  int unreported_next = 0; // the next N inventory mutations apply but list no changes (a protocol
                           // violation: the daemon must neither retry nor lose track of them)
  // The next N inventory mutations are refused with this userError (field null), nothing applied;
  // the key is remembered as failed: reused, it is answered IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED.
  // ADJUST_QUANTITIES_FAILED and SERVICE_UNAVAILABLE exist only for InventoryAdjust (2026-10
  // enums), IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED for both.
  int user_error_next = 0;
  std::string user_error_code = "ADJUST_QUANTITIES_FAILED";
  // How long a store keeps an idempotency key (seconds; 0: for ever). Shopify does not publish
  // its window; past it, the same request is a new one and applies again.
  double idempotency_window_s = 0;
  std::set<std::string> operations; // Admin faults only for these operationNames (empty: all)
  // Not a fault: which reading of Shopify plays a set below 0. "refuse" (the contract's:
  // INVALID_QUANTITY_NEGATIVE, nothing applied) or "apply" (the level goes negative).
  std::string negative_sets = "refuse";
  // Bulk operations (sim/bulk_operations.hpp). A setting more than a fault: how many objects a
  // bulk query reads per second (its running time; Shopify publishes no figure), and how many
  // bulk queries may run at once per store (Shopify's bulk operations guide: five from API
  // version 2026-01, one before). The next bulk_fail_next bulk queries fail with
  // bulk_fail_code (INTERNAL_SERVER_ERROR, TIMEOUT or ACCESS_DENIED, the 2026-10
  // BulkOperationErrorCode values) once bulk_fail_at (0..1) of their objects are read.
  double bulk_objects_per_second = 20000;
  int bulk_query_limit = 5;
  int bulk_fail_next = 0;
  std::string bulk_fail_code = "INTERNAL_SERVER_ERROR";
  double bulk_fail_at = 0.5;
  int search_lag_ms = 0; // orders and draft orders show in orders(query:)/draftOrders(query:)
                         // only this long after their creation (not limited by `operations`)
  // Webhooks
  double webhook_duplicate_rate = 0; // a second delivery: new X-Shopify-Webhook-Id, same Event-Id
  double webhook_reorder_rate = 0;   // held back a random [0, window] ms so later ones overtake
  int webhook_reorder_window_ms = 1000;
  int webhook_delay_ms = 0;          // every delivery is sent this much later
  int webhook_delay_jitter_ms = 0;
  double webhook_loss_rate = 0;      // never sent
  int webhook_loss_next = 0;
  std::set<std::string> webhook_loss_topics; // every delivery of these topics is lost for good
};

// Updates cfg from a JSON object holding any subset of the keys above (same names).
// Returns an error message, or empty.
std::string apply_fault_json(fault_config& cfg, simdjson::dom::element obj);
std::string fault_json(const fault_config& cfg);

struct admin_fault {
  int latency_ms = 0;
  int answer_delay_ms = 0;
  int error_status = 0; // 0: none
  bool throttled = false;
  bool lost = false;
  bool drop = false; // lost by closing the connection (else hang)
  bool unreported = false; // an inventory mutation answers without its changes
  std::string user_error;   // an inventory mutation refused with this userError code
  double idempotency_window_s = 0; // keys older than this are forgotten (0: never)
  std::string describe() const;
};

struct webhook_fault {
  bool lost = false;
  bool duplicate = false;
  int delay_ms = 0;           // for the original delivery
  int duplicate_delay_ms = 0; // for the duplicate
};

class fault_injector {
public:
  explicit fault_injector(std::uint64_t seed, fault_config cfg = {}) : initial_(cfg), cfg_(std::move(cfg)), rng_(seed), seed_(seed) {}
  admin_fault draw_admin(const std::string& operation);
  webhook_fault draw_webhook(const std::string& topic = {});
  // A new bulk query: the error code it is to fail with (empty: none), and at which share.
  std::pair<std::string, double> draw_bulk_failure();
  fault_config config();
  std::string update(simdjson::dom::element obj);
  void reset(); // back to the start-up configuration and seed

private:
  bool chance(double p);
  std::mutex mu_;
  fault_config initial_, cfg_;
  std::mt19937_64 rng_;
  std::uint64_t seed_;
};

} // namespace shopsync::sim
