#pragma once
// Which products a sync group syncs ([groups.filter]): by product tag, vendor and product type,
// as the Source's catalog says (the Source leads the group; its product decides for the
// identity in every store). Pure and deterministic.
//
// A product is included when it passes every include list that is not empty (it has one of the
// include_tags, its vendor is one of include_vendors, its type one of include_product_types)
// and matches no exclude list (none of exclude_tags, vendor not in exclude_vendors, type not in
// exclude_product_types). Exclusion wins. Comparisons ignore surrounding whitespace and ASCII
// case: Shopify's tags are case-insensitive ("Sale" and "sale" are one tag), and a vendor typed
// twice differently is still one vendor to a merchant. Excluded identities are not synced and
// are listed as `excluded` by `shopsyncctl mappings`, not as problems.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

struct product_filter {
  std::vector<std::string> include_tags, exclude_tags;
  std::vector<std::string> include_vendors, exclude_vendors;
  std::vector<std::string> include_product_types, exclude_product_types;

  bool empty() const;
};

// What the filter needs of a product.
struct product_facts {
  std::vector<std::string> tags;
  std::string vendor;
  std::string product_type;
};

bool included(const product_filter&, const product_facts&);

// A webhook's `tags` ("a, b": one string, comma-separated) as a list, each trimmed, empty ones
// dropped.
std::vector<std::string> split_tags(std::string_view);

// Whether `tags` holds `tag` (trimmed, ASCII case ignored).
bool has_tag(const std::vector<std::string>& tags, std::string_view tag);

// Why a configured name cannot match anything (nullopt: it can): empty, or a tag with a comma
// (Shopify's tags cannot hold one).
std::optional<std::string> filter_name_problem(std::string_view name, bool is_tag);

} // namespace shopsync
