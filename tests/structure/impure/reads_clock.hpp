// Not compiled: the sample that proves domain_purity.sh can fail (structure.domain_purity_catches).
#pragma once
#include <chrono>
#include "io/state_store.hpp"
inline auto impure_now() { return std::chrono::system_clock::now(); }
