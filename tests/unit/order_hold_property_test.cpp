// Orders while their group is held: a Destination order that arrives while the group
// is planned or tripped is kept (phase `held`), never created in the Source while the group
// stays held, and created exactly once after it syncs again — through restarts, duplicate
// deliveries, uncertain and failed creates, and the group held and released again and again.
// SHOPSYNC_PROPERTY_SEEDS=N runs N seeds (default 2000); SHOPSYNC_PROPERTY_SEED replays one.
#include "domain/order_sync_state.hpp"
#include "property_seeds.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <string>

using namespace shopsync;
using namespace std::chrono_literals;

namespace {

constexpr variant_id dest_red = 45012345678901, src_red = 9100000000000001;
const order_time t0 = order_time(std::chrono::seconds(1'760'000'000));

order_sync_settings settings() {
  order_sync_settings st;
  st.strategy = sync_strategy::order;
  st.app_id = 424242;
  return st;
}

order_created paid_order() {
  order_created o;
  o.id = 5812345678901;
  o.name = "#1042";
  o.financial_status = "paid";
  o.currency = "USD";
  order_line l;
  l.line_id = 14012345678901;
  l.variant = dest_red;
  l.title = "T-Shirt";
  l.quantity = 2;
  l.price = "29.99";
  l.sku = "TSHIRT-RED-M";
  o.lines = {l};
  return o;
}

variant_resolver resolver() {
  return [](variant_id v) -> std::optional<variant_id> {
    if (v == dest_red) return src_red;
    return std::nullopt;
  };
}

TEST(OrderHold, AnOrderOfAHeldGroupIsKeptAndCreatedOnceItSyncsAgain) {
  order_sync m(settings(), {"eu", "dest-eu.myshopify.com"});
  m.set_group_held(true);
  auto out = m.on_order_created(paid_order(), resolver(), t0);
  EXPECT_FALSE(out.command) << "created while the group is held";
  EXPECT_TRUE(out.persist);
  EXPECT_EQ(m.state().phase, order_phase::held);
  EXPECT_EQ(m.summary().state, "held");
  EXPECT_NE(m.summary().reason.find("held"), std::string::npos);
  // Kept across a restart, still held while the group is.
  auto back = order_sync::decode(m.encode(), settings());
  ASSERT_TRUE(back.ok());
  back->set_group_held(true);
  EXPECT_FALSE(back->resume(t0 + 1s).command);
  EXPECT_FALSE(back->on_order_created(paid_order(), resolver(), t0 + 2s).command) << "a duplicate";
  EXPECT_FALSE(back->retry(resolver(), t0 + 3s).command);
  EXPECT_EQ(back->state().phase, order_phase::held);
  // The group syncs again: created, once.
  back->set_group_held(false);
  out = back->retry(resolver(), t0 + 4s);
  ASSERT_TRUE(out.command);
  ASSERT_TRUE(std::holds_alternative<order_cmd::create_order>(*out.command));
  EXPECT_EQ(back->state().phase, order_phase::creating);
  EXPECT_TRUE(back->summary().reason.empty());
  auto seq = std::get<order_cmd::create_order>(*out.command).seq;
  back->created(seq, 77, t0 + 6s);
  EXPECT_EQ(back->state().phase, order_phase::created);
  EXPECT_FALSE(back->retry(resolver(), t0 + 7s).command);
  EXPECT_EQ(parse_order_phase("held"), order_phase::held);
}

std::uint64_t seeds() { return shopsync::testing::property_seeds(2000); }

TEST(OrderHoldProperty, NeverCreatedWhileHeldNeverDroppedCreatedExactlyOnce) {
  const char* only = std::getenv("SHOPSYNC_PROPERTY_SEED");
  std::map<std::string, long> tally;
  for (std::uint64_t i = 0, n = only ? 1 : seeds(); i < n; ++i) {
    const auto seed = only ? std::strtoull(only, nullptr, 10) : 31 * 1000003 + i;
    std::mt19937_64 rng(seed);
    auto below = [&](std::uint64_t k) { return rng() % k; };
    const auto st = settings();
    order_sync m(st, {"eu", "dest-eu.myshopify.com"});
    bool held = below(3) != 0; // the group's state, changed at random
    int source_orders = 0;     // what the Source holds
    std::optional<order_command> pending;
    order_time now = t0;
    auto take = [&](order_output out, const char* what) {
      if (out.command && std::holds_alternative<order_cmd::create_order>(*out.command)) {
        if (held) ADD_FAILURE() << "seed " << seed << ": a create sent while the group is held (" << what << ")";
        tally["create sent"]++;
      }
      if (out.command) pending = out.command;
    };
    m.set_group_held(held);
    take(m.on_order_created(paid_order(), resolver(), now), "arrival");
    if (held && m.state().phase == order_phase::held) tally["held on arrival"]++;
    const int steps = 5 + static_cast<int>(below(40));
    for (int step = 0; step < steps && !::testing::Test::HasFailure(); ++step) {
      now += std::chrono::seconds(below(40));
      m.set_group_held(held);
      switch (below(7)) {
        case 0: { // the merchant approves (released) or a new plan / a trip holds the group
          held = !held;
          m.set_group_held(held);
          if (!held) take(m.retry(resolver(), now), "release"), tally["released"]++;
          break;
        }
        case 1: // a duplicate delivery
          take(m.on_order_created(paid_order(), resolver(), now), "duplicate");
          break;
        case 2: { // a restart: what was in flight may have landed
          if (pending && std::holds_alternative<order_cmd::create_order>(*pending) && below(2)) source_orders++;
          pending.reset();
          auto back = order_sync::decode(m.encode(), st);
          ASSERT_TRUE(back.ok()) << "seed " << seed;
          m = std::move(back).value();
          m.set_group_held(held);
          take(m.resume(now), "resume");
          tally["restart"]++;
          break;
        }
        default: { // the command in flight is answered
          if (!pending) break;
          auto c = *pending;
          pending.reset();
          if (auto* cr = std::get_if<order_cmd::create_order>(&c)) {
            switch (below(3)) {
              case 0: source_orders++; take(m.created(cr->seq, 77, now), "created"); break;
              case 1: if (below(2)) source_orders++;
                      take(m.failed(cr->seq, {order_failure_kind::uncertain, {"TIMEOUT", "?"}}, 0.5, now), "uncertain");
                      break;
              default: take(m.failed(cr->seq, {order_failure_kind::transient, {"HTTP_503", "?"}}, 0.5, now), "503");
            }
          } else if (auto* lk = std::get_if<order_cmd::lookup_origin>(&c)) {
            take(m.found(lk->seq, source_orders > 0 ? std::optional<shopify_id>(77) : std::nullopt, now), "found");
          } else if (auto* rt = std::get_if<order_cmd::schedule_retry>(&c)) {
            now += rt->delay;
            take(m.timer(rt->seq, now), "timer");
          }
        }
      }
      if (source_orders > 1) {
        ADD_FAILURE() << "seed " << seed << ": created twice";
        return;
      }
    }
    // The group syncs again for good: the order is created, exactly once, never dropped.
    held = false;
    m.set_group_held(false);
    take(m.retry(resolver(), now), "final release");
    for (int k = 0; k < 100 && m.state().phase != order_phase::created; ++k) {
      now += 30s;
      if (!pending) {
        take(m.state().phase == order_phase::needs_attention ? m.retry(resolver(), now) : m.resume(now), "drain");
        if (!pending) break;
      }
      auto c = *pending;
      pending.reset();
      if (auto* cr = std::get_if<order_cmd::create_order>(&c)) {
        source_orders++;
        take(m.created(cr->seq, 77, now), "created");
      } else if (auto* lk = std::get_if<order_cmd::lookup_origin>(&c)) {
        take(m.found(lk->seq, source_orders > 0 ? std::optional<shopify_id>(77) : std::nullopt, now), "found");
      } else if (auto* rt = std::get_if<order_cmd::schedule_retry>(&c)) {
        now += rt->delay;
        take(m.timer(rt->seq, now), "timer");
      }
    }
    if (m.state().phase != order_phase::created || source_orders != 1) {
      ADD_FAILURE() << "seed " << seed << ": ends " << to_string(m.state().phase) << " with " << source_orders
                    << " Source orders";
      return;
    }
  }
  EXPECT_GT(tally["held on arrival"], 0);
  EXPECT_GT(tally["released"], 0);
  EXPECT_GT(tally["restart"], 0);
}

} // namespace
