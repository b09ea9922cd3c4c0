#pragma once
// Every GraphQL document shopsync sends to the Admin API (2026-10), in one place, each with
// realistic example variables. tests/schema validates all of them against Shopify's schema,
// and shopify-sim dispatches on their operation names. Change a document here and the schema
// check tells you whether Shopify would accept it.
#include <string_view>
#include <vector>

namespace shopsync::graphql {

struct document {
  std::string_view operation; // operationName sent with the request
  std::string_view query;
  std::string_view example_variables; // JSON object
};

// Catalog: every variant with the identifiers matching can use, one page at a time, and its
// product's tags, vendor and type (the group's filter and allocation rules).
inline constexpr std::string_view catalog_page = R"(query CatalogPage($first: Int!, $after: String) {
  productVariants(first: $first, after: $after, sortKey: ID) {
    nodes {
      id
      sku
      barcode
      title
      position
      selectedOptions { name value }
      inventoryItem { id tracked }
      product { id handle tags vendor productType }
    }
    pageInfo { hasNextPage endCursor }
  }
})";

inline constexpr std::string_view locations = R"(query Locations($first: Int!, $after: String) {
  locations(first: $first, after: $after, includeInactive: false) {
    nodes { id name isActive }
    pageInfo { hasNextPage endCursor }
  }
})";

// Up to 250 levels of one location at once, addressed by (inventory item, location): a level's
// GID carries a number of its own that only Shopify knows, so shopsync never builds one. An item
// that does not exist is a null node; an item not stocked at the location has a null
// inventoryLevel; a deactivated level comes back (includeInactive) with isActive false.
inline constexpr std::string_view inventory_levels = R"(query InventoryLevels($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    ... on InventoryItem {
      id
      inventoryLevel(locationId: $locationId, includeInactive: true) {
        id
        isActive
        updatedAt
        quantities(names: ["available"]) { name quantity }
      }
    }
  }
})";

// Absolute set (one-way sync, initial alignment). changeFromQuantity is sent for every entry:
// null to overwrite, or the value just read for a compare-and-set.
inline constexpr std::string_view inventory_set = R"(mutation InventorySet($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup {
      createdAt
      changes { name delta quantityAfterChange item { id } location { id } }
    }
    userErrors { code field message }
  }
})";

// Relative change (two-way sync): deltas commute, so concurrent sales in two stores both count.
inline constexpr std::string_view inventory_adjust = R"(mutation InventoryAdjust($input: InventoryAdjustQuantitiesInput!, $idempotencyKey: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup {
      createdAt
      changes { name delta quantityAfterChange item { id } location { id } }
    }
    userErrors { code field message }
  }
})";

inline constexpr std::string_view order_create = R"(mutation OrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id name tags sourceIdentifier }
    userErrors { code field message }
  }
})";

// After an uncertain failure, look for the origin marker before creating again.
inline constexpr std::string_view orders_by_origin = R"(query OrdersByOrigin($query: String!) {
  orders(first: 5, query: $query) {
    nodes { id name tags sourceIdentifier }
  }
})";

inline constexpr std::string_view draft_order_create = R"(mutation DraftOrderCreate($input: DraftOrderInput!) {
  draftOrderCreate(input: $input) {
    draftOrder { id name status tags }
    userErrors { field message }
  }
})";

inline constexpr std::string_view draft_order_update = R"(mutation DraftOrderUpdate($id: ID!, $input: DraftOrderInput!) {
  draftOrderUpdate(id: $id, input: $input) {
    draftOrder { id name status tags }
    userErrors { field message }
  }
})";

inline constexpr std::string_view draft_order_invoice_send = R"(mutation DraftOrderInvoiceSend($id: ID!) {
  draftOrderInvoiceSend(id: $id) {
    draftOrder { id status }
    userErrors { field message }
  }
})";

inline constexpr std::string_view draft_orders_by_origin = R"(query DraftOrdersByOrigin($query: String!) {
  draftOrders(first: 5, query: $query) {
    nodes { id name status tags }
  }
})";

// The order reconciler: cheap listings (ids and times only) of a Destination's
// orders created since / draft orders updated since, oldest first, and the full read of one
// document it does not know (the fields the webhook parser reads from the payload). `$lines`
// lines an answer: 100 (an order read then costs ~900 points) unless the store's bucket is
// smaller; the reconciler halves it after a refusal that says the read can never fit.
inline constexpr std::string_view orders_created_since = R"(query OrdersCreatedSince($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes { id createdAt }
    pageInfo { hasNextPage endCursor }
  }
})";

inline constexpr std::string_view draft_orders_updated_since = R"(query DraftOrdersUpdatedSince($first: Int!, $after: String, $query: String!) {
  draftOrders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { id updatedAt }
    pageInfo { hasNextPage endCursor }
  }
})";

inline constexpr std::string_view order_for_sync = R"(query OrderForSync($id: ID!, $lines: Int!, $linesAfter: String) {
  order(id: $id) {
    id name email displayFinancialStatus currencyCode sourceName createdAt tags note
    app { id }
    customAttributes { key value }
    customer { id firstName lastName defaultEmailAddress { emailAddress } }
    shippingAddress { ...SyncAddress }
    billingAddress { ...SyncAddress }
    totalPriceSet { shopMoney { amount } }
    lineItems(first: $lines, after: $linesAfter) {
      nodes {
        id quantity sku title variantTitle variant { id } product { id } originalUnitPriceSet { shopMoney { amount } }
        requiresShipping taxable taxLines { ...SyncTax }
      }
      pageInfo { hasNextPage endCursor }
    }
    shippingLines(first: 10) {
      nodes { title code source originalPriceSet { shopMoney { amount } } taxLines { ...SyncTax } }
    }
    taxLines { ...SyncTax }
    taxesIncluded
    discountCodes
    totalDiscountsSet { shopMoney { amount } }
    discountApplications(first: 10) {
      nodes {
        __typename targetType
        value { __typename ... on MoneyV2 { amount } ... on PricingPercentageValue { percentage } }
        ... on DiscountCodeApplication { code }
        ... on AutomaticDiscountApplication { title }
        ... on ManualDiscountApplication { title }
        ... on ScriptDiscountApplication { title }
      }
    }
  }
}
fragment SyncAddress on MailingAddress {
  firstName lastName company address1 address2 city province provinceCode zip country countryCodeV2 phone
}
fragment SyncTax on TaxLine {
  title rate priceSet { shopMoney { amount } }
})";

inline constexpr std::string_view draft_order_for_sync = R"(query DraftOrderForSync($id: ID!, $lines: Int!, $linesAfter: String) {
  draftOrder(id: $id) {
    id name status email currencyCode updatedAt tags note2
    order { id }
    customAttributes { key value }
    customer { id firstName lastName defaultEmailAddress { emailAddress } }
    shippingAddress { ...SyncAddress }
    billingAddress { ...SyncAddress }
    lineItems(first: $lines, after: $linesAfter) {
      nodes {
        id quantity sku title variantTitle variant { id } product { id } originalUnitPriceSet { shopMoney { amount } }
        requiresShipping taxable appliedDiscount { ...SyncDiscount }
      }
      pageInfo { hasNextPage endCursor }
    }
    shippingLine { title shippingRateHandle originalPriceSet { shopMoney { amount } } }
    appliedDiscount { ...SyncDiscount }
    taxExempt taxesIncluded
  }
}
fragment SyncAddress on MailingAddress {
  firstName lastName company address1 address2 city province provinceCode zip country countryCodeV2 phone
}
fragment SyncDiscount on DraftOrderAppliedDiscount {
  title description value valueType amountSet { shopMoney { amount } }
})";

// --- connecting a store: webhook subscriptions and what the token may do

// The app's shop-specific subscriptions, a page at a time. (App-specific subscriptions declared
// in shopify.app.toml are not listed here: Shopify keeps them apart.)
inline constexpr std::string_view webhook_subscriptions = R"(query WebhookSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    nodes { id topic uri name }
    pageInfo { hasNextPage endCursor }
  }
})";

// `uri`, not the deprecated `callbackUrl`; `name` marks the subscription as shopsync's own.
inline constexpr std::string_view webhook_subscription_create = R"(mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri name }
    userErrors { field message }
  }
})";

inline constexpr std::string_view webhook_subscription_update = R"(mutation WebhookSubscriptionUpdate($id: ID!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionUpdate(id: $id, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri name }
    userErrors { field message }
  }
})";

inline constexpr std::string_view webhook_subscription_delete = R"(mutation WebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
})";

// What the token may do (scopes), which shop it opens and which API versions Shopify supports:
// one call answers the doctor's "token", "API version" and "scopes" checks.
inline constexpr std::string_view app_installation = R"(query AppInstallation {
  shop { name myshopifyDomain }
  publicApiVersions { handle supported }
  currentAppInstallation { accessScopes { handle } }
})";

// --- bulk operations: whole-catalog reads outside the cost bucket

// Starts a bulk query (one of the Bulk* documents below, as the `query` string). groupObjects
// false: Shopify need not group a parent's children after it (faster; shopsync reads each
// line on its own, a child by its __parentId).
inline constexpr std::string_view bulk_operation_run_query = R"(mutation BulkOperationRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status }
    userErrors { code field message }
  }
})";

// A bulk operation's progress, polled until it is COMPLETED (url: the JSONL file; null when
// nothing matched), FAILED (errorCode), CANCELED or EXPIRED.
inline constexpr std::string_view bulk_operation_status = R"(query BulkOperationStatus($id: ID!) {
  bulkOperation(id: $id) {
    id status errorCode objectCount url
  }
})";

// How many variants a store holds, up to $limit (precision AT_LEAST when there are more): asked
// before a store's first catalog read, whose size is not known yet, to read it in bulk when it is
// at least daemon.bulk_read_threshold. Requested cost 1 (one object).
inline constexpr std::string_view product_variants_count = R"(query ProductVariantsCount($limit: Int) {
  productVariantsCount(limit: $limit) {
    count
    precision
  }
})";

// The catalog as a bulk query: every variant, one line each, with the fields of CatalogPage.
inline constexpr std::string_view bulk_catalog = R"(query BulkCatalog {
  productVariants {
    edges {
      node {
        id
        sku
        barcode
        title
        position
        selectedOptions { name value }
        inventoryItem { id tracked }
        product { id handle tags vendor productType }
      }
    }
  }
})";

// Every level of every active location as a bulk query: a line per location, then a line per
// level naming its location by __parentId (a reconcile round's reads of a whole store). A level's
// updatedAt (its last change, as reads ask it) lets the item state machine take a value equal to
// what it knows, at a time not newer, as an echo.
inline constexpr std::string_view bulk_levels = R"(query BulkLevels {
  locations(includeInactive: false) {
    edges {
      node {
        id
        inventoryLevels(includeInactive: true) {
          edges {
            node {
              isActive
              updatedAt
              item { id }
              quantities(names: ["available"]) { name quantity }
            }
          }
        }
      }
    }
  }
})";

// Every document with its example variables (for the schema check and the simulator's tests).
const std::vector<document>& all_documents();
// The bulk operation documents (validated against the schema like the others); the Bulk*
// queries are never sent on their own, only as bulkOperationRunQuery's `query`.
const std::vector<document>& bulk_documents();

} // namespace shopsync::graphql
