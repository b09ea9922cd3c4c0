// shopsyncctl: asks a running shopsyncd over its control socket and prints the answer as
// readable text; --json (anywhere on the line) prints the daemon's raw reply, and errors as
// {"error": {"kind", "code", "message"}}. Exit codes (io/control_outcome.hpp): 0 done, 1 the
// daemon answered no (unknown name, refused, check failed), 2 usage error or daemon unreachable.
#include "io/control_client.hpp"
#include "io/control_outcome.hpp"
#include "io/json_writer.hpp"

#include <CLI/CLI.hpp>
#include <simdjson.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
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
  table stores{{"STORE", "SHOP DOMAIN", "ROLE", "AUTH"}};
  for (auto s : r["stores"].get_array()) {
    auto unauthorized = field(s, "unauthorized");
    stores.push_back({field(s, "store"), field(s, "shop_domain"), field(s, "role"),
                      unauthorized == "yes" ? "UNAUTHORIZED" : unauthorized == "no" ? "ok" : "-"});
  }
  print_table(stores);
  std::cout << '\n';
  table groups{{"GROUP", "STATE", "STRATEGY", "MATCH BY", "SOURCE", "DESTINATIONS"}};
  for (auto g : r["groups"].get_array()) {
    std::string dests;
    for (auto d : g["destinations"].get_array())
      dests += (dests.empty() ? "" : ", ") + text(d);
    groups.push_back({field(g, "group"), field(g, "state"), field(g, "strategy"), field(g, "match_by"),
                      field(g, "source"), dests});
  }
  print_table(groups);
  // A group the guard holds says so, with the way out.
  for (auto g : r["groups"].get_array())
    if (field(g, "state") == "planned" || field(g, "state") == "tripped")
      std::cout << "\ngroup " << field(g, "group") << " is " << field(g, "state")
                << ": its writes wait; see `shopsyncctl plan " << field(g, "group") << "`, then approve or discard"
                << (field(g, "held_because") == "-" ? std::string() : "\n  why: " + field(g, "held_because")) << "\n";
  for (auto g : r["groups"].get_array())
    if (auto n = field(g, "held_orders"); n != "-" && n != "0")
      std::cout << "group " << field(g, "group") << ": " << n
                << " orders held, created in the Source once the group syncs again (shopsyncctl orders --state held)\n";
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

// A one-way Destination's buffer, share and location sum, one line each.
void print_level_controls(element r) {
  for (auto l : r["levels"].get_array()) {
    auto rule = l["rule"];
    auto sum = l["sum_of"];
    if (rule.error() && sum.error())
      continue;
    std::cout << field(l, "store") << " at " << field(l, "location") << ": follows " << field(l, "follows");
    if (!sum.error()) {
      std::string names;
      for (auto n : sum.get_array())
        names += (names.empty() ? "" : " + ") + text(n);
      std::cout << " (" << names << ")";
    }
    if (!rule.error())
      std::cout << ", shows floor(max(0, that - " << field(rule.value(), "buffer") << ") x "
                << field(rule.value(), "percent") << "%)";
    std::cout << '\n';
  }
}

// When a level held its known value: "2026-12-05T06:40:01Z" (UTC), "+-1s" after it when a
// write's createdAt told it, "unknown" when no time is known.
std::string known_at_text(element l) {
  element at;
  if (l["known_at"].get(at) || !at.is_string())
    return "unknown";
  auto out = text(at);
  if (field(l, "known_at_within_s") != "-")
    out += " +-" + field(l, "known_at_within_s") + "s";
  return out;
}

void print_item(element r) {
  std::cout << field(r, "group") << " " << field(r, "identity") << " (" << field(r, "mode") << ")"
            << (field(r, "paused") == "yes" ? ", paused" : "") << "\n\n";
  table t{{"STORE", "LOCATION", "KNOWN", "KNOWN AT", "IN FLIGHT", "PENDING TARGET", "PENDING DELTA", "DIRTY", "HELD",
           "BLOCKED"}};
  for (auto l : r["levels"].get_array()) {
    // A value taken from a webhook its time could not order, or beside one set aside: read soon.
    auto known = field(l, "known") + (field(l, "unverified") == "yes" ? " (to verify)" : "");
    t.push_back({field(l, "store"), field(l, "location"), known, known_at_text(l), field(l, "in_flight"),
                 field(l, "pending_target"), field(l, "pending_delta"), field(l, "dirty"), field(l, "held"),
                 field(l, "blocked")});
  }
  print_table(t);
  print_level_controls(r);
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
  table t{{"GROUP", "STORE", "KIND", "ID", "ORDER", "STATE", "FOUND BY", "SOURCE ID", "ATTEMPTS", "UNMAPPED",
           "LAST ERROR", "RECEIVED", "REASON"}};
  for (auto o : r["orders"].get_array())
    t.push_back({field(o, "group"), field(o, "store"), field(o, "kind"), field(o, "id"), field(o, "order"),
                 field(o, "state"), field(o, "found_by"), field(o, "source_id"), field(o, "attempts"),
                 std::to_string(simdjson::dom::array(o["unmapped"]).size()), field(o, "last_error"),
                 field(o, "received_at"), field(o, "reason")});
  if (t.size() == 1) {
    std::cout << "no orders\n";
    return;
  }
  print_table(t);
}

// "120 identities mapped, 2 locations; 3 problems (2 duplicate, 1 missing_in_source); ..."
std::string summary_line(simdjson::simdjson_result<element> summary) {
  element s;
  if (summary.get(s))
    return "-";
  auto by_kind = [&s](const char* key, const char* what) {
    std::uint64_t total = 0;
    std::string parts;
    for (auto [kind, n] : s[key].get_object()) {
      total += uint64_t(n);
      parts += (parts.empty() ? "" : ", ") + text(n) + " " + std::string(kind);
    }
    return std::to_string(total) + " " + what + (parts.empty() ? "" : " (" + parts + ")");
  };
  auto locations = field(s, "locations");
  return field(s, "mapped") + " identities mapped at " + locations + (locations == "1" ? " location; " : " locations; ") +
         by_kind("problems", "problems") + "; " + by_kind("location_problems", "location problems") + "; " +
         by_kind("unstocked", "levels not stocked");
}

// The merchant's controls of a group: how identifiers are normalised, what the filter excludes,
// the buffers and shares, the location sums.
void print_controls(element g) {
  auto c = g["controls"];
  if (c.error())
    return;
  auto names = [](element a) {
    std::string out;
    for (auto v : a.get_array())
      out += (out.empty() ? "" : ", ") + text(v);
    return out;
  };
  auto ids = c["identifiers"];
  if (bool(ids["case_fold"]) || !field(ids.value(), "strip_prefix").empty())
    std::cout << "identifiers: trimmed" << (bool(ids["case_fold"]) ? ", case-folded" : "")
              << (field(ids.value(), "strip_prefix").empty() ? std::string()
                                                              : ", prefix \"" + field(ids.value(), "strip_prefix") + "\" stripped")
              << '\n';
  for (auto k : {"include_tags", "exclude_tags", "include_vendors", "exclude_vendors", "include_product_types",
                 "exclude_product_types"})
    if (auto l = names(c["filter"][k]); !l.empty())
      std::cout << "filter " << k << ": " << l << '\n';
  for (auto a : c["allocation"].get_array())
    std::cout << "allocation " << field(a, "store") << (field(a, "tag").empty() ? "" : " tag " + field(a, "tag"))
              << ": shows floor(max(0, Source - " << field(a, "buffer") << ") x " << field(a, "percent") << "%)\n";
  for (auto s : c["location_sums"].get_array())
    std::cout << "location sum " << field(s, "store") << " " << field(s, "destination") << " = "
              << names(s["sources"]) << '\n';
  if (auto n = field(g, "excluded_count"); n != "-" && n != "0") {
    std::cout << n << " identities excluded by the filter (not synced, not problems):";
    for (auto k : g["excluded"].get_array())
      std::cout << ' ' << text(k);
    std::cout << '\n';
  }
}

// `plan`: per group, per store the levels that would change, then the biggest.
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
    if (field(g, "held_because") != "-")
      std::cout << "why: " << field(g, "held_because") << '\n';
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

// `undo`: the deltas that reverse shopsync's writes since a time.
void print_undo(element r) {
  bool applied = field(r, "applied") == "yes";
  std::cout << "undo of group " << field(r, "group") << " since " << field(r, "since") << ": " << field(r, "levels")
            << " levels" << (applied ? ", sent" : " (a plan: nothing written; --apply sends it)") << "\n";
  if (field(r, "held_because") != "-")
    std::cout << "group " << field(r, "group") << " is now " << field(r, "state") << ": " << field(r, "held_because")
              << "\n  then: shopsyncctl approve " << field(r, "group") << " (follow the Source again)"
              << "    or: shopsyncctl discard " << field(r, "group") << " (read every level, plan again)\n";
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
    std::cout << "group " << field(g, "group") << " (" << field(g, "mode") << "): " << summary_line(g["summary"])
              << '\n';
    table t{{"PROBLEM", "IDENTITY / LOCATION", "STORE", "VARIANTS"}};
    for (auto p : g["problems"].get_array()) {
      std::string vs;
      for (auto v : p["variants"].get_array())
        vs += (vs.empty() ? "" : ",") + text(v);
      t.push_back({field(p, "kind"), field(p, "identity"), field(p, "store"), vs});
    }
    for (auto p : g["location_problems"].get_array())
      t.push_back({std::string("location ") + field(p, "kind"), field(p, "location"), field(p, "store"), ""});
    if (auto u = g["unstocked"]; !u.error())
      for (auto p : u.get_array())
        t.push_back({std::string(field(p, "state")) + " at " + field(p, "location"), field(p, "identity"),
                     field(p, "store"), ""});
    if (auto w = g["two_writers"]; !w.error())
      for (auto p : w.get_array())
        t.push_back({"two writers at " + field(p, "location") + " (" + field(p, "fights") + " times: shopsync " +
                       field(p, "shopsync_value") + ", other " + field(p, "other_value") + ")",
                     field(p, "identity"), field(p, "store"), ""});
    if (t.size() > 1)
      print_table(t);
    print_controls(g);
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

// `order`: one order, its lines and its audit trail.
void print_order(element r) {
  std::cout << field(r, "order") << " (" << field(r, "kind") << " " << field(r, "id") << " of " << field(r, "store")
            << ", group " << field(r, "group") << "): " << field(r, "state") << '\n';
  std::cout << "  received " << field(r, "received_at") << " (found by " << field(r, "found_by") << "), attempts "
            << field(r, "attempts") << '\n';
  std::cout << "  in the Source: " << field(r, "target") << " " << field(r, "source_id") << '\n';
  for (auto key : {"last_error", "reason"})
    if (auto v = field(r, key); v != "-" && !v.empty())
      std::cout << "  " << key << ": " << v << '\n';
  std::cout << '\n';
  table lines{{"LINE", "SKU", "TITLE", "QUANTITY", "PRICE", "SOURCE VARIANT"}};
  for (auto l : r["lines"].get_array())
    lines.push_back({field(l, "line_id"), field(l, "sku"), field(l, "title"), field(l, "quantity"), field(l, "price"),
                     field(l, "source_variant_id")});
  print_table(lines);
  table unmapped{{"UNMAPPED LINE", "SKU", "TITLE", "QUANTITY", "REASON"}};
  for (auto u : r["unmapped"].get_array())
    unmapped.push_back({field(u, "line_id"), field(u, "sku"), field(u, "title"), field(u, "quantity"),
                        field(u, "reason")});
  if (unmapped.size() > 1) {
    std::cout << '\n';
    print_table(unmapped);
  }
  std::cout << '\n';
  print_audit(r["audit"].value());
}

// The answers that are one sentence.
void print_ping(element) { std::cout << "shopsyncd answers\n"; }

std::string group_list(element r) {
  std::string out;
  if (auto g = r["groups"]; !g.error())
    for (auto name : g.get_array())
      out += (out.empty() ? "" : ", ") + text(name);
  return out.empty() ? "no group" : out;
}

void print_pause(element r) {
  if (bool(r["paused"]))
    std::cout << "paused: " << group_list(r) << " (outgoing inventory writes held; inputs are kept)\n";
  else
    std::cout << "resumed: " << group_list(r) << " (held writes are sent)\n";
}

void print_started(element r) {
  if (auto w = r["would_import"]; !w.error()) {
    std::cout << "group " << field(r, "group") << ": " << text(w.value()) << " orders created since "
              << field(r, "since") << " would be imported (a dry run: --apply imports them)\n";
    return;
  }
  if (auto i = r["import"]; !i.error()) {
    std::cout << "group " << field(r, "group") << ": importing the orders created since " << field(r, "since")
              << '\n';
    return;
  }
  if (auto g = r["resync"]; !g.error()) {
    std::cout << "reading the catalogs again: " << group_list(r) << '\n';
    return;
  }
  if (auto o = r["orders"]; !o.error() && bool(o.value())) {
    std::cout << "order reconcile round started\n";
    return;
  }
  std::cout << "reconcile round started: " << group_list(r) << '\n';
}

void print_retry(element r) {
  std::cout << "order " << field(r, "id") << " of " << field(r, "store") << ": " << field(r, "state") << '\n';
}

void print_backup(element r) { std::cout << "backup written to " << field(r, "backup") << '\n'; }

void print_log_level(element r) { std::cout << "log level: " << field(r, "log_level") << '\n'; }

constexpr const char* exit_codes_help =
  "Exit codes, the same for every command:\n"
  "  0  done (a check passed)\n"
  "  1  the daemon answered no: unknown group, store, order or identity; request refused;\n"
  "     a check failed (doctor)\n"
  "  2  nothing asked: usage error, or the daemon unreachable (not running, access denied,\n"
  "     no answer in time)\n"
  "--json (anywhere on the line): the daemon's reply as one JSON document on stdout; an error\n"
  "as {\"error\": {\"kind\": ..., \"code\": ..., \"message\": ...}} on stdout too.\n"
  "Orders: by name ('#1001', quoted for the shell, or 1001) or by id, with the store when the\n"
  "name is in several.";

// The daemon has its own working directory: a relative path means the caller's.
std::string absolute_path(const std::string& p) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(p, ec);
  return ec ? p : abs.lexically_normal().string();
}

} // namespace

int main(int argc, char** argv) {
  // --json also decides how a usage error is printed: look for it before parsing.
  bool json = false;
  for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i)
    json = json || std::string_view(argv[i]) == "--json";
  CLI::App app{"shopsyncctl: ask a running shopsyncd"};
  app.footer(exit_codes_help);
  app.fallthrough(); // --json and --socket after the command too
  std::string socket = "/run/shopsync/control.sock";
  app.add_option("-s,--socket", socket, "control socket of the daemon")->envname("SHOPSYNC_SOCKET");
  app.add_flag("--json", json, "print the daemon's raw JSON reply (errors as JSON too); anywhere on the line");
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
  std::uint64_t since = 0, limit = 50;
  std::vector<std::string> order_ref; // [store] <#name | id>
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
  audit->add_option("--item", item, "one identity (sku:…) or order ('#1001', 1001 or store/id)");
  audit->add_option("--store", store, "with --item '#1001': the Destination store whose order it is");
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
    s->add_option("order", order_ref,
                  "[store] and the Destination order's name ('#1001' or 1001) or id (order or draft order)")
      ->required()
      ->expected(1, 2)
      ->type_name("[STORE] NAME|ID");
  }
  auto* inbox = sub("inbox", "signed webhook deliveries kept aside because their content could not be used");
  inbox->add_flag("--unusable", unusable, "list them (the only listing so far; required)")->required();
  inbox->add_option("--show", show, "one of them by ID, with its headers and body");
  inbox->add_option("--limit", limit, "at most this many (newest)");
  auto* backup = sub("backup", "consistent copy of all the daemon's data (RocksDB checkpoint); default: a new "
                                "folder in <data_dir>/backups (restore: shopsyncd --restore-from DIR)");
  backup->add_option("--to,dir", dir, "a directory that does not exist yet (the daemon writes it: under "
                                      "systemd only below its state directory)");
  std::string webhook_store;
  bool check_now = false;
  auto* webhooks = sub("webhooks", "each store's webhook topics: wanted vs subscribed, and missing access scopes");
  webhooks->add_option("store", webhook_store, "one store (by its name)");
  webhooks->add_flag("--check", check_now, "check the subscriptions and scopes now (the answer may predate it)");
  sub("doctor", "check every store, one line per check, in the order to fix them; exit 1 when one fails");
  // Plan, approve, discard.
  bool plan_csv = false;
  std::string plan_id;
  auto* plan = sub("plan", "the writes a held group would make (planned or tripped): per store, then the biggest");
  plan->add_option("group", group, "one sync group (default: every held group)");
  plan->add_flag("--csv", plan_csv, "every level that would change, as CSV");
  auto* approve = sub("approve", "send a planned or tripped group's writes and let it sync (orders held meanwhile "
                                 "are created in the Source, once)");
  approve->add_option("group", group, "sync group")->required();
  approve->add_option("--plan", plan_id, "only if the plan is still this one (its id from `plan`)");
  auto* discard = sub("discard", "drop a planned or tripped group's writes; its levels are read again for a new plan "
                                 "(held orders stay held until approve)");
  discard->add_option("group", group, "sync group")->required();
  std::string undo_since, undo_store;
  bool undo_apply = false, undo_dry = false;
  auto* undo = sub("undo", "reverse shopsync's own writes to a group's levels since a time, as deltas (later sales "
                           "still count); a plan unless --apply");
  undo->add_option("group", group, "sync group")->required();
  undo->add_option("--since", undo_since, "ISO-8601 time (2026-12-04T21:00:00Z) or unix seconds")->required();
  undo->add_option("--store", undo_store, "only this store's levels");
  auto* apply_flag = undo->add_flag("--apply", undo_apply,
                                    "send the reversing writes, each audited `undone`; a one-way group is then held "
                                    "(planned) so its Destinations keep the restored levels until you approve "
                                    "(follow the Source again) or discard");
  undo->add_flag("--dry-run", undo_dry, "only show them (the default)")->excludes(apply_flag);
  auto* loglevel = sub("log-level", "change the daemon's log level");
  loglevel->add_option("level", level, "trace|debug|info|warn|error|critical|off")
    ->required()
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0 || !json) // --help, --version; or a usage error as text
      return app.exit(e) == 0 ? 0 : exit_code_of(control_error_kind::usage);
    std::cout << control_error_json(control_error_kind::usage, "usage", e.what()) << '\n';
    return exit_code_of(control_error_kind::usage);
  }
  if (order_ref.size() == 2)
    store = order_ref[0];
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
  if (!store.empty()) args.field("store", store);
  if (!order_ref.empty()) args.field("order", order_ref.back());
  if (!dir.empty()) args.field("dir", absolute_path(dir));
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
  if (cmd == "ping") printer = print_ping;
  if (cmd == "pause" || cmd == "resume") printer = print_pause;
  if (cmd == "resync" || cmd == "reconcile" || cmd == "import-orders") printer = print_started;
  if (cmd == "order") printer = print_order;
  if (cmd == "retry") printer = print_retry;
  if (cmd == "backup") printer = print_backup;
  if (cmd == "log-level") printer = print_log_level;
  if (cmd == "plan") printer = plan_csv ? print_plan_csv : print_plan;
  if (cmd == "undo") printer = print_undo;
  if (cmd == "approve") printer = print_approve;
  if (cmd == "discard") printer = print_discard;

  auto reply = cmd == "doctor" ? control_call(socket, cmd, args.str(), std::chrono::seconds(60))
                                : control_call(socket, cmd, args.str());
  // Every failure leaves here: as text on stderr, or under --json as JSON on stdout.
  auto failure = [json](control_error_kind kind, const std::string& code, const std::string& message) {
    if (json)
      std::cout << control_error_json(kind, code, message) << '\n';
    else
      std::fprintf(stderr, "shopsyncctl: %s\n", message.c_str());
    return exit_code_of(kind);
  };
  if (!reply)
    return failure(classify_control_error(reply.error()), reply.error().code, reply.error().message);
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(*reply).get(root))
    return failure(control_error_kind::bad_reply, "bad_reply", "unreadable reply from the daemon");
  if (json) {
    std::cout << *reply << '\n';
    bool passed = true;
    if (cmd == "doctor" && root.is_object() && !root["passed"].get(passed) && !passed)
      return exit_code_of(control_error_kind::failed);
    return 0;
  }
  try {
    printer(root);
    if (doctor_failed)
      return exit_code_of(control_error_kind::failed);
  } catch (const simdjson::simdjson_error& e) {
    return failure(control_error_kind::bad_reply, "bad_reply",
                   std::string("unexpected reply from the daemon (") + e.what() + "); try --json");
  }
  return 0;
}
