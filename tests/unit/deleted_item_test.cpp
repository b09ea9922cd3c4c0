// Deletions: products/delete and inventory_items/delete unmap the identity in that store at once
// (catalog_deletion), the item state machine writes nothing more there (unmap_store), and the
// store link's coalescer gives back the writes still waiting for a deleted item (take_items).
#include "domain/catalog_deletion.hpp"
#include "domain/group_mapping.hpp"
#include "domain/inventory_item_state.hpp"
#include "domain/write_coalescer.hpp"
#include "item_state_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace shopsync::testing {
namespace {

const std::vector<store_name> kStores = {"src", "Dépôt Nord #2", "d2"};

// Two identities in every store; product ids 10 + store (TEE) and 20 + store (MUG), variant
// ids 100 * store + 1 / + 2, items 1000 * store + 1 / + 2.
keyed_catalog catalog() {
  keyed_catalog k;
  for (std::uint16_t s = 0; s < 3; ++s) {
    k.add(s, 10 + s, 100 * s + 1, 1000 * s + 1, std::string_view("sku:TEE"));
    k.add(s, 20 + s, 100 * s + 2, 1000 * s + 2, std::string_view("sku:MUG"));
  }
  k.sort_unique();
  return k;
}

keyed_match match(keyed_catalog& rows, std::vector<match_problem>& tombstones) {
  drop_deleted_rows(rows, tombstones, kStores);
  auto m = match_keyed(kStores[0], {kStores[1], kStores[2]}, rows);
  report_deletions(m, tombstones);
  return m;
}

const match_problem* problem(const keyed_match& m, match_problem_kind kind, const std::string& key,
                             const std::string& store) {
  for (auto& p : m.problems)
    if (p.kind == kind && p.key == key && p.store == store) return &p;
  return nullptr;
}

bool mapped_in(const keyed_match& m, const std::string& key, std::size_t store) {
  for (std::size_t i = 0; i < m.identities.size(); ++i)
    if (m.identities.key(i) == key) return m.identities.has(i, store);
  return false;
}

TEST(catalog_deletion, a_product_deleted_in_a_destination_leaves_that_store_of_its_identity_and_is_reported) {
  auto rows = catalog();
  std::vector<match_problem> tombstones;
  auto out = take_deleted(rows, {1, product_id{11}, std::nullopt}, kStores);
  ASSERT_EQ(out.tombstones.size(), 1u);
  EXPECT_EQ(out.tombstones[0].kind, match_problem_kind::deleted);
  EXPECT_EQ(out.tombstones[0].key, "sku:TEE");
  EXPECT_EQ(out.tombstones[0].store, "Dépôt Nord #2"); // the merchant's store name
  EXPECT_EQ(out.tombstones[0].variants, std::vector<variant_id>{101});
  EXPECT_EQ(out.items, std::vector<inventory_item_id>{1001});
  merge_tombstones(tombstones, out.tombstones);

  auto m = match(rows, tombstones);
  EXPECT_TRUE(mapped_in(m, "sku:TEE", 0));
  EXPECT_FALSE(mapped_in(m, "sku:TEE", 1));
  EXPECT_TRUE(mapped_in(m, "sku:TEE", 2)); // the other Destination keeps syncing
  EXPECT_TRUE(mapped_in(m, "sku:MUG", 1));
  EXPECT_TRUE(problem(m, match_problem_kind::deleted, "sku:TEE", "Dépôt Nord #2"));
  // Reported as deleted, not as a plain miss.
  EXPECT_FALSE(problem(m, match_problem_kind::missing_in_destination, "sku:TEE", "Dépôt Nord #2"));
  EXPECT_EQ(to_string(match_problem_kind::deleted), std::string("deleted"));
}

TEST(catalog_deletion, an_inventory_item_deletion_takes_only_that_variant) {
  auto rows = catalog();
  auto out = take_deleted(rows, {2, std::nullopt, inventory_item_id{2002}}, kStores);
  ASSERT_EQ(out.tombstones.size(), 1u);
  EXPECT_EQ(out.tombstones[0].key, "sku:MUG");
  EXPECT_EQ(out.tombstones[0].store, "d2");
  EXPECT_EQ(out.items, std::vector<inventory_item_id>{2002});
  EXPECT_EQ(rows.size(), 5u);
}

TEST(catalog_deletion, a_deletion_of_something_not_in_the_catalog_changes_nothing) {
  auto rows = catalog();
  EXPECT_TRUE(take_deleted(rows, {1, product_id{999}, std::nullopt}, kStores).tombstones.empty());
  EXPECT_TRUE(take_deleted(rows, {0, std::nullopt, inventory_item_id{1001}}, kStores).items.empty()); // d1's item, not src's
  EXPECT_TRUE(take_deleted(rows, {7, product_id{11}, std::nullopt}, kStores).items.empty()); // no such store
  EXPECT_EQ(rows.size(), 6u);
}

TEST(catalog_deletion, a_page_read_before_the_deletion_does_not_map_it_again) {
  auto rows = catalog();
  std::vector<match_problem> tombstones;
  merge_tombstones(tombstones, take_deleted(rows, {1, product_id{11}, std::nullopt}, kStores).tombstones);
  auto stale = catalog(); // a reload whose pages still listed the product
  auto m = match(stale, tombstones);
  EXPECT_FALSE(mapped_in(m, "sku:TEE", 1));
  EXPECT_TRUE(problem(m, match_problem_kind::deleted, "sku:TEE", "Dépôt Nord #2"));
  EXPECT_EQ(tombstones.size(), 1u);
}

TEST(catalog_deletion, the_report_ends_when_the_merchant_makes_the_identity_again) {
  auto rows = catalog();
  std::vector<match_problem> tombstones;
  merge_tombstones(tombstones, take_deleted(rows, {1, product_id{11}, std::nullopt}, kStores).tombstones);
  rows.add(1, 77, 777, 7777, std::string_view("sku:TEE")); // a new product, new ids
  rows.sort_unique();
  auto m = match(rows, tombstones);
  EXPECT_TRUE(mapped_in(m, "sku:TEE", 1));
  EXPECT_FALSE(problem(m, match_problem_kind::deleted, "sku:TEE", "Dépôt Nord #2"));
  EXPECT_TRUE(tombstones.empty());
}

TEST(catalog_deletion, deleted_in_the_source_is_synced_nowhere) {
  auto rows = catalog();
  std::vector<match_problem> tombstones;
  merge_tombstones(tombstones, take_deleted(rows, {0, product_id{10}, std::nullopt}, kStores).tombstones);
  auto m = match(rows, tombstones);
  EXPECT_FALSE(mapped_in(m, "sku:TEE", 1));
  EXPECT_FALSE(mapped_in(m, "sku:TEE", 2));
  EXPECT_TRUE(problem(m, match_problem_kind::deleted, "sku:TEE", "src"));
}

TEST(catalog_deletion, tombstones_merge_by_key_and_store_and_survive_the_mapping_codec) {
  std::vector<match_problem> t;
  merge_tombstones(t, {{match_problem_kind::deleted, "sku:B", "d2", {5}}});
  merge_tombstones(t, {{match_problem_kind::deleted, "sku:A", "d2", {9}}, {match_problem_kind::deleted, "sku:B", "d2", {3, 5}}});
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].key, "sku:A");
  EXPECT_EQ(t[1].variants, (std::vector<variant_id>{3, 5}));

  group_config g;
  g.name = "g";
  g.source = "src";
  g.destinations = {kStores[1], kStores[2]};
  auto rows = catalog();
  std::vector<match_problem> tombstones;
  merge_tombstones(tombstones, take_deleted(rows, {1, product_id{11}, std::nullopt}, kStores).tombstones);
  group_mapping m(g, match(rows, tombstones), location_mapping{});
  auto back = group_mapping::decode(g, m.encode());
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_TRUE(back->same_as(m));
  bool found = false;
  for (auto& p : back->problems()) found = found || (p.kind == match_problem_kind::deleted && p.store == kStores[1]);
  EXPECT_TRUE(found);
}

// ---- the item state machine

item_layout layout(sync_mode mode) {
  item_layout l;
  l.identity = "sku:TEE";
  l.mode = mode;
  for (std::size_t i = 0; i < 3; ++i) l.stores.push_back({kStores[i], 1000 * i + 1});
  l.slots.push_back({{location_id{100}, location_id{200}, location_id{300}}});
  return l;
}

TEST(unmap_store, nothing_more_is_written_to_an_unmapped_store_not_even_a_pending_target) {
  inventory_item_state st(layout(sync_mode::one_way), 7);
  align_equal(st, 10);
  // A sale in the Source: sets for both Destinations; d1's answer is late.
  auto r = st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9);
  ASSERT_EQ(r.commands.size(), 2u);
  command set_d1 = r.commands[0].at == d1 ? r.commands[0] : r.commands[1];
  command set_d2 = r.commands[0].at == d2 ? r.commands[0] : r.commands[1];
  EXPECT_TRUE(st.write_result(d2, set_d2.op_id, 9).commands.empty());
  // Another sale while d1's set is in flight: a pending target for d1, a set for d2.
  auto r8 = st.read_result(src, st.hint(src, 8).commands.at(0).op_id, 8);
  ASSERT_EQ(r8.commands.size(), 1u);
  EXPECT_TRUE(st.write_result(d2, r8.commands[0].op_id, 8).commands.empty());
  // d1 deletes the product.
  auto u = st.unmap_store(1);
  EXPECT_TRUE(u.commands.empty());
  ASSERT_EQ(u.audit.size(), 1u);
  EXPECT_EQ(u.audit[0].kind, audit_kind::error);
  EXPECT_EQ(u.audit[0].store, kStores[1]);
  EXPECT_EQ(st.view()[1].blocked, unmapped_cause);
  // The set in flight fails (the item is gone): no retry, no second set.
  auto f = st.write_failed(d1, set_d1.op_id, failure_kind::transient, "TIMEOUT");
  EXPECT_TRUE(f.commands.empty());
  EXPECT_FALSE(st.in_flight());
  // Later sales reach d2 only; hints from d1 ask for nothing.
  auto r2 = st.read_result(src, st.hint(src, 7).commands.at(0).op_id, 7);
  for (auto& c : r2.commands) EXPECT_FALSE(c.at == d1);
  EXPECT_TRUE(st.hint(d1, 3).commands.empty());
  EXPECT_TRUE(st.clear_error(d1).commands.empty()); // gone: nothing to clear
  EXPECT_EQ(st.view()[1].blocked, unmapped_cause);
}

TEST(unmap_store, a_two_way_delta_owed_to_an_unmapped_store_is_dropped_and_the_others_go_on) {
  inventory_item_state st(layout(sync_mode::two_way), 7);
  align_equal(st, 10);
  st.set_paused(true);
  (void)st.read_result(src, st.hint(src, 9).commands.at(0).op_id, 9); // -1 owed to d1 and d2
  (void)st.unmap_store(1);
  auto resumed = st.set_paused(false);
  ASSERT_EQ(resumed.commands.size(), 1u);
  EXPECT_TRUE(resumed.commands[0].at == d2);
  EXPECT_EQ(resumed.commands[0].delta, -1);
  EXPECT_TRUE(st.write_result(d2, resumed.commands[0].op_id, 9).commands.empty());
  EXPECT_TRUE(st.idle());
  // The state with its unmapped level survives a restart.
  auto back = inventory_item_state::decode(st.encode());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->view()[1].blocked, unmapped_cause);
}

// ---- the store link's coalescer

TEST(write_coalescer, take_items_gives_back_every_waiting_write_of_deleted_items) {
  write_coalescer c;
  c.add({write_kind::set, 1001, 200, 5, std::nullopt, 1});
  c.add({write_kind::set, 1001, 200, 4, std::nullopt, 2});
  c.add({write_kind::adjust, 1001, 201, -1, std::nullopt, 3});
  c.add({write_kind::set, 2001, 200, 7, std::nullopt, 4});
  auto gone = c.take_items({1001});
  ASSERT_EQ(gone.size(), 2u);
  EXPECT_EQ(gone[0].first, write_kind::set);
  EXPECT_EQ(gone[0].second.op_ids, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(gone[1].first, write_kind::adjust);
  EXPECT_EQ(c.pending_entries(), 1u);
  EXPECT_EQ(c.pending_ops(), 1u);
  auto b = c.take();
  ASSERT_TRUE(b);
  ASSERT_EQ(b->entries.size(), 1u);
  EXPECT_EQ(b->entries[0].item, 2001u);
}

} // namespace
} // namespace shopsync::testing
