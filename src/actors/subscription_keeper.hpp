#pragma once
// The subscription keeper (one per store): a thin shell around domain/subscription_plan.hpp
// and domain/store_needs.hpp. At start and every [webhooks] check_interval_s it
//   1. asks the store's token what it may do (AppInstallation) and names every missing scope
//      once (log error, metric shopsync_missing_scopes), again after app/scopes_update;
//   2. lists the store's subscriptions (WebhookSubscriptions, every page) and plans;
//   3. when [webhooks] manage, creates, repoints and deletes through the store link, then
//      lists once more so `shopsyncctl webhooks` shows what Shopify now holds;
//   4. a topic subscribed at the last check and missing now has vanished (Shopify deletes an
//      API-made subscription after 8 failed deliveries): log warn, count it
//      (shopsync_webhook_subscriptions_vanished_total), recreate it, and heal what it may have
//      missed: a reconcile round of every group of the store for inventory and catalog
//      topics (through the supervisor, which knows the current router), and the orders hook
//      for order topics.
// It never decides anything itself: every decision is the plan's.
#include "actors/messages.hpp"
#include "actors/sync_context.hpp"
#include "domain/subscription_plan.hpp"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace shopsync {

struct subscription_keeper_options {
  store_config store;
  graphql_executor_actor link;
  supervisor_actor supervisor; // reconcile rounds (inventory and orders) after a gap
};

struct subscription_keeper_state {
  const sync_context* ctx = nullptr;
  subscription_keeper_options opts;
  std::vector<topic_need> wanted;
  std::vector<scope_need> needed_scopes;
  subscription_policy policy;
  // The check in progress.
  bool running = false;
  bool verify = false;        // this listing follows our own changes: report, do not act again
  std::vector<present_subscription> listing;
  std::size_t outstanding = 0; // writes in flight
  // What the last check found.
  std::optional<subscription_plan> plan;
  std::set<std::string> confirmed; // topics subscribed at the last check
  std::string list_error;          // the last listing's failure, empty when it worked
  std::optional<std::vector<std::string>> granted; // scopes, once read
  std::vector<scope_need> missing;
  std::string scope_error;
  std::set<std::string> reported_missing; // scope messages already logged
  std::uint64_t checks = 0, created = 0, repointed = 0, removed = 0, vanished = 0, write_errors = 0;
  static inline const char* name = "subscription_keeper";
};

subscription_keeper_actor::behavior_type
subscription_keeper(subscription_keeper_actor::stateful_pointer<subscription_keeper_state> self,
                    const sync_context* ctx, subscription_keeper_options opts);

} // namespace shopsync
