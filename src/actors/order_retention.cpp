#include "actors/order_retention.hpp"

#include "actors/order_actor.hpp"

#include <string>
#include <vector>

namespace shopsync {

result<std::size_t> purge_skipped_orders(state_store& store, order_time cutoff) {
  std::vector<std::string> old;
  auto st = store.scan(column::orders, "o/", [&](std::string_view k, std::string_view v) {
    if (!parse_order_key(k))
      return true;
    auto m = order_sync::decode(v, order_sync_settings{});
    if (m && m->state().phase == order_phase::skipped && m->state().received_at < cutoff)
      old.emplace_back(k);
    return true;
  });
  if (!st)
    return st.error();
  if (old.empty())
    return std::size_t{0};
  state_store::batch b;
  for (const auto& k : old)
    b.del(column::orders, k);
  if (auto w = store.write(b); !w)
    return w.error();
  return old.size();
}

} // namespace shopsync
