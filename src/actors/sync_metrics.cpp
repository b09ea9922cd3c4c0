#include "actors/sync_metrics.hpp"

#include "actors/order_actor.hpp"
#include "domain/matcher.hpp"
#include "io/metrics.hpp"

#include <cmath>
#include <map>
#include <memory>
#include <mutex>

namespace shopsync {

namespace {

constexpr const char* problems_help =
  "Identities, locations and levels of a group that are not synced, by kind (shopsyncctl mappings --problems)";

constexpr match_problem_kind match_kinds[] = {match_problem_kind::duplicate, match_problem_kind::missing_in_destination,
                                              match_problem_kind::missing_in_source,
                                              match_problem_kind::empty_identifier, match_problem_kind::deleted};
constexpr location_problem_kind location_kinds[] = {
  location_problem_kind::unknown_store,           location_problem_kind::unknown_source_location,
  location_problem_kind::unknown_destination_location, location_problem_kind::ambiguous_name,
  location_problem_kind::conflicting_pair,        location_problem_kind::unmapped_source_location,
  location_problem_kind::unmapped_destination_location};
constexpr stocking unstocked_kinds[] = {stocking::not_stocked, stocking::inactive, stocking::disconnect_seen};
constexpr order_phase phases[] = {order_phase::received,   order_phase::creating,  order_phase::retry_wait,
                                  order_phase::looking_up, order_phase::created,   order_phase::updating,
                                  order_phase::inviting,   order_phase::completed_in_destination,
                                  order_phase::needs_attention, order_phase::skipped, order_phase::held};

bool syncs_orders(const group_config& g) {
  return g.strategy == sync_strategy::order || g.strategy == sync_strategy::draft_order;
}

// The orders column, counted by (group, state): a scan, so at most once per interval.
class order_census {
public:
  order_census(metrics_registry& m, const sync_context& ctx, std::chrono::seconds every)
      : m_(m), ctx_(ctx), every_(every) {}

  void collect() {
    auto now = std::chrono::steady_clock::now();
    if (scanned_ && now - last_ < every_)
      return;
    scanned_ = true;
    last_ = now;
    std::map<std::pair<std::string, order_phase>, std::uint64_t> counts;
    for (auto& g : ctx_.cfg.groups)
      if (syncs_orders(g))
        for (auto p : phases)
          counts[{g.name, p}] = 0;
    if (!ctx_.store)
      return;
    auto st = ctx_.store->scan(column::orders, "o/", [&](std::string_view k, std::string_view v) {
      auto key = parse_order_key(k);
      if (!key)
        return true;
      if (auto machine = order_sync::decode(v, order_sync_settings{}))
        ++counts[{key->group, machine->state().phase}];
      return true;
    });
    if (!st)
      return; // keep the last counts
    for (auto& [k, n] : counts)
      m_.gauge("shopsync_orders", "Orders and draft orders shopsync keeps, by group and state (shopsyncctl orders)",
               {{"group", k.first}, {"state", to_string(k.second)}})
        .set(static_cast<double>(n));
  }

private:
  metrics_registry& m_;
  const sync_context& ctx_;
  std::chrono::seconds every_;
  bool scanned_ = false;
  std::chrono::steady_clock::time_point last_{};
};

} // namespace

void export_mapping_problems(metrics_registry* m, const std::string& group, const group_mapping& mapping) {
  if (!m)
    return;
  std::map<std::string, std::uint64_t> counts;
  for (auto k : match_kinds)
    counts[to_string(k)] = 0;
  for (auto k : location_kinds)
    counts[to_string(k)] = 0;
  for (auto& p : mapping.problems())
    ++counts[to_string(p.kind)];
  for (auto& p : mapping.locations().problems)
    ++counts[to_string(p.kind)];
  for (auto& [kind, n] : counts)
    m->gauge("shopsync_mapping_problems", problems_help, {{"group", group}, {"kind", kind}})
      .set(static_cast<double>(n));
}

void note_webhook_received(metrics_registry* m, const std::string& store, const std::string& topic) {
  if (!m)
    return;
  auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  m->gauge("shopsync_webhook_last_received_timestamp_seconds",
           "Unix time of the last webhook accepted, by store and topic (a silent store may have lost its subscription)",
           {{"store", store}, {"topic", topic}})
    .set(std::floor(now));
}

void observe_sync_lag(metrics_registry* m, const std::string& group, std::chrono::steady_clock::duration lag) {
  if (!m)
    return;
  m->histogram("shopsync_sync_lag_seconds",
               "From a webhook's arrival to the confirmation of the last write it led to, in seconds",
               {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800}, {{"group", group}})
    .observe(std::chrono::duration<double>(lag).count());
}

namespace {
counter_metric& healed_counter(metrics_registry& m, const std::string& group, const std::string& store) {
  return m.counter("shopsync_reconcile_levels_healed_total",
                   "Levels a reconcile read found different from what shopsync knew (a lost or late webhook, healed)",
                   {{"group", group}, {"store", store}});
}
} // namespace

void note_reconcile_healed(metrics_registry* m, const std::string& group, const std::string& store) {
  if (m)
    healed_counter(*m, group, store).inc();
}

std::uint64_t reconcile_healed(metrics_registry* m, const std::string& group, const std::string& store) {
  return m ? healed_counter(*m, group, store).value() : 0;
}

void note_reconcile_echo_dropped(metrics_registry* m, const std::string& group, const std::string& store) {
  if (m)
    m->counter("shopsync_reconcile_echoes_dropped_total",
               "Reconcile reads equal to the persisted state of an item at rest, dropped without loading the item",
               {{"group", group}, {"store", store}})
      .inc();
}

void note_product_webhook(metrics_registry* m, const std::string& group, bool changed) {
  if (m)
    m->counter("shopsync_catalog_product_webhooks_total",
               "Product webhooks seen by a group's catalog: unchanged (dropped) or changed",
               {{"group", group}, {"outcome", changed ? "changed" : "unchanged"}})
      .inc();
}

void export_at_scrape(metrics_registry& m, const sync_context& ctx, std::chrono::seconds orders_every) {
  auto census = std::make_shared<order_census>(m, ctx, orders_every);
  m.on_render([&m, &ctx, census] {
    auto now = level_watch::clock_type::now();
    for (auto& g : ctx.cfg.groups) {
      auto s = ctx.watch->of(g.name, now, ctx.stuck_level_after);
      m.gauge("shopsync_levels_unsettled", "Levels dirty or with an operation in flight", {{"group", g.name}})
        .set(static_cast<double>(s.unsettled));
      m.gauge("shopsync_levels_stuck",
              "Levels dirty or with an operation in flight for longer than " +
                std::to_string(ctx.stuck_level_after.count()) + " s",
              {{"group", g.name}})
        .set(static_cast<double>(s.stuck));
      m.gauge("shopsync_levels_unsettled_oldest_seconds",
              "How long the longest-unsettled item of the group has had a level dirty or in flight, in seconds",
              {{"group", g.name}})
        .set(s.oldest_seconds);
      std::map<std::string, std::uint64_t> unstocked;
      for (auto k : unstocked_kinds)
        unstocked[to_string(k)] = 0;
      for (auto& l : ctx.stocking->of(g.name))
        ++unstocked[to_string(l.state)];
      for (auto& [kind, n] : unstocked)
        m.gauge("shopsync_mapping_problems", problems_help, {{"group", g.name}, {"kind", kind}})
          .set(static_cast<double>(n));
    }
    census->collect();
  });
}

} // namespace shopsync
