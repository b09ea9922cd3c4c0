// at the intake, end to end (shopify-sim → shopsyncd over real HTTP): a signed delivery
// is never refused for its content, and one event reaching shopsyncd through two subscriptions
// (same X-Shopify-Event-Id, two webhook ids) is applied once.
#include "e2e_fixture.hpp"

#include "io/json_writer.hpp"
#include "support/temp_dir.hpp"
#include "support/webhook_server_fixture.hpp"
#include "support/webhook_client.hpp"

#include <gtest/gtest.h>

#include <cstdio>

using namespace std::chrono_literals;
using namespace shopsync;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-intake.myshopify.com", "shpat_intake_source", true};
const e2e_store kDest{"dest", "dest-intake.myshopify.com", "shpat_intake_dest", false};
const std::string kSku = "TEE-RED-S";

e2e_options one_way_options() {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, {kSku}, {5, 5});
  o.groups_toml = group_toml("mirror", {kDest}, "one_way");
  return o;
}

// POST /_sim/webhooks/send: the simulator signs `body` and delivers it for `topic`.
std::string send_through_sim(e2e_env& env, const std::string& topic, const std::string& body) {
  json_writer w;
  w.begin_object().field("store", kSource.shop).field("topic", topic).field("body", body).end_object();
  return env.sim_post("/_sim/webhooks/send", w.str());
}

// A delivery the simulator made to the Source's subscriber.
struct delivered {
  std::int64_t seq;
  std::string topic, state, event_id, webhook_id, note;
  std::int64_t status;
};
std::vector<delivered> deliveries_since(e2e_env& env, std::uint64_t since) {
  auto j = parse(env.sim_get("/_sim/webhooks?store=" + kSource.shop + "&since=" + std::to_string(since)));
  std::vector<delivered> out;
  for (std::size_t i = 0; i < j->size("/deliveries"); ++i) {
    auto at = "/deliveries/" + std::to_string(i);
    out.push_back({j->num(at + "/seq").value_or(0), j->str(at + "/topic"), j->str(at + "/state"),
                   j->str(at + "/event_id"), j->str(at + "/webhook_id"), j->str(at + "/note"),
                   j->num(at + "/last_status").value_or(0)});
  }
  return out;
}

std::uint64_t next_delivery(e2e_env& env) {
  return static_cast<std::uint64_t>(parse(env.sim_get("/_sim/webhooks?store=none"))->num("/next_seq").value_or(0));
}

std::string shopsyncctl(e2e_env& env, const std::string& args) {
  std::string out;
  FILE* p = ::popen((binary_path("shopsyncctl").string() + " --socket '" + env.socket() + "' " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, p))
    out.append(buf, n);
  ::pclose(p);
  return out;
}

} // namespace

TEST(E2eIntake, every_shopify_sample_is_answered_200_and_unusable_bodies_are_kept_aside) {
  e2e_env env(one_way_options());
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.webhooks_idle());
  auto since = next_delivery(env);

  // Every sample, and products/create as Shopify documents it (a null inventory_item_id).
  auto usable = shopify_samples();
  const std::vector<std::pair<std::string, std::string>> unusable = {
    {"inventory_levels/update", R"({"inventory_item_id":1,"location_id":)"},        // truncated
    {"customers/create", R"({"id":1,"email":"someone@example.com"})"},              // a topic shopsync does not parse
    {"inventory_levels/update", R"({"inventory_item_id":-1,"location_id":2})"},      // wrong type
  };
  for (auto& [topic, body] : usable)
    ASSERT_EQ(send_through_sim(env, topic, body).rfind("HTTP", 0), std::string::npos);
  for (auto& [topic, body] : unusable)
    ASSERT_EQ(send_through_sim(env, topic, body).rfind("HTTP", 0), std::string::npos);
  ASSERT_TRUE(env.webhooks_idle(20s));

  // Every delivery answered 200 at the first attempt: nothing for Shopify to retry.
  std::vector<delivered> ds;
  for (auto& d : deliveries_since(env, since))
    if (d.note == "control:send")
      ds.push_back(d);
  ASSERT_EQ(ds.size(), usable.size() + unusable.size());
  for (auto& d : ds) {
    EXPECT_EQ(d.state, "delivered") << d.topic;
    EXPECT_EQ(d.status, 200) << d.topic;
  }
  // The usable ones are applied (the inbox drains); the others are kept aside, by store name.
  EXPECT_TRUE(env.wait_until([&] { return env.inbox_depth() == 0; }, 15s)) << env.daemon_output();
  auto list = parse(env.control("inbox", R"({"unusable":true})"));
  ASSERT_TRUE(list->ok) << env.control("inbox", R"({"unusable":true})");
  ASSERT_EQ(list->size("/unusable"), unusable.size()) << env.control("inbox", R"({"unusable":true})");
  // Listed in the order they arrived, which under load need not be the order they were sent:
  // each entry is matched to its delivery by webhook id.
  std::optional<std::int64_t> truncated_id;
  for (std::size_t i = 0; i < unusable.size(); ++i) {
    auto u = "/unusable/" + std::to_string(i);
    std::size_t sent = unusable.size();
    for (std::size_t j = 0; j < unusable.size(); ++j)
      if (ds[usable.size() + j].webhook_id == list->str(u + "/webhook_id"))
        sent = j;
    ASSERT_LT(sent, unusable.size()) << "an unusable delivery not sent by the test: " << list->str(u + "/webhook_id");
    EXPECT_EQ(list->str(u + "/store"), "source");
    EXPECT_EQ(list->str(u + "/topic"), unusable[sent].first);
    EXPECT_EQ(list->str(u + "/event_id"), ds[usable.size() + sent].event_id);
    EXPECT_EQ(list->num(u + "/size"), static_cast<std::int64_t>(unusable[sent].second.size()));
    EXPECT_FALSE(list->str(u + "/received_at").empty());
    EXPECT_FALSE(list->str(u + "/reason").empty());
    if (sent == 1)
      EXPECT_EQ(list->str(u + "/reason_code"), "webhook.unknown_topic");
    if (sent == 0)
      truncated_id = list->num(u + "/id");
  }

  // shopsyncctl lists them as a table and shows one with its body.
  auto table = shopsyncctl(env, "inbox --unusable");
  EXPECT_NE(table.find("customers/create"), std::string::npos) << table;
  EXPECT_NE(table.find("source"), std::string::npos) << table;
  EXPECT_NE(table.find("REASON"), std::string::npos) << table;
  ASSERT_TRUE(truncated_id);
  auto one = shopsyncctl(env, "inbox --unusable --show " + std::to_string(*truncated_id));
  EXPECT_NE(one.find(unusable[0].second), std::string::npos) << one;
  EXPECT_NE(one.find("truncated"), std::string::npos) << one;
  auto missing = shopsyncctl(env, "inbox --unusable --show 999999");
  EXPECT_NE(missing.find("no unusable delivery"), std::string::npos) << missing;

  // Counted, by topic.
  auto m = http_get(env.webhook_port(), "/metrics").body;
  EXPECT_NE(m.find("shopsync_webhooks_unusable_total{topic=\"inventory_levels/update\"} 2\n"), std::string::npos) << m;
  EXPECT_NE(m.find("shopsync_webhooks_unusable_total{topic=\"other\"} 1\n"), std::string::npos) << m;
  EXPECT_EQ(env.stop_daemon(), 0) << env.daemon_output();
}

TEST(E2eIntake, one_event_through_two_subscriptions_is_applied_once) {
  e2e_env env(one_way_options());
  ASSERT_TRUE(env.start_mapped());
  ASSERT_TRUE(env.wait_settled("mirror", {"sku:" + kSku})) << env.daemon_output();
  ASSERT_TRUE(env.webhooks_idle());
  auto since = next_delivery(env);
  ASSERT_EQ(env.set_level(kSource.shop, kSku, 9).rfind("HTTP", 0), std::string::npos);
  ASSERT_TRUE(env.webhooks_idle());
  auto first = deliveries_since(env, since);
  std::optional<delivered> original;
  for (auto& d : first)
    if (d.topic == "inventory_levels/update")
      original = d;
  ASSERT_TRUE(original) << "no inventory_levels/update was sent";
  EXPECT_EQ(original->status, 200);
  auto again = parse(env.sim_post("/_sim/webhooks/redeliver", "{\"seq\":" + std::to_string(original->seq) + "}"));
  ASSERT_TRUE(again->ok);
  ASSERT_TRUE(env.webhooks_idle());
  std::optional<delivered> second;
  for (auto& d : deliveries_since(env, original->seq + 1))
    if (d.note == "control:second_subscription")
      second = d;
  ASSERT_TRUE(second);
  EXPECT_EQ(second->seq, again->num("/seq"));
  EXPECT_EQ(second->event_id, original->event_id);
  EXPECT_NE(second->webhook_id, original->webhook_id);
  EXPECT_EQ(second->status, 200);

  // The second subscription's delivery is a duplicate: answered 200, not applied again.
  auto m = http_get(env.webhook_port(), "/metrics").body;
  EXPECT_NE(m.find("shopsync_webhooks_total{topic=\"inventory_levels/update\",outcome=\"duplicate\"} 1\n"), std::string::npos)
    << m;
  EXPECT_TRUE(env.wait_until([&] { return env.level(kDest.shop, kSku) == 9; }, 15s)) << env.daemon_output();
  EXPECT_EQ(env.stop_daemon(), 0) << env.daemon_output();
}
