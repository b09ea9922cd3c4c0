// order_reconcile_api: the order reconciler's listings and full reads. The full read of an
// order must give the order path the same event its orders/create webhook gives (the filters
// and the "is it ours" checks read those fields), so it is compared with the intake's parser
// on Shopify's own sample payload.
#include "io/order_reconcile_api.hpp"

#include "domain/order_sync_state.hpp"
#include "io/webhook_parser.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

namespace {

// ../shared/shopify/webhooks/orders_create.json as GraphQL's OrderForSync answers it.
const char* kSampleAsGraphql = R"({"data":{"order":{
  "id":"gid://shopify/Order/5812345678901","name":"#1042","email":"jane@example.com",
  "displayFinancialStatus":"PAID","currencyCode":"USD","sourceName":"web",
  "createdAt":"2025-03-14T14:22:30Z","tags":[],"note":null,
  "app":{"id":"gid://shopify/App/580111"},
  "customAttributes":[],
  "customer":{"id":"gid://shopify/Customer/7012345678901","firstName":"Jane","lastName":"Doe",
              "defaultEmailAddress":{"emailAddress":"jane@example.com"}},
  "shippingAddress":{"firstName":"Jane","lastName":"Doe","company":null,"address1":"1 Main St","address2":null,
                     "city":"Springfield","province":"Illinois","provinceCode":"IL","zip":"62701",
                     "country":"United States","countryCodeV2":"US","phone":null},
  "billingAddress":null,
  "totalPriceSet":{"shopMoney":{"amount":"59.98"}},
  "lineItems":{"nodes":[{"id":"gid://shopify/LineItem/14012345678901","quantity":2,"sku":"TSHIRT-RED-M",
                         "title":"T-Shirt","variantTitle":"Red / M",
                         "variant":{"id":"gid://shopify/ProductVariant/45012345678901"},
                         "product":{"id":"gid://shopify/Product/8012345678901"},
                         "originalUnitPriceSet":{"shopMoney":{"amount":"29.99"}}}],
               "pageInfo":{"hasNextPage":false}}}},
  "extensions":{"cost":{"requestedQueryCost":308,"actualQueryCost":11}}})";

order_created webhook_sample() {
  webhook_parser parser;
  auto body = shopsync::testing::read_file(shopsync::testing::shared_path("shopify/webhooks/orders_create.json"));
  auto ev = parser.parse("orders/create", body);
  EXPECT_TRUE(static_cast<bool>(ev));
  return std::get<order_created>(*ev);
}

// The document of a read answered in one go (no more lines to ask for).
result<order_created> order_read(std::string_view body) {
  auto r = parse_order_read(body);
  if (!r)
    return r.error();
  EXPECT_FALSE(r->more_lines_after.has_value());
  return std::move(r->event);
}
result<draft_order_changed> draft_read(std::string_view body) {
  auto r = parse_draft_order_read(body);
  if (!r)
    return r.error();
  EXPECT_FALSE(r->more_lines_after.has_value());
  return std::move(r->event);
}

} // namespace

TEST(OrderReconcileApi, an_order_read_gives_the_order_path_what_its_webhook_gives) {
  auto hook = webhook_sample();
  auto read = order_read(kSampleAsGraphql);
  ASSERT_TRUE(static_cast<bool>(read)) << read.error().message;
  EXPECT_EQ(read->id, hook.id);
  EXPECT_EQ(read->name, hook.name);
  EXPECT_EQ(read->email, hook.email);
  EXPECT_EQ(read->financial_status, hook.financial_status);
  EXPECT_EQ(read->currency, hook.currency);
  EXPECT_EQ(read->source_name, hook.source_name);
  EXPECT_EQ(read->app_id, hook.app_id);
  EXPECT_EQ(read->tags, hook.tags);
  EXPECT_EQ(read->note, hook.note);
  EXPECT_EQ(read->note_attributes.size(), hook.note_attributes.size());
  EXPECT_EQ(read->total_price, hook.total_price);
  EXPECT_EQ(parse_iso8601_seconds(read->created_at), parse_iso8601_seconds(hook.created_at));
  ASSERT_TRUE(read->customer && hook.customer);
  EXPECT_EQ(read->customer->id, hook.customer->id);
  EXPECT_EQ(read->customer->email, hook.customer->email);
  ASSERT_TRUE(read->shipping_address && hook.shipping_address);
  EXPECT_EQ(read->shipping_address->address1, hook.shipping_address->address1);
  EXPECT_EQ(read->shipping_address->country_code, hook.shipping_address->country_code);
  EXPECT_EQ(read->shipping_address->province_code, hook.shipping_address->province_code);
  EXPECT_EQ(read->billing_address.has_value(), hook.billing_address.has_value());
  ASSERT_EQ(read->lines.size(), hook.lines.size());
  for (std::size_t i = 0; i < hook.lines.size(); ++i) {
    EXPECT_EQ(read->lines[i].line_id, hook.lines[i].line_id);
    EXPECT_EQ(read->lines[i].variant, hook.lines[i].variant);
    EXPECT_EQ(read->lines[i].product, hook.lines[i].product);
    EXPECT_EQ(read->lines[i].sku, hook.lines[i].sku);
    EXPECT_EQ(read->lines[i].quantity, hook.lines[i].quantity);
    EXPECT_EQ(read->lines[i].price, hook.lines[i].price);
  }
}

TEST(OrderReconcileApi, an_order_shopsync_created_is_recognised_as_ours_when_read) {
  order_sync_settings st;
  st.app_id = 580111;
  auto read = order_read(kSampleAsGraphql);
  ASSERT_TRUE(static_cast<bool>(read));
  auto why = order_skip_reason(*read, st);
  ASSERT_TRUE(static_cast<bool>(why));
  EXPECT_NE(why->find("created by shopsync"), std::string::npos) << *why;

  // Made by another app, but carrying shopsync's origin tag and attributes: still ours.
  std::string other = kSampleAsGraphql;
  other.replace(other.find("App/580111"), 10, "App/999");
  other.replace(other.find("\"tags\":[]"), 9, R"("tags":["shopsync-origin:dest-b.myshopify.com:77"])");
  read = order_read(other);
  ASSERT_TRUE(static_cast<bool>(read));
  EXPECT_EQ(read->app_id, std::optional<std::uint64_t>(999));
  EXPECT_TRUE(order_skip_reason(*read, st).has_value());
  st.app_id = 1; // a different app id configured: the tag still tells
  EXPECT_TRUE(order_skip_reason(*read, st).has_value());
}

TEST(OrderReconcileApi, listings_use_shopifys_search_syntax_and_parse_pages) {
  reconcile_query q{1'796'378'400, "", 100}; // 2026-12-04T10:00:00Z
  auto call = make_listing_call(reconcile_doc::orders, q);
  EXPECT_EQ(call.operation, "OrdersCreatedSince");
  EXPECT_NE(call.variables_json.find(R"("query":"created_at:>=2026-12-04T10:00:00Z")"), std::string::npos)
    << call.variables_json;
  EXPECT_NE(call.variables_json.find(R"("after":null)"), std::string::npos);
  q.after = "abc";
  call = make_listing_call(reconcile_doc::draft_orders, q);
  EXPECT_EQ(call.operation, "DraftOrdersUpdatedSince");
  EXPECT_NE(call.variables_json.find(R"("query":"updated_at:>=2026-12-04T10:00:00Z")"), std::string::npos);
  EXPECT_NE(call.variables_json.find(R"("after":"abc")"), std::string::npos);

  auto page = parse_listing(R"({"data":{"draftOrders":{"nodes":[
      {"id":"gid://shopify/DraftOrder/11","updatedAt":"2026-12-04T10:00:05Z"},
      {"id":"gid://shopify/DraftOrder/12","updatedAt":"2026-12-04T11:00:05+01:00"}],
      "pageInfo":{"hasNextPage":true,"endCursor":"eyJ4IjoxfQ=="}}}})",
                            reconcile_doc::draft_orders);
  ASSERT_TRUE(static_cast<bool>(page)) << page.error().message;
  ASSERT_EQ(page->docs.size(), 2u);
  EXPECT_EQ(page->docs[0].id, 11u);
  EXPECT_EQ(page->docs[0].at, 1'796'378'405);
  EXPECT_EQ(page->docs[1].at, 1'796'378'405);
  EXPECT_TRUE(page->has_next);
  EXPECT_EQ(page->end_cursor, "eyJ4IjoxfQ==");

  auto throttled = parse_listing(R"({"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}]})",
                                 reconcile_doc::orders);
  ASSERT_FALSE(static_cast<bool>(throttled));
  EXPECT_EQ(throttled.error().code, "THROTTLED");
}

TEST(OrderReconcileApi, a_document_is_never_read_short_or_from_nothing) {
  // More lines than one answer holds: the answer says where the next ones start, and the next
  // read asks for them with that cursor.
  std::string many = kSampleAsGraphql;
  many.replace(many.find(R"("hasNextPage":false)"), 19, R"("hasNextPage":true,"endCursor":"bGluZToxMDA=")");
  auto first = parse_order_read(many);
  ASSERT_TRUE(static_cast<bool>(first)) << first.error().message;
  EXPECT_EQ(first->more_lines_after, std::optional<std::string>("bGluZToxMDA="));
  EXPECT_FALSE(first->event.lines.empty());
  auto next = make_order_read_call(first->event.id, *first->more_lines_after);
  EXPECT_NE(next.variables_json.find(R"("linesAfter":"bGluZToxMDA=")"), std::string::npos) << next.variables_json;
  EXPECT_EQ(make_order_read_call(first->event.id).variables_json.find("linesAfter"), std::string::npos);
  EXPECT_NE(make_draft_order_read_call(5, "abc").variables_json.find(R"("linesAfter":"abc")"), std::string::npos);

  // "More" without a cursor cannot be followed: an error, never a short document.
  std::string no_cursor = kSampleAsGraphql;
  no_cursor.replace(no_cursor.find(R"("hasNextPage":false)"), 19, R"("hasNextPage":true)");
  auto r = parse_order_read(no_cursor);
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error().code, "order_reconcile.bad_response");

  auto gone = parse_draft_order_read(R"({"data":{"draftOrder":null}})");
  ASSERT_FALSE(static_cast<bool>(gone));
  EXPECT_EQ(gone.error().code, "order_reconcile.gone");
}

TEST(OrderReconcileApi, a_draft_read_maps_status_note_and_completed_order) {
  auto d = draft_read(R"({"data":{"draftOrder":{"id":"gid://shopify/DraftOrder/1123456789012",
    "name":"#D17","status":"INVOICE_SENT","email":"b@example.com","currencyCode":"USD",
    "updatedAt":"2026-12-04T10:00:05Z","tags":["vip"],"note2":"call first","order":{"id":"gid://shopify/Order/77"},
    "customAttributes":[{"key":"gift","value":"yes"}],"customer":null,"shippingAddress":null,"billingAddress":null,
    "lineItems":{"nodes":[{"id":"gid://shopify/DraftOrderLineItem/5","quantity":3,"sku":"S","title":"T",
      "variantTitle":null,"variant":null,"product":null,"originalUnitPriceSet":{"shopMoney":{"amount":"1.00"}}}],
      "pageInfo":{"hasNextPage":false}}}}})");
  ASSERT_TRUE(static_cast<bool>(d)) << d.error().message;
  EXPECT_EQ(d->status, "invoice_sent");
  EXPECT_EQ(d->note, "call first");
  EXPECT_EQ(d->completed_order, std::optional<order_id>(77));
  EXPECT_EQ(d->tags, std::vector<std::string>{"vip"});
  ASSERT_EQ(d->note_attributes.size(), 1u);
  EXPECT_EQ(d->note_attributes[0].name, "gift");
  ASSERT_EQ(d->lines.size(), 1u);
  EXPECT_FALSE(d->lines[0].variant.has_value()); // a custom line
  EXPECT_EQ(d->lines[0].quantity, 3);
  EXPECT_EQ(d->updated_at, "2026-12-04T10:00:05Z");
}

// meets the promise that no order is lost: an order the reconciler finds must reach the Source with the same
// content its orders/create would have carried (shipping, taxes, discounts, requires_shipping).
namespace {

// Shopify writes money as "5.00" in webhooks and "5.0" in GraphQL: the same decimal.
std::string dec(std::string s) {
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0')
      s.pop_back();
    if (!s.empty() && s.back() == '.')
      s.pop_back();
  }
  return s;
}

std::string taxes_text(const std::vector<tax_line>& ts) {
  std::string out = "[";
  for (const auto& t : ts)
    out += "{" + t.title + " " + t.rate + " " + dec(t.price) + "}";
  return out + "]";
}

std::string flag_text(const std::optional<bool>& b) { return b ? (*b ? "true" : "false") : "absent"; }

std::string discount_text(const std::optional<applied_discount>& d) {
  if (!d)
    return "none";
  return d->title + "|" + d->description + "|" + dec(d->value) + "|" + d->value_type + "|" + dec(d->amount);
}

std::string lines_text(const std::vector<order_line>& ls) {
  std::string out;
  for (const auto& l : ls)
    out += "line " + std::to_string(l.line_id) + " ships=" + flag_text(l.requires_shipping) +
           " taxable=" + flag_text(l.taxable) + " taxes=" + taxes_text(l.tax_lines) +
           " discount=" + discount_text(l.discount) + "\n";
  return out;
}

std::string shipping_text(const shipping_line& s) {
  return s.title + "|" + s.code + "|" + s.source + "|" + dec(s.price) + "|" + taxes_text(s.tax_lines);
}

// Every content field the order path writes into orderCreate, as one comparable text.
std::string content_of(const order_created& o) {
  std::string out = lines_text(o.lines);
  for (const auto& s : o.shipping_lines)
    out += "shipping " + shipping_text(s) + "\n";
  out += "taxes " + taxes_text(o.tax_lines) + "\n";
  for (const auto& c : o.discount_codes)
    out += "code " + c.code + "|" + dec(c.amount) + "|" + c.type + "\n";
  for (const auto& a : o.discount_applications)
    out += "application " + a.type + "|" + a.code + "|" + a.title + "|" + dec(a.value) + "|" + a.value_type + "|" +
           a.target_type + "\n";
  return out + "total_discounts " + dec(o.total_discounts) + " taxes_included " + flag_text(o.taxes_included);
}

std::string content_of(const draft_order_changed& d) {
  return lines_text(d.lines) + "shipping " + (d.shipping ? shipping_text(*d.shipping) : "none") + "\ndiscount " +
         discount_text(d.discount) + "\ntax_exempt " + flag_text(d.tax_exempt) + " taxes_included " +
         flag_text(d.taxes_included);
}

const char* kContentWebhook = R"({"id":5812345678902,"name":"#1043","currency":"EUR","taxes_included":true,
  "total_discounts":"6.00",
  "shipping_lines":[{"id":9,"title":"Standard","code":"STANDARD","source":"shopify","price":"5.00",
                     "tax_lines":[{"title":"VAT","price":"0.83","rate":0.2}]}],
  "tax_lines":[{"title":"VAT","price":"10.83","rate":0.2}],
  "discount_codes":[{"code":"SPRING10","amount":"6.00","type":"percentage"}],
  "discount_applications":[{"type":"discount_code","code":"SPRING10","value":"10.0","value_type":"percentage",
                            "allocation_method":"across","target_selection":"all","target_type":"line_item"}],
  "line_items":[{"id":3,"quantity":2,"price":"30.00","requires_shipping":true,"taxable":true,
                 "tax_lines":[{"title":"VAT","price":"10.00","rate":0.2}]},
                {"id":4,"quantity":1,"price":"0.00","requires_shipping":false,"taxable":false,"tax_lines":[]}]})";

const char* kContentGraphql = R"({"data":{"order":{"id":"gid://shopify/Order/5812345678902","name":"#1043",
  "currencyCode":"EUR","taxesIncluded":true,"totalDiscountsSet":{"shopMoney":{"amount":"6.0"}},
  "shippingLines":{"nodes":[{"title":"Standard","code":"STANDARD","source":"shopify",
    "originalPriceSet":{"shopMoney":{"amount":"5.0"}},
    "taxLines":[{"title":"VAT","rate":0.2,"priceSet":{"shopMoney":{"amount":"0.83"}}}]}]},
  "taxLines":[{"title":"VAT","rate":0.2,"priceSet":{"shopMoney":{"amount":"10.83"}}}],
  "discountCodes":["SPRING10"],
  "discountApplications":{"nodes":[{"__typename":"DiscountCodeApplication","targetType":"LINE_ITEM",
    "value":{"__typename":"PricingPercentageValue","percentage":10.0},"code":"SPRING10"}]},
  "lineItems":{"nodes":[
    {"id":"gid://shopify/LineItem/3","quantity":2,"originalUnitPriceSet":{"shopMoney":{"amount":"30.0"}},
     "requiresShipping":true,"taxable":true,
     "taxLines":[{"title":"VAT","rate":0.2,"priceSet":{"shopMoney":{"amount":"10.0"}}}]},
    {"id":"gid://shopify/LineItem/4","quantity":1,"originalUnitPriceSet":{"shopMoney":{"amount":"0.0"}},
     "requiresShipping":false,"taxable":false,"taxLines":[]}],
    "pageInfo":{"hasNextPage":false}}}}})";

} // namespace

TEST(OrderReconcileApi, an_order_read_carries_the_content_its_webhook_carries) {
  webhook_parser parser;
  auto hook = parser.parse("orders/create", kContentWebhook);
  ASSERT_TRUE(static_cast<bool>(hook)) << hook.error().message;
  const auto& h = std::get<order_created>(*hook);
  auto read = order_read(kContentGraphql);
  ASSERT_TRUE(static_cast<bool>(read)) << read.error().message;
  EXPECT_EQ(content_of(*read), content_of(h));
  // not vacuous: the content is there, in the webhook's units
  ASSERT_EQ(read->lines.size(), 2u);
  EXPECT_EQ(read->lines[0].requires_shipping, true);
  EXPECT_EQ(read->lines[0].tax_lines.at(0).rate, "0.2");
  ASSERT_EQ(read->shipping_lines.size(), 1u);
  ASSERT_EQ(read->discount_codes.size(), 1u);
  EXPECT_EQ(read->discount_codes[0].type, "percentage");
  EXPECT_EQ(read->discount_applications.at(0).value, "10.0");
  EXPECT_EQ(read->taxes_included, true);

  // A free-shipping code and a fixed code next to an automatic discount: types and amounts.
  auto two = order_read(R"({"data":{"order":{"id":"gid://shopify/Order/9",
    "totalDiscountsSet":{"shopMoney":{"amount":"12.0"}},"discountCodes":["SHIPFREE","TEN"],
    "discountApplications":{"nodes":[
      {"__typename":"DiscountCodeApplication","targetType":"SHIPPING_LINE",
       "value":{"__typename":"PricingPercentageValue","percentage":100.0},"code":"SHIPFREE"},
      {"__typename":"DiscountCodeApplication","targetType":"LINE_ITEM",
       "value":{"__typename":"MoneyV2","amount":"10.0"},"code":"TEN"},
      {"__typename":"AutomaticDiscountApplication","targetType":"LINE_ITEM",
       "value":{"__typename":"MoneyV2","amount":"2.0"},"title":"Winter"}]}}}})");
  ASSERT_TRUE(static_cast<bool>(two)) << two.error().message;
  ASSERT_EQ(two->discount_codes.size(), 2u);
  EXPECT_EQ(two->discount_codes[0].type, "shipping");
  EXPECT_EQ(two->discount_codes[1].type, "fixed_amount");
  EXPECT_EQ(two->discount_codes[1].amount, "10.0");
  ASSERT_EQ(two->discount_applications.size(), 3u);
  EXPECT_EQ(two->discount_applications[2].type, "automatic");
  EXPECT_EQ(two->discount_applications[2].title, "Winter");
  EXPECT_EQ(two->discount_applications[0].target_type, "shipping_line");
}

TEST(OrderReconcileApi, a_draft_read_carries_the_content_its_webhook_carries) {
  webhook_parser parser;
  auto hook = parser.parse("draft_orders/update", R"({"id":1123456789013,"status":"open","tax_exempt":true,
    "taxes_included":false,
    "shipping_line":{"title":"Freight","custom":true,"handle":null,"price":"40.00"},
    "applied_discount":{"title":"Trade","description":"trade price","value":"15.0","value_type":"percentage","amount":"9.00"},
    "line_items":[{"id":6,"quantity":2,"requires_shipping":true,"taxable":true,
                   "applied_discount":{"title":"","description":"","value":"5.00","value_type":"fixed_amount","amount":"5.00"}},
                  {"id":7,"quantity":1,"requires_shipping":false,"taxable":true,"applied_discount":null}]})");
  ASSERT_TRUE(static_cast<bool>(hook)) << hook.error().message;
  const auto& h = std::get<draft_order_changed>(*hook);
  auto read = draft_read(R"({"data":{"draftOrder":{"id":"gid://shopify/DraftOrder/1123456789013",
    "status":"OPEN","taxExempt":true,"taxesIncluded":false,
    "shippingLine":{"title":"Freight","shippingRateHandle":null,"originalPriceSet":{"shopMoney":{"amount":"40.0"}}},
    "appliedDiscount":{"title":"Trade","description":"trade price","value":15.0,"valueType":"PERCENTAGE",
                       "amountSet":{"shopMoney":{"amount":"9.0"}}},
    "lineItems":{"nodes":[
      {"id":"gid://shopify/DraftOrderLineItem/6","quantity":2,"requiresShipping":true,"taxable":true,
       "appliedDiscount":{"title":"","description":"","value":5.0,"valueType":"FIXED_AMOUNT",
                          "amountSet":{"shopMoney":{"amount":"5.0"}}}},
      {"id":"gid://shopify/DraftOrderLineItem/7","quantity":1,"requiresShipping":false,"taxable":true,
       "appliedDiscount":null}],
      "pageInfo":{"hasNextPage":false}}}}})");
  ASSERT_TRUE(static_cast<bool>(read)) << read.error().message;
  EXPECT_EQ(content_of(*read), content_of(h));
  ASSERT_TRUE(read->shipping && read->discount);
  EXPECT_EQ(read->shipping->title, "Freight");
  EXPECT_EQ(read->discount->value_type, "percentage");
  EXPECT_EQ(read->tax_exempt, true);
  ASSERT_EQ(read->lines.size(), 2u);
  EXPECT_TRUE(read->lines[0].discount);
  EXPECT_EQ(read->lines[1].requires_shipping, false);
}
