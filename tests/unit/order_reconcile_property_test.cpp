// Property test of the order reconciler's machine: seeded random runs against a tiny model of a
// Destination's order (or draft order) listing. The test plays Shopify and the order path:
// documents created (and, for drafts, updated) over time, visible to search only after a lag;
// webhooks delivered late or lost for good; listing pages answered with what is visible at the
// time, by cursor; feeds acknowledged late, failed, or the document skipped by the order path
// (not persisted, so it stays unknown); restarts from the last persisted encoding at any moment.
//
// Checked: at quiescence every document version at or after the floor reached the order path
// (webhook or reconciler) and none before the floor; the reconciler never feeds a version its
// persisted state says it fed; every persisted watermark lies at or below every document
// version that was visible at that round's start and not yet fed or known.
//
// SHOPSYNC_PROPERTY_SEEDS=N runs N seeds per test (default 2000).
#include "domain/order_reconcile.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace shopsync::testing {
namespace {

struct version {
  shopify_id id = 0;
  std::int64_t at = 0;
  std::int64_t visible = 0; // in search results from this time on
  bool skipped = false;     // the order path skips it: never persisted
};

struct tally {
  std::size_t feeds = 0, young = 0, failed = 0, restarts = 0, overlap_catches = 0, webhooks = 0, lost = 0,
              pages = 0;
};

class run {
public:
  run(std::uint64_t seed, bool drafts) : rng_(seed), drafts_(drafts) {
    opts_.overlap_s = 120;
    opts_.grace_s = pick(0, 30);
    opts_.page_size = static_cast<int>(pick(1, 7));
  }

  void play(tally& t) {
    now_ = 1'000'000;
    // Documents before the group's first start are history: never imported.
    for (int i = 0; i < 3; ++i)
      latest_[next_id_] = version{next_id_, now_ - pick(1, 500), 0, false}, ++next_id_;
    m_.emplace(opts_);
    persist(m_->start(now_));
    const int steps = static_cast<int>(pick(50, 200));
    for (int s = 0; s < steps; ++s) {
      now_ += pick(0, 40);
      switch (pick(0, 9)) {
        case 0: case 1: create(now_); break;
        case 2: if (drafts_ && !latest_.empty()) update(); else create(now_); break;
        case 3: case 4: deliver_webhook(t); break;
        case 5: case 6: step_round(t, true); break;
        case 7: ack_one(t, true); break;
        case 8: if (chance(0.15)) restart(t); break;
        default: step_round(t, true); break;
      }
    }
    // Quiescence: no more documents; webhooks either arrive or are gone; rounds run until done.
    while (!webhooks_.empty())
      deliver_webhook(t);
    for (int r = 0; r < 6; ++r) {
      now_ += opts_.overlap_s + opts_.grace_s + 1;
      if (!m_->running())
        consume(m_->begin(now_), t);
      for (int guard = 0; m_->running(); ++guard) {
        ASSERT_LT(guard, 10000) << "a round that never ends";
        if (query_)
          step_round(t, false);
        while (!inflight_.empty())
          ack_one(t, false);
      }
    }
    for (auto& [id, v] : latest_) {
      if (v.at < floor0_) {
        EXPECT_EQ(reached_.count(key(v)), 0u) << "history imported: " << id;
        continue;
      }
      EXPECT_TRUE(reached_.count(key(v))) << "never reached the order path: id " << id << " at " << v.at;
    }
  }

private:
  using vkey = std::pair<shopify_id, std::int64_t>;
  static vkey key(const version& v) { return {v.id, v.at}; }

  std::int64_t pick(std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  void create(std::int64_t at) {
    version v{next_id_++, at, at + pick(0, opts_.overlap_s / 2), chance(0.2)};
    if (trace())
      std::printf("t=%lld create %llu visible %lld skipped=%d\n", (long long)now_, (unsigned long long)v.id,
                  (long long)v.visible, v.skipped);
    add(v);
  }
  void update() {
    auto it = latest_.begin();
    std::advance(it, pick(0, static_cast<std::int64_t>(latest_.size()) - 1));
    if (it->second.at >= now_)
      return;
    version v{it->first, now_, now_ + pick(0, opts_.overlap_s / 2), it->second.skipped};
    add(v);
  }
  void add(const version& v) {
    latest_[v.id] = v;
    if (chance(0.5))
      webhooks_.push_back(v); // else: every delivery lost
  }

  // The order path took a version: persisted (known) unless it skips it.
  void take(const version& v) {
    reached_.insert(key(v));
    if (!v.skipped) {
      auto& k = known_[v.id];
      k = std::max(k, v.at);
    }
  }

  void deliver_webhook(tally& t) {
    if (webhooks_.empty())
      return;
    auto i = static_cast<std::size_t>(pick(0, static_cast<std::int64_t>(webhooks_.size()) - 1));
    auto v = webhooks_[i];
    webhooks_.erase(webhooks_.begin() + static_cast<std::ptrdiff_t>(i));
    ++t.webhooks;
    take(v);
  }

  // Shopify's answer: visible documents (latest versions) with at >= since, ascending by
  // (at, id), after the cursor "<at>:<id>".
  std::vector<listed_document> list(const reconcile_query& q, bool& has_next, std::string& cursor) {
    std::vector<version> vis;
    for (auto& [id, v] : latest_)
      if (v.visible <= now_ && v.at >= q.since)
        vis.push_back(v);
    std::sort(vis.begin(), vis.end(), [](auto& a, auto& b) { return std::make_pair(a.at, a.id) < std::make_pair(b.at, b.id); });
    vkey after{0, INT64_MIN};
    if (!q.after.empty()) {
      auto c = q.after.find(':');
      after = {std::stoull(q.after.substr(c + 1)), std::stoll(q.after.substr(0, c))};
    }
    std::vector<listed_document> out;
    has_next = false;
    for (auto& v : vis) {
      if (!q.after.empty() && std::make_pair(v.at, v.id) <= std::make_pair(after.second, after.first))
        continue;
      if (static_cast<int>(out.size()) == q.first) {
        has_next = true;
        break;
      }
      auto k = known_.find(v.id);
      out.push_back({v.id, v.at, k != known_.end() && k->second >= v.at});
      cursor = std::to_string(v.at) + ":" + std::to_string(v.id);
    }
    return out;
  }

  static bool trace() { return std::getenv("ORECON_TRACE") != nullptr; }
  void consume(reconcile_output out, tally& t) {
    if (trace())
      std::printf("t=%lld consume feed=%zu query=%s since=%lld done=%d persist=%d wm=%lld\n", (long long)now_,
                  out.feed.size(), out.query ? out.query->after.c_str() : "-", out.query ? (long long)out.query->since : 0LL,
                  out.done, out.persist, (long long)m_->watermark());
    for (auto& d : out.feed) {
      ++t.feeds;
      auto v = latest_.at(d.id);
      EXPECT_EQ(v.at, d.at);
      EXPECT_FALSE(persisted_fed_.count({d.id, d.at}))
        << "fed again a version its persisted state says it fed: " << d.id;
      if (d.at < round_watermark_)
        ++t.overlap_catches;
      inflight_.push_back(v);
    }
    if (out.query) {
      query_ = out.query;
      if (out.query->after.empty()) {
        aborted_ = false;
        round_now_ = now_;
        round_watermark_ = m_->watermark();
      }
    }
    if (out.done)
      query_.reset();
    if (out.persist)
      persist(out);
  }

  void step_round(tally& t, bool faults) {
    if (!m_->running()) {
      consume(m_->begin(now_), t);
      return;
    }
    if (!query_)
      return;
    if (faults && chance(0.05)) {
      query_.reset();
      aborted_ = true;
      consume(m_->abort(), t);
      return;
    }
    bool has_next = false;
    std::string cursor;
    auto docs = list(*query_, has_next, cursor);
    if (trace()) {
      std::printf("t=%lld page:", (long long)now_);
      for (auto& d : docs)
        std::printf(" %llu@%lld%s", (unsigned long long)d.id, (long long)d.at, d.known ? "k" : "");
      std::printf(" next=%d\n", has_next);
    }
    ++t.pages;
    for (auto& d : docs)
      if (!d.known && d.at > round_now_ - opts_.grace_s)
        ++t.young;
    auto q = *query_;
    query_.reset();
    consume(m_->page(docs, has_next, cursor), t);
    if (faults && chance(0.05) && m_->running() && !q.after.empty() && !query_) {
      // A page asked again (the answer was lost and the holder repeats it): harmless.
      consume(m_->page(docs, has_next, cursor), t);
    }
  }

  void ack_one(tally& t, bool faults) {
    if (inflight_.empty())
      return;
    auto i = static_cast<std::size_t>(pick(0, static_cast<std::int64_t>(inflight_.size()) - 1));
    auto v = inflight_[i];
    inflight_.erase(inflight_.begin() + static_cast<std::ptrdiff_t>(i));
    bool ok = !faults || !chance(0.1);
    if (trace())
      std::printf("t=%lld ack %llu@%lld ok=%d\n", (long long)now_, (unsigned long long)v.id, (long long)v.at, ok);
    if (ok)
      take(v);
    else
      ++t.failed;
    consume(m_->fed(v.id, v.at, ok), t);
  }

  void restart(tally& t) {
    ++t.restarts;
    if (trace())
      std::printf("t=%lld restart\n", (long long)now_);
    // Acks in flight are lost; the order path may or may not have taken each.
    for (auto& v : inflight_)
      if (chance(0.5))
        take(v);
    inflight_.clear();
    query_.reset();
    auto m = order_reconcile::decode(persisted_, opts_);
    ASSERT_TRUE(static_cast<bool>(m)) << persisted_;
    m_.emplace(std::move(*m));
  }

  void persist(const reconcile_output& out) {
    persisted_ = m_->encode();
    if (floor0_ == 0)
      floor0_ = m_->floor();
    // Watermark, after a round that listed everything: every version visible at the round's
    // start, not known, not fed, lies at or after it (floor excepted: history). (One that
    // became visible later, behind it, is the overlap's: the next full round lists it.)
    const auto wm = m_->watermark();
    for (auto& [id, v] : latest_) {
      if (!out.done || aborted_)
        break;
      if (v.at < m_->floor() || v.at >= wm || v.visible > round_now_)
        continue;
      EXPECT_TRUE(reached_.count(key(v)) || (known_.count(id) && known_[id] >= v.at))
        << "watermark " << wm << " passed unfed id " << id << " at " << v.at;
    }
    auto d = order_reconcile::decode(persisted_, opts_);
    ASSERT_TRUE(static_cast<bool>(d));
    EXPECT_EQ(d->encode(), persisted_);
    persisted_fed_.clear();
    // What the persisted state says was fed (read back through its encoding).
    std::string s = persisted_;
    for (auto pos = s.find(':'); pos != std::string::npos; pos = s.find(':', pos + 1)) {
      auto b = s.rfind(' ', pos) + 1, e = s.find(' ', pos);
      persisted_fed_.insert({std::stoull(s.substr(b, pos - b)), std::stoll(s.substr(pos + 1, e - pos - 1))});
    }
  }

  std::mt19937_64 rng_;
  bool drafts_;
  order_reconcile_options opts_;
  std::optional<order_reconcile> m_;
  std::int64_t now_ = 0, floor0_ = 0, round_now_ = 0, round_watermark_ = 0;
  shopify_id next_id_ = 5000;
  std::map<shopify_id, version> latest_;
  std::vector<version> webhooks_, inflight_;
  std::map<shopify_id, std::int64_t> known_;
  std::set<vkey> reached_, persisted_fed_;
  std::string persisted_;
  std::optional<reconcile_query> query_;
  bool aborted_ = false;
};

int seeds() {
  if (auto* s = std::getenv("SHOPSYNC_PROPERTY_SEEDS"))
    return std::max(1, std::atoi(s));
  return 2000;
}

void run_seeds(bool drafts) {
  tally t;
  int from = 1;
  if (auto* s = std::getenv("ORECON_SEED"))
    from = std::atoi(s);
  for (int seed = from; seed <= seeds(); ++seed) {
    run r(static_cast<std::uint64_t>(seed) * 7919 + (drafts ? 1 : 0), drafts);
    r.play(t);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "seed " << seed << (drafts ? " (drafts)" : " (orders)");
      return;
    }
  }
  // The rules the runs are about were exercised.
  EXPECT_GT(t.feeds, 0u);
  EXPECT_GT(t.young, 0u);
  EXPECT_GT(t.failed, 0u);
  EXPECT_GT(t.restarts, 0u);
  EXPECT_GT(t.overlap_catches, 0u);
  EXPECT_GT(t.pages, t.feeds / 10);
  std::printf("order reconcile (%s): %zu feeds, %zu young left, %zu failed, %zu restarts, %zu caught in the overlap, "
              "%zu webhooks, %zu pages\n",
              drafts ? "drafts" : "orders", t.feeds, t.young, t.failed, t.restarts, t.overlap_catches, t.webhooks,
              t.pages);
}

} // namespace

TEST(OrderReconcileProperty, every_order_reaches_the_order_path_once_whatever_webhooks_pages_and_restarts_do) {
  run_seeds(false);
}

TEST(OrderReconcileProperty, every_draft_version_reaches_the_order_path_whatever_webhooks_pages_and_restarts_do) {
  run_seeds(true);
}

TEST(OrderReconcile, a_new_group_imports_no_history_and_import_since_backfills) {
  order_reconcile m;
  ASSERT_TRUE(m.start(1000).persist);
  auto out = m.begin(1100);
  ASSERT_TRUE(out.query);
  EXPECT_EQ(out.query->since, 1000); // the floor, not watermark - overlap
  out = m.page({{1, 1000, false}, {2, 1010, true}}, false, "");
  ASSERT_EQ(out.feed.size(), 1u);
  EXPECT_EQ(out.feed[0].id, 1u);
  EXPECT_FALSE(out.done); // waits for the acknowledgement
  out = m.fed(1, 1000, true);
  EXPECT_TRUE(out.done);
  EXPECT_TRUE(out.persist);
  EXPECT_EQ(m.watermark(), 1100 - 60);

  // Dry run of a backfill: counts, feeds nothing, moves nothing.
  out = m.begin(1200, 500, true);
  ASSERT_TRUE(out.query);
  EXPECT_EQ(out.query->since, 500);
  out = m.page({{7, 600, false}, {1, 1000, false}, {2, 1010, true}}, false, "");
  EXPECT_TRUE(out.feed.empty());
  EXPECT_TRUE(out.done);
  EXPECT_EQ(out.would_feed, 1u); // 1 was fed already, 2 is known
  EXPECT_EQ(m.watermark(), 1040);
  ASSERT_TRUE(m.import_since(500).persist);
  out = m.begin(1300);
  EXPECT_EQ(out.query->since, 500);
}

TEST(OrderReconcile, a_young_or_failed_document_holds_the_watermark_and_is_fed_next_round) {
  order_reconcile m({300, 60, 100});
  m.start(1000);
  m.begin(2000);
  auto out = m.page({{1, 1500, false}, {2, 1990, false}}, false, "");
  ASSERT_EQ(out.feed.size(), 1u); // 2 is younger than the grace
  out = m.fed(1, 1500, false);
  ASSERT_TRUE(out.done);
  EXPECT_EQ(m.watermark(), 1500);
  out = m.begin(2100);
  EXPECT_EQ(out.query->since, 1200);
  out = m.page({{1, 1500, false}, {2, 1990, false}}, false, "");
  ASSERT_EQ(out.feed.size(), 2u);
  m.fed(1, 1500, true);
  out = m.fed(2, 1990, true);
  ASSERT_TRUE(out.done);
  EXPECT_EQ(m.watermark(), 2040);
  // The next round lists both again (overlap) and feeds neither.
  m.begin(2200);
  out = m.page({{1, 1500, false}, {2, 1990, false}}, false, "");
  EXPECT_TRUE(out.feed.empty());
  EXPECT_TRUE(out.done);
}

} // namespace shopsync::testing
