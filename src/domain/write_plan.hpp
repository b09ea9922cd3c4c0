#pragma once
// A plan: the writes a sync group would make, summarised for the merchant before any is made
//. `shopsyncctl plan` shows it; `approve --plan <id>` applies only if the writes owed
// are still the ones shown. Pure: writes in, summary out.
//
// How the holder (the control actor) uses it:
//   1. Gather the writes owed (each item's pending writes, named: identity, location name).
//   2. `summarize_plan` for the reply; its `id` names this exact set of writes.
//   3. On approve with an id: `plan_digest` of the writes owed now; a different id means the
//      plan the merchant saw is stale (sales came since): answer with the re-made plan, apply
//      nothing. Without an id, what is owed now is applied (never an older set).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shopsync {

struct planned_write {
  std::string store;
  std::string identity;  // "sku:ABC"
  std::string location;  // the location's name
  std::optional<std::int64_t> before; // nullopt: not known (a level not read, or not stocked yet)
  std::int64_t after = 0;
};

// The change of a write (before taken as 0 when unknown, here and in every count).
std::int64_t change_of(const planned_write&);

struct store_plan {
  std::string store;
  std::uint64_t changes = 0; // levels that would change
  std::uint64_t up = 0, down = 0;
  std::uint64_t to_zero = 0; // down to 0 (or below) from a level that held stock
  std::vector<planned_write> biggest; // the largest |change| first
};

struct write_plan {
  std::string id;  // plan_digest of its writes
  std::uint64_t changes = 0;
  std::vector<store_plan> stores; // in `store_order`, then any other store by name
};

// `biggest`: how many of each store's largest changes to keep. Writes that change nothing are
// left out. The result does not depend on the order of `writes`.
write_plan summarize_plan(const std::vector<planned_write>& writes, const std::vector<std::string>& store_order,
                          std::size_t biggest = 10);

// A short hex name of a set of writes (order-insensitive; writes that change nothing ignored):
// equal for the same writes, different (with overwhelming odds) when any level's value differs.
std::string plan_digest(const std::vector<planned_write>& writes);

} // namespace shopsync
