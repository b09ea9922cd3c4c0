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

// OrderCreateTaxLineInput
struct tax_line_input {
  std::string title;                // title: String!
  std::string rate;                 // rate: Decimal! (as the webhook wrote it, e.g. "0.06")
  std::optional<money_input> price; // priceSet: MoneyBagInput
};

// OrderCreateLineItemInput
struct order_create_line {
  std::string variant_id;            // variantId: ID (gid://shopify/ProductVariant/<n>)
  std::int64_t quantity = 0;         // quantity: Int!
  std::optional<money_input> price;  // priceSet: MoneyBagInput { shopMoney: MoneyInput! }
  std::optional<bool> requires_shipping; // requiresShipping: Boolean (Shopify's default: false)
  std::optional<bool> taxable;       // taxable: Boolean
  std::vector<tax_line_input> tax_lines; // taxLines: [OrderCreateTaxLineInput!]
};

// OrderCreateShippingLineInput
struct shipping_line_input {
  std::string title;                     // title: String!
  std::string code;                      // code
  std::string source;                    // source
  money_input price;                     // priceSet: MoneyBagInput!
  std::vector<tax_line_input> tax_lines; // taxLines
};

// OrderCreateDiscountCodeInput: exactly one of its three members is sent.
struct discount_code_input {
  enum class kind { item_fixed, item_percentage, free_shipping };
  kind type = kind::item_fixed; // itemFixedDiscountCode | itemPercentageDiscountCode |
                                // freeShippingDiscountCode
  std::string code;                  // code: String!
  std::optional<money_input> amount; // item_fixed: amountSet: MoneyBagInput
  std::string percentage;            // item_percentage: percentage: Float (decimal text)
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
  std::string source_name;                           // sourceName: an attribution handle, or empty
  std::string source_identifier;                     // sourceIdentifier: the origin marker
  std::vector<shipping_line_input> shipping_lines;   // shippingLines
  std::vector<tax_line_input> tax_lines;             // taxLines (only when no line has any)
  std::optional<discount_code_input> discount_code;  // discountCode
  std::optional<bool> taxes_included;                // taxesIncluded
  // --- options: OrderCreateOptionsInput
  std::string inventory_behaviour;                   // inventoryBehaviour: OrderCreateInputsInventoryBehavior
  bool send_receipt = false;                         // sendReceipt
};

// DraftOrderAppliedDiscountInput
struct draft_discount_input {
  std::string title;        // title
  std::string description;  // description
  std::string value;        // value: Float! (decimal text)
  std::string value_type;   // valueType: DraftOrderAppliedDiscountType! (FIXED_AMOUNT | PERCENTAGE)
  std::optional<money_input> amount; // amountWithCurrency: MoneyInput
};

// ShippingLineInput (draft orders: one shipping line, a custom rate)
struct draft_shipping_input {
  std::string title;                // title
  std::optional<money_input> price; // priceWithCurrency: MoneyInput
};

// DraftOrderLineItemInput (only variant lines: unmapped lines are reported, never invented).
// requiresShipping and taxable are ignored for variant lines: the variant's own settings hold.
struct draft_order_line {
  std::string variant_id;    // variantId: ID
  std::int64_t quantity = 0; // quantity: Int!
  std::optional<draft_discount_input> discount; // appliedDiscount
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
  std::optional<draft_shipping_input> shipping_line;     // shippingLine
  std::optional<draft_discount_input> discount;          // appliedDiscount
  std::optional<bool> tax_exempt;                        // taxExempt
};

} // namespace shopsync
