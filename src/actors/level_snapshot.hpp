#pragma once
// A store's inventory levels as one bulk operation (BulkLevels) read them: what the first
// alignment's level reads of a large mapping are answered from, instead of one paged level query
// per 250 levels (about 3 points a level: hours at a million on a Standard bucket).
//
// A value of the snapshot is a read answered late: it was true when the operation read it. That
// is safe for an item whose state is new (the router gives it only to the items it starts for a
// group's first mapping, with no persisted state): every webhook hint for a later change reaches
// such an item after the value (the answer is taken synchronously at its start), and the item
// state machine re-reads a level a hint says differs, as it does after any read. Its updatedAt,
// when the file has it, comes with the value, as with a query's answer: the item then knows the
// second of the level's last change, and a later webhook can be taken without a read.
//
// Built on the io thread while the file streams in (add), sealed once (sorted), then only read
// (answer) by any number of item actors at once.
#include "actors/messages.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace shopsync {

class level_snapshot {
public:
  // A level line of the file (the location's own lines need not be given: a level names it).
  void add(const level_value& lv);
  // After the last add: sorts for answer().
  void seal();
  // The answer a level read would have given. A level the file does not list, at a location it
  // lists, is not stocked there; nullopt when the file lists no level at that location (it is
  // read by query).
  std::optional<level_read_reply> answer(const level_key& key) const;
  std::size_t size() const { return levels_.size(); }

private:
  struct entry {
    inventory_item_id item = 0;
    location_id location = 0;
    std::int64_t available = 0;
    std::int64_t updated_at = 0; // InventoryLevel.updatedAt when `timed`
    bool active = true;
    bool timed = false;
  };
  std::vector<entry> levels_;       // by (location, item) once sealed
  std::vector<location_id> locations_; // listed, sorted
};

// The snapshots of a group's stores that were read (a store whose bulk read failed is absent:
// its levels are read by query).
using level_snapshots = std::map<store_name, std::shared_ptr<const level_snapshot>>;

} // namespace shopsync
