// Which handler a request reaches and what /healthz answers, without sockets. The same over
// real HTTP is in webhook_server_test.cpp.
#include "io/webhook_routes.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

namespace {
route_match post(std::string_view target) { return match_route(target, false, true, true); }
route_match get(std::string_view target, bool oauth = true) { return match_route(target, true, false, oauth); }
} // namespace

TEST(webhook_routes, webhooks_take_their_topic_from_the_path_when_it_names_one) {
  EXPECT_EQ(post("/webhooks").route, server_route::webhook);
  EXPECT_EQ(post("/webhooks").path_topic, "");
  EXPECT_EQ(post("/webhooks/inventory_levels/update").route, server_route::webhook);
  EXPECT_EQ(post("/webhooks/inventory_levels/update").path_topic, "inventory_levels/update");
  EXPECT_EQ(post("/webhooks/orders/create?shop=x").path_topic, "orders/create") << "the query is not the topic";
  EXPECT_EQ(post("/webhooks/").path_topic, "");
  EXPECT_EQ(post("/webhooks/").route, server_route::webhook);
  EXPECT_EQ(post("/webhooksx").route, server_route::not_found);
  EXPECT_EQ(get("/webhooks").route, server_route::webhook_not_post);
  EXPECT_EQ(get("/webhooks/orders/create").route, server_route::webhook_not_post);
}

TEST(webhook_routes, health_metrics_and_the_oauth_callback_answer_get_only) {
  EXPECT_EQ(get("/healthz").route, server_route::healthz);
  EXPECT_EQ(get("/healthz?strict=1").route, server_route::healthz);
  EXPECT_EQ(get("/metrics").route, server_route::metrics);
  EXPECT_EQ(get("/auth/callback?code=a").route, server_route::oauth_callback);
  EXPECT_EQ(get("/auth/callback?code=a", false).route, server_route::not_found) << "no handler: 404";
  EXPECT_EQ(post("/healthz").route, server_route::not_found);
  EXPECT_EQ(post("/metrics").route, server_route::not_found);
  EXPECT_EQ(get("/").route, server_route::not_found);
}

TEST(webhook_routes, health_is_ok_when_ready_degraded_with_problems_and_503_otherwise) {
  auto ok = answer_health(true, false, {}, "/healthz");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "ok\n");

  std::vector<std::string> problems{"store dest is unauthorized", "group g is planned"};
  auto degraded = answer_health(true, false, problems, "/healthz");
  EXPECT_EQ(degraded.status, 200) << "a load balancer keeps sending webhooks";
  EXPECT_EQ(degraded.body, "degraded\nstore dest is unauthorized\ngroup g is planned\n");
  auto strict = answer_health(true, false, problems, "/healthz?strict=1");
  EXPECT_EQ(strict.status, 503);
  EXPECT_EQ(strict.body, degraded.body);
  EXPECT_EQ(answer_health(true, false, {}, "/healthz?strict=1").status, 200);

  auto starting = answer_health(false, false, problems, "/healthz");
  EXPECT_EQ(starting.status, 503);
  EXPECT_EQ(starting.body, "starting\n");
  auto stopping = answer_health(true, true, {}, "/healthz");
  EXPECT_EQ(stopping.status, 503);
  EXPECT_EQ(stopping.body, "stopping\n");
}
