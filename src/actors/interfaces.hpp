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
using status_atom = caf::atom_constant<caf::atom("status")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;

} // namespace shopsync
