#pragma once
// Every actor interface of shopsyncd, declared in one place, with the message types that
// cross actor boundaries. Actors are thin shells around src/domain state machines.
#include "domain/config.hpp"
#include "domain/events.hpp"

#include <caf/all.hpp>

#include <string>

// Messages never leave this process, so domain types travel without serializers.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(shopsync::webhook_envelope)

namespace shopsync {

// --- atoms (CAF 0.17: at most 10 characters)
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using control_atom = caf::atom_constant<caf::atom("control")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;

// Answers the control socket: (command, JSON args) -> one reply line (control_ok/control_error).
using control_actor =
  caf::typed_actor<caf::replies_to<control_atom, std::string, std::string>::with<std::string>>;

// Owns every other actor; its handle is stable while children are restarted, so the
// control socket talks to it and it delegates.
using supervisor_actor = control_actor::extend<caf::reacts_to<shutdown_atom>>;

} // namespace shopsync
