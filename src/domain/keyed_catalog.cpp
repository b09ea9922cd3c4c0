#include "domain/keyed_catalog.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace shopsync {

void keyed_catalog::add(std::uint16_t store, shopsync::product_id product, shopsync::variant_id variant,
                        inventory_item_id item, std::optional<std::string_view> key, marks m) {
  static_assert(sizeof(row) == 40, "a row stays 40 B (a million-variant catalog in ~60 MB)");
  row r{product, variant, item, static_cast<std::uint32_t>(keys_.size()), 0, store,
        static_cast<std::uint8_t>(m.excluded ? 1 : 0), m.tag_bits, next_seq_++};
  if (key && !key->empty()) {
    r.key_len = static_cast<std::uint32_t>(key->size());
    keys_.append(key->data(), key->size());
    live_key_bytes_ += key->size();
  }
  rows_.push_back(r);
}

void keyed_catalog::set_key(std::size_t i, std::optional<std::string_view> key) {
  auto& r = rows_[i];
  live_key_bytes_ -= r.key_len;
  r.key_at = static_cast<std::uint32_t>(keys_.size());
  r.key_len = 0;
  if (key && !key->empty()) {
    r.key_len = static_cast<std::uint32_t>(key->size());
    keys_.append(key->data(), key->size());
    live_key_bytes_ += key->size();
  }
  compact_keys_if_wasteful();
}

void keyed_catalog::sort_unique() {
  // Among equal pairs the row added last ends last and is kept. In place: std::stable_sort would
  // take a buffer as big as a million-row catalog. (seq wraps after 4 G additions; only rows
  // added that far apart would be misordered.)
  std::sort(rows_.begin(), rows_.end(), [](const row& a, const row& b) {
    return std::tie(a.store, a.variant, a.seq) < std::tie(b.store, b.variant, b.seq);
  });
  std::size_t out = 0;
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    bool last = i + 1 == rows_.size() || rows_[i + 1].store != rows_[i].store || rows_[i + 1].variant != rows_[i].variant;
    if (last)
      rows_[out++] = rows_[i];
    else
      live_key_bytes_ -= rows_[i].key_len;
  }
  rows_.resize(out);
  compact_keys_if_wasteful();
}

void keyed_catalog::clear() noexcept {
  rows_.clear();
  next_seq_ = 0;
  keys_.clear();
  live_key_bytes_ = 0;
}

void keyed_catalog::shrink_to_fit() {
  rows_.shrink_to_fit();
  keys_.shrink_to_fit();
}

void keyed_catalog::compact_keys_if_wasteful() {
  if (keys_.size() < 4096 || live_key_bytes_ * 2 > keys_.size())
    return;
  std::string packed;
  packed.reserve(live_key_bytes_);
  for (auto& r : rows_) {
    auto at = static_cast<std::uint32_t>(packed.size());
    packed.append(keys_.data() + r.key_at, r.key_len);
    r.key_at = at;
  }
  keys_ = std::move(packed);
}

} // namespace shopsync
