#include "actors/location_directory.hpp"

#include "io/json_writer.hpp"

#include <simdjson.h>

namespace shopsync {

void location_directory::learn(const store_name& store, location_id id, std::string name, bool exact) {
  std::lock_guard lock(mu_);
  auto& slot = names_[{store, id}];
  if (!exact && slot.second)
    return;
  slot = {std::move(name), exact};
}

std::optional<std::string> location_directory::name_of(const store_name& store, location_id id) const {
  std::lock_guard lock(mu_);
  auto it = names_.find({store, id});
  if (it == names_.end())
    return std::nullopt;
  return it->second.first;
}

std::string name_audit_location(std::string_view row_json, const location_directory& dir) {
  simdjson::dom::parser parser;
  simdjson::dom::object row;
  std::uint64_t id = 0;
  if (parser.parse(row_json.data(), row_json.size()).get(row) || row["location"].get_uint64().get(id))
    return std::string(row_json);
  std::string_view store;
  if (row["store"].get_string().get(store))
    store = {};
  json_writer w;
  w.begin_object();
  for (auto [key, value] : row) {
    if (key == "location") {
      w.field("location", dir.name_of(std::string(store), id).value_or(std::to_string(id)));
      w.field("location_id", id);
    } else {
      w.key(key).raw(simdjson::minify(value));
    }
  }
  w.end_object();
  return std::move(w).str();
}

} // namespace shopsync
