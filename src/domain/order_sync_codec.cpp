#include "domain/order_sync_codec.hpp"

#include "domain/field_codec.hpp"
#include "domain/order_sync_state.hpp"

#include <string>
#include <type_traits>
#include <utility>

namespace shopsync {

namespace {

constexpr std::string_view state_version = "os2|";
constexpr std::string_view state_version_1 = "os1|";
constexpr int state_version_current = 2;

// One field list per struct serves both directions (field_codec.hpp); `f.version` is the
// version being read or written.
template <class F> struct is_reader : std::false_type {};
template <class Fm, class S> struct is_reader<field_reader<Fm, S>> : std::true_type {};
// Only the code is kept: a read error gets back the kind its code names.
template <class F> void fields(F& f, error& e) {
  f(e.code); f(e.message);
  if constexpr (is_reader<F>::value)
    e.kind = error_kind_of_code(e.code);
}
template <class F> void fields(F& f, order_destination& d) { f(d.store); f(d.shop_domain); }
template <class F> void fields(F& f, customer_ref& c) {
  f(c.id); f(c.email); f(c.first_name); f(c.last_name);
}
template <class F> void fields(F& f, mailing_address& a) {
  f(a.first_name); f(a.last_name); f(a.company); f(a.address1); f(a.address2); f(a.city);
  f(a.province); f(a.province_code); f(a.zip); f(a.country); f(a.country_code); f(a.phone);
}
template <class F> void fields(F& f, tax_line& t) { f(t.title); f(t.rate); f(t.price); }
template <class F> void fields(F& f, applied_discount& d) {
  f(d.title); f(d.description); f(d.value); f(d.value_type); f(d.amount);
}
template <class F> void fields(F& f, shipping_line& l) {
  f(l.title); f(l.code); f(l.source); f(l.price); f(l.tax_lines);
}
template <class F> void fields(F& f, discount_code& d) { f(d.code); f(d.amount); f(d.type); }
template <class F> void fields(F& f, discount_application& d) {
  f(d.type); f(d.code); f(d.title); f(d.value); f(d.value_type); f(d.target_type);
}
template <class F> void fields(F& f, order_line& l) {
  f(l.line_id); f(l.variant); f(l.product); f(l.sku); f(l.title); f(l.variant_title);
  f(l.quantity); f(l.price);
  if (f.version >= 2) {
    f(l.requires_shipping); f(l.taxable); f(l.tax_lines); f(l.discount);
  }
}
template <class F> void fields(F& f, unmapped_line& u) {
  f(u.line_id); f(u.variant); f(u.sku); f(u.title); f(u.quantity); f(u.reason);
}
template <class F> void fields(F& f, order_sync_state& s) {
  f(s.destination); f(s.destination_kind); f(s.destination_id); f(s.destination_name);
  f(s.target);
  f(s.email); f(s.currency); f(s.note); f(s.customer); f(s.shipping_address);
  f(s.billing_address); f(s.lines); f(s.source_variants); f(s.destination_updated);
  f(s.phase); f(s.step); f(s.seq); f(s.attempts); f(s.permanent_failures); f(s.retry_at);
  f(s.maybe_created); f(s.last_error); f(s.reason); f(s.failed_step); f(s.source_id);
  f(s.origin_tag); f(s.origin_marker); f(s.unmapped); f(s.inflight_fingerprint);
  f(s.applied_fingerprint); f(s.invoice_sent); f(s.destination_completed);
  f(s.completed_order); f(s.received_at); f(s.updated_at);
  if (f.version >= 2) {
    f(s.shipping_lines); f(s.tax_lines); f(s.discount_codes); f(s.discount_applications);
    f(s.total_discounts); f(s.taxes_included); f(s.draft_shipping); f(s.draft_discount);
    f(s.tax_exempt); f(s.create_sent_at); f(s.lookup_until); f(s.lookups);
  }
}
// Request fingerprints: only the writer walks these.
template <class F> void fields(F& f, mailing_address_input& a) {
  f(a.first_name); f(a.last_name); f(a.company); f(a.address1); f(a.address2); f(a.city);
  f(a.province); f(a.province_code); f(a.zip); f(a.country); f(a.country_code); f(a.phone);
}
template <class F> void fields(F& f, attribute_input& a) { f(a.key); f(a.value); }
template <class F> void fields(F& f, money_input& m) { f(m.amount); f(m.currency_code); }
template <class F> void fields(F& f, draft_discount_input& d) {
  f(d.title); f(d.description); f(d.value); f(d.value_type); f(d.amount);
}
template <class F> void fields(F& f, draft_shipping_input& d) { f(d.title); f(d.price); }
template <class F> void fields(F& f, draft_order_line& l) { f(l.variant_id); f(l.quantity); f(l.discount); }
template <class F> void fields(F& f, draft_order_request& r) {
  f(r.line_items); f(r.email); f(r.note); f(r.tags); f(r.shipping_address);
  f(r.billing_address); f(r.custom_attributes); f(r.shipping_line); f(r.discount); f(r.tax_exempt);
}

struct order_state_schema {
  template <class F, class T> static void fields(F& f, T& v) { shopsync::fields(f, v); }
};
using state_writer = field_writer<compact_format, order_state_schema>;
using state_reader = field_reader<compact_format, order_state_schema>;

} // namespace

std::uint64_t request_fingerprint(const draft_order_request& r) {
  state_writer w{state_version_current, {}};
  w(r);
  std::uint64_t h = 14695981039346656037ull; // FNV-1a 64
  for (unsigned char c : w.out) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h == 0 ? 1 : h; // 0 means "unknown"
}

std::string order_sync::encode() const {
  state_writer w{state_version_current, std::string(state_version)};
  w(s_);
  return std::move(w.out);
}

result<order_sync> order_sync::decode(std::string_view encoded, order_sync_settings settings) {
  auto fail = [](std::string why) { return error{error_kind::order_state_decode, std::move(why)}; };
  int version = state_version_current;
  if (encoded.substr(0, state_version_1.size()) == state_version_1)
    version = 1;
  else if (encoded.substr(0, state_version.size()) != state_version)
    return fail("unknown version (expected " + std::string(state_version) + ")");
  order_sync m;
  m.settings_ = std::move(settings);
  state_reader r{{encoded.substr(state_version.size())}, version};
  r(m.s_);
  if (r.bad() || !r.in.in.empty())
    return fail("malformed state");
  const auto& s = m.s_;
  if (s.phase > order_phase::held || s.step > order_step_kind::invoice ||
      s.failed_step > order_step_kind::invoice || s.destination_kind > order_doc_kind::draft_order ||
      s.target > order_doc_kind::draft_order || s.source_variants.size() != s.lines.size())
    return fail("inconsistent state");
  return m;
}

} // namespace shopsync
