#pragma once
// The mapped levels where an item is not stocked (or whose level is inactive, or was
// disconnected), as the item actors last saw them: what `shopsyncctl mappings --problems`
// lists, so the merchant can stock the item there (or set the group's stock_unstocked).
// Written by the item actors, read by the catalog actors: thread-safe. Rebuilt after a restart
// by the item actors that hold such levels (item_needs_actor starts them).
#include "domain/inventory_item_state.hpp"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace shopsync {

struct unstocked_level {
  std::string identity;
  store_name store;
  location_id location = 0;
  stocking state = stocking::not_stocked;
  bool operator==(const unstocked_level& o) const {
    return identity == o.identity && store == o.store && location == o.location && state == o.state;
  }
};

// The levels of `view` that are not stocked (the state's view of one identity).
std::vector<unstocked_level> unstocked_levels_of(const std::string& identity, const std::vector<level_view>& view);

class stocking_report {
public:
  // Replaces what is known of one identity of a group (empty: all of its levels are stocked).
  void update(const std::string& group, const std::string& identity, std::vector<unstocked_level> levels);
  std::vector<unstocked_level> of(const std::string& group) const;

private:
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, std::vector<unstocked_level>>> groups_;
};

} // namespace shopsync
