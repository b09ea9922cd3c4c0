#include "io/config_reload.hpp"

#include "io/config_file.hpp"

#include <toml++/toml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace shopsync {

namespace fs = std::filesystem;

namespace {

// Keys compared on the model (their change is applied live), as they are spelt in the file;
// "*" stands for a store's or an app's name.
bool is_live_key(const std::string& key) {
  static const std::set<std::string> daemon_keys = {"daemon.log_level", "daemon.webhook_secret_files",
                                                    "daemon.audit_retention_days"};
  if (daemon_keys.count(key))
    return true;
  auto ends_with = [&](const std::string& tail) {
    return key.size() > tail.size() && key.compare(key.size() - tail.size(), tail.size(), tail) == 0;
  };
  return (key.rfind("stores.", 0) == 0 && ends_with(".access_token_file")) ||
         (key.rfind("apps.", 0) == 0 && ends_with(".client_secret_file"));
}

bool same(const toml::node& a, const toml::node& b) {
  if (a.type() != b.type())
    return false;
  switch (a.type()) {
  case toml::node_type::table: return *a.as_table() == *b.as_table();
  case toml::node_type::array: return *a.as_array() == *b.as_array();
  case toml::node_type::string: return a.as_string()->get() == b.as_string()->get();
  case toml::node_type::integer: return a.as_integer()->get() == b.as_integer()->get();
  case toml::node_type::floating_point: return a.as_floating_point()->get() == b.as_floating_point()->get();
  case toml::node_type::boolean: return a.as_boolean()->get() == b.as_boolean()->get();
  case toml::node_type::date: return a.as_date()->get() == b.as_date()->get();
  case toml::node_type::time: return a.as_time()->get() == b.as_time()->get();
  case toml::node_type::date_time: return a.as_date_time()->get() == b.as_date_time()->get();
  default: return false;
  }
}

std::string element_name(const toml::node& n, std::size_t index) {
  if (auto* t = n.as_table())
    if (auto name = (*t)["name"].value<std::string>())
      return *name;
  return "#" + std::to_string(index);
}

// Differences between two tables, one key deep ("daemon.listen"); arrays of named tables
// (stores, apps) are matched by name ("stores.outlet.max_in_flight"), an element added or
// removed is the element itself ("stores.outlet").
void diff_tables(const toml::table& a, const toml::table& b, const std::string& prefix, int depth,
                 std::vector<std::string>& out) {
  std::set<std::string> keys;
  for (auto&& [k, v] : a)
    keys.insert(std::string(k.str()));
  for (auto&& [k, v] : b)
    keys.insert(std::string(k.str()));
  for (auto& k : keys) {
    auto* x = a.get(k);
    auto* y = b.get(k);
    auto key = prefix.empty() ? k : prefix + "." + k;
    if (!x || !y) {
      out.push_back(key);
      continue;
    }
    if (same(*x, *y))
      continue;
    if (depth > 0 && x->is_table() && y->is_table()) {
      diff_tables(*x->as_table(), *y->as_table(), key, depth - 1, out);
      continue;
    }
    // Groups change as a whole: one name says it.
    if (depth > 0 && key != "groups" && x->is_array_of_tables() && y->is_array_of_tables()) {
      std::map<std::string, const toml::table*> xs, ys;
      std::size_t i = 0;
      for (auto& e : *x->as_array())
        xs[element_name(e, i++)] = e.as_table();
      i = 0;
      for (auto& e : *y->as_array())
        ys[element_name(e, i++)] = e.as_table();
      for (auto& [name, t] : xs)
        if (!ys.count(name))
          out.push_back(key + "." + name);
        else
          diff_tables(*t, *ys[name], key + "." + name, 0, out);
      for (auto& [name, t] : ys)
        if (!xs.count(name))
          out.push_back(key + "." + name);
      continue;
    }
    out.push_back(key);
  }
}

std::vector<std::string> toml_differences(const std::string& a, const std::string& b) {
  std::vector<std::string> out;
  try {
    auto ta = toml::parse(a);
    auto tb = toml::parse(b);
    diff_tables(ta, tb, "", 1, out);
  } catch (const toml::parse_error&) {
    out.push_back("(the configuration file)"); // cannot happen: both were loaded
  }
  return out;
}

} // namespace

result<config_snapshot> load_config_snapshot(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return error{error_kind::config_invalid, "cannot read configuration " + path + ": " + std::strerror(errno)};
  std::ostringstream text;
  text << in.rdbuf();
  std::error_code ec;
  auto abs = fs::absolute(path, ec);
  auto dir = ec ? fs::path(path).parent_path() : abs.parent_path();
  auto cfg = parse_config(text.str(), path, dir.string());
  if (!cfg)
    return cfg.error();
  return config_snapshot{std::move(*cfg), text.str()};
}

reload_plan plan_reload(const config_snapshot& running, const config_snapshot& next) {
  reload_plan p;
  const auto& a = running.cfg;
  const auto& b = next.cfg;
  if (a.daemon.log_level != b.daemon.log_level)
    p.live.push_back("daemon.log_level");
  if (a.daemon.webhook_secrets != b.daemon.webhook_secrets)
    p.live.push_back("webhook secrets");
  if (a.daemon.audit_retention != b.daemon.audit_retention)
    p.live.push_back("daemon.audit_retention_days");
  for (auto& s : b.stores)
    if (auto* old = a.find_store(s.name); old && old->access_token != s.access_token)
      p.live.push_back("stores." + s.name + ".access_token_file (token)");
  for (auto& app : b.apps)
    if (auto* old = a.find_app(app.name); old && old->client_secret != app.client_secret)
      p.live.push_back("apps." + app.name + ".client_secret_file (secret)");
  for (auto& key : toml_differences(running.text, next.text))
    if (!is_live_key(key))
      p.restart.push_back(key);
  return p;
}

config apply_live(config running, const config& next) {
  running.daemon.log_level = next.daemon.log_level;
  running.daemon.webhook_secret_files = next.daemon.webhook_secret_files;
  running.daemon.webhook_secrets = next.daemon.webhook_secrets;
  running.daemon.audit_retention = next.daemon.audit_retention;
  for (auto& s : running.stores)
    if (auto* n = next.find_store(s.name)) {
      s.access_token = n->access_token;
      s.access_token_file = n->access_token_file;
      s.access_token_path = n->access_token_path;
    }
  for (auto& app : running.apps)
    if (auto* n = next.find_app(app.name)) {
      app.client_secret = n->client_secret;
      app.client_secret_file = n->client_secret_file;
    }
  return running;
}

std::string join_keys(const std::vector<std::string>& keys) {
  std::string out;
  for (auto& k : keys)
    out += (out.empty() ? "" : ", ") + k;
  return out;
}

} // namespace shopsync
