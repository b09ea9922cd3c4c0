// order_api: variables for every order document (validated by the schema checker in node) and
// the parsing of Shopify-shaped answers.
#include "io/order_api.hpp"

#include "io/graphql_documents.hpp"
#include "io/json_writer.hpp"
#include "io/webhook_parser.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

using namespace shopsync;
using namespace std::chrono_literals;

namespace {

constexpr variant_id dest_red = 45012345678901, dest_custom_less = 45012345678999;
constexpr variant_id src_red = 9100000000000001;
const order_time t0 = order_time(std::chrono::seconds(1'760'000'000));

// The sample webhooks of ../shared/shopify/webhooks, through the intake's parser.
webhook_event parse_sample(const std::string& topic, const std::string& file) {
  webhook_parser parser;
  auto body = shopsync::testing::read_file(shopsync::testing::shared_path("shopify/webhooks/" + file));
  auto ev = parser.parse(topic, body);
  if (!ev)
    throw std::runtime_error(file + ": " + ev.error().message);
  return std::move(*ev);
}

// orders_create.json, plus a line whose variant the Source does not have.
order_created sample_order() {
  auto o = std::get<order_created>(parse_sample("orders/create", "orders_create.json"));
  EXPECT_EQ(o.id, 5812345678901u);
  EXPECT_EQ(o.lines.size(), 1u);
  auto extra = o.lines.at(0);
  extra.line_id += 1;
  extra.variant = dest_custom_less;
  extra.quantity = 1;
  extra.price = "12.50";
  o.lines.push_back(extra);
  return o;
}

// draft_orders_update.json (completed there), reopened so that it is sent, with a quantity
// and update time of the test's choosing; its variant is renumbered to the mapped one.
draft_order_changed sample_draft(std::int64_t quantity, std::string updated_at) {
  auto d = std::get<draft_order_changed>(parse_sample("draft_orders/update", "draft_orders_update.json"));
  EXPECT_EQ(d.status, "completed");
  d.status = "open";
  d.completed_order.reset();
  d.lines.at(0).variant = dest_red;
  d.lines.at(0).quantity = quantity;
  d.updated_at = std::move(updated_at);
  return d;
}

order_sync_settings settings(sync_strategy s) {
  order_sync_settings st;
  st.strategy = s;
  st.app_id = 424242;
  st.options.send_invoice = true;
  st.options.name_prefix = "EU-";
  return st;
}

std::optional<variant_id> resolve(variant_id v) {
  if (v == dest_red)
    return src_red;
  return std::nullopt;
}

template <class C>
const C& cmd(const order_output& out) {
  EXPECT_TRUE(out.command.has_value());
  EXPECT_TRUE(std::holds_alternative<C>(*out.command));
  return std::get<C>(*out.command);
}

// Every call the state machine makes for one order (create, lookup after an uncertain
// failure) and one draft (create, invoice, update, lookup).
std::vector<order_api_call> realistic_calls() {
  std::vector<order_api_call> calls;
  order_sync m(settings(sync_strategy::order), {"eu", "dest-eu.myshopify.com"});
  auto out = m.on_order_created(sample_order(), resolve, t0);
  calls.push_back(make_call(cmd<order_cmd::create_order>(out)));
  out = m.failed(m.state().seq, {order_failure_kind::uncertain, {error_kind::admin_uncertain, "timeout"}}, 0.0, t0);
  out = m.timer(cmd<order_cmd::schedule_retry>(out).seq, t0 + 10min);
  calls.push_back(make_call(cmd<order_cmd::lookup_origin>(out)));

  order_sync d(settings(sync_strategy::draft_order), {"eu", "dest-eu.myshopify.com"});
  out = d.on_draft_changed(sample_draft(2, "2025-03-14T10:25:00-04:00"), resolve, t0);
  calls.push_back(make_call(cmd<order_cmd::create_draft>(out)));
  out = d.created(d.state().seq, 1123456789099, t0 + 1s);
  calls.push_back(make_call(cmd<order_cmd::send_invoice>(out)));
  out = d.done(d.state().seq, t0 + 2s);
  out = d.on_draft_changed(sample_draft(3, "2025-03-14T11:00:01-04:00"), resolve, t0 + 3s);
  calls.push_back(make_call(cmd<order_cmd::update_draft>(out)));
  out = d.failed(d.state().seq, {order_failure_kind::uncertain, {error_kind::admin_uncertain, "timeout"}}, 0.0, t0 + 4s);
  // An uncertain update is simply repeated (an update is idempotent); the lookup is the create's.
  order_cmd::lookup_origin draft_lookup{99, order_doc_kind::draft_order, d.state().origin_tag, ""};
  calls.push_back(make_call(draft_lookup));
  return calls;
}

// Runs tests/schema/check_documents.js on the calls; returns its exit status and output.
std::pair<int, std::string> check_with_schema(const std::vector<order_api_call>& calls) {
  shopsync::testing::temp_dir dir("order-api");
  json_writer w;
  w.begin_array();
  for (const auto& c : calls)
    w.begin_object()
      .field("operation", c.operation)
      .field("query", c.document)
      .key("variables")
      .raw(c.variables_json)
      .end_object();
  w.end_array();
  const auto docs = dir / "calls.json";
  std::ofstream(docs) << w.str();
  const auto log = dir / "check.log";
  const std::string cmdline = "node '" SHOPSYNC_SOURCE_DIR "/tests/schema/check_documents.js' '" +
                              shopsync::testing::shared_path("shopify/admin-2026-10.introspection.json.gz").string() +
                              "' '" + docs.string() + "' > '" + log.string() + "' 2>&1";
  int rc = std::system(cmdline.c_str());
  return {rc, shopsync::testing::read_file(log)};
}

} // namespace

TEST(order_api_encode, realistic_requests_validate_against_the_admin_schema) {
  auto calls = realistic_calls();
  ASSERT_EQ(calls.size(), 6u);
  auto [rc, output] = check_with_schema(calls);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_NE(output.find("6 passed, 0 failed"), std::string::npos) << output;
}

TEST(order_api_encode, the_schema_check_refuses_bad_variables) {
  auto calls = realistic_calls();
  // quantity as a string and an unknown input field: both must be refused.
  calls[0].variables_json.replace(calls[0].variables_json.find("\"quantity\":2"), 12, "\"quantity\":\"2\"");
  calls[2].variables_json.replace(calls[2].variables_json.find("\"email\""), 7, "\"mail\"");
  auto [rc, output] = check_with_schema(calls);
  EXPECT_NE(rc, 0) << output;
  EXPECT_NE(output.find("4 passed, 2 failed"), std::string::npos) << output;
}

TEST(order_api_encode, order_create_carries_mapped_lines_markers_and_omits_empty_fields) {
  order_sync m(settings(sync_strategy::order), {"eu", "dest-eu.myshopify.com"});
  auto out = m.on_order_created(sample_order(), resolve, t0);
  auto call = make_call(cmd<order_cmd::create_order>(out));
  const auto& v = call.variables_json;
  EXPECT_EQ(call.operation, "OrderCreate");
  EXPECT_TRUE(call.mutation);
  EXPECT_EQ(call.document, graphql::order_create);
  // one mapped line, with the Source variant's GID and the Destination's price
  EXPECT_NE(v.find(R"("lineItems":[{"variantId":"gid://shopify/ProductVariant/9100000000000001","quantity":2,"priceSet":{"shopMoney":{"amount":"29.99","currencyCode":"USD"}},"requiresShipping":true,"taxable":true}])"),
            std::string::npos) << v;
  // the unmapped line is not sent as a line, but named in the note
  EXPECT_EQ(v.find("gid://shopify/ProductVariant/45012345678999"), std::string::npos) << v;
  auto note = v.find(R"("note":")");
  ASSERT_NE(note, std::string::npos);
  EXPECT_NE(v.find("45012345678999", note), std::string::npos) << v;
  EXPECT_NE(v.find(R"("sourceIdentifier":"dest-eu.myshopify.com/5812345678901")"), std::string::npos) << v;
  EXPECT_NE(v.find(R"("name":"EU-#1042")"), std::string::npos) << v;
  EXPECT_NE(v.find(R"("inventoryBehaviour":"DECREMENT_OBEYING_POLICY")"), std::string::npos) << v;
  EXPECT_NE(v.find(R"("customer":{"toUpsert":{"email":"jane@example.com","firstName":"Jane","lastName":"Doe"}})"),
            std::string::npos) << v;
  EXPECT_NE(v.find(R"("provinceCode":"IL")"), std::string::npos);
  EXPECT_EQ(v.find(R"("province":)"), std::string::npos) << "province only without a code";
  EXPECT_EQ(v.find(R"("")"), std::string::npos) << "no empty strings: " << v;
  EXPECT_EQ(v.find("null"), std::string::npos) << v;
  EXPECT_EQ(v.find("billingAddress"), std::string::npos) << "absent address omitted";
}

TEST(order_api_encode, draft_update_and_invoice_use_draft_gids_and_lookup_quotes_the_tag) {
  draft_order_request r;
  r.line_items = {{"gid://shopify/ProductVariant/1", 3}};
  EXPECT_EQ(draft_order_update_variables(1123456789099, r),
            R"({"id":"gid://shopify/DraftOrder/1123456789099","input":{"lineItems":[{"variantId":"gid://shopify/ProductVariant/1","quantity":3}]}})");
  EXPECT_EQ(draft_order_invoice_send_variables(7), R"({"id":"gid://shopify/DraftOrder/7"})");
  draft_order_request empty;
  EXPECT_EQ(draft_order_create_variables(empty), R"({"input":{"lineItems":[]}})")
    << "lineItems is always sent";
  EXPECT_EQ(origin_lookup_variables("shopsync-origin:a.myshopify.com:1"),
            R"({"query":"tag:'shopsync-origin:a.myshopify.com:1'"})");
  EXPECT_EQ(origin_search_query("it's"), R"(tag:'it\'s')");
}

// --- answers

TEST(order_api_parse, order_create_success) {
  auto r = parse_order_create(R"({"data":{"orderCreate":{"order":{"id":"gid://shopify/Order/6100000000001",
    "name":"EU-#1042","tags":["shopsync-origin:dest-eu.myshopify.com:5812345678901"],
    "sourceIdentifier":"dest-eu.myshopify.com/5812345678901"},"userErrors":[]}},
    "extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":10,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1990,"restoreRate":100.0}}}})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->id, 6100000000001u);
  EXPECT_EQ(r->name, "EU-#1042");
  EXPECT_EQ(r->source_identifier, "dest-eu.myshopify.com/5812345678901");
  ASSERT_EQ(r->tags.size(), 1u);
}

TEST(order_api_parse, user_errors_are_typed_and_permanent) {
  const char* body = R"({"data":{"orderCreate":{"order":null,"userErrors":[
    {"code":"INVALID","field":["order","lineItems","0","variantId"],"message":"Variant not found"},
    {"code":"REQUIRED","field":null,"message":"Something else"}]}}})";
  auto a = parse_mutation_answer(body, "orderCreate", "order");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->document);
  ASSERT_EQ(a->user_errors.size(), 2u);
  EXPECT_EQ(a->user_errors[0].code, "INVALID");
  EXPECT_EQ(a->user_errors[0].field, (std::vector<std::string>{"order", "lineItems", "0", "variantId"}));
  EXPECT_TRUE(a->user_errors[1].field.empty());
  auto r = parse_order_create(body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "shopify.user_errors");
  EXPECT_EQ(r.error().message,
            "order.lineItems.0.variantId: Variant not found (INVALID); Something else (REQUIRED)");
  EXPECT_EQ(classify_order_failure(r.error(), true), order_failure_kind::permanent);
}

TEST(order_api_parse, draft_user_errors_have_no_code) {
  auto r = parse_draft_order_create(
    R"({"data":{"draftOrderCreate":{"draftOrder":null,"userErrors":[{"field":["input","email"],"message":"Email is invalid"}]}}})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "shopify.user_errors");
  EXPECT_EQ(r.error().message, "input.email: Email is invalid");
}

TEST(order_api_parse, throttled_is_a_transient_top_level_error) {
  auto r = parse_order_create(R"({"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],
    "extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":3,"restoreRate":100.0}}}})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "THROTTLED");
  EXPECT_EQ(r.error().message, "Throttled");
  EXPECT_EQ(classify_order_failure(r.error(), true), order_failure_kind::transient);
}

TEST(order_api_parse, null_data_of_a_mutation_is_uncertain) {
  for (const char* body : {R"({"data":null})", R"({"data":{"orderCreate":null}})", R"({})"}) {
    auto r = parse_order_create(body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, "shopify.no_data") << body;
    EXPECT_EQ(classify_order_failure(r.error(), true), order_failure_kind::uncertain);
    EXPECT_EQ(classify_order_failure(r.error(), false), order_failure_kind::transient);
  }
  auto internal = parse_order_create(
    R"({"data":null,"errors":[{"message":"Internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]})");
  ASSERT_FALSE(internal);
  EXPECT_EQ(internal.error().code, "INTERNAL_SERVER_ERROR");
  EXPECT_EQ(classify_order_failure(internal.error(), true), order_failure_kind::uncertain);
}

TEST(order_api_parse, malformed_answers_are_bad_responses) {
  for (const char* body : {"not json", R"({"data":{"orderCreate":{"order":{"id":"gid://shopify/Product/1"},"userErrors":[]}}})",
                           R"({"data":{"orderCreate":{"order":{"name":"#1"},"userErrors":[]}}})", "[1,2]"}) {
    auto r = parse_order_create(body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, "order_api.bad_response") << body << " " << r.error().message;
  }
}

TEST(order_api_parse, draft_create_update_and_invoice) {
  auto c = parse_draft_order_create(
    R"({"data":{"draftOrderCreate":{"draftOrder":{"id":"gid://shopify/DraftOrder/1123456789099","name":"#D5","status":"OPEN","tags":["t"]},"userErrors":[]}}})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->id, 1123456789099u);
  EXPECT_EQ(c->status, "OPEN");
  auto u = parse_draft_order_update(
    R"({"data":{"draftOrderUpdate":{"draftOrder":{"id":"gid://shopify/DraftOrder/1123456789099","name":"#D5","status":"OPEN","tags":[]},"userErrors":[]}}})");
  ASSERT_TRUE(u);
  auto i = parse_draft_order_invoice_send(
    R"({"data":{"draftOrderInvoiceSend":{"draftOrder":{"id":"gid://shopify/DraftOrder/1123456789099","status":"INVOICE_SENT"},"userErrors":[]}}})");
  ASSERT_TRUE(i);
  EXPECT_EQ(i->status, "INVOICE_SENT");
  // the answer of another operation is not this one's
  EXPECT_FALSE(parse_draft_order_update(
    R"({"data":{"draftOrderCreate":{"draftOrder":{"id":"gid://shopify/DraftOrder/1"},"userErrors":[]}}})"));
}

TEST(order_api_parse, lookup_takes_the_oldest_exact_match) {
  const std::string tag = "shopsync-origin:dest-eu.myshopify.com:5812345678901";
  const std::string marker = "dest-eu.myshopify.com/5812345678901";
  const std::string body = R"({"data":{"orders":{"nodes":[
    {"id":"gid://shopify/Order/300","name":"#3","tags":[")" + tag + R"("],"sourceIdentifier":")" + marker + R"("},
    {"id":"gid://shopify/Order/100","name":"#1","tags":[")" + tag + R"(0"],"sourceIdentifier":null},
    {"id":"gid://shopify/Order/150","name":"#1b","tags":[")" + tag + R"("],"sourceIdentifier":"other.myshopify.com/1"},
    {"id":"gid://shopify/Order/200","name":"#2","tags":["x",")" + tag + R"("],"sourceIdentifier":null}]}}})";
  auto r = parse_origin_lookup(body, order_doc_kind::order, tag, marker);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->has_value());
  // 100 has only a tag that starts like ours; 150 belongs to another origin; 200 < 300.
  EXPECT_EQ(**r, 200u);

  auto none = parse_origin_lookup(R"({"data":{"orders":{"nodes":[]}}})", order_doc_kind::order, tag, marker);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  auto drafts = parse_origin_lookup(
    R"({"data":{"draftOrders":{"nodes":[{"id":"gid://shopify/DraftOrder/9","name":"#D9","status":"OPEN","tags":["t1"]},
      {"id":"gid://shopify/DraftOrder/8","name":"#D8","status":"OPEN","tags":["t1"]}]}}})",
    order_doc_kind::draft_order, "t1", "");
  ASSERT_TRUE(drafts);
  EXPECT_EQ(drafts->value_or(0), 8u);

  auto throttled = parse_origin_lookup(
    R"({"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}]})", order_doc_kind::order, tag, marker);
  ASSERT_FALSE(throttled);
  EXPECT_EQ(classify_order_failure(throttled.error(), false), order_failure_kind::transient);
}

TEST(order_api_classify, transport_errors) {
  EXPECT_EQ(classify_order_failure({error_kind::admin_uncertain, ""}, true), order_failure_kind::uncertain);
  EXPECT_EQ(classify_order_failure({error_kind::admin_unavailable, ""}, true), order_failure_kind::transient);
  EXPECT_EQ(classify_order_failure({error_kind::admin_throttled, ""}, true), order_failure_kind::transient);
  EXPECT_EQ(classify_order_failure({error_kind::admin_http, "401"}, true), order_failure_kind::permanent);
  EXPECT_EQ(classify_order_failure({"ACCESS_DENIED", ""}, false), order_failure_kind::permanent);
}

// The content a merchant expects on the Source order (shipping, taxes, a discount,
// requires_shipping) and on a Source draft (shipping line, applied discounts, tax exemption),
// from Shopify-shaped payloads through the parser, in variables the 2026-10 schema accepts.
TEST(order_api_encode, order_and_draft_content_validate_against_the_admin_schema) {
  webhook_parser parser;
  auto order_body = shopsync::testing::read_file(shopsync::testing::shared_path("shopify/webhooks/orders_create.json"));
  // the sample, with Shopify's documented content fields filled in
  const std::string content =
    R"("shipping_lines":[{"id":1,"title":"Standard","code":"STANDARD","source":"shopify","price":"5.00",)"
    R"("tax_lines":[{"title":"IL State Tax","price":"0.30","rate":0.06}],"discount_allocations":[]}],)"
    R"("tax_lines":[{"title":"IL State Tax","price":"3.90","rate":0.06}],)"
    R"("discount_codes":[{"code":"SPRING10","amount":"6.00","type":"percentage"}],)"
    R"("discount_applications":[{"type":"discount_code","code":"SPRING10","value":"10.0",)"
    R"("value_type":"percentage","allocation_method":"across","target_selection":"all","target_type":"line_item"}],)"
    R"("total_discounts":"6.00",)";
  order_body.insert(order_body.find('{') + 1, content);
  auto line_taxes = order_body.find(R"("tax_lines":[])");
  ASSERT_NE(line_taxes, std::string::npos);
  order_body.replace(line_taxes, 14, R"("tax_lines":[{"title":"IL State Tax","price":"3.60","rate":0.06}])");
  auto ev = parser.parse("orders/create", order_body);
  ASSERT_TRUE(ev) << ev.error().message;
  order_sync m(settings(sync_strategy::order), {"eu", "dest-eu.myshopify.com"});
  auto out = m.on_order_created(std::get<order_created>(*ev), resolve, t0);
  auto order_call = make_call(cmd<order_cmd::create_order>(out));
  const auto& v = order_call.variables_json;
  EXPECT_NE(v.find(R"("requiresShipping":true)"), std::string::npos) << v;
  EXPECT_NE(v.find(R"("taxLines":[{"title":"IL State Tax","rate":"0.06","priceSet":{"shopMoney":{"amount":"3.60")"),
            std::string::npos) << v;
  EXPECT_NE(v.find(R"("shippingLines":[{"title":"Standard","code":"STANDARD","source":"shopify","priceSet":{"shopMoney":{"amount":"5.00")"),
            std::string::npos) << v;
  EXPECT_NE(v.find(R"("discountCode":{"itemPercentageDiscountCode":{"code":"SPRING10","percentage":10.0}})"),
            std::string::npos) << v;
  EXPECT_NE(v.find(R"("taxesIncluded":false)"), std::string::npos) << v;
  EXPECT_EQ(v.find("sourceName"), std::string::npos) << "no attribution handle configured: " << v;

  auto draft_body = shopsync::testing::read_file(shopsync::testing::shared_path("shopify/webhooks/draft_orders_create.json"));
  auto replace = [&](const std::string& from, const std::string& to) {
    auto at = draft_body.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    draft_body.replace(at, from.size(), to);
  };
  replace(R"("shipping_line":null)", R"("shipping_line":{"title":"Freight","custom":true,"handle":null,"price":"40.00"})");
  replace(R"("applied_discount":null)", // the draft's own (it comes before the lines')
          R"("applied_discount":{"title":"Wholesale","description":"Trade","value":"15.0","value_type":"percentage","amount":"8.99"})");
  replace(R"("tax_exempt":false)", R"("tax_exempt":true)");
  auto dev = parser.parse("draft_orders/create", draft_body);
  ASSERT_TRUE(dev) << dev.error().message;
  auto draft = std::get<draft_order_changed>(*dev);
  for (auto& l : draft.lines)
    l.variant = dest_red;
  order_sync d(settings(sync_strategy::draft_order), {"eu", "dest-eu.myshopify.com"});
  out = d.on_draft_changed(draft, resolve, t0);
  auto draft_call = make_call(cmd<order_cmd::create_draft>(out));
  const auto& dv = draft_call.variables_json;
  EXPECT_NE(dv.find(R"("shippingLine":{"title":"Freight","priceWithCurrency":{"amount":"40.00","currencyCode":"USD"}})"),
            std::string::npos) << dv;
  EXPECT_NE(dv.find(R"("appliedDiscount":{"title":"Wholesale","description":"Trade","value":15.0,"valueType":"PERCENTAGE"})"),
            std::string::npos) << dv;
  EXPECT_NE(dv.find(R"("taxExempt":true)"), std::string::npos) << dv;

  auto [rc, output] = check_with_schema({order_call, draft_call});
  EXPECT_EQ(rc, 0) << output;
  EXPECT_NE(output.find("2 passed, 0 failed"), std::string::npos) << output;
}
