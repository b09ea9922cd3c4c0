#include "actors/order_queries.hpp"

#include "io/json_writer.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <ctime>

#include <vector>

namespace shopsync {

namespace {

struct persisted_order {
  order_key key;
  order_sync machine;
};

// Every persisted order that decodes (settings do not matter for reading a state).
status each_order(const state_store& store, const std::function<bool(const persisted_order&)>& fn) {
  return store.scan(column::orders, "o/", [&](std::string_view k, std::string_view v) {
    auto key = parse_order_key(k);
    if (!key)
      return true;
    auto m = order_sync::decode(v, order_sync_settings{});
    if (!m)
      return true;
    persisted_order o{std::move(*key), std::move(*m)};
    return fn(o);
  });
}

// "2026-12-04T18:55:00Z"; empty for a state that never recorded the time.
std::string utc_text(order_time t) {
  if (t == order_time{})
    return {};
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void write_summary(json_writer& w, const persisted_order& o) {
  const auto s = o.machine.summary();
  w.field("group", o.key.group)
    .field("store", s.store.empty() ? o.key.store : s.store)
    .field("kind", s.kind)
    .field("id", static_cast<std::uint64_t>(s.destination_id))
    .field("order", s.destination_name)
    .field("state", s.state)
    .field("target", s.target);
  w.key("source_id");
  if (s.source_id)
    w.value(static_cast<std::uint64_t>(*s.source_id));
  else
    w.null();
  w.field("attempts", s.attempts).field("last_error", s.last_error).field("reason", s.reason)
    .field("attention", s.attention).field("received_at", utc_text(s.received_at));
  w.key("unmapped").begin_array();
  for (const auto& u : s.unmapped) {
    w.begin_object().field("line_id", static_cast<std::uint64_t>(u.line_id));
    w.key("variant_id");
    if (u.variant)
      w.value(static_cast<std::uint64_t>(*u.variant));
    else
      w.null();
    w.field("sku", u.sku).field("title", u.title).field("quantity", u.quantity)
      .field("reason", u.reason).end_object();
  }
  w.end_array();
}

// How the order reached shopsync: "reconcile" (the order reconciler found it) or "webhook".
std::string found_by(const state_store& store, const order_key& k) {
  auto f = store.get(column::orders, order_found_key(k));
  return f && *f ? std::string(**f) : std::string("webhook");
}

} // namespace

result<std::string> orders_json(const state_store& store, const order_list_filter& filter) {
  json_writer w;
  w.begin_object().key("orders").begin_array();
  std::size_t n = 0;
  auto st = each_order(store, [&](const persisted_order& o) -> bool {
    const auto& s = o.machine.state();
    if (filter.state && s.phase != *filter.state)
      return true;
    if (filter.attention && !o.machine.summary().attention)
      return true;
    w.begin_object();
    write_summary(w, o);
    w.field("found_by", found_by(store, o.key));
    w.end_object();
    ++n;
    return true;
  });
  if (!st)
    return st.error();
  w.end_array().field("count", static_cast<std::uint64_t>(n)).end_object();
  return std::move(w).str();
}

result<order_key> find_order_key(const state_store& store, std::string_view name, shopify_id id) {
  std::optional<order_key> found;
  auto st = store.scan(column::orders, "o/", [&](std::string_view k, std::string_view) {
    auto key = parse_order_key(k);
    if (key && key->store == name && key->id == id) {
      found = std::move(*key);
      return false;
    }
    return true;
  });
  if (!st)
    return st.error();
  if (!found)
    return error{error_kind::order_not_found, "no order or draft order " + std::to_string(id) + " of store " +
                                      std::string(name)};
  return *found;
}

result<std::string> order_detail_json(const state_store& store, const audit_log* audit,
                                      std::string_view name, shopify_id id,
                                      std::size_t audit_limit) {
  auto key = find_order_key(store, name, id);
  if (!key)
    return key.error();
  auto text = store.get(column::orders, order_state_key(*key));
  if (!text)
    return text.error();
  if (!*text)
    return error{error_kind::order_not_found, "the order disappeared"};
  auto m = order_sync::decode(**text, order_sync_settings{});
  if (!m)
    return m.error();
  persisted_order o{*key, std::move(*m)};
  const auto& s = o.machine.state();

  std::vector<std::string> trail;
  if (audit) {
    auto q = audit->query({order_subject(key->store, id), std::nullopt, audit_limit});
    if (!q)
      return q.error();
    trail = std::move(*q);
  }

  json_writer w;
  w.begin_object();
  write_summary(w, o);
  w.field("found_by", found_by(store, o.key));
  w.field("origin_tag", s.origin_tag).field("origin_marker", s.origin_marker);
  w.field("invoice_sent", s.invoice_sent).field("destination_completed", s.destination_completed);
  w.key("lines").begin_array();
  for (std::size_t i = 0; i < s.lines.size(); ++i) {
    const auto& l = s.lines[i];
    w.begin_object().field("line_id", static_cast<std::uint64_t>(l.line_id)).field("sku", l.sku)
      .field("title", l.title).field("quantity", l.quantity).field("price", l.price);
    w.key("source_variant_id");
    if (i < s.source_variants.size() && s.source_variants[i])
      w.value(static_cast<std::uint64_t>(*s.source_variants[i]));
    else
      w.null();
    w.end_object();
  }
  w.end_array();
  w.key("audit").begin_array();
  for (const auto& a : trail)
    w.raw(a);
  w.end_array();
  w.end_object();
  return std::move(w).str();
}

namespace {

error bad_request(std::string why) { return {error_kind::bad_request, std::move(why)}; }

result<simdjson::dom::element> parse_args(simdjson::dom::parser& parser, std::string_view args) {
  if (args.empty())
    args = "{}";
  simdjson::dom::element root;
  if (parser.parse(args.data(), args.size()).get(root) || !root.is_object())
    return bad_request("args must be a JSON object");
  return root;
}

} // namespace

result<std::pair<std::string, shopify_id>> parse_order_ref(std::string_view args_json) {
  simdjson::dom::parser parser;
  auto root = parse_args(parser, args_json);
  if (!root)
    return root.error();
  std::string_view store;
  if (root->at_key("store").get(store) || store.empty())
    return bad_request("args.store: the Destination store's name is required");
  auto idv = root->at_key("id");
  std::uint64_t id = 0;
  std::string_view text;
  if (!idv.get(id)) {
  } else if (!idv.get(text)) {
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || p != text.data() + text.size())
      return bad_request("args.id: not an order id: " + std::string(text));
  } else {
    return bad_request("args.id: the order or draft order id is required");
  }
  if (id == 0)
    return bad_request("args.id: the order or draft order id is required");
  return std::make_pair(std::string(store), static_cast<shopify_id>(id));
}

result<std::pair<std::string, shopify_id>> resolve_order_ref(const state_store& store, std::string_view args_json) {
  simdjson::dom::parser parser;
  auto root = parse_args(parser, args_json);
  if (!root)
    return root.error();
  std::string_view text;
  if (root->at_key("order").get(text))
    return parse_order_ref(args_json); // {"store", "id"}
  std::string_view in_store;
  if (root->at_key("store").get(in_store))
    in_store = {};
  if (text.empty())
    return bad_request("args.order: an order name (#1001) or id is required");
  const bool digits = text.find_first_not_of("0123456789") == std::string_view::npos;
  const std::string name = digits ? "#" + std::string(text) : std::string(text);
  std::vector<std::pair<std::string, shopify_id>> by_name, by_id;
  std::uint64_t id = 0;
  if (digits)
    std::from_chars(text.data(), text.data() + text.size(), id);
  auto st = each_order(store, [&](const persisted_order& o) -> bool {
    const auto s = o.machine.summary();
    const auto& st_name = s.store.empty() ? o.key.store : s.store;
    if (!in_store.empty() && st_name != in_store)
      return true;
    auto add = [&](std::vector<std::pair<std::string, shopify_id>>& to) {
      std::pair<std::string, shopify_id> ref{st_name, o.key.id};
      if (std::find(to.begin(), to.end(), ref) == to.end()) // one order in two groups
        to.push_back(std::move(ref));
    };
    if (s.destination_name == name || s.destination_name == text)
      add(by_name);
    else if (id && o.key.id == id)
      add(by_id);
    return true;
  });
  if (!st)
    return st.error();
  auto& found = by_name.empty() ? by_id : by_name;
  if (found.size() == 1)
    return found.front();
  std::string where = in_store.empty() ? "" : " of store " + std::string(in_store);
  if (found.empty())
    return error{error_kind::order_not_found, "no order or draft order " + name + (digits ? " (by name) or " + std::string(text) + " (by id)" : "") + where};
  std::sort(found.begin(), found.end());
  std::string stores;
  for (auto& [s, i] : found)
    stores += (stores.empty() ? "" : ", ") + s;
  return error{error_kind::order_ambiguous, "order " + name + " is in several stores (" + stores +
                                    "): name the store, e.g. shopsyncctl order " + found.front().first + " " + name};
}

result<std::string> order_control_query(std::string_view cmd, std::string_view args_json,
                                        const state_store& store, const audit_log* audit) {
  if (cmd == "order") {
    auto ref = resolve_order_ref(store, args_json);
    if (!ref)
      return ref.error();
    return order_detail_json(store, audit, ref->first, ref->second);
  }
  if (cmd != "orders")
    return error{error_kind::unknown_command, "not an order command: " + std::string(cmd)};
  simdjson::dom::parser parser;
  auto root = parse_args(parser, args_json);
  if (!root)
    return root.error();
  order_list_filter f;
  std::string_view state;
  if (auto sv = root->at_key("state"); !sv.error() && !sv.is_null()) {
    if (sv.get(state))
      return bad_request("args.state must be a string");
    f.state = parse_order_phase(state);
    if (!f.state)
      return bad_request("args.state: unknown state '" + std::string(state) +
                         "' (received, creating, retry_wait, looking_up, created, updating, inviting, "
                         "completed_in_destination, needs_attention, skipped)");
  }
  if (auto av = root->at_key("attention"); !av.error() && !av.is_null()) {
    bool b = false;
    if (av.get(b))
      return bad_request("args.attention must be true or false");
    f.attention = b;
  }
  return orders_json(store, f);
}

} // namespace shopsync
