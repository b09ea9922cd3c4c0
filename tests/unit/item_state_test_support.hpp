#pragma once
// What the inventory item state machine's unit tests share: a layout of N stores (store0 the
// Source) and M slots, level names, and lookups in a transition or the state's view.
#include "domain/inventory_item_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace shopsync::testing {

inline item_layout make_layout(sync_mode mode, std::size_t stores, std::size_t slots = 1) {
  item_layout l;
  l.identity = "sku:ABC";
  l.mode = mode;
  for (std::size_t i = 0; i < stores; ++i)
    l.stores.push_back({"store" + std::to_string(i), 1000 + i});
  for (std::size_t s = 0; s < slots; ++s) {
    item_slot slot;
    for (std::size_t i = 0; i < stores; ++i) slot.locations.push_back(100 * (i + 1) + s);
    l.slots.push_back(slot);
  }
  return l;
}

constexpr level_ref src{0, 0};
constexpr level_ref d1{1, 0};
constexpr level_ref d2{2, 0};

inline const command* find_cmd(const transition& t, level_ref at) {
  for (const auto& c : t.commands)
    if (c.at == at) return &c;
  return nullptr;
}

inline bool has_audit(const transition& t, audit_kind k) {
  return std::any_of(t.audit.begin(), t.audit.end(), [&](const audit_record& a) { return a.kind == k; });
}

inline level_view view_of(const inventory_item_state& st, level_ref at) {
  for (const auto& v : st.view())
    if (v.at == at) return v;
  ADD_FAILURE() << "no view for level";
  return {};
}

// Aligns every level to `q` (all stores already equal): reads answered, no write needed.
inline void align_equal(inventory_item_state& st, std::int64_t q) {
  auto t = st.align();
  auto cmds = t.commands;
  for (const auto& c : cmds) {
    ASSERT_EQ(c.kind, op_kind::read);
    auto r = st.read_result(c.at, c.op_id, q);
    ASSERT_TRUE(r.commands.empty());
  }
  ASSERT_TRUE(st.idle());
}

} // namespace shopsync::testing
