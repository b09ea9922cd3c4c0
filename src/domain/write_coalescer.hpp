#pragma once
// The store link's batching rules for inventory writes, pure. Per (inventory item, location):
// the newest absolute target wins, deltas add up. Sets and adjusts are separate mutations
// (inventorySetQuantities / inventoryAdjustQuantities); a batch holds at most 250 entries, one
// per (item, location), so Shopify never sees a pair twice in one call. Each entry remembers
// every requester (op id) it carries, so each gets the result.
//
// Ordering between a set and an adjust of the same pair in one window is not decided here:
// item actors keep at most one operation in flight per slot, so the two do not meet.
#include "domain/ids.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace shopsync {

enum class write_kind { set, adjust };
const char* to_string(write_kind);

// One requester's wish, as sent to the store link.
struct write_intent {
  write_kind kind = write_kind::adjust;
  inventory_item_id item = 0;
  location_id location = 0;
  std::int64_t quantity = 0;               // set: absolute target; adjust: delta
  std::optional<std::int64_t> change_from; // set: compare-and-set expectation (nullopt: none)
  std::uint64_t op_id = 0;                 // the requester's operation id for this pair
};

struct write_entry {
  inventory_item_id item = 0;
  location_id location = 0;
  std::int64_t quantity = 0;               // target (set) or summed delta (adjust)
  std::optional<std::int64_t> change_from; // set only
  std::vector<std::uint64_t> op_ids;       // every requester carried, oldest first
};

struct write_batch {
  write_kind kind = write_kind::adjust;
  std::vector<write_entry> entries;
};

class write_coalescer {
public:
  static constexpr std::size_t max_batch_entries = 250;

  // Adds an intent. An op id already carried by its pair is ignored (a re-submission must not
  // add its delta twice). Returns false in that case.
  bool add(const write_intent& in);

  bool empty() const noexcept { return sets_.empty() && adjusts_.empty(); }
  // Distinct (item, location) entries waiting, and requesters waiting.
  std::size_t pending_entries() const noexcept { return sets_.size() + adjusts_.size(); }
  std::size_t pending_ops() const noexcept { return ops_; }
  // Whether the pair has an entry of this kind carrying op_id.
  bool carries(write_kind k, inventory_item_id item, location_id loc, std::uint64_t op_id) const;

  // Removes and returns the next batch of at most `max_entries`: sets first (absolute targets
  // are usually alignment work that others wait on), entries in arrival order.
  std::optional<write_batch> take(std::size_t max_entries = max_batch_entries);

  // Removes every entry of these inventory items (`items` sorted ascending) and returns them, so
  // that their requesters can be answered: the items were deleted, nothing is to be sent.
  std::vector<std::pair<write_kind, write_entry>> take_items(const std::vector<inventory_item_id>& items);

private:
  using key = std::pair<inventory_item_id, location_id>;
  struct slot {
    write_entry entry;
    std::uint64_t arrival;
  };
  using table = std::map<key, slot>;
  std::optional<write_batch> take_from(table& t, write_kind k, std::size_t max_entries);

  table sets_, adjusts_;
  std::uint64_t arrivals_ = 0;
  std::size_t ops_ = 0;
};

} // namespace shopsync
