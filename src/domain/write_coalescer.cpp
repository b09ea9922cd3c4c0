#include "domain/write_coalescer.hpp"

#include <algorithm>

namespace shopsync {

const char* to_string(write_kind k) { return k == write_kind::set ? "set" : "adjust"; }

bool write_coalescer::add(const write_intent& in) {
  auto& t = in.kind == write_kind::set ? sets_ : adjusts_;
  key k{in.item, in.location};
  auto it = t.find(k);
  if (it == t.end()) {
    write_entry e{in.item, in.location, in.quantity,
                  in.kind == write_kind::set ? in.change_from : std::nullopt, {in.op_id}};
    t.emplace(k, slot{std::move(e), arrivals_++});
    ++ops_;
    return true;
  }
  auto& e = it->second.entry;
  if (std::find(e.op_ids.begin(), e.op_ids.end(), in.op_id) != e.op_ids.end())
    return false;
  if (in.kind == write_kind::adjust) {
    e.quantity += in.quantity;
  } else {
    // The newest target wins. Its compare-and-set expectation, if it expects the target just
    // replaced (never sent), is really about the value the older entry expected.
    if (!in.change_from)
      e.change_from = std::nullopt;
    else if (*in.change_from != e.quantity)
      e.change_from = in.change_from;
    e.quantity = in.quantity;
  }
  e.op_ids.push_back(in.op_id);
  ++ops_;
  return true;
}

bool write_coalescer::carries(write_kind k, inventory_item_id item, location_id loc,
                              std::uint64_t op_id) const {
  const auto& t = k == write_kind::set ? sets_ : adjusts_;
  auto it = t.find({item, loc});
  if (it == t.end())
    return false;
  const auto& ops = it->second.entry.op_ids;
  return std::find(ops.begin(), ops.end(), op_id) != ops.end();
}

std::vector<std::pair<write_kind, write_entry>> write_coalescer::take_items(const std::vector<inventory_item_id>& items) {
  std::vector<std::pair<write_kind, write_entry>> out;
  for (auto k : {write_kind::set, write_kind::adjust}) {
    auto& t = k == write_kind::set ? sets_ : adjusts_;
    for (auto it = t.begin(); it != t.end();) {
      if (!std::binary_search(items.begin(), items.end(), it->first.first)) {
        ++it;
        continue;
      }
      ops_ -= it->second.entry.op_ids.size();
      out.emplace_back(k, std::move(it->second.entry));
      it = t.erase(it);
    }
  }
  return out;
}

std::optional<write_batch> write_coalescer::take(std::size_t max_entries) {
  if (max_entries == 0)
    return std::nullopt;
  if (!sets_.empty())
    return take_from(sets_, write_kind::set, max_entries);
  if (!adjusts_.empty())
    return take_from(adjusts_, write_kind::adjust, max_entries);
  return std::nullopt;
}

std::optional<write_batch> write_coalescer::take_from(table& t, write_kind k,
                                                      std::size_t max_entries) {
  max_entries = std::min(max_entries, max_batch_entries);
  std::vector<table::iterator> order;
  order.reserve(t.size());
  for (auto it = t.begin(); it != t.end(); ++it)
    order.push_back(it);
  std::sort(order.begin(), order.end(),
            [](auto a, auto b) { return a->second.arrival < b->second.arrival; });
  if (order.size() > max_entries)
    order.resize(max_entries);
  write_batch b{k, {}};
  b.entries.reserve(order.size());
  for (auto it : order) {
    ops_ -= it->second.entry.op_ids.size();
    b.entries.push_back(std::move(it->second.entry));
    t.erase(it);
  }
  return b;
}

} // namespace shopsync
