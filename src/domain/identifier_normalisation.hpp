#pragma once
// How a group reads SKUs and barcodes before matching ([groups.identifiers]): merchants' stores
// often spell one article differently ("ABC-1" in the warehouse, "abc-1 " in the marketplace,
// "WH-ABC-1" with a store prefix). Pure and deterministic.
//
// Order of the steps: trim surrounding whitespace, fold ASCII letters to lower case (when
// case_fold), strip strip_prefix once when the identifier starts with it (compared after the
// fold, so "WH-" also strips "wh-"), trim again. An identifier empty after that has none.
//
// Normalising never merges: two variants of one store whose identifiers differ only before
// normalisation ("ABC-1" and "abc-1 ") get one key, and the matcher reports that key as a
// duplicate in that store (never synced), exactly as two equal SKUs.
#include <optional>
#include <string>
#include <string_view>

namespace shopsync {

struct identifier_normalisation {
  bool case_fold = false;   // ASCII letters only: SKUs and barcodes are ASCII in practice
  std::string strip_prefix; // empty: none

  bool identity() const { return !case_fold && strip_prefix.empty(); }
  friend bool operator==(const identifier_normalisation& a, const identifier_normalisation& b) {
    return a.case_fold == b.case_fold && a.strip_prefix == b.strip_prefix;
  }
};

// The SKU or barcode as the group matches it; nullopt when nothing is left.
std::optional<std::string> normalise_identifier(const identifier_normalisation&, std::string_view raw);

// Why a configured prefix cannot work (nullopt: it can): it must not be only whitespace, nor
// begin or end with it (identifiers are trimmed before the prefix is stripped).
std::optional<std::string> strip_prefix_problem(std::string_view prefix);

} // namespace shopsync
