#include "support/webhook_server_fixture.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace shopsync::testing {

using namespace std::chrono_literals;

std::size_t count_records(state_store& s, column c) {
  std::size_t n = 0;
  auto st = s.scan(c, "", [&](std::string_view, std::string_view) {
    ++n;
    return true;
  });
  EXPECT_TRUE(st.ok());
  return n;
}

std::string level_body() { return read_file(shared_path("shopify/webhooks/inventory_levels_update.json")); }

std::vector<std::pair<std::string, std::string>> shopify_samples() {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::string name : {"draft_orders_create", "draft_orders_update", "inventory_items_update",
                           "inventory_levels_update", "orders_create", "products_create", "products_update"}) {
    auto body = read_file(shared_path("shopify/webhooks/" + name + ".json"));
    if (body.empty())
      throw std::runtime_error("missing sample " + name);
    name[name.rfind('_')] = '/';
    out.emplace_back(name, std::move(body));
  }
  auto nulled = out[5].second;
  auto at = nulled.find("\"inventory_item_id\":");
  if (at == std::string::npos)
    throw std::runtime_error("products_create.json has no inventory_item_id");
  nulled.replace(at, nulled.find_first_of(",}", at) - at, "\"inventory_item_id\":null");
  out.emplace_back("products/create", std::move(nulled));
  return out;
}

webhook_server_fixture::webhook_server_fixture(const std::function<void(webhook_server::options&)>& tweak)
  : webhook_server_fixture(setup{tweak, {}}) {}

webhook_server_fixture::webhook_server_fixture(setup su) {
  auto s = state_store::open({su.db_path.empty() ? dir.str() + "/db" : su.db_path, true, true});
  if (!s.ok())
    throw std::runtime_error(s.error().message);
  store = std::move(*s);
  auto i = inbox::open(*store, {});
  if (!i.ok())
    throw std::runtime_error(i.error().message);
  in = std::move(*i);
  webhook_server::options o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.io_threads = 2;
  o.max_body_bytes = 64 * 1024;
  o.max_header_bytes = 8 * 1024;
  o.header_timeout = 300ms;
  o.body_timeout = 300ms;
  o.idle_timeout = 2s;
  o.linger = 200ms;
  o.stop_grace = 2s;
  o.shop_domains = {"shop-a.myshopify.com", "Shop-B.myshopify.com"};
  o.secrets = {"new-secret", "hush"};
  if (su.tweak)
    su.tweak(o);
  server = std::make_unique<webhook_server>(o, *in, metrics, [this](std::uint64_t seq, webhook_envelope e) {
    std::lock_guard l(mu);
    accepted.emplace_back(seq, std::move(e));
  });
  auto p = server->start();
  if (!p.ok())
    throw std::runtime_error(p.error().message);
  port = *p;
}

webhook_server_fixture::~webhook_server_fixture() {
  server->stop();
  in->stop();
}

std::size_t webhook_server_fixture::accepted_count() {
  std::lock_guard l(mu);
  return accepted.size();
}

void webhook_server_fixture::expect_nothing_stored() {
  EXPECT_EQ(count_records(*store, column::inbox), 0u);
  EXPECT_EQ(count_records(*store, column::dedup), 0u);
  EXPECT_EQ(accepted_count(), 0u);
}

} // namespace shopsync::testing
