#include "actors/control.hpp"

#include "io/control_protocol.hpp"
#include "io/json_writer.hpp"

namespace shopsync {

std::string status_json(const daemon_facts& facts, std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  json_writer w;
  w.begin_object();
  w.field("version", facts.version);
  w.field("uptime_s", static_cast<std::int64_t>(duration_cast<seconds>(now - facts.started).count()));
  w.field("started_at", static_cast<std::int64_t>(duration_cast<seconds>(facts.started.time_since_epoch()).count()));
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

control_actor::behavior_type control(control_actor::stateful_pointer<control_state> self, daemon_facts facts) {
  self->state.facts = std::move(facts);
  return {
    [=](control_atom, const std::string& cmd, const std::string& /*args*/) -> std::string {
      if (cmd == "ping")
        return control_ok(R"({"pong":true})");
      if (cmd == "status")
        return control_ok(status_json(self->state.facts, std::chrono::system_clock::now()));
      return control_error("unknown_command", "unknown command '" + cmd + "'");
    },
  };
}

} // namespace shopsync
