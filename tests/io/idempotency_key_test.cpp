#include "io/idempotency_key.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

TEST(idempotency_key, uuid_v5_matches_the_rfc_reference) {
  // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
  uuid_bytes dns = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                    0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  EXPECT_EQ(uuid_v5(dns, "python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}

TEST(idempotency_key, intent_keys_are_deterministic_and_distinct) {
  auto k = intent_idempotency_key("dest-a", 45678901234567, 71234567890, 17);
  EXPECT_EQ(k.size(), 36u);
  EXPECT_EQ(k[14], '5'); // version 5
  EXPECT_EQ(k, intent_idempotency_key("dest-a", 45678901234567, 71234567890, 17));
  EXPECT_NE(k, intent_idempotency_key("dest-b", 45678901234567, 71234567890, 17));
  EXPECT_NE(k, intent_idempotency_key("dest-a", 45678901234568, 71234567890, 17));
  EXPECT_NE(k, intent_idempotency_key("dest-a", 45678901234567, 71234567891, 17));
  EXPECT_NE(k, intent_idempotency_key("dest-a", 45678901234567, 71234567890, 18));
}

TEST(idempotency_key, batch_keys_follow_the_persisted_batch_id) {
  EXPECT_EQ(batch_idempotency_key("dest-a", 42), batch_idempotency_key("dest-a", 42));
  EXPECT_NE(batch_idempotency_key("dest-a", 42), batch_idempotency_key("dest-a", 43));
  EXPECT_NE(batch_idempotency_key("dest-a", 42), batch_idempotency_key("dest-b", 42));
  EXPECT_NE(batch_idempotency_key("dest-a", 1), intent_idempotency_key("dest-a", 0, 0, 1));
}
