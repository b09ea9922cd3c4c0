// Webhooks from shopify-sim: each topic's payload carries the fields and JSON types of Shopify's
// examples in shared/shopify/webhooks/, every X-Shopify-* header is set, the signature verifies,
// and a failed or unanswered delivery is retried with the same webhook id.
#include "sim/sim_fixture.hpp"
#include "sim/hmac.hpp"
#include "support/http_receiver.hpp"

#include <map>
#include <set>

using namespace shopsync::testing;

namespace {
std::string json_type(simdjson::dom::element el) {
  switch (el.type()) {
    case simdjson::dom::element_type::ARRAY: return "array";
    case simdjson::dom::element_type::OBJECT: return "object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64: return "integer";
    case simdjson::dom::element_type::DOUBLE: return "double";
    case simdjson::dom::element_type::STRING: return "string";
    case simdjson::dom::element_type::BOOL: return "bool";
    case simdjson::dom::element_type::NULL_VALUE: return "null";
  }
  return "?";
}

// Every key of the example is in ours with the same JSON type, recursively (arrays: their first
// elements). A null in the example says nothing about the type; extra keys in ours are allowed.
void same_shape(simdjson::dom::element example, simdjson::dom::element ours, const std::string& path,
                std::vector<std::string>& problems) {
  auto te = json_type(example), to = json_type(ours);
  if (te == "null")
    return;
  if (te != to) {
    problems.push_back(path + ": example " + te + ", simulator " + to);
    return;
  }
  if (te == "object") {
    for (auto [key, val] : simdjson::dom::object(example)) {
      simdjson::dom::element o;
      if (simdjson::dom::object(ours)[key].get(o) != simdjson::SUCCESS) {
        problems.push_back(path + "." + std::string(key) + ": missing");
        continue;
      }
      same_shape(val, o, path + "." + std::string(key), problems);
    }
  } else if (te == "array") {
    simdjson::dom::array ea(example), oa(ours);
    if (ea.size() > 0) {
      if (oa.size() == 0)
        problems.push_back(path + ": empty, the example has elements");
      else
        same_shape(*ea.begin(), *oa.begin(), path + "[0]", problems);
    }
  }
}

const std::vector<std::string> all_topics = {"inventory_levels/update", "inventory_items/update", "orders/create",
                                              "draft_orders/create", "draft_orders/update", "products/create",
                                              "products/update"};

std::string example_file(const std::string& topic) {
  std::string f = topic;
  for (auto& c : f)
    if (c == '/')
      c = '_';
  return read_file(shared_path("shopify/webhooks/" + f + ".json"));
}
} // namespace

TEST(SimWebhooks, HmacCheckValuesFromTheContract) {
  auto body = read_file(shared_path("shopify/webhooks/inventory_levels_update.json"));
  ASSERT_EQ(body.size(), 216u);
  EXPECT_EQ(shopsync::sim::hmac_sha256_base64("hush", body), "kltOIo/ziXkxEJ6WC0JmBJpJBT2LRzagZuvT5+8Lthg=");
  EXPECT_EQ(shopsync::sim::hmac_sha256_base64("test_secret_key", ""), "wde+AV/P/S1RUZlUH69IkPgPFLVGtBzMGLvoVzqwiwo=");
  EXPECT_NE(shopsync::sim::hmac_sha256_base64("hush", body + " "), "kltOIo/ziXkxEJ6WC0JmBJpJBT2LRzagZuvT5+8Lthg=");
}

TEST(SimWebhooks, EveryTopicHasTheFieldsAndTypesOfShopifysExampleAndIsSigned) {
  http_receiver rx;
  sim_process sim(small_scenario(), {"--webhook-url", rx.url(), "--time-scale", "0.001"});
  const std::string shop = "alpha.myshopify.com";
  auto [shirt_variant, shirt_item] = sim.ids(shop, "SHIRT-S");
  // inventory_levels/update, orders/create, products/update
  sim.post("/_sim/sale", R"({"store":"alpha.myshopify.com","sku":"SHIRT-S","quantity":2})");
  // inventory_items/update
  sim.post("/_sim/variant/update", R"({"store":"alpha.myshopify.com","sku":"MUG","new_sku":"MUG-2"})");
  // products/create
  sim.post("/_sim/product", R"({"store":"alpha.myshopify.com","handle":"scarf","title":"Scarf","variants":[{"sku":"SCARF","barcode":"1000000000099","available":3}]})");
  // draft_orders/create (through the Admin API: api_client_id is the app's), then completed
  auto d = sim.alpha("DraftOrderCreate", R"({"input":{"email":"jane@example.com","note":"from the test","tags":["t1","t2"],
      "lineItems":[{"variantId":")" + variant_gid(shirt_variant) + R"(","quantity":1}],
      "shippingAddress":{"firstName":"Jane","lastName":"Doe","address1":"1 Main St","city":"Springfield","provinceCode":"IL","zip":"62701","countryCode":"US"}}})");
  auto draft_id = d->str("/data/draftOrderCreate/draftOrder/id");
  sim.post("/_sim/draft_order/update", R"({"store":"alpha.myshopify.com","id":")" + draft_id + R"(","status":"completed"})");

  // sale 3, SKU change 2, product 1, draft 1, completion 4 (orders/create, level, product, draft)
  ASSERT_TRUE(rx.wait_for(11, std::chrono::seconds(10))) << rx.count();
  EXPECT_TRUE(sim.get("/_sim/webhooks/wait_idle?timeout_ms=5000")->flag("/idle"));
  std::map<std::string, std::vector<received_request>> by_topic;
  std::set<std::string> webhook_ids;
  for (auto& r : rx.requests()) {
    by_topic[r.headers["x-shopify-topic"]].push_back(r);
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.headers["x-shopify-shop-domain"], shop);
    EXPECT_EQ(r.headers["x-shopify-api-version"], "2026-10");
    EXPECT_EQ(r.headers["x-shopify-hmac-sha256"], shopsync::sim::hmac_sha256_base64("test-secret", r.body));
    EXPECT_EQ(r.headers["x-shopify-hmac-sha256"].size(), 44u);
    EXPECT_FALSE(r.headers["x-shopify-event-id"].empty());
    EXPECT_EQ(r.headers["x-shopify-triggered-at"].size(), 25u) << r.headers["x-shopify-triggered-at"];
    EXPECT_TRUE(webhook_ids.insert(r.headers["x-shopify-webhook-id"]).second) << "one id per delivery";
    EXPECT_EQ(r.headers["content-type"], "application/json");
  }
  for (auto& topic : all_topics) {
    ASSERT_FALSE(by_topic[topic].empty()) << "no " << topic;
    simdjson::dom::parser p1, p2;
    auto example = p1.parse(example_file(topic)).value();
    for (auto& r : by_topic[topic]) {
      simdjson::dom::element ours;
      ASSERT_EQ(p2.parse(r.body).get(ours), simdjson::SUCCESS) << r.body;
      std::vector<std::string> problems;
      same_shape(example, ours, topic, problems);
      for (auto& pr : problems)
        ADD_FAILURE() << pr << "\n" << r.body;
    }
  }
  // Values that matter to shopsync.
  auto sale = parse_json(by_topic["orders/create"][0].body);
  EXPECT_EQ(sale->num("/line_items/0/variant_id"), shirt_variant);
  EXPECT_NE(sale->num("/app_id"), 580111) << "a storefront sale is not the app's own order";
  auto level = parse_json(by_topic["inventory_levels/update"][0].body);
  EXPECT_EQ(level->num("/inventory_item_id"), shirt_item);
  EXPECT_EQ(level->num("/available"), 8);
  // The level's own number (never the location id), the one a read of that level answers.
  auto level_id = level->str("/admin_graphql_api_id");
  EXPECT_NE(level_id, "gid://shopify/InventoryLevel/" + std::to_string(level->num("/location_id")) +
                          "?inventory_item_id=" + std::to_string(shirt_item));
  auto read = sim.alpha("InventoryLevels", R"({"ids":[")" + level_id + R"("]})");
  EXPECT_EQ(read->str("/data/nodes/0/location/id"), location_gid(level->num("/location_id"))) << read->dump();
  EXPECT_TRUE(read->has("/data/nodes/0/quantities/0/quantity")) << read->dump();
  auto created = parse_json(by_topic["draft_orders/create"][0].body);
  EXPECT_EQ(created->num("/api_client_id"), 580111);
  EXPECT_EQ(created->str("/status"), "open");
  EXPECT_EQ(created->str("/tags"), "t1, t2");
  auto done = parse_json(by_topic["draft_orders/update"].back().body);
  EXPECT_EQ(done->str("/status"), "completed");
  EXPECT_FALSE(done->is_null("/order_id"));
  auto item = parse_json(by_topic["inventory_items/update"][0].body);
  EXPECT_EQ(item->str("/sku"), "MUG-2");
}

TEST(SimWebhooks, FailedAndUnansweredDeliveriesAreRetriedWithTheSameIds) {
  // 1st attempt: 500; 2nd: no answer within the (scaled) 5 s deadline; 3rd: 200.
  http_receiver rx([](std::size_t n, const received_request&) {
    if (n == 0) return receiver_reply{500, {}};
    if (n == 1) return receiver_reply{200, std::chrono::milliseconds(1500)};
    return receiver_reply{};
  });
  // time scale 0.05: deadline 250 ms, backoff 0.5 s then 1.5 s.
  sim_process sim(small_scenario(), {"--webhook-url", rx.url(), "--time-scale", "0.05"});
  sim.post("/_sim/set_level", R"({"store":"alpha.myshopify.com","sku":"MUG","available":1})");
  ASSERT_TRUE(rx.wait_for(3, std::chrono::seconds(15)));
  auto reqs = rx.requests();
  EXPECT_EQ(reqs[0].headers["x-shopify-webhook-id"], reqs[1].headers["x-shopify-webhook-id"]);
  EXPECT_EQ(reqs[1].headers["x-shopify-webhook-id"], reqs[2].headers["x-shopify-webhook-id"]);
  EXPECT_EQ(reqs[0].body, reqs[2].body) << "the original payload";
  auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(reqs[1].at - reqs[0].at).count();
  EXPECT_GE(gap, 400) << "backoff before the first retry";
  sim.get("/_sim/webhooks/wait_idle?timeout_ms=5000");
  auto stats = sim.get("/_sim/webhooks");
  ASSERT_EQ(stats->size("/deliveries"), 1u);
  EXPECT_EQ(stats->str("/deliveries/0/state"), "delivered");
  EXPECT_EQ(stats->num("/deliveries/0/attempts"), 3);
}

// Each sender keeps its connection between deliveries, as nginx keeps its upstream ones; a
// connection the receiver closed while idle is replaced without a failed attempt. Without
// keep-alive, one connection per delivery.
TEST(SimWebhooks, DeliveriesShareAKeptConnectionAndOutliveItsClose) {
  for (bool keep : {true, false}) {
    SCOPED_TRACE(keep ? "keep-alive" : "one connection per delivery");
    http_receiver rx([](std::size_t n, const received_request&) {
      receiver_reply r;
      r.then_close = n == 1;
      return r;
    });
    sim_process sim(small_scenario(), {"--webhook-url", rx.url(), "--webhook-threads", "1", "--webhook-keep-alive",
                                       keep ? "true" : "false"});
    for (int level = 1; level <= 4; ++level) {
      sim.post("/_sim/set_level",
               R"({"store":"alpha.myshopify.com","sku":"MUG","available":)" + std::to_string(level) + "}");
      ASSERT_TRUE(rx.wait_for(level, std::chrono::seconds(10)));
    }
    sim.get("/_sim/webhooks/wait_idle?timeout_ms=5000");
    EXPECT_EQ(rx.count(), 4u);
    EXPECT_EQ(rx.connections(), keep ? 2u : 4u) << "kept: two deliveries on the first, closed, two on a new one";
    auto stats = sim.get("/_sim/webhooks");
    ASSERT_EQ(stats->size("/deliveries"), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(stats->str("/deliveries/" + std::to_string(i) + "/state"), "delivered");
      EXPECT_EQ(stats->num("/deliveries/" + std::to_string(i) + "/attempts"), 1);
    }
    for (auto& r : rx.requests())
      EXPECT_EQ(r.headers["connection"], keep ? "" : "close");
  }
}

// Senders are woken one per delivery, not all for each: a delivery held back (here by a delay
// fault) is still sent when it is due after an immediate one overtook it, whichever sender
// was woken for the immediate one. Several rounds, as which sender wakes is up to the OS.
TEST(SimWebhooks, AHeldBackDeliveryIsSentWhenDueAfterAnotherOvertookIt) {
  http_receiver rx;
  sim_process sim(small_scenario(), {"--webhook-url", rx.url(), "--webhook-threads", "3"});
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const auto base = rx.count();
    sim.post("/_sim/faults", R"({"webhook_delay_ms":300})");
    sim.post("/_sim/set_level", R"({"store":"alpha.myshopify.com","sku":"MUG","available":)" +
                                    std::to_string(100 + round) + "}");
    sim.post("/_sim/faults", R"({"webhook_delay_ms":0})");
    sim.post("/_sim/set_level", R"({"store":"alpha.myshopify.com","sku":"MUG","available":)" +
                                    std::to_string(200 + round) + "}");
    ASSERT_TRUE(rx.wait_for(base + 2, std::chrono::seconds(3))) << "the held-back delivery was never sent";
    auto reqs = rx.requests();
    EXPECT_EQ(parse_json(reqs[base].body)->num("/available"), 200 + round) << "the immediate one first";
    EXPECT_EQ(parse_json(reqs[base + 1].body)->num("/available"), 100 + round);
  }
}

TEST(SimWebhooks, GivesUpAfterEightRetries) {
  http_receiver rx([](std::size_t, const received_request&) { return receiver_reply{503, {}}; });
  sim_process sim(small_scenario(), {"--webhook-url", rx.url(), "--time-scale", "0.0001"});
  sim.post("/_sim/set_level", R"({"store":"alpha.myshopify.com","sku":"MUG","available":2})");
  ASSERT_TRUE(rx.wait_for(9, std::chrono::seconds(10)));
  sim.get("/_sim/webhooks/wait_idle?timeout_ms=5000");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(rx.count(), 9u);
  auto stats = sim.get("/_sim/webhooks");
  EXPECT_EQ(stats->str("/deliveries/0/state"), "failed");
  EXPECT_EQ(stats->num("/deliveries/0/last_status"), 503);
}

// Test control: an arbitrary body (here Shopify's own sample, then junk) signed and sent for a
// topic, and an event delivered again as a second subscription would (same event id, new
// webhook id).
TEST(SimWebhooks, SendsArbitraryBodiesAndRedeliversAnEventAsASecondSubscription) {
  http_receiver rx;
  sim_process sim(small_scenario(), {"--webhook-url", rx.url(), "--time-scale", "0.001"});
  auto sample = example_file("products/create");
  std::string junk = "{\"not json";
  auto escaped = [](const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '"' || c == '\\')
        out.push_back('\\');
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out.push_back(c);
    }
    return out;
  };
  auto a = sim.post("/_sim/webhooks/send", R"({"store":"alpha.myshopify.com","topic":"products/create","body":")" +
                                               escaped(sample) + "\"}");
  auto b = sim.post("/_sim/webhooks/send",
                    R"({"store":"alpha.myshopify.com","topic":"inventory_levels/update","event_id":"ev-given","body":")" +
                        escaped(junk) + "\"}");
  ASSERT_TRUE(a->has("/seq") && b->has("/seq"));
  EXPECT_EQ(b->str("/event_id"), "ev-given");
  auto again = sim.post("/_sim/webhooks/redeliver", "{\"seq\":" + std::to_string(a->num("/seq")) + "}");
  EXPECT_EQ(again->str("/event_id"), a->str("/event_id"));
  EXPECT_NE(again->str("/webhook_id"), a->str("/webhook_id"));
  sim.post("/_sim/webhooks/redeliver", R"({"seq":999999})", 404);

  ASSERT_TRUE(rx.wait_for(3, std::chrono::seconds(10))) << rx.count();
  auto reqs = rx.requests();
  std::map<std::string, received_request> by_webhook_id;
  for (auto& r : reqs) {
    EXPECT_EQ(r.headers["x-shopify-hmac-sha256"], shopsync::sim::hmac_sha256_base64("test-secret", r.body));
    by_webhook_id[r.headers["x-shopify-webhook-id"]] = r;
  }
  auto& first = by_webhook_id[a->str("/webhook_id")];
  auto& second = by_webhook_id[again->str("/webhook_id")];
  EXPECT_EQ(first.body, sample) << "sent byte for byte";
  EXPECT_EQ(first.headers["x-shopify-topic"], "products/create");
  EXPECT_EQ(second.body, sample);
  EXPECT_EQ(second.headers["x-shopify-topic"], "products/create");
  EXPECT_EQ(second.headers["x-shopify-event-id"], first.headers["x-shopify-event-id"]);
  auto& j = by_webhook_id[b->str("/webhook_id")];
  EXPECT_EQ(j.body, junk);
  EXPECT_EQ(j.headers["x-shopify-event-id"], "ev-given");
  // Listed with their bodies, the junk one as a string.
  sim.get("/_sim/webhooks/wait_idle?timeout_ms=5000");
  auto stats = sim.get("/_sim/webhooks?bodies=1");
  EXPECT_EQ(stats->size("/deliveries"), 3u);
  EXPECT_EQ(stats->str("/deliveries/1/body"), junk);
}

// A product's tags, vendor and type, in catalog pages (Product.tags is a list) and in
// products/create / products/update (tags "a, b"); the merchant's edit sends products/update.
TEST(SimWebhooks, ProductTagsVendorAndTypeInCatalogPagesAndProductWebhooks) {
  http_receiver rx;
  sim_process sim(small_scenario(), {"--webhook-url", rx.url(), "--time-scale", "0.001"});
  sim.post("/_sim/product", R"({"store":"alpha.myshopify.com","handle":"scarf","vendor":"Knit Co","product_type":"Scarves",
      "tags":["winter","Sale"],"variants":[{"sku":"SCARF","available":3}]})");
  auto page = sim.alpha("CatalogPage", R"({"first":100})");
  bool found = false;
  for (std::size_t i = 0; i < page->size("/data/productVariants/nodes"); ++i) {
    auto p = "/data/productVariants/nodes/" + std::to_string(i);
    if (page->str(p + "/sku") != "SCARF")
      continue;
    found = true;
    EXPECT_EQ(page->str(p + "/product/vendor"), "Knit Co");
    EXPECT_EQ(page->str(p + "/product/productType"), "Scarves");
    EXPECT_EQ(page->size(p + "/product/tags"), 2u);
    EXPECT_EQ(page->str(p + "/product/tags/1"), "Sale");
  }
  EXPECT_TRUE(found);
  sim.post("/_sim/product/update", R"({"store":"alpha.myshopify.com","sku":"SCARF","tags":["winter","no-sync"],"vendor":"Other"})");
  ASSERT_TRUE(rx.wait_for(2, std::chrono::seconds(10))) << rx.count();
  // Two delivery threads: like Shopify, the sim does not promise arrival order, so each body
  // is found by its topic, not by its place.
  std::map<std::string, std::string> by_topic;
  auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 2u);
  for (auto& r : reqs)
    by_topic[r.headers["x-shopify-topic"]] = r.body;
  ASSERT_EQ(by_topic.count("products/create"), 1u);
  ASSERT_EQ(by_topic.count("products/update"), 1u);
  EXPECT_NE(by_topic["products/create"].find(R"("tags":"winter, Sale")"), std::string::npos) << by_topic["products/create"];
  EXPECT_NE(by_topic["products/update"].find(R"("vendor":"Other","product_type":"Scarves","tags":"winter, no-sync")"),
            std::string::npos)
    << by_topic["products/update"];
  page = sim.alpha("CatalogPage", R"({"first":100,"query":"sku:SCARF"})");
  EXPECT_EQ(page->str("/data/productVariants/nodes/0/product/tags/1"), "no-sync");
}
