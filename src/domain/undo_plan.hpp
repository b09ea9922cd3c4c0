#pragma once
// Undo: the writes that reverse shopsync's own changes to the levels of a group since
// a time, computed from the audit log. Each level gets one delta: the sum of what shopsync
// changed there since then, negated; so whatever else changed the level meanwhile (sales,
// restocks, manual edits) still counts. Pure: audit facts in, writes out.
//
// How the holder uses it:
//   1. Read the group's audit records since the time; turn each into an `own_change` with
//      `own_change_of` (nullopt: not a change shopsync made, skip it).
//   2. `plan_undo(changes, store)`: the deltas to apply, one per level, zero ones left out.
//   3. Apply each as a delta made by shopsync (audited `undone` when asked, and, like any of
//      shopsync's adjusts, `delta_propagated` when confirmed: that record is what
//      `own_change_of` counts, so an undo of the same period afterwards owes nothing).
#include "domain/ids.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shopsync {

// The audit kind of a write that reverses earlier writes (see step 3).
inline constexpr const char* undone_kind = "undone";

// The change shopsync made to a level by the audit record of `kind`: a confirmed set
// ("level_set": after − before, an unknown before counted as 0), a confirmed adjust
// ("delta_propagated": its delta, an undo's included); nullopt for anything else (an `undone`
// record marks the request; its write is counted when confirmed).
std::optional<std::int64_t> own_change_of(const std::string& kind, std::optional<std::int64_t> before,
                                          std::optional<std::int64_t> after, std::int64_t delta);

struct own_change {
  std::string identity;
  store_name store;
  location_id location = 0;
  std::int64_t change = 0;
};

struct undo_write {
  std::string identity;
  store_name store;
  location_id location = 0;
  std::int64_t delta = 0;      // to add to the level: −Σ changes
  std::uint64_t changes = 0;   // how many of shopsync's changes it reverses
};

// One write per level with a non-zero sum, ordered by identity, store, location. `store`: only
// that store's levels (empty: every store).
std::vector<undo_write> plan_undo(const std::vector<own_change>& changes, const std::string& store = "");

} // namespace shopsync
