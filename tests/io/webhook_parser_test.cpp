#include "io/webhook_parser.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace shopsync;
using shopsync::testing::read_file;
using shopsync::testing::shared_path;

namespace {

std::string sample(const std::string& name) {
  auto body = read_file(shared_path("shopify/webhooks/" + name));
  if (body.empty())
    throw std::runtime_error("missing sample " + name);
  return body;
}

template <class T>
T parse_ok(webhook_parser& p, const std::string& topic, const std::string& body) {
  auto r = p.parse(topic, body);
  if (!r.ok())
    ADD_FAILURE() << topic << ": " << r.error().code << " " << r.error().message;
  if (!r.ok() || !std::holds_alternative<T>(*r))
    return T{};
  return std::get<T>(*r);
}

error parse_err(webhook_parser& p, const std::string& topic, const std::string& body) {
  auto r = p.parse(topic, body);
  if (r.ok()) {
    ADD_FAILURE() << "parsed although it should not: " << body;
    return {};
  }
  return r.error();
}

const std::string level_topic = "inventory_levels/update";

} // namespace

// --- every sample file

TEST(webhook_parser, inventory_levels_update_sample) {
  webhook_parser p;
  auto e = parse_ok<inventory_level_changed>(p, level_topic, sample("inventory_levels_update.json"));
  EXPECT_EQ(e.item, 45678901234567u);
  EXPECT_EQ(e.location, 71234567890u);
  ASSERT_TRUE(e.available.has_value());
  EXPECT_EQ(*e.available, 7);
  EXPECT_EQ(e.updated_at, "2025-03-14T10:22:31-04:00");
  EXPECT_EQ(e.updated_at_s, 1741962151); // 14:22:31 UTC
}

// updated_at in UTC seconds whatever the offset; missing, null, another type or malformed: an
// unknown time, never a refusal (the state machine then reads the level as before).
TEST(webhook_parser, inventory_level_updated_at_as_utc_seconds_or_unknown) {
  webhook_parser p;
  auto at = [&](const std::string& updated) {
    return parse_ok<inventory_level_changed>(
               p, level_topic, R"({"inventory_item_id":1,"location_id":2,"available":3)" + updated + "}")
        .updated_at_s;
  };
  EXPECT_EQ(at(R"(,"updated_at":"2025-03-14T14:22:31Z")"), 1741962151);
  EXPECT_EQ(at(R"(,"updated_at":"2025-03-14T16:22:31+02:00")"), 1741962151);
  EXPECT_EQ(at(""), std::nullopt);
  EXPECT_EQ(at(R"(,"updated_at":null)"), std::nullopt);
  EXPECT_EQ(at(R"(,"updated_at":1741962151)"), std::nullopt);
  EXPECT_EQ(at(R"(,"updated_at":"yesterday")"), std::nullopt);
  EXPECT_EQ(at(R"(,"updated_at":"2025-03-14T14:22:31")"), std::nullopt); // no offset
}

TEST(webhook_parser, inventory_items_update_sample) {
  webhook_parser p;
  auto e = parse_ok<inventory_item_changed>(p, "inventory_items/update", sample("inventory_items_update.json"));
  EXPECT_EQ(e.item, 45678901234567u);
  EXPECT_EQ(e.sku, "TSHIRT-RED-M");
  EXPECT_TRUE(e.tracked);
  EXPECT_EQ(e.updated_at, "2025-03-14T10:22:31-04:00");
}

TEST(webhook_parser, orders_create_sample) {
  webhook_parser p;
  auto o = parse_ok<order_created>(p, "orders/create", sample("orders_create.json"));
  EXPECT_EQ(o.id, 5812345678901u);
  EXPECT_EQ(o.name, "#1042");
  EXPECT_EQ(o.email, "jane@example.com");
  EXPECT_EQ(o.financial_status, "paid");
  EXPECT_EQ(o.currency, "USD");
  EXPECT_EQ(o.source_name, "web");
  ASSERT_TRUE(o.app_id);
  EXPECT_EQ(*o.app_id, 580111u);
  EXPECT_TRUE(o.tags.empty()); // "" → no tags
  EXPECT_EQ(o.note, "");       // null → empty
  EXPECT_TRUE(o.note_attributes.empty());
  ASSERT_TRUE(o.customer);
  EXPECT_EQ(o.customer->id, std::optional<shopify_id>(7012345678901u));
  EXPECT_EQ(o.customer->first_name, "Jane");
  ASSERT_TRUE(o.shipping_address);
  EXPECT_EQ(o.shipping_address->address1, "1 Main St");
  EXPECT_EQ(o.shipping_address->province_code, "IL");
  EXPECT_EQ(o.shipping_address->country, "United States");
  EXPECT_EQ(o.shipping_address->phone, "");
  EXPECT_FALSE(o.billing_address);
  ASSERT_EQ(o.lines.size(), 1u);
  EXPECT_EQ(o.lines[0].line_id, 14012345678901u);
  EXPECT_EQ(o.lines[0].variant, std::optional<variant_id>(45012345678901u));
  EXPECT_EQ(o.lines[0].product, std::optional<product_id>(8012345678901u));
  EXPECT_EQ(o.lines[0].sku, "TSHIRT-RED-M");
  EXPECT_EQ(o.lines[0].title, "T-Shirt");
  EXPECT_EQ(o.lines[0].variant_title, "Red / M");
  EXPECT_EQ(o.lines[0].quantity, 2);
  EXPECT_EQ(o.lines[0].price, "29.99");
  EXPECT_EQ(o.total_price, "59.98");
  EXPECT_EQ(o.created_at, "2025-03-14T10:22:30-04:00");
}

TEST(webhook_parser, draft_orders_create_sample) {
  webhook_parser p;
  auto d = parse_ok<draft_order_changed>(p, "draft_orders/create", sample("draft_orders_create.json"));
  EXPECT_TRUE(d.created);
  EXPECT_EQ(d.id, 1123456789012u);
  EXPECT_EQ(d.name, "#D17");
  EXPECT_EQ(d.status, "open");
  EXPECT_FALSE(d.completed_order);
  EXPECT_EQ(d.api_client_id, std::optional<std::uint64_t>(580111u));
  EXPECT_EQ(d.tags, std::vector<std::string>{"tipo-sync"});
  EXPECT_EQ(d.note, "Synced from source store");
  ASSERT_TRUE(d.customer);
  EXPECT_EQ(d.customer->id, std::optional<shopify_id>(7112345678901u));
  EXPECT_EQ(d.customer->first_name, ""); // not sent: empty
  ASSERT_TRUE(d.shipping_address);
  EXPECT_EQ(d.shipping_address->zip, "62701");
  EXPECT_FALSE(d.billing_address);
  ASSERT_EQ(d.lines.size(), 1u);
  EXPECT_EQ(d.lines[0].variant, std::optional<variant_id>(46012345678901u));
  EXPECT_EQ(d.lines[0].quantity, 2);
  EXPECT_EQ(d.lines[0].price, "29.99");
  EXPECT_EQ(d.updated_at, "2025-03-14T10:25:00-04:00");
}

TEST(webhook_parser, draft_orders_update_sample) {
  webhook_parser p;
  auto d = parse_ok<draft_order_changed>(p, "draft_orders/update", sample("draft_orders_update.json"));
  EXPECT_FALSE(d.created);
  EXPECT_EQ(d.status, "completed");
  EXPECT_EQ(d.completed_order, std::optional<order_id>(5822345678901u));
  EXPECT_EQ(d.updated_at, "2025-03-14T11:00:01-04:00");
  ASSERT_EQ(d.lines.size(), 1u);
  EXPECT_EQ(d.lines[0].line_id, 57012345678901u);
}

TEST(webhook_parser, products_create_and_update_samples) {
  webhook_parser p;
  for (auto [topic, file, created] : {std::tuple{"products/create", "products_create.json", true},
                                      std::tuple{"products/update", "products_update.json", false}}) {
    SCOPED_TRACE(topic);
    auto pr = parse_ok<product_changed>(p, topic, sample(file));
    EXPECT_EQ(pr.created, created);
    EXPECT_EQ(pr.id, 8012345678901u);
    EXPECT_EQ(pr.handle, "t-shirt");
    EXPECT_EQ(pr.status, "active");
    EXPECT_EQ(pr.updated_at, "2025-03-14T10:22:31-04:00");
    ASSERT_EQ(pr.variants.size(), 1u);
    auto& v = pr.variants[0];
    EXPECT_EQ(v.id, 45012345678901u);
    EXPECT_EQ(v.item, 45678901234567u);
    EXPECT_EQ(v.sku, "TSHIRT-RED-M");
    EXPECT_EQ(v.barcode, "0123456789012");
    EXPECT_EQ(v.title, "M");
    EXPECT_EQ(v.position, 1);
    EXPECT_EQ(v.options, std::vector<std::string>{"M"});
    EXPECT_EQ(pr.all_variants, std::vector<variant_id>{45012345678901u});
  }
}

TEST(webhook_parser, every_sample_file_parses_with_its_topic) {
  webhook_parser p;
  int files = 0;
  for (auto& entry : std::filesystem::directory_iterator(shared_path("shopify/webhooks"))) {
    auto name = entry.path().stem().string(); // orders_create → orders/create
    auto topic = name;
    topic[topic.rfind('_')] = '/';
    ASSERT_TRUE(webhook_parser::is_known_topic(topic)) << topic;
    auto r = p.parse(topic, read_file(entry.path()));
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message);
    ++files;
  }
  EXPECT_EQ(files, 7);
}

// --- edge cases

TEST(webhook_parser, available_null_and_missing) {
  webhook_parser p;
  auto e = parse_ok<inventory_level_changed>(p, level_topic,
                                             R"({"inventory_item_id":1,"location_id":2,"available":null})");
  EXPECT_FALSE(e.available);
  e = parse_ok<inventory_level_changed>(p, level_topic, R"({"inventory_item_id":1,"location_id":2})");
  EXPECT_FALSE(e.available);
  EXPECT_EQ(e.updated_at, "");
  e = parse_ok<inventory_level_changed>(p, level_topic, R"({"inventory_item_id":1,"location_id":2,"available":-3})");
  EXPECT_EQ(e.available, std::optional<std::int64_t>(-3));
}

TEST(webhook_parser, ids_are_exact_up_to_2_pow_64_minus_1) {
  webhook_parser p;
  auto e = parse_ok<inventory_level_changed>(
      p, level_topic, R"({"inventory_item_id":18446744073709551615,"location_id":9007199254740993})");
  EXPECT_EQ(e.item, 18446744073709551615ull);
  EXPECT_EQ(e.location, 9007199254740993ull); // 2^53 + 1: a double would say ...992
  // A digit string is an id too.
  e = parse_ok<inventory_level_changed>(p, level_topic, R"({"inventory_item_id":"9007199254740993","location_id":2})");
  EXPECT_EQ(e.item, 9007199254740993ull);
}

TEST(webhook_parser, refuses_float_negative_overflowing_and_non_numeric_ids) {
  webhook_parser p;
  for (auto bad : {R"(1.5)", R"(-1)", R"(18446744073709551616)", R"(1e5)", R"(true)", R"("12a")", R"("")", R"({})",
                   R"([1])"}) {
    SCOPED_TRACE(bad);
    auto err = parse_err(p, level_topic, std::string(R"({"location_id":2,"inventory_item_id":)") + bad + "}");
    EXPECT_EQ(err.code, "webhook.wrong_type");
    EXPECT_NE(err.message.find("inventory_item_id"), std::string::npos) << err.message;
  }
}

TEST(webhook_parser, missing_required_field_is_named) {
  webhook_parser p;
  auto err = parse_err(p, level_topic, R"({"inventory_item_id":1,"available":3})");
  EXPECT_EQ(err.code, "webhook.missing_field");
  EXPECT_NE(err.message.find("location_id"), std::string::npos) << err.message;

  err = parse_err(p, level_topic, R"({"inventory_item_id":null,"location_id":2})");
  EXPECT_EQ(err.code, "webhook.missing_field");
  EXPECT_NE(err.message.find("inventory_item_id"), std::string::npos) << err.message;

  err = parse_err(p, "orders/create", R"({"id":1,"line_items":[{"id":5,"quantity":1},{"id":6}]})");
  EXPECT_EQ(err.code, "webhook.missing_field");
  EXPECT_NE(err.message.find("line_items[1].quantity"), std::string::npos) << err.message;

  err = parse_err(p, "orders/create", R"({"id":1})");
  EXPECT_NE(err.message.find("line_items"), std::string::npos) << err.message;

  err = parse_err(p, "draft_orders/update", R"({"id":1,"line_items":[]})");
  EXPECT_NE(err.message.find("status"), std::string::npos) << err.message;

  err = parse_err(p, "inventory_items/update", R"({"sku":"X"})");
  EXPECT_NE(err.message.find("id"), std::string::npos) << err.message;
}

TEST(webhook_parser, wrong_types_are_named) {
  webhook_parser p;
  auto err = parse_err(p, "orders/create", R"({"id":1,"email":42,"line_items":[]})");
  EXPECT_EQ(err.code, "webhook.wrong_type");
  EXPECT_NE(err.message.find("email"), std::string::npos) << err.message;

  err = parse_err(p, "orders/create", R"({"id":1,"line_items":[{"id":1,"quantity":"2"}]})");
  EXPECT_NE(err.message.find("line_items[0].quantity"), std::string::npos) << err.message;

  err = parse_err(p, "orders/create", R"({"id":1,"line_items":{}})");
  EXPECT_NE(err.message.find("line_items"), std::string::npos) << err.message;

  err = parse_err(p, "orders/create", R"({"id":1,"line_items":[],"shipping_address":{"city":7}})");
  EXPECT_NE(err.message.find("shipping_address.city"), std::string::npos) << err.message;

  err = parse_err(p, "orders/create", R"({"id":1,"line_items":[],"customer":"jane"})");
  EXPECT_NE(err.message.find("customer"), std::string::npos) << err.message;

  err = parse_err(p, "inventory_items/update", R"({"id":1,"tracked":"yes"})");
  EXPECT_NE(err.message.find("tracked"), std::string::npos) << err.message;

  err = parse_err(p, level_topic, R"({"inventory_item_id":1,"location_id":2,"available":1.5})");
  EXPECT_NE(err.message.find("available"), std::string::npos) << err.message;

  err = parse_err(p, "products/update", R"({"id":1,"variant_gids":[{"admin_graphql_api_id":"gid://shopify/Product/1"}]})");
  EXPECT_NE(err.message.find("variant_gids[0]"), std::string::npos) << err.message;
}

TEST(webhook_parser, money_stays_decimal_text) {
  webhook_parser p;
  auto o = parse_ok<order_created>(
      p, "orders/create",
      R"({"id":1,"total_price":19.90,"line_items":[{"id":1,"quantity":1,"price":"0.10"},{"id":2,"quantity":1,"price":12345678901234567890.12}]})");
  EXPECT_EQ(o.total_price, "19.90"); // a number keeps its text: no double rounding
  ASSERT_EQ(o.lines.size(), 2u);
  EXPECT_EQ(o.lines[0].price, "0.10");
  EXPECT_EQ(o.lines[1].price, "12345678901234567890.12");
}

TEST(webhook_parser, tags_are_split_and_trimmed) {
  webhook_parser p;
  auto o = parse_ok<order_created>(p, "orders/create", R"({"id":1,"tags":" a, b ,c,, ,d e ","line_items":[]})");
  EXPECT_EQ(o.tags, (std::vector<std::string>{"a", "b", "c", "d e"}));
  o = parse_ok<order_created>(p, "orders/create", R"({"id":1,"tags":null,"line_items":[]})");
  EXPECT_TRUE(o.tags.empty());
  o = parse_ok<order_created>(p, "orders/create", R"({"id":1,"tags":["x"," y "],"line_items":[]})");
  EXPECT_EQ(o.tags, (std::vector<std::string>{"x", "y"}));
}

TEST(webhook_parser, nulls_and_missing_optional_fields) {
  webhook_parser p;
  auto o = parse_ok<order_created>(
      p, "orders/create",
      R"({"id":1,"name":null,"email":null,"app_id":null,"customer":null,"shipping_address":null,"note_attributes":null,)"
      R"("line_items":[{"id":3,"quantity":1,"variant_id":null,"product_id":null,"sku":null,"price":null}]})");
  EXPECT_EQ(o.name, "");
  EXPECT_FALSE(o.app_id);
  EXPECT_FALSE(o.customer);
  EXPECT_FALSE(o.shipping_address);
  ASSERT_EQ(o.lines.size(), 1u);
  EXPECT_FALSE(o.lines[0].variant); // a custom line
  EXPECT_FALSE(o.lines[0].product);
  EXPECT_EQ(o.lines[0].sku, "");
  auto i = parse_ok<inventory_item_changed>(p, "inventory_items/update", R"({"id":4,"sku":null,"tracked":false})");
  EXPECT_EQ(i.sku, "");
  EXPECT_FALSE(i.tracked);
  auto pr = parse_ok<product_changed>(p, "products/create", R"({"id":5})");
  EXPECT_TRUE(pr.variants.empty());
  EXPECT_TRUE(pr.all_variants.empty());
}

TEST(webhook_parser, note_attributes_keep_names_and_values) {
  webhook_parser p;
  auto o = parse_ok<order_created>(
      p, "orders/create",
      R"({"id":1,"line_items":[],"note_attributes":[{"name":"gift","value":"yes"},{"name":"n","value":3}]})");
  ASSERT_EQ(o.note_attributes.size(), 2u);
  EXPECT_EQ(o.note_attributes[0].name, "gift");
  EXPECT_EQ(o.note_attributes[0].value, "yes");
  EXPECT_EQ(o.note_attributes[1].value, "3");
}

TEST(webhook_parser, variant_gids_list_every_variant) {
  webhook_parser p;
  auto pr = parse_ok<product_changed>(
      p, "products/update",
      R"({"id":1,"variants":[{"id":10,"inventory_item_id":20,"option1":"S","option2":null,"option3":"Blue"}],)"
      R"("variant_gids":[{"admin_graphql_api_id":"gid://shopify/ProductVariant/10"},)"
      R"({"admin_graphql_api_id":"gid://shopify/ProductVariant/18446744073709551615"}]})");
  EXPECT_EQ(pr.all_variants, (std::vector<variant_id>{10u, 18446744073709551615ull}));
  ASSERT_EQ(pr.variants.size(), 1u);
  EXPECT_EQ(pr.variants[0].options, (std::vector<std::string>{"S", "Blue"}));
}

TEST(webhook_parser, unicode_and_escapes_are_decoded) {
  webhook_parser p;
  auto i = parse_ok<inventory_item_changed>(p, "inventory_items/update",
                                            R"({"id":1,"sku":"Größe-\u00e9-\ud83d\ude00-\"q\"-日本"})");
  EXPECT_EQ(i.sku, "Größe-é-\xF0\x9F\x98\x80-\"q\"-日本");
}

TEST(webhook_parser, unknown_fields_are_ignored_even_when_nested) {
  webhook_parser p;
  auto e = parse_ok<inventory_level_changed>(
      p, level_topic,
      R"({"future":{"a":[1,2,{"b":null}],"c":"d"},"inventory_item_id":1,"extra":[[]],"location_id":2,"available":5,"z":1.5e10})");
  EXPECT_EQ(e.item, 1u);
  EXPECT_EQ(e.available, std::optional<std::int64_t>(5));
}

TEST(webhook_parser, refuses_truncated_and_malformed_json) {
  webhook_parser p;
  auto full = sample("inventory_levels_update.json");
  for (std::size_t cut : {std::size_t(0), std::size_t(1), std::size_t(30), full.size() / 2, full.size() - 1}) {
    SCOPED_TRACE(cut);
    auto err = parse_err(p, level_topic, full.substr(0, cut));
    EXPECT_EQ(err.code, "webhook.malformed") << err.message;
  }
  for (std::string bad : {"[1,2]", "\"x\"", "42", "{\"inventory_item_id\":1,\"location_id\":2}}",
                          "{\"inventory_item_id\":1,\"location_id\":2} {}", "{\"inventory_item_id\":1 \"location_id\":2}",
                          "{\"inventory_item_id\":1,\"location_id\":2,\"available\":tru}", "{\"a\":[}", "not json",
                          "{\"inventory_item_id\":1,\"location_id\":2,\"x\":'single'}"}) {
    SCOPED_TRACE(bad);
    auto r = p.parse(level_topic, bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "webhook.malformed") << r.error().message;
  }
}

TEST(webhook_parser, refuses_invalid_utf8) {
  webhook_parser p;
  std::string body = "{\"id\":1,\"sku\":\"ab\xC3\x28\"}";
  auto err = parse_err(p, "inventory_items/update", body);
  EXPECT_EQ(err.code, "webhook.malformed");
  body = "{\"id\":1,\"ignored\":\"\xFF\xFE\"}"; // also in a field nobody reads
  err = parse_err(p, "inventory_items/update", body);
  EXPECT_EQ(err.code, "webhook.malformed");
}

TEST(webhook_parser, nesting_beyond_the_limit_is_refused_without_recursion) {
  webhook_parser p(32);
  std::string deep = "{\"inventory_item_id\":1,\"location_id\":2,\"x\":" + std::string(100000, '[') +
                     std::string(100000, ']') + "}";
  auto err = parse_err(p, level_topic, deep);
  EXPECT_EQ(err.code, "webhook.malformed");
  EXPECT_NE(err.message.find("nesting"), std::string::npos) << err.message;
  EXPECT_FALSE(p.validate(deep).ok());
  // Within the limit is fine.
  std::string ok = "{\"inventory_item_id\":1,\"location_id\":2,\"x\":" + std::string(20, '[') + std::string(20, ']') + "}";
  EXPECT_TRUE(p.parse(level_topic, ok).ok());
}

TEST(webhook_parser, parser_is_reusable_after_errors_and_across_sizes) {
  webhook_parser p;
  EXPECT_FALSE(p.parse(level_topic, "{").ok());
  std::string big = R"({"inventory_item_id":1,"location_id":2,"pad":")" + std::string(1 << 20, 'x') + "\"}";
  EXPECT_TRUE(p.parse(level_topic, big).ok());
  auto e = parse_ok<inventory_level_changed>(p, level_topic, sample("inventory_levels_update.json"));
  EXPECT_EQ(e.location, 71234567890u);
}

TEST(webhook_parser, unknown_topic_is_an_error_and_validate_checks_syntax) {
  webhook_parser p;
  EXPECT_FALSE(webhook_parser::is_known_topic("customers/create"));
  auto r = p.parse("customers/create", "{}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "webhook.unknown_topic");
  EXPECT_TRUE(p.validate(R"({"a":[1,{"b":null}],"c":"d"})").ok());
  EXPECT_FALSE(p.validate(R"({"a":tru})").ok());
  EXPECT_FALSE(p.validate(R"({"a":1)").ok());
}

TEST(webhook_parser, invalid_escapes_and_control_characters_are_refused_even_in_skipped_fields) {
  webhook_parser p;
  for (std::string bad : {std::string("{\"inventory_item_id\":1,\"location_id\":2,\"x\":\"a\\qb\"}"),
                          std::string("{\"inventory_item_id\":1,\"location_id\":2,\"x\":\"\\u12G4\"}"),
                          std::string("{\"inventory_item_id\":1,\"location_id\":2,\"x\":\"a\nb\"}"),
                          std::string("{\"inventory_item_id\":1,\"location_id\":2,\"x\\z\":1}")}) {
    SCOPED_TRACE(bad);
    auto r = p.parse(level_topic, bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "webhook.malformed");
  }
}

// Mutated samples (bytes flipped, dropped, duplicated, brackets inserted): the parser never
// crashes, and whatever it accepts is valid JSON by simdjson's full (DOM) validation.
TEST(webhook_parser, mutated_payloads_never_crash_and_nothing_malformed_is_accepted) {
  webhook_parser p, checker;
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const char specials[] = "{}[]\",:\\0-1.eE tnfu";
  int accepted = 0, refused = 0;
  for (auto& entry : std::filesystem::directory_iterator(shared_path("shopify/webhooks"))) {
    auto name = entry.path().stem().string();
    auto topic = name;
    topic[topic.rfind('_')] = '/';
    const auto original = read_file(entry.path());
    for (int round = 0; round < 1500; ++round) {
      std::string body = original;
      int edits = 1 + static_cast<int>(next() % 3);
      for (int e = 0; e < edits && !body.empty(); ++e) {
        std::size_t at = next() % body.size();
        switch (next() % 5) {
        case 0:
          body[at] = static_cast<char>(next() & 0xff);
          break;
        case 1:
          body.erase(at, 1 + next() % 8);
          break;
        case 2:
          body.insert(at, 1, specials[next() % (sizeof specials - 1)]);
          break;
        case 3:
          body.insert(at, body.substr(at, next() % 16));
          break;
        default:
          body.resize(at);
          break;
        }
      }
      auto r = p.parse(topic, body);
      if (r.ok()) {
        ++accepted;
        auto st = checker.validate(body);
        // Numbers that follow JSON's grammar but exceed what a double or a 64-bit integer
        // holds (1e999, 22-digit integers) are valid JSON (RFC 8259) that simdjson's DOM
        // refuses; in skipped fields they are not errors. The grammar itself is tested in
        // number_grammar_is_checked_in_skipped_fields.
        if (!st.ok() && st.error().message.find("number") != std::string::npos)
          continue;
        EXPECT_TRUE(st.ok()) << topic << " accepted malformed JSON (" << (st.ok() ? "" : st.error().message) << "): " << body;
      } else {
        ++refused;
      }
    }
  }
  EXPECT_GT(accepted, 0);
  EXPECT_GT(refused, 0);
}

TEST(webhook_parser, number_grammar_is_checked_in_skipped_fields) {
  webhook_parser p;
  for (std::string bad : {"01", "1.", ".5", "-", "1e", "1e+", "+1", "0x10", "1..2", "--1", "1-2", "NaN", "Infinity"}) {
    SCOPED_TRACE(bad);
    auto r = p.parse(level_topic, "{\"inventory_item_id\":1,\"location_id\":2,\"x\":" + bad + "}");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "webhook.malformed");
  }
  for (std::string good : {"0", "-0", "1.5", "-1.5e-3", "2E+10", "1e999", "123456789012345678901234567890"}) {
    SCOPED_TRACE(good);
    EXPECT_TRUE(p.parse(level_topic, "{\"inventory_item_id\":1,\"location_id\":2,\"x\":" + good + "}").ok());
  }
}

// Shopify documents a variant's inventory_item_id as nullable (its own products/create sample
// carries null): that variant is a fact about itself, not a reason to lose the others. It is
// left out of `variants` and kept in all_variants, so the catalog knows the product is not
// fully described and reads it again.
TEST(webhook_parser, a_variant_without_an_inventory_item_keeps_the_others) {
  webhook_parser p;
  for (std::string topic : {"products/create", "products/update"}) {
    SCOPED_TRACE(topic);
    auto pr = parse_ok<product_changed>(
        p, topic,
        R"({"id":1,"handle":"tee","variants":[{"id":10,"inventory_item_id":null,"sku":"A"},)"
        R"({"id":11,"inventory_item_id":21,"sku":"B"},{"id":12,"sku":"C"},{"id":null,"inventory_item_id":23}]})");
    ASSERT_EQ(pr.variants.size(), 1u);
    EXPECT_EQ(pr.variants[0].id, 11u);
    EXPECT_EQ(pr.variants[0].item, 21u);
    EXPECT_EQ(pr.variants[0].sku, "B");
    EXPECT_EQ(pr.all_variants, (std::vector<variant_id>{11u, 10u, 12u}));
  }
  // The sample with its inventory_item_id nulled, as Shopify's documentation shows it.
  auto body = sample("products_create.json");
  auto at = body.find("\"inventory_item_id\":");
  ASSERT_NE(at, std::string::npos);
  auto end = body.find_first_of(",}", at);
  body.replace(at, end - at, "\"inventory_item_id\": null");
  auto pr = parse_ok<product_changed>(p, "products/create", body);
  EXPECT_TRUE(pr.variants.empty());
  EXPECT_EQ(pr.all_variants, std::vector<variant_id>{45012345678901u});
  // A wrong type is still an error naming the field.
  auto err = parse_err(p, "products/update", R"({"id":1,"variants":[{"id":2,"inventory_item_id":"x"}]})");
  EXPECT_EQ(err.code, "webhook.wrong_type");
  EXPECT_NE(err.message.find("variants[0].inventory_item_id"), std::string::npos) << err.message;
}

// The content an order carries to the Source, every field nullable.
TEST(webhook_parser, order_content_shipping_taxes_discounts_and_requires_shipping) {
  webhook_parser p;
  auto o = parse_ok<order_created>(
      p, "orders/create",
      R"({"id":1,"taxes_included":true,"total_discounts":"6.00",)"
      R"("shipping_lines":[{"id":9,"title":"Standard","code":"STANDARD","source":"shopify","price":"5.00",)"
      R"("tax_lines":[{"title":"VAT","price":"0.83","rate":0.2}]},{"title":"Pickup","code":null,"price":null,"tax_lines":null}],)"
      R"("tax_lines":[{"title":"VAT","price":"4.83","rate":0.2}],)"
      R"("discount_codes":[{"code":"SPRING10","amount":"6.00","type":"percentage"}],)"
      R"("discount_applications":[{"type":"discount_code","code":"SPRING10","value":"10.0","value_type":"percentage",)"
      R"("target_type":"line_item"},{"type":"automatic","title":"Summer","value":"1.00","value_type":"fixed_amount"}],)"
      R"("line_items":[{"id":3,"quantity":1,"requires_shipping":false,"taxable":true,)"
      R"("tax_lines":[{"title":"VAT","price":"4.00","rate":0.2}]},)"
      R"({"id":4,"quantity":1,"requires_shipping":null,"taxable":null,"tax_lines":null}]})");
  ASSERT_EQ(o.lines.size(), 2u);
  EXPECT_EQ(o.lines[0].requires_shipping, false);
  EXPECT_EQ(o.lines[0].taxable, true);
  ASSERT_EQ(o.lines[0].tax_lines.size(), 1u);
  EXPECT_EQ(o.lines[0].tax_lines[0].title, "VAT");
  EXPECT_EQ(o.lines[0].tax_lines[0].rate, "0.2"); // as written, never through a double
  EXPECT_EQ(o.lines[0].tax_lines[0].price, "4.00");
  EXPECT_FALSE(o.lines[1].requires_shipping) << "null: the payload does not say";
  EXPECT_FALSE(o.lines[1].taxable);
  EXPECT_TRUE(o.lines[1].tax_lines.empty());
  ASSERT_EQ(o.shipping_lines.size(), 2u);
  EXPECT_EQ(o.shipping_lines[0].title, "Standard");
  EXPECT_EQ(o.shipping_lines[0].code, "STANDARD");
  EXPECT_EQ(o.shipping_lines[0].price, "5.00");
  EXPECT_EQ(o.shipping_lines[0].tax_lines.at(0).price, "0.83");
  EXPECT_EQ(o.shipping_lines[1].code, "");
  EXPECT_EQ(o.shipping_lines[1].price, "");
  ASSERT_EQ(o.tax_lines.size(), 1u);
  ASSERT_EQ(o.discount_codes.size(), 1u);
  EXPECT_EQ(o.discount_codes[0].code, "SPRING10");
  EXPECT_EQ(o.discount_codes[0].type, "percentage");
  ASSERT_EQ(o.discount_applications.size(), 2u);
  EXPECT_EQ(o.discount_applications[0].value, "10.0");
  EXPECT_EQ(o.discount_applications[1].title, "Summer");
  EXPECT_EQ(o.total_discounts, "6.00");
  EXPECT_EQ(o.taxes_included, true);

  auto bare = parse_ok<order_created>(p, "orders/create",
                                      R"({"id":2,"line_items":[],"shipping_lines":null,"discount_codes":null,"taxes_included":null})");
  EXPECT_TRUE(bare.shipping_lines.empty());
  EXPECT_FALSE(bare.taxes_included);

  auto d = parse_ok<draft_order_changed>(
      p, "draft_orders/update",
      R"({"id":5,"status":"open","tax_exempt":true,)"
      R"("shipping_line":{"title":"Freight","custom":true,"handle":null,"price":"40.00"},)"
      R"("applied_discount":{"title":"Trade","description":"","value":"15.0","value_type":"percentage","amount":"9.00"},)"
      R"("line_items":[{"id":6,"quantity":2,"applied_discount":{"value":"5.00","value_type":"fixed_amount","amount":"5.00"}},)"
      R"({"id":7,"quantity":1,"applied_discount":null}]})");
  ASSERT_TRUE(d.shipping);
  EXPECT_EQ(d.shipping->title, "Freight");
  EXPECT_EQ(d.shipping->price, "40.00");
  ASSERT_TRUE(d.discount);
  EXPECT_EQ(d.discount->value_type, "percentage");
  EXPECT_EQ(d.tax_exempt, true);
  ASSERT_EQ(d.lines.size(), 2u);
  ASSERT_TRUE(d.lines[0].discount);
  EXPECT_EQ(d.lines[0].discount->amount, "5.00");
  EXPECT_FALSE(d.lines[1].discount);
  auto nulls = parse_ok<draft_order_changed>(
      p, "draft_orders/update", R"({"id":5,"status":"open","shipping_line":null,"applied_discount":null,"line_items":[]})");
  EXPECT_FALSE(nulls.shipping);
  EXPECT_FALSE(nulls.discount);

  // a wrong type is named, as for every other field
  auto err = parse_err(p, "orders/create", R"({"id":1,"line_items":[{"id":3,"quantity":1,"requires_shipping":"yes"}]})");
  EXPECT_NE(err.message.find("line_items[0].requires_shipping"), std::string::npos) << err.message;
}
