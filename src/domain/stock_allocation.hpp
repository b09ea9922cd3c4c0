#pragma once
// Safety buffers and allocation ([[groups.allocation]]): what a one-way (or order, or
// draft_order) Destination shows for the Source's quantity. Pure and deterministic.
//
//   shown = floor(max(0, Source - buffer) * percent / 100)
//
// buffer 0 and percent 100 (no rule) is plain following: max(0, Source). A merchant keeps a
// few units back from a marketplace (buffer), or offers it only part of the stock (percent),
// per Destination, optionally per product tag: the first rule of the Destination whose tag the
// Source's product has wins, else the Destination's rule without a tag, else none.
// A Destination's own sale still lowers the Source through its order (order groups) or the
// merchant's restock; the Destination then shows the rule applied to the new Source value.
//
// Not in two_way groups (validation refuses it): there every store holds one shared stock and
// a sale anywhere travels as a delta to every other store. A Destination kept below the Source
// would have to take the Source's deltas at full size and its own sales back at full size, so
// after a sale the Destination would no longer show Source - buffer; no per-store rule holds
// under deltas without turning the group into one_way.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

struct stock_rule {
  std::int64_t buffer = 0; // units kept back (0..max_buffer)
  int percent = 100;       // share offered (0..100), rounded down

  bool plain() const { return buffer == 0 && percent == 100; }
  friend bool operator==(const stock_rule& a, const stock_rule& b) {
    return a.buffer == b.buffer && a.percent == b.percent;
  }
  friend bool operator!=(const stock_rule& a, const stock_rule& b) { return !(a == b); }
};

inline constexpr std::int64_t max_buffer = 1000000000; // Shopify's largest quantity

// floor(max(0, source - buffer) * percent / 100), never below 0, exact for every int64 source.
std::int64_t apply_rule(const stock_rule&, std::int64_t source);

// One [[groups.allocation]] table.
struct allocation_rule {
  std::string store; // a Destination of the group
  std::string tag;   // empty: the Destination's rule for every product without a tagged rule
  stock_rule rule;
};

// The distinct tags of tagged rules, in the rules' order: bit i of a product's tag bits says
// whether it has tags[i]. At most max_allocation_tags (validation says so).
inline constexpr std::size_t max_allocation_tags = 8;
std::vector<std::string> allocation_tags(const std::vector<allocation_rule>&);
std::uint8_t allocation_tag_bits(const std::vector<std::string>& allocation_tags,
                                 const std::vector<std::string>& product_tags);

// The rule of Destination `store` for a product whose tag bits are `bits`.
stock_rule rule_for(const std::vector<allocation_rule>&, const std::vector<std::string>& allocation_tags,
                    std::string_view store, std::uint8_t bits);

} // namespace shopsync
