#pragma once
// The webhook subscriptions of one store: what shopsync wants (topics_needed) against what the
// Admin API lists (webhookSubscriptions), and the few calls that close the gap. Pure.
//
// How to use it (the subscription keeper does this, at start and every check interval):
//   1. list every page of webhookSubscriptions into `present`;
//   2. plan_subscriptions(wanted, present, policy) → creates, repoints, removals and one row
//      per topic for `shopsyncctl webhooks` and `doctor`;
//   3. when policy.manage, send them (webhookSubscriptionCreate / Update / Delete);
//   4. vanished_topics(confirmed, plan): topics that were subscribed at the last check and are
//      not now — Shopify deleted them (8 failed deliveries) or someone did: report, recreate
//      (step 3 already does) and heal what they missed (heal_for_topic).
//
// Which subscriptions are shopsync's own? Shopify scopes shop-specific subscriptions to the app
// that made them, so the list holds only this app's; but one app may serve more than shopsync
// (the merchant's own scripts, a second tool sharing the Dev Dashboard app). A subscription is
// ours when its `name` is our marker (set on every create and update) or, for subscriptions made
// before names existed or when Shopify does not echo the name, when its uri is exactly our
// public URL. The marker lets shopsync repair its own subscriptions after the public URL
// changed (they point elsewhere but are still ours); the uri lets it recognise them when the
// name is absent. Anything else is foreign: listed, never changed or deleted.
#include "domain/store_needs.hpp"

#include <set>
#include <string>
#include <vector>

namespace shopsync {

struct present_subscription {
  std::string id;    // GID
  std::string topic; // "inventory_levels/update"; for an enum value shopsync does not know, the raw enum
  std::string uri;
  std::string name;  // may be empty
};

struct subscription_policy {
  std::string uri;                  // where Shopify must deliver (the public URL); empty: unknown
  std::string marker = "shopsync";  // the name shopsync gives its subscriptions
  bool manage = true;               // false: the operator keeps them (shopify.app.toml); only report
};

enum class topic_state {
  subscribed,      // wanted, and one of ours delivers it to our uri
  missing,         // wanted, nothing of ours delivers it (created when managing)
  points_elsewhere,// wanted, ours but at another uri (repointed when managing)
  unwanted,        // ours, no longer wanted (deleted when managing)
  foreign,         // not ours and not wanted: left alone
};
const char* to_string(topic_state);

struct topic_row {
  std::string topic;
  bool wanted = false;
  std::string feature;              // why it is wanted (empty when not)
  topic_state state = topic_state::missing;
  std::vector<std::string> ids;     // the present subscriptions of this topic
  std::vector<std::string> uris;    // and where they deliver
};

struct subscription_repoint {
  std::string id, topic;
};

struct subscription_plan {
  std::vector<std::string> create;           // topics
  std::vector<subscription_repoint> repoint; // ours, to be pointed at policy.uri
  std::vector<std::string> remove;           // ids: ours and unwanted, or duplicates of ours
  std::vector<topic_row> rows;               // wanted topics in `wanted` order, then the others
  bool actions() const { return !create.empty() || !repoint.empty() || !remove.empty(); }
};

bool is_ours(const present_subscription& s, const subscription_policy& p);

// With policy.uri empty nothing is created or repointed (there is nowhere to point), but
// unwanted ones of ours are still removed. With !policy.manage the plan holds no actions.
subscription_plan plan_subscriptions(const std::vector<topic_need>& wanted,
                                     const std::vector<present_subscription>& present,
                                     const subscription_policy& policy);

// Topics in `confirmed` (subscribed at the previous check) that the plan finds missing now.
std::vector<std::string> vanished_topics(const std::set<std::string>& confirmed, const subscription_plan& plan);
// The topics the plan finds subscribed (the next check's `confirmed`).
std::set<std::string> subscribed_topics(const subscription_plan& plan);

// What a gap in a topic's deliveries may have cost, and so what heals it.
enum class heal_kind {
  none,      // app/* topics: the periodic checks cover them
  inventory, // levels and catalog: a reconcile round of the groups the store is in
  orders,    // orders and draft orders: an orders reconcile (hook; see the keeper)
};
heal_kind heal_for_topic(const std::string& topic);

} // namespace shopsync
