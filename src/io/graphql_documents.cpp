#include "io/graphql_documents.hpp"

namespace shopsync::graphql {

const std::vector<document>& all_documents() {
  static const std::vector<document> docs = {
    {"CatalogPage", catalog_page, R"({"first": 250, "after": "eyJsYXN0X2lkIjo0NTAxMjM0NTY3ODkwMX0="})"},
    {"Locations", locations, R"({"first": 50, "after": null})"},
    {"InventoryLevels", inventory_levels,
     R"({"ids": ["gid://shopify/InventoryItem/45678901234567", "gid://shopify/InventoryItem/45678901234568"],
         "locationId": "gid://shopify/Location/71234567890"})"},
    {"InventorySet", inventory_set, R"({
      "idempotencyKey": "5b1f0c2e-8d6a-5c3b-9f41-2a7d9e0c4b16",
      "input": {"name": "available", "reason": "correction",
                "referenceDocumentUri": "gid://shopsync/SyncIntent/source-demo/45678901234567/17",
                "quantities": [
                  {"inventoryItemId": "gid://shopify/InventoryItem/45678901234567",
                   "locationId": "gid://shopify/Location/71234567890",
                   "quantity": 7, "changeFromQuantity": null},
                  {"inventoryItemId": "gid://shopify/InventoryItem/45678901234568",
                   "locationId": "gid://shopify/Location/71234567890",
                   "quantity": 3, "changeFromQuantity": 5}]}})"},
    {"InventoryAdjust", inventory_adjust, R"({
      "idempotencyKey": "0c9d4a1e-3b2f-5e6d-8a7c-1f0e9d8c7b6a",
      "input": {"name": "available", "reason": "correction",
                "referenceDocumentUri": "gid://shopsync/SyncIntent/dest-a/45678901234567/18",
                "changes": [
                  {"inventoryItemId": "gid://shopify/InventoryItem/45678901234567",
                   "locationId": "gid://shopify/Location/71234567890",
                   "delta": -2, "changeFromQuantity": null}]}})"},
    {"OrderCreate", order_create, R"({
      "order": {
        "name": "DEST-A-#1042",
        "email": "jane@example.com",
        "currency": "USD",
        "financialStatus": "PAID",
        "customer": {"toUpsert": {"email": "jane@example.com", "firstName": "Jane", "lastName": "Doe"}},
        "shippingAddress": {"firstName": "Jane", "lastName": "Doe", "address1": "1 Main St",
                            "city": "Springfield", "provinceCode": "IL", "zip": "62701", "countryCode": "US"},
        "billingAddress": {"firstName": "Jane", "lastName": "Doe", "address1": "1 Main St",
                           "city": "Springfield", "provinceCode": "IL", "zip": "62701", "countryCode": "US"},
        "lineItems": [{"variantId": "gid://shopify/ProductVariant/45012345678901", "quantity": 2,
                       "priceSet": {"shopMoney": {"amount": "29.99", "currencyCode": "USD"}},
                       "requiresShipping": true, "taxable": true,
                       "taxLines": [{"title": "IL State Tax", "rate": "0.0625",
                                     "priceSet": {"shopMoney": {"amount": "3.37", "currencyCode": "USD"}}}]}],
        "shippingLines": [{"title": "Standard", "code": "STANDARD", "source": "shopify",
                           "priceSet": {"shopMoney": {"amount": "5.00", "currencyCode": "USD"}},
                           "taxLines": [{"title": "IL State Tax", "rate": "0.0625",
                                         "priceSet": {"shopMoney": {"amount": "0.31", "currencyCode": "USD"}}}]}],
        "discountCode": {"itemPercentageDiscountCode": {"code": "SPRING10", "percentage": 10.0}},
        "taxesIncluded": false,
        "tags": ["shopsync-origin:dest-a.myshopify.com:1042"],
        "note": "Synced by shopsync from dest-a.myshopify.com order #1042.",
        "customAttributes": [{"key": "shopsync_origin_order_id", "value": "5812345678901"},
                             {"key": "shopsync_origin_order_name", "value": "#1042"}],
        "sourceIdentifier": "dest-a.myshopify.com/5812345678901"
      },
      "options": {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY", "sendReceipt": false}})"},
    {"OrdersByOrigin", orders_by_origin,
     R"({"query": "tag:'shopsync-origin:dest-a.myshopify.com:1042'"})"},
    {"DraftOrderCreate", draft_order_create, R"({
      "input": {
        "email": "jane@example.com",
        "note": "Synced by shopsync from dest-a.myshopify.com draft order #D17.",
        "tags": ["shopsync-origin:dest-a.myshopify.com:D17"],
        "lineItems": [{"variantId": "gid://shopify/ProductVariant/45012345678901", "quantity": 2,
                       "appliedDiscount": {"title": "Damaged box", "value": 5.0, "valueType": "FIXED_AMOUNT",
                                           "amountWithCurrency": {"amount": "5.00", "currencyCode": "USD"}}}],
        "shippingAddress": {"firstName": "Jane", "lastName": "Doe", "address1": "1 Main St",
                            "city": "Springfield", "provinceCode": "IL", "zip": "62701", "countryCode": "US"},
        "customAttributes": [{"key": "shopsync_origin_draft_order_id", "value": "1123456789012"}],
        "shippingLine": {"title": "Freight", "priceWithCurrency": {"amount": "40.00", "currencyCode": "USD"}},
        "appliedDiscount": {"title": "Wholesale", "description": "Trade customer", "value": 15.0,
                            "valueType": "PERCENTAGE"},
        "taxExempt": true}})"},
    {"DraftOrderUpdate", draft_order_update, R"({
      "id": "gid://shopify/DraftOrder/1123456789099",
      "input": {
        "lineItems": [{"variantId": "gid://shopify/ProductVariant/45012345678901", "quantity": 3}],
        "note": "Synced by shopsync from dest-a.myshopify.com draft order #D17 (updated)."}})"},
    {"DraftOrderInvoiceSend", draft_order_invoice_send,
     R"({"id": "gid://shopify/DraftOrder/1123456789099"})"},
    {"DraftOrdersByOrigin", draft_orders_by_origin,
     R"({"query": "tag:'shopsync-origin:dest-a.myshopify.com:D17'"})"},
    {"OrdersCreatedSince", orders_created_since,
     R"({"first": 100, "after": null, "query": "created_at:>=2026-12-04T10:00:00Z"})"},
    {"DraftOrdersUpdatedSince", draft_orders_updated_since,
     R"({"first": 100, "after": "eyJsYXN0X2lkIjoxMTIzNDU2Nzg5MDEyfQ==", "query": "updated_at:>=2026-12-04T10:00:00Z"})"},
    {"OrderForSync", order_for_sync, R"({"id": "gid://shopify/Order/5812345678901", "lines": 100, "linesAfter": null})"},
    {"DraftOrderForSync", draft_order_for_sync, R"({"id": "gid://shopify/DraftOrder/1123456789012", "lines": 12, "linesAfter": "eyJsYXN0X2lkIjoxMjM0NX0="})"},
    {"WebhookSubscriptions", webhook_subscriptions, R"({"first": 100, "after": null})"},
    {"WebhookSubscriptionCreate", webhook_subscription_create, R"({
      "topic": "INVENTORY_LEVELS_UPDATE",
      "webhookSubscription": {"uri": "https://sync.example.com/webhooks", "format": "JSON", "name": "shopsync"}})"},
    {"WebhookSubscriptionUpdate", webhook_subscription_update, R"({
      "id": "gid://shopify/WebhookSubscription/1047897672",
      "webhookSubscription": {"uri": "https://sync.example.com/webhooks", "format": "JSON", "name": "shopsync"}})"},
    {"WebhookSubscriptionDelete", webhook_subscription_delete,
     R"({"id": "gid://shopify/WebhookSubscription/1047897672"})"},
    {"AppInstallation", app_installation, R"({})"},
    {"ProductVariantsCount", product_variants_count, R"({"limit": 20000})"},

  };
  return docs;
}

const std::vector<document>& bulk_documents() {
  static const std::vector<document> docs = {
    {"BulkOperationRunQuery", bulk_operation_run_query,
     R"({"query": "query BulkCatalog { productVariants { edges { node { id sku } } } }"})"},
    {"BulkOperationStatus", bulk_operation_status, R"({"id": "gid://shopify/BulkOperation/720918"})"},
    {"BulkCatalog", bulk_catalog, R"({})"},
    {"BulkLevels", bulk_levels, R"({})"},
  };
  return docs;
}

} // namespace shopsync::graphql
