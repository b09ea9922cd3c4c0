#pragma once
// Gathers what `doctor` needs to know about every store (domain/doctor_report.hpp): a TCP
// connect to its Admin API address, then AppInstallation (token, API versions, scopes),
// Locations and WebhookSubscriptions over the Admin API. Blocking: it runs its own io
// threads and returns when every store answered or timed out. Safe to call from any thread
// that may block (main, a detached actor).
#include "domain/config.hpp"
#include "domain/doctor_report.hpp"

#include <chrono>
#include <vector>

namespace shopsync {

class state_store;

// Tokens come from each store's configured source (io/token_source.hpp), as the daemon's own
// calls do; `db` holds the offline tokens of authorization_code stores (nullptr: such a store
// reports that it has none).
std::vector<store_probe> probe_stores(const config& cfg,
                                      std::chrono::milliseconds per_call_timeout = std::chrono::seconds(10),
                                      state_store* db = nullptr);

} // namespace shopsync
