#pragma once
// The simulator behind the HTTP server: routes a request to the Admin GraphQL API of the store
// named by the Host header, or to the test-control API under /_sim/. Thread-safe.
#include "sim/auth.hpp"
#include "sim/faults.hpp"
#include "sim/graphql_document.hpp"
#include "sim/json_read.hpp"
#include "sim/scenario.hpp"
#include "sim/store.hpp"
#include "sim/webhooks.hpp"

#include <deque>
#include <functional>
#include <tuple>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

namespace shopsync {
class json_writer;
}

namespace shopsync::sim {

struct sim_options {
  std::uint64_t seed = 1;
  double time_scale = 1.0;
  std::string webhook_url; // overrides the scenario's when set
  bool app_subscriptions = true; // false: no store has app-specific subscriptions (--no-app-subscriptions)
  int webhook_threads = 2;
  bool webhook_keep_alive = true; // webhook_settings::keep_alive
  std::optional<fault_config> faults; // replaces the scenario's faults when set (flags)
};

struct http_request_view {
  std::string method;
  std::string target; // path and query
  std::string host;
  std::string access_token;
  std::string body;
};

struct http_answer {
  enum class then { reply, hang, drop };
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  int latency_ms = 0; // sleep this long before answering (or hanging)
  std::vector<std::pair<std::string, std::string>> headers;
  then after = then::reply;
  // A large body read in pieces instead of `body` (bulk operation files): body_size bytes, each
  // piece read(offset, buffer, capacity) → bytes read.
  std::function<std::size_t(std::uint64_t, char*, std::size_t)> body_source;
  std::uint64_t body_size = 0;
};

class simulator {
public:
  simulator(scenario sc, sim_options opts);
  ~simulator();
  http_answer handle(const http_request_view& req);
  webhook_dispatcher& webhooks() { return *hooks_; }
  // Where clients reach this simulator ("http://127.0.0.1:8081"): the base of bulk result URLs.
  void set_public_url(std::string url) { public_url_ = std::move(url); }
  std::size_t store_count() const { return stores_.size(); }

private:
  struct call_record {
    std::uint64_t seq = 0;
    std::int64_t at_ms = 0;
    std::string shop, operation, variables, idempotency_key, outcome, fault;
    double requested_cost = 0;
    std::optional<double> actual_cost;
    int http_status = 200;
  };
  struct op_result {
    std::string data;   // JSON object for "data" (empty: none)
    std::string errors; // JSON array for top-level "errors" (empty: none)
    std::string outcome = "applied"; // applied | replayed | user_errors | read | error
    std::string idempotency_key;
  };

  http_answer admin(const http_request_view& req, const std::string& path);
  // simulator_auth.cpp: the OAuth endpoints and /_sim/auth/*
  http_answer oauth(const http_request_view& req, const std::string& path, const std::string& query);
  http_answer auth_control(const http_request_view& req, const std::string& path, const std::string& shop);
  std::string shop_json(const store& s) const; // app/uninstalled's payload
  http_answer control(const http_request_view& req, const std::string& path, const std::string& query);
  store* find_store(const std::string& shop);
  void build_stores();
  void log_call(call_record rec);
  std::string webhook_url(const store& s) const;
  void emit(store& s, const std::string& topic, std::string body, i64 now);

  // Admin operations (store mutex held).
  op_result op_catalog_page(store& s, element vars);
  op_result op_locations(store& s, element vars);
  op_result op_product_variants_count(store& s, element vars);
  op_result op_inventory_levels(store& s, element vars);
  op_result op_inventory_write(store& s, const std::string& op, element vars, const admin_fault& fault);
  op_result op_order_create(store& s, element vars);
  op_result op_orders_by_origin(store& s, element vars);
  op_result op_draft_order_create(store& s, element vars);
  op_result op_draft_order_update(store& s, element vars);
  op_result op_draft_order_invoice_send(store& s, element vars);
  op_result op_draft_orders_by_origin(store& s, element vars);
  // The order reconciler's listings and full reads (simulator_order_queries.cpp).
  op_result op_orders_created_since(store& s, element vars);
  op_result op_draft_orders_updated_since(store& s, element vars);
  // lines_page: the `first` of the document's lineItems.
  op_result op_order_for_sync(store& s, element vars, std::size_t lines_page);
  op_result op_draft_order_for_sync(store& s, element vars, std::size_t lines_page);
  static op_result origin_search_result(std::pair<std::string, std::size_t> found); // OrdersByOrigin, DraftOrdersByOrigin
  // Webhook subscriptions and the app installation (simulator_subscriptions.cpp).
  op_result op_webhook_subscriptions(store& s, element vars);
  op_result op_webhook_subscription_write(store& s, const std::string& op, element vars, i64 now);
  op_result op_webhook_subscription_delete(store& s, element vars);
  op_result op_app_installation(store& s);
  // Bulk query operations (simulator_bulk.cpp): bulkOperationRunQuery, bulkOperation(id),
  // currentBulkOperation, dispatched on the document's top-level field.
  op_result op_bulk(store& s, const gql_document& doc, const gql_operation& op, element vars);
  void write_bulk_operation(json_writer& w, const gql_document& doc, const gql_selection& field,
                            const bulk_operation* op, bool just_created);
  void write_bulk_operations(json_writer& w, const gql_document& doc, const gql_selection& field, const store& s,
                             element vars); // bulkOperations(first, query: "status:running")
  std::string bulk_url(i64 id, bool partial) const;
  http_answer control_bulk_file(const std::string& path, const std::string& query); // GET /_sim/bulk/<id>.jsonl
  http_answer control_bulk_list(store& s);                                           // GET /_sim/bulk?store=
  http_answer control_bucket(store& s, element body);                                // POST /_sim/bucket
  // Where an event of `topic` goes: the app-specific url (when the store has those) and every
  // API-made subscription to the topic.
  std::vector<webhook_target> targets(const store& s, const std::string& topic) const;
  // Shopify's bookkeeping of API-made subscriptions' deliveries (dispatcher threads).
  bool subscription_exists(const std::string& shop, i64 id);
  void subscription_attempted(const std::string& shop, i64 id, bool delivered);
  // /_sim/scopes, /_sim/subscriptions[/delete] (store mutex held).
  http_answer control_subscriptions(store& s, const std::string& path, element body, i64 now);

  // Changes shared by the Admin API and the control API (store mutex held); each emits the
  // webhooks Shopify would.
  void set_level(store& s, std::uint32_t v, std::size_t l, std::int32_t value, i64 now);
  // A level appears (inventory_levels/connect) or goes away (inventory_levels/disconnect):
  // simulator_levels.cpp. A stocked level gets a new id of its own.
  void stock_level(store& s, std::uint32_t v, std::size_t l, std::int32_t available, bool active, i64 now);
  void unstock_level(store& s, std::uint32_t v, std::size_t l, i64 now);
  std::size_t stocked_location(const store& s, std::uint32_t v) const;
  // Stores the order, applies the (variant, location, quantity) decrements, emits orders/create,
  // inventory_levels/update and products/update.
  order& place_order(store& s, order o, i64 now,
                     const std::vector<std::tuple<std::uint32_t, std::size_t, int>>& decrements);
  line_item line_for_variant(store& s, std::uint32_t v, int quantity);
  // A storefront order of variant v at location l as /_sim/sale describes it in `body`
  // (quantity, lines, content in the webhook's shapes); the level must be stocked.
  order& storefront_sale(store& s, std::uint32_t v, std::size_t l, element body, i64 now);

  // Control API
  std::string state_json(store& s, const std::string& query);
  http_answer control_draft(store& s, element body, bool create, i64 now);
  // POST /_sim/webhooks/send: signs and delivers an arbitrary body for a topic.
  http_answer control_send_webhook(store& s, element body);
  http_answer control_delete(store& s, element body, bool whole_product, i64 now);
  // POST /_sim/sales: many sales placed by the simulator at a steady rate.
  http_answer control_sales(element body);
  std::string log_json(const std::string& shop, std::uint64_t since, const std::string& op);

  scenario sc_;
  sim_options opts_;
  std::shared_mutex stores_mu_; // exclusive only for reset
  std::vector<std::unique_ptr<store>> stores_;
  fault_injector faults_;
  std::unique_ptr<app_auth> auth_;
  std::unique_ptr<webhook_dispatcher> hooks_;
  std::mutex log_mu_;
  std::deque<call_record> log_;
  std::uint64_t next_log_seq_ = 1;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::string public_url_;
};

fault_config initial_faults(const scenario& sc, const sim_options& opts);

} // namespace shopsync::sim
