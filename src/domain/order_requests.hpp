#pragma once
// What the order sync asks the Source to create: plain data, not JSON. io turns each struct
// into the variables of one named GraphQL document (OrderCreate, DraftOrderCreate,
// DraftOrderUpdate, DraftOrderInvoiceSend, OrdersByOrigin, DraftOrdersByOrigin). The comment
// beside each field is its name in the Admin API 2026-10 schema.
//
// Omission rule for io: an empty string or an empty std::optional means "leave the field out
// of the variables" (never send "" or null for it); empty vectors are left out too, except
// lineItems, which is always sent.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shopsync {

// MoneyInput
struct money_input {
  std::string amount;        // amount: Decimal! (decimal string as in the webhook, e.g. "29.99")
  std::string currency_code; // currencyCode: CurrencyCode! (ISO 4217, e.g. "USD")
};

// MailingAddressInput
struct mailing_address_input {
  std::string first_name;    // firstName
  std::string last_name;     // lastName
  std::string company;       // company
  std::string address1;      // address1
  std::string address2;      // address2
  std::string city;          // city
  std::string province;      // province (only when provinceCode is unknown)
  std::string province_code; // provinceCode
  std::string zip;           // zip
  std::string country;       // country (only when countryCode is unknown)
  std::string country_code;  // countryCode: CountryCode (ISO 3166-1 alpha-2)
  std::string phone;         // phone
};

// OrderCreateCustomAttributeInput (orders) and AttributeInput (draft orders): same shape.
struct attribute_input {
  std::string key;   // key: String!
  std::string value; // value: String!
};

// OrderCreateLineItemInput
struct order_create_line {
  std::string variant_id;            // variantId: ID (gid://shopify/ProductVariant/<n>)
  std::int64_t quantity = 0;         // quantity: Int!
  std::optional<money_input> price;  // priceSet: MoneyBagInput { shopMoney: MoneyInput! }
};

// OrderCreateCustomerInput.toUpsert: OrderCreateUpsertCustomerAttributesInput
struct order_customer_upsert {
  std::string email;      // email
  std::string first_name; // firstName
  std::string last_name;  // lastName
};

// orderCreate(order: OrderCreateOrderInput!, options: OrderCreateOptionsInput)
struct order_create_request {
  // --- order: OrderCreateOrderInput
  std::vector<order_create_line> line_items;         // lineItems
  std::string email;                                 // email
  std::optional<order_customer_upsert> customer;     // customer: { toUpsert: ... }
  std::optional<mailing_address_input> shipping_address; // shippingAddress
  std::optional<mailing_address_input> billing_address;  // billingAddress
  std::vector<std::string> tags;                     // tags: [String!]
  std::string note;                                  // note
  std::vector<attribute_input> custom_attributes;    // customAttributes: [OrderCreateCustomAttributeInput!]
  std::string financial_status;                      // financialStatus: OrderCreateFinancialStatus
  std::string currency;                              // currency: CurrencyCode (shop-facing)
  std::string name;                                  // name (empty: Shopify numbers it)
  std::string source_name;                           // sourceName
  std::string source_identifier;                     // sourceIdentifier: the origin marker
  // --- options: OrderCreateOptionsInput
  std::string inventory_behaviour;                   // inventoryBehaviour: OrderCreateInputsInventoryBehavior
  bool send_receipt = false;                         // sendReceipt
};

// DraftOrderLineItemInput (only variant lines: unmapped lines are reported, never invented)
struct draft_order_line {
  std::string variant_id;    // variantId: ID
  std::int64_t quantity = 0; // quantity: Int!
};

// draftOrderCreate(input: DraftOrderInput!) and draftOrderUpdate(id: ID!, input: DraftOrderInput!).
// DraftOrderInput has no name and no sourceIdentifier: the origin tag and the custom
// attributes are the draft's markers.
struct draft_order_request {
  std::vector<draft_order_line> line_items;              // lineItems
  std::string email;                                     // email
  std::string note;                                      // note
  std::vector<std::string> tags;                         // tags: [String!]
  std::optional<mailing_address_input> shipping_address; // shippingAddress
  std::optional<mailing_address_input> billing_address;  // billingAddress
  std::vector<attribute_input> custom_attributes;        // customAttributes: [AttributeInput!]
};

} // namespace shopsync
