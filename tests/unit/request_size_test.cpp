// The request sizer: a request sized by it fits the store's bucket and Shopify's single-query
// limit, whatever the real cost per item, after at most a few refusals; a 250-point bucket
// gets pages that fit it (the 100-variant page of a 2,000-point bucket never would).
#include "domain/request_size.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

using namespace shopsync;

namespace {

// A store whose rules price a request of n items at fixed + per_item * n.
struct store_rules {
  double fixed, per_item, bucket;
  double price(std::size_t n) const { return fixed + per_item * static_cast<double>(n); }
  bool runs(std::size_t n) const { return price(n) <= bucket && price(n) <= single_query_max_cost; }
};

int seeds() {
  if (const char* s = std::getenv("SHOPSYNC_PROPERTY_SEEDS"))
    return std::max(1, std::atoi(s));
  return 2000;
}

} // namespace

TEST(RequestSize, a_catalog_page_shrinks_to_fit_a_250_point_bucket_and_stays_there) {
  request_sizer s({2, 3, 250, 0.5});
  EXPECT_EQ(s.size(100), 100u); // nothing known yet: the caller's page
  const store_rules rules{2, 3, 250};
  ASSERT_FALSE(rules.runs(100)); // 302 points: THROTTLED for ever
  s.bucket(250);
  EXPECT_TRUE(s.refused(100, 250));
  const auto n = s.size(100);
  EXPECT_LT(n, 100u);
  EXPECT_TRUE(rules.runs(n));
  EXPECT_LE(s.cost(n), 125.0); // half the bucket: room left for writes
  s.observed(n, rules.price(n));
  EXPECT_EQ(s.size(100), n);
}

TEST(RequestSize, a_large_bucket_keeps_the_callers_size_under_the_single_query_limit) {
  request_sizer s({1, 3, 250, 0.5});
  s.bucket(2000);
  s.observed(250, 751);
  EXPECT_EQ(s.size(250), 250u);
  s.observed(250, 1501); // 6 points per level: 250 would exceed 1,000
  EXPECT_LE(s.cost(s.size(250)), single_query_max_cost);
  EXPECT_EQ(s.size(250), 166u);
}

TEST(RequestSize, a_refusal_of_one_item_says_nothing_smaller_exists) {
  request_sizer s({2, 3, 250, 0.5});
  s.bucket(4);
  EXPECT_FALSE(s.refused(1, 4));
  EXPECT_EQ(s.size(100), 1u);
}

TEST(RequestSize, when_one_item_exceeds_the_share_a_request_may_take_the_whole_bucket) {
  request_sizer s({2, 100, 250, 0.25});
  s.bucket(250);
  EXPECT_EQ(s.size(10), 2u); // 202 points: above a quarter of the bucket, within it
}

TEST(RequestSize, a_bigger_bucket_lets_sizes_grow_again) {
  request_sizer s({2, 3, 100, 0.5});
  s.bucket(250);
  s.refused(100, 250);
  const auto small = s.size(100);
  s.observed(small, 2 + 3.0 * small);
  s.bucket(2000);
  EXPECT_EQ(s.size(100), 100u);
}

// Any cost rule, any bucket: refusals shrink the request until it runs, in a few steps, and the
// size never leaves 1 .. wanted; once it ran, its answer keeps the next ones running.
TEST(RequestSize, property_sized_requests_run_after_few_refusals) {
  const int n_seeds = seeds();
  int shrunk = 0, never = 0;
  for (int seed = 1; seed <= n_seeds; ++seed) {
    std::mt19937_64 rng(seed);
    auto uni = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
    const store_rules rules{2, std::floor(uni(1, 20) * 2) / 2, std::floor(uni(20, 10000))};
    request_sizer s({2, uni(0.5, 5), 250, uni(0.2, 1.0)});
    const std::size_t wanted = 1 + rng() % 250;
    int refusals = 0;
    bool ran = false;
    for (int attempt = 0; attempt < 40 && !ran; ++attempt) {
      const auto n = s.size(wanted);
      ASSERT_GE(n, 1u) << "seed " << seed;
      ASSERT_LE(n, wanted) << "seed " << seed;
      if (rules.runs(n)) {
        s.bucket(rules.bucket);
        s.observed(n, rules.price(n));
        ran = true;
        break;
      }
      ++refusals;
      s.bucket(rules.bucket);
      const double maximum = rules.price(n) > single_query_max_cost ? single_query_max_cost : rules.bucket;
      if (!s.refused(n, maximum)) {
        ASSERT_EQ(n, 1u) << "seed " << seed;
        ASSERT_FALSE(rules.runs(1)) << "seed " << seed;
        ++never;
        break;
      }
    }
    if (!ran)
      continue;
    shrunk += refusals > 0;
    EXPECT_LE(refusals, 9) << "seed " << seed;
    // Learnt: every later request of any size runs at once.
    for (std::size_t w : {std::size_t{1}, wanted, std::size_t{250}})
      EXPECT_TRUE(rules.runs(s.size(w))) << "seed " << seed << " wanted " << w;
  }
  // Coverage: both paths were exercised.
  EXPECT_GT(shrunk, 0);
  EXPECT_GE(never, 0);
}
