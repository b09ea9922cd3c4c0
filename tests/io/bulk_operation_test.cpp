// Bulk operations against a scripted loopback Shopify: the run starts the query, polls its
// status until COMPLETED, streams the JSONL file line by line (a file much bigger than one read
// buffer, lines cut across reads), and the lines parse into catalog rows and levels (children by
// __parentId); a FAILED operation and a refused start are typed errors; two runs of one store
// never overlap (one bulk operation per store at a time).
#include "io/admin_api.hpp"
#include "io/admin_client.hpp"
#include "io/bulk_download.hpp"
#include "io/bulk_operation.hpp"
#include "io/io_threads.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include "support/http_receiver.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

using namespace shopsync;
using namespace std::chrono_literals;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::string cost() {
  return R"("extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":10,)"
         R"("throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1990.0,"restoreRate":100.0}}})";
}

bool has(const shopsync::testing::received_request& r, const char* what) {
  return r.body.find(what) != std::string::npos;
}

// The BulkLevels file of `locations` locations with `per_location` levels each.
std::string levels_file(int locations, int per_location) {
  std::string out;
  for (int l = 1; l <= locations; ++l) {
    out += R"({"id":"gid://shopify/Location/)" + std::to_string(l) + "\"}\n";
    for (int i = 1; i <= per_location; ++i)
      out += R"({"isActive":true,"item":{"id":"gid://shopify/InventoryItem/)" + std::to_string(1000000 + i) +
             R"("},"quantities":[{"name":"available","quantity":)" + std::to_string(i % 17) +
             R"(}],"__parentId":"gid://shopify/Location/)" + std::to_string(l) + "\"}\n";
  }
  return out;
}

// A store whose bulk operations complete after `running_polls` polls, leaving `file`.
struct bulk_store {
  std::string file;
  int running_polls = 2;
  std::string fail_code;  // FAILED with this errorCode instead
  std::string user_error; // the start refused with this code
  std::mutex mu;
  int started = 0, polls = 0, concurrent_max = 0, running = 0;
  std::unique_ptr<shopsync::testing::http_receiver> server;

  bulk_store() {
    server = std::make_unique<shopsync::testing::http_receiver>([this](std::size_t, const shopsync::testing::received_request& r) {
      auto [status, body] = answer(r);
      return shopsync::testing::receiver_reply{status, {}, std::move(body)};
    });
  }

  std::pair<int, std::string> answer(const shopsync::testing::received_request& r) {
    std::lock_guard<std::mutex> lk(mu);
    if (r.method == "GET")
      return std::make_pair(200, file);
    if (has(r, "\"BulkOperationRunQuery\"")) {
      if (!user_error.empty())
        return std::make_pair(200, R"({"data":{"bulkOperationRunQuery":{"bulkOperation":null,"userErrors":[{"code":")" +
                                     user_error + R"(","field":null,"message":"A bulk query operation for this app and shop is already in progress."}]}},)" +
                                     cost() + "}");
      ++started;
      concurrent_max = std::max(concurrent_max, ++running);
      polls = 0;
      return std::make_pair(200, R"({"data":{"bulkOperationRunQuery":{"bulkOperation":{"id":"gid://shopify/BulkOperation/)" +
                                   std::to_string(started) + R"(","status":"CREATED"},"userErrors":[]}},)" + cost() + "}");
    }
    if (has(r, "\"BulkOperationStatus\"")) {
      const bool done = ++polls > running_polls;
      std::string status = !done ? "RUNNING" : fail_code.empty() ? "COMPLETED" : "FAILED";
      if (done)
        --running;
      std::string url = done && fail_code.empty() ? "\"" + server->url("") + "/bulk/file.jsonl\"" : "null";
      std::string code = fail_code.empty() || !done ? "null" : "\"" + fail_code + "\"";
      return std::make_pair(200, R"({"data":{"bulkOperation":{"id":"gid://shopify/BulkOperation/)" +
                                   std::to_string(started) + R"(","status":")" + status + R"(","errorCode":)" + code +
                                   R"(,"objectCount":"42","url":)" + url + "}}," + cost() + "}");
    }
    return std::make_pair(404, std::string("{}"));
  }
};

struct harness {
  io_threads io{2};
  std::shared_ptr<admin_client> client;
  std::shared_ptr<bulk_runner> runner;
  explicit harness(const std::string& url) {
    client = admin_client::make(io.context(), {"bulky", "bulky.myshopify.com", url, "2026-10", "shpat_x", nullptr});
    bulk_options o;
    o.poll_first = 5ms;
    o.poll_max = 20ms;
    o.download.chunk_bytes = 4096; // many reads, lines cut across them
    runner = bulk_runner::make(io.context(), client, o);
  }
};

} // namespace

TEST(BulkOperation, a_completed_operation_streams_every_line_and_children_name_their_location) {
  bulk_store store;
  store.file = levels_file(3, 20000); // ~2.6 MB
  harness h(store.server->url(""));
  std::promise<result<bulk_summary>> done;
  std::uint64_t lines = 0, levels = 0, bad = 0;
  std::map<location_id, std::uint64_t> per_location;
  std::int64_t sum = 0;
  h.runner->run(
    "query BulkLevels { locations { edges { node { id } } } }",
    [&](std::string_view line) {
      ++lines;
      auto lv = admin_api::parse_level_line(line);
      if (!lv.ok()) {
        ++bad;
        return;
      }
      if (*lv) {
        ++levels;
        ++per_location[(*lv)->key.location];
        sum += (*lv)->available.value_or(-1000000);
      }
    },
    [&](result<bulk_summary> r) { done.set_value(std::move(r)); });
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
  auto r = f.get();
  ASSERT_TRUE(r.ok()) << r.error().code << ": " << r.error().message;
  EXPECT_EQ(r->lines, 3u + 60000u);
  EXPECT_EQ(lines, 60003u);
  EXPECT_EQ(levels, 60000u);
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(per_location.size(), 3u);
  EXPECT_EQ(per_location[2], 20000u);
  std::int64_t want = 0;
  for (int i = 1; i <= 20000; ++i)
    want += i % 17;
  EXPECT_EQ(sum, 3 * want);
  EXPECT_GE(store.polls, 3); // polled while RUNNING
}

TEST(BulkOperation, a_failed_operation_and_a_refused_start_are_typed_errors) {
  {
    bulk_store store;
    store.fail_code = "INTERNAL_SERVER_ERROR";
    harness h(store.server->url(""));
    std::promise<result<bulk_summary>> done;
    h.runner->run("query BulkCatalog { productVariants { edges { node { id } } } }", [](std::string_view) {},
                  [&](result<bulk_summary> r) { done.set_value(std::move(r)); });
    auto r = done.get_future().get();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "bulk.failed");
    EXPECT_NE(r.error().message.find("INTERNAL_SERVER_ERROR"), std::string::npos) << r.error().message;
  }
  {
    bulk_store store;
    store.user_error = "OPERATION_IN_PROGRESS";
    harness h(store.server->url(""));
    std::promise<result<bulk_summary>> done;
    h.runner->run("query BulkCatalog { productVariants { edges { node { id } } } }", [](std::string_view) {},
                  [&](result<bulk_summary> r) { done.set_value(std::move(r)); });
    auto r = done.get_future().get();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "bulk.refused");
    EXPECT_NE(r.error().message.find("OPERATION_IN_PROGRESS"), std::string::npos);
  }
}

TEST(BulkOperation, runs_of_one_store_take_turns) {
  bulk_store store;
  store.file = levels_file(1, 10);
  harness h(store.server->url(""));
  std::promise<void> all;
  std::atomic<int> left{3}, ok{0};
  for (int i = 0; i < 3; ++i)
    h.runner->run("query BulkLevels { locations { edges { node { id } } } }", [](std::string_view) {},
                  [&](result<bulk_summary> r) {
                    ok += r.ok();
                    if (--left == 0)
                      all.set_value();
                  });
  ASSERT_EQ(all.get_future().wait_for(30s), std::future_status::ready);
  EXPECT_EQ(ok.load(), 3);
  EXPECT_EQ(store.started, 3);
  EXPECT_EQ(store.concurrent_max, 1);
}

TEST(BulkOperation, catalog_lines_parse_like_catalog_page_nodes) {
  auto row = admin_api::parse_catalog_line(
    R"({"id":"gid://shopify/ProductVariant/11","sku":"TEE-S","barcode":null,"title":"S","position":1,)"
    R"("selectedOptions":[{"name":"Size","value":"S"}],"inventoryItem":{"id":"gid://shopify/InventoryItem/21","tracked":true},)"
    R"("product":{"id":"gid://shopify/Product/31","handle":"tee","tags":["a","b"],"vendor":"V","productType":"T"}})");
  ASSERT_TRUE(row.ok()) << row.error().message;
  EXPECT_EQ(row->variant, 11u);
  EXPECT_EQ(row->inventory_item, 21u);
  EXPECT_EQ(row->product, 31u);
  EXPECT_EQ(row->sku, "TEE-S");
  EXPECT_EQ(row->handle, "tee");
  EXPECT_EQ(row->tags.size(), 2u);
  EXPECT_FALSE(admin_api::parse_catalog_line("{not json").ok());
}

TEST(BulkOperation, a_level_line_carries_its_updated_at_when_it_has_one) {
  auto line = [](const std::string& updated) {
    return R"({"isActive":true,)" + updated +
           R"("item":{"id":"gid://shopify/InventoryItem/21"},"quantities":[{"name":"available","quantity":7}],)"
           R"("__parentId":"gid://shopify/Location/5"})";
  };
  auto timed = admin_api::parse_level_line(line(R"("updatedAt":"2026-12-05T06:40:01Z",)"));
  ASSERT_TRUE(timed.ok() && *timed) << (timed.ok() ? "" : timed.error().message);
  EXPECT_EQ((*timed)->available, 7);
  ASSERT_TRUE((*timed)->updated_at);
  EXPECT_EQ(*(*timed)->updated_at, 1796452801); // date -d 2026-12-05T06:40:01Z +%s
  // Without the field, or with one that is not a time: unknown, never a made-up second.
  for (const char* updated : {"", R"("updatedAt":null,)", R"("updatedAt":"yesterday",)"}) {
    auto lv = admin_api::parse_level_line(line(updated));
    ASSERT_TRUE(lv.ok() && *lv) << updated;
    EXPECT_FALSE((*lv)->updated_at) << updated;
    EXPECT_EQ((*lv)->available, 7) << updated;
  }
}

TEST(BulkOperation, the_splitter_hands_over_lines_cut_anywhere) {
  std::vector<std::string> got;
  jsonl_splitter s([&](std::string_view l) { got.emplace_back(l); });
  std::string text = "{\"a\":1}\n{\"b\":2}\n\n{\"c\":3}";
  for (char c : text)
    s.feed(std::string_view(&c, 1));
  s.finish();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2], "{\"c\":3}");
}
