#pragma once
// The merchant's names of the stores' locations, for replies that would otherwise show a
// location id (`shopsyncctl item`, `audit`, `order`): store + location id → name.
// Written by the catalog actors each time they read a store's locations (and, at start, from
// the persisted mapping's Source locations, until the first read); read by the item and
// control actors: thread-safe. A location not known yet is shown by its id.
#include "domain/ids.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace shopsync {

class location_directory {
public:
  // `exact`: read from the store; a guess (a persisted slot's name) never replaces it.
  void learn(const store_name& store, location_id id, std::string name, bool exact = true);
  std::optional<std::string> name_of(const store_name& store, location_id id) const;

private:
  mutable std::mutex mu_;
  std::map<std::pair<store_name, location_id>, std::pair<std::string, bool>> names_;
};

// An audit row (audit_log::to_json: "location" holds the id) with "location" the location's
// name (its id as text while unknown) and "location_id" its id; other rows unchanged.
std::string name_audit_location(std::string_view row_json, const location_directory&);

} // namespace shopsync
