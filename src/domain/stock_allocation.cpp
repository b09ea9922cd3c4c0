#include "domain/stock_allocation.hpp"

#include "domain/product_filter.hpp"

#include <algorithm>

namespace shopsync {

std::int64_t apply_rule(const stock_rule& r, std::int64_t source) {
  if (source <= r.buffer)
    return 0;
  const std::int64_t v = source - r.buffer; // > 0, no overflow: buffer >= 0
  if (r.percent >= 100)
    return v;
  if (r.percent <= 0)
    return 0;
  return (v / 100) * r.percent + (v % 100) * r.percent / 100;
}

std::vector<std::string> allocation_tags(const std::vector<allocation_rule>& rules) {
  std::vector<std::string> tags;
  for (auto& r : rules)
    if (!r.tag.empty() && !has_tag(tags, r.tag))
      tags.push_back(r.tag);
  return tags;
}

std::uint8_t allocation_tag_bits(const std::vector<std::string>& tags, const std::vector<std::string>& product_tags) {
  std::uint8_t bits = 0;
  for (std::size_t i = 0; i < tags.size() && i < max_allocation_tags; ++i)
    if (has_tag(product_tags, tags[i]))
      bits = static_cast<std::uint8_t>(bits | (1u << i));
  return bits;
}

stock_rule rule_for(const std::vector<allocation_rule>& rules, const std::vector<std::string>& tags,
                    std::string_view store, std::uint8_t bits) {
  const allocation_rule* fallback = nullptr;
  for (auto& r : rules) {
    if (r.store != store)
      continue;
    if (r.tag.empty()) {
      if (!fallback)
        fallback = &r;
      continue;
    }
    for (std::size_t i = 0; i < tags.size() && i < max_allocation_tags; ++i)
      if ((bits >> i) & 1u && has_tag({tags[i]}, r.tag))
        return r.rule;
  }
  return fallback ? fallback->rule : stock_rule{};
}

} // namespace shopsync
