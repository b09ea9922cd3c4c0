#include "domain/order_sync_state.hpp"

#include "domain/backoff.hpp"
#include "domain/gid.hpp"
#include "domain/order_sync_codec.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <type_traits>
#include <utility>

namespace shopsync {

namespace {

constexpr std::size_t max_input_lines = 250; // every Admin API input list

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool is_our_attribute(const std::string& name) {
  return name == origin_shop_key || name == origin_id_key || name == origin_name_key;
}

// Why a Destination document is one shopsync created (nullopt: it is not).
// Not by sourceName: Shopify means it for an order attribution handle, which any channel
// may use.
std::optional<std::string> ours(std::optional<std::uint64_t> app, const std::vector<std::string>& tags,
                                const std::vector<note_attribute>& attrs,
                                const order_sync_settings& st) {
  if (st.app_id != 0 && app && *app == st.app_id)
    return "created by shopsync (app id " + std::to_string(*app) + ")";
  // The literal head of the template ("shopsync-origin:") marks every origin tag.
  const auto& tmpl = st.options.origin_tag;
  auto head = lower(std::string_view(tmpl).substr(0, tmpl.find('{')));
  if (!head.empty()) {
    for (const auto& t : tags)
      if (lower(t).compare(0, head.size(), head) == 0)
        return "carries the origin tag '" + t + "'";
  }
  for (const auto& a : attrs)
    if (is_our_attribute(a.name))
      return "carries the note attribute " + a.name;
  return std::nullopt;
}

std::optional<mailing_address_input> to_input(const std::optional<mailing_address>& a) {
  if (!a)
    return std::nullopt;
  mailing_address_input m;
  m.first_name = a->first_name;
  m.last_name = a->last_name;
  m.company = a->company;
  m.address1 = a->address1;
  m.address2 = a->address2;
  m.city = a->city;
  m.province_code = a->province_code;
  if (m.province_code.empty())
    m.province = a->province;
  m.zip = a->zip;
  m.country_code = a->country_code;
  if (m.country_code.empty())
    m.country = a->country;
  m.phone = a->phone;
  const bool empty = m.first_name.empty() && m.last_name.empty() && m.company.empty() &&
                     m.address1.empty() && m.address2.empty() && m.city.empty() &&
                     m.province.empty() && m.province_code.empty() && m.zip.empty() &&
                     m.country.empty() && m.country_code.empty() && m.phone.empty();
  if (empty)
    return std::nullopt;
  return m;
}

std::string line_label(const order_line& l) {
  std::string s = std::to_string(l.quantity) + " x " + l.title;
  if (!l.variant_title.empty())
    s += " - " + l.variant_title;
  std::string ids;
  if (!l.sku.empty())
    ids += "SKU " + l.sku;
  if (l.variant)
    ids += (ids.empty() ? "" : ", ") + std::string("variant ") + std::to_string(*l.variant);
  if (!ids.empty())
    s += " (" + ids + ")";
  return s;
}

int mapped_count(const order_sync_state& s) {
  return static_cast<int>(std::count_if(s.source_variants.begin(), s.source_variants.end(),
                                        [](const auto& v) { return v.has_value(); }));
}

std::string kind_words(order_doc_kind k) { return k == order_doc_kind::order ? "order" : "draft order"; }

} // namespace

// ---------------------------------------------------------------- names

const char* to_string(order_doc_kind k) { return k == order_doc_kind::order ? "order" : "draft_order"; }

const char* to_string(order_phase p) {
  switch (p) {
    case order_phase::received: return "received";
    case order_phase::creating: return "creating";
    case order_phase::retry_wait: return "retry_wait";
    case order_phase::looking_up: return "looking_up";
    case order_phase::created: return "created";
    case order_phase::updating: return "updating";
    case order_phase::inviting: return "inviting";
    case order_phase::completed_in_destination: return "completed_in_destination";
    case order_phase::needs_attention: return "needs_attention";
    case order_phase::skipped: return "skipped";
    case order_phase::held: return "held";
  }
  return "?";
}

const char* to_string(order_step_kind k) {
  switch (k) {
    case order_step_kind::none: return "none";
    case order_step_kind::create: return "create";
    case order_step_kind::lookup: return "lookup";
    case order_step_kind::update: return "update";
    case order_step_kind::invoice: return "invoice";
  }
  return "?";
}

std::optional<order_phase> parse_order_phase(std::string_view s) {
  for (int i = 0; i <= static_cast<int>(order_phase::held); ++i) {
    auto p = static_cast<order_phase>(i);
    if (s == to_string(p))
      return p;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- free rules

std::string make_origin_tag(std::string_view tmpl, std::string_view shop, shopify_id id,
                            std::string_view name) {
  std::string out;
  const std::string ids = std::to_string(id);
  for (std::size_t i = 0; i < tmpl.size();) {
    auto rest = tmpl.substr(i);
    if (rest.substr(0, 6) == "{shop}") {
      out += shop;
      i += 6;
    } else if (rest.substr(0, 7) == "{order}") {
      out += ids;
      i += 7;
    } else if (rest.substr(0, 6) == "{name}") {
      out += name;
      i += 6;
    } else {
      out += tmpl[i++];
    }
  }
  return out;
}

std::chrono::milliseconds retry_delay(const order_retry_policy& p, int failures, double jitter) {
  // The delay doubles from base_delay up to max_delay; the jitter adds up to jitter_ratio of it.
  backoff_policy b{p.base_delay, p.max_delay, 2.0, p.max_attempts};
  b.fixed_share = 1.0;
  b.jitter_share = p.jitter_ratio;
  return backoff_delay(b, std::clamp(failures, 1, 40), jitter);
}

std::optional<std::string> order_skip_reason(const order_created& e, const order_sync_settings& st) {
  if (st.strategy != sync_strategy::order && st.strategy != sync_strategy::draft_order)
    return std::string("strategy ") + to_string(st.strategy) + " does not sync orders";
  if (auto why = ours(e.app_id, e.tags, e.note_attributes, st))
    return why;
  if (st.strategy == sync_strategy::draft_order && e.source_name == "shopify_draft_order")
    return std::string("completed from a Destination draft order: the draft is what syncs");
  const auto& wanted = st.options.financial_statuses;
  const bool any = std::any_of(wanted.begin(), wanted.end(), [](const auto& w) { return lower(w) == "any"; });
  if (!wanted.empty() && !any) {
    auto fs = lower(e.financial_status);
    bool ok = std::any_of(wanted.begin(), wanted.end(), [&](const auto& w) { return lower(w) == fs; });
    if (!ok) {
      std::string list;
      for (const auto& w : wanted)
        list += (list.empty() ? "" : ", ") + w;
      return "financial status '" + e.financial_status + "' is not one of [" + list + "]";
    }
  }
  return std::nullopt;
}

std::optional<std::string> draft_skip_reason(const draft_order_changed& e,
                                             const order_sync_settings& st) {
  if (st.strategy != sync_strategy::draft_order)
    return std::string("draft orders sync only in draft_order groups (strategy ") +
           to_string(st.strategy) + ")";
  return ours(e.api_client_id, e.tags, e.note_attributes, st);
}

// ---------------------------------------------------------------- the machine

order_sync::order_sync(order_sync_settings settings, order_destination destination)
  : settings_(std::move(settings)) {
  s_.destination = std::move(destination);
}

order_summary order_sync::summary() const {
  order_summary v;
  v.state = to_string(s_.phase);
  v.store = s_.destination.store;
  v.kind = to_string(s_.destination_kind);
  v.destination_id = s_.destination_id;
  v.destination_name = s_.destination_name;
  v.target = to_string(s_.target);
  v.source_id = s_.source_id;
  v.attempts = s_.attempts;
  if (s_.last_error)
    v.last_error = s_.last_error->code + ": " + s_.last_error->message;
  v.reason = s_.reason;
  v.unmapped = s_.unmapped;
  v.attention = s_.phase == order_phase::needs_attention ||
                (s_.phase != order_phase::skipped && !s_.unmapped.empty());
  v.received_at = s_.received_at;
  return v;
}

void order_sync::audit(order_output& out, order_time now, std::string event,
                       std::string detail) const {
  order_audit_record r;
  r.at = now;
  r.store = s_.destination.store;
  r.order = std::string(to_string(s_.destination_kind)) + " " + std::to_string(s_.destination_id);
  if (!s_.destination_name.empty())
    r.order += " " + s_.destination_name;
  r.event = std::move(event);
  r.detail = std::move(detail);
  out.audit.push_back(std::move(r));
}

// --- documents

namespace {
std::vector<std::string> uncarried_discounts(const order_sync_state& s);

std::string make_note(const order_sync_state& s) {
  std::string note = "Synced by shopsync from " + s.destination.shop_domain + " " +
                     kind_words(s.destination_kind) + " " + s.destination_name + " (id " +
                     std::to_string(s.destination_id) + ").";
  if (!s.unmapped.empty()) {
    note += "\nNot included (no matching variant in this store):";
    for (std::size_t i = 0; i < s.lines.size(); ++i)
      if (!s.source_variants[i])
        note += "\n- " + line_label(s.lines[i]);
  }
  if (s.target == order_doc_kind::order) {
    auto lost = uncarried_discounts(s);
    if (!lost.empty()) {
      note += "\nDiscounts in the original order not carried over:";
      for (const auto& d : lost)
        note += "\n- " + d;
    }
  }
  if (!s.note.empty())
    note += "\nOriginal note: " + s.note;
  return note;
}

std::vector<attribute_input> origin_attributes(const order_sync_state& s) {
  return {{origin_shop_key, s.destination.shop_domain},
          {origin_id_key, std::to_string(s.destination_id)},
          {origin_name_key, s.destination_name}};
}

std::optional<money_input> money(const std::string& amount, const std::string& currency) {
  if (amount.empty() || currency.empty())
    return std::nullopt;
  return money_input{amount, currency};
}

std::vector<tax_line_input> tax_inputs(const std::vector<tax_line>& taxes, const std::string& currency) {
  std::vector<tax_line_input> out;
  for (const auto& t : taxes)
    if (!t.title.empty() && !t.rate.empty())
      out.push_back({t.title, t.rate, money(t.price, currency)});
  return out;
}

// "10.0", "-5", "0.25": what GraphQL's Float and Decimal accept as written.
bool is_decimal(std::string_view v) {
  if (!v.empty() && v[0] == '-')
    v.remove_prefix(1);
  bool digits = false, dot = false;
  for (char c : v) {
    if (std::isdigit(static_cast<unsigned char>(c)))
      digits = true;
    else if (c == '.' && !dot)
      dot = true;
    else
      return false;
  }
  return digits && v.back() != '.';
}

// orderCreate takes one discount code. The Destination's first code goes over as the same
// kind of code: a percentage code as that percentage (Shopify applies it to the lines that
// made it into the Source, so a partly mapped order is not over-discounted), a fixed one as
// the amount it took off, a shipping code as free shipping. Discounts that are not a code
// (automatic, manual, script) or further codes cannot be expressed: make_note() names them.
std::optional<discount_code_input> discount_input(const order_sync_state& s) {
  if (s.discount_codes.empty())
    return std::nullopt;
  const auto& c = s.discount_codes.front();
  if (c.code.empty())
    return std::nullopt;
  discount_code_input d;
  d.code = c.code;
  if (c.type == "shipping") {
    d.type = discount_code_input::kind::free_shipping;
    return d;
  }
  if (c.type == "percentage") {
    for (const auto& a : s.discount_applications)
      if (a.type == "discount_code" && a.code == c.code && a.value_type == "percentage" && is_decimal(a.value)) {
        d.type = discount_code_input::kind::item_percentage;
        d.percentage = a.value;
        return d;
      }
  }
  d.type = discount_code_input::kind::item_fixed; // fixed_amount, or a percentage without its rate
  d.amount = money(c.amount, s.currency);
  return d;
}

// Discounts of the Destination order that the Source order cannot carry (see discount_input).
std::vector<std::string> uncarried_discounts(const order_sync_state& s) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i < s.discount_codes.size(); ++i)
    out.push_back("code " + s.discount_codes[i].code + " (" + s.discount_codes[i].amount + ")");
  for (const auto& a : s.discount_applications)
    if (a.type != "discount_code")
      out.push_back(a.type + " discount " + (a.title.empty() ? a.code : a.title) + " (" + a.value +
                    (a.value_type == "percentage" ? "%" : "") + ")");
  return out;
}

std::optional<draft_discount_input> draft_discount(const std::optional<applied_discount>& a,
                                                   const std::string& currency) {
  if (!a || !is_decimal(a->value) || (a->value_type != "fixed_amount" && a->value_type != "percentage"))
    return std::nullopt;
  draft_discount_input d;
  d.title = a->title;
  d.description = a->description;
  d.value = a->value;
  d.value_type = upper(a->value_type); // DraftOrderAppliedDiscountType
  if (a->value_type == "fixed_amount")
    d.amount = money(a->amount, currency);
  return d;
}

std::string customer_email(const order_sync_state& s) {
  if (s.customer && !s.customer->email.empty())
    return s.customer->email;
  return s.email;
}
} // namespace

order_create_request order_sync::order_request() const {
  order_create_request r;
  for (std::size_t i = 0; i < s_.lines.size(); ++i) {
    if (!s_.source_variants[i])
      continue;
    const auto& l = s_.lines[i];
    order_create_line line;
    line.variant_id = make_gid("ProductVariant", *s_.source_variants[i]);
    line.quantity = l.quantity;
    if (!l.price.empty() && !s_.currency.empty())
      line.price = money_input{l.price, s_.currency};
    // orderCreate's requiresShipping defaults to false: without it every order would look
    // like it needs no shipping.
    line.requires_shipping = l.requires_shipping;
    line.taxable = l.taxable;
    line.tax_lines = tax_inputs(l.tax_lines, s_.currency);
    r.line_items.push_back(std::move(line));
  }
  // Taxes go on the lines or on the order, never both (Shopify refuses that): the lines'
  // own are exact for the lines that made it into the Source; the order's are a fallback
  // for a payload whose lines carry none.
  const bool line_taxes = std::any_of(r.line_items.begin(), r.line_items.end(),
                                      [](const auto& l) { return !l.tax_lines.empty(); });
  if (!line_taxes)
    r.tax_lines = tax_inputs(s_.tax_lines, s_.currency);
  for (const auto& sl : s_.shipping_lines) {
    auto price = money(sl.price.empty() ? std::string("0.00") : sl.price, s_.currency);
    if (sl.title.empty() || !price)
      continue;
    r.shipping_lines.push_back({sl.title, sl.code, sl.source, *price, tax_inputs(sl.tax_lines, s_.currency)});
  }
  r.discount_code = discount_input(s_);
  r.taxes_included = s_.taxes_included;
  r.email = customer_email(s_);
  if (!r.email.empty()) {
    order_customer_upsert c;
    c.email = r.email;
    if (s_.customer) {
      c.first_name = s_.customer->first_name;
      c.last_name = s_.customer->last_name;
    }
    r.customer = std::move(c);
  }
  r.shipping_address = to_input(s_.shipping_address);
  r.billing_address = to_input(s_.billing_address);
  r.tags = {s_.origin_tag};
  r.note = make_note(s_);
  r.custom_attributes = origin_attributes(s_);
  r.financial_status = upper(settings_.options.financial_status);
  r.currency = s_.currency;
  if (!settings_.options.name_prefix.empty())
    r.name = settings_.options.name_prefix + s_.destination_name;
  // sourceName is an order attribution handle (a sales channel app's): sent only when the
  // merchant configured one. shopsync's orders are known by the origin tag, the custom
  // attributes, sourceIdentifier and the app id, none of which another app would set.
  r.source_name = settings_.options.source_name;
  r.source_identifier = s_.origin_marker;
  r.inventory_behaviour = upper(settings_.options.inventory_behaviour);
  r.send_receipt = false;
  return r;
}

draft_order_request order_sync::draft_request() const {
  draft_order_request r;
  for (std::size_t i = 0; i < s_.lines.size(); ++i)
    if (s_.source_variants[i])
      r.line_items.push_back({make_gid("ProductVariant", *s_.source_variants[i]), s_.lines[i].quantity,
                              draft_discount(s_.lines[i].discount, s_.currency)});
  r.email = customer_email(s_);
  r.note = make_note(s_);
  r.tags = {s_.origin_tag};
  r.shipping_address = to_input(s_.shipping_address);
  r.billing_address = to_input(s_.billing_address);
  r.custom_attributes = origin_attributes(s_);
  if (s_.draft_shipping && !s_.draft_shipping->title.empty())
    r.shipping_line = draft_shipping_input{s_.draft_shipping->title, money(s_.draft_shipping->price, s_.currency)};
  r.discount = draft_discount(s_.draft_discount, s_.currency);
  r.tax_exempt = s_.tax_exempt;
  return r;
}

// --- steps

std::optional<std::string> order_sync::resolve(const variant_resolver& resolver, order_time now,
                                               order_output& out) {
  std::vector<unmapped_line> unmapped;
  s_.source_variants.assign(s_.lines.size(), std::nullopt);
  for (std::size_t i = 0; i < s_.lines.size(); ++i) {
    const auto& l = s_.lines[i];
    std::string why;
    if (!l.variant)
      why = "custom line (no variant)";
    else if (l.quantity <= 0)
      why = "no quantity";
    else if (auto sv = resolver ? resolver(*l.variant) : std::nullopt)
      s_.source_variants[i] = sv;
    else
      why = "variant " + std::to_string(*l.variant) + " has no match in the Source";
    if (why.empty())
      continue;
    unmapped_line u{l.line_id, l.variant, l.sku, l.title, l.quantity, why};
    bool known = std::any_of(s_.unmapped.begin(), s_.unmapped.end(), [&](const auto& k) {
      return k.line_id == u.line_id && k.reason == u.reason && k.quantity == u.quantity;
    });
    if (!known) // audit each unmapped line once, not on every delivery
      audit(out, now, "unmapped_line", line_label(l) + ": " + why);
    unmapped.push_back(std::move(u));
  }
  s_.unmapped = std::move(unmapped);
  const int mapped = mapped_count(s_);
  if (s_.phase == order_phase::received || s_.phase == order_phase::needs_attention)
    audit(out, now, "resolved", // not on every draft update: redeliveries would flood the log
          std::to_string(mapped) + " of " + std::to_string(s_.lines.size()) + " lines mapped");
  out.persist = true;
  if (mapped == 0)
    return std::string("no line maps to a Source variant");
  if (static_cast<std::size_t>(mapped) > max_input_lines)
    return "more than " + std::to_string(max_input_lines) + " lines";
  return std::nullopt;
}

// A skipped document is kept as a record (shopsyncctl orders --state skipped), so its
// redeliveries are known duplicates and a merchant can see why it did not sync.
// The create sent at create_sent_at may have been applied: look for it before any re-create,
// for the whole window. (A state written before the window existed has no send time: its
// last update is the closest.)
void order_sync::open_lookup_window() {
  if (s_.create_sent_at == order_time{})
    s_.create_sent_at = s_.updated_at;
  s_.maybe_created = true;
  s_.lookups = 0;
  s_.lookup_until = s_.create_sent_at + settings_.options.lookup_window;
}

void order_sync::skip(std::string reason, order_time now, order_output& out) {
  s_.phase = order_phase::skipped;
  s_.reason = std::move(reason);
  s_.received_at = now;
  s_.updated_at = now;
  out.persist = true;
  audit(out, now, "skipped", s_.reason);
}

void order_sync::attention(order_step_kind failed, std::string reason, order_time now,
                           order_output& out) {
  s_.phase = order_phase::needs_attention;
  s_.step = order_step_kind::none;
  s_.failed_step = failed;
  s_.reason = std::move(reason);
  s_.updated_at = now;
  out.persist = true;
  out.command.reset();
  audit(out, now, "needs_attention", std::string(to_string(failed)) + ": " + s_.reason);
}

void order_sync::begin(order_step_kind step, order_time now, order_output& out) {
  if (step == order_step_kind::create && s_.maybe_created)
    step = order_step_kind::lookup; // never a second create before the lookup found nothing
  if (step == order_step_kind::create || step == order_step_kind::update) {
    const int mapped = mapped_count(s_);
    if (mapped == 0)
      return attention(step, "no line maps to a Source variant", now, out);
    if (static_cast<std::size_t>(mapped) > max_input_lines)
      return attention(step, "more than " + std::to_string(max_input_lines) + " lines", now, out);
  }
  if (step == order_step_kind::create && group_held_) {
    // Never created while the group is held; kept, to be created once it syncs again.
    if (s_.phase != order_phase::held)
      audit(out, now, "held", "the group's writes are held (planned or tripped): created once it syncs again");
    s_.phase = order_phase::held;
    s_.step = order_step_kind::none;
    s_.reason = "group held (planned or tripped): created once it syncs again (shopsyncctl plan, approve)";
    s_.updated_at = now;
    out.persist = true;
    return;
  }
  if (s_.phase == order_phase::held) {
    audit(out, now, "released", "the group syncs again");
    s_.reason.clear();
  }
  s_.step = step;
  s_.seq += 1;
  s_.updated_at = now;
  out.persist = true;
  const std::string attempt = "attempt " + std::to_string(s_.attempts + 1);
  switch (step) {
    case order_step_kind::create:
      s_.phase = order_phase::creating;
      s_.create_sent_at = now;
      if (s_.target == order_doc_kind::order) {
        out.command = order_cmd::create_order{s_.seq, order_request()};
      } else {
        auto req = draft_request();
        s_.inflight_fingerprint = request_fingerprint(req);
        out.command = order_cmd::create_draft{s_.seq, std::move(req)};
      }
      audit(out, now, "create_sent", std::string(kind_words(s_.target)) + ", " + attempt);
      break;
    case order_step_kind::lookup:
      s_.phase = order_phase::looking_up;
      out.command = order_cmd::lookup_origin{s_.seq, s_.target, s_.origin_tag, s_.origin_marker};
      audit(out, now, "lookup_sent", "tag " + s_.origin_tag);
      break;
    case order_step_kind::update: {
      s_.phase = order_phase::updating;
      auto req = draft_request();
      s_.inflight_fingerprint = request_fingerprint(req);
      out.command = order_cmd::update_draft{s_.seq, s_.source_id.value_or(0), std::move(req)};
      audit(out, now, "update_sent", "draft " + std::to_string(s_.source_id.value_or(0)) + ", " + attempt);
      break;
    }
    case order_step_kind::invoice:
      s_.phase = order_phase::inviting;
      out.command = order_cmd::send_invoice{s_.seq, s_.source_id.value_or(0)};
      audit(out, now, "invoice_requested", "draft " + std::to_string(s_.source_id.value_or(0)) + ", " + attempt);
      break;
    case order_step_kind::none:
      break;
  }
}

// The Source document exists and nothing is in flight: decide what is left to do.
void order_sync::next_with_source(order_time now, order_output& out) {
  s_.step = order_step_kind::none;
  s_.attempts = 0;
  s_.permanent_failures = 0;
  s_.updated_at = now;
  out.persist = true;
  if (s_.target == order_doc_kind::draft_order) {
    if (request_fingerprint(draft_request()) != s_.applied_fingerprint)
      return begin(order_step_kind::update, now, out);
    if (settings_.options.send_invoice && !s_.invoice_sent) {
      if (!s_.destination_completed)
        return begin(order_step_kind::invoice, now, out);
      // Paid in the Destination already: an invoice would ask the customer to pay twice.
      s_.invoice_sent = true;
      audit(out, now, "invoice_skipped", "the Destination draft is completed");
    }
    if (s_.destination_completed) {
      s_.phase = order_phase::completed_in_destination;
      return;
    }
  }
  s_.phase = order_phase::created;
}

void order_sync::start(order_time now, order_output& out, const variant_resolver& resolver) {
  s_.received_at = now;
  s_.updated_at = now;
  s_.target = settings_.strategy == sync_strategy::draft_order ? order_doc_kind::draft_order
                                                               : order_doc_kind::order;
  s_.origin_tag = make_origin_tag(settings_.options.origin_tag, s_.destination.shop_domain,
                                  s_.destination_id, s_.destination_name);
  s_.origin_marker = s_.destination.shop_domain + "/" +
                     (s_.destination_kind == order_doc_kind::draft_order ? "draft_order/" : "") +
                     std::to_string(s_.destination_id);
  if (auto why = resolve(resolver, now, out))
    return attention(order_step_kind::create, *why, now, out);
  begin(order_step_kind::create, now, out);
}

// --- inputs

order_output order_sync::on_order_created(const order_created& e, const variant_resolver& resolver,
                                          order_time now) {
  order_output out;
  if (s_.phase != order_phase::received) {
    audit(out, now, "duplicate_ignored", std::string("orders/create again while ") + to_string(s_.phase));
    return out;
  }
  s_.destination_kind = order_doc_kind::order;
  s_.destination_id = e.id;
  s_.destination_name = e.name;
  s_.email = e.email;
  s_.currency = e.currency;
  s_.note = e.note;
  s_.customer = e.customer;
  s_.shipping_address = e.shipping_address;
  s_.billing_address = e.billing_address;
  s_.lines = e.lines;
  s_.shipping_lines = e.shipping_lines;
  s_.tax_lines = e.tax_lines;
  s_.discount_codes = e.discount_codes;
  s_.discount_applications = e.discount_applications;
  s_.total_discounts = e.total_discounts;
  s_.taxes_included = e.taxes_included;
  s_.source_variants.assign(s_.lines.size(), std::nullopt);
  if (auto why = order_skip_reason(e, settings_)) {
    skip(*why, now, out);
    return out;
  }
  start(now, out, resolver);
  return out;
}

order_output order_sync::on_draft_changed(const draft_order_changed& e,
                                          const variant_resolver& resolver, order_time now) {
  order_output out;
  const auto updated = parse_iso8601_seconds(e.updated_at).value_or(0);
  const bool first = s_.phase == order_phase::received;
  if (!first) {
    if (s_.phase == order_phase::skipped || s_.destination_kind != order_doc_kind::draft_order ||
        s_.destination_id != e.id)
      return out;
    if (updated != 0 && s_.destination_updated != 0 && updated < s_.destination_updated) {
      audit(out, now, "stale_update_ignored", "updated_at " + e.updated_at);
      return out;
    }
    if (s_.phase == order_phase::completed_in_destination) {
      audit(out, now, "duplicate_ignored", "the Destination draft is completed");
      return out;
    }
  }
  s_.destination_kind = order_doc_kind::draft_order;
  s_.destination_id = e.id;
  s_.destination_name = e.name;
  s_.email = e.email;
  s_.currency = e.currency;
  s_.note = e.note;
  s_.customer = e.customer;
  s_.shipping_address = e.shipping_address;
  s_.billing_address = e.billing_address;
  s_.lines = e.lines;
  s_.draft_shipping = e.shipping;
  s_.draft_discount = e.discount;
  s_.tax_exempt = e.tax_exempt;
  s_.taxes_included = e.taxes_included;
  s_.destination_updated = std::max(s_.destination_updated, updated);
  if (first) {
    s_.source_variants.assign(s_.lines.size(), std::nullopt);
    if (auto why = draft_skip_reason(e, settings_)) {
      skip(*why, now, out);
      return out;
    }
  }
  if (e.status == "completed" && !s_.destination_completed) {
    s_.destination_completed = true;
    s_.completed_order = e.completed_order;
    audit(out, now, "completed_in_destination",
          e.completed_order ? "became order " + std::to_string(*e.completed_order) : std::string());
  }
  if (first) {
    start(now, out, resolver);
    return out;
  }
  (void)resolve(resolver, now, out); // no line mapping is caught when the update is built
  s_.updated_at = now;
  out.persist = true;
  if (s_.phase == order_phase::created)
    next_with_source(now, out);
  // In flight or waiting: the latest content goes with the next attempt, or as an update
  // once the current step is done. needs_attention: the manual retry takes it.
  return out;
}

order_output order_sync::created(std::uint64_t seq, shopify_id source_id, order_time now) {
  order_output out;
  if (seq != s_.seq || s_.phase != order_phase::creating)
    return out; // stale answer
  s_.source_id = source_id;
  s_.maybe_created = false;
  s_.last_error.reset();
  s_.applied_fingerprint = s_.inflight_fingerprint;
  audit(out, now, "created", "Source " + kind_words(s_.target) + " " + std::to_string(source_id));
  next_with_source(now, out);
  return out;
}

order_output order_sync::found(std::uint64_t seq, std::optional<shopify_id> source_id,
                               order_time now) {
  order_output out;
  if (seq != s_.seq || s_.phase != order_phase::looking_up)
    return out;
  s_.maybe_created = false;
  if (source_id) {
    s_.source_id = *source_id;
    s_.last_error.reset();
    s_.applied_fingerprint = 0; // which attempt's content it has is unknown: a draft is updated
    audit(out, now, "found_existing", "Source " + kind_words(s_.target) + " " + std::to_string(*source_id));
    next_with_source(now, out);
  } else if (now < s_.lookup_until) {
    // The search may not show the create yet: look again, backing off, until the window ends.
    s_.lookups += 1;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(s_.lookup_until - now);
    const auto delay = std::clamp(retry_delay(settings_.retry, s_.lookups, 0.0),
                                  std::chrono::milliseconds(1), left);
    s_.step = order_step_kind::lookup;
    s_.phase = order_phase::retry_wait;
    s_.retry_at = now + delay;
    s_.seq += 1;
    s_.updated_at = now;
    s_.maybe_created = true; // still unknown: a timer or a restart looks again, never creates
    out.persist = true;
    out.command = order_cmd::schedule_retry{s_.seq, delay};
    audit(out, now, "lookup_again", "no Source document tagged " + s_.origin_tag + " yet; look " +
                                        std::to_string(s_.lookups + 1) + " in " +
                                        std::to_string(delay.count()) + " ms");
  } else {
    audit(out, now, "not_found", "no Source document tagged " + s_.origin_tag + " (lookups: " +
                                     std::to_string(s_.lookups + 1) + ")");
    s_.lookups = 0;
    begin(order_step_kind::create, now, out);
  }
  return out;
}

order_output order_sync::done(std::uint64_t seq, order_time now) {
  order_output out;
  if (seq != s_.seq)
    return out;
  if (s_.phase == order_phase::updating) {
    s_.applied_fingerprint = s_.inflight_fingerprint;
    s_.last_error.reset();
    audit(out, now, "draft_updated", "Source draft " + std::to_string(s_.source_id.value_or(0)));
  } else if (s_.phase == order_phase::inviting) {
    s_.invoice_sent = true;
    s_.last_error.reset();
    audit(out, now, "invoice_sent", "Source draft " + std::to_string(s_.source_id.value_or(0)));
  } else {
    return out;
  }
  next_with_source(now, out);
  return out;
}

order_output order_sync::failed(std::uint64_t seq, const step_failure& f, double jitter,
                                order_time now) {
  order_output out;
  const bool in_flight = s_.phase == order_phase::creating || s_.phase == order_phase::looking_up ||
                         s_.phase == order_phase::updating || s_.phase == order_phase::inviting;
  if (seq != s_.seq || !in_flight)
    return out;
  const auto step = s_.step;
  s_.attempts += 1;
  s_.last_error = f.err;
  s_.updated_at = now;
  out.persist = true;
  const std::string what = f.err.code + ": " + f.err.message;
  if (f.kind == order_failure_kind::permanent) {
    s_.permanent_failures += 1;
    if (s_.permanent_failures >= settings_.retry.max_permanent_failures) {
      attention(step, what, now, out);
      return out;
    }
  }
  if (f.kind == order_failure_kind::uncertain && step == order_step_kind::create)
    open_lookup_window();
  if (s_.attempts >= settings_.retry.max_attempts) {
    attention(step, "gave up after " + std::to_string(s_.attempts) + " attempts: " + what, now, out);
    return out;
  }
  auto delay = retry_delay(settings_.retry, s_.attempts, jitter);
  if (s_.maybe_created && step == order_step_kind::create)
    delay = std::max(delay, settings_.retry.lookup_delay);
  s_.phase = order_phase::retry_wait;
  s_.retry_at = now + delay;
  s_.seq += 1;
  out.command = order_cmd::schedule_retry{s_.seq, delay};
  audit(out, now, "retry_scheduled",
        std::string(to_string(step)) + " in " + std::to_string(delay.count()) + " ms after " + what);
  return out;
}

order_output order_sync::timer(std::uint64_t seq, order_time now) {
  order_output out;
  if (seq != s_.seq || s_.phase != order_phase::retry_wait)
    return out;
  begin(s_.step, now, out);
  return out;
}

order_output order_sync::retry(const variant_resolver& resolver, order_time now) {
  order_output out;
  if (s_.phase == order_phase::held) {
    if (group_held_)
      return out;
    if (auto why = resolve(resolver, now, out)) // the mapping may have changed meanwhile
      attention(order_step_kind::create, *why, now, out);
    else
      begin(order_step_kind::create, now, out);
    return out;
  }
  if (s_.phase != order_phase::needs_attention)
    return out;
  audit(out, now, "manual_retry", std::string(to_string(s_.failed_step)) + ": " + s_.reason);
  s_.attempts = 0;
  s_.permanent_failures = 0;
  s_.reason.clear();
  const auto failed = s_.failed_step;
  s_.failed_step = order_step_kind::none;
  if (failed == order_step_kind::invoice) { // the lines are not what failed
    next_with_source(now, out);
    return out;
  }
  (void)resolve(resolver, now, out); // the mapping may have been completed since
  if (!s_.source_id)
    begin(order_step_kind::create, now, out);
  else
    next_with_source(now, out);
  return out;
}

order_output order_sync::resume(order_time now) {
  order_output out;
  switch (s_.phase) {
    case order_phase::creating: {
      // The create may have left before the crash and may still be running in the Source: look
      // before creating again, and not sooner than lookup_delay after it was sent (as after an
      // uncertain failure), or the lookup misses an order that lands a moment later.
      open_lookup_window();
      audit(out, now, "resumed", "create was in flight: lookup first");
      const auto due = s_.updated_at + settings_.retry.lookup_delay;
      if (due <= now) {
        begin(order_step_kind::create, now, out);
        break;
      }
      s_.phase = order_phase::retry_wait;
      s_.retry_at = due;
      s_.seq += 1;
      out.persist = true;
      out.command = order_cmd::schedule_retry{
        s_.seq, std::chrono::duration_cast<std::chrono::milliseconds>(due - now)};
      break;
    }
    case order_phase::looking_up:
    case order_phase::updating:
    case order_phase::inviting:
      audit(out, now, "resumed", std::string(to_string(s_.step)) + " was in flight");
      begin(s_.step, now, out);
      break;
    case order_phase::held:
      if (!group_held_)
        begin(order_step_kind::create, now, out); // a lookup first if an earlier create may have landed
      break;
    case order_phase::retry_wait: {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(s_.retry_at - now);
      out.command = order_cmd::schedule_retry{s_.seq, std::max(left, std::chrono::milliseconds(0))};
      break;
    }
    default:
      break;
  }
  return out;
}

} // namespace shopsync
