// plan_subscriptions: wanted topics against the store's listed subscriptions → the calls that
// close the gap, touching only shopsync's own subscriptions.
#include "domain/subscription_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

using namespace shopsync;

namespace {

const std::string uri = "https://sync.example.com/webhooks";

std::vector<topic_need> wanted(std::initializer_list<const char*> topics) {
  std::vector<topic_need> out;
  for (auto* t : topics)
    out.push_back({t, "inventory sync (group g)"});
  return out;
}

present_subscription sub(std::string id, std::string topic, std::string at, std::string name = "") {
  return {std::move(id), std::move(topic), std::move(at), std::move(name)};
}

const topic_row& row(const subscription_plan& p, const std::string& topic) {
  for (auto& r : p.rows)
    if (r.topic == topic)
      return r;
  throw std::runtime_error("no row " + topic);
}

// Applies a plan the way Shopify would, giving new subscriptions fresh ids.
std::vector<present_subscription> apply(std::vector<present_subscription> present, const subscription_plan& p,
                                        const subscription_policy& policy, int& next_id) {
  for (auto& id : p.remove)
    present.erase(std::remove_if(present.begin(), present.end(), [&](auto& s) { return s.id == id; }), present.end());
  for (auto& r : p.repoint)
    for (auto& s : present)
      if (s.id == r.id) {
        s.uri = policy.uri;
        s.name = policy.marker;
      }
  for (auto& t : p.create)
    present.push_back(sub("new-" + std::to_string(next_id++), t, policy.uri, policy.marker));
  return present;
}

} // namespace

TEST(SubscriptionPlan, AStoreWithNoSubscriptionsGetsOneCreatePerWantedTopic) {
  auto p = plan_subscriptions(wanted({"inventory_levels/update", "app/uninstalled"}), {}, {uri});
  EXPECT_EQ(p.create, (std::vector<std::string>{"inventory_levels/update", "app/uninstalled"}));
  EXPECT_TRUE(p.repoint.empty());
  EXPECT_TRUE(p.remove.empty());
  EXPECT_EQ(row(p, "app/uninstalled").state, topic_state::missing);
}

TEST(SubscriptionPlan, OursAtOurUriIsLeftAloneWhetherRecognisedByNameOrByUri) {
  auto p = plan_subscriptions(wanted({"inventory_levels/update", "orders/create"}),
                              {sub("1", "inventory_levels/update", uri, "shopsync"), sub("2", "orders/create", uri)},
                              {uri});
  EXPECT_FALSE(p.actions());
  EXPECT_EQ(row(p, "inventory_levels/update").state, topic_state::subscribed);
  EXPECT_EQ(row(p, "orders/create").state, topic_state::subscribed);
}

TEST(SubscriptionPlan, OursPointingElsewhereIsRepointedAndItsDuplicatesRemoved) {
  auto p = plan_subscriptions(wanted({"products/update"}),
                              {sub("1", "products/update", "https://old.example.com/webhooks", "shopsync"),
                               sub("2", "products/update", "https://older.example.com/hooks", "shopsync")},
                              {uri});
  ASSERT_EQ(p.repoint.size(), 1u);
  EXPECT_EQ(p.repoint[0].id, "1");
  EXPECT_EQ(p.remove, std::vector<std::string>{"2"});
  EXPECT_TRUE(p.create.empty());
  EXPECT_EQ(row(p, "products/update").state, topic_state::points_elsewhere);
}

TEST(SubscriptionPlan, ForeignSubscriptionsAreNeverTouchedAndDoNotCountAsOurs) {
  auto p = plan_subscriptions(wanted({"orders/create"}),
                              {sub("9", "orders/create", "https://erp.example.com/orders", "erp"),
                               sub("8", "carts/create", "https://erp.example.com/carts")},
                              {uri});
  EXPECT_EQ(p.create, std::vector<std::string>{"orders/create"});
  EXPECT_TRUE(p.remove.empty());
  EXPECT_TRUE(p.repoint.empty());
  EXPECT_EQ(row(p, "carts/create").state, topic_state::foreign);
  EXPECT_EQ(row(p, "orders/create").ids, std::vector<std::string>{"9"});
}

TEST(SubscriptionPlan, OursNoLongerWantedIsRemovedEvenWithoutAPublicUrl) {
  auto p = plan_subscriptions(wanted({"inventory_levels/update"}),
                              {sub("1", "draft_orders/create", "https://old.example.com/webhooks", "shopsync")},
                              {""});
  EXPECT_EQ(p.remove, std::vector<std::string>{"1"});
  EXPECT_TRUE(p.create.empty()); // nowhere to point a new one
  EXPECT_EQ(row(p, "draft_orders/create").state, topic_state::unwanted);
  EXPECT_EQ(row(p, "inventory_levels/update").state, topic_state::missing);
}

TEST(SubscriptionPlan, LeftToTheOperatorItOnlyReports) {
  subscription_policy policy{uri};
  policy.manage = false;
  auto p = plan_subscriptions(wanted({"orders/create"}), {sub("1", "products/delete", uri, "shopsync")}, policy);
  EXPECT_FALSE(p.actions());
  EXPECT_EQ(row(p, "orders/create").state, topic_state::missing);
  EXPECT_EQ(row(p, "products/delete").state, topic_state::unwanted);
}

TEST(SubscriptionPlan, ATopicSubscribedAtTheLastCheckAndMissingNowHasVanished) {
  auto w = wanted({"inventory_levels/update", "orders/create"});
  auto before = plan_subscriptions(w, {sub("1", "inventory_levels/update", uri, "shopsync")}, {uri});
  auto confirmed = subscribed_topics(before);
  EXPECT_EQ(confirmed, (std::set<std::string>{"inventory_levels/update"}));
  auto now = plan_subscriptions(w, {}, {uri});
  // orders/create was never there: missing, not vanished.
  EXPECT_EQ(vanished_topics(confirmed, now), std::vector<std::string>{"inventory_levels/update"});
  EXPECT_EQ(heal_for_topic("inventory_levels/update"), heal_kind::inventory);
  EXPECT_EQ(heal_for_topic("orders/create"), heal_kind::orders);
  EXPECT_EQ(heal_for_topic("app/uninstalled"), heal_kind::none);
}

// Seeded property: from any mix of ours, foreign, stale and duplicate subscriptions, one plan
// applied leaves exactly one of ours per wanted topic at our uri, none of ours unwanted, every
// foreign one untouched, and a second plan with nothing to do.
TEST(SubscriptionPlan, OneRoundConvergesAndLeavesForeignSubscriptionsAsTheyWere) {
  const std::vector<std::string> topics = {"inventory_levels/update", "inventory_items/update", "products/update",
                                           "orders/create", "draft_orders/create", "app/uninstalled"};
  const std::vector<std::string> uris = {uri, "https://old.example.com/webhooks", "https://erp.example.com/x"};
  const std::vector<std::string> names = {"", "shopsync", "erp"};
  std::map<std::string, int> exercised;
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    auto pick = [&](auto& v) { return v[rng() % v.size()]; };
    std::vector<topic_need> w;
    for (auto& t : topics)
      if (rng() % 2)
        w.push_back({t, "f"});
    std::vector<present_subscription> present;
    int n = static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i)
      present.push_back(sub("p" + std::to_string(i), pick(topics), pick(uris), pick(names)));
    subscription_policy policy{uri};
    auto p = plan_subscriptions(w, present, policy);
    exercised["create"] += !p.create.empty();
    exercised["repoint"] += !p.repoint.empty();
    exercised["remove"] += !p.remove.empty();
    int next = 0;
    auto after = apply(present, p, policy, next);
    for (auto& need : w) {
      auto ours = std::count_if(after.begin(), after.end(), [&](auto& s) {
        return s.topic == need.topic && s.uri == uri && is_ours(s, policy);
      });
      EXPECT_EQ(ours, 1) << need.topic;
    }
    for (auto& s : after) {
      bool is_wanted = std::any_of(w.begin(), w.end(), [&](auto& x) { return x.topic == s.topic; });
      if (is_ours(s, policy))
        EXPECT_TRUE(is_wanted && s.uri == uri) << s.id;
    }
    for (auto& s : present)
      if (!is_ours(s, policy)) {
        auto it = std::find_if(after.begin(), after.end(), [&](auto& x) { return x.id == s.id; });
        ASSERT_NE(it, after.end());
        EXPECT_EQ(it->uri, s.uri);
      }
    EXPECT_FALSE(plan_subscriptions(w, after, policy).actions());
  }
  EXPECT_GT(exercised["create"], 50);
  EXPECT_GT(exercised["repoint"], 20);
  EXPECT_GT(exercised["remove"], 20);
}
