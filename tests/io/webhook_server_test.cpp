// The webhook server over real loopback sockets, with a real RocksDB in a temp dir.
#include "io/webhook_server.hpp"

#include "io/health_board.hpp"
#include "io/hmac.hpp"
#include "support/webhook_client.hpp"
#include "support/webhook_server_fixture.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <poll.h>
#include <sys/socket.h>
#include <thread>

using namespace shopsync;
using namespace shopsync::testing;
using namespace std::chrono_literals;

namespace {

using server_fixture = webhook_server_fixture;

std::size_t count(state_store& s, column c) { return count_records(s, c); }

webhook_headers headers(const std::string& id = "wh-1") {
  webhook_headers h;
  h.webhook_id = id;
  return h;
}

} // namespace

TEST(webhook_server, accepts_a_signed_webhook_stores_it_then_hands_it_on) {
  server_fixture f;
  auto r = post_webhook(f.port, level_body(), headers());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(count(*f.store, column::inbox), 1u);
  EXPECT_EQ(count(*f.store, column::dedup), 1u);
  ASSERT_EQ(f.accepted_count(), 1u); // called before the 200 went out
  auto& [seq, env] = f.accepted[0];
  EXPECT_EQ(seq, 1u);
  EXPECT_EQ(env.topic, "inventory_levels/update");
  EXPECT_EQ(env.shop_domain, "shop-a.myshopify.com");
  EXPECT_EQ(env.webhook_id, "wh-1");
  EXPECT_EQ(env.event_id, "ev-wh-1");
  EXPECT_EQ(env.api_version, "2026-10");
  EXPECT_EQ(env.triggered_at, "2025-03-14T14:22:31.000Z");
  auto& ev = std::get<inventory_level_changed>(env.event);
  EXPECT_EQ(ev.item, 45678901234567u);
  EXPECT_EQ(ev.available, std::optional<std::int64_t>(7));
  auto rec = f.in->get(seq);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->delivery.body, level_body()); // raw body as received
}

TEST(webhook_server, topic_from_the_path_and_lower_case_header_names) {
  server_fixture f;
  auto body = read_file(shared_path("shopify/webhooks/orders_create.json"));
  auto h = headers("wh-path");
  h.path = "/webhooks/orders/create";
  h.topic = ""; // no X-Shopify-Topic at all
  EXPECT_EQ(post_webhook(f.port, body, h).status, 200);

  // A proxy may lower-case names; the shop domain is matched case-insensitively too.
  raw_connection c(f.port);
  std::string req = "POST /webhooks HTTP/1.1\r\nhost: x\r\nx-shopify-topic: inventory_levels/update\r\n"
                    "x-shopify-shop-domain: shop-b.myshopify.com\r\nx-shopify-webhook-id: wh-lc\r\n"
                    "x-shopify-hmac-sha256: " +
                    hmac_sha256_base64("hush", level_body()) + "\r\ncontent-length: " +
                    std::to_string(level_body().size()) + "\r\n\r\n" + level_body();
  ASSERT_TRUE(c.send(req));
  auto r = c.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  ASSERT_EQ(f.accepted_count(), 2u);
  EXPECT_EQ(f.accepted[0].second.topic, "orders/create");
  EXPECT_TRUE(std::holds_alternative<order_created>(f.accepted[0].second.event));
  EXPECT_EQ(f.accepted[1].second.shop_domain, "shop-b.myshopify.com");
}

TEST(webhook_server, keep_alive_serves_many_requests_on_one_connection) {
  server_fixture f;
  raw_connection c(f.port);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(c.send(webhook_request(level_body(), headers("ka-" + std::to_string(i)))));
    auto r = c.read_reply();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->headers["connection"], "close");
  }
  EXPECT_EQ(count(*f.store, column::inbox), 20u);
}

TEST(webhook_server, a_rotated_secret_is_accepted_alongside_the_new_one) {
  server_fixture f;
  auto h = headers("old-secret");
  h.secret = "hush";
  EXPECT_EQ(post_webhook(f.port, level_body(), h).status, 200);
  h = headers("new-secret");
  h.secret = "new-secret";
  EXPECT_EQ(post_webhook(f.port, level_body(), h).status, 200);
  h = headers("other-secret");
  h.secret = "not-ours";
  EXPECT_EQ(post_webhook(f.port, level_body(), h).status, 401);
  EXPECT_EQ(f.accepted_count(), 2u);
}

TEST(webhook_server, content_length_over_the_limit_is_413_before_the_body_is_read) {
  server_fixture f;
  raw_connection c(f.port);
  auto req = webhook_request(level_body(), headers());
  // Announce 10 MiB, send none of it: the answer must come from the header alone.
  auto cl = req.find("Content-Length: ");
  req = req.substr(0, cl) + "Content-Length: 10485760\r\n\r\n";
  ASSERT_TRUE(c.send(req));
  auto r = c.read_reply(2s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(c.closed_within(2s));
  f.expect_nothing_stored();
}

TEST(webhook_server, chunked_body_growing_over_the_limit_is_413) {
  server_fixture f;
  raw_connection c(f.port);
  auto req = webhook_request(level_body(), headers());
  auto cl = req.find("Content-Length: ");
  req = req.substr(0, cl) + "Transfer-Encoding: chunked\r\n\r\n";
  std::string chunk(16 * 1024, 'x');
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  for (int i = 0; i < 6; ++i) // 96 KiB > 64 KiB
    req += size + chunk + "\r\n";
  req += "0\r\n\r\n";
  c.send(req);
  auto r = c.read_reply(2s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  f.expect_nothing_stored();
}

TEST(webhook_server, headers_over_the_limit_are_431) {
  server_fixture f;
  raw_connection c(f.port);
  auto h = headers();
  h.extra.push_back({"X-Padding", std::string(16 * 1024, 'p')});
  ASSERT_TRUE(c.send(webhook_request(level_body(), h)));
  auto r = c.read_reply(2s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  f.expect_nothing_stored();
}

TEST(webhook_server, slow_header_closes_the_connection) {
  server_fixture f;
  raw_connection c(f.port);
  ASSERT_TRUE(c.send("POST /webhooks HTTP/1.1\r\nHost: x\r\n")); // ... and nothing more
  EXPECT_TRUE(c.closed_within(3s));
  f.expect_nothing_stored();
}

TEST(webhook_server, slow_body_closes_the_connection) {
  server_fixture f;
  raw_connection c(f.port);
  auto req = webhook_request(level_body(), headers());
  ASSERT_TRUE(c.send(req.substr(0, req.size() - 50))); // the last 50 bytes never come
  EXPECT_TRUE(c.closed_within(3s));
  f.expect_nothing_stored();
}

TEST(webhook_server, unknown_or_missing_shop_and_bad_or_missing_hmac_are_the_same_401) {
  server_fixture f;
  std::vector<http_reply> replies;
  auto h = headers();
  h.shop = "stranger.myshopify.com";
  replies.push_back(post_webhook(f.port, level_body(), h));
  h = headers();
  h.shop = "";
  replies.push_back(post_webhook(f.port, level_body(), h));
  h = headers();
  h.hmac = hmac_sha256_base64("hush", level_body() + " ");
  replies.push_back(post_webhook(f.port, level_body(), h));
  h = headers();
  h.hmac = "";
  replies.push_back(post_webhook(f.port, level_body(), h));
  h = headers();
  h.hmac = "not base64 at all";
  replies.push_back(post_webhook(f.port, level_body(), h));
  for (auto& r : replies) {
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.body, replies[0].body); // which check failed is not said
  }
  f.expect_nothing_stored();
}

// A signed delivery is Shopify's: whatever its content, once stored it is answered 200 (a
// non-2xx makes Shopify retry, then delete the subscription). What cannot be used is kept
// aside with the reason, counted, and never handed on.
TEST(webhook_server, signed_deliveries_with_unusable_content_are_200_and_kept_aside) {
  server_fixture f;
  struct unusable_case {
    std::string webhook_id, event_id, topic, path, body, code, names;
  };
  std::vector<unusable_case> cases = {
    {"a", "", "inventory_levels/update", "", R"({"inventory_item_id":1,"location_id":)", "webhook.malformed", "truncated"},
    {"b", "", "inventory_levels/update", "", R"({"inventory_item_id":1,"available":3})", "webhook.missing_field", "location_id"},
    {"c", "", "inventory_levels/update", "", "{\"inventory_item_id\":1,\"location_id\":2,\"x\":\"\xff\"}", "webhook.malformed", ""},
    {"d", "", "inventory_levels/update", "", R"({"inventory_item_id":18446744073709551616,"location_id":2})", "webhook.wrong_type", "inventory_item_id"},
    {"e", "", "inventory_levels/update", "", R"({"inventory_item_id":1,"location_id":2,"x":)" + std::string(100, '[') + std::string(100, ']') + "}", "webhook.malformed", "nesting"},
    {"f", "", "orders/create", "", R"({"id":"five","line_items":[]})", "webhook.wrong_type", "id"},
    {"g", "", "", "", level_body(), "webhook.missing_topic", "X-Shopify-Topic"},
    {"h", "", "customers/create", "", R"({"id":1,"email":"x@example.com"})", "webhook.unknown_topic", "customers/create"},
    {"i", "", "", "/webhooks/customers/update", R"({"id":1})", "webhook.unknown_topic", "customers/update"},
    {"", "", "inventory_levels/update", "", level_body(), "webhook.missing_id", "X-Shopify-Webhook-Id"},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.webhook_id + " " + c.code);
    auto h = headers(c.webhook_id);
    h.event_id = c.webhook_id.empty() ? "" : "ev-" + c.webhook_id;
    h.topic = c.topic;
    if (!c.path.empty())
      h.path = c.path;
    auto r = post_webhook(f.port, c.body, h);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("kept aside"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(c.names), std::string::npos) << r.body;
  }
  EXPECT_EQ(f.accepted_count(), 0u); // nothing handed on
  EXPECT_EQ(f.in->depth(), 0u);
  auto kept = inbox::list_unusable(*f.store);
  ASSERT_TRUE(kept.ok()) << kept.error().message;
  ASSERT_EQ(kept->size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto& d = (*kept)[i].delivery;
    SCOPED_TRACE(cases[i].webhook_id);
    EXPECT_EQ(d.webhook_id, cases[i].webhook_id);
    EXPECT_EQ(d.shop_domain, "shop-a.myshopify.com");
    EXPECT_EQ(d.body, cases[i].body); // the raw body, byte for byte
    ASSERT_TRUE(d.unusable);
    EXPECT_EQ(d.unusable->code, cases[i].code);
  }
  EXPECT_EQ((*kept)[8].delivery.topic, "customers/update");

  // Shopify's retry of an unusable delivery is a duplicate like any other.
  auto retry = headers("a");
  retry.event_id = "ev-a";
  auto r = post_webhook(f.port, cases[0].body, retry);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "duplicate\n");
  EXPECT_EQ(inbox::list_unusable(*f.store)->size(), cases.size());
  auto last = inbox::list_unusable(*f.store, 2);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->size(), 2u);
  EXPECT_EQ((*last)[0].delivery.webhook_id, "i");
  auto one = inbox::get_unusable(*f.store, (*kept)[1].seq);
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->delivery.webhook_id, "b");

  auto m = http_get(f.port, "/metrics").body;
  EXPECT_NE(m.find("shopsync_webhooks_unusable_total{topic=\"inventory_levels/update\"} 6\n"), std::string::npos) << m;
  EXPECT_NE(m.find("shopsync_webhooks_unusable_total{topic=\"orders/create\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("shopsync_webhooks_unusable_total{topic=\"other\"} 3\n"), std::string::npos) << m;
  EXPECT_NE(m.find("shopsync_webhooks_total{topic=\"other\",outcome=\"unusable\"} 3\n"), std::string::npos) << m;

  // Kept aside entries are not replayed and survive a restart of the inbox.
  auto pending = f.in->pending();
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
}

TEST(webhook_server, unsigned_junk_is_still_401_and_not_kept) {
  server_fixture f;
  auto h = headers("junk");
  h.hmac = "not-a-signature";
  EXPECT_EQ(post_webhook(f.port, R"({"inventory_item_id":1,"location_id":)", h).status, 401);
  h.hmac = std::nullopt;
  h.shop = "stranger.myshopify.com";
  EXPECT_EQ(post_webhook(f.port, "not json at all", h).status, 401);
  f.expect_nothing_stored();
  EXPECT_TRUE(inbox::list_unusable(*f.store)->empty());
}

// Shopify's own samples, signed and posted over real HTTP: each 200 and handed on parsed,
// including a products/create whose variant has a null inventory_item_id (as Shopify's
// documentation shows it).
TEST(webhook_server, every_shopify_sample_is_accepted_and_handed_on) {
  server_fixture f;
  auto samples = shopify_samples();
  for (std::size_t i = 0; i < samples.size(); ++i) {
    SCOPED_TRACE(samples[i].first);
    ASSERT_FALSE(samples[i].second.empty());
    auto h = headers("sample-" + std::to_string(i));
    h.topic = samples[i].first;
    auto r = post_webhook(f.port, samples[i].second, h);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, "ok\n");
  }
  ASSERT_EQ(f.accepted_count(), samples.size());
  EXPECT_TRUE(inbox::list_unusable(*f.store)->empty());
  std::lock_guard l(f.mu);
  auto& p = std::get<product_changed>(f.accepted.back().second.event);
  EXPECT_TRUE(p.variants.empty());
  EXPECT_EQ(p.all_variants, std::vector<variant_id>{45012345678901u});
}

// X-Shopify-Event-Id is one per event, shared when the event reaches us through two
// subscriptions: that is the dedup key. The webhook id stays on the record.
TEST(webhook_server, dedup_is_on_the_event_id_with_the_webhook_id_as_fallback) {
  server_fixture f;
  auto sub1 = headers("wh-sub-1");
  sub1.event_id = "ev-shared";
  auto sub2 = headers("wh-sub-2");
  sub2.event_id = "ev-shared";
  EXPECT_EQ(post_webhook(f.port, level_body(), sub1).body, "ok\n");
  EXPECT_EQ(post_webhook(f.port, level_body(), sub2).body, "duplicate\n");
  ASSERT_EQ(f.accepted_count(), 1u);
  {
    std::lock_guard l(f.mu);
    EXPECT_EQ(f.accepted[0].second.webhook_id, "wh-sub-1");
    EXPECT_EQ(f.accepted[0].second.event_id, "ev-shared");
    auto rec = f.in->get(f.accepted[0].first);
    ASSERT_TRUE(rec.ok() && rec->has_value());
    EXPECT_EQ((*rec)->delivery.webhook_id, "wh-sub-1");
  }
  auto seen = f.store->get(column::dedup, inbox::dedup_key("shop-a.myshopify.com", "ev-shared"));
  ASSERT_TRUE(seen.ok());
  EXPECT_TRUE(seen->has_value());
  // Same event id in another shop: another event.
  auto other_shop = sub1;
  other_shop.shop = "shop-b.myshopify.com";
  EXPECT_EQ(post_webhook(f.port, level_body(), other_shop).body, "ok\n");
  // Without an event id, the webhook id.
  auto bare = headers("wh-bare");
  bare.event_id = "";
  EXPECT_EQ(post_webhook(f.port, level_body(), bare).body, "ok\n");
  EXPECT_EQ(post_webhook(f.port, level_body(), bare).body, "duplicate\n");
  // A retry of a delivery recorded under its webhook id only (before the event id was the
  // key, or without one) is still the same delivery.
  auto retried = bare;
  retried.event_id = "ev-bare";
  EXPECT_EQ(post_webhook(f.port, level_body(), retried).body, "duplicate\n");
  EXPECT_EQ(f.accepted_count(), 3u);
  // Concurrent deliveries of one event through several subscriptions (one batch).
  std::vector<std::thread> ts;
  for (int i = 0; i < 8; ++i)
    ts.emplace_back([&, i] {
      auto h = headers("wh-burst-" + std::to_string(i));
      h.event_id = "ev-burst";
      EXPECT_EQ(post_webhook(f.port, level_body(), h).status, 200);
    });
  for (auto& t : ts)
    t.join();
  EXPECT_EQ(f.accepted_count(), 4u);
}

TEST(webhook_server, duplicate_webhook_id_is_200_and_not_processed_twice) {
  server_fixture f;
  EXPECT_EQ(post_webhook(f.port, level_body(), headers("dup")).status, 200);
  auto r = post_webhook(f.port, level_body(), headers("dup"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(f.accepted_count(), 1u);
  EXPECT_EQ(count(*f.store, column::inbox), 1u);
  // Concurrent duplicates (one batch) are caught too.
  std::vector<std::thread> ts;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    ts.emplace_back([&] {
      if (post_webhook(f.port, level_body(), headers("burst")).status == 200)
        ++ok;
    });
  for (auto& t : ts)
    t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(f.accepted_count(), 2u);
  EXPECT_EQ(count(*f.store, column::inbox), 2u);
}

TEST(webhook_server, storage_failure_is_503_and_nothing_is_stored_or_handed_on) {
  server_fixture f;
  f.store->fail_writes_for_testing(true);
  auto r = post_webhook(f.port, level_body(), headers("w"));
  EXPECT_EQ(r.status, 503);
  EXPECT_FALSE(r.headers["retry-after"].empty());
  f.expect_nothing_stored();
  f.store->fail_writes_for_testing(false);
  EXPECT_EQ(post_webhook(f.port, level_body(), headers("w")).status, 200); // Shopify's retry
  EXPECT_EQ(f.accepted_count(), 1u);
}

TEST(webhook_server, a_flood_of_bad_signatures_stores_nothing) {
  server_fixture f;
  constexpr int per_conn = 100, conns = 5;
  std::vector<std::thread> ts;
  std::atomic<int> unauthorized{0};
  for (int c = 0; c < conns; ++c)
    ts.emplace_back([&, c] {
      raw_connection conn(f.port);
      for (int i = 0; i < per_conn; ++i) {
        auto h = headers("flood-" + std::to_string(c) + "-" + std::to_string(i));
        h.hmac = hmac_sha256_base64("attacker-" + std::to_string(i), level_body());
        if (!conn.send(webhook_request(level_body(), h)))
          return;
        auto r = conn.read_reply();
        if (r && r->status == 401)
          ++unauthorized;
      }
    });
  for (auto& t : ts)
    t.join();
  EXPECT_EQ(unauthorized.load(), per_conn * conns);
  f.expect_nothing_stored();
  auto m = http_get(f.port, "/metrics").body;
  EXPECT_NE(m.find("shopsync_webhooks_total{topic=\"unverified\",outcome=\"unauthorized\"} 500\n"), std::string::npos) << m;
}

TEST(webhook_server, healthz_follows_readiness) {
  server_fixture f;
  auto r = http_get(f.port, "/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "starting\n");
  f.server->set_ready(true);
  r = http_get(f.port, "/healthz");
  EXPECT_EQ(r.status, 200);
  f.server->set_ready(false);
  EXPECT_EQ(http_get(f.port, "/healthz").status, 503);
}

// A problem on the health board: still 200 (a load balancer keeps sending webhooks), the body
// says "degraded" and names it; ?strict=1 answers 503 for monitors that read only the status.
TEST(webhook_server, healthz_says_degraded_while_a_problem_lasts) {
  auto board = std::make_shared<health_board>();
  server_fixture f([board](webhook_server::options& o) { o.health_problems = [board] { return board->problems(); }; });
  f.server->set_ready(true);
  EXPECT_EQ(http_get(f.port, "/healthz").body, "ok\n");
  board->set("store dest-b", "unauthorized (HTTP 401)");
  auto r = http_get(f.port, "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "degraded\nstore dest-b: unauthorized (HTTP 401)\n");
  EXPECT_EQ(http_get(f.port, "/healthz?strict=1").status, 503);
  board->clear("store dest-b");
  r = http_get(f.port, "/healthz?strict=1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
  f.server->set_ready(false);
  EXPECT_EQ(http_get(f.port, "/healthz").status, 503); // starting or stopping wins
}

TEST(webhook_server, metrics_count_outcomes_depth_and_latency) {
  server_fixture f;
  EXPECT_EQ(post_webhook(f.port, level_body(), headers("m1")).status, 200);
  EXPECT_EQ(post_webhook(f.port, level_body(), headers("m1")).status, 200);
  auto bad = headers("m2");
  bad.hmac = "x";
  EXPECT_EQ(post_webhook(f.port, level_body(), bad).status, 401);
  auto r = http_get(f.port, "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.headers["content-type"].find("text/plain"), std::string::npos);
  auto& m = r.body;
  EXPECT_NE(m.find("shopsync_webhooks_total{topic=\"inventory_levels/update\",outcome=\"accepted\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("shopsync_webhooks_total{topic=\"inventory_levels/update\",outcome=\"duplicate\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("shopsync_webhooks_total{topic=\"unverified\",outcome=\"unauthorized\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("# TYPE shopsync_inbox_depth gauge\nshopsync_inbox_depth 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("# TYPE shopsync_webhook_ack_seconds histogram\n"), std::string::npos) << m;
  EXPECT_NE(m.find("shopsync_webhook_ack_seconds_count 3\n"), std::string::npos) << m;
}

TEST(webhook_server, other_paths_and_methods) {
  server_fixture f;
  EXPECT_EQ(http_get(f.port, "/webhooks").status, 405);
  EXPECT_EQ(http_get(f.port, "/admin").status, 404);
  EXPECT_EQ(http_get(f.port, "/webhooksX").status, 404);
}

TEST(webhook_server, expect_100_continue_is_honoured) {
  server_fixture f;
  auto h = headers("cont");
  h.extra.push_back({"Expect", "100-continue"});
  auto req = webhook_request(level_body(), h);
  auto split = req.find("\r\n\r\n") + 4;
  raw_connection c(f.port);
  ASSERT_TRUE(c.send(req.substr(0, split)));
  // The interim answer comes before any of the body is sent.
  pollfd p{c.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 2000), 1);
  char buf[64] = {};
  auto n = ::recv(c.fd(), buf, sizeof buf - 1, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(c.send(req.substr(split)));
  auto r = c.read_reply(2s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(f.accepted_count(), 1u);
}

TEST(webhook_server, stop_closes_idle_connections_and_returns) {
  server_fixture f;
  raw_connection idle(f.port);
  ASSERT_TRUE(idle.send(webhook_request(level_body(), headers("before-stop"))));
  ASSERT_TRUE(idle.read_reply());
  auto t0 = std::chrono::steady_clock::now();
  f.server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s); // did not wait for the grace period
  EXPECT_TRUE(idle.closed_within(1s));
  EXPECT_THROW(raw_connection late(f.port), std::runtime_error); // no longer accepting
}

TEST(webhook_server, stop_lets_a_request_in_flight_finish) {
  server_fixture f;
  raw_connection c(f.port);
  auto req = webhook_request(level_body(), headers("in-flight"));
  ASSERT_TRUE(c.send(req.substr(0, req.size() - 20))); // header and most of the body
  std::this_thread::sleep_for(50ms);
  std::thread stopper([&] { f.server->stop(); });
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(c.send(req.substr(req.size() - 20)));
  auto r = c.read_reply(2s);
  stopper.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers["connection"], "close"); // no keep-alive while stopping
  EXPECT_EQ(f.accepted_count(), 1u);
  EXPECT_EQ(count(*f.store, column::inbox), 1u);
}

TEST(webhook_server, options_come_from_the_daemon_config) {
  config cfg;
  cfg.daemon.listen_address = "0.0.0.0";
  cfg.daemon.listen_port = 9123;
  cfg.daemon.io_threads = 3;
  cfg.daemon.max_body_bytes = 1234;
  cfg.daemon.webhook_secrets = {"a", "b"};
  store_config s1, s2;
  s1.shop_domain = "one.myshopify.com";
  s2.shop_domain = "two.myshopify.com";
  cfg.stores = {s1, s2};
  auto o = webhook_server::options_from(cfg);
  EXPECT_EQ(o.address, "0.0.0.0");
  EXPECT_EQ(o.port, 9123);
  EXPECT_EQ(o.io_threads, 3);
  EXPECT_EQ(o.max_body_bytes, 1234u);
  EXPECT_EQ(o.secrets, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o.shop_domains, (std::vector<std::string>{"one.myshopify.com", "two.myshopify.com"}));
}

TEST(webhook_server, stop_forces_out_a_stalled_request_after_the_grace_period) {
  server_fixture f([](webhook_server::options& o) {
    o.header_timeout = 30s; // the stalled client would hold on far longer than the grace
    o.stop_grace = 200ms;
  });
  raw_connection c(f.port);
  ASSERT_TRUE(c.send("POST /webhooks HTTP/1.1\r\nHost: x\r\n"));
  std::this_thread::sleep_for(50ms);
  auto t0 = std::chrono::steady_clock::now();
  f.server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_TRUE(c.closed_within(1s));
  f.expect_nothing_stored();
}
