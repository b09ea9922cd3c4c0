#pragma once
// What the group guard persists of a sync group (meta column "guard/<group>"), so that a
// restart keeps a held group held and still says why: which store tripped the breaker, when,
// with which counts; that an undo left it planned; that it never synced. Pure: a text codec;
// times are inputs (unix seconds), never read from a clock here.
//
// How the holder (actors/group_guard) uses it:
//   1. On every change of a group's guard state, fill a record (state, reason, since, and the
//      trip or the undo's time) and store `encode(record)`.
//   2. At start, `decode_guard_record` what is stored: nullopt means damaged (treat the group
//      as never seen); a record written before the facts existed ("planned", "tripped",
//      "syncing <fingerprint>") decodes with reason `none` and no facts.
#include "domain/group_state.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shopsync {

// Why a group is held (planned or tripped).
enum class hold_reason : std::uint8_t {
  none,           // syncing, or a record from before reasons were kept
  never_synced,   // a new group (start = "plan"): its first writes wait for approval
  config_changed, // its stores, locations or match key changed since it last synced
  discarded,      // the merchant discarded its held writes: a new plan forms
  undone,         // `undo --apply` in a one-way group: its Destinations keep the restored levels
  breaker,        // the mass-change breaker tripped
};
const char* to_string(hold_reason);

// The breaker's trip as the merchant is told it (domain/mass_change_breaker.hpp's breaker_trip,
// without its in-process time).
struct held_trip {
  std::string store;
  std::uint64_t drops = 0;     // levels dropped within the window, the tripping one included
  std::uint64_t allowance = 0;
  std::uint64_t mapped = 0;
  friend bool operator==(const held_trip& a, const held_trip& b) {
    return a.store == b.store && a.drops == b.drops && a.allowance == b.allowance && a.mapped == b.mapped;
  }
};

struct guard_record {
  group_state state = group_state::syncing; // syncing, planned or tripped (never paused)
  std::string fingerprint;                  // syncing: the configuration it synced with
  hold_reason reason = hold_reason::none;
  std::int64_t since_s = 0;        // when it was held (unix seconds; 0: not known)
  std::int64_t undone_from_s = 0;  // undone: the time the undo reversed shopsync's writes from
  std::optional<held_trip> trip;   // breaker: the trip
  friend bool operator==(const guard_record& a, const guard_record& b) {
    return a.state == b.state && a.fingerprint == b.fingerprint && a.reason == b.reason && a.since_s == b.since_s &&
           a.undone_from_s == b.undone_from_s && a.trip == b.trip;
  }
};

std::string encode(const guard_record&);
std::optional<guard_record> decode_guard_record(std::string_view);

} // namespace shopsync
