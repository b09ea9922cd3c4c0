// Stocking: an item becomes stocked at a location (a new inventory level, with an id of its
// own) or stops being stocked there. Shopify tells apps with inventory_levels/connect and
// inventory_levels/disconnect (WebhookSubscriptionTopic INVENTORY_LEVELS_CONNECT / _DISCONNECT:
// "Occurs whenever an inventory level is connected / disconnected").
#include "sim/simulator.hpp"
#include "sim/webhook_payloads.hpp"

namespace shopsync::sim {

void simulator::stock_level(store& s, std::uint32_t v, std::size_t l, std::int32_t available, bool active,
                            i64 now) {
  s.stock(v, l, available, active);
  s.variants[v].updated_at = now;
  s.level_changed_at(v, l, now);
  emit(s, "inventory_levels/connect", inventory_level_payload(s, v, l, now), now);
}

void simulator::unstock_level(store& s, std::uint32_t v, std::size_t l, i64 now) {
  s.unstock(v, l);
  s.variants[v].updated_at = now;
  emit(s, "inventory_levels/disconnect", inventory_level_disconnect_payload(s, v, l), now);
}

} // namespace shopsync::sim
