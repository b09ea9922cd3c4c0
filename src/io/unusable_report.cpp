#include "io/unusable_report.hpp"

#include "io/inbox.hpp"
#include "io/json_writer.hpp"

#include <openssl/evp.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>

namespace shopsync {

namespace {

// Valid UTF-8 as it is; otherwise every byte that does not start a well-formed sequence
// becomes U+FFFD, so that the control reply stays JSON.
std::string lossy_utf8(std::string_view s) {
  if (simdjson::validate_utf8(s.data(), s.size()))
    return std::string(s);
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n && i + n <= s.size() && simdjson::validate_utf8(s.data() + i, n)) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string base64(std::string_view s) {
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

std::string iso_time(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string store_name_of(const std::vector<store_config>& stores, const std::string& shop_domain) {
  for (auto& s : stores)
    if (s.shop_domain.size() == shop_domain.size() &&
        std::equal(s.shop_domain.begin(), s.shop_domain.end(), shop_domain.begin(),
                   [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }))
      return s.name;
  return {}; // a store since removed from the configuration
}

void write_summary(json_writer& w, const std::vector<store_config>& stores, const inbox_record& r) {
  auto& d = r.delivery;
  w.field("id", r.seq);
  auto name = store_name_of(stores, d.shop_domain);
  name.empty() ? w.key("store").null() : w.field("store", name);
  w.field("shop_domain", lossy_utf8(d.shop_domain)).field("topic", lossy_utf8(d.topic));
  w.field("webhook_id", lossy_utf8(d.webhook_id)).field("event_id", lossy_utf8(d.event_id));
  w.field("received_at", iso_time(r.received_at));
  w.field("reason_code", d.unusable ? d.unusable->code : std::string());
  w.field("reason", d.unusable ? lossy_utf8(d.unusable->message) : std::string());
  w.field("size", static_cast<std::uint64_t>(d.body.size()));
}

} // namespace

result<std::string> unusable_list_json(const state_store& store, const std::vector<store_config>& stores,
                                       std::size_t limit) {
  auto recs = inbox::list_unusable(store, limit);
  if (!recs)
    return recs.error();
  json_writer w;
  w.begin_object().key("unusable").begin_array();
  for (auto& r : *recs) {
    w.begin_object();
    write_summary(w, stores, r);
    w.end_object();
  }
  w.end_array();
  w.field("shown", static_cast<std::uint64_t>(recs->size()));
  w.end_object();
  return std::move(w).str();
}

result<std::string> unusable_delivery_json(const state_store& store, const std::vector<store_config>& stores,
                                           std::uint64_t id) {
  auto rec = inbox::get_unusable(store, id);
  if (!rec)
    return rec.error();
  if (!*rec)
    return error{error_kind::not_found, "no unusable delivery " + std::to_string(id) + " (shopsyncctl inbox --unusable lists them)"};
  auto& r = **rec;
  auto& d = r.delivery;
  json_writer w;
  w.begin_object();
  write_summary(w, stores, r);
  w.field("triggered_at", lossy_utf8(d.triggered_at)).field("api_version", lossy_utf8(d.api_version));
  bool text = simdjson::validate_utf8(d.body.data(), d.body.size());
  w.field("body", lossy_utf8(d.body));
  if (!text)
    w.field("body_base64", base64(d.body));
  w.end_object();
  return std::move(w).str();
}

} // namespace shopsync
