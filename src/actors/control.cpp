#include "actors/control.hpp"

#include "actors/guard_control.hpp"
#include "actors/group_guard.hpp"
#include "actors/order_path.hpp"
#include "actors/order_queries.hpp"
#include "domain/group_state.hpp"
#include "io/backup.hpp"
#include "domain/doctor_report.hpp"
#include "io/doctor_probe.hpp"
#include "io/control_protocol.hpp"
#include "io/json_writer.hpp"
#include "io/logging.hpp"
#include "io/unusable_report.hpp"
#include "io/oauth_callback.hpp"

#include <simdjson.h>

namespace shopsync {

namespace {

using self_ptr = control_actor::stateful_pointer<control_state>;

// The command's arguments: a flat JSON object of strings, numbers and booleans.
struct args {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
  explicit args(const std::string& json) { ok = !parser.parse(json).get(root) && root.is_object(); }
  std::string str(const char* key, std::string fallback = "") const {
    std::string_view v;
    if (ok && !root[key].get_string().get(v))
      return std::string(v);
    return fallback;
  }
  std::optional<std::uint64_t> num(const char* key) const {
    std::uint64_t u;
    if (ok && !root[key].get_uint64().get(u))
      return u;
    std::string_view s;
    if (ok && !root[key].get_string().get(s)) {
      try {
        return std::stoull(std::string(s));
      } catch (...) {
      }
    }
    return std::nullopt;
  }
  bool flag(const char* key) const {
    bool b = false;
    return ok && !root[key].get_bool().get(b) && b;
  }
};

// `shopsyncctl webhooks [store]`: every keeper's view (or one store's), in configuration order.
caf::result<std::string> webhooks_reply(self_ptr self, const sync_context& ctx, const std::string& store) {
  std::vector<std::pair<std::string, subscription_keeper_actor>> keepers;
  for (auto& s : ctx.cfg.stores)
    if (store.empty() || s.name == store)
      if (auto it = ctx.keepers.find(s.name); it != ctx.keepers.end())
        keepers.emplace_back(s.name, it->second);
  if (keepers.empty())
    return control_error("not_found", store.empty() ? "no store is configured" : "unknown store '" + store + "'");
  auto rp = self->make_response_promise<std::string>();
  auto acc = std::make_shared<std::vector<std::string>>(keepers.size());
  auto left = std::make_shared<std::size_t>(keepers.size());
  for (std::size_t i = 0; i < keepers.size(); ++i)
    self->request(keepers[i].second, std::chrono::seconds(10), webhooks_atom::value)
      .then(
        [rp, acc, left, i](const std::string& json) mutable {
          (*acc)[i] = json;
          if (--*left == 0) {
            std::string out = "[";
            for (std::size_t k = 0; k < acc->size(); ++k)
              out += (k ? "," : "") + (*acc)[k];
            rp.deliver(control_ok(out + "]"));
          }
        },
        [rp](const caf::error& e) mutable { rp.deliver(control_error("internal", caf::to_string(e))); });
  return rp;
}

// `shopsyncctl backup [--to DIR]`: every store of the daemon in one checkpoint, with its marker.
std::string backup_reply(const sync_context& ctx, const daemon_facts& facts, std::string dir) {
  if (!dir.empty() && dir[0] != '/')
    return control_error("bad_request", "backup needs an absolute directory that does not exist yet");
  auto now = std::chrono::system_clock::now();
  if (dir.empty())
    dir = default_backup_dir(ctx.cfg.daemon.data_dir, now);
  if (auto st = make_backup(*ctx.store, dir, ctx.cfg.daemon.data_dir, facts.version, now); !st)
    return control_error(st.error().kind == error_kind::backup_exists ? "bad_request" : "storage", st.error().message);
  json_writer w;
  w.begin_object().field("backup", dir).end_object();
  return control_ok(w.str());
}

std::string doctor_json(const std::vector<doctor_line>& lines) {
  json_writer w;
  w.begin_object().field("passed", doctor_passed(lines)).field("text", render_doctor(lines));
  w.key("lines").begin_array();
  for (auto& l : lines)
    w.begin_object().field("store", l.store).field("check", l.check).field("status", to_string(l.status))
      .field("detail", l.detail).end_object();
  w.end_array().end_object();
  return std::move(w).str();
}

// `shopsyncctl doctor`: the probes block on the network, so they run in a detached actor.
caf::result<std::string> doctor_reply(self_ptr self, const config& cfg, state_store* db) {
  auto rp = self->make_response_promise<std::string>();
  auto worker = self->spawn<caf::detached>([cfg, db](caf::event_based_actor*) -> caf::behavior {
    return {[cfg, db](control_atom) -> std::string {
      return doctor_json(doctor_report(cfg, probe_stores(cfg, std::chrono::seconds(8), db), true));
    }};
  });
  self->request(worker, std::chrono::seconds(55), control_atom::value)
    .then(
      [rp, worker, self](const std::string& json) mutable {
        self->send_exit(worker, caf::exit_reason::user_shutdown);
        rp.deliver(control_ok(json));
      },
      [rp, worker, self](const caf::error& e) mutable {
        self->send_exit(worker, caf::exit_reason::user_shutdown);
        rp.deliver(control_error("internal", "doctor: " + caf::to_string(e)));
      });
  return rp;
}

// --- names the operator gives: a group or store the configuration does not have is refused,
// naming those that exist (never a silent success).

std::string names_of(const std::vector<std::string>& names) {
  std::string out;
  for (auto& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

// nullopt: `group` is empty (every group) or configured; else the error reply.
std::optional<std::string> unknown_group(const config& cfg, const std::string& group) {
  if (group.empty() || cfg.find_group(group))
    return std::nullopt;
  std::vector<std::string> names;
  for (auto& g : cfg.groups)
    names.push_back(g.name);
  return control_error("not_found", "no sync group '" + group + "' (sync groups: " + names_of(names) + ")");
}

std::optional<std::string> unknown_store(const config& cfg, const std::string& store) {
  if (store.empty() || cfg.find_store(store))
    return std::nullopt;
  std::vector<std::string> names;
  for (auto& s : cfg.stores)
    names.push_back(s.name);
  return control_error("not_found", "no store '" + store + "' (stores: " + names_of(names) + ")");
}

// The groups a command given `group` ("" = all) applies to, as a JSON array of names.
std::string groups_array(const config& cfg, const std::string& group) {
  json_writer w;
  w.begin_array();
  for (auto& g : cfg.groups)
    if (group.empty() || g.name == group)
      w.value(g.name);
  w.end_array();
  return std::move(w).str();
}

// `audit --item '#1001'` (or 1001): an order by its name, as `order` finds it, is the audit
// subject "<store>/<id>"; any other item (sku:..., store/id) is the subject as given.
result<std::string> audit_order_subject(const state_store& store, const std::string& item,
                                        const std::string& in_store) {
  if (item.empty() || (item[0] != '#' && item.find_first_not_of("0123456789") != std::string::npos))
    return item;
  json_writer w;
  w.begin_object().field("order", item);
  if (!in_store.empty())
    w.field("store", in_store);
  w.end_object();
  auto ref = resolve_order_ref(store, w.str());
  if (!ref)
    return ref.error();
  return order_subject(ref->first, ref->second);
}

// `shopsyncctl status`: the configuration, with each group's state (asked of the router) and
// each store's authorization (asked of its link). A part that does not answer in time is
// shown as unknown, not waited for.
caf::result<std::string> status_reply(self_ptr self) {
  auto& env = self->state.env;
  auto depth = env.inbox_depth ? env.inbox_depth() : 0;
  if (!env.ctx)
    return control_ok(status_json(env.facts, std::chrono::system_clock::now(), depth, {}, env.ctx));
  struct gather {
    status_live live;
    std::size_t left = 0;
  };
  auto g = std::make_shared<gather>();
  g->left = env.ctx->links.size() + 1;
  auto rp = self->make_response_promise<std::string>();
  auto done = [self, g, rp, depth]() mutable {
    if (--g->left == 0)
      rp.deliver(control_ok(
        status_json(self->state.env.facts, std::chrono::system_clock::now(), depth, g->live, self->state.env.ctx)));
  };
  self->request(env.router, std::chrono::seconds(5), pause_atom::value)
    .then(
      [g, done](const std::vector<std::string>& paused) mutable {
        for (auto& name : paused)
          g->live.groups[name].paused = true;
        done();
      },
      [done](const caf::error&) mutable { done(); });
  for (auto& [name, link] : env.ctx->links)
    self->request(link, std::chrono::seconds(5), link_status_atom::value)
      .then(
        [g, done, name = name](const store_link_status& s) mutable {
          g->live.unauthorized[name] = s.unauthorized;
          done();
        },
        [done](const caf::error&) mutable { done(); });
  return rp;
}

} // namespace

std::string status_json(const daemon_facts& facts, std::chrono::system_clock::time_point now,
                        std::uint64_t inbox_depth, const status_live& live, const sync_context* ctx) {
  using namespace std::chrono;
  json_writer w;
  w.begin_object();
  w.field("version", facts.version);
  w.field("uptime_s", static_cast<std::int64_t>(duration_cast<seconds>(now - facts.started).count()));
  w.field("started_at", static_cast<std::int64_t>(duration_cast<seconds>(facts.started.time_since_epoch()).count()));
  w.field("inbox_depth", inbox_depth);
  w.key("stores").begin_array();
  for (auto& s : facts.cfg.stores) {
    w.begin_object().field("store", s.name).field("shop_domain", s.shop_domain).field("role", to_string(s.role));
    w.field("api_version", s.api_version);
    w.key("unauthorized");
    if (auto it = live.unauthorized.find(s.name); it != live.unauthorized.end())
      w.value(it->second);
    else
      w.null(); // not known (the daemon is starting, or the link did not answer)
    w.end_object();
  }
  w.end_array();
  w.key("groups").begin_array();
  for (auto& g : facts.cfg.groups) {
    auto facts_it = live.groups.find(g.name);
    auto gf = facts_it == live.groups.end() ? group_facts{} : facts_it->second;
    if (ctx && ctx->guards && ctx->guards->holds(g.name)) { // a plan waits, or the breaker tripped
      const auto held = ctx->guards->state(g.name);
      gf.planned = held == guard_state::planned;
      gf.tripped = held == guard_state::tripped;
    }
    w.begin_object().field("group", g.name).field("state", to_string(state_of(gf)));
    if ((gf.planned || gf.tripped) && ctx && ctx->guards) // why, persisted across restarts
      w.field("held_because", ctx->guards->held_because(g.name));
    if (ctx && ctx->store && (g.strategy == sync_strategy::order || g.strategy == sync_strategy::draft_order))
      w.field("held_orders", static_cast<std::uint64_t>(count_held_orders(*ctx->store, g.name)));
    w.field("strategy", to_string(g.strategy));
    w.field("match_by", to_string(g.match_by)).field("source", g.source);
    w.key("destinations").begin_array();
    for (auto& d : g.destinations)
      w.value(d);
    w.end_array().end_object();
  }
  w.end_array();
  w.end_object();
  return std::move(w).str();
}

control_actor::behavior_type control(control_actor::stateful_pointer<control_state> self, control_env env) {
  self->state.env = std::move(env);
  return {
    [self](control_atom, const std::string& cmd, const std::string& args_json) -> caf::result<std::string> {
      auto& env = self->state.env;
      args a(args_json);
      if (cmd == "ping")
        return control_ok(R"({"pong":true})");
      if (cmd == "status")
        return status_reply(self);
      if (cmd == "log-level") {
        if (auto st = set_log_level(a.str("level")); !st)
          return control_error("bad_request", st.error().message);
        json_writer w;
        w.begin_object().field("log_level", a.str("level")).end_object();
        return control_ok(std::move(w).str());
      }
      // Every name the operator gives must exist (the CLI is not the only client).
      if (auto bad = unknown_group(env.facts.cfg, a.str("group")))
        return *bad;
      if (auto bad = unknown_store(env.facts.cfg, a.str("store")))
        return *bad;
      if (!env.ctx)
        return control_error("not_ready", "the daemon is starting");
      auto& ctx = *env.ctx;
      if (cmd == "stores") {
        // Ask every store link; gather the answers in configuration order.
        auto rp = self->make_response_promise<std::string>();
        auto n = ctx.links.size();
        auto acc = std::make_shared<std::map<std::string, std::string>>();
        if (n == 0)
          return control_ok("[]");
        for (auto& [name, link] : ctx.links) {
          self->request(link, std::chrono::seconds(10), link_status_atom::value)
            .then(
              [rp, acc, n, name = name](const store_link_status& s) mutable {
                (*acc)[name] = to_json(s);
                if (acc->size() == n) {
                  std::string out = "[";
                  bool first = true;
                  for (auto& [k, v] : *acc) {
                    out += (first ? "" : ",") + v;
                    first = false;
                  }
                  rp.deliver(control_ok(out + "]"));
                }
              },
              [rp](const caf::error& e) mutable { rp.deliver(control_error("internal", caf::to_string(e))); });
        }
        return rp;
      }
      if (cmd == "webhooks") {
        if (a.flag("check"))
          for (auto& [name, k] : ctx.keepers)
            if (a.str("store").empty() || a.str("store") == name)
              self->send(k, subs_check_atom::value, false);
        return webhooks_reply(self, ctx, a.str("store"));
      }
      if (cmd == "doctor")
        return doctor_reply(self, ctx.cfg, ctx.store);
      if (cmd == "mappings")
        return self->delegate(env.router, mapping_atom::value, a.str("group"), a.flag("problems"));
      if (cmd == "item")
        return self->delegate(env.router, view_atom::value, a.str("group"), a.str("identity"));
      if (cmd == "pause" || cmd == "resume") {
        self->send(env.router, pause_atom::value, a.str("group"), cmd == "pause");
        return control_ok(std::string(cmd == "pause" ? R"({"paused":true)" : R"({"paused":false)") +
                          ",\"groups\":" + groups_array(ctx.cfg, a.str("group")) + "}");
      }
      // Plans, approval, discard (actors/guard_control.hpp).
      if (cmd == "plan")
        return plan_reply(ctx, a.str("group"), a.num("biggest").value_or(10));
      if (cmd == "approve")
        return approve_reply(ctx, env.router, a.str("group"), a.str("plan"));
      if (cmd == "discard")
        return discard_reply(ctx, env.router, a.str("group"));
      if (cmd == "undo")
        return undo_reply(ctx, env.router, a.str("group"), a.str("since"), a.str("store"), a.flag("apply"));
      if (cmd == "resync") {
        self->send(env.router, resync_atom::value, a.str("group"));
        return control_ok(R"({"resync":"started","groups":)" + groups_array(ctx.cfg, a.str("group")) + "}");
      }
      if (cmd == "reconcile" && a.flag("orders"))
        return self->delegate(env.router, order_recon_atom::value, a.str("group"), std::string(R"({"action":"reconcile"})"));
      if (cmd == "import-orders") {
        if (a.str("group").empty() || a.str("since").empty())
          return control_error("bad_request", "import-orders needs a group and --since <ISO-8601 time>");
        json_writer w;
        w.begin_object().field("action", "import").field("since", a.str("since")).field("apply", a.flag("apply")).end_object();
        return self->delegate(env.router, order_recon_atom::value, a.str("group"), w.str());
      }
      if (cmd == "reconcile") {
        self->send(env.router, reconcile_atom::value, a.str("group"));
        return control_ok(R"({"reconcile":"started","groups":)" + groups_array(ctx.cfg, a.str("group")) + "}");
      }
      if (cmd == "connect") { // authorization code grant, step 1 (io/oauth_callback.hpp)
        auto url = begin_connect(*ctx.store, ctx.cfg, a.str("store"), std::chrono::system_clock::now());
        if (!url)
          return control_error("bad_request", url.error().message);
        json_writer w;
        w.begin_object().field("store", a.str("store")).field("url", *url).end_object();
        return control_ok(std::move(w).str());
      }
      if (cmd == "audit") {
        audit_query q;
        q.subject = a.str("item");
        if (auto order = audit_order_subject(*ctx.store, q.subject, a.str("store")); !order)
          return control_error(order.error().code, order.error().message);
        else
          q.subject = *order;
        if (auto since = a.num("since"))
          q.since = std::chrono::system_clock::time_point(std::chrono::seconds(*since));
        q.limit = a.num("limit").value_or(50);
        auto rows = ctx.audit->query(q);
        if (!rows)
          return control_error("storage", rows.error().message);
        std::string out = "[";
        for (std::size_t i = 0; i < rows->size(); ++i)
          out += (i ? "," : "") + name_audit_location((*rows)[i], *ctx.locations);
        return control_ok(out + "]");
      }
      if (cmd == "orders" || cmd == "order") {
        auto json = order_control_query(cmd, args_json, *ctx.store, ctx.audit);
        if (!json)
          return control_error(json.error().code, json.error().message);
        return control_ok(*json);
      }
      if (cmd == "retry") {
        auto ref = resolve_order_ref(*ctx.store, args_json);
        if (!ref)
          return control_error(ref.error().code, ref.error().message);
        return self->delegate(env.router, order_retry_atom::value, ref->first, std::uint64_t{ref->second});
      }
      if (cmd == "inbox") {
        // Only the unusable deliveries are listed: the rest is applied within seconds.
        auto json = a.num("show") ? unusable_delivery_json(*ctx.store, env.facts.cfg.stores, *a.num("show"))
                                  : unusable_list_json(*ctx.store, env.facts.cfg.stores, a.num("limit").value_or(50));
        if (!json)
          return control_error(json.error().kind == error_kind::not_found ? "not_found" : "storage", json.error().message);
        return control_ok(*json);
      }
      if (cmd == "backup") // io/backup.hpp; default: data_dir/backups/<time>
        return backup_reply(ctx, env.facts, a.str("dir"));
      return control_error("unknown_command", "unknown command '" + cmd + "'");
    },
  };
}

} // namespace shopsync
