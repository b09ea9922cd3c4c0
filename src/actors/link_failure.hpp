#pragma once
// How a store link's failed answer is read, by the item actor that asked and by the link when
// it decides which outcomes it may remember for an op: io/write_answer.hpp classifies it.
#include "domain/inventory_item_state.hpp"
#include "domain/result.hpp"
#include "domain/store_link_protocol.hpp"
#include "io/write_answer.hpp"

namespace shopsync {

inline failure_kind link_failure_kind(const error& e) {
  if (e.kind == error_kind::not_stocked)
    return failure_kind::stale;
  return classify_write_failure(e);
}

} // namespace shopsync
