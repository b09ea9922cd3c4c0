#include "e2e_fixture.hpp"

#include <algorithm>

#include "io/control_client.hpp"

#include <cctype>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

namespace shopsync::testing {

using namespace std::chrono_literals;

std::optional<std::int64_t> e2e_json::num(const std::string& pointer) const {
  std::int64_t v = 0;
  if (ok && root.at_pointer(pointer).get(v) == simdjson::SUCCESS)
    return v;
  std::uint64_t u = 0;
  if (ok && root.at_pointer(pointer).get(u) == simdjson::SUCCESS)
    return static_cast<std::int64_t>(u);
  return std::nullopt;
}

std::string e2e_json::str(const std::string& pointer) const {
  std::string_view s;
  if (ok && root.at_pointer(pointer).get(s) == simdjson::SUCCESS)
    return std::string(s);
  return {};
}

std::size_t e2e_json::size(const std::string& pointer) const {
  simdjson::dom::array a;
  if (ok && root.at_pointer(pointer).get(a) == simdjson::SUCCESS)
    return a.size();
  return 0;
}

bool e2e_json::has(const std::string& pointer) const {
  simdjson::dom::element e;
  return ok && root.at_pointer(pointer).get(e) == simdjson::SUCCESS;
}

std::unique_ptr<e2e_json> parse(const std::string& text) {
  auto d = std::make_unique<e2e_json>();
  d->ok = d->parser.parse(text).get(d->root) == simdjson::SUCCESS;
  return d;
}

e2e_env::e2e_env(e2e_options o) : opt_(std::move(o)) {
  webhook_port_ = free_port();
  socket_ = (dir_ / "control.sock").string();
  auto scenario = (dir_ / "scenario.json").string();
  std::ofstream(scenario) << opt_.scenario_json;
  std::vector<std::string> args = {binary_path("shopify-sim").string(), "--port", "0", "--scenario", scenario,
                                   "--webhook-url",
                                   "http://127.0.0.1:" + std::to_string(webhook_port_) + "/webhooks"};
  // --time-scale 0.01 unless the test sets its own (the flag takes one value).
  if (std::find(opt_.sim_args.begin(), opt_.sim_args.end(), "--time-scale") == opt_.sim_args.end())
    args.insert(args.end(), {"--time-scale", "0.01"});
  args.insert(args.end(), opt_.sim_args.begin(), opt_.sim_args.end());
  sim_ = std::make_unique<child_process>(args);
  if (auto line = sim_->wait_for_line("listening on ", 20s))
    sim_port_ = port_from_listening_line(*line);
  if (sim_port_)
    http_ = std::make_unique<http_client>("127.0.0.1", sim_port_);

  std::ofstream(dir_ / "webhook-secret") << opt_.app_secret << "\n";
  std::ofstream(dir_ / "app-client-secret") << opt_.app_secret << "\n";
  bool any_app = false;
  for (auto& s : opt_.stores)
    any_app = any_app || (s.auth.empty() ? opt_.auth : s.auth) != "static_token";
  std::ostringstream toml;
  toml << "[daemon]\n"
       << "listen = \"127.0.0.1:" << webhook_port_ << "\"\n"
       << "control_socket = \"" << socket_ << "\"\n"
       << "data_dir = \"" << (dir_ / "data").string() << "\"\n"
       << "batching_window_ms = 20\n"
       << "reconcile_interval_s = " << opt_.reconcile_interval_s << "\n"
       << "verify_after_s = " << opt_.verify_after_s << "\n"
       << "log_level = \"info\"\n"
       << "sync_writes = " << (opt_.sync_writes ? "true" : "false") << "\n"
       << "app_id = " << opt_.app_id << "\n"
       << "unauthorized_probe_s = " << opt_.unauthorized_probe_s << "\n"
       << opt_.daemon_toml;
  // With an app, its client secret is the webhook key (no webhook_secret_files needed).
  if (!any_app)
    toml << "webhook_secret_files = [\"webhook-secret\"]\n";
  toml << "\n";
  if (any_app)
    toml << "[[apps]]\nname = \"e2e-app\"\nclient_id = \"" << client_id << "\"\n"
         << "client_secret_file = \"app-client-secret\"\n"
         << "scopes = [\"read_products\", \"read_locations\", \"read_inventory\", \"write_inventory\"]\n"
         << "redirect_uri = \"http://127.0.0.1:" << webhook_port_ << "/auth/callback\"\n\n";
  for (auto& s : opt_.stores) {
    auto auth = s.auth.empty() ? opt_.auth : s.auth;
    toml << "[[stores]]\nname = \"" << s.name << "\"\nshop_domain = \"" << s.shop << "\"\n"
         << "role = \"" << (s.source ? "source" : "destination") << "\"\n"
         << "base_url = \"http://127.0.0.1:" << sim_port_ << "\"\n";
    if (auth == "static_token") {
      std::ofstream(dir_ / (s.name + ".token")) << s.token << "\n";
      toml << "access_token_file = \"" << s.name << ".token\"\n\n";
    } else {
      toml << "auth = \"" << auth << "\"\napp = \"e2e-app\"\n\n";
    }
  }
  if (!opt_.extra_toml.empty()) {
    auto extra = opt_.extra_toml;
    const std::string mark = "@WEBHOOK_URL@";
    for (auto p = extra.find(mark); p != std::string::npos; p = extra.find(mark))
      extra.replace(p, mark.size(), "http://127.0.0.1:" + std::to_string(webhook_port_) + "/webhooks");
    toml << extra << "\n";
  }
  config_head_ = toml.str();
  config_ = (dir_ / "shopsync.toml").string();
  set_groups(opt_.groups_toml);
}

// Every group says start = "sync" unless the test's TOML names its start: tests of
// syncing see writes at once, as they always did. A test of the plan writes `start = "plan"`, or
// the comment "# start: the daemon's default" to leave the key out (the default: "plan").
void e2e_env::set_groups(const std::string& groups_toml) {
  opt_.groups_toml = groups_toml;
  std::string toml = groups_toml;
  if (toml.find("\nstart = ") == std::string::npos && toml.find("# start: the daemon's default") == std::string::npos) {
    const std::string table = "[[groups]]\n";
    const std::string with = table + "start = \"sync\"\n";
    for (auto p = toml.find(table); p != std::string::npos; p = toml.find(table, p + with.size()))
      toml.replace(p, table.size(), with);
  }
  std::ofstream(config_) << config_head_ << toml;
}

e2e_env::~e2e_env() {
  if (daemon_)
    daemon_->stop(10s);
  daemon_.reset();
  http_.reset();
  if (sim_)
    sim_->stop(5s);
}

::testing::AssertionResult e2e_env::start_mapped() {
  if (!sim_port_)
    return ::testing::AssertionFailure() << "the simulator did not start";
  if (!start_daemon())
    return ::testing::AssertionFailure() << "shopsyncd did not answer: " << daemon_output();
  if (!wait_mapped())
    return ::testing::AssertionFailure() << "not every group mapped: " << daemon_output();
  return ::testing::AssertionSuccess();
}

bool e2e_env::start_daemon() {
  if (daemon_) {
    previous_output_ += daemon_->output();
    daemon_.reset();
  }
  daemon_ = std::make_unique<child_process>(
    std::vector<std::string>{binary_path("shopsyncd").string(), "--config", config_}, true);
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (shopsync::control_call(socket_, "ping", "{}", 1s))
      return true;
    if (!daemon_->running())
      return false;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

void e2e_env::kill_daemon() {
  if (!daemon_)
    return;
  daemon_->signal(SIGKILL);
  daemon_->stop(5s); // reaps it
  previous_output_ += daemon_->output();
  daemon_.reset();
}

int e2e_env::stop_daemon() {
  if (!daemon_)
    return -1;
  int code = daemon_->stop(20s);
  previous_output_ += daemon_->output();
  daemon_.reset();
  return code;
}

void e2e_env::signal_daemon(int sig) {
  if (daemon_)
    daemon_->signal(sig);
}

std::string e2e_env::daemon_output() const {
  auto out = previous_output_ + (daemon_ ? daemon_->output() : "");
  // The tail is what explains a failure; keep the message readable.
  return out.size() > 20000 ? "…" + out.substr(out.size() - 20000) : out;
}

bool e2e_env::daemon_said(const std::string& text) const {
  return (previous_output_ + (daemon_ ? daemon_->output() : "")).find(text) != std::string::npos;
}

bool e2e_env::wait_until(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (pred())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(50ms);
  }
}

bool e2e_env::wait_mapped(std::chrono::milliseconds limit) {
  return wait_until(
    [&] {
      auto r = shopsync::control_call(socket_, "mappings", R"({"problems":true})", 5s);
      if (!r)
        return false;
      auto j = parse(*r);
      auto n = j->size("");
      if (!j->ok || n == 0)
        return false;
      for (std::size_t i = 0; i < n; ++i)
        if (!j->has("/" + std::to_string(i) + "/group"))
          return false; // "null": not mapped yet
      return true;
    },
    limit);
}

bool e2e_env::wait_settled(const std::string& group, const std::vector<std::string>& identities,
                           std::chrono::milliseconds limit) {
  return wait_until(
    [&] {
      for (auto& id : identities) {
        auto v = control("item", R"({"group":")" + group + R"(","identity":")" + id + "\"}");
        auto j = parse(v);
        if (!j->ok || v.find("\"idle\":true") == std::string::npos || v.find("\"known\":null") != std::string::npos ||
            j->size("/levels") == 0)
          return false;
      }
      return true;
    },
    limit);
}

std::string e2e_env::sim_get(const std::string& target) const {
  std::lock_guard lock(http_mu_);
  auto r = http_->get(target);
  return r.status == 200 ? r.body : "HTTP " + std::to_string(r.status) + " " + r.error + r.body;
}

std::string e2e_env::sim_post(const std::string& target, const std::string& body) const {
  std::lock_guard lock(http_mu_);
  auto r = http_->post(target, body);
  return r.status == 200 ? r.body : "HTTP " + std::to_string(r.status) + " " + r.error + r.body;
}

std::optional<std::int64_t> e2e_env::level(const std::string& shop, const std::string& sku,
                                           const std::string& location) const {
  auto j = parse(sim_get("/_sim/state?store=" + shop + "&sku=" + sku));
  for (std::size_t l = 0; l < j->size("/variants/0/levels"); ++l) {
    auto p = "/variants/0/levels/" + std::to_string(l);
    if (j->str(p + "/location") == location)
      return j->num(p + "/available");
  }
  return std::nullopt;
}

std::string e2e_env::sale(const std::string& shop, const std::string& sku, int quantity, const std::string& location,
                          const std::string& financial_status) {
  return sim_post("/_sim/sale", R"({"store":")" + shop + R"(","sku":")" + sku + R"(","location":")" + location +
                                  R"(","quantity":)" + std::to_string(quantity) + R"(,"financial_status":")" +
                                  financial_status + "\"}");
}

std::string e2e_env::restock(const std::string& shop, const std::string& sku, int delta, const std::string& location) {
  return sim_post("/_sim/restock", R"({"store":")" + shop + R"(","sku":")" + sku + R"(","location":")" + location +
                                     R"(","delta":)" + std::to_string(delta) + "}");
}

std::string e2e_env::set_level(const std::string& shop, const std::string& sku, int available,
                               const std::string& location) {
  return sim_post("/_sim/set_level", R"({"store":")" + shop + R"(","sku":")" + sku + R"(","location":")" +
                                       location + R"(","available":)" + std::to_string(available) + "}");
}

bool e2e_env::webhooks_idle(std::chrono::milliseconds limit) const {
  std::lock_guard lock(http_mu_);
  auto r = http_->request("GET", "/_sim/webhooks/wait_idle?timeout_ms=" + std::to_string(limit.count()), {}, {},
                          limit + 5s);
  return r.status == 200 && r.body.find("\"idle\":true") != std::string::npos;
}

std::uint64_t e2e_env::log_seq() const {
  auto j = parse(sim_get("/_sim/log?since=999999999999"));
  return static_cast<std::uint64_t>(j->num("/next_seq").value_or(0));
}

int e2e_env::calls(const std::string& shop, const std::string& operation, std::uint64_t since,
                   const std::string& outcome) const {
  auto j = parse(sim_get("/_sim/log?store=" + shop + "&operation=" + operation + "&since=" + std::to_string(since)));
  int n = 0;
  for (std::size_t i = 0; i < j->size("/calls"); ++i)
    if (outcome.empty() || j->str("/calls/" + std::to_string(i) + "/outcome") == outcome)
      ++n;
  return n;
}

int e2e_env::mutations(const std::string& shop, std::uint64_t since) const {
  return calls(shop, "InventorySet", since) + calls(shop, "InventoryAdjust", since);
}

std::size_t e2e_env::order_count(const std::string& shop) const {
  return parse(sim_get("/_sim/state?store=" + shop + "&variants=0"))->size("/orders");
}

std::size_t e2e_env::app_order_count(const std::string& shop) const {
  auto j = parse(sim_get("/_sim/state?store=" + shop + "&variants=0"));
  std::size_t n = 0;
  for (std::size_t i = 0; i < j->size("/orders"); ++i)
    if (j->num("/orders/" + std::to_string(i) + "/app_id") == static_cast<std::int64_t>(opt_.app_id))
      ++n;
  return n;
}

std::size_t e2e_env::draft_count(const std::string& shop) const {
  return parse(sim_get("/_sim/state?store=" + shop + "&variants=0"))->size("/draft_orders");
}

std::string e2e_env::control(const std::string& cmd, const std::string& args_json) const {
  auto r = shopsync::control_call(socket_, cmd, args_json, 30s);
  return r ? *r : "ERROR " + r.error().code + ": " + r.error().message;
}

std::optional<std::int64_t> e2e_env::inbox_depth() const {
  return parse(control("status"))->num("/inbox_depth");
}

std::string e2e_env::metrics() const {
  http_client c("127.0.0.1", webhook_port_);
  return c.get("/metrics").body;
}

double e2e_env::metric(const std::string& series) const {
  auto text = metrics();
  auto at = text.find("\n" + series + " ");
  return at == std::string::npos ? 0 : std::strtod(text.c_str() + at + series.size() + 2, nullptr);
}

std::string group_toml(const std::string& name, const std::vector<e2e_store>& dests, const std::string& strategy,
                       const std::string& match_by) {
  std::string t = "[[groups]]\nname = \"" + name + "\"\nsource = \"source\"\ndestinations = [";
  for (std::size_t i = 0; i < dests.size(); ++i)
    t += (i ? ", \"" : "\"") + dests[i].name + "\"";
  return t + "]\nstrategy = \"" + strategy + "\"\nmatch_by = \"" + match_by + "\"\nlocations = \"by_name\"\n\n";
}

e2e_options pair_options(const e2e_store& source, const e2e_store& dest, const std::string& sku, int level,
                         const std::string& group, const std::string& strategy) {
  e2e_options o;
  o.stores = {source, dest};
  o.scenario_json = uniform_scenario(o.stores, {sku}, {level, level});
  o.groups_toml = group_toml(group, {dest}, strategy);
  return o;
}

std::string uniform_scenario(const std::vector<e2e_store>& stores, const std::vector<std::string>& skus,
                             const std::vector<int>& levels, const std::vector<std::vector<std::string>>& only_in,
                             const std::string& app_secret) {
  std::ostringstream s;
  s << R"({"app_secret":")" << app_secret << R"(","app_id":580111,"stores":[)";
  for (std::size_t i = 0; i < stores.size(); ++i) {
    auto lvl = std::to_string(levels.at(i));
    s << (i ? "," : "") << R"({"shop":")" << stores[i].shop << R"(","token":")" << stores[i].token
      << R"(","locations":["Main Warehouse","Outlet"],"bucket":{"max":20000,"restore":5000},"catalog":{"products":[)";
    auto list = skus;
    if (i < only_in.size())
      list.insert(list.end(), only_in[i].begin(), only_in[i].end());
    for (std::size_t k = 0; k < list.size(); ++k) {
      std::string handle = list[k];
      for (auto& c : handle)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      s << (k ? "," : "") << R"({"handle":")" << handle << R"(","title":")" << list[k]
        << R"(","variants":[{"sku":")" << list[k] << R"(","barcode":"9)" << (100000 + k) << R"(","option":"One","price":"10.00",)"
        << R"("inventory_policy":"deny","available":{"Main Warehouse":)" << lvl << R"(,"Outlet":)" << lvl << "}}]}";
    }
    s << "]}}";
  }
  s << "]}";
  return s.str();
}

std::string group_state(const e2e_env& env, const std::string& group) {
  auto s = parse(env.control("status"));
  for (std::size_t i = 0; i < s->size("/groups"); ++i)
    if (s->str("/groups/" + std::to_string(i) + "/group") == group)
      return s->str("/groups/" + std::to_string(i) + "/state");
  return "?";
}

std::size_t levels_set(const e2e_env& env) {
  auto audit = env.control("audit", R"({"limit":100000})");
  std::size_t n = 0;
  for (auto p = audit.find("\"kind\":\"level_set\""); p != std::string::npos; p = audit.find("\"kind\":\"level_set\"", p + 1))
    n++;
  return n;
}

} // namespace shopsync::testing
