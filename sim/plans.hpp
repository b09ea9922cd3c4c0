#pragma once
// Shopify plans and their GraphQL Admin API cost buckets. Restore rates: shopify.dev "GraphQL
// Admin API rate limits" (Standard 100 points/s, Advanced Shopify 200, Shopify Plus 1000,
// Shopify for enterprise 2000). Bucket sizes: the contract's Standard figure (2000 points at
// 100/s, ../shared/shopify/README.md "Rate limits"); the docs page names no size for the other
// plans, so they keep the same 20 seconds of restore (4000, 20000, 40000) — a guess.
#include <optional>
#include <string>
#include <string_view>

namespace shopsync::sim {

struct plan_bucket {
  double maximum = 2000;
  double restore_rate = 100;
};

// "standard", "advanced", "plus" or "enterprise"; nullopt for any other name.
std::optional<plan_bucket> bucket_of_plan(std::string_view plan);

} // namespace shopsync::sim
