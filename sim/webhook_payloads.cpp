#include "sim/webhook_payloads.hpp"

#include "io/json_writer.hpp"
#include "sim/json_read.hpp"

#include <cstdio>

namespace shopsync::sim {

namespace {
std::string money_sum(const std::vector<line_item>& lines) {
  long long cents = 0;
  for (auto& l : lines) {
    double d = std::atof(l.price.c_str());
    cents += static_cast<long long>(d * 100 + 0.5) * l.quantity;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", cents / 100, cents % 100);
  return buf;
}

void money_set(json_writer& w, const std::string& amount, const std::string& currency) {
  w.begin_object();
  w.key("shop_money").begin_object().field("amount", amount).field("currency_code", currency).end_object();
  w.key("presentment_money").begin_object().field("amount", amount).field("currency_code", currency).end_object();
  w.end_object();
}
} // namespace

std::string join_tags(const std::vector<std::string>& tags) {
  std::string s;
  for (auto& t : tags) {
    if (!s.empty())
      s += ", ";
    s += t;
  }
  return s;
}

std::string inventory_level_payload(const store& s, std::uint32_t v, std::size_t l, i64 now) {
  const auto& var = s.variants[v];
  const auto& loc = s.locations[l];
  json_writer w;
  w.begin_object().field("inventory_item_id", var.inventory_item_id).field("location_id", loc.id);
  w.key("available");
  if (s.level(v, l) == not_stocked)
    w.null();
  else
    w.value(static_cast<std::int64_t>(s.level(v, l)));
  // The level's updated_at: the second of its last change (the payload is built right after it,
  // so `now` for an update; a connect carries the level's own).
  (void)now;
  w.field("updated_at", format_time(s.level_updated_at(v, l), s.timezone))
      .field("admin_graphql_api_id", level_gid(s.level_id(v, l), var.inventory_item_id))
      .end_object();
  return std::move(w).str();
}

std::string inventory_level_disconnect_payload(const store& s, std::uint32_t v, std::size_t l) {
  json_writer w;
  w.begin_object().field("inventory_item_id", s.variants[v].inventory_item_id)
      .field("location_id", s.locations[l].id).end_object();
  return std::move(w).str();
}

std::string inventory_item_deleted_payload(const store& s, std::uint32_t v) {
  json_writer w;
  w.begin_object().field("id", s.variants[v].inventory_item_id);
  w.key("country_code_of_origin").null();
  w.key("province_code_of_origin").null();
  w.key("harmonized_system_code").null();
  w.key("country_harmonized_system_codes").begin_array().end_array();
  w.end_object();
  return std::move(w).str();
}

std::string inventory_item_payload(const store& s, std::uint32_t v, i64 now) {
  const auto& var = s.variants[v];
  const auto& pr = s.products[var.product];
  json_writer w;
  w.begin_object()
      .field("id", var.inventory_item_id)
      .field("sku", var.sku)
      .field("created_at", format_time(pr.created_at, s.timezone))
      .field("updated_at", format_time(now, s.timezone))
      .field("requires_shipping", true)
      .field("cost", "4.50");
  w.key("country_code_of_origin").null();
  w.key("province_code_of_origin").null();
  w.key("harmonized_system_code").null();
  w.field("tracked", var.tracked);
  w.key("country_harmonized_system_codes").begin_array().end_array();
  w.field("weight_value", 0.2).field("weight_unit", "kg")
      .field("admin_graphql_api_id", gid("InventoryItem", var.inventory_item_id))
      .end_object();
  return std::move(w).str();
}

std::string order_payload(const store& s, const order& o) {
  const std::string created = format_time(o.created_at, s.timezone);
  const std::string total = money_sum(o.lines);
  json_writer w;
  w.begin_object()
      .field("id", o.id)
      .field("admin_graphql_api_id", gid("Order", o.id))
      .field("name", o.name)
      .field("number", o.number - 1000)
      .field("order_number", o.number)
      .field("email", o.email)
      .field("created_at", created)
      .field("updated_at", created)
      .field("processed_at", created)
      .field("currency", o.currency)
      .field("presentment_currency", o.currency)
      .field("financial_status", o.financial_status);
  w.key("fulfillment_status").null();
  w.field("source_name", o.source_name);
  w.key("app_id").value(o.app_id);
  w.field("test", false).field("tags", join_tags(o.tags));
  w.key("note").value(o.note);
  w.key("note_attributes").raw(o.note_attributes_json);
  w.field("total_price", total).field("subtotal_price", total).field("total_tax", "0.00")
      .field("taxes_included", o.taxes_included).field("total_discounts", o.total_discounts);
  w.key("tax_lines").raw(o.tax_lines_json);
  w.key("shipping_lines").raw(o.shipping_lines_json);
  w.key("discount_codes").raw(o.discount_codes_json);
  w.key("discount_applications").raw(o.discount_applications_json);
  w.key("location_id").null();
  w.key("customer").raw(o.customer_json);
  w.key("shipping_address").raw(o.shipping_address_json);
  w.key("line_items").begin_array();
  for (auto& l : o.lines) {
    w.begin_object()
        .field("id", l.id)
        .field("admin_graphql_api_id", gid("LineItem", l.id));
    w.key("product_id");
    l.product_id ? w.value(l.product_id) : w.null();
    w.key("variant_id");
    l.variant_id ? w.value(l.variant_id) : w.null();
    w.field("sku", l.sku).field("title", l.title).field("variant_title", l.variant_title)
        .field("name", l.variant_title.empty() ? l.title : l.title + " - " + l.variant_title)
        .field("vendor", l.vendor)
        .field("quantity", l.quantity)
        .field("current_quantity", l.quantity)
        .field("fulfillable_quantity", l.quantity)
        .field("price", l.price);
    w.key("price_set");
    money_set(w, l.price, o.currency);
    w.field("total_discount", "0.00").field("requires_shipping", l.requires_shipping).field("taxable", l.taxable)
        .field("gift_card", false).field("fulfillment_service", "manual");
    w.key("fulfillment_status").null();
    w.field("variant_inventory_management", "shopify")
        .field("product_exists", l.product_id != 0)
        .field("grams", l.grams);
    w.key("properties").begin_array().end_array();
    w.key("tax_lines").raw(l.tax_lines_json);
    w.key("discount_allocations").begin_array().end_array();
    w.end_object();
  }
  w.end_array();
  for (auto k : {"refunds", "fulfillments"})
    w.key(k).begin_array().end_array();
  w.end_object();
  return std::move(w).str();
}

std::string draft_order_payload(const store& s, const draft_order& d) {
  const std::string total = money_sum(d.lines);
  json_writer w;
  w.begin_object()
      .field("id", d.id)
      .field("admin_graphql_api_id", gid("DraftOrder", d.id))
      .field("name", d.name)
      .field("status", d.status)
      .field("email", d.email);
  w.key("note").value(d.note);
  w.field("tags", join_tags(d.tags)).field("currency", "USD").field("taxes_included", false)
      .field("tax_exempt", d.tax_exempt)
      .field("created_at", format_time(d.created_at, s.timezone))
      .field("updated_at", format_time(d.updated_at, s.timezone));
  w.key("completed_at");
  d.completed_at ? w.value(format_time(*d.completed_at, s.timezone)) : w.null();
  w.key("invoice_sent_at");
  d.invoice_sent_at ? w.value(format_time(*d.invoice_sent_at, s.timezone)) : w.null();
  w.field("invoice_url", "https://" + s.shop + "/" + std::to_string(55512345 + s.index) + "/invoices/" +
                             std::to_string(d.id));
  w.key("order_id").value(d.order_id);
  w.key("api_client_id").value(d.api_client_id);
  w.field("total_price", total).field("subtotal_price", total).field("total_tax", "0.00");
  w.key("note_attributes").raw(d.note_attributes_json);
  w.key("tax_lines").begin_array().end_array();
  w.key("applied_discount").raw(d.applied_discount_json);
  w.key("shipping_line").raw(d.shipping_line_json);
  w.key("payment_terms").null();
  w.key("line_items").begin_array();
  for (auto& l : d.lines) {
    w.begin_object().field("id", l.id).field("admin_graphql_api_id", gid("DraftOrderLineItem", l.id));
    w.key("variant_id");
    l.variant_id ? w.value(l.variant_id) : w.null();
    w.key("product_id");
    l.product_id ? w.value(l.product_id) : w.null();
    w.field("title", l.title).field("variant_title", l.variant_title)
        .field("name", l.variant_title.empty() ? l.title : l.title + " - " + l.variant_title)
        .field("sku", l.sku).field("vendor", l.vendor).field("quantity", l.quantity)
        .field("price", l.price).field("custom", l.variant_id == 0).field("requires_shipping", l.requires_shipping)
        .field("taxable", l.taxable).field("gift_card", false).field("fulfillment_service", "manual")
        .field("grams", l.grams);
    w.key("applied_discount").raw(l.applied_discount_json);
    w.key("properties").begin_array().end_array();
    w.key("tax_lines").begin_array().end_array();
    w.end_object();
  }
  w.end_array();
  w.key("shipping_address").raw(d.shipping_address_json);
  w.key("billing_address").raw(d.billing_address_json);
  w.key("customer");
  if (d.email.empty()) {
    w.null();
  } else {
    i64 cid = 7'100'000'000'000 + static_cast<i64>(std::hash<std::string>{}(d.email) % 1'000'000'000);
    w.begin_object().field("id", cid).field("email", d.email)
        .field("admin_graphql_api_id", gid("Customer", cid)).end_object();
  }
  w.end_object();
  return std::move(w).str();
}

std::string product_payload(const store& s, std::uint32_t p) {
  const auto& pr = s.products[p];
  const std::string created = format_time(pr.created_at, s.timezone);
  const std::string updated = format_time(pr.updated_at, s.timezone);
  json_writer w;
  w.begin_object()
      .field("id", pr.id)
      .field("admin_graphql_api_id", gid("Product", pr.id))
      .field("title", pr.title)
      .field("handle", pr.handle)
      .field("status", "active")
      .field("vendor", pr.vendor)
      .field("product_type", pr.product_type)
      .field("tags", join_tags(pr.tags))
      .field("body_html", "<p>" + pr.title + "</p>")
      .field("created_at", created)
      .field("updated_at", updated)
      .field("published_at", created)
      .field("published_scope", "global");
  w.key("template_suffix").null();
  w.key("options").begin_array().begin_object()
      .field("id", s.option_id(p)).field("product_id", pr.id).field("name", "Size").field("position", 1);
  w.key("values").begin_array();
  for (auto v : pr.variants)
    w.value(s.variants[v].option);
  w.end_array().end_object().end_array();
  w.key("variants").begin_array();
  std::size_t n = 0;
  for (auto vi : pr.variants) {
    if (n++ == 100) // Shopify sends the first 100 variants only; variant_gids lists all
      break;
    const auto& v = s.variants[vi];
    i64 qty = s.inventory_quantity(vi);
    w.begin_object()
        .field("id", v.id)
        .field("admin_graphql_api_id", gid("ProductVariant", v.id))
        .field("product_id", pr.id)
        .field("title", v.option)
        .field("sku", v.sku)
        .field("barcode", v.barcode)
        .field("price", v.price);
    w.key("compare_at_price").null();
    w.field("position", static_cast<int>(v.position)).field("option1", v.option);
    w.key("option2").null();
    w.key("option3").null();
    w.field("inventory_item_id", v.inventory_item_id)
        .field("inventory_quantity", qty)
        .field("old_inventory_quantity", qty)
        .field("inventory_policy", v.deny_oversell ? "deny" : "continue")
        .field("taxable", true);
    w.key("image_id").null();
    w.field("created_at", created).field("updated_at", format_time(v.updated_at, s.timezone)).end_object();
  }
  w.end_array();
  w.key("variant_gids").begin_array();
  for (auto vi : pr.variants)
    w.begin_object()
        .field("admin_graphql_api_id", gid("ProductVariant", s.variants[vi].id))
        .field("updated_at", format_time(s.variants[vi].updated_at, "+00:00").substr(0, 19) + ".000Z")
        .end_object();
  w.end_array();
  w.key("images").begin_array().end_array();
  w.key("image").null();
  w.key("media").begin_array().end_array();
  w.field("has_variants_that_requires_components", false);
  w.key("category").null();
  w.end_object();
  return std::move(w).str();
}

} // namespace shopsync::sim
