// shopsyncctl: asks a running shopsyncd over its control socket and prints the answer as a
// table (default) or the raw JSON reply (--json). Exit codes: 0 answered, 1 the daemon
// answered with an error, 2 the daemon could not be reached or refused access.
#include "io/control_client.hpp"

#include <CLI/CLI.hpp>
#include <simdjson.h>

#include <cstdio>
#include <iostream>
#include <string>

using namespace shopsync;

namespace {

std::string str(simdjson::ondemand::value v) {
  std::string_view s;
  if (!v.get_string().get(s))
    return std::string(s);
  std::string_view raw = v.raw_json_token();
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == ','))
    raw.remove_suffix(1);
  return std::string(raw);
}

void print_row(const std::vector<std::string>& cells, const std::vector<std::size_t>& widths) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    line += cells[i];
    if (i + 1 < cells.size())
      line += std::string(widths[i] > cells[i].size() ? widths[i] - cells[i].size() + 2 : 2, ' ');
  }
  std::cout << line << '\n';
}

void print_table(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty())
    return;
  std::vector<std::size_t> widths(rows[0].size(), 0);
  for (auto& r : rows)
    for (std::size_t i = 0; i < r.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], r[i].size());
  for (auto& r : rows)
    print_row(r, widths);
}

int print_status(const std::string& json) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string buf(json);
  auto doc = parser.iterate(buf);
  std::string version, uptime;
  std::vector<std::vector<std::string>> stores{{"STORE", "SHOP DOMAIN", "ROLE"}};
  std::vector<std::vector<std::string>> groups{{"GROUP", "STRATEGY", "MATCH BY", "SOURCE", "DESTINATIONS"}};
  for (auto field : doc.get_object()) {
    std::string_view key = field.unescaped_key();
    if (key == "version") {
      version = str(field.value());
    } else if (key == "uptime_s") {
      uptime = str(field.value());
    } else if (key == "stores") {
      for (auto s : field.value().get_array()) {
        std::vector<std::string> row(3);
        for (auto sf : s.get_object()) {
          std::string_view k = sf.unescaped_key();
          if (k == "name") row[0] = str(sf.value());
          else if (k == "shop_domain") row[1] = str(sf.value());
          else if (k == "role") row[2] = str(sf.value());
        }
        stores.push_back(row);
      }
    } else if (key == "groups") {
      for (auto g : field.value().get_array()) {
        std::vector<std::string> row(5);
        for (auto gf : g.get_object()) {
          std::string_view k = gf.unescaped_key();
          if (k == "name") row[0] = str(gf.value());
          else if (k == "strategy") row[1] = str(gf.value());
          else if (k == "match_by") row[2] = str(gf.value());
          else if (k == "source") row[3] = str(gf.value());
          else if (k == "destinations") {
            for (auto d : gf.value().get_array())
              row[4] += (row[4].empty() ? "" : ", ") + str(d.value());
          }
        }
        groups.push_back(row);
      }
    }
  }
  std::cout << "shopsyncd " << version << ", up " << uptime << " s\n\n";
  print_table(stores);
  std::cout << '\n';
  print_table(groups);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"shopsyncctl: ask a running shopsyncd"};
  std::string socket = "/run/shopsync/control.sock";
  bool json = false;
  app.add_option("-s,--socket", socket, "control socket of the daemon")->envname("SHOPSYNC_SOCKET");
  app.add_flag("--json", json, "print the daemon's raw JSON reply");
  app.require_subcommand(1);
  auto* ping = app.add_subcommand("ping", "check that the daemon answers");
  auto* status = app.add_subcommand("status", "version, uptime, stores and sync groups");
  CLI11_PARSE(app, argc, argv);

  std::string cmd = ping->parsed() ? "ping" : status->parsed() ? "status" : "";
  auto reply = control_call(socket, cmd);
  if (!reply) {
    auto& e = reply.error();
    std::fprintf(stderr, "shopsyncctl: %s\n", e.message.c_str());
    return (e.code == "not_running" || e.code == "access_denied" || e.code == "timeout" || e.code == "io" ||
            e.code == "bad_path")
             ? 2
             : 1;
  }
  if (json) {
    std::cout << *reply << '\n';
    return 0;
  }
  try {
    if (cmd == "status")
      return print_status(*reply);
    std::cout << "pong\n";
  } catch (const simdjson::simdjson_error& e) {
    std::fprintf(stderr, "shopsyncctl: unreadable reply from the daemon: %s\n", e.what());
    return 1;
  }
  return 0;
}
