// How an inventory item state is stored: inventory_item_state::encode/decode. A versioned
// text of space-separated tokens (domain/field_codec.hpp, tagged_format): "iis6" ("iis5": no
// lowest hint in flight, unverified flag or level before the last write, decoded as none;
// "iis4": nor known_at, decoded as unknown; "iis3": nor stocking, "iis2": nor hinted value,
// "iis1": nor held flag), then the layout, each slot's
// levels (a level's fields only where its store has a location in the slot), and a trailing
// "controls" section (buffers, shares, sums), absent when there are none so that a state
// without them encodes as before.
#include "domain/field_codec.hpp"
#include "domain/inventory_item_state.hpp"

#include <string>
#include <utility>

namespace shopsync {

// The field lists of what is stored; `f.version` is the version being read or written.
struct inventory_item_codec {
  template <class F> static void fields(F& f, inventory_item_state::level& lv) {
    f(lv.known);
    f(lv.op);
    f(lv.op_id);
    f(lv.attempt);
    f(lv.op_target);
    f(lv.op_delta);
    f(lv.op_change_from);
    f(lv.target);
    f(lv.delta);
    f(lv.dirty);
    if (f.version >= 3)
      f(lv.hinted);
    f(lv.aligned);
    if (f.version >= 2)
      f(lv.held);
    f(lv.blocked);
    if (f.version >= 4)
      f(lv.stock);
    if (f.version >= 5) {
      f(lv.known_at);
      f(lv.known_at_slack);
      f(lv.hinted_at);
    }
    if (f.version >= 6) {
      f(lv.hinted_low);
      f(lv.unverified);
      f(lv.written_from);
    }
  }
  template <class F> static void fields(F& f, item_store& s) {
    f(s.store);
    f(s.item);
  }
  template <class F> static void fields(F& f, stock_rule& r) {
    f(r.buffer);
    f(r.percent);
  }
};

namespace {

constexpr int current_version = 6;
constexpr std::uint64_t max_count = 1 << 16;

using writer = field_writer<tagged_format, inventory_item_codec>;
using reader = field_reader<tagged_format, inventory_item_codec>;

} // namespace

std::string inventory_item_state::encode() const {
  writer w{current_version, "iis6"};
  w(layout_.identity);
  w(layout_.mode);
  w(epoch_);
  w(next_op_);
  w(paused_);
  w(stock_unstocked_);
  w(layout_.stores);
  w(slots_.size());
  for (std::size_t s = 0; s < slots_.size(); ++s) {
    w(slots_[s].baseline);
    for (std::size_t i = 0; i < layout_.stores.size(); ++i) {
      const auto& locs = layout_.slots[s].locations;
      w(i < locs.size() ? locs[i] : std::nullopt);
      if (slots_[s].levels[i].present)
        w(slots_[s].levels[i]);
    }
  }
  bool controls = !layout_.rules.empty();
  for (const auto& sl : layout_.slots)
    controls = controls || !sl.adds.empty();
  if (controls) {
    w(std::string("controls"));
    w(layout_.rules);
    for (const auto& sl : layout_.slots)
      w(sl.adds);
  }
  return std::move(w.out);
}

result<inventory_item_state> inventory_item_state::decode(const std::string& text) {
  auto fail = [](std::string why) { return error{error_kind::state_corrupt, "inventory item state: " + std::move(why)}; };
  int version = 0;
  for (int v = 1; v <= current_version; ++v)
    if (text.compare(0, 4, "iis" + std::to_string(v)) == 0)
      version = v;
  if (version == 0)
    return fail("unknown format or version");
  reader r{{text, 4}, version};
  auto& in = r.in;
  inventory_item_state st;
  r(st.layout_.identity);
  auto mode = in.u();
  if (mode > 2)
    return fail("bad mode");
  st.layout_.mode = static_cast<sync_mode>(mode);
  r(st.epoch_);
  r(st.next_op_);
  r(st.paused_);
  if (version >= 4)
    r(st.stock_unstocked_);
  auto nstores = in.u();
  if (in.bad || nstores == 0 || nstores > max_count)
    return fail("bad store count");
  st.layout_.stores.resize(nstores);
  for (auto& s : st.layout_.stores)
    r(s);
  auto nslots = in.u();
  if (in.bad || nslots > max_count)
    return fail("bad slot count");
  st.layout_.slots.resize(nslots);
  st.slots_.resize(nslots);
  for (std::uint64_t s = 0; s < nslots && !in.bad; ++s) {
    r(st.slots_[s].baseline);
    st.slots_[s].levels.resize(nstores);
    st.layout_.slots[s].locations.resize(nstores);
    for (std::uint64_t i = 0; i < nstores && !in.bad; ++i) {
      auto& loc = st.layout_.slots[s].locations[i];
      r(loc);
      auto& lv = st.slots_[s].levels[i];
      lv.present = loc.has_value();
      if (!lv.present)
        continue;
      r(lv);
      if (lv.op > op_kind::adjust)
        return fail("bad op kind");
      if (lv.stock > stocking::disconnect_seen)
        return fail("bad stocking");
      if (lv.op != op_kind::none && lv.op_id >= st.next_op_)
        return fail("op id ahead of counter");
    }
    if (!in.bad && !st.slots_[s].levels[0].present)
      return fail("slot without a Source location");
  }
  if (!in.bad && in.pos != text.size()) {
    std::string section;
    r(section);
    if (section != "controls")
      return fail("unknown section");
    r(st.layout_.rules);
    if (in.bad || (!st.layout_.rules.empty() && st.layout_.rules.size() != nstores))
      return fail("bad rule count");
    for (const auto& rule : st.layout_.rules)
      if (rule.buffer < 0 || rule.buffer > max_buffer || rule.percent < 0 || rule.percent > 100)
        return fail("bad rule");
    for (std::uint64_t s = 0; s < nslots && !in.bad; ++s) {
      auto& adds = st.layout_.slots[s].adds;
      r(adds);
      if (in.bad || (!adds.empty() && adds.size() != nstores))
        return fail("bad sum count");
      for (const auto& a : adds) {
        if (a.size() >= nslots)
          return fail("bad sum");
        for (auto slot : a)
          if (slot >= nslots || slot == s)
            return fail("bad summed slot");
      }
    }
  }
  if (in.bad)
    return fail("malformed at byte " + std::to_string(in.pos));
  if (in.pos != text.size())
    return fail("trailing bytes");
  return st;
}

bool operator==(const inventory_item_state& a, const inventory_item_state& b) { return a.encode() == b.encode(); }

} // namespace shopsync
