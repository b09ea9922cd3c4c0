#include "actors/guard_control.hpp"

#include "actors/group_guard.hpp"
#include "actors/messages.hpp"
#include "domain/order_sync_state.hpp"
#include "domain/undo_plan.hpp"
#include "io/control_protocol.hpp"
#include "io/json_writer.hpp"
#include "domain/iso8601.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

namespace shopsync {

namespace {

std::vector<std::string> store_order(const group_config& g) {
  std::vector<std::string> order = g.destinations;
  order.push_back(g.source);
  return order;
}

void write_group_plan(json_writer& w, const sync_context& ctx, const group_config& g, std::size_t biggest = 10) {
  auto& guards = *ctx.guards;
  auto writes = guards.plan_writes(g.name);
  auto plan = summarize_plan(writes, store_order(g), biggest);
  w.begin_object().field("group", g.name).field("state", to_string(guards.state(g.name)));
  w.field("plan_id", plan.id).field("changes", plan.changes);
  w.field("identities", static_cast<std::uint64_t>(guards.identities_reporting(g.name)));
  const auto facts = guards.record(g.name);
  if (facts.state != group_state::syncing) {
    // Why, and since when: persisted, so still told after a restart.
    w.field("reason", to_string(facts.reason)).field("held_because", guards.held_because(g.name));
    if (facts.since_s)
      w.field("held_since", iso8601_utc(facts.since_s));
    if (facts.reason == hold_reason::undone)
      w.field("undone_from", iso8601_utc(facts.undone_from_s));
  }
  if (auto t = guards.trip(g.name)) {
    w.key("trip").begin_object().field("store", t->store).field("drops", t->drops);
    w.field("allowance", t->allowance).field("mapped", t->mapped);
    if (facts.trip && facts.since_s && facts.reason == hold_reason::breaker)
      w.field("at", iso8601_utc(facts.since_s));
    w.end_object();
  }
  w.key("stores").begin_array();
  for (auto& s : plan.stores) {
    w.begin_object().field("store", s.store).field("changes", s.changes).field("up", s.up);
    w.field("down", s.down).field("to_zero", s.to_zero);
    w.key("biggest").begin_array();
    for (auto& b : s.biggest)
      w.begin_object().field("identity", b.identity).field("location", b.location).field("before", b.before)
        .field("after", b.after).end_object();
    w.end_array().end_object();
  }
  w.end_array().end_object();
}

const group_config* held_group(const sync_context& ctx, const std::string& group, std::string& error_line) {
  auto* g = ctx.cfg.find_group(group);
  if (!g) {
    error_line = control_error("not_found", "no sync group '" + group + "'");
    return nullptr;
  }
  if (!ctx.guards || !ctx.guards->holds(group)) {
    error_line = control_error("bad_request", "group '" + group + "' is syncing: nothing waits for approval");
    return nullptr;
  }
  return g;
}

} // namespace

std::string plan_reply(const sync_context& ctx, const std::string& group, std::size_t biggest) {
  if (!group.empty() && !ctx.cfg.find_group(group))
    return control_error("not_found", "no sync group '" + group + "'");
  if (!ctx.guards)
    return control_ok("[]");
  json_writer w;
  w.begin_array();
  for (auto& g : ctx.cfg.groups)
    if (group == g.name || (group.empty() && ctx.guards->holds(g.name)))
      write_group_plan(w, ctx, g, biggest);
  w.end_array();
  return control_ok(std::move(w).str());
}

std::string approve_reply(const sync_context& ctx, const router_actor& router, const std::string& group,
                          const std::string& plan_id) {
  std::string err;
  auto* g = held_group(ctx, group, err);
  if (!g)
    return err;
  auto now = plan_digest(ctx.guards->plan_writes(group));
  if (!plan_id.empty() && plan_id != now)
    return control_error("stale_plan", "the plan changed since " + plan_id + " (levels changed meanwhile): it is now " +
                                         now + "; review it with `shopsyncctl plan " + group +
                                         "` and approve that one. Nothing was written.");
  json_writer w;
  w.begin_object().field("approved", group).field("was", to_string(ctx.guards->state(group)));
  w.key("plan");
  write_group_plan(w, ctx, *g);
  w.end_object();
  ctx.guards->approve(group);
  caf::anon_send(router, guard_atom::value, group, std::string("approve"));
  return control_ok(std::move(w).str());
}

std::string discard_reply(const sync_context& ctx, const router_actor& router, const std::string& group) {
  std::string err;
  if (!held_group(ctx, group, err))
    return err;
  json_writer w;
  w.begin_object().field("discarded", group).field("was", to_string(ctx.guards->state(group)));
  ctx.guards->discard(group);
  caf::anon_send(router, guard_atom::value, group, std::string("discard"));
  w.field("state", to_string(ctx.guards->state(group))).end_object();
  return control_ok(std::move(w).str());
}

std::string undo_reply(const sync_context& ctx, const router_actor& router, const std::string& group,
                       const std::string& since, const std::string& store, bool apply) {
  auto* g = ctx.cfg.find_group(group);
  if (!g)
    return control_error("not_found", "no sync group '" + group + "'");
  if (!store.empty() && store != g->source &&
      std::find(g->destinations.begin(), g->destinations.end(), store) == g->destinations.end())
    return control_error("not_found", "store '" + store + "' is not in group '" + group + "'");
  std::optional<std::int64_t> t;
  if (!since.empty() && std::all_of(since.begin(), since.end(), [](unsigned char c) { return std::isdigit(c); }))
    t = std::stoll(since);
  else
    t = parse_iso8601_seconds(since);
  if (!t)
    return control_error("bad_request", "undo needs --since <time>: ISO-8601 (2026-12-04T21:00:00Z) or unix seconds");
  audit_query q;
  q.since = std::chrono::system_clock::time_point(std::chrono::seconds(*t));
  q.limit = std::size_t{1} << 40;
  auto rows = ctx.audit->query(q);
  if (!rows)
    return control_error("storage", rows.error().message);
  std::vector<own_change> mine;
  simdjson::dom::parser parser;
  for (auto& row : *rows) {
    simdjson::dom::element e;
    if (parser.parse(row).get(e))
      continue;
    std::string_view grp, kind, subject, st;
    if (e["group"].get_string().get(grp) || grp != group || e["kind"].get_string().get(kind) ||
        e["subject"].get_string().get(subject) || e["store"].get_string().get(st))
      continue;
    auto opt = [&](const char* k) -> std::optional<std::int64_t> {
      std::int64_t v;
      if (e[k].get_int64().get(v))
        return std::nullopt;
      return v;
    };
    std::uint64_t location = 0;
    if (e["location"].get_uint64().get(location))
      continue;
    if (auto c = own_change_of(std::string(kind), opt("before"), opt("after"), opt("delta").value_or(0)))
      mine.push_back({std::string(subject), std::string(st), location, *c});
  }
  auto writes = plan_undo(mine, store);
  // A one-way Destination follows its Source: the next alignment would set it straight back.
  // So the group is held first (planned, saying why) and the items paused before any undo
  // reaches them (the router keeps this order); the undo's adjusts still go out (they are the
  // merchant's order), the sets to the Source's values wait for approve or discard.
  const bool hold = apply && g->strategy != sync_strategy::two_way && !writes.empty() && ctx.guards;
  if (apply && g->strategy != sync_strategy::two_way && !ctx.guards)
    return control_error("bad_request", "undo --apply in a " + std::string(to_string(g->strategy)) +
                                          " group needs the group guard (its Destinations would follow the Source "
                                          "straight back)");
  if (hold) {
    ctx.guards->hold_after_undo(group, *t);
    caf::anon_send(router, guard_atom::value, group, std::string("hold"));
  }
  const auto cause = "undo since " + iso8601_utc(*t);
  json_writer w;
  w.begin_object().field("group", group).field("since", iso8601_utc(*t)).field("applied", apply);
  if (hold)
    w.field("state", to_string(ctx.guards->state(group))).field("held_because", ctx.guards->held_because(group));
  w.field("levels", static_cast<std::uint64_t>(writes.size()));
  w.key("writes").begin_array();
  for (auto& x : writes) {
    w.begin_object().field("identity", x.identity).field("store", x.store);
    w.field("location", ctx.guards ? ctx.guards->location_name(group, x.store, x.location) : std::to_string(x.location));
    w.field("delta", x.delta).field("changes", x.changes).end_object();
    if (apply)
      caf::anon_send(router, undo_atom::value, group, x.identity, x.store, x.location, x.delta, cause);
  }
  w.end_array().end_object();
  return control_ok(std::move(w).str());
}

std::string with_two_writers(std::string group_json, const sync_context& ctx, const std::string& group) {
  if (!ctx.guards || group_json.empty() || group_json.back() != '}')
    return group_json;
  auto found = ctx.guards->two_writers(group);
  if (found.empty())
    return group_json;
  json_writer w;
  w.begin_array();
  for (auto& f : found)
    w.begin_object().field("identity", f.identity).field("store", f.store).field("location", f.location)
      .field("fights", f.numbers.total_fights).field("shopsync_value", f.numbers.ours)
      .field("other_value", f.numbers.theirs).end_object();
  w.end_array();
  group_json.pop_back();
  return group_json + ",\"two_writers\":" + std::move(w).str() + "}";
}

} // namespace shopsync
