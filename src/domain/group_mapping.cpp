#include "domain/group_mapping.hpp"

#include <memory>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <tuple>

namespace shopsync {

namespace {

// gm1 (text, read only): fields are tab-separated, records newline-separated, both escaped.
std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> fields(1);
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\t') {
      fields.emplace_back();
    } else if (c == '\\' && i + 1 < line.size()) {
      char n = line[++i];
      fields.back().push_back(n == 't' ? '\t' : n == 'n' ? '\n' : n);
    } else {
      fields.back().push_back(c);
    }
  }
  return fields;
}

bool num(const std::string& s, std::uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

error corrupt(const std::string& why) { return error{error_kind::mapping_corrupt, "stored mapping unreadable: " + why}; }

result<group_mapping> decode_gm1(const group_config& group, const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "gm1")
    return corrupt("unknown version");
  catalog_match match;
  location_mapping locs;
  while (std::getline(in, line)) {
    auto f = split(line);
    if (f.empty() || f[0].empty())
      return corrupt("empty record");
    std::uint64_t a = 0, b = 0, c = 0;
    if (f[0] == "I") {
      if (f.size() < 2 || (f.size() - 2) % 4 != 0)
        return corrupt("identity record");
      identity_mapping id;
      id.key = f[1];
      for (std::size_t i = 2; i < f.size(); i += 4) {
        if (!num(f[i + 1], a) || !num(f[i + 2], b) || !num(f[i + 3], c))
          return corrupt("identity ids");
        id.stores.push_back({f[i], a, b, c});
      }
      match.identities.push_back(std::move(id));
    } else if (f[0] == "P") {
      if (f.size() < 4 || !num(f[1], a) || a > 3)
        return corrupt("problem record");
      match_problem p;
      p.kind = static_cast<match_problem_kind>(a);
      p.key = f[2];
      p.store = f[3];
      for (std::size_t i = 4; i < f.size(); ++i) {
        if (!num(f[i], b))
          return corrupt("problem variants");
        p.variants.push_back(b);
      }
      match.problems.push_back(std::move(p));
    } else if (f[0] == "S") {
      if (f.size() < 3 || !num(f[2], a))
        return corrupt("slot record");
      location_slot s;
      s.name = f[1];
      s.source = a;
      for (std::size_t i = 3; i < f.size(); ++i) {
        if (f[i] == "-") {
          s.destinations.push_back(std::nullopt);
        } else if (num(f[i], b)) {
          s.destinations.push_back(b);
        } else {
          return corrupt("slot destinations");
        }
      }
      locs.slots.push_back(std::move(s));
    } else if (f[0] == "L") {
      if (f.size() != 5 || !num(f[1], a) || a > 6 || !num(f[2], b))
        return corrupt("location problem record");
      locs.problems.push_back({static_cast<location_problem_kind>(a), b != 0, f[3], f[4]});
    } else {
      return corrupt("unknown record " + f[0]);
    }
  }
  return group_mapping(group, std::move(match), std::move(locs));
}

// gm2: varints (LEB128) and length-prefixed strings.
class writer {
public:
  std::string out;
  void u(std::uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
  void s(std::string_view v) {
    u(v.size());
    out.append(v.data(), v.size());
  }
};

class reader {
public:
  explicit reader(std::string_view in) : in_(in) {}
  bool u(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ >= in_.size())
        return false;
      auto b = static_cast<unsigned char>(in_[at_++]);
      if (shift == 63 && (b & 0x7e))
        return false; // more than 64 bits
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80))
        return true;
    }
    return false;
  }
  bool s(std::string_view& v) {
    std::uint64_t n = 0;
    if (!u(n) || n > in_.size() - at_)
      return false;
    v = in_.substr(at_, n);
    at_ += n;
    return true;
  }
  bool s(std::string& v) {
    std::string_view sv;
    if (!s(sv))
      return false;
    v.assign(sv.data(), sv.size());
    return true;
  }
  // A count of records that each take at least `min_bytes`: refuses counts the input cannot hold.
  bool count(std::uint64_t& n, std::size_t min_bytes) { return u(n) && n <= (in_.size() - at_) / min_bytes; }
  bool done() const { return at_ == in_.size(); }

private:
  std::string_view in_;
  std::size_t at_ = 0;
};

} // namespace

group_mapping::group_mapping(const group_config& group, catalog_match match, location_mapping locations)
  : locations_(std::move(locations)) {
  init(group);
  table_.reserve(match.identities.size(), 0);
  for (auto& id : match.identities)
    table_.add(id);
  problems_ = std::move(match.problems);
  excluded_ = std::move(match.excluded);
  if (std::any_of(match.tag_bits.begin(), match.tag_bits.end(), [](std::uint8_t b) { return b != 0; }))
    tag_bits_ = std::move(match.tag_bits);
  tag_bits_.resize(tag_bits_.empty() ? 0 : table_.size());
  build_index();
}

group_mapping::group_mapping(const group_config& group, keyed_match match, location_mapping locations)
  : locations_(std::move(locations)) {
  init(group);
  if (match.identities.stores() == table_.stores()) {
    table_ = std::move(match.identities);
  } else { // not made for this group's stores: re-laid by store name
    for (std::size_t i = 0; i < match.identities.size(); ++i)
      table_.add(match.identities.materialize(i));
  }
  problems_ = std::move(match.problems);
  excluded_ = std::move(match.excluded);
  tag_bits_ = std::move(match.tag_bits);
  tag_bits_.resize(tag_bits_.empty() ? 0 : table_.size());
  build_index();
}

void group_mapping::init(const group_config& group) {
  group_ = group.name;
  mode_ = sync_mode_for(group);
  destinations_ = group.destinations;
  allocation_ = group.allocation;
  allocation_tags_ = allocation_tags(group.allocation);
  std::vector<store_name> stores{group.source};
  stores.insert(stores.end(), group.destinations.begin(), group.destinations.end());
  table_ = identity_table(std::move(stores));
}

namespace {

// Stable LSD radix sort of entries by id, 11 bits a pass, skipping the passes whose digit is the
// same everywhere: ~10x faster than std::sort on a million entries, which a restart waits for.
template <class Entry>
void radix_sort_by_id(typename std::vector<Entry>::iterator first, typename std::vector<Entry>::iterator last,
                      std::vector<Entry>& tmp) {
  const auto n = static_cast<std::size_t>(last - first);
  if (n < 2)
    return;
  tmp.resize(n);
  constexpr int bits = 11;
  constexpr std::size_t buckets = std::size_t{1} << bits;
  std::vector<std::size_t> count(buckets);
  std::uint64_t all_or = 0, all_and = ~std::uint64_t{0};
  for (auto it = first; it != last; ++it) {
    all_or |= it->id;
    all_and &= it->id;
  }
  bool in_tmp = false;
  for (int shift = 0; shift < 64; shift += bits) {
    const std::uint64_t mask = (buckets - 1) << shift;
    if ((all_or & mask) == (all_and & mask))
      continue; // every entry has the same digit here
    std::fill(count.begin(), count.end(), 0);
    auto digit = [&](const Entry& e) { return static_cast<std::size_t>((e.id >> shift) & (buckets - 1)); };
    if (!in_tmp) {
      for (auto it = first; it != last; ++it)
        count[digit(*it)]++;
    } else {
      for (auto& e : tmp)
        count[digit(e)]++;
    }
    std::size_t sum = 0;
    for (auto& c : count) {
      auto k = c;
      c = sum;
      sum += k;
    }
    if (!in_tmp) {
      for (auto it = first; it != last; ++it)
        tmp[count[digit(*it)]++] = *it;
    } else {
      for (auto& e : tmp)
        first[static_cast<std::ptrdiff_t>(count[digit(e)]++)] = e;
    }
    in_tmp = !in_tmp;
  }
  if (in_tmp)
    std::copy(tmp.begin(), tmp.end(), first);
}

} // namespace

void group_mapping::build_index() {
  const auto n = table_.size(), ns = table_.store_count();
  by_item_.clear();
  by_variant_.clear();
  by_key_.clear();
  std::size_t entries = 0;
  for (std::size_t i = 0; i < n; ++i)
    entries += table_.count(i);
  by_item_.reserve(entries);
  by_variant_.reserve(entries);
  // Store by store, identities ascending: a stable sort by id within each store then gives
  // the (store, id, identity) order.
  std::vector<id_entry> tmp;
  for (std::size_t s = 0; s < ns; ++s) {
    auto begin = by_item_.size();
    for (std::size_t i = 0; i < n; ++i)
      if (table_.has(i, s)) {
        auto& r = table_.ref(i, s);
        by_item_.push_back({r.item, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(s)});
        by_variant_.push_back({r.variant, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(s)});
      }
    auto b = static_cast<std::ptrdiff_t>(begin);
    radix_sort_by_id<id_entry>(by_item_.begin() + b, by_item_.end(), tmp);
    radix_sort_by_id<id_entry>(by_variant_.begin() + b, by_variant_.end(), tmp);
  }
  bool sorted = true;
  for (std::size_t i = 1; i < n && sorted; ++i)
    sorted = table_.key(i - 1) < table_.key(i);
  if (!sorted) { // identities not added in key order (hand-made mappings in tests)
    by_key_.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      by_key_[i] = static_cast<std::uint32_t>(i);
    std::stable_sort(by_key_.begin(), by_key_.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return table_.key(a) < table_.key(b); });
  }
}

std::optional<std::size_t> group_mapping::store_index(const store_name& store) const {
  auto& stores = table_.stores();
  for (std::size_t s = 0; s < stores.size(); ++s)
    if (stores[s] == store)
      return s;
  return std::nullopt;
}

std::optional<std::size_t> group_mapping::lookup(const std::vector<id_entry>& index, std::size_t store,
                                                 std::uint64_t id) {
  auto it = std::lower_bound(index.begin(), index.end(), std::make_pair(store, id),
                             [](const id_entry& e, const std::pair<std::size_t, std::uint64_t>& k) {
                               return std::tie(e.store, e.id) < std::tie(k.first, k.second);
                             });
  if (it == index.end() || it->store != store || it->id != id)
    return std::nullopt;
  return it->identity;
}

std::optional<std::size_t> group_mapping::find(const store_name& store, inventory_item_id item) const {
  auto s = store_index(store);
  return s ? lookup(by_item_, *s, item) : std::nullopt;
}

std::optional<std::size_t> group_mapping::find_variant(const store_name& store, variant_id variant) const {
  auto s = store_index(store);
  return s ? lookup(by_variant_, *s, variant) : std::nullopt;
}

std::optional<std::size_t> group_mapping::find_key(std::string_view key) const {
  const auto n = table_.size();
  std::size_t lo = 0, hi = n;
  auto at = [&](std::size_t k) -> std::size_t { return by_key_.empty() ? k : by_key_[k]; };
  while (lo < hi) {
    auto mid = lo + (hi - lo) / 2;
    if (table_.key(at(mid)) < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == n || table_.key(at(lo)) != key)
    return std::nullopt;
  return at(lo);
}

stock_rule group_mapping::rule(std::size_t i, std::size_t d) const {
  if (allocation_.empty() || d >= destinations_.size())
    return {};
  return rule_for(allocation_, allocation_tags_, destinations_[d], tag_bits(i));
}

item_layout group_mapping::layout(std::size_t i) const {
  std::vector<stock_rule> rules;
  if (!allocation_.empty() && mode_ != sync_mode::two_way)
    for (std::size_t d = 0; d < destinations_.size(); ++d)
      rules.push_back(rule(i, d));
  return make_item_layout(table_.materialize(i), locations_, destinations_, mode_, rules);
}

bool group_mapping::same_stores(std::size_t i, const group_mapping& other, std::size_t j) const {
  if (table_.stores() != other.table_.stores())
    return false;
  if (tag_bits(i) != other.tag_bits(j))
    return false;
  for (std::size_t s = 0; s < table_.store_count(); ++s) {
    if (table_.has(i, s) != other.table_.has(j, s))
      return false;
    if (table_.has(i, s) && table_.ref(i, s).item != other.table_.ref(j, s).item)
      return false;
  }
  return true;
}

namespace {

bool same_slots(const location_mapping& a, const location_mapping& b) {
  if (a.slots.size() != b.slots.size())
    return false;
  for (std::size_t i = 0; i < a.slots.size(); ++i)
    if (a.slots[i].name != b.slots[i].name || a.slots[i].source != b.slots[i].source ||
        a.slots[i].destinations != b.slots[i].destinations || a.slots[i].adds != b.slots[i].adds)
      return false;
  return true;
}

bool same_problems(const std::vector<match_problem>& a, const std::vector<match_problem>& b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].kind != b[i].kind || a[i].key != b[i].key || a[i].store != b[i].store || a[i].variants != b[i].variants)
      return false;
  return true;
}

bool same_location_problems(const std::vector<location_problem>& a, const std::vector<location_problem>& b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].kind != b[i].kind || a[i].error != b[i].error || a[i].store != b[i].store || a[i].name != b[i].name)
      return false;
  return true;
}

} // namespace

bool group_mapping::same_identities(const group_mapping& other) const {
  return mode_ == other.mode_ && table_ == other.table_ && same_slots(locations_, other.locations_) &&
         tag_bits_ == other.tag_bits_;
}

bool group_mapping::same_as(const group_mapping& other) const {
  return group_ == other.group_ && same_identities(other) && same_problems(problems_, other.problems_) &&
         same_location_problems(locations_.problems, other.locations_.problems) && excluded_ == other.excluded_;
}

bool group_mapping::same_as(const keyed_match& match, const location_mapping& locations) const {
  auto bits = match.tag_bits;
  if (std::all_of(bits.begin(), bits.end(), [](std::uint8_t b) { return b == 0; }))
    bits.clear();
  else
    bits.resize(match.identities.size());
  return table_ == match.identities && same_slots(locations_, locations) && same_problems(problems_, match.problems) &&
         same_location_problems(locations_.problems, locations.problems) && excluded_ == match.excluded &&
         tag_bits_ == bits;
}

std::string group_mapping::encode() const {
  writer w;
  w.out = "gm2";
  const auto ns = table_.store_count();
  w.u(ns);
  for (auto& s : table_.stores())
    w.s(s);
  w.u(table_.size());
  for (std::size_t i = 0; i < table_.size(); ++i) {
    w.s(table_.key(i));
    for (std::size_t s = 0; s < ns; ++s) {
      if (!table_.has(i, s)) {
        w.u(0);
        continue;
      }
      auto& r = table_.ref(i, s);
      w.u(1);
      w.u(r.product);
      w.u(r.variant);
      w.u(r.item);
    }
  }
  w.u(problems_.size());
  for (auto& p : problems_) {
    w.u(static_cast<std::uint64_t>(p.kind));
    w.s(p.key);
    w.s(p.store);
    w.u(p.variants.size());
    for (auto v : p.variants)
      w.u(v);
  }
  w.u(locations_.slots.size());
  for (auto& s : locations_.slots) {
    w.s(s.name);
    w.u(s.source);
    w.u(s.destinations.size());
    for (auto& d : s.destinations) {
      w.u(d ? 1 : 0);
      if (d)
        w.u(*d);
    }
  }
  w.u(locations_.problems.size());
  for (auto& p : locations_.problems) {
    w.u(static_cast<std::uint64_t>(p.kind));
    w.u(p.error ? 1 : 0);
    w.s(p.store);
    w.s(p.name);
  }
  // The merchant's controls: a trailing section, absent when there is nothing in it (older readers
  // and older mappings agree then).
  bool sums = std::any_of(locations_.slots.begin(), locations_.slots.end(),
                          [](const location_slot& s) { return !s.adds.empty(); });
  if (!excluded_.empty() || !tag_bits_.empty() || sums) {
    w.u(excluded_.size());
    for (auto& k : excluded_)
      w.s(k);
    w.u(tag_bits_.size());
    for (auto b : tag_bits_)
      w.u(b);
    for (auto& s : locations_.slots) {
      w.u(s.adds.size());
      for (auto& a : s.adds) {
        w.u(a.size());
        for (auto k : a)
          w.u(k);
      }
    }
  }
  return std::move(w.out);
}

result<group_mapping> group_mapping::decode(const group_config& group, std::string_view bytes) {
  if (bytes.substr(0, 3) == "gm1")
    return decode_gm1(group, std::string(bytes));
  if (bytes.substr(0, 3) != "gm2")
    return corrupt("unknown version");
  reader r(bytes.substr(3));
  group_mapping m;
  m.init(group);
  const auto& stores = m.table_.stores();
  std::uint64_t ns = 0, n = 0, a = 0, b = 0, c = 0;
  if (!r.count(ns, 1) || ns != stores.size())
    return corrupt("made for other stores than the group's");
  for (auto& s : stores) {
    std::string_view name;
    if (!r.s(name))
      return corrupt("store names");
    if (name != s)
      return corrupt("made for other stores than the group's");
  }
  if (!r.count(n, 1 + ns))
    return corrupt("identity count");
  m.table_.reserve(n, 0);
  std::vector<variant_ref> refs(ns);
  std::unique_ptr<bool[]> present(new bool[ns]());
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string_view key;
    if (!r.s(key))
      return corrupt("identity key");
    for (std::size_t s = 0; s < ns; ++s) {
      std::uint64_t has = 0;
      if (!r.u(has) || has > 1)
        return corrupt("identity ids");
      present[s] = has != 0;
      if (has && !(r.u(a) && r.u(b) && r.u(c)))
        return corrupt("identity ids");
      refs[s] = has ? variant_ref{a, b, c} : variant_ref{};
    }
    m.table_.add(key, refs.data(), present.get());
  }
  m.table_.shrink_to_fit();
  if (!r.count(n, 4))
    return corrupt("problem count");
  for (std::uint64_t i = 0; i < n; ++i) {
    match_problem p;
    std::uint64_t nv = 0;
    if (!r.u(a) || a > static_cast<std::uint64_t>(match_problem_kind::deleted) || !r.s(p.key) || !r.s(p.store) ||
        !r.count(nv, 1))
      return corrupt("problem record");
    p.kind = static_cast<match_problem_kind>(a);
    for (std::uint64_t k = 0; k < nv; ++k) {
      if (!r.u(b))
        return corrupt("problem variants");
      p.variants.push_back(b);
    }
    m.problems_.push_back(std::move(p));
  }
  if (!r.count(n, 3))
    return corrupt("slot count");
  for (std::uint64_t i = 0; i < n; ++i) {
    location_slot s;
    std::uint64_t nd = 0;
    if (!r.s(s.name) || !r.u(a) || !r.count(nd, 1))
      return corrupt("slot record");
    s.source = a;
    for (std::uint64_t k = 0; k < nd; ++k) {
      std::uint64_t has = 0;
      if (!r.u(has) || has > 1 || (has && !r.u(b)))
        return corrupt("slot destinations");
      s.destinations.push_back(has ? std::optional<location_id>(b) : std::nullopt);
    }
    m.locations_.slots.push_back(std::move(s));
  }
  if (!r.count(n, 4))
    return corrupt("location problem count");
  for (std::uint64_t i = 0; i < n; ++i) {
    location_problem p;
    if (!r.u(a) || a > 6 || !r.u(b) || b > 1 || !r.s(p.store) || !r.s(p.name))
      return corrupt("location problem record");
    p.kind = static_cast<location_problem_kind>(a);
    p.error = b != 0;
    m.locations_.problems.push_back(std::move(p));
  }
  if (!r.done()) {
    if (!r.count(n, 1))
      return corrupt("excluded count");
    for (std::uint64_t i = 0; i < n; ++i) {
      std::string k;
      if (!r.s(k))
        return corrupt("excluded key");
      m.excluded_.push_back(std::move(k));
    }
    if (!r.count(n, 1) || (n != 0 && n != m.table_.size()))
      return corrupt("tag bits count");
    for (std::uint64_t i = 0; i < n; ++i) {
      if (!r.u(a) || a > 0xff)
        return corrupt("tag bits");
      m.tag_bits_.push_back(static_cast<std::uint8_t>(a));
    }
    const auto nslots = m.locations_.slots.size();
    for (auto& s : m.locations_.slots) {
      std::uint64_t nd = 0;
      if (!r.count(nd, 1) || (nd != 0 && nd != s.destinations.size()))
        return corrupt("sum count");
      s.adds.resize(nd);
      for (auto& list : s.adds) {
        if (!r.count(n, 1))
          return corrupt("sum");
        for (std::uint64_t k = 0; k < n; ++k) {
          if (!r.u(a) || a >= nslots)
            return corrupt("summed slot");
          list.push_back(static_cast<std::uint32_t>(a));
        }
      }
    }
  }
  if (!r.done())
    return corrupt("trailing bytes");
  m.build_index();
  return m;
}

} // namespace shopsync
