#include "io/link_outbox.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace shopsync;
using namespace shopsync::testing;

namespace {
outbox_batch sample(std::uint64_t id) {
  outbox_batch b;
  b.id = id;
  b.idempotency_key = "key-" + std::to_string(id);
  b.batch = {write_kind::set,
             {{18446744073709551615ull, 71234567890, 7, std::nullopt, {1, 2}}, {5, 6, -3, 4, {3}}}};
  b.variables_json = R"({"idempotencyKey":"key","input":{"name":"available","x":"a\"b"}})";
  return b;
}
} // namespace

TEST(link_outbox, batches_round_trip_exactly) {
  auto b = sample(42);
  auto d = link_outbox::decode(link_outbox::encode(b));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->id, 42u);
  EXPECT_EQ(d->idempotency_key, b.idempotency_key);
  EXPECT_EQ(d->variables_json, b.variables_json); // re-sent verbatim
  EXPECT_EQ(d->batch.kind, write_kind::set);
  ASSERT_EQ(d->batch.entries.size(), 2u);
  EXPECT_EQ(d->batch.entries[0].item, 18446744073709551615ull);
  EXPECT_FALSE(d->batch.entries[0].change_from);
  EXPECT_EQ(d->batch.entries[0].op_ids, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(d->batch.entries[1].quantity, -3);
  EXPECT_EQ(d->batch.entries[1].change_from, 4);
  EXPECT_FALSE(link_outbox::decode("{\"id\": \"x\"}").ok());
}

TEST(link_outbox, recovery_keeps_order_and_never_reuses_an_id) {
  temp_dir dir;
  auto db = state_store::open({dir.str(), false, true});
  ASSERT_TRUE(db.ok());
  {
    link_outbox ob(**db, "a", 100);
    auto r = ob.recover();
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->empty());
    auto id1 = ob.next_id(), id2 = ob.next_id(), id3 = ob.next_id();
    EXPECT_EQ(id1, 100u);
    ASSERT_TRUE(ob.apply({{}, {sample(id1), sample(id2), sample(id3)}, {}}).ok());
    ASSERT_TRUE(ob.apply({{id2}, {}, {{1, 2, 3, {5, std::nullopt}}}}).ok());
  }
  link_outbox again(**db, "a", 1); // a smaller seed does not move the counter back
  auto r = again.recover();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].id, 100u);
  EXPECT_EQ((*r)[1].id, 102u);
  EXPECT_EQ(again.next_id(), 103u);
  auto res = again.find_result(1, 2, 3);
  ASSERT_TRUE(res.ok());
  ASSERT_TRUE(*res);
  EXPECT_EQ((*res)->quantity_after, 5);
  EXPECT_FALSE(*again.find_result(1, 2, 4));
  // Another store's outbox is separate.
  link_outbox other(**db, "b", 1);
  EXPECT_TRUE(other.recover()->empty());
}
