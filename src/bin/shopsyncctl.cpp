// shopsyncctl: asks a running shopsyncd over its control socket and prints the answer as a
// table (or indented JSON for nested answers); --json prints the daemon's raw reply.
// Exit codes: 0 answered, 1 the daemon answered with an error, 2 the daemon could not be
// reached or refused access.
#include "io/control_client.hpp"
#include "io/json_writer.hpp"

#include <CLI/CLI.hpp>
#include <simdjson.h>

#include <cstdio>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

using namespace shopsync;
using simdjson::dom::element;

namespace {

using table = std::vector<std::vector<std::string>>;

void print_table(const table& rows) {
  if (rows.empty())
    return;
  std::vector<std::size_t> widths;
  for (auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (widths.size() <= i)
        widths.push_back(0);
      widths[i] = std::max(widths[i], r[i].size());
    }
  for (auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size())
        line += std::string(widths[i] - r[i].size() + 2, ' ');
    }
    std::cout << line << '\n';
  }
}

// A scalar as text: strings unquoted, null as "-".
std::string text(element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::STRING: return std::string(std::string_view(e));
    case simdjson::dom::element_type::NULL_VALUE: return "-";
    case simdjson::dom::element_type::BOOL: return bool(e) ? "yes" : "no";
    case simdjson::dom::element_type::INT64: return std::to_string(int64_t(e));
    case simdjson::dom::element_type::UINT64: return std::to_string(uint64_t(e));
    case simdjson::dom::element_type::DOUBLE: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.0f", double(e));
      return buf;
    }
    default: return simdjson::minify(e);
  }
}

std::string field(element obj, const char* key) {
  element v;
  if (obj[key].get(v))
    return "-";
  return text(v);
}

// Indented JSON, for nested answers without a table.
void print_indented(element e, int depth = 0) {
  std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
  if (e.is_object()) {
    std::cout << "{\n";
    bool first = true;
    for (auto [k, v] : simdjson::dom::object(e)) {
      if (!first)
        std::cout << ",\n";
      first = false;
      std::string key;
      append_json_string(key, k);
      std::cout << pad << "  " << key << ": ";
      print_indented(v, depth + 1);
    }
    std::cout << '\n' << pad << '}';
  } else if (e.is_array()) {
    simdjson::dom::array a(e);
    if (a.size() == 0) {
      std::cout << "[]";
      return;
    }
    std::cout << "[\n";
    bool first = true;
    for (auto v : a) {
      if (!first)
        std::cout << ",\n";
      first = false;
      std::cout << pad << "  ";
      print_indented(v, depth + 1);
    }
    std::cout << '\n' << pad << ']';
  } else {
    std::cout << simdjson::minify(e);
  }
}

void print_status(element r) {
  std::cout << "shopsyncd " << field(r, "version") << ", up " << field(r, "uptime_s") << " s, inbox depth "
            << field(r, "inbox_depth") << "\n\n";
  table stores{{"STORE", "SHOP DOMAIN", "ROLE"}};
  for (auto s : r["stores"].get_array())
    stores.push_back({field(s, "name"), field(s, "shop_domain"), field(s, "role")});
  print_table(stores);
  std::cout << '\n';
  table groups{{"GROUP", "STRATEGY", "MATCH BY", "SOURCE", "DESTINATIONS"}};
  for (auto g : r["groups"].get_array()) {
    std::string dests;
    for (auto d : g["destinations"].get_array())
      dests += (dests.empty() ? "" : ", ") + text(d);
    groups.push_back({field(g, "name"), field(g, "strategy"), field(g, "match_by"), field(g, "source"), dests});
  }
  print_table(groups);
  // Issue 19: a group the guard holds says so, with the way out.
  for (auto g : r["groups"].get_array())
    if (field(g, "state") == "planned" || field(g, "state") == "tripped")
      std::cout << "\ngroup " << field(g, "name") << " is " << field(g, "state")
                << ": its writes wait; see `shopsyncctl plan " << field(g, "name") << "`, then approve or discard\n";
}

void print_stores(element r) {
  table t{{"STORE", "AUTH", "BUCKET", "QUEUED", "IN FLIGHT", "MUTATIONS", "REQUESTS", "RETRIES", "THROTTLED",
           "ERRORS", "LAST ERROR"}};
  for (auto s : r.get_array()) {
    auto b = s["bucket"];
    auto q = s["queue"];
    std::string auth = field(s, "unauthorized") == "yes" ? "UNAUTHORIZED" : field(s, "auth");
    t.push_back({field(s, "store"), auth, field(b.value(), "available") + "/" + field(b.value(), "maximum"),
                 field(q.value(), "writes") + "w " + field(q.value(), "reads") + "r",
                 field(s, "in_flight") + "/" + field(s, "max_in_flight"), field(s, "mutations"),
                 field(s, "requests"), field(s, "retries"), field(s, "throttled"), field(s, "errors"),
                 field(s, "last_error")});
  }
  print_table(t);
}

void print_connect(element r) {
  std::cout << "Have the owner of store " << field(r, "store") << " open this link, signed in to the store's admin,\n"
            << "and approve the app. shopsync stores the token and uses the store by itself.\n"
            << "The link works once and expires in 30 minutes.\n\n"
            << field(r, "url") << '\n';
}

void print_item(element r) {
  std::cout << field(r, "group") << " " << field(r, "identity") << " (" << field(r, "mode") << ")"
            << (field(r, "paused") == "yes" ? ", paused" : "") << "\n\n";
  table t{{"STORE", "LOCATION", "KNOWN", "IN FLIGHT", "PENDING TARGET", "PENDING DELTA", "DIRTY", "HELD", "BLOCKED"}};
  for (auto l : r["levels"].get_array())
    t.push_back({field(l, "store"), field(l, "location"), field(l, "known"), field(l, "in_flight"),
                 field(l, "pending_target"), field(l, "pending_delta"), field(l, "dirty"), field(l, "held"),
                 field(l, "blocked")});
  print_table(t);
}

void print_audit(element r) {
  table t{{"TIME", "SUBJECT", "STORE", "LOCATION", "KIND", "BEFORE", "AFTER", "DELTA", "CAUSE"}};
  for (auto a : r.get_array()) {
    std::time_t secs = static_cast<std::time_t>(int64_t(a["time_us"]) / 1000000);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&secs));
    t.push_back({buf, field(a, "subject"), field(a, "store"), field(a, "location"), field(a, "kind"),
                 field(a, "before"), field(a, "after"), field(a, "delta"), field(a, "cause")});
  }
  print_table(t);
}

void print_orders(element r) {
  table t{{"GROUP", "STORE", "KIND", "ID", "NAME", "STATE", "FOUND BY", "SOURCE ID", "ATTEMPTS", "UNMAPPED",
           "LAST ERROR", "RECEIVED", "REASON"}};
  for (auto o : r["orders"].get_array())
    t.push_back({field(o, "group"), field(o, "store"), field(o, "kind"), field(o, "id"), field(o, "name"),
                 field(o, "state"), field(o, "found_by"), field(o, "source_id"), field(o, "attempts"),
                 std::to_string(simdjson::dom::array(o["unmapped"]).size()), field(o, "last_error"),
                 field(o, "received_at"), field(o, "reason")});
  print_table(t);
}

// `plan` (issue 19): per group, per store the levels that would change, then the biggest.
void print_plan(element r) {
  auto groups = r.get_array();
  if (simdjson::dom::array(r).size() == 0) {
    std::cout << "No group waits for approval: every group is syncing.\n";
    return;
  }
  bool first = true;
  for (auto g : groups) {
    if (!first)
      std::cout << '\n';
    first = false;
    auto name = field(g, "group");
    std::cout << "group " << name << ": " << field(g, "state") << ", plan " << field(g, "plan_id") << ", "
              << field(g, "changes") << " levels would change\n";
    element trip;
    if (!g["trip"].get(trip))
      std::cout << "breaker tripped by store " << field(trip, "store") << ": " << field(trip, "drops")
                << " levels would drop to zero or by more than half (allowed " << field(trip, "allowance") << " of "
                << field(trip, "mapped") << " mapped)\n";
    std::cout << '\n';
    table t{{"STORE", "CHANGES", "UP", "DOWN", "TO ZERO"}};
    for (auto s : g["stores"].get_array())
      t.push_back({field(s, "store"), field(s, "changes"), field(s, "up"), field(s, "down"), field(s, "to_zero")});
    print_table(t);
    table b{{"STORE", "IDENTITY", "LOCATION", "NOW", "THEN"}};
    for (auto s : g["stores"].get_array())
      for (auto c : s["biggest"].get_array())
        b.push_back({field(s, "store"), field(c, "identity"), field(c, "location"), field(c, "before"),
                     field(c, "after")});
    if (b.size() > 1) {
      std::cout << "\nbiggest changes:\n";
      print_table(b);
    }
    if (field(g, "state") != "syncing")
      std::cout << "\napply: shopsyncctl approve " << name << " --plan " << field(g, "plan_id")
                << "    drop: shopsyncctl discard " << name << '\n';
  }
}

void print_approve(element r) {
  std::cout << "group " << field(r, "approved") << " approved (it was " << field(r, "was") << "): "
            << field(r["plan"].value(), "changes") << " levels are being written, plan "
            << field(r["plan"].value(), "plan_id") << "; it syncs from now on\n";
}

void print_discard(element r) {
  std::cout << "group " << field(r, "discarded") << ": held writes dropped (it was " << field(r, "was")
            << "); every level is read again and the group waits in state " << field(r, "state")
            << " (see shopsyncctl plan " << field(r, "discarded") << ")\n";
}

// `plan --csv`: one line per level that would change.
void print_plan_csv(element r) {
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos)
      return s;
    std::string q = "\"";
    for (char c : s)
      q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  std::cout << "group,state,plan_id,store,identity,location,now,then\n";
  for (auto g : r.get_array())
    for (auto s : g["stores"].get_array())
      for (auto c : s["biggest"].get_array())
        std::cout << quote(field(g, "group")) << ',' << field(g, "state") << ',' << field(g, "plan_id") << ','
                  << quote(field(s, "store")) << ',' << quote(field(c, "identity")) << ','
                  << quote(field(c, "location")) << ',' << field(c, "before") << ',' << field(c, "after") << '\n';
}

// `undo` (issue 19): the deltas that reverse shopsync's writes since a time.
void print_undo(element r) {
  bool applied = field(r, "applied") == "yes";
  std::cout << "undo of group " << field(r, "group") << " since " << field(r, "since") << ": " << field(r, "levels")
            << " levels" << (applied ? ", sent" : " (a plan: nothing written; --apply sends it)") << "\n";
  table t{{"IDENTITY", "STORE", "LOCATION", "DELTA", "WRITES REVERSED"}};
  for (auto x : r["writes"].get_array())
    t.push_back({field(x, "identity"), field(x, "store"), field(x, "location"), field(x, "delta"), field(x, "changes")});
  if (t.size() > 1) {
    std::cout << '\n';
    print_table(t);
  }
}

void print_mappings(element r) {
  for (auto g : r.get_array()) {
    if (g.is_null())
      continue;
    std::cout << "group " << field(g, "group") << " (" << field(g, "mode") << "): " << field(g, "identities")
              << " identities mapped, " << field(g, "problem_count") << " problems\n";
    table t{{"PROBLEM", "KEY", "STORE", "VARIANTS"}};
    for (auto p : g["problems"].get_array()) {
      std::string vs;
      for (auto v : p["variants"].get_array())
        vs += (vs.empty() ? "" : ",") + text(v);
      t.push_back({field(p, "kind"), field(p, "key"), field(p, "store"), vs});
    }
    for (auto p : g["location_problems"].get_array())
      t.push_back({std::string("location ") + field(p, "kind"), field(p, "name"), field(p, "store"), ""});
    if (auto u = g["unstocked"]; !u.error())
      for (auto p : u.get_array())
        t.push_back({std::string(field(p, "state")) + " at " + field(p, "location"), field(p, "identity"),
                     field(p, "store"), ""});
    if (auto w = g["two_writers"]; !w.error()) // issue 19
      for (auto p : w.get_array())
        t.push_back({"two writers at " + field(p, "location") + " (" + field(p, "fights") + " times: shopsync " +
                       field(p, "shopsync_value") + ", other " + field(p, "other_value") + ")",
                     field(p, "identity"), field(p, "store"), ""});
    if (t.size() > 1)
      print_table(t);
    std::cout << '\n';
  }
}

void print_unusable(element r) {
  table t{{"ID", "RECEIVED", "STORE", "TOPIC", "WEBHOOK ID", "EVENT ID", "SIZE", "REASON"}};
  for (auto u : r["unusable"].get_array()) {
    auto store = field(u, "store");
    t.push_back({field(u, "id"), field(u, "received_at"), store == "-" ? field(u, "shop_domain") : store,
                 field(u, "topic"), field(u, "webhook_id"), field(u, "event_id"), field(u, "size"),
                 field(u, "reason")});
  }
  if (t.size() == 1) {
    std::cout << "no unusable deliveries\n";
    return;
  }
  print_table(t);
  std::cout << "\n(one with its body: shopsyncctl inbox --unusable --show ID)\n";
}

void print_unusable_one(element r) {
  for (auto key : {"id", "received_at", "store", "shop_domain", "topic", "webhook_id", "event_id", "triggered_at",
                   "api_version", "size", "reason_code", "reason"})
    std::cout << key << ": " << field(r, key) << '\n';
  std::cout << "body:\n" << field(r, "body") << '\n';
  if (field(r, "body_base64") != "-")
    std::cout << "body (base64, not UTF-8):\n" << field(r, "body_base64") << '\n';
}

// `webhooks`: per store, each topic wanted or present, where it delivers, and missing scopes.
void print_webhooks(element r) {
  for (auto s : r.get_array()) {
    std::cout << "store " << field(s, "store") << " (" << field(s, "shop_domain") << "): webhooks to "
              << (field(s, "public_url").empty() ? std::string("(no public_url)") : field(s, "public_url"))
              << (bool(s["manage"]) ? ", kept by shopsync" : ", left to shopify.app.toml (not listed by the Admin API)")
              << '\n';
    if (field(s, "list_error") != "-")
      std::cout << "  cannot list subscriptions: " << field(s, "list_error") << '\n';
    table t{{"TOPIC", "WANTED", "STATE", "DELIVERS TO", "NEEDED FOR"}};
    for (auto row : s["topics"].get_array()) {
      std::string uris;
      for (auto u : row["uris"].get_array())
        uris += (uris.empty() ? "" : ", ") + text(u);
      t.push_back({field(row, "topic"), field(row, "wanted"), field(row, "state"), uris.empty() ? "-" : uris,
                   field(row, "feature").empty() ? "-" : field(row, "feature")});
    }
    print_table(t);
    for (auto m : s["scopes"]["missing"].get_array())
      std::cout << "  " << field(m, "message") << '\n';
    std::cout << '\n';
  }
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"shopsyncctl: ask a running shopsyncd"};
  std::string socket = "/run/shopsync/control.sock";
  bool json = false;
  app.add_option("-s,--socket", socket, "control socket of the daemon")->envname("SHOPSYNC_SOCKET");
  app.add_flag("--json", json, "print the daemon's raw JSON reply");
  app.require_subcommand(1);

  // Each subcommand fills the request's args and says how to print the result.
  std::string cmd;
  json_writer args;
  args.begin_object();
  std::function<void(element)> printer = [](element e) {
    print_indented(e);
    std::cout << '\n';
  };
  std::string group, identity, store, state, item, dir, level;
  std::uint64_t id = 0, since = 0, limit = 50;
  bool problems = false, attention = false, unusable = false, reconcile_orders = false,
       import_apply = false;
  std::uint64_t show = 0;
  std::string import_since;

  auto sub = [&](const char* name, const char* help) {
    auto* s = app.add_subcommand(name, help);
    s->callback([&, name] { cmd = name; });
    return s;
  };
  sub("ping", "check that the daemon answers");
  sub("status", "version, uptime, inbox depth, stores and sync groups");
  sub("stores", "each store link: cost bucket, queues, requests in flight, retries, errors");
  auto* connect = sub("connect", "print the link that installs the app in a store (auth = \"authorization_code\")");
  connect->add_option("store", store, "store name")->required();
  auto* mappings = sub("mappings", "how products are matched across stores, and the problems");
  mappings->add_option("--group", group, "one sync group");
  mappings->add_flag("--problems", problems, "only the problems (duplicates, misses, locations)");
  auto* it = sub("item", "one identity: each store's known level, pending intent and operation in flight");
  it->add_option("group", group, "sync group")->required();
  it->add_option("identity", identity, "e.g. sku:TEE-RED-S")->required();
  auto* audit = sub("audit", "the decisions taken, newest last");
  audit->add_option("--item", item, "one identity (sku:…) or order (store/id)");
  audit->add_option("--since", since, "unix time in seconds");
  audit->add_option("--limit", limit, "at most this many (newest)");
  for (auto name : {"pause", "resume", "resync", "reconcile"}) {
    auto* s = sub(name, name == std::string("pause")    ? "hold outgoing inventory writes (inputs are kept)"
                        : name == std::string("resume") ? "send held writes again"
                        : name == std::string("resync") ? "read every store's catalog again and re-match"
                                                        : "read every mapped level now and heal differences");
    s->add_option("group", group, "one sync group (default: all)");
    if (name == std::string("reconcile"))
      s->add_flag("--orders", reconcile_orders, "list each Destination's recent orders now and sync those not seen");
  }
  auto* import = sub("import-orders", "backfill a group's Destination orders created since a time (a dry run "
                                      "without --apply)");
  import->add_option("group", group, "order or draft_order group")->required();
  import->add_option("--since", import_since, "ISO-8601 time, e.g. 2026-12-01T00:00:00Z")->required();
  import->add_flag("--apply", import_apply, "import them (else: only count them)");
  auto* orders = sub("orders", "orders synced from Destinations");
  orders->add_option("--state", state, "only orders in this state");
  orders->add_flag("--attention", attention, "only orders that need attention");
  for (auto name : {"order", "retry"}) {
    auto* s = sub(name, name == std::string("order") ? "one Destination order and its audit trail"
                                                     : "try an order that needs attention again");
    s->add_option("store", store, "Destination store")->required();
    s->add_option("id", id, "Destination order or draft order id")->required();
  }
  auto* inbox = sub("inbox", "signed webhook deliveries kept aside because their content could not be used");
  inbox->add_flag("--unusable", unusable, "list them (the only listing so far; required)")->required();
  inbox->add_option("--show", show, "one of them by ID, with its headers and body");
  inbox->add_option("--limit", limit, "at most this many (newest)");
  auto* backup = sub("backup", "consistent copy of the state store (RocksDB checkpoint)");
  backup->add_option("dir", dir, "absolute path that does not exist yet")->required();
  std::string webhook_store;
  bool check_now = false;
  auto* webhooks = sub("webhooks", "each store's webhook topics: wanted vs subscribed, and missing access scopes");
  webhooks->add_option("store", webhook_store, "one store (by its name)");
  webhooks->add_flag("--check", check_now, "check the subscriptions and scopes now (the answer may predate it)");
  sub("doctor", "check every store, one line per check, in the order to fix them; exit 1 when one fails");
  // Issue 19: plan, approve, discard.
  bool plan_csv = false;
  std::string plan_id;
  auto* plan = sub("plan", "the writes a held group would make (planned or tripped): per store, then the biggest");
  plan->add_option("group", group, "one sync group (default: every held group)");
  plan->add_flag("--csv", plan_csv, "every level that would change, as CSV");
  auto* approve = sub("approve", "send a planned or tripped group's writes and let it sync");
  approve->add_option("group", group, "sync group")->required();
  approve->add_option("--plan", plan_id, "only if the plan is still this one (its id from `plan`)");
  auto* discard = sub("discard", "drop a planned or tripped group's writes; its levels are read again for a new plan");
  discard->add_option("group", group, "sync group")->required();
  std::string undo_since, undo_store;
  bool undo_apply = false, undo_dry = false;
  auto* undo = sub("undo", "reverse shopsync's own writes to a group's levels since a time, as deltas (later sales "
                           "still count); a plan unless --apply");
  undo->add_option("group", group, "sync group")->required();
  undo->add_option("--since", undo_since, "ISO-8601 time (2026-12-04T21:00:00Z) or unix seconds")->required();
  undo->add_option("--store", undo_store, "only this store's levels");
  auto* apply_flag = undo->add_flag("--apply", undo_apply, "send the reversing writes (two_way groups)");
  undo->add_flag("--dry-run", undo_dry, "only show them (the default)")->excludes(apply_flag);
  auto* loglevel = sub("log-level", "change the daemon's log level");
  loglevel->add_option("level", level, "trace|debug|info|warn|error|critical|off")->required();
  CLI11_PARSE(app, argc, argv);
  if (reconcile_orders) args.field("orders", true);
  if (!import_since.empty()) args.field("since", import_since);
  if (import_apply) args.field("apply", true);

  if (!group.empty()) args.field("group", group);
  if (!identity.empty()) args.field("identity", identity);
  if (problems) args.field("problems", true);
  if (!item.empty()) args.field("item", item);
  if (since) args.field("since", since);
  if (cmd == "audit" || cmd == "inbox") args.field("limit", limit);
  if (unusable) args.field("unusable", true);
  if (show) args.field("show", show);
  if (!state.empty()) args.field("state", state);
  if (attention) args.field("attention", true);
  if (!store.empty()) args.field("store", store).field("id", id);
  if (!dir.empty()) args.field("dir", dir);
  if (!level.empty()) args.field("level", level);
  if (!webhook_store.empty()) args.field("store", webhook_store);
  if (check_now) args.field("check", true);
  if (!plan_id.empty()) args.field("plan", plan_id);
  if (!undo_since.empty()) args.field("since", undo_since);
  if (!undo_store.empty()) args.field("store", undo_store);
  if (undo_apply) args.field("apply", true);
  if (cmd == "plan" && plan_csv) args.field("biggest", std::uint64_t{1} << 40);
  args.end_object();
  if (cmd == "status") printer = print_status;
  if (cmd == "stores") printer = print_stores;
  if (cmd == "item") printer = print_item;
  if (cmd == "audit") printer = print_audit;
  if (cmd == "orders") printer = print_orders;
  if (cmd == "mappings") printer = print_mappings;
  if (cmd == "inbox") printer = show ? print_unusable_one : print_unusable;
  if (cmd == "webhooks") printer = print_webhooks;
  bool doctor_failed = false;
  if (cmd == "doctor")
    printer = [&doctor_failed](element r) {
      std::cout << field(r, "text");
      doctor_failed = !bool(r["passed"]);
    };
  if (cmd == "connect") printer = print_connect;
  if (cmd == "plan") printer = plan_csv ? print_plan_csv : print_plan;
  if (cmd == "undo") printer = print_undo;
  if (cmd == "approve") printer = print_approve;
  if (cmd == "discard") printer = print_discard;

  auto reply = cmd == "doctor" ? control_call(socket, cmd, args.str(), std::chrono::seconds(60))
                                : control_call(socket, cmd, args.str());
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
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(*reply).get(root)) {
    std::fprintf(stderr, "shopsyncctl: unreadable reply from the daemon\n");
    return 1;
  }
  try {
    printer(root);
    if (doctor_failed)
      return 1;
  } catch (const simdjson::simdjson_error& e) {
    std::fprintf(stderr, "shopsyncctl: unexpected reply from the daemon (%s); try --json\n", e.what());
    return 1;
  }
  return 0;
}
