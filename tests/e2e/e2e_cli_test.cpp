// shopsyncctl against a real daemon and the simulator (the CLI): one exit-code
// scheme for every command (0 done, 1 the daemon said no, 2 nothing asked), --json anywhere
// with errors as JSON, unknown groups and stores refused by the daemon itself, readable text,
// merchant names (stores, locations, orders by #1001) and the same keys in every reply.
#include "e2e_fixture.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

using namespace std::chrono_literals;
using namespace shopsync::testing;

namespace {

const e2e_store kSource{"source", "source-cli.myshopify.com", "shpat_cli_source", true};
const e2e_store kDest{"dest-b", "dest-b-cli.myshopify.com", "shpat_cli_dest_b", false};
const std::vector<std::string> kSkus = {"TEE-RED-S", "MUG-WHITE", "CAP-GREEN"};

struct ctl_result {
  int exit_code = -1;
  std::string out, err;
};

// shopsyncctl with `args` (already shell-quoted where needed); stdout and stderr apart.
ctl_result ctl(const std::string& socket, const std::string& args) {
  temp_dir dir("ctl");
  auto err_file = (dir / "stderr").string();
  auto cmd = binary_path("shopsyncctl").string() + " --socket '" + socket + "' " + args + " 2>'" + err_file + "'";
  ctl_result r;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  while (auto n = std::fread(buf.data(), 1, buf.size(), p))
    r.out.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  std::stringstream ss;
  ss << in.rdbuf();
  r.err = ss.str();
  return r;
}

std::string show(const ctl_result& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

e2e_options cli_options() {
  e2e_options o;
  o.stores = {kSource, kDest};
  o.scenario_json = uniform_scenario(o.stores, kSkus, {10, 7}, {{}, {"ORPHAN-1"}});
  o.groups_toml = "[[groups]]\nname = \"orders\"\nsource = \"source\"\ndestinations = [\"dest-b\"]\n"
                  "strategy = \"order\"\nmatch_by = \"sku\"\nlocations = \"by_name\"\n\n[groups.orders]\n"
                  "financial_statuses = [\"paid\"]\ninventory_behaviour = \"DECREMENT_OBEYING_POLICY\"\n";
  return o;
}

} // namespace

TEST(E2eCli, usage_errors_and_an_unreachable_daemon_exit_2_with_json_errors_under_json) {
  temp_dir dir("cli-no-daemon");
  const auto socket = (dir / "none.sock").string();

  auto down = ctl(socket, "status");
  EXPECT_EQ(down.exit_code, 2) << show(down);
  EXPECT_NE(down.err.find("not running"), std::string::npos) << show(down);
  EXPECT_TRUE(down.out.empty()) << show(down);
  for (auto args : {"status --json", "--json status", "pause --json stock"}) {
    auto j = ctl(socket, args);
    EXPECT_EQ(j.exit_code, 2) << args << "\n" << show(j);
    auto e = parse(j.out);
    ASSERT_TRUE(e->ok) << args << "\n" << show(j);
    EXPECT_EQ(e->str("/error/kind"), "unreachable") << show(j);
    EXPECT_EQ(e->str("/error/code"), "not_running") << show(j);
    EXPECT_NE(e->str("/error/message").find("not running"), std::string::npos) << show(j);
  }

  for (auto args : {"frobnicate", "order", "pause a b", "log-level loud"}) {
    auto bad = ctl(socket, args);
    EXPECT_EQ(bad.exit_code, 2) << args << "\n" << show(bad);
    EXPECT_FALSE(bad.err.empty()) << args << "\n" << show(bad);
    auto j = ctl(socket, std::string(args) + " --json");
    EXPECT_EQ(j.exit_code, 2) << args << "\n" << show(j);
    EXPECT_EQ(parse(j.out)->str("/error/kind"), "usage") << args << "\n" << show(j);
  }

  auto help = ctl(socket, "--help");
  EXPECT_EQ(help.exit_code, 0) << show(help);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos) << show(help);
  EXPECT_NE(help.out.find("2  nothing asked"), std::string::npos) << show(help);
}

TEST(E2eCli, names_states_exit_codes_and_text_against_a_running_daemon) {
  e2e_env env(cli_options());
  ASSERT_TRUE(env.start_mapped());
  const auto& socket = env.socket();

  auto ping = ctl(socket, "ping");
  EXPECT_EQ(ping.exit_code, 0) << show(ping);
  EXPECT_EQ(ping.out, "shopsyncd answers\n") << show(ping);

  // An unknown group or store: refused by the daemon itself, naming what exists.
  for (auto [cmd, args] : std::vector<std::pair<std::string, std::string>>{
         {"pause", R"({"group":"nogroup"})"},
         {"resume", R"({"group":"nogroup"})"},
         {"resync", R"({"group":"nogroup"})"},
         {"reconcile", R"({"group":"nogroup"})"},
         {"mappings", R"({"group":"nogroup"})"},
         {"item", R"({"group":"nogroup","identity":"sku:TEE-RED-S"})"}}) {
    auto reply = env.control(cmd, args);
    EXPECT_EQ(reply.rfind("ERROR not_found: no sync group 'nogroup' (sync groups: orders)", 0), 0u)
      << cmd << ": " << reply;
  }
  for (auto [cmd, args] : std::vector<std::pair<std::string, std::string>>{
         {"webhooks", R"({"store":"nostore"})"},
         {"connect", R"({"store":"nostore"})"},
         {"order", R"({"store":"nostore","order":"1001"})"}}) {
    auto reply = env.control(cmd, args);
    EXPECT_EQ(reply.rfind("ERROR not_found: no store 'nostore' (stores: source, dest-b)", 0), 0u)
      << cmd << ": " << reply;
  }
  auto unknown = ctl(socket, "pause nogroup");
  EXPECT_EQ(unknown.exit_code, 1) << show(unknown);
  EXPECT_TRUE(unknown.out.empty()) << show(unknown);
  EXPECT_NE(unknown.err.find("no sync group 'nogroup' (sync groups: orders)"), std::string::npos) << show(unknown);
  for (auto args : {"pause nogroup --json", "--json pause nogroup", "pause --json nogroup"}) {
    auto j = ctl(socket, args);
    EXPECT_EQ(j.exit_code, 1) << args << "\n" << show(j);
    auto e = parse(j.out);
    EXPECT_EQ(e->str("/error/kind"), "not_found") << args << "\n" << show(j);
    EXPECT_NE(e->str("/error/message").find("orders"), std::string::npos) << show(j);
  }
  EXPECT_EQ(ctl(socket, "webhooks nostore").exit_code, 1);

  // status: each group's state, each store's authorization, under the same keys as elsewhere.
  auto paused = ctl(socket, "pause orders");
  EXPECT_EQ(paused.exit_code, 0) << show(paused);
  EXPECT_NE(paused.out.find("paused: orders"), std::string::npos) << show(paused);
  auto st = ctl(socket, "status --json");
  ASSERT_EQ(st.exit_code, 0) << show(st);
  auto sj = parse(st.out);
  EXPECT_EQ(sj->str("/groups/0/group"), "orders") << st.out;
  EXPECT_EQ(sj->str("/groups/0/state"), "paused") << st.out;
  EXPECT_EQ(sj->str("/stores/0/store"), "source") << st.out;
  EXPECT_TRUE(env.wait_until(
    [&] { return ctl(socket, "status --json").out.find("\"unauthorized\":false") != std::string::npos; }, 5s))
    << ctl(socket, "status --json").out;
  EXPECT_EQ(ctl(socket, "status --json").out.find("\"unauthorized\":null"), std::string::npos)
    << "every link answers: " << ctl(socket, "status --json").out;
  auto text = ctl(socket, "status");
  EXPECT_EQ(text.exit_code, 0) << show(text);
  EXPECT_NE(text.out.find("paused"), std::string::npos) << show(text);
  auto resumed = ctl(socket, "resume orders");
  EXPECT_NE(resumed.out.find("resumed: orders"), std::string::npos) << show(resumed);
  EXPECT_EQ(parse(ctl(socket, "status --json").out)->str("/groups/0/state"), "syncing");

  // item: locations by name.
  auto item = ctl(socket, "item orders sku:TEE-RED-S --json");
  ASSERT_EQ(item.exit_code, 0) << show(item);
  auto ij = parse(item.out);
  EXPECT_EQ(ij->str("/levels/0/location"), "Main Warehouse") << item.out;
  EXPECT_TRUE(ij->num("/levels/0/location_id")) << item.out;
  EXPECT_NE(ctl(socket, "item orders sku:TEE-RED-S").out.find("Main Warehouse"), std::string::npos);
  // item: when each level held its known value (the Source's was read with its updatedAt), in
  // UTC, as the text shows it too.
  const auto known_at = ij->str("/levels/0/known_at");
  EXPECT_EQ(known_at.size(), 20u) << item.out;
  EXPECT_EQ(known_at.back(), 'Z') << item.out;
  auto item_text = ctl(socket, "item orders sku:TEE-RED-S");
  EXPECT_NE(item_text.out.find("KNOWN AT"), std::string::npos) << show(item_text);
  EXPECT_NE(item_text.out.find(known_at), std::string::npos) << show(item_text);

  // mappings counts what it lists.
  auto maps = ctl(socket, "mappings --json");
  ASSERT_EQ(maps.exit_code, 0) << show(maps);
  auto mj = parse(maps.out);
  EXPECT_EQ(mj->num("/0/summary/mapped"), static_cast<std::int64_t>(kSkus.size())) << maps.out;
  EXPECT_EQ(mj->num("/0/summary/problems/missing_in_source"), 1) << maps.out;
  auto mt = ctl(socket, "mappings --problems");
  EXPECT_NE(mt.out.find("3 identities mapped"), std::string::npos) << show(mt);
  EXPECT_NE(mt.out.find("1 problems (1 missing_in_source)"), std::string::npos) << show(mt);

  // An order, by its name (#1001, or 1001 since the shell eats '#') or its id.
  auto sale = env.sale(kDest.shop, "TEE-RED-S", 1);
  ASSERT_NE(sale.rfind("HTTP", 0), 0u) << sale;
  const auto name = parse(sale)->str("/name");
  const auto id = std::to_string(parse(sale)->num("/order_id").value_or(0));
  ASSERT_EQ(name.rfind("#", 0), 0u) << sale;
  ASSERT_TRUE(env.wait_until(
    [&] { return parse(ctl(socket, "order '" + name + "' --json").out)->str("/state") == "created"; }, 15s))
    << show(ctl(socket, "order '" + name + "'")) << env.daemon_output();
  for (auto ref : {"'" + name + "'", name.substr(1), id, "dest-b '" + name + "'"}) {
    auto o = ctl(socket, "order " + ref + " --json");
    EXPECT_EQ(o.exit_code, 0) << ref << "\n" << show(o);
    auto oj = parse(o.out);
    EXPECT_EQ(oj->str("/order"), name) << ref << "\n" << o.out;
    EXPECT_EQ(std::to_string(oj->num("/id").value_or(0)), id) << o.out;
    EXPECT_EQ(oj->str("/store"), "dest-b") << o.out;
  }
  auto ot = ctl(socket, "order " + name.substr(1));
  EXPECT_EQ(ot.exit_code, 0) << show(ot);
  EXPECT_EQ(ot.out.rfind(name + " (order " + id + " of dest-b, group orders): created", 0), 0u) << show(ot);
  auto none = ctl(socket, "order '#99999' --json");
  EXPECT_EQ(none.exit_code, 1) << show(none);
  EXPECT_EQ(parse(none.out)->str("/error/kind"), "not_found") << show(none);
  auto trail = ctl(socket, "audit --item '" + name + "' --json");
  EXPECT_EQ(trail.exit_code, 0) << show(trail);
  EXPECT_EQ(parse(trail.out)->str("/0/subject"), "dest-b/" + id) << show(trail);
  EXPECT_EQ(ctl(socket, "audit --item '#99999'").exit_code, 1);
  auto again = ctl(socket, "retry " + name.substr(1));
  EXPECT_EQ(again.exit_code, 0) << show(again);
  EXPECT_NE(again.out.find("of dest-b: created"), std::string::npos) << show(again);

  // audit: every location by its name.
  ASSERT_TRUE(env.wait_until(
    [&] { return ctl(socket, "audit --item sku:TEE-RED-S --json").out.find("location_id") != std::string::npos; },
    10s))
    << ctl(socket, "audit --item sku:TEE-RED-S --json").out;
  auto audit = parse(ctl(socket, "audit --item sku:TEE-RED-S --json").out);
  for (std::size_t i = 0; i < audit->size(""); ++i) {
    auto at = "/" + std::to_string(i);
    if (audit->has(at + "/location_id"))
      EXPECT_TRUE(audit->str(at + "/location") == "Main Warehouse" || audit->str(at + "/location") == "Outlet")
        << ctl(socket, "audit --item sku:TEE-RED-S --json").out;
  }
  EXPECT_NE(ctl(socket, "audit --item sku:TEE-RED-S").out.find("Main Warehouse"), std::string::npos);

  // The other commands answer in words too.
  auto level = ctl(socket, "log-level info");
  EXPECT_EQ(level.exit_code, 0) << show(level);
  EXPECT_EQ(level.out, "log level: info\n") << show(level);
  auto rec = ctl(socket, "reconcile orders");
  EXPECT_EQ(rec.out, "reconcile round started: orders\n") << show(rec);
  temp_dir backups("cli-backup");
  auto backup = ctl(socket, "backup '" + (backups / "copy").string() + "'");
  EXPECT_EQ(backup.exit_code, 0) << show(backup);
  EXPECT_EQ(backup.out.rfind("backup written to ", 0), 0u) << show(backup);
}
