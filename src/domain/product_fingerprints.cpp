#include "domain/product_fingerprints.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace shopsync {

namespace {

// splitmix64's finaliser: every input bit reaches every output bit.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t fold(std::uint64_t h, std::uint64_t v) { return mix(h ^ mix(v)); }

std::uint64_t fold_row(std::uint64_t h, const fingerprint_row& r) {
  h = fold(h, r.variant);
  h = fold(h, r.item);
  std::string_view key = r.key.value_or(std::string_view{});
  h = fold(h, key.size());
  // 8 bytes at a time, the tail zero-padded (the length above tells "ab" from "ab\0").
  for (std::size_t i = 0; i < key.size(); i += 8) {
    std::uint64_t w = 0;
    for (std::size_t j = 0; j < 8 && i + j < key.size(); ++j)
      w |= static_cast<std::uint64_t>(static_cast<unsigned char>(key[i + j])) << (8 * j);
    h = fold(h, w);
  }
  return fold(h, (r.marks.excluded ? 0x100u : 0u) | r.marks.tag_bits);
}

} // namespace

std::uint64_t product_digest(std::vector<fingerprint_row> rows) {
  // By variant, then by everything else, so that equal multisets of rows give equal digests.
  std::sort(rows.begin(), rows.end(), [](const fingerprint_row& a, const fingerprint_row& b) {
    auto ka = a.key.value_or(std::string_view{}), kb = b.key.value_or(std::string_view{});
    return std::tie(a.variant, a.item, ka, a.marks.excluded, a.marks.tag_bits) <
           std::tie(b.variant, b.item, kb, b.marks.excluded, b.marks.tag_bits);
  });
  std::uint64_t h = mix(rows.size());
  for (auto& r : rows)
    h = fold_row(h, r);
  return h;
}

product_fingerprints product_fingerprints::of(const keyed_catalog& c) {
  auto& rows = c.rows();
  std::vector<std::uint32_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::tie(rows[a].store, rows[a].product) < std::tie(rows[b].store, rows[b].product);
  });
  product_fingerprints out;
  std::vector<fingerprint_row> product;
  for (std::size_t i = 0; i < order.size();) {
    auto& first = rows[order[i]];
    product.clear();
    for (; i < order.size() && rows[order[i]].store == first.store && rows[order[i]].product == first.product; ++i) {
      auto& r = rows[order[i]];
      product.push_back({r.variant, r.item, c.key(r), {r.excluded != 0, r.tag_bits}});
    }
    out.entries_.push_back({first.product, product_digest(product), first.store});
  }
  out.entries_.shrink_to_fit();
  return out;
}

std::size_t product_fingerprints::lower(std::uint16_t store, product_id p) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), std::make_tuple(store, p),
                             [](const entry& e, const auto& k) { return std::tie(e.store, e.product) < k; });
  return static_cast<std::size_t>(it - entries_.begin());
}

bool product_fingerprints::at(std::size_t i, std::uint16_t store, product_id p) const {
  return i < entries_.size() && entries_[i].store == store && entries_[i].product == p;
}

std::optional<std::uint64_t> product_fingerprints::find(std::uint16_t store, product_id p) const {
  auto i = lower(store, p);
  if (!at(i, store, p))
    return std::nullopt;
  return entries_[i].digest;
}

void product_fingerprints::set(std::uint16_t store, product_id p, std::uint64_t digest) {
  auto i = lower(store, p);
  if (at(i, store, p))
    entries_[i].digest = digest;
  else
    entries_.insert(entries_.begin() + static_cast<std::ptrdiff_t>(i), entry{p, digest, store});
}

void product_fingerprints::forget(std::uint16_t store, product_id p) {
  auto i = lower(store, p);
  if (at(i, store, p))
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
}

} // namespace shopsync
