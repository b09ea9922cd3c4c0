// The authorization code grant's pieces that need no network: the callback's HMAC (checked
// against the example of Shopify's OAuth documentation), query decoding, and the state's
// life (persisted, single-use, expiring) in a real RocksDB.
#include "io/oauth_callback.hpp"
#include "io/hmac.hpp"
#include "io/state_store.hpp"
#include "io/token_source.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

using namespace shopsync;
using shopsync::testing::temp_dir;

namespace {

// Shopify's documented example: secret "hush".
constexpr const char* doc_query =
  "code=0907a61c0c8d55e99db179b68161bc00&hmac=4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"
  "&shop=some-shop.myshopify.com&timestamp=1337178173";

config code_grant_config() {
  config c;
  store_config s;
  s.name = "client";
  s.shop_domain = "some-shop.myshopify.com";
  s.auth = auth_method::authorization_code;
  s.app = "agency";
  c.stores.push_back(s);
  app_config a;
  a.name = "agency";
  a.client_id = "cid";
  a.client_secret = "hush";
  a.scopes = {"read_inventory", "write_inventory"};
  a.redirect_uri = "https://sync.example.com/auth/callback";
  c.apps.push_back(a);
  return c;
}

std::string param(const std::string& url, const std::string& name) {
  auto p = url.find(name + "=");
  if (p == std::string::npos) return {};
  auto end = url.find('&', p);
  return url.substr(p + name.size() + 1, end == std::string::npos ? std::string::npos : end - p - name.size() - 1);
}

} // namespace

TEST(oauth_hmac, shopifys_documented_example_verifies_and_any_change_does_not) {
  EXPECT_TRUE(verify_oauth_hmac(doc_query, "hush"));
  EXPECT_FALSE(verify_oauth_hmac(doc_query, "hush2"));
  EXPECT_FALSE(verify_oauth_hmac(doc_query, ""));
  std::string tampered = doc_query;
  tampered.replace(tampered.find("1337178173"), 10, "1337178174");
  EXPECT_FALSE(verify_oauth_hmac(tampered, "hush"));
  // Order of the parameters in the URL does not matter; an upper-case hex hmac is the same value.
  EXPECT_TRUE(verify_oauth_hmac("timestamp=1337178173&shop=some-shop.myshopify.com&hmac="
                                "4712BF92FFC2917D15A2F5A273E39F0116667419AA4B6AC0B3BAAF26FA3C4D20"
                                "&code=0907a61c0c8d55e99db179b68161bc00",
                                "hush"));
  EXPECT_FALSE(verify_oauth_hmac("code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com", "hush"));
}

TEST(oauth_hmac, the_message_is_every_decoded_pair_but_hmac_sorted_by_name) {
  auto q = parse_query_string("state=a%20b&hmac=x&host=YWRt%3D&code=c&signature=s");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[0].second, "a b");
  EXPECT_EQ(oauth_hmac_message(q), "code=c&host=YWRt=&state=a b");
  // A parameter Shopify adds later (host) is signed too: dropping it breaks the signature.
  auto msg = "code=c&host=YWRt=&shop=s.myshopify.com&state=st&timestamp=1";
  auto h = hmac_sha256_hex("k", msg);
  EXPECT_TRUE(verify_oauth_hmac("code=c&host=YWRt%3D&shop=s.myshopify.com&state=st&timestamp=1&hmac=" + h, "k"));
  EXPECT_FALSE(verify_oauth_hmac("code=c&shop=s.myshopify.com&state=st&timestamp=1&hmac=" + h, "k"));
}

TEST(oauth_state, the_install_url_carries_a_persisted_state_that_works_once_and_expires) {
  temp_dir dir{"oauth-state"};
  auto db = state_store::open({(dir.path() / "db").string(), false, true});
  ASSERT_TRUE(db) << db.error().message;
  auto cfg = code_grant_config();
  auto now = std::chrono::system_clock::now();
  auto url = begin_connect(**db, cfg, "client", now);
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->rfind("https://some-shop.myshopify.com/admin/oauth/authorize?client_id=cid&scope=", 0), 0u) << *url;
  EXPECT_NE(url->find("scope=read_inventory%2Cwrite_inventory"), std::string::npos) << *url;
  EXPECT_NE(url->find("redirect_uri=https%3A%2F%2Fsync.example.com%2Fauth%2Fcallback"), std::string::npos) << *url;
  auto state = param(*url, "state");
  ASSERT_EQ(state.size(), 32u);
  auto again = begin_connect(**db, cfg, "client", now);
  EXPECT_NE(param(*again, "state"), state); // random each time

  boost::asio::io_context io;
  std::vector<std::pair<int, std::string>> answers;
  auto local = cfg;
  local.stores[0].base_url = "http://127.0.0.1:1"; // the code exchange meets a closed port, at once
  oauth_callback cb{local, **db, io, nullptr};
  auto signed_query = [&](const std::string& st) {
    std::string q = "code=abc&shop=some-shop.myshopify.com&state=" + st + "&timestamp=1700000000";
    return q + "&hmac=" + hmac_sha256_hex("hush", oauth_hmac_message(parse_query_string(q)));
  };
  auto reply = [&](int status, std::string body) { answers.emplace_back(status, std::move(body)); };
  // A wrong hmac is refused before the state is looked at: the state stays usable.
  cb.handle("code=abc&shop=some-shop.myshopify.com&state=" + state + "&timestamp=1700000000&hmac=" + std::string(64, '0'),
            reply);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers.back().first, 401);
  // A state never issued is refused.
  cb.handle(signed_query(std::string(32, 'f')), reply);
  EXPECT_EQ(answers.back().first, 403);
  // The issued state passes (the code exchange then fails: nothing listens; that is a 502 later).
  cb.handle(signed_query(state), reply);
  EXPECT_EQ(answers.size(), 2u); // answered asynchronously
  io.run();
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers.back().first, 502) << answers.back().second;
  // Single use: the same state again is refused.
  cb.handle(signed_query(state), reply);
  EXPECT_EQ(answers.back().first, 403);
  // Expired: a state issued with a zero lifetime, used a second later.
  auto old = begin_connect(**db, cfg, "client", now - std::chrono::seconds(2), std::chrono::seconds(1));
  cb.handle(signed_query(param(*old, "state")), reply);
  EXPECT_EQ(answers.back().first, 403);
  EXPECT_NE(answers.back().second.find("shopsyncctl connect client"), std::string::npos);
  // A store that is not configured for the code grant gets no URL.
  cfg.stores[0].auth = auth_method::client_credentials;
  auto refused = begin_connect(**db, cfg, "client", now);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("authorization_code"), std::string::npos);
}
