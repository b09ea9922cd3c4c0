#include "actors/control.hpp"

#include "actors/order_queries.hpp"
#include "io/control_protocol.hpp"
#include "io/json_writer.hpp"
#include "io/logging.hpp"
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

} // namespace

std::string status_json(const daemon_facts& facts, std::chrono::system_clock::time_point now,
                        std::uint64_t inbox_depth) {
  using namespace std::chrono;
  json_writer w;
  w.begin_object();
  w.field("version", facts.version);
  w.field("uptime_s", static_cast<std::int64_t>(duration_cast<seconds>(now - facts.started).count()));
  w.field("started_at", static_cast<std::int64_t>(duration_cast<seconds>(facts.started.time_since_epoch()).count()));
  w.field("inbox_depth", inbox_depth);
  w.key("stores").begin_array();
  for (auto& s : facts.cfg.stores) {
    w.begin_object().field("name", s.name).field("shop_domain", s.shop_domain).field("role", to_string(s.role));
    w.field("api_version", s.api_version).end_object();
  }
  w.end_array();
  w.key("groups").begin_array();
  for (auto& g : facts.cfg.groups) {
    w.begin_object().field("name", g.name).field("strategy", to_string(g.strategy));
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
        return control_ok(status_json(env.facts, std::chrono::system_clock::now(),
                                      env.inbox_depth ? env.inbox_depth() : 0));
      if (cmd == "log-level") {
        if (auto st = set_log_level(a.str("level")); !st)
          return control_error("bad_request", st.error().message);
        return control_ok(R"({"ok":true})");
      }
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
      if (cmd == "mappings")
        return self->delegate(env.router, mapping_atom::value, a.str("group"), a.flag("problems"));
      if (cmd == "item")
        return self->delegate(env.router, view_atom::value, a.str("group"), a.str("identity"));
      if (cmd == "pause" || cmd == "resume") {
        self->send(env.router, pause_atom::value, a.str("group"), cmd == "pause");
        return control_ok(cmd == "pause" ? R"({"paused":true})" : R"({"paused":false})");
      }
      if (cmd == "resync") {
        self->send(env.router, resync_atom::value, a.str("group"));
        return control_ok(R"({"resync":"started"})");
      }
      if (cmd == "reconcile") {
        self->send(env.router, reconcile_atom::value, a.str("group"));
        return control_ok(R"({"reconcile":"started"})");
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
        if (auto since = a.num("since"))
          q.since = std::chrono::system_clock::time_point(std::chrono::seconds(*since));
        q.limit = a.num("limit").value_or(50);
        auto rows = ctx.audit->query(q);
        if (!rows)
          return control_error("storage", rows.error().message);
        std::string out = "[";
        for (std::size_t i = 0; i < rows->size(); ++i)
          out += (i ? "," : "") + (*rows)[i];
        return control_ok(out + "]");
      }
      if (cmd == "orders" || cmd == "order") {
        auto json = order_control_query(cmd, args_json, *ctx.store, ctx.audit);
        if (!json)
          return control_error(json.error().code, json.error().message);
        return control_ok(*json);
      }
      if (cmd == "retry") {
        auto ref = parse_order_ref(args_json);
        if (!ref)
          return control_error(ref.error().code, ref.error().message);
        return self->delegate(env.router, order_retry_atom::value, ref->first, std::uint64_t{ref->second});
      }
      if (cmd == "backup") {
        auto dir = a.str("dir");
        if (dir.empty() || dir[0] != '/')
          return control_error("bad_request", "backup needs an absolute directory that does not exist yet");
        if (auto st = ctx.store->checkpoint(dir); !st)
          return control_error("storage", st.error().message);
        json_writer w;
        w.begin_object().field("backup", dir).end_object();
        return control_ok(w.str());
      }
      return control_error("unknown_command", "unknown command '" + cmd + "'");
    },
  };
}

} // namespace shopsync
