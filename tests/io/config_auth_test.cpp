// How stores authenticate, as the configuration says it: [[apps]], stores[].auth and .app,
// the webhook key defaulting to the app's client secret, and the errors naming key and reason.
#include "io/config_file.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace shopsync;
using shopsync::testing::temp_dir;

namespace {

class config_auth : public ::testing::Test {
protected:
  void SetUp() override {
    ::unsetenv("CREDENTIALS_DIRECTORY");
    std::ofstream(dir_.path() / "app.secret") << "client-secret\n";
    std::ofstream(dir_.path() / "legacy.token") << "shpat_legacy\n";
  }
  result<config> parse(const std::string& daemon_extra, const std::string& apps, const std::string& stores) {
    std::string toml = "[daemon]\ncontrol_socket = \"/tmp/s.sock\"\n" + daemon_extra + "\n" + apps + "\n" + stores +
                       "[[groups]]\nname = \"g\"\nsource = \"a\"\ndestinations = [\"b\"]\nstrategy = \"one_way\"\n";
    return parse_config(toml, "test.toml", dir_.str());
  }
  temp_dir dir_{"config-auth"};
};

const std::string k_app = "[[apps]]\nname = \"main\"\nclient_id = \"cid\"\nclient_secret_file = \"app.secret\"\n";
const std::string k_stores = "[[stores]]\nname = \"a\"\nshop_domain = \"a.myshopify.com\"\nrole = \"source\"\napp = \"main\"\n\n"
                             "[[stores]]\nname = \"b\"\nshop_domain = \"b.myshopify.com\"\nrole = \"destination\"\n"
                             "access_token_file = \"legacy.token\"\n\n";

void expect_error(const result<config>& r, const std::string& prefix, const std::string& part) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind(prefix, 0), 0u) << r.error().message;
  EXPECT_NE(r.error().message.find(part), std::string::npos) << r.error().message;
}

} // namespace

TEST_F(config_auth, an_app_store_and_a_legacy_store_side_by_side_and_the_client_secret_signs_webhooks) {
  auto r = parse("", k_app, k_stores);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stores[0].auth, auth_method::client_credentials);
  EXPECT_EQ(r->stores[0].app, "main");
  EXPECT_TRUE(r->stores[0].access_token.empty());
  EXPECT_EQ(r->stores[1].auth, auth_method::static_token); // today's configuration, unchanged
  EXPECT_EQ(r->stores[1].access_token, "shpat_legacy");
  EXPECT_EQ(r->stores[1].access_token_path, (dir_.path() / "legacy.token").string());
  EXPECT_EQ(r->apps[0].client_secret, "client-secret");
  EXPECT_EQ(r->daemon.webhook_secrets, std::vector<std::string>{"client-secret"});
}

TEST_F(config_auth, webhook_secret_files_when_given_win_over_the_apps_secrets) {
  std::ofstream(dir_.path() / "hook.secret") << "hook\n";
  auto r = parse("webhook_secret_files = [\"hook.secret\"]\nunauthorized_probe_s = 5", k_app, k_stores);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->daemon.webhook_secrets, std::vector<std::string>{"hook"});
  EXPECT_EQ(r->daemon.unauthorized_probe, std::chrono::seconds(5));
}

TEST_F(config_auth, mistakes_name_their_key) {
  // No app and no secret files: nothing can verify a webhook.
  expect_error(parse("", "", "[[stores]]\nname = \"a\"\nshop_domain = \"a.myshopify.com\"\nrole = \"source\"\n"
                             "access_token_file = \"legacy.token\"\n[[stores]]\nname = \"b\"\nshop_domain = "
                             "\"b.myshopify.com\"\nrole = \"destination\"\naccess_token_file = \"legacy.token\"\n"),
               "daemon.webhook_secret_files", "[[apps]]");
  expect_error(parse("", k_app, "[[stores]]\nname = \"a\"\nshop_domain = \"a.myshopify.com\"\nrole = \"source\"\n"
                                "app = \"mian\"\n" + k_stores.substr(k_stores.find("\n\n") + 2)),
               "stores[0].app", "unknown app \"mian\"");
  expect_error(parse("", k_app, "[[stores]]\nname = \"a\"\nshop_domain = \"a.myshopify.com\"\nrole = \"source\"\n"
                                "auth = \"client_credentials\"\n" + k_stores.substr(k_stores.find("\n\n") + 2)),
               "stores[0].app", "required");
  expect_error(parse("", k_app, "[[stores]]\nname = \"a\"\nshop_domain = \"a.myshopify.com\"\nrole = \"source\"\n"
                                "app = \"main\"\naccess_token_file = \"legacy.token\"\n" +
                                  k_stores.substr(k_stores.find("\n\n") + 2)),
               "stores[0].access_token_file", "not used");
  expect_error(parse("", k_app, "[[stores]]\nname = \"a\"\nshop_domain = \"a.myshopify.com\"\nrole = \"source\"\n"
                                "app = \"main\"\nauth = \"oauth\"\n" + k_stores.substr(k_stores.find("\n\n") + 2)),
               "stores[0].auth", "unknown auth method \"oauth\"");
  // The code grant needs the app's redirect_uri.
  expect_error(parse("", k_app, "[[stores]]\nname = \"a\"\nshop_domain = \"a.myshopify.com\"\nrole = \"source\"\n"
                                "app = \"main\"\nauth = \"authorization_code\"\n" +
                                  k_stores.substr(k_stores.find("\n\n") + 2)),
               "apps[0].redirect_uri", "required by store \"a\"");
  expect_error(parse("", k_app + "redirect_uri = \"https://x.example.com/oauth\"\n", k_stores), "apps[0].redirect_uri",
               "/auth/callback");
  expect_error(parse("", "[[apps]]\nname = \"main\"\nclient_secret_file = \"app.secret\"\n", k_stores),
               "apps[0].client_id", "required");
  expect_error(parse("", k_app + "clientid = \"x\"\n", k_stores), "apps[0].clientid", "unknown key (line");
  expect_error(parse("unauthorized_probe_s = 0", k_app, k_stores), "daemon.unauthorized_probe_s", "between 1");
}

TEST_F(config_auth, the_secret_file_can_be_read_again_for_a_new_token) {
  auto r = parse("", k_app, k_stores);
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::ofstream(r->stores[1].access_token_path) << "shpat_new\n";
  auto again = read_secret_file("stores.b.access_token_file", r->stores[1].access_token_path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, "shpat_new");
}
