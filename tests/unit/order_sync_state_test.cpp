#include "domain/iso8601.hpp"
#include "domain/order_sync_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

using namespace shopsync;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t our_app = 424242;
constexpr variant_id dest_red = 45012345678901, dest_blue = 45012345678902;
constexpr variant_id src_red = 9100000000000001, src_blue = 9100000000000002;
const order_time t0 = order_time(std::chrono::seconds(1'760'000'000));

order_sync_settings settings(sync_strategy s = sync_strategy::order) {
  order_sync_settings st;
  st.strategy = s;
  st.app_id = our_app;
  return st;
}

order_destination dest() { return {"eu", "dest-eu.myshopify.com"}; }

order_line line(shopify_id id, std::optional<variant_id> v, std::string title, std::int64_t q,
                std::string price, std::string sku) {
  order_line l;
  l.line_id = id;
  l.variant = v;
  l.title = std::move(title);
  l.quantity = q;
  l.price = std::move(price);
  l.sku = std::move(sku);
  return l;
}

mailing_address address() {
  mailing_address a;
  a.first_name = "Jane";
  a.last_name = "Doe";
  a.address1 = "1 Main St";
  a.city = "Springfield";
  a.province = "Illinois";
  a.province_code = "IL";
  a.zip = "62701";
  a.country = "United States";
  a.country_code = "US";
  a.company = "Acme";
  return a;
}

// Like webhooks/orders_create.json, with a second line.
order_created paid_order() {
  order_created o;
  o.id = 5812345678901;
  o.name = "#1042";
  o.email = "jane@example.com";
  o.financial_status = "paid";
  o.currency = "USD";
  o.source_name = "web";
  o.app_id = 580111;
  o.customer = customer_ref{7012345678901, "jane@example.com", "Jane", "Doe"};
  o.shipping_address = address();
  o.lines = {line(14012345678901, dest_red, "T-Shirt", 2, "29.99", "TSHIRT-RED-M"),
             line(14012345678902, dest_blue, "T-Shirt", 1, "31.00", "TSHIRT-BLUE-M")};
  return o;
}

draft_order_changed open_draft() {
  draft_order_changed d;
  d.id = 1123456789012;
  d.created = true;
  d.name = "#D17";
  d.status = "open";
  d.email = "jane@example.com";
  d.currency = "USD";
  d.api_client_id = 580111;
  d.shipping_address = address();
  d.lines = {line(57012345678901, dest_red, "T-Shirt", 2, "29.99", "TSHIRT-RED-M")};
  d.updated_at = "2025-03-14T10:25:00-04:00";
  return d;
}

variant_resolver resolver(std::map<variant_id, variant_id> m) {
  return [m](variant_id v) -> std::optional<variant_id> {
    auto it = m.find(v);
    if (it == m.end())
      return std::nullopt;
    return it->second;
  };
}
variant_resolver all_map() { return resolver({{dest_red, src_red}, {dest_blue, src_blue}}); }
variant_resolver red_only() { return resolver({{dest_red, src_red}}); }
variant_resolver none_map() { return resolver({}); }

template <class C> const C& command(const order_output& out) {
  static const C none{};
  EXPECT_TRUE(out.command.has_value());
  if (!out.command)
    return none;
  const C* c = std::get_if<C>(&*out.command);
  EXPECT_NE(c, nullptr) << "other command, index " << out.command->index();
  return c ? *c : none;
}

bool has_audit(const order_output& out, const std::string& event) {
  for (const auto& a : out.audit)
    if (a.event == event)
      return true;
  return false;
}

step_failure transient(std::string msg = "503 Service Unavailable") {
  return {order_failure_kind::transient, {"HTTP_503", std::move(msg)}};
}
step_failure uncertain() { return {order_failure_kind::uncertain, {"TIMEOUT", "no answer after 30 s"}}; }
step_failure permanent(std::string msg = "Variant is not available") {
  return {order_failure_kind::permanent, {"INVALID", std::move(msg)}};
}

// decode(encode(m)) encodes to the same text and shows the same state.
order_sync round_trip(const order_sync& m, const order_sync_settings& st) {
  auto text = m.encode();
  auto back = order_sync::decode(text, st);
  EXPECT_TRUE(back.ok()) << (back.ok() ? "" : back.error().message);
  if (!back.ok())
    return m;
  EXPECT_EQ(back->encode(), text);
  const auto& a = m.state();
  const auto& b = back->state();
  EXPECT_EQ(a.phase, b.phase);
  EXPECT_EQ(a.step, b.step);
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(a.source_id, b.source_id);
  EXPECT_EQ(a.maybe_created, b.maybe_created);
  EXPECT_EQ(a.retry_at, b.retry_at);
  EXPECT_EQ(a.origin_tag, b.origin_tag);
  EXPECT_EQ(a.unmapped.size(), b.unmapped.size());
  EXPECT_EQ(a.source_variants, b.source_variants);
  EXPECT_EQ(a.applied_fingerprint, b.applied_fingerprint);
  EXPECT_EQ(a.destination_completed, b.destination_completed);
  EXPECT_EQ(a.invoice_sent, b.invoice_sent);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(back->summary().state, m.summary().state);
  return std::move(back).value();
}

// A machine that has sent its first orderCreate for paid_order().
order_sync creating_order(order_sync_settings st = settings(), variant_resolver r = all_map()) {
  order_sync m(st, dest());
  auto out = m.on_order_created(paid_order(), r, t0);
  EXPECT_EQ(m.state().phase, order_phase::creating);
  return m;
}

} // namespace

// ---------------------------------------------------------------- qualification

TEST(order_sync_qualify, financial_status_filter_defaults_to_paid) {
  auto st = settings();
  auto o = paid_order();
  EXPECT_FALSE(order_skip_reason(o, st));
  o.financial_status = "pending";
  auto why = order_skip_reason(o, st);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("pending"), std::string::npos);

  st.options.financial_statuses = {"PAID", "Pending"}; // case does not matter
  EXPECT_FALSE(order_skip_reason(o, st));
  o.financial_status = "authorized";
  EXPECT_TRUE(order_skip_reason(o, st));
  st.options.financial_statuses.clear(); // empty filter: every order
  EXPECT_FALSE(order_skip_reason(o, st));
}

TEST(order_sync_qualify, unpaid_order_is_skipped_and_creates_nothing) {
  order_sync m(settings(), dest());
  auto o = paid_order();
  o.financial_status = "pending";
  auto out = m.on_order_created(o, all_map(), t0);
  EXPECT_EQ(m.state().phase, order_phase::skipped);
  EXPECT_FALSE(out.command);
  EXPECT_TRUE(out.persist); // kept as a record (orders --state skipped)
  EXPECT_TRUE(has_audit(out, "skipped"));
}

TEST(order_sync_qualify, own_orders_are_skipped_by_app_id_tag_and_attribute_not_source_name) {
  auto st = settings();
  auto by_app = paid_order();
  by_app.app_id = our_app;
  EXPECT_TRUE(order_skip_reason(by_app, st));

  auto by_tag = paid_order();
  by_tag.tags = {"vip", "Shopsync-Origin:other.myshopify.com:77"};
  auto why = order_skip_reason(by_tag, st);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("origin tag"), std::string::npos);

  auto by_attr = paid_order();
  by_attr.note_attributes = {{"gift", "yes"}, {origin_id_key, "77"}};
  EXPECT_TRUE(order_skip_reason(by_attr, st));

  auto by_source = paid_order(); // sourceName is an attribution handle, anyone's
  by_source.source_name = "shopsync";
  EXPECT_FALSE(order_skip_reason(by_source, st));

  // An unconfigured app id (0) recognises nobody; an order without app id is not ours.
  auto no_app = paid_order();
  no_app.app_id.reset();
  EXPECT_FALSE(order_skip_reason(no_app, st));
  st.app_id = 0;
  auto zero = paid_order();
  zero.app_id = 0;
  EXPECT_FALSE(order_skip_reason(zero, st));
}

TEST(order_sync_qualify, own_draft_orders_are_skipped) {
  auto st = settings(sync_strategy::draft_order);
  auto d = open_draft();
  EXPECT_FALSE(draft_skip_reason(d, st));
  d.api_client_id = our_app;
  EXPECT_TRUE(draft_skip_reason(d, st));
  d = open_draft();
  d.tags = {"shopsync-origin:dest-us.myshopify.com:5"};
  EXPECT_TRUE(draft_skip_reason(d, st));

  order_sync m(st, dest());
  auto out = m.on_draft_changed(d, all_map(), t0);
  EXPECT_EQ(m.state().phase, order_phase::skipped);
  EXPECT_FALSE(out.command);
  // Its later updates are ignored too.
  d.updated_at = "2025-03-14T12:00:00-04:00";
  out = m.on_draft_changed(d, all_map(), t0 + 1s);
  EXPECT_FALSE(out.command);
  EXPECT_EQ(m.state().phase, order_phase::skipped);
}

TEST(order_sync_qualify, drafts_sync_only_in_draft_order_groups) {
  order_sync m(settings(sync_strategy::order), dest());
  auto out = m.on_draft_changed(open_draft(), all_map(), t0);
  EXPECT_EQ(m.state().phase, order_phase::skipped);
  EXPECT_FALSE(out.command);
  auto two_way = settings(sync_strategy::two_way);
  EXPECT_TRUE(order_skip_reason(paid_order(), two_way));
}

TEST(order_sync_qualify, order_completed_from_a_draft_is_skipped_in_draft_order_groups) {
  auto o = paid_order();
  o.source_name = "shopify_draft_order";
  EXPECT_TRUE(order_skip_reason(o, settings(sync_strategy::draft_order)));
  // In an order group the Destination's drafts are not synced, so their orders are.
  EXPECT_FALSE(order_skip_reason(o, settings(sync_strategy::order)));
}

// ---------------------------------------------------------------- origin tag

TEST(order_sync_origin_tag, template_placeholders_are_replaced) {
  EXPECT_EQ(make_origin_tag("shopsync-origin:{shop}:{order}", "dest-eu.myshopify.com",
                            5812345678901, "#1042"),
            "shopsync-origin:dest-eu.myshopify.com:5812345678901");
  EXPECT_EQ(make_origin_tag("from {shop} {name} ({order}) {shop}", "a.myshopify.com", 7, "#D1"),
            "from a.myshopify.com #D1 (7) a.myshopify.com");
  EXPECT_EQ(make_origin_tag("synced", "a", 1, "#1"), "synced");
  EXPECT_EQ(make_origin_tag("{unknown}{shop", "a", 1, "#1"), "{unknown}{shop");
}

TEST(order_sync_origin_tag, configured_template_goes_on_the_order_and_into_the_lookup) {
  auto st = settings();
  st.options.origin_tag = "from-{shop}-{name}";
  order_sync m(st, dest());
  auto out = m.on_order_created(paid_order(), all_map(), t0);
  EXPECT_EQ(command<order_cmd::create_order>(out).request.tags,
            std::vector<std::string>{"from-dest-eu.myshopify.com-#1042"});
  out = m.failed(m.state().seq, uncertain(), 0.0, t0 + 1s);
  out = m.timer(command<order_cmd::schedule_retry>(out).seq, t0 + 10s);
  EXPECT_EQ(command<order_cmd::lookup_origin>(out).tag, "from-dest-eu.myshopify.com-#1042");
  // The same template recognises the tag on an order we created.
  auto echo = paid_order();
  echo.tags = {"from-dest-us.myshopify.com-#9"};
  EXPECT_TRUE(order_skip_reason(echo, st));
}

namespace {
order_sync created_draft() {
  order_sync m(settings(sync_strategy::draft_order), dest());
  auto out = m.on_draft_changed(open_draft(), all_map(), t0);
  (void)m.created(m.state().seq, 88, t0);
  return m;
}
} // namespace

// ---------------------------------------------------------------- creation of a real order

TEST(order_sync_order, all_lines_map_into_a_complete_order_create_request) {
  auto st = settings();
  st.options.name_prefix = "EU-";
  st.options.financial_status = "paid";
  st.options.inventory_behaviour = "decrement_obeying_policy";
  order_sync m(st, dest());
  auto o = paid_order();
  o.note = "leave at the door";
  auto out = m.on_order_created(o, all_map(), t0);
  EXPECT_TRUE(out.persist);
  EXPECT_EQ(m.state().phase, order_phase::creating);
  EXPECT_TRUE(has_audit(out, "resolved"));
  EXPECT_FALSE(has_audit(out, "unmapped_line"));
  const auto& c = command<order_cmd::create_order>(out);
  EXPECT_EQ(c.seq, m.state().seq);
  const auto& r = c.request;
  ASSERT_EQ(r.line_items.size(), 2u);
  EXPECT_EQ(r.line_items[0].variant_id, "gid://shopify/ProductVariant/9100000000000001");
  EXPECT_EQ(r.line_items[0].quantity, 2);
  ASSERT_TRUE(r.line_items[0].price);
  EXPECT_EQ(r.line_items[0].price->amount, "29.99");
  EXPECT_EQ(r.line_items[0].price->currency_code, "USD");
  EXPECT_EQ(r.line_items[1].variant_id, "gid://shopify/ProductVariant/9100000000000002");
  EXPECT_EQ(r.line_items[1].price->amount, "31.00");
  EXPECT_EQ(r.email, "jane@example.com");
  ASSERT_TRUE(r.customer);
  EXPECT_EQ(r.customer->email, "jane@example.com");
  EXPECT_EQ(r.customer->first_name, "Jane");
  EXPECT_EQ(r.customer->last_name, "Doe");
  ASSERT_TRUE(r.shipping_address);
  EXPECT_EQ(r.shipping_address->first_name, "Jane");
  EXPECT_EQ(r.shipping_address->address1, "1 Main St");
  EXPECT_EQ(r.shipping_address->province_code, "IL");
  EXPECT_EQ(r.shipping_address->province, ""); // the code is enough
  EXPECT_EQ(r.shipping_address->country_code, "US");
  EXPECT_EQ(r.shipping_address->country, "");
  EXPECT_EQ(r.shipping_address->zip, "62701");
  EXPECT_EQ(r.shipping_address->company, "Acme");
  EXPECT_FALSE(r.billing_address);
  EXPECT_EQ(r.tags, std::vector<std::string>{"shopsync-origin:dest-eu.myshopify.com:5812345678901"});
  EXPECT_NE(r.note.find("dest-eu.myshopify.com"), std::string::npos);
  EXPECT_NE(r.note.find("#1042"), std::string::npos);
  EXPECT_NE(r.note.find("leave at the door"), std::string::npos);
  EXPECT_EQ(r.note.find("Not included"), std::string::npos);
  ASSERT_EQ(r.custom_attributes.size(), 3u);
  EXPECT_EQ(r.custom_attributes[0].key, "shopsync_origin_shop");
  EXPECT_EQ(r.custom_attributes[0].value, "dest-eu.myshopify.com");
  EXPECT_EQ(r.custom_attributes[1].key, "shopsync_origin_order_id");
  EXPECT_EQ(r.custom_attributes[1].value, "5812345678901");
  EXPECT_EQ(r.custom_attributes[2].key, "shopsync_origin_order_name");
  EXPECT_EQ(r.custom_attributes[2].value, "#1042");
  EXPECT_EQ(r.financial_status, "PAID");
  EXPECT_EQ(r.currency, "USD");
  EXPECT_EQ(r.name, "EU-#1042");
  EXPECT_EQ(r.source_name, ""); // no attribution handle configured
  EXPECT_EQ(r.source_identifier, "dest-eu.myshopify.com/5812345678901");
  EXPECT_EQ(r.inventory_behaviour, "DECREMENT_OBEYING_POLICY");
  EXPECT_FALSE(r.send_receipt);

  out = m.created(c.seq, 6100000000000001, t0 + 1s);
  EXPECT_EQ(m.state().phase, order_phase::created);
  EXPECT_EQ(m.state().source_id, 6100000000000001u);
  EXPECT_FALSE(out.command);
  EXPECT_TRUE(out.persist);
  EXPECT_TRUE(has_audit(out, "created"));
  EXPECT_FALSE(m.summary().attention);
}

TEST(order_sync_order, defaults_leave_the_name_to_shopify_and_decrement_obeying_policy) {
  order_sync m(settings(), dest());
  auto o = paid_order();
  o.customer.reset();
  o.email.clear();
  auto out = m.on_order_created(o, all_map(), t0);
  const auto& r = command<order_cmd::create_order>(out).request;
  EXPECT_EQ(r.name, "");
  EXPECT_EQ(r.financial_status, "PENDING");
  EXPECT_EQ(r.inventory_behaviour, "DECREMENT_OBEYING_POLICY");
  EXPECT_FALSE(r.customer); // no email: nobody to upsert
}

TEST(order_sync_order, duplicate_orders_create_never_creates_twice) {
  auto m = creating_order();
  auto seq = m.state().seq;
  auto out = m.on_order_created(paid_order(), all_map(), t0 + 1s); // redelivery while creating
  EXPECT_FALSE(out.command);
  EXPECT_FALSE(out.persist);
  EXPECT_TRUE(has_audit(out, "duplicate_ignored"));
  EXPECT_EQ(m.state().seq, seq);
  (void)m.created(seq, 61, t0 + 2s);
  auto changed = paid_order();
  changed.financial_status = "refunded"; // later changes are not synced either
  out = m.on_order_created(changed, all_map(), t0 + 3s);
  EXPECT_FALSE(out.command);
  EXPECT_EQ(m.state().phase, order_phase::created);
  EXPECT_EQ(m.state().source_id, 61u);
}

TEST(order_sync_order, unmapped_lines_are_listed_named_in_the_note_and_audited) {
  order_sync m(settings(), dest());
  auto o = paid_order();
  o.lines.push_back(line(14012345678903, std::nullopt, "Gift wrap", 1, "2.00", ""));
  auto out = m.on_order_created(o, red_only(), t0);
  const auto& r = command<order_cmd::create_order>(out).request;
  ASSERT_EQ(r.line_items.size(), 1u); // created with the lines that map
  EXPECT_EQ(r.line_items[0].variant_id, "gid://shopify/ProductVariant/9100000000000001");
  EXPECT_NE(r.note.find("Not included"), std::string::npos);
  EXPECT_NE(r.note.find("TSHIRT-BLUE-M"), std::string::npos);
  EXPECT_NE(r.note.find("Gift wrap"), std::string::npos);
  EXPECT_EQ(r.note.find("TSHIRT-RED-M"), std::string::npos);
  int audited = 0;
  for (const auto& a : out.audit)
    if (a.event == "unmapped_line") {
      ++audited;
      EXPECT_EQ(a.store, "eu");
      EXPECT_NE(a.order.find("5812345678901"), std::string::npos);
    }
  EXPECT_EQ(audited, 2);
  ASSERT_EQ(m.state().unmapped.size(), 2u);
  EXPECT_EQ(m.state().unmapped[0].variant, dest_blue);
  EXPECT_EQ(m.state().unmapped[0].sku, "TSHIRT-BLUE-M");
  EXPECT_FALSE(m.state().unmapped[1].variant);
  EXPECT_NE(m.state().unmapped[1].reason.find("custom"), std::string::npos);

  (void)m.created(m.state().seq, 61, t0 + 1s);
  auto v = m.summary();
  EXPECT_EQ(v.state, "created");
  EXPECT_TRUE(v.attention); // listed by `orders --attention` though created
  EXPECT_EQ(v.unmapped.size(), 2u);
}

TEST(order_sync_order, no_line_maps_needs_attention_and_creates_nothing) {
  order_sync m(settings(), dest());
  auto out = m.on_order_created(paid_order(), none_map(), t0);
  EXPECT_FALSE(out.command);
  EXPECT_TRUE(out.persist);
  EXPECT_EQ(m.state().phase, order_phase::needs_attention);
  EXPECT_EQ(m.state().failed_step, order_step_kind::create);
  EXPECT_NE(m.state().reason.find("no line maps"), std::string::npos);
  EXPECT_EQ(m.state().unmapped.size(), 2u);
  EXPECT_TRUE(has_audit(out, "needs_attention"));
  auto v = m.summary();
  EXPECT_TRUE(v.attention);
  EXPECT_EQ(v.state, "needs_attention");
  EXPECT_EQ(v.store, "eu");
  EXPECT_EQ(v.destination_name, "#1042");
}

TEST(order_sync_order, more_lines_than_an_input_list_holds_need_attention) {
  order_sync m(settings(), dest());
  auto o = paid_order();
  o.lines.clear();
  for (int i = 0; i < 251; ++i)
    o.lines.push_back(line(100 + i, dest_red, "T", 1, "1.00", "S"));
  auto out = m.on_order_created(o, all_map(), t0);
  EXPECT_FALSE(out.command);
  EXPECT_EQ(m.state().phase, order_phase::needs_attention);
  EXPECT_NE(m.state().reason.find("250"), std::string::npos);

  // The same limit guards an update of a paired draft.
  auto d = created_draft();
  auto big = open_draft();
  big.updated_at = "2025-03-14T10:40:00-04:00";
  big.lines = o.lines;
  auto upd = d.on_draft_changed(big, all_map(), t0 + 1s);
  EXPECT_FALSE(upd.command);
  EXPECT_EQ(d.state().phase, order_phase::needs_attention);
  EXPECT_EQ(d.state().failed_step, order_step_kind::update);
}

// ---------------------------------------------------------------- retries

TEST(order_sync_retry, delay_doubles_is_capped_and_jittered_deterministically) {
  order_retry_policy p;
  p.base_delay = 1000ms;
  p.max_delay = 10000ms;
  p.jitter_ratio = 0.5;
  EXPECT_EQ(retry_delay(p, 1, 0.0), 1000ms);
  EXPECT_EQ(retry_delay(p, 2, 0.0), 2000ms);
  EXPECT_EQ(retry_delay(p, 3, 0.0), 4000ms);
  EXPECT_EQ(retry_delay(p, 5, 0.0), 10000ms);
  EXPECT_EQ(retry_delay(p, 500, 0.0), 10000ms);
  EXPECT_EQ(retry_delay(p, 2, 0.5), 2500ms);
  EXPECT_EQ(retry_delay(p, 2, 0.5), retry_delay(p, 2, 0.5));
  EXPECT_EQ(retry_delay(p, 2, 7.0), 3000ms); // jitter clamped to 1
}

TEST(order_sync_retry, transient_errors_retry_the_create_with_growing_delay) {
  auto m = creating_order();
  auto first = m.state().seq;
  std::chrono::milliseconds last{0};
  auto now = t0;
  for (int i = 1; i <= 4; ++i) {
    auto out = m.failed(m.state().seq, transient(), 0.0, now);
    EXPECT_EQ(m.state().phase, order_phase::retry_wait);
    EXPECT_EQ(m.state().attempts, i);
    const auto& wait = command<order_cmd::schedule_retry>(out);
    EXPECT_GT(wait.delay, last);
    last = wait.delay;
    EXPECT_TRUE(has_audit(out, "retry_scheduled"));
    now += wait.delay;
    out = m.timer(wait.seq, now);
    // Nothing was applied: the same order is created again, no lookup needed.
    const auto& again = command<order_cmd::create_order>(out);
    EXPECT_EQ(again.request.tags, std::vector<std::string>{m.state().origin_tag});
    EXPECT_GT(again.seq, first);
  }
  EXPECT_EQ(m.summary().last_error, "HTTP_503: 503 Service Unavailable");
  auto out = m.created(m.state().seq, 61, now);
  EXPECT_EQ(m.state().phase, order_phase::created);
  EXPECT_EQ(m.summary().last_error, "");
}

TEST(order_sync_retry, too_many_transient_failures_need_attention) {
  auto st = settings();
  st.retry.max_attempts = 3;
  auto m = creating_order(st);
  order_output out;
  for (int i = 0; i < 3; ++i) {
    out = m.failed(m.state().seq, transient(), 0.0, t0);
    if (i < 2)
      out = m.timer(command<order_cmd::schedule_retry>(out).seq, t0);
  }
  EXPECT_FALSE(out.command);
  EXPECT_EQ(m.state().phase, order_phase::needs_attention);
  EXPECT_NE(m.state().reason.find("3 attempts"), std::string::npos);
}

TEST(order_sync_retry, stale_answers_and_timers_are_ignored) {
  auto m = creating_order();
  auto old = m.state().seq;
  auto out = m.failed(old, transient(), 0.0, t0);
  auto wait = command<order_cmd::schedule_retry>(out);
  out = m.timer(wait.seq + 1, t0 + 5s); // not this timer
  EXPECT_FALSE(out.command);
  out = m.created(old, 61, t0 + 5s); // an answer to the earlier attempt, too late
  EXPECT_FALSE(out.command);
  EXPECT_FALSE(out.persist);
  EXPECT_EQ(m.state().phase, order_phase::retry_wait);
  out = m.timer(wait.seq, t0 + 5s);
  auto seq = command<order_cmd::create_order>(out).seq;
  out = m.timer(wait.seq, t0 + 6s); // a duplicated timer message
  EXPECT_FALSE(out.command);
  EXPECT_EQ(m.state().seq, seq);
}

TEST(order_sync_retry, answers_quoting_an_older_seq_are_ignored_in_the_same_phase) {
  // creating (seq a) -> restart -> lookup -> not found -> creating again (a newer seq)
  auto m = creating_order();
  const auto a = m.state().seq;
  auto back = round_trip(m, settings());
  auto out = back.resume(t0 + 1s); // sooner than lookup_delay after the create: wait first
  const auto wait = command<order_cmd::schedule_retry>(out);
  EXPECT_EQ(wait.delay, settings().retry.lookup_delay - 1s);
  out = back.timer(wait.seq, t0 + settings().retry.lookup_delay);
  const auto look = command<order_cmd::lookup_origin>(out).seq;
  EXPECT_FALSE(back.found(a, shopify_id{5}, t0 + 2s).command); // not the lookup's seq
  EXPECT_FALSE(back.state().source_id);
  out = back.found(look, std::nullopt, t0 + settings().options.lookup_window); // the window is over
  const auto b = command<order_cmd::create_order>(out).seq;
  ASSERT_EQ(back.state().phase, order_phase::creating);
  out = back.created(a, 61, t0 + 3s); // the first attempt's answer, duplicated
  EXPECT_FALSE(out.persist);
  EXPECT_FALSE(back.state().source_id);
  out = back.failed(a, permanent(), 0.0, t0 + 3s);
  EXPECT_FALSE(out.persist);
  EXPECT_EQ(back.state().phase, order_phase::creating);
  EXPECT_EQ(back.state().attempts, 0);
  out = back.created(b, 62, t0 + 4s);
  EXPECT_EQ(back.state().source_id, 62u);
}

TEST(order_sync_retry, uncertain_create_is_looked_up_and_found_not_created_again) {
  auto m = creating_order();
  auto out = m.failed(m.state().seq, uncertain(), 0.0, t0);
  EXPECT_TRUE(m.state().maybe_created);
  const auto& wait = command<order_cmd::schedule_retry>(out);
  EXPECT_GE(wait.delay, settings().retry.lookup_delay); // let the search index catch up
  out = m.timer(wait.seq, t0 + wait.delay);
  const auto& look = command<order_cmd::lookup_origin>(out);
  EXPECT_EQ(look.target, order_doc_kind::order);
  EXPECT_EQ(look.tag, "shopsync-origin:dest-eu.myshopify.com:5812345678901");
  EXPECT_EQ(look.marker, "dest-eu.myshopify.com/5812345678901");
  EXPECT_EQ(m.state().phase, order_phase::looking_up);
  out = m.found(look.seq, shopify_id{6100000000000009}, t0 + 10s);
  EXPECT_FALSE(out.command); // no second orderCreate
  EXPECT_TRUE(has_audit(out, "found_existing"));
  EXPECT_EQ(m.state().phase, order_phase::created);
  EXPECT_EQ(m.state().source_id, 6100000000000009u);
}

TEST(order_sync_retry, uncertain_create_not_found_is_created_again) {
  auto m = creating_order();
  auto out = m.failed(m.state().seq, uncertain(), 0.0, t0);
  out = m.timer(command<order_cmd::schedule_retry>(out).seq, t0 + 10s);
  auto look = command<order_cmd::lookup_origin>(out);
  out = m.found(look.seq, std::nullopt, t0 + settings().options.lookup_window + 1s); // window over
  EXPECT_TRUE(has_audit(out, "not_found"));
  const auto& again = command<order_cmd::create_order>(out);
  EXPECT_EQ(again.request.source_identifier, "dest-eu.myshopify.com/5812345678901");
  EXPECT_FALSE(m.state().maybe_created);
  out = m.created(again.seq, 62, t0 + 12s);
  EXPECT_EQ(m.state().source_id, 62u);
}

TEST(order_sync_retry, a_failing_lookup_is_retried_and_never_turns_into_a_create) {
  auto m = creating_order();
  auto out = m.failed(m.state().seq, uncertain(), 0.0, t0);
  out = m.timer(command<order_cmd::schedule_retry>(out).seq, t0 + 10s);
  for (int i = 0; i < 3; ++i) {
    out = m.failed(command<order_cmd::lookup_origin>(out).seq,
                   i % 2 ? transient() : uncertain(), 0.3, t0 + 20s);
    out = m.timer(command<order_cmd::schedule_retry>(out).seq, t0 + 60s);
  }
  auto look = command<order_cmd::lookup_origin>(out);
  out = m.found(look.seq, shopify_id{77}, t0 + 61s);
  EXPECT_EQ(m.state().source_id, 77u);
}

TEST(order_sync_retry, permanent_error_needs_attention_after_the_configured_attempts) {
  auto m = creating_order(); // max_permanent_failures = 2
  auto out = m.failed(m.state().seq, permanent(), 0.0, t0);
  out = m.timer(command<order_cmd::schedule_retry>(out).seq, t0 + 2s);
  out = m.failed(command<order_cmd::create_order>(out).seq, permanent(), 0.0, t0 + 3s);
  EXPECT_FALSE(out.command);
  EXPECT_EQ(m.state().phase, order_phase::needs_attention);
  EXPECT_EQ(m.state().failed_step, order_step_kind::create);
  EXPECT_NE(m.state().reason.find("Variant is not available"), std::string::npos);
  EXPECT_EQ(m.summary().last_error, "INVALID: Variant is not available");

  auto st = settings();
  st.retry.max_permanent_failures = 1;
  auto once = creating_order(st);
  out = once.failed(once.state().seq, permanent(), 0.0, t0);
  EXPECT_EQ(once.state().phase, order_phase::needs_attention);
}

TEST(order_sync_retry, manual_retry_resolves_again_and_creates) {
  order_sync m(settings(), dest());
  (void)m.on_order_created(paid_order(), none_map(), t0);
  ASSERT_EQ(m.state().phase, order_phase::needs_attention);
  auto out = m.retry(red_only(), t0 + 1h); // the mapping now knows the red shirt
  EXPECT_TRUE(has_audit(out, "manual_retry"));
  const auto& c = command<order_cmd::create_order>(out);
  EXPECT_EQ(c.request.line_items.size(), 1u);
  EXPECT_EQ(m.state().unmapped.size(), 1u);
  EXPECT_EQ(m.state().phase, order_phase::creating);
  EXPECT_EQ(m.state().reason, "");
  // retry outside needs_attention does nothing
  out = m.retry(all_map(), t0 + 2h);
  EXPECT_FALSE(out.command);
  EXPECT_FALSE(out.persist);
}

TEST(order_sync_retry, manual_retry_after_uncertain_failures_looks_up_first) {
  auto st = settings();
  st.retry.max_attempts = 1;
  auto m = creating_order(st);
  (void)m.failed(m.state().seq, uncertain(), 0.0, t0);
  ASSERT_EQ(m.state().phase, order_phase::needs_attention);
  auto out = m.retry(all_map(), t0 + 1h);
  (void)command<order_cmd::lookup_origin>(out);
  EXPECT_EQ(m.state().phase, order_phase::looking_up);
}

TEST(order_sync_retry, manual_retry_of_a_permanent_error_sends_the_create_again) {
  auto st = settings();
  st.retry.max_permanent_failures = 1;
  auto m = creating_order(st);
  (void)m.failed(m.state().seq, permanent(), 0.0, t0);
  auto out = m.retry(all_map(), t0 + 1h);
  (void)command<order_cmd::create_order>(out);
  EXPECT_EQ(m.state().attempts, 0);
}

// ---------------------------------------------------------------- restart

TEST(order_sync_resume, create_in_flight_is_looked_up_after_a_restart) {
  auto m = creating_order();
  auto back = round_trip(m, settings());
  auto out = back.resume(t0 + 30s);
  EXPECT_TRUE(out.persist);
  (void)command<order_cmd::lookup_origin>(out);
  EXPECT_TRUE(back.state().maybe_created);
  out = back.found(back.state().seq, std::nullopt, t0 + settings().options.lookup_window + 1s);
  (void)command<order_cmd::create_order>(out);
}

TEST(order_sync_resume, a_create_sent_just_before_the_crash_is_looked_up_only_after_lookup_delay) {
  // A create still running in the Source when shopsync restarts lands after an immediate lookup.
  auto m = creating_order();
  auto back = round_trip(m, settings());
  auto out = back.resume(t0 + 200ms);
  EXPECT_TRUE(out.persist);
  const auto& w = command<order_cmd::schedule_retry>(out);
  EXPECT_EQ(w.delay, settings().retry.lookup_delay - 200ms);
  EXPECT_EQ(back.state().phase, order_phase::retry_wait);
  // Restarted again while waiting: the time left, then the lookup (never a create).
  auto again = round_trip(back, settings());
  out = again.resume(t0 + 1s);
  EXPECT_EQ(command<order_cmd::schedule_retry>(out).delay, settings().retry.lookup_delay - 1s);
  out = again.timer(again.state().seq, t0 + settings().retry.lookup_delay);
  (void)command<order_cmd::lookup_origin>(out);
}

TEST(order_sync_resume, a_waiting_retry_is_rescheduled_for_the_time_left) {
  auto m = creating_order();
  auto out = m.failed(m.state().seq, transient(), 0.0, t0); // 1000 ms
  auto back = round_trip(m, settings());
  out = back.resume(t0 + 400ms);
  const auto& w = command<order_cmd::schedule_retry>(out);
  EXPECT_EQ(w.delay, 600ms);
  EXPECT_EQ(w.seq, m.state().seq);
  out = back.resume(t0 + 1h);
  EXPECT_EQ(command<order_cmd::schedule_retry>(out).delay, 0ms);
  out = back.timer(w.seq, t0 + 1h);
  (void)command<order_cmd::create_order>(out);
}

TEST(order_sync_resume, finished_states_issue_nothing) {
  auto m = creating_order();
  (void)m.created(m.state().seq, 61, t0);
  auto back = round_trip(m, settings());
  EXPECT_FALSE(back.resume(t0 + 1s).command);
  order_sync att(settings(), dest());
  (void)att.on_order_created(paid_order(), none_map(), t0);
  auto back2 = round_trip(att, settings());
  EXPECT_FALSE(back2.resume(t0 + 1s).command);
  EXPECT_EQ(back2.state().phase, order_phase::needs_attention);
}

// ---------------------------------------------------------------- draft orders

namespace {
order_sync creating_draft(order_sync_settings st = settings(sync_strategy::draft_order)) {
  order_sync m(st, dest());
  (void)m.on_draft_changed(open_draft(), all_map(), t0);
  EXPECT_EQ(m.state().phase, order_phase::creating);
  return m;
}
} // namespace

TEST(order_sync_draft, draft_is_created_with_variant_lines_and_markers) {
  order_sync m(settings(sync_strategy::draft_order), dest());
  auto d = open_draft();
  d.lines.push_back(line(57012345678902, dest_blue, "T-Shirt", 3, "31.00", "TSHIRT-BLUE-M"));
  d.lines.push_back(line(57012345678903, std::nullopt, "Engraving", 1, "5.00", ""));
  d.billing_address = address();
  auto out = m.on_draft_changed(d, red_only(), t0);
  const auto& c = command<order_cmd::create_draft>(out);
  const auto& r = c.request;
  ASSERT_EQ(r.line_items.size(), 1u); // unmapped lines are reported, never invented
  EXPECT_EQ(r.line_items[0].variant_id, "gid://shopify/ProductVariant/9100000000000001");
  EXPECT_EQ(r.line_items[0].quantity, 2);
  EXPECT_EQ(r.email, "jane@example.com");
  EXPECT_EQ(r.tags, std::vector<std::string>{"shopsync-origin:dest-eu.myshopify.com:1123456789012"});
  EXPECT_NE(r.note.find("draft order #D17"), std::string::npos);
  EXPECT_NE(r.note.find("TSHIRT-BLUE-M"), std::string::npos);
  EXPECT_NE(r.note.find("Engraving"), std::string::npos);
  ASSERT_TRUE(r.shipping_address);
  ASSERT_TRUE(r.billing_address);
  EXPECT_EQ(r.custom_attributes.size(), 3u);
  EXPECT_EQ(r.custom_attributes[1].value, "1123456789012");
  EXPECT_EQ(m.state().unmapped.size(), 2u);
  EXPECT_EQ(m.state().target, order_doc_kind::draft_order);

  out = m.created(c.seq, 8800000000000001, t0 + 1s);
  EXPECT_FALSE(out.command); // send_invoice is off
  EXPECT_EQ(m.state().phase, order_phase::created);
  EXPECT_EQ(m.state().source_id, 8800000000000001u);
}

TEST(order_sync_draft, destination_order_in_a_draft_group_becomes_a_source_draft) {
  order_sync m(settings(sync_strategy::draft_order), dest());
  auto out = m.on_order_created(paid_order(), all_map(), t0);
  const auto& c = command<order_cmd::create_draft>(out);
  EXPECT_EQ(c.request.line_items.size(), 2u);
  out = m.created(c.seq, 88, t0 + 1s);
  EXPECT_FALSE(out.command);
  EXPECT_EQ(m.state().phase, order_phase::created);
}

TEST(order_sync_draft, a_later_update_updates_the_paired_source_draft) {
  auto m = creating_draft();
  (void)m.created(m.state().seq, 88, t0 + 1s);
  auto d = open_draft();
  d.created = false;
  d.updated_at = "2025-03-14T10:40:00-04:00";
  d.lines[0].quantity = 5;
  d.lines.push_back(line(57012345678902, dest_blue, "T-Shirt", 1, "31.00", "TSHIRT-BLUE-M"));
  auto out = m.on_draft_changed(d, all_map(), t0 + 2s);
  const auto& u = command<order_cmd::update_draft>(out);
  EXPECT_EQ(u.source_draft, 88u);
  ASSERT_EQ(u.request.line_items.size(), 2u);
  EXPECT_EQ(u.request.line_items[0].quantity, 5);
  EXPECT_EQ(m.state().phase, order_phase::updating);
  out = m.done(u.seq, t0 + 3s);
  EXPECT_TRUE(has_audit(out, "draft_updated"));
  EXPECT_FALSE(out.command);
  EXPECT_EQ(m.state().phase, order_phase::created);

  // The same content delivered again: nothing to send.
  out = m.on_draft_changed(d, all_map(), t0 + 4s);
  EXPECT_FALSE(out.command);
  EXPECT_EQ(m.state().phase, order_phase::created);
  // An older update arriving late is ignored, not applied over the newer one.
  auto old = open_draft();
  old.updated_at = "2025-03-14T10:30:00-04:00";
  old.lines[0].quantity = 9;
  out = m.on_draft_changed(old, all_map(), t0 + 5s);
  EXPECT_FALSE(out.command);
  EXPECT_TRUE(has_audit(out, "stale_update_ignored"));
  EXPECT_EQ(m.state().lines[0].quantity, 5);
}

TEST(order_sync_draft, restarted_update_ignores_the_answer_of_the_interrupted_one) {
  auto m = creating_draft();
  (void)m.created(m.state().seq, 88, t0);
  auto d = open_draft();
  d.updated_at = "2025-03-14T10:40:00-04:00";
  d.lines[0].quantity = 3;
  d.lines.push_back(line(57012345678909, dest_blue, "Mug", 1, "9.00", "MUG"));
  auto out = m.on_draft_changed(d, red_only(), t0 + 1s);
  EXPECT_TRUE(has_audit(out, "unmapped_line"));
  const auto u1 = command<order_cmd::update_draft>(out).seq;
  auto back = round_trip(m, settings(sync_strategy::draft_order));
  out = back.resume(t0 + 2s);
  const auto u2 = command<order_cmd::update_draft>(out).seq;
  EXPECT_FALSE(back.done(u1, t0 + 3s).persist);
  EXPECT_FALSE(back.failed(u1, transient(), 0.0, t0 + 3s).persist);
  EXPECT_EQ(back.state().phase, order_phase::updating);
  out = back.done(u2, t0 + 4s);
  EXPECT_EQ(back.state().phase, order_phase::created);
  // Redelivered: no second update, and the unmapped line is not audited again.
  out = back.on_draft_changed(d, red_only(), t0 + 5s);
  EXPECT_FALSE(out.command);
  EXPECT_FALSE(has_audit(out, "unmapped_line"));
  EXPECT_EQ(back.state().unmapped.size(), 1u);
}

TEST(order_sync_draft, an_update_during_the_create_follows_once_the_draft_exists) {
  auto m = creating_draft();
  auto seq = m.state().seq;
  auto d = open_draft();
  d.updated_at = "2025-03-14T10:26:00-04:00";
  d.lines[0].quantity = 4;
  auto out = m.on_draft_changed(d, all_map(), t0 + 1s);
  EXPECT_FALSE(out.command); // the create is in flight
  EXPECT_TRUE(out.persist);
  EXPECT_EQ(m.state().phase, order_phase::creating);
  out = m.created(seq, 88, t0 + 2s);
  const auto& u = command<order_cmd::update_draft>(out);
  EXPECT_EQ(u.request.line_items[0].quantity, 4);
}

TEST(order_sync_draft, an_update_that_maps_nothing_needs_attention_and_retry_updates) {
  auto m = creating_draft();
  (void)m.created(m.state().seq, 88, t0 + 1s);
  auto d = open_draft();
  d.updated_at = "2025-03-14T10:40:00-04:00";
  d.lines[0].variant = dest_blue; // swapped for a variant not mapped yet
  auto out = m.on_draft_changed(d, red_only(), t0 + 2s);
  EXPECT_FALSE(out.command);
  EXPECT_EQ(m.state().phase, order_phase::needs_attention);
  EXPECT_EQ(m.state().failed_step, order_step_kind::update);
  out = m.retry(all_map(), t0 + 1h);
  const auto& u = command<order_cmd::update_draft>(out); // never a second draft
  EXPECT_EQ(u.source_draft, 88u);
  EXPECT_EQ(u.request.line_items[0].variant_id, "gid://shopify/ProductVariant/9100000000000002");
}

TEST(order_sync_draft, uncertain_draft_create_found_is_brought_up_to_date) {
  auto m = creating_draft();
  auto out = m.failed(m.state().seq, uncertain(), 0.0, t0);
  out = m.timer(command<order_cmd::schedule_retry>(out).seq, t0 + 10s);
  const auto& look = command<order_cmd::lookup_origin>(out);
  EXPECT_EQ(look.target, order_doc_kind::draft_order);
  out = m.found(look.seq, shopify_id{88}, t0 + 11s);
  // Which attempt's content the found draft holds is unknown: it is updated, not recreated.
  const auto& u = command<order_cmd::update_draft>(out);
  EXPECT_EQ(u.source_draft, 88u);
  out = m.done(u.seq, t0 + 12s);
  EXPECT_EQ(m.state().phase, order_phase::created);
}

TEST(order_sync_draft, update_failures_retry_the_update) {
  auto m = creating_draft();
  (void)m.created(m.state().seq, 88, t0);
  auto d = open_draft();
  d.updated_at = "2025-03-14T10:40:00-04:00";
  d.lines[0].quantity = 3;
  auto out = m.on_draft_changed(d, all_map(), t0 + 1s);
  out = m.failed(command<order_cmd::update_draft>(out).seq, uncertain(), 0.0, t0 + 2s);
  out = m.timer(command<order_cmd::schedule_retry>(out).seq, t0 + 4s);
  const auto& u = command<order_cmd::update_draft>(out); // an update is safe to repeat
  EXPECT_EQ(u.request.line_items[0].quantity, 3);
}

TEST(order_sync_draft, completed_in_destination_is_recorded_not_duplicated) {
  auto m = creating_draft();
  (void)m.created(m.state().seq, 88, t0 + 1s);
  auto d = open_draft();
  d.status = "completed";
  d.completed_order = 5822345678901;
  d.updated_at = "2025-03-14T11:00:01-04:00";
  auto out = m.on_draft_changed(d, all_map(), t0 + 2s);
  EXPECT_FALSE(out.command);
  EXPECT_TRUE(out.persist);
  EXPECT_TRUE(has_audit(out, "completed_in_destination"));
  EXPECT_EQ(m.state().phase, order_phase::completed_in_destination);
  EXPECT_TRUE(m.state().destination_completed);
  EXPECT_EQ(m.state().completed_order, 5822345678901u);
  EXPECT_EQ(m.state().source_id, 88u);
  // Redelivered, or delivered again later: nothing more.
  d.updated_at = "2025-03-14T11:05:00-04:00";
  out = m.on_draft_changed(d, all_map(), t0 + 3s);
  EXPECT_FALSE(out.command);
  EXPECT_EQ(m.state().phase, order_phase::completed_in_destination);
  // The Destination order the draft became does not start a second sync.
  auto became = paid_order();
  became.id = 5822345678901;
  became.source_name = "shopify_draft_order";
  EXPECT_TRUE(order_skip_reason(became, settings(sync_strategy::draft_order)));
}

TEST(order_sync_draft, completed_before_the_create_finished_still_creates_once) {
  order_sync m(settings(sync_strategy::draft_order), dest());
  auto d = open_draft();
  d.status = "completed"; // first delivery seen is the completed one
  d.completed_order = 5822345678901;
  auto out = m.on_draft_changed(d, all_map(), t0);
  auto c = command<order_cmd::create_draft>(out);
  out = m.on_draft_changed(d, all_map(), t0 + 1s); // duplicate while creating
  EXPECT_FALSE(out.command);
  out = m.created(c.seq, 88, t0 + 2s);
  EXPECT_FALSE(out.command);
  EXPECT_EQ(m.state().phase, order_phase::completed_in_destination);
}

// ---------------------------------------------------------------- invoices

TEST(order_sync_invoice, invoice_is_its_own_step_with_its_own_retries) {
  auto st = settings(sync_strategy::draft_order);
  st.options.send_invoice = true;
  auto m = creating_draft(st);
  // Two failed creates first: the invoice starts with a fresh count.
  auto out = m.failed(m.state().seq, transient(), 0.0, t0);
  out = m.timer(command<order_cmd::schedule_retry>(out).seq, t0 + 1s);
  out = m.created(command<order_cmd::create_draft>(out).seq, 88, t0 + 2s);
  const auto& inv = command<order_cmd::send_invoice>(out);
  EXPECT_EQ(inv.source_draft, 88u);
  EXPECT_EQ(m.state().phase, order_phase::inviting);
  EXPECT_EQ(m.state().attempts, 0);

  out = m.failed(inv.seq, transient(), 0.0, t0 + 3s);
  const auto& w = command<order_cmd::schedule_retry>(out);
  EXPECT_EQ(w.delay, settings().retry.base_delay); // first failure of this step
  EXPECT_EQ(m.state().step, order_step_kind::invoice);
  out = m.timer(w.seq, t0 + 4s);
  const auto& again = command<order_cmd::send_invoice>(out);
  EXPECT_EQ(again.source_draft, 88u);
  out = m.done(again.seq, t0 + 5s);
  EXPECT_TRUE(has_audit(out, "invoice_sent"));
  EXPECT_TRUE(m.state().invoice_sent);
  EXPECT_EQ(m.state().phase, order_phase::created);
  EXPECT_FALSE(out.command);

  // A later draft update does not send the invoice again.
  auto d = open_draft();
  d.updated_at = "2025-03-14T10:40:00-04:00";
  d.lines[0].quantity = 7;
  out = m.on_draft_changed(d, all_map(), t0 + 6s);
  out = m.done(command<order_cmd::update_draft>(out).seq, t0 + 7s);
  EXPECT_FALSE(out.command);
}

TEST(order_sync_invoice, permanent_failures_of_the_create_do_not_count_against_the_invoice) {
  auto st = settings(sync_strategy::draft_order);
  st.options.send_invoice = true; // max_permanent_failures = 2
  auto m = creating_draft(st);
  auto out = m.failed(m.state().seq, permanent(), 0.0, t0);
  out = m.timer(command<order_cmd::schedule_retry>(out).seq, t0 + 1s);
  out = m.created(command<order_cmd::create_draft>(out).seq, 88, t0 + 2s);
  out = m.failed(command<order_cmd::send_invoice>(out).seq, permanent("busy"), 0.0, t0 + 3s);
  EXPECT_EQ(m.state().phase, order_phase::retry_wait); // first permanent failure of this step
  out = m.timer(command<order_cmd::schedule_retry>(out).seq, t0 + 4s);
  out = m.failed(command<order_cmd::send_invoice>(out).seq, permanent("busy"), 0.0, t0 + 5s);
  EXPECT_EQ(m.state().phase, order_phase::needs_attention);
}

TEST(order_sync_invoice, failing_invoice_needs_attention_and_retry_sends_only_the_invoice) {
  auto st = settings(sync_strategy::draft_order);
  st.options.send_invoice = true;
  st.retry.max_permanent_failures = 1;
  auto m = creating_draft(st);
  auto out = m.created(m.state().seq, 88, t0);
  out = m.failed(command<order_cmd::send_invoice>(out).seq, permanent("No email"), 0.0, t0);
  EXPECT_EQ(m.state().phase, order_phase::needs_attention);
  EXPECT_EQ(m.state().failed_step, order_step_kind::invoice);
  EXPECT_EQ(m.state().source_id, 88u);
  out = m.retry(all_map(), t0 + 1h);
  EXPECT_EQ(command<order_cmd::send_invoice>(out).source_draft, 88u);
}

TEST(order_sync_invoice, no_invoice_for_a_draft_already_completed_in_the_destination) {
  auto st = settings(sync_strategy::draft_order);
  st.options.send_invoice = true;
  order_sync m(st, dest());
  auto d = open_draft();
  d.status = "completed";
  auto out = m.on_draft_changed(d, all_map(), t0);
  out = m.created(command<order_cmd::create_draft>(out).seq, 88, t0 + 1s);
  EXPECT_FALSE(out.command);
  EXPECT_TRUE(has_audit(out, "invoice_skipped"));
  EXPECT_EQ(m.state().phase, order_phase::completed_in_destination);
}

// ---------------------------------------------------------------- encode / decode

TEST(order_sync_codec, round_trips_in_every_state) {
  auto st = settings(sync_strategy::draft_order);
  st.options.send_invoice = true;
  std::vector<order_phase> seen;
  auto check = [&](const order_sync& m) {
    seen.push_back(m.state().phase);
    (void)round_trip(m, st);
  };
  order_sync m(st, dest());
  check(m); // received
  auto d = open_draft();
  d.note = "bytes: 12:3; 0|1 \n\"quoted\" ünïcode";
  d.lines.push_back(line(5, std::nullopt, "Custom;:|", 1, "1.00", ""));
  auto out = m.on_draft_changed(d, all_map(), t0);
  check(m); // creating
  out = m.failed(m.state().seq, uncertain(), 0.25, t0 + 1s);
  check(m); // retry_wait
  out = m.timer(m.state().seq, t0 + 10s);
  check(m); // looking_up
  out = m.found(m.state().seq, std::nullopt, t0 + st.options.lookup_window + 1s); // window over
  out = m.created(m.state().seq, 18446744073709551615ull, t0 + 12s);
  check(m); // inviting
  out = m.done(m.state().seq, t0 + 13s);
  check(m); // created
  d.updated_at = "2025-03-14T10:40:00-04:00";
  d.lines[0].quantity = 3;
  out = m.on_draft_changed(d, all_map(), t0 + 14s);
  check(m); // updating
  out = m.done(m.state().seq, t0 + 15s);
  d.status = "completed";
  d.completed_order = 9007199254740993ull; // > 2^53
  d.updated_at = "2025-03-14T11:00:00-04:00";
  out = m.on_draft_changed(d, all_map(), t0 + 16s);
  check(m); // completed_in_destination
  auto back = round_trip(m, st);
  EXPECT_EQ(back.state().completed_order, 9007199254740993ull);
  EXPECT_EQ(back.state().source_id, 18446744073709551615ull);
  EXPECT_EQ(back.state().note, d.note);
  EXPECT_EQ(back.state().lines.size(), 2u);
  EXPECT_EQ(back.state().unmapped.size(), 1u);
  EXPECT_EQ(back.state().received_at, t0);

  order_sync att(settings(), dest());
  (void)att.on_order_created(paid_order(), none_map(), t0);
  check(att); // needs_attention
  order_sync skip(settings(), dest());
  auto o = paid_order();
  o.financial_status = "pending";
  (void)skip.on_order_created(o, all_map(), t0);
  check(skip); // skipped

  for (auto p : {order_phase::received, order_phase::creating, order_phase::retry_wait,
                 order_phase::looking_up, order_phase::created, order_phase::updating,
                 order_phase::inviting, order_phase::completed_in_destination,
                 order_phase::needs_attention, order_phase::skipped})
    EXPECT_NE(std::find(seen.begin(), seen.end(), p), seen.end()) << to_string(p);
}

TEST(order_sync_codec, a_decoded_state_continues_where_it_stopped) {
  auto m = creating_draft();
  (void)m.created(m.state().seq, 88, t0);
  auto back = round_trip(m, settings(sync_strategy::draft_order));
  // The pairing survived: an update goes to the same draft, unchanged content sends nothing.
  auto d = open_draft();
  EXPECT_FALSE(back.on_draft_changed(d, all_map(), t0 + 1s).command);
  d.updated_at = "2025-03-14T10:40:00-04:00";
  d.lines[0].quantity = 6;
  auto out = back.on_draft_changed(d, all_map(), t0 + 2s);
  EXPECT_EQ(command<order_cmd::update_draft>(out).source_draft, 88u);
}

TEST(order_sync_codec, rejects_other_versions_and_damaged_text) {
  auto m = creating_order();
  auto text = m.encode();
  EXPECT_EQ(text.substr(0, 4), "os2|");
  auto st = settings();
  EXPECT_FALSE(order_sync::decode("", st).ok());
  EXPECT_FALSE(order_sync::decode("os9|" + text.substr(4), st).ok());
  EXPECT_EQ(order_sync::decode("os9|", st).error().code, "order_state.decode");
  for (std::size_t cut : {std::size_t{5}, text.size() / 2, text.size() - 1})
    EXPECT_FALSE(order_sync::decode(text.substr(0, cut), st).ok()) << cut;
  EXPECT_FALSE(order_sync::decode(text + "x", st).ok());
  EXPECT_TRUE(order_sync::decode(text, st).ok());
}

// ---------------------------------------------------------------- small rules

TEST(order_sync_rules, iso8601_with_offsets) {
  EXPECT_EQ(parse_iso8601_seconds("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso8601_seconds("2025-03-14T10:22:30-04:00"),
            parse_iso8601_seconds("2025-03-14T14:22:30Z"));
  EXPECT_EQ(parse_iso8601_seconds("2025-03-14T14:22:30.123+0000"),
            parse_iso8601_seconds("2025-03-14T14:22:30Z"));
  EXPECT_EQ(parse_iso8601_seconds("2000-03-01T00:00:00Z"), 951868800);
  EXPECT_FALSE(parse_iso8601_seconds("2025-03-14"));
  EXPECT_FALSE(parse_iso8601_seconds("2025-13-14T10:22:30Z"));
  EXPECT_FALSE(parse_iso8601_seconds("2025-03-14T10:22:30"));
  EXPECT_FALSE(parse_iso8601_seconds("2025-03-14T10:22:30Zjunk"));
}

TEST(order_sync_rules, iso8601_utc_formats_what_parse_reads_back) {
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso8601_utc(951868800), "2000-03-01T00:00:00Z");
  EXPECT_EQ(iso8601_utc(1'796'452'562), "2026-12-05T06:36:02Z");
  EXPECT_EQ(iso8601_utc(-1), "1969-12-31T23:59:59Z");
  for (std::int64_t t = -86'400LL * 800; t < 86'400LL * 365 * 80; t += 86'400LL * 37 + 3'607)
    ASSERT_EQ(parse_iso8601_seconds(iso8601_utc(t)), t) << iso8601_utc(t);
}

TEST(order_sync_rules, phase_names_parse_back) {
  for (int i = 0; i <= static_cast<int>(order_phase::skipped); ++i) {
    auto p = static_cast<order_phase>(i);
    EXPECT_EQ(parse_order_phase(to_string(p)), p);
  }
  EXPECT_FALSE(parse_order_phase("done"));
}

// ---------------------------------------------------------------- filters

TEST(order_sync_qualify, financial_statuses_any_lets_every_status_through) {
  auto st = settings();
  st.options.financial_statuses = {"any"};
  for (const char* fs : {"voided", "pending", "authorized", "paid", "refunded", "partially_paid", ""}) {
    auto o = paid_order();
    o.financial_status = fs;
    EXPECT_FALSE(order_skip_reason(o, st)) << fs;
  }
  st.options.financial_statuses = {"paid", "ANY"}; // with others, and in any case
  auto o = paid_order();
  o.financial_status = "voided";
  EXPECT_FALSE(order_skip_reason(o, st));
  // "any" lets statuses through, not shopsync's own orders
  o.app_id = our_app;
  EXPECT_TRUE(order_skip_reason(o, st));
}

TEST(order_sync_qualify, a_skipped_order_is_kept_as_a_record_with_its_reason_and_time) {
  order_sync m(settings(), dest());
  auto o = paid_order();
  o.financial_status = "voided";
  auto out = m.on_order_created(o, all_map(), t0 + 3s);
  EXPECT_EQ(m.state().phase, order_phase::skipped);
  EXPECT_FALSE(out.command);
  EXPECT_TRUE(out.persist) << "the record is what `orders --state skipped` lists";
  auto back = round_trip(m, settings());
  const auto v = back.summary();
  EXPECT_EQ(v.state, "skipped");
  EXPECT_EQ(v.store, "eu");
  EXPECT_EQ(v.destination_name, "#1042");
  EXPECT_NE(v.reason.find("voided"), std::string::npos) << v.reason;
  EXPECT_EQ(v.received_at, t0 + 3s);
  EXPECT_FALSE(v.attention);
  // a redelivery is a known duplicate, and creates nothing
  out = back.on_order_created(o, all_map(), t0 + 9s);
  EXPECT_FALSE(out.command);
  EXPECT_FALSE(out.persist);
  EXPECT_TRUE(has_audit(out, "duplicate_ignored"));
  EXPECT_EQ(parse_order_phase("skipped"), order_phase::skipped);
}

TEST(order_sync_qualify, source_name_alone_does_not_make_an_order_ours) {
  // sourceName is an order attribution handle any channel may use.
  auto o = paid_order();
  o.source_name = "shopsync";
  EXPECT_FALSE(order_skip_reason(o, settings()));
}

// ---------------------------------------------------------------- content

namespace {

tax_line tax(std::string title, std::string rate, std::string price) {
  return {std::move(title), std::move(rate), std::move(price)};
}

order_created rich_order() {
  auto o = paid_order();
  o.lines[0].requires_shipping = true;
  o.lines[0].taxable = true;
  o.lines[0].tax_lines = {tax("IL State Tax", "0.06", "3.60")};
  o.lines[1].requires_shipping = false; // a download
  o.lines[1].tax_lines = {tax("IL State Tax", "0.06", "1.86")};
  o.tax_lines = {tax("IL State Tax", "0.06", "5.76")};
  shipping_line s;
  s.title = "Standard";
  s.code = "STANDARD";
  s.source = "shopify";
  s.price = "5.00";
  s.tax_lines = {tax("IL State Tax", "0.06", "0.30")};
  o.shipping_lines = {s};
  o.discount_codes = {{"SPRING10", "9.10", "percentage"}};
  o.discount_applications = {{"discount_code", "SPRING10", "", "10.0", "percentage", "line_item"}};
  o.total_discounts = "9.10";
  o.taxes_included = false;
  return o;
}

order_create_request create_request(const order_output& out) {
  return command<order_cmd::create_order>(out).request;
}

} // namespace

TEST(order_sync_content, a_line_keeps_requires_shipping_taxable_and_its_taxes) {
  order_sync m(settings(), dest());
  auto out = m.on_order_created(rich_order(), all_map(), t0);
  const auto r = create_request(out);
  ASSERT_EQ(r.line_items.size(), 2u);
  EXPECT_EQ(r.line_items[0].requires_shipping, true) << "orderCreate's default is false";
  EXPECT_EQ(r.line_items[1].requires_shipping, false);
  EXPECT_EQ(r.line_items[0].taxable, true);
  EXPECT_FALSE(r.line_items[1].taxable) << "not in the payload: left to Shopify";
  ASSERT_EQ(r.line_items[0].tax_lines.size(), 1u);
  EXPECT_EQ(r.line_items[0].tax_lines[0].title, "IL State Tax");
  EXPECT_EQ(r.line_items[0].tax_lines[0].rate, "0.06");
  ASSERT_TRUE(r.line_items[0].tax_lines[0].price);
  EXPECT_EQ(r.line_items[0].tax_lines[0].price->amount, "3.60");
  EXPECT_EQ(r.line_items[0].tax_lines[0].price->currency_code, "USD");
  EXPECT_TRUE(r.tax_lines.empty()) << "on the lines or the order, never both";
  EXPECT_EQ(r.taxes_included, false);
}

TEST(order_sync_content, order_taxes_are_used_only_when_no_line_has_any) {
  auto o = rich_order();
  for (auto& l : o.lines)
    l.tax_lines.clear();
  order_sync m(settings(), dest());
  const auto r = create_request(m.on_order_created(o, all_map(), t0));
  ASSERT_EQ(r.tax_lines.size(), 1u);
  EXPECT_EQ(r.tax_lines[0].price->amount, "5.76");
  for (const auto& l : r.line_items)
    EXPECT_TRUE(l.tax_lines.empty());
}

TEST(order_sync_content, shipping_lines_and_a_percentage_code_are_carried) {
  order_sync m(settings(), dest());
  const auto r = create_request(m.on_order_created(rich_order(), all_map(), t0));
  ASSERT_EQ(r.shipping_lines.size(), 1u);
  EXPECT_EQ(r.shipping_lines[0].title, "Standard");
  EXPECT_EQ(r.shipping_lines[0].code, "STANDARD");
  EXPECT_EQ(r.shipping_lines[0].source, "shopify");
  EXPECT_EQ(r.shipping_lines[0].price.amount, "5.00");
  ASSERT_EQ(r.shipping_lines[0].tax_lines.size(), 1u);
  EXPECT_EQ(r.shipping_lines[0].tax_lines[0].price->amount, "0.30");
  ASSERT_TRUE(r.discount_code);
  EXPECT_EQ(r.discount_code->type, discount_code_input::kind::item_percentage);
  EXPECT_EQ(r.discount_code->code, "SPRING10");
  EXPECT_EQ(r.discount_code->percentage, "10.0");
  EXPECT_EQ(r.note.find("not carried"), std::string::npos) << r.note;
}

TEST(order_sync_content, fixed_and_shipping_codes_and_what_cannot_be_carried) {
  auto o = rich_order();
  o.discount_codes = {{"TENOFF", "10.00", "fixed_amount"}, {"SECOND", "2.00", "fixed_amount"}};
  o.discount_applications = {{"discount_code", "TENOFF", "", "10.00", "fixed_amount", "line_item"},
                             {"automatic", "", "Summer sale", "5.0", "percentage", "line_item"}};
  order_sync m(settings(), dest());
  const auto r = create_request(m.on_order_created(o, all_map(), t0));
  ASSERT_TRUE(r.discount_code);
  EXPECT_EQ(r.discount_code->type, discount_code_input::kind::item_fixed);
  ASSERT_TRUE(r.discount_code->amount);
  EXPECT_EQ(r.discount_code->amount->amount, "10.00");
  // orderCreate takes one code: the rest is named in the note, never dropped silently
  EXPECT_NE(r.note.find("SECOND"), std::string::npos) << r.note;
  EXPECT_NE(r.note.find("Summer sale"), std::string::npos) << r.note;

  o.discount_codes = {{"FREESHIP", "5.00", "shipping"}};
  o.discount_applications.clear();
  order_sync f(settings(), dest());
  const auto fr = create_request(f.on_order_created(o, all_map(), t0));
  ASSERT_TRUE(fr.discount_code);
  EXPECT_EQ(fr.discount_code->type, discount_code_input::kind::free_shipping);
  EXPECT_EQ(fr.discount_code->code, "FREESHIP");

  // a percentage code whose rate the payload does not give: the amount it took
  o.discount_codes = {{"PCT", "3.00", "percentage"}};
  order_sync p(settings(), dest());
  const auto pr = create_request(p.on_order_created(o, all_map(), t0));
  ASSERT_TRUE(pr.discount_code);
  EXPECT_EQ(pr.discount_code->type, discount_code_input::kind::item_fixed);
  EXPECT_EQ(pr.discount_code->amount->amount, "3.00");
}

TEST(order_sync_content, source_name_is_sent_only_when_configured) {
  order_sync m(settings(), dest());
  EXPECT_EQ(create_request(m.on_order_created(paid_order(), all_map(), t0)).source_name, "");
  auto st = settings();
  st.options.source_name = "channel:wholesale";
  order_sync n(st, dest());
  EXPECT_EQ(create_request(n.on_order_created(paid_order(), all_map(), t0)).source_name, "channel:wholesale");
}

TEST(order_sync_content, a_draft_keeps_its_shipping_line_discounts_and_tax_exemption) {
  auto d = open_draft();
  shipping_line s;
  s.title = "Freight";
  s.price = "40.00";
  d.shipping = s;
  d.discount = applied_discount{"Wholesale", "Trade customer", "15.0", "percentage", "8.99"};
  d.lines[0].discount = applied_discount{"Damaged box", "", "5.00", "fixed_amount", "5.00"};
  d.tax_exempt = true;
  order_sync m(settings(sync_strategy::draft_order), dest());
  auto out = m.on_draft_changed(d, all_map(), t0);
  const auto& r = command<order_cmd::create_draft>(out).request;
  ASSERT_TRUE(r.shipping_line);
  EXPECT_EQ(r.shipping_line->title, "Freight");
  ASSERT_TRUE(r.shipping_line->price);
  EXPECT_EQ(r.shipping_line->price->amount, "40.00");
  ASSERT_TRUE(r.discount);
  EXPECT_EQ(r.discount->value, "15.0");
  EXPECT_EQ(r.discount->value_type, "PERCENTAGE");
  EXPECT_FALSE(r.discount->amount) << "a percentage is Shopify's to compute";
  ASSERT_TRUE(r.line_items[0].discount);
  EXPECT_EQ(r.line_items[0].discount->value_type, "FIXED_AMOUNT");
  EXPECT_EQ(r.line_items[0].discount->amount->amount, "5.00");
  EXPECT_EQ(r.tax_exempt, true);

  // a changed shipping line is a changed draft: the Source draft is updated
  auto created = m.created(m.state().seq, 77, t0 + 1s);
  EXPECT_FALSE(created.command);
  d.shipping->price = "45.00";
  d.updated_at = "2025-03-14T10:26:00-04:00";
  out = m.on_draft_changed(d, all_map(), t0 + 2s);
  EXPECT_EQ(command<order_cmd::update_draft>(out).request.shipping_line->price->amount, "45.00");
}

TEST(order_sync_content, the_content_survives_a_restart) {
  order_sync m(settings(), dest());
  (void)m.on_order_created(rich_order(), all_map(), t0);
  auto back = round_trip(m, settings());
  const auto a = m.order_request();
  const auto b = back.order_request();
  ASSERT_EQ(b.line_items.size(), 2u);
  EXPECT_EQ(b.line_items[0].requires_shipping, a.line_items[0].requires_shipping);
  EXPECT_EQ(b.line_items[1].requires_shipping, false);
  EXPECT_EQ(b.line_items[0].tax_lines.size(), 1u);
  EXPECT_EQ(b.shipping_lines.size(), 1u);
  ASSERT_TRUE(b.discount_code);
  EXPECT_EQ(b.discount_code->code, "SPRING10");
  EXPECT_EQ(b.taxes_included, false);
}

// ---------------------------------------------------------------- lookup window

namespace {
order_sync_settings windowed(std::chrono::seconds window) {
  auto st = settings();
  st.options.lookup_window = window;
  return st;
}
} // namespace

TEST(order_sync_lookup, an_uncertain_create_is_looked_up_for_the_whole_window_before_a_re_create) {
  const auto st = windowed(60s);
  auto m = creating_order(st); // sent at t0
  auto out = m.failed(m.state().seq, uncertain(), 0.0, t0 + 1s);
  EXPECT_EQ(m.state().lookup_until, t0 + 60s);
  auto now = t0 + 1s + command<order_cmd::schedule_retry>(out).delay;
  out = m.timer(m.state().seq, now);
  int lookups = 0;
  std::chrono::milliseconds last_gap{0};
  for (;;) {
    const auto look = command<order_cmd::lookup_origin>(out);
    ++lookups;
    out = m.found(look.seq, std::nullopt, now);
    if (!out.command || !std::holds_alternative<order_cmd::schedule_retry>(*out.command))
      break;
    ASSERT_LT(now, t0 + 60s) << "a lookup at the window's end ends the looking";
    const auto gap = std::get<order_cmd::schedule_retry>(*out.command).delay;
    EXPECT_TRUE(has_audit(out, "lookup_again"));
    EXPECT_TRUE(m.state().maybe_created);
    EXPECT_EQ(m.state().phase, order_phase::retry_wait);
    if (now + gap < t0 + 60s)
      EXPECT_GE(gap, last_gap) << "backing off";
    last_gap = gap;
    now += gap;
    out = m.timer(m.state().seq, now);
    ASSERT_LT(lookups, 100);
  }
  EXPECT_GE(now, t0 + 60s) << "re-created before the window was over";
  EXPECT_GT(lookups, 3) << "looked again and again during the window";
  (void)command<order_cmd::create_order>(out);
  EXPECT_TRUE(has_audit(out, "not_found"));
}

TEST(order_sync_lookup, an_order_that_shows_late_in_the_window_is_found_not_created_again) {
  auto m = creating_order(windowed(120s));
  auto out = m.failed(m.state().seq, uncertain(), 0.0, t0 + 1s);
  auto now = t0 + 6s;
  out = m.timer(m.state().seq, now);
  // the search index shows the order only after 40 s
  while (now < t0 + 40s) {
    out = m.found(command<order_cmd::lookup_origin>(out).seq, std::nullopt, now);
    now += command<order_cmd::schedule_retry>(out).delay;
    out = m.timer(m.state().seq, now);
  }
  out = m.found(command<order_cmd::lookup_origin>(out).seq, shopify_id{6100000000000042}, now);
  EXPECT_FALSE(out.command);
  EXPECT_EQ(m.state().phase, order_phase::created);
  EXPECT_EQ(m.state().source_id, 6100000000000042u);
}

TEST(order_sync_lookup, a_restart_inside_the_window_keeps_looking_never_creates) {
  auto m = creating_order(windowed(30s));
  auto out = m.failed(m.state().seq, uncertain(), 0.0, t0 + 1s);
  out = m.timer(m.state().seq, t0 + 6s);
  out = m.found(command<order_cmd::lookup_origin>(out).seq, std::nullopt, t0 + 6s);
  (void)command<order_cmd::schedule_retry>(out);
  auto back = round_trip(m, windowed(30s));
  EXPECT_EQ(back.state().lookup_until, t0 + 30s);
  EXPECT_EQ(back.state().lookups, m.state().lookups);
  out = back.resume(t0 + 7s);
  out = back.timer(back.state().seq, back.state().retry_at);
  (void)command<order_cmd::lookup_origin>(out);
  out = back.found(back.state().seq, std::nullopt, t0 + 10s);
  (void)command<order_cmd::schedule_retry>(out);
}

TEST(order_sync_lookup, a_crash_mid_create_opens_the_window_from_the_send_time) {
  auto m = creating_order(windowed(20s)); // sent at t0
  auto back = round_trip(m, windowed(20s));
  auto out = back.resume(t0 + 8s);
  EXPECT_EQ(back.state().lookup_until, t0 + 20s);
  out = back.found(command<order_cmd::lookup_origin>(out).seq, std::nullopt, t0 + 8s);
  (void)command<order_cmd::schedule_retry>(out);
  out = back.timer(back.state().seq, t0 + 20s);
  out = back.found(command<order_cmd::lookup_origin>(out).seq, std::nullopt, t0 + 20s);
  (void)command<order_cmd::create_order>(out);
}

TEST(order_sync_content, a_state_the_previous_version_wrote_still_decodes) {
  // os1 is os2 without the fields os2 appended: per line requires_shipping, taxable (absent:
  // "0" each), tax_lines (none: "0;"), discount (absent: "0"); after the state's last field
  // four empty lists, an empty string, four absent optionals, two zero times and a count.
  order_sync m(settings(), dest());
  auto o = paid_order();
  o.financial_status = "voided"; // skipped: nothing was sent, both times are zero
  (void)m.on_order_created(o, all_map(), t0);
  auto text = m.encode();
  ASSERT_EQ(text.substr(0, 4), "os2|");
  const std::string state_tail = "0;0;0;0;0:00000;0;0;";
  ASSERT_EQ(text.substr(text.size() - state_tail.size()), state_tail) << text;
  std::string os1 = "os1|" + text.substr(4, text.size() - 4 - state_tail.size());
  for (const std::string price : {"5:29.99", "5:31.00"}) {
    auto at = os1.find(price + "000;0");
    ASSERT_NE(at, std::string::npos) << os1;
    os1.erase(at + price.size(), 5);
  }
  auto back = order_sync::decode(os1, settings());
  ASSERT_TRUE(back.ok()) << back.error().message << "\n" << os1;
  EXPECT_EQ(back->state().phase, order_phase::skipped);
  EXPECT_EQ(back->state().lines.size(), 2u);
  EXPECT_FALSE(back->state().lines[0].requires_shipping);
  EXPECT_EQ(back->encode(), text) << "re-encoded as os2, nothing lost";
  EXPECT_FALSE(order_sync::decode("os1|" + text.substr(4), settings()).ok()) << "os2 fields in an os1 text";
}
