#include "io/inbox.hpp"

#include "support/temp_dir.hpp"
#include "support/webhook_server_fixture.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>

using namespace shopsync;
using namespace std::chrono_literals;
using shopsync::testing::read_file;
using shopsync::testing::shared_path;
using shopsync::testing::temp_dir;

namespace {

using tp = std::chrono::system_clock::time_point;

struct fake_clock {
  std::mutex mu;
  tp now = tp(std::chrono::seconds(1'750'000'000));
  tp get() {
    std::lock_guard l(mu);
    return now;
  }
  void advance(std::chrono::seconds s) {
    std::lock_guard l(mu);
    now += s;
  }
};

webhook_delivery delivery(const std::string& id, const std::string& shop = "shop-a.myshopify.com") {
  webhook_delivery d;
  d.topic = "inventory_levels/update";
  d.shop_domain = shop;
  d.webhook_id = id;
  d.event_id = "ev-" + id;
  d.triggered_at = "2025-03-14T14:22:31.000Z";
  d.api_version = "2026-10";
  d.body = read_file(shared_path("shopify/webhooks/inventory_levels_update.json"));
  return d;
}

append_result submit_wait(inbox& in, webhook_delivery d) {
  std::promise<append_result> p;
  auto f = p.get_future();
  in.submit(std::move(d), [&p](append_result r) { p.set_value(std::move(r)); });
  return f.get();
}

std::size_t count(state_store& s, column c) { return shopsync::testing::count_records(s, c); }

struct fixture {
  temp_dir dir{"inbox-test"};
  fake_clock clock;
  std::unique_ptr<state_store> store;
  std::unique_ptr<inbox> in;

  fixture() { reopen(); }
  void reopen() {
    in.reset();
    store.reset();
    auto s = state_store::open({dir.str() + "/db", true, true});
    if (!s.ok())
      throw std::runtime_error(s.error().message);
    store = std::move(*s);
    inbox::options o;
    o.dedup_retention = 48h;
    o.inbox_retention = 24h;
    o.clock = [this] { return clock.get(); };
    auto i = inbox::open(*store, o);
    if (!i.ok())
      throw std::runtime_error(i.error().message);
    in = std::move(*i);
  }
};

} // namespace

TEST(inbox, stores_entry_and_dedup_record_and_refuses_a_second_delivery) {
  fixture f;
  auto r = submit_wait(*f.in, delivery("w1"));
  ASSERT_EQ(r.outcome, append_outcome::stored) << r.error;
  EXPECT_EQ(r.seq, 1u);
  EXPECT_EQ(f.in->depth(), 1u);
  auto rec = f.in->get(r.seq);
  ASSERT_TRUE(rec.ok());
  ASSERT_TRUE(rec->has_value());
  EXPECT_EQ((*rec)->delivery.webhook_id, "w1");
  EXPECT_EQ((*rec)->delivery.event_id, "ev-w1");
  EXPECT_EQ((*rec)->delivery.body, read_file(shared_path("shopify/webhooks/inventory_levels_update.json")));
  EXPECT_FALSE((*rec)->applied_at);

  auto dup = submit_wait(*f.in, delivery("w1"));
  EXPECT_EQ(dup.outcome, append_outcome::duplicate);
  EXPECT_EQ(dup.seq, 1u);
  EXPECT_EQ(count(*f.store, column::inbox), 1u);
  EXPECT_EQ(count(*f.store, column::dedup), 1u);
  EXPECT_EQ(f.in->depth(), 1u);

  // The same webhook id from another shop is another delivery.
  EXPECT_EQ(submit_wait(*f.in, delivery("w1", "shop-b.myshopify.com")).outcome, append_outcome::stored);
}

TEST(inbox, concurrent_submits_share_batches_and_in_batch_duplicates_are_caught) {
  fixture f;
  constexpr int n = 400;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, stored = 0, duplicates = 0;
  std::set<std::uint64_t> seqs;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < n / 4; ++i) {
        // Every id is sent twice, from different threads.
        f.in->submit(delivery("id-" + std::to_string((t / 2) * 1000 + i)), [&](append_result r) {
          std::lock_guard l(mu);
          if (r.outcome == append_outcome::stored) {
            ++stored;
            seqs.insert(r.seq);
          } else if (r.outcome == append_outcome::duplicate) {
            ++duplicates;
          }
          ++done;
          cv.notify_all();
        });
      }
    });
  for (auto& t : threads)
    t.join();
  std::unique_lock l(mu);
  cv.wait(l, [&] { return done == n; });
  EXPECT_EQ(stored, n / 2);
  EXPECT_EQ(duplicates, n / 2);
  EXPECT_EQ(seqs.size(), std::size_t(n / 2));
  EXPECT_EQ(*seqs.begin(), 1u);
  EXPECT_EQ(*seqs.rbegin(), std::uint64_t(n / 2)); // dense, no gaps
  EXPECT_EQ(count(*f.store, column::inbox), std::size_t(n / 2));
}

TEST(inbox, write_failure_fails_the_request_and_stores_nothing) {
  fixture f;
  f.store->fail_writes_for_testing(true);
  auto r = submit_wait(*f.in, delivery("w1"));
  EXPECT_EQ(r.outcome, append_outcome::failed);
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(count(*f.store, column::inbox), 0u);
  EXPECT_EQ(count(*f.store, column::dedup), 0u);
  EXPECT_EQ(f.in->depth(), 0u);
  // Once the disk is back, Shopify's retry is stored (not taken for a duplicate).
  f.store->fail_writes_for_testing(false);
  r = submit_wait(*f.in, delivery("w1"));
  EXPECT_EQ(r.outcome, append_outcome::stored);
  EXPECT_EQ(r.seq, 1u);
}

TEST(inbox, replay_after_reopen_returns_unapplied_entries_in_order) {
  fixture f;
  for (auto id : {"a", "b", "c"})
    ASSERT_EQ(submit_wait(*f.in, delivery(id)).outcome, append_outcome::stored);
  state_store::batch b;
  ASSERT_TRUE(f.in->mark_applied(b, 2, f.clock.get()).ok());
  b.put(column::levels, "some-effect", "x"); // the applying actor's own effects, same batch
  ASSERT_TRUE(f.store->write(b).ok());
  EXPECT_EQ(f.in->depth(), 2u);

  f.reopen();
  EXPECT_EQ(f.in->depth(), 2u);
  auto pending = f.in->pending();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].seq, 1u);
  EXPECT_EQ((*pending)[0].envelope.webhook_id, "a");
  EXPECT_EQ((*pending)[1].seq, 3u);
  EXPECT_EQ((*pending)[1].envelope.webhook_id, "c");
  auto& ev = std::get<inventory_level_changed>((*pending)[1].envelope.event);
  EXPECT_EQ(ev.item, 45678901234567u);
  EXPECT_EQ((*pending)[1].envelope.shop_domain, "shop-a.myshopify.com");
  EXPECT_EQ((*pending)[1].envelope.api_version, "2026-10");

  // Dedup survives the restart, and sequence numbers continue.
  EXPECT_EQ(submit_wait(*f.in, delivery("a")).outcome, append_outcome::duplicate);
  auto r = submit_wait(*f.in, delivery("d"));
  EXPECT_EQ(r.seq, 4u);
}

TEST(inbox, mark_applied_is_idempotent) {
  fixture f;
  ASSERT_EQ(submit_wait(*f.in, delivery("a")).outcome, append_outcome::stored);
  for (int i = 0; i < 2; ++i) {
    state_store::batch b;
    ASSERT_TRUE(f.in->mark_applied(b, 1, f.clock.get()).ok());
    ASSERT_TRUE(f.store->write(b).ok());
  }
  EXPECT_EQ(f.in->depth(), 0u);
  state_store::batch b;
  EXPECT_TRUE(f.in->mark_applied(b, 99, f.clock.get()).ok()); // unknown: nothing added
  EXPECT_TRUE(b.empty());
  auto rec = f.in->get(1);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_TRUE((*rec)->applied_at);
}

// Marking an entry applied adds a small record beside it instead of rewriting the entry (body
// included) after reading it back; an entry marked by an earlier version, in its own flags,
// still counts as applied; purge takes an entry's mark with it.
TEST(inbox, an_applied_mark_is_a_record_of_its_own_and_earlier_marks_still_count) {
  fixture f;
  ASSERT_EQ(submit_wait(*f.in, delivery("a")).outcome, append_outcome::stored); // seq 1
  ASSERT_EQ(submit_wait(*f.in, delivery("b")).outcome, append_outcome::stored); // seq 2
  auto before = f.store->get(column::inbox, inbox::key(1));
  ASSERT_TRUE(before.ok() && before->has_value());
  state_store::batch b;
  ASSERT_TRUE(f.in->mark_applied(b, 1, f.clock.get()).ok());
  EXPECT_EQ(b.count(), 1u);
  ASSERT_TRUE(f.store->write(b).ok());
  auto after = f.store->get(column::inbox, inbox::key(1));
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ(**after, **before) << "the entry itself is not rewritten";
  auto rec = f.in->get(1);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  ASSERT_TRUE((*rec)->applied_at);
  EXPECT_EQ(*(*rec)->applied_at, f.clock.get());

  // Entry 2 as an earlier version marked it: flags byte 1, applied_at (s, big-endian) at 10.
  auto raw = f.store->get(column::inbox, inbox::key(2));
  ASSERT_TRUE(raw.ok() && raw->has_value());
  std::string legacy = **raw;
  legacy[1] = 1;
  auto at = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(f.clock.get().time_since_epoch()).count());
  for (int i = 0; i < 8; ++i)
    legacy[10 + i] = static_cast<char>((at >> ((7 - i) * 8)) & 0xff);
  ASSERT_TRUE(f.store->put(column::inbox, inbox::key(2), legacy).ok());

  f.reopen();
  EXPECT_EQ(f.in->depth(), 0u);
  auto pending = f.in->pending();
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
  state_store::batch again;
  ASSERT_TRUE(f.in->mark_applied(again, 1, f.clock.get()).ok());
  ASSERT_TRUE(f.in->mark_applied(again, 2, f.clock.get()).ok());
  EXPECT_TRUE(again.empty()) << "both already applied";
  auto rec2 = f.in->get(2);
  ASSERT_TRUE(rec2.ok() && rec2->has_value());
  EXPECT_TRUE((*rec2)->applied_at);

  f.clock.advance(25h);
  auto n = f.in->purge(f.clock.get());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2u) << "two entries; the mark goes with its entry";
  EXPECT_EQ(count(*f.store, column::inbox), 0u);
}

TEST(inbox, purge_removes_only_what_is_past_its_retention) {
  fixture f;
  ASSERT_EQ(submit_wait(*f.in, delivery("old")).outcome, append_outcome::stored); // seq 1
  ASSERT_EQ(submit_wait(*f.in, delivery("unapplied")).outcome, append_outcome::stored); // seq 2
  state_store::batch b;
  ASSERT_TRUE(f.in->mark_applied(b, 1, f.clock.get()).ok());
  ASSERT_TRUE(f.store->write(b).ok());

  f.clock.advance(23h);
  auto n = f.in->purge(f.clock.get());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u); // applied 23 h ago: kept (inbox retention 24 h)

  f.clock.advance(2h); // 25 h: the applied entry goes, the unapplied one stays
  n = f.in->purge(f.clock.get());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);
  EXPECT_FALSE(f.in->get(1)->has_value());
  EXPECT_TRUE(f.in->get(2)->has_value());
  EXPECT_EQ(count(*f.store, column::dedup), 2u);
  // Within the dedup window a redelivery is still a duplicate.
  EXPECT_EQ(submit_wait(*f.in, delivery("old")).outcome, append_outcome::duplicate);

  ASSERT_EQ(submit_wait(*f.in, delivery("fresh")).outcome, append_outcome::stored); // seq 3, at 25 h
  f.clock.advance(24h); // 49 h: "old" and "unapplied" dedup records expire, "fresh" (24 h old) stays
  n = f.in->purge(f.clock.get());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2u);
  EXPECT_EQ(count(*f.store, column::dedup), 1u);
  EXPECT_TRUE(f.in->get(2)->has_value()); // never applied: never purged
  EXPECT_EQ(submit_wait(*f.in, delivery("fresh")).outcome, append_outcome::duplicate);
  // Past the window, a delivery with an old id is new again.
  auto r = submit_wait(*f.in, delivery("old"));
  EXPECT_EQ(r.outcome, append_outcome::stored);
  EXPECT_EQ(r.seq, 4u);
}

TEST(inbox, sequence_stays_monotonic_after_everything_is_purged) {
  fixture f;
  ASSERT_EQ(submit_wait(*f.in, delivery("a")).seq, 1u);
  ASSERT_EQ(submit_wait(*f.in, delivery("b")).seq, 2u);
  for (std::uint64_t s : {1u, 2u}) {
    state_store::batch b;
    ASSERT_TRUE(f.in->mark_applied(b, s, f.clock.get()).ok());
    ASSERT_TRUE(f.store->write(b).ok());
  }
  f.clock.advance(72h);
  ASSERT_EQ(*f.in->purge(f.clock.get()), 4u);
  EXPECT_EQ(count(*f.store, column::inbox), 0u);
  f.reopen();
  EXPECT_EQ(submit_wait(*f.in, delivery("c")).seq, 3u);
}

TEST(inbox, stop_completes_queued_requests_and_later_submits_fail) {
  fixture f;
  std::atomic<int> completed{0};
  for (int i = 0; i < 50; ++i)
    f.in->submit(delivery("s" + std::to_string(i)), [&](append_result r) {
      if (r.outcome == append_outcome::stored)
        ++completed;
    });
  f.in->stop();
  EXPECT_EQ(completed.load(), 50);
  EXPECT_EQ(submit_wait(*f.in, delivery("late")).outcome, append_outcome::failed);
}

TEST(inbox, a_full_queue_refuses_at_once_instead_of_growing) {
  temp_dir dir{"inbox-full"};
  auto store = state_store::open({dir.str() + "/db", true, true});
  ASSERT_TRUE(store.ok());
  inbox::options o;
  o.max_queue = 0; // every submit finds the queue full
  auto in = inbox::open(**store, o);
  ASSERT_TRUE(in.ok());
  auto r = submit_wait(**in, delivery("x"));
  EXPECT_EQ(r.outcome, append_outcome::failed);
  EXPECT_EQ(r.error, "inbox queue full");
  EXPECT_EQ(count(**store, column::inbox), 0u);
}

// Signed deliveries whose content cannot be used are kept aside: same seq numbers and dedup,
// not pending, not counted in depth(), listed with their reason, kept across a restart, and
// purged only after unusable_retention (30 days by default).
TEST(inbox, unusable_deliveries_are_kept_aside_with_their_reason) {
  fixture f;
  auto bad = delivery("u1");
  bad.body = R"({"inventory_item_id":1,"location_id":)";
  bad.unusable = error{"webhook.malformed", "malformed JSON: truncated JSON"};
  auto r = submit_wait(*f.in, bad);
  ASSERT_EQ(r.outcome, append_outcome::stored) << r.error;
  EXPECT_EQ(submit_wait(*f.in, delivery("w1")).seq, r.seq + 1);
  EXPECT_EQ(submit_wait(*f.in, bad).outcome, append_outcome::duplicate);
  EXPECT_EQ(f.in->depth(), 1u);

  f.reopen();
  EXPECT_EQ(f.in->depth(), 1u);
  auto pending = f.in->pending();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].envelope.webhook_id, "w1");
  auto kept = inbox::list_unusable(*f.store);
  ASSERT_TRUE(kept.ok()) << kept.error().message;
  ASSERT_EQ(kept->size(), 1u);
  auto& k = (*kept)[0];
  EXPECT_EQ(k.seq, r.seq);
  EXPECT_EQ(k.received_at, f.clock.get());
  EXPECT_EQ(k.delivery.body, bad.body);
  EXPECT_EQ(k.delivery.webhook_id, "u1");
  EXPECT_EQ(k.delivery.event_id, "ev-u1");
  ASSERT_TRUE(k.delivery.unusable);
  EXPECT_EQ(k.delivery.unusable->code, "webhook.malformed");
  EXPECT_EQ(k.delivery.unusable->message, "malformed JSON: truncated JSON");
  auto usable = f.in->get(r.seq + 1);
  ASSERT_TRUE(usable.ok() && usable->has_value());
  EXPECT_FALSE((*usable)->delivery.unusable);
  EXPECT_FALSE(inbox::get_unusable(*f.store, r.seq + 1)->has_value());

  f.clock.advance(29 * 24h);
  ASSERT_TRUE(f.in->purge(f.clock.get()).ok());
  EXPECT_EQ(inbox::list_unusable(*f.store)->size(), 1u);
  f.clock.advance(2 * 24h);
  ASSERT_TRUE(f.in->purge(f.clock.get()).ok());
  EXPECT_TRUE(inbox::list_unusable(*f.store)->empty());
}

// The dedup key is the event id: one event through two subscriptions is stored once; without
// an event id the webhook id; a record left under the webhook id (by a version that keyed on
// it) still catches a retry of that delivery.
TEST(inbox, dedup_is_on_the_event_id_and_honours_records_under_the_webhook_id) {
  fixture f;
  auto sub1 = delivery("wh-1");
  sub1.event_id = "ev-shared";
  auto sub2 = delivery("wh-2");
  sub2.event_id = "ev-shared";
  auto first = submit_wait(*f.in, sub1);
  ASSERT_EQ(first.outcome, append_outcome::stored);
  auto second = submit_wait(*f.in, sub2);
  EXPECT_EQ(second.outcome, append_outcome::duplicate);
  EXPECT_EQ(second.seq, first.seq);
  EXPECT_TRUE(f.store->get(column::dedup, inbox::dedup_key("shop-a.myshopify.com", "ev-shared"))->has_value());

  auto bare = delivery("wh-bare");
  bare.event_id.clear();
  EXPECT_EQ(submit_wait(*f.in, bare).outcome, append_outcome::stored);
  EXPECT_EQ(submit_wait(*f.in, bare).outcome, append_outcome::duplicate);
  EXPECT_EQ(inbox::dedup_key(bare), inbox::dedup_key("shop-a.myshopify.com", "wh-bare"));

  // A record written under the webhook id, as the version before wrote them.
  auto legacy = delivery("wh-legacy");
  state_store::batch b;
  std::string v;
  auto put_u64 = [&v](std::uint64_t x) {
    for (int i = 7; i >= 0; --i)
      v.push_back(static_cast<char>((x >> (i * 8)) & 0xff));
  };
  put_u64(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                         f.clock.get().time_since_epoch()).count()));
  put_u64(77);
  b.put(column::dedup, inbox::dedup_key("shop-a.myshopify.com", "wh-legacy"), v);
  ASSERT_TRUE(f.store->write(b).ok());
  auto retry = submit_wait(*f.in, legacy);
  EXPECT_EQ(retry.outcome, append_outcome::duplicate);
  EXPECT_EQ(retry.seq, 77u);

  // Past the retention the event is new again (Shopify stopped retrying long before).
  f.clock.advance(49h);
  EXPECT_EQ(submit_wait(*f.in, sub2).outcome, append_outcome::stored);
}
