#include "domain/identity_table.hpp"

#include "domain/matcher.hpp"

#include <memory>

namespace shopsync {

identity_table::identity_table(std::vector<store_name> stores) : stores_(std::move(stores)) {}

std::size_t identity_table::count(std::size_t i) const noexcept {
  std::size_t n = 0;
  for (std::size_t s = 0; s < stores_.size(); ++s)
    n += present_[i * stores_.size() + s] != 0;
  return n;
}

void identity_table::add(std::string_view key, const variant_ref* refs, const bool* present) {
  keys_.append(key.data(), key.size());
  key_end_.push_back(keys_.size());
  for (std::size_t s = 0; s < stores_.size(); ++s) {
    refs_.push_back(present[s] ? refs[s] : variant_ref{});
    present_.push_back(present[s] ? 1 : 0);
  }
}

void identity_table::add(const identity_mapping& id) {
  std::vector<variant_ref> refs(stores_.size());
  std::unique_ptr<bool[]> present(new bool[stores_.size()]());
  for (auto& v : id.stores)
    for (std::size_t s = 0; s < stores_.size(); ++s)
      if (stores_[s] == v.store && !present[s]) {
        refs[s] = {v.product_id, v.variant_id, v.inventory_item};
        present[s] = true;
        break;
      }
  add(id.key, refs.data(), present.get());
}

void identity_table::reserve(std::size_t identities, std::size_t key_bytes) {
  keys_.reserve(key_bytes);
  key_end_.reserve(identities);
  refs_.reserve(identities * stores_.size());
  present_.reserve(identities * stores_.size());
}

void identity_table::shrink_to_fit() {
  keys_.shrink_to_fit();
  key_end_.shrink_to_fit();
  refs_.shrink_to_fit();
  present_.shrink_to_fit();
}

identity_mapping identity_table::materialize(std::size_t i) const {
  identity_mapping m;
  m.key = std::string(key(i));
  for (std::size_t s = 0; s < stores_.size(); ++s)
    if (has(i, s)) {
      auto& r = ref(i, s);
      m.stores.push_back({stores_[s], r.product, r.variant, r.item});
    }
  return m;
}

bool operator==(const identity_table& a, const identity_table& b) {
  return a.stores_ == b.stores_ && a.key_end_ == b.key_end_ && a.keys_ == b.keys_ && a.present_ == b.present_ &&
         a.refs_ == b.refs_;
}

} // namespace shopsync
