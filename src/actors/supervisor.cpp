#include "actors/supervisor.hpp"

#include "io/control_protocol.hpp"

#include <spdlog/spdlog.h>

namespace shopsync {

namespace {

void spawn_control(supervisor_actor::stateful_pointer<supervisor_state> self) {
  self->state.control = self->spawn(control, self->state.facts);
  self->monitor(self->state.control);
}

} // namespace

supervisor_actor::behavior_type supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
                                           daemon_facts facts) {
  self->state.facts = std::move(facts);
  spawn_control(self);
  self->set_down_handler([=](const caf::down_msg& msg) {
    if (msg.source == self->state.control.address()) {
      if (msg.reason && msg.reason != caf::exit_reason::user_shutdown) {
        spdlog::error("supervisor: control actor died ({}), restarting", caf::to_string(msg.reason));
        spawn_control(self);
      }
    }
  });
  return {
    [=](control_atom atm, const std::string& cmd, const std::string& args) {
      return self->delegate(self->state.control, atm, cmd, args);
    },
    [=](shutdown_atom) {
      spdlog::info("supervisor: shutting down");
      self->send_exit(self->state.control, caf::exit_reason::user_shutdown);
      self->quit(caf::exit_reason::user_shutdown);
    },
  };
}

} // namespace shopsync
