#pragma once
// One simulated shop: its catalog, levels, orders and draft orders, its cost bucket and its
// idempotency records. Callers hold `mu` while they read or change anything in it.
#include "sim/bulk_operations.hpp"
#include "sim/cost_bucket.hpp"
#include "sim/model.hpp"
#include "sim/scenario.hpp"
#include "sim/subscriptions.hpp"

#include <chrono>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace shopsync::sim {

struct idempotency_record {
  std::string operation;
  std::string variables; // minified JSON of the request's variables
  std::string data;      // the `data` JSON first answered
  bool failed = false;   // the attempt failed (not applied): reuse → IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED
  std::chrono::steady_clock::time_point at{}; // when the key was first used (for the window)
};

class store {
public:
  // Builds the store (generating its catalog); `index` makes its ids differ from other stores'.
  store(const store_spec& spec, int index, std::uint64_t seed, i64 now);

  std::mutex mu;
  std::string shop, token, timezone, webhook_url;
  // The app installation (sim/subscriptions.hpp): app-specific subscriptions to every topic at
  // the webhook url (shopify.app.toml), granted scopes, and subscriptions made through the API.
  bool app_subscriptions = true;
  std::vector<std::string> scopes;
  std::vector<api_subscription> subscriptions;
  i64 next_subscription_id = 0;
  int index = 0;
  std::vector<location> locations;
  std::vector<product> products;
  std::vector<variant> variants;
  std::vector<std::int32_t> levels; // variants × locations, not_stocked where not stocked
  // Parallel to levels: each stocked level's own id (the <n> of gid://shopify/InventoryLevel/<n>,
  // as in real stores, unrelated to the location id; 0 where not stocked), and whether it is
  // inactive (stocked, but deactivated: 2026-10 reads it only with includeInactive).
  std::vector<i64> level_ids;
  std::vector<std::uint8_t> level_inactive;
  // Parallel to levels: the second (unix s) of each level's last change, its updated_at (0: not
  // changed since the scenario built it; its variant's updated_at then).
  std::vector<i64> level_changed;
  std::vector<order> orders;
  std::vector<draft_order> drafts;
  std::unordered_map<std::string, idempotency_record> idempotency;
  std::unordered_map<std::string, int> idempotency_in_flight; // keys of requests still running
  cost_bucket bucket;
  std::string plan; // the store's Shopify plan (sim/plans.hpp); empty: its bucket was given as numbers
  std::vector<bulk_operation> bulk_ops; // oldest first
  i64 next_bulk_id = 0;
  i64 next_order_number = 1001;
  i64 next_draft_number = 1;

  // Lookups by Shopify id (binary search: ids grow with creation order).
  std::optional<std::uint32_t> variant_by_id(i64 id) const;
  std::optional<std::uint32_t> variant_by_item(i64 inventory_item_id) const;
  std::optional<std::uint32_t> product_by_id(i64 id) const;
  std::optional<std::size_t> location_index(i64 id) const;
  order* find_order(i64 id);
  draft_order* find_draft(i64 id);

  std::int32_t& level(std::uint32_t v, std::size_t l) { return levels[v * locations.size() + l]; }
  std::int32_t level(std::uint32_t v, std::size_t l) const { return levels[v * locations.size() + l]; }
  i64 level_id(std::uint32_t v, std::size_t l) const { return level_ids[v * locations.size() + l]; }
  bool level_active(std::uint32_t v, std::size_t l) const { return !level_inactive[v * locations.size() + l]; }
  // InventoryLevel.updatedAt / the webhook's updated_at: when the level last changed; a level
  // not changed since the catalog was made: its product's creation (never the variant's
  // updated_at, which moves when another level of the variant changes).
  i64 level_updated_at(std::uint32_t v, std::size_t l) const {
    const i64 t = level_changed[v * locations.size() + l];
    return t ? t : products[variants[v].product].created_at;
  }
  void level_changed_at(std::uint32_t v, std::size_t l, i64 now) { level_changed[v * locations.size() + l] = now; }
  // Stocks (v, l) as a new level with a new id (a level stocked again gets a new one);
  // unstock removes it. Webhooks are the caller's.
  void stock(std::uint32_t v, std::size_t l, std::int32_t available, bool active);
  void unstock(std::uint32_t v, std::size_t l);
  // Gives every stocked level without an id its own (after levels were written directly).
  void number_levels();
  // The location of the level with id `level` of variant v.
  std::optional<std::size_t> level_location(std::uint32_t v, i64 level) const;
  // Sum of available over the locations where the variant is stocked.
  i64 inventory_quantity(std::uint32_t v) const;

  i64 new_order_id() { return next(ids_.order); }
  i64 new_draft_id() { return next(ids_.draft_order); }
  i64 new_line_id() { return next(ids_.line_item); }
  i64 new_customer_id() { return next(ids_.customer); }
  i64 option_id(std::uint32_t product) const { return ids_.option + product; }
  // Adds a product with its variants (levels 0 where stocked), returning its index.
  std::uint32_t add_product(const product_spec& spec, i64 now);

private:
  i64 next(i64& counter);
  void add_variant(std::uint32_t p, const variant_spec& vs, int position, std::size_t locs_hint);
  id_families ids_{};
  std::mt19937_64 rng_;
};

// "2025-03-14T10:22:31-04:00" for unix seconds t in the zone offset "-04:00".
std::string format_time(i64 t, const std::string& offset);
// A GraphQL DateTime as the Admin API answers it: "2025-03-14T14:22:31Z".
std::string utc_time(i64 t);
i64 unix_now();
i64 unix_now_ms();

} // namespace shopsync::sim
