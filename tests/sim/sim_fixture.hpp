#pragma once
// Starts the real shopify-sim binary on an ephemeral port with a scenario written to a temp dir,
// and talks to it over HTTP: Admin GraphQL calls per store and control calls under /_sim/.
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace shopsync::testing {

// A parsed JSON document that owns its parser.
struct json_doc {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  // Value at a JSON pointer ("/data/x/0/id"); fails the test when absent.
  simdjson::dom::element at(const std::string& pointer) const {
    simdjson::dom::element el;
    auto err = root.at_pointer(pointer).get(el);
    EXPECT_EQ(err, simdjson::SUCCESS) << "no " << pointer << " in " << simdjson::minify(root);
    return el;
  }
  bool has(const std::string& pointer) const {
    simdjson::dom::element el;
    return root.at_pointer(pointer).get(el) == simdjson::SUCCESS;
  }
  std::string str(const std::string& pointer) const {
    std::string_view s;
    if (at(pointer).get(s) != simdjson::SUCCESS)
      return "<not a string>";
    return std::string(s);
  }
  std::int64_t num(const std::string& pointer) const {
    std::int64_t v = -999999;
    EXPECT_EQ(at(pointer).get(v), simdjson::SUCCESS) << pointer << " is not an integer";
    return v;
  }
  bool is_null(const std::string& pointer) const { return at(pointer).is_null(); }
  bool flag(const std::string& pointer) const {
    bool b = false;
    EXPECT_EQ(at(pointer).get(b), simdjson::SUCCESS) << pointer << " is not a boolean";
    return b;
  }
  std::size_t size(const std::string& pointer) const {
    simdjson::dom::array a;
    if (at(pointer).get(a) != simdjson::SUCCESS)
      return 0;
    return a.size();
  }
  std::string dump() const { return simdjson::minify(root); }
};

inline std::unique_ptr<json_doc> parse_json(const std::string& text) {
  auto d = std::make_unique<json_doc>();
  auto err = d->parser.parse(text).get(d->root);
  EXPECT_EQ(err, simdjson::SUCCESS) << "not JSON: " << text;
  return d;
}

// Two small stores with known SKUs; alpha is stocked in two locations, "SHIRT-L" only at Main.
inline std::string small_scenario(const std::string& extra_top = "", const std::string& alpha_bucket = "") {
  return std::string(R"({"app_secret":"test-secret","app_id":580111,)") + extra_top + R"("stores":[
  {"shop":"alpha.myshopify.com","token":"shpat_alpha","locations":["Main Warehouse","Outlet"],)" +
         (alpha_bucket.empty() ? "" : "\"bucket\":" + alpha_bucket + ",") + R"(
   "catalog":{"products":[
     {"handle":"shirt","title":"Shirt","variants":[
        {"sku":"SHIRT-S","barcode":"1000000000011","option":"S","available":{"Main Warehouse":10,"Outlet":4}},
        {"sku":"SHIRT-M","barcode":"1000000000012","option":"M","available":{"Main Warehouse":5,"Outlet":0}},
        {"sku":"SHIRT-L","option":"L","available":{"Main Warehouse":2}}]},
     {"handle":"mug","title":"Mug","variants":[{"sku":"MUG","barcode":"1000000000020","available":7}]},
     {"handle":"cap","title":"Cap","variants":[{"barcode":"1000000000030","available":3}]}]}},
  {"shop":"beta.myshopify.com","token":"shpat_beta","locations":["Main Warehouse","Shop Floor"],
   "catalog":{"products":[
     {"handle":"shirt","title":"Shirt","variants":[{"sku":"SHIRT-S","available":1},{"sku":"SHIRT-M","available":1}]}]}}]})";
}

class sim_process {
public:
  explicit sim_process(const std::string& scenario_json, std::vector<std::string> extra_args = {}) {
    auto path = dir_ / "scenario.json";
    std::ofstream(path) << scenario_json;
    std::vector<std::string> argv = {binary_path("shopify-sim").string(), "--scenario", path.string(), "--port", "0"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    proc_ = std::make_unique<child_process>(argv);
    auto line = proc_->wait_for_line("listening on ", std::chrono::seconds(20));
    if (!line)
      throw std::runtime_error("shopify-sim did not start: " + proc_->output());
    port_ = port_from_listening_line(*line);
    client_ = std::make_unique<http_client>("127.0.0.1", port_);
  }

  std::uint16_t port() const { return port_; }
  child_process& process() { return *proc_; }

  // One Admin GraphQL call (body {"query","variables","operationName"}) to `shop`.
  http_response admin(const std::string& shop, const std::string& token, const std::string& operation,
                      const std::string& variables_json,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::string body = R"({"query":"# sent by the test; the simulator dispatches on operationName","operationName":")" +
                       operation + R"(","variables":)" + variables_json + "}";
    return client_->request("POST", "/admin/api/2026-10/graphql.json", body,
                            {{"Host", shop}, {"X-Shopify-Access-Token", token}}, timeout);
  }
  std::unique_ptr<json_doc> alpha(const std::string& op, const std::string& vars) {
    auto r = admin("alpha.myshopify.com", "shpat_alpha", op, vars);
    EXPECT_EQ(r.status, 200) << r.error << r.body;
    return parse_json(r.body);
  }
  std::unique_ptr<json_doc> get(const std::string& target) {
    auto r = client_->get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.error << r.body;
    return parse_json(r.body);
  }
  std::unique_ptr<json_doc> post(const std::string& target, const std::string& body, int expect = 200) {
    auto r = client_->post(target, body);
    EXPECT_EQ(r.status, expect) << target << ": " << r.error << r.body;
    return parse_json(r.body);
  }
  http_client& client() { return *client_; }

  // Level of sku at the location named loc in shop (from /_sim/state); INT64_MIN when not stocked.
  std::int64_t level(const std::string& shop, const std::string& sku, const std::string& loc) {
    auto st = get("/_sim/state?store=" + shop + "&sku=" + sku);
    simdjson::dom::array levels;
    EXPECT_EQ(st->at("/variants/0/levels").get(levels), simdjson::SUCCESS);
    for (auto l : levels) {
      std::string_view name;
      if (l["location"].get(name) == simdjson::SUCCESS && name == loc) {
        std::int64_t v;
        if (l["available"].get(v) == simdjson::SUCCESS)
          return v;
        return INT64_MIN;
      }
    }
    ADD_FAILURE() << "no location " << loc;
    return INT64_MIN;
  }
  // Ids of a store's variant by sku: {variant_id, inventory_item_id}, and location ids by name.
  std::pair<std::int64_t, std::int64_t> ids(const std::string& shop, const std::string& sku) {
    auto st = get("/_sim/state?store=" + shop + "&sku=" + sku);
    return {st->num("/variants/0/variant_id"), st->num("/variants/0/inventory_item_id")};
  }
  std::int64_t location_id(const std::string& shop, const std::string& name) {
    auto st = get("/_sim/state?store=" + shop + "&variants=0");
    for (std::size_t i = 0; i < st->size("/locations"); ++i)
      if (st->str("/locations/" + std::to_string(i) + "/name") == name)
        return st->num("/locations/" + std::to_string(i) + "/id");
    ADD_FAILURE() << "no location " << name;
    return 0;
  }

private:
  temp_dir dir_{"shopify-sim-test"};
  std::unique_ptr<child_process> proc_;
  std::uint16_t port_ = 0;
  std::unique_ptr<http_client> client_;
};

inline std::string item_gid(std::int64_t id) { return "gid://shopify/InventoryItem/" + std::to_string(id); }
inline std::string location_gid(std::int64_t id) { return "gid://shopify/Location/" + std::to_string(id); }
inline std::string variant_gid(std::int64_t id) { return "gid://shopify/ProductVariant/" + std::to_string(id); }

} // namespace shopsync::testing
