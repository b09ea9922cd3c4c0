#include "io/link_outbox.hpp"

#include "io/crash_point.hpp"
#include "io/json_writer.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace shopsync {

namespace od = simdjson::ondemand;

link_outbox::link_outbox(state_store& db, std::string store, std::uint64_t first_id)
  : db_(db), prefix_("link/" + store + "/"), next_id_(first_id) {}

std::string link_outbox::batch_key(std::uint64_t id) const {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(id));
  return prefix_ + "batch/" + buf;
}

std::string link_outbox::result_key(inventory_item_id item, location_id location, std::uint64_t op) const {
  return prefix_ + "done/" + std::to_string(item) + "/" + std::to_string(location) + "/" + std::to_string(op);
}

std::string link_outbox::encode(const outbox_batch& b) {
  json_writer w;
  w.begin_object();
  w.field("id", static_cast<std::uint64_t>(b.id));
  w.field("key", b.idempotency_key);
  w.field("kind", to_string(b.batch.kind));
  w.key("entries").begin_array();
  for (const auto& e : b.batch.entries) {
    w.begin_object();
    w.field("item", static_cast<std::uint64_t>(e.item));
    w.field("location", static_cast<std::uint64_t>(e.location));
    w.field("quantity", static_cast<std::int64_t>(e.quantity));
    w.key("change_from");
    if (e.change_from)
      w.value(static_cast<std::int64_t>(*e.change_from));
    else
      w.null();
    w.key("ops").begin_array();
    for (auto op : e.op_ids)
      w.value(static_cast<std::uint64_t>(op));
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.field("variables", b.variables_json);
  if (b.first_sent_unix)
    w.field("first_sent", static_cast<std::int64_t>(b.first_sent_unix));
  w.end_object();
  return std::move(w).str();
}

result<outbox_batch> link_outbox::decode(std::string json) {
  thread_local od::parser parser;
  json.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  try {
    outbox_batch b;
    od::document doc = parser.iterate(json.data(), json.size(), json.capacity());
    for (auto f : doc.get_object()) {
      std::string_view k = f.unescaped_key();
      if (k == "id")
        b.id = f.value().get_uint64();
      else if (k == "key")
        b.idempotency_key = std::string(std::string_view(f.value().get_string()));
      else if (k == "kind")
        b.batch.kind = std::string_view(f.value().get_string()) == "set" ? write_kind::set : write_kind::adjust;
      else if (k == "variables")
        b.variables_json = std::string(std::string_view(f.value().get_string()));
      else if (k == "first_sent")
        b.first_sent_unix = f.value().get_int64();
      else if (k == "entries") {
        for (auto e : f.value().get_array()) {
          write_entry we;
          for (auto ef : e.get_object()) {
            std::string_view ek = ef.unescaped_key();
            od::value v = ef.value();
            if (ek == "item")
              we.item = v.get_uint64();
            else if (ek == "location")
              we.location = v.get_uint64();
            else if (ek == "quantity")
              we.quantity = v.get_int64();
            else if (ek == "change_from") {
              if (!v.is_null())
                we.change_from = std::int64_t(v.get_int64());
            } else if (ek == "ops") {
              for (auto op : v.get_array())
                we.op_ids.push_back(op.get_uint64());
            }
          }
          b.batch.entries.push_back(std::move(we));
        }
      }
    }
    return b;
  } catch (const simdjson::simdjson_error& e) {
    return error{error_kind::outbox_corrupt, std::string("outbox batch: ") + e.what()};
  }
}

result<std::vector<outbox_batch>> link_outbox::recover() {
  std::vector<outbox_batch> out;
  std::optional<error> bad;
  auto st = db_.scan(column::outbox, prefix_ + "batch/", [&](std::string_view, std::string_view v) {
    auto b = decode(std::string(v));
    if (!b.ok()) {
      bad = b.error();
      return false;
    }
    out.push_back(std::move(b.value()));
    return true;
  });
  if (!st.ok())
    return st.error();
  if (bad)
    return *bad;
  auto seq = db_.get(column::outbox, prefix_ + "seq");
  if (!seq.ok())
    return seq.error();
  if (*seq) {
    std::uint64_t n = 0;
    const auto& s = **seq;
    std::from_chars(s.data(), s.data() + s.size(), n);
    next_id_ = std::max(next_id_, n);
  }
  for (auto& b : out)
    next_id_ = std::max(next_id_, b.id + 1);
  return out;
}

status link_outbox::apply(const outbox_transition& t) {
  state_store::batch wb;
  for (auto id : t.remove)
    wb.del(column::outbox, batch_key(id));
  std::uint64_t seq = 0;
  for (const auto& b : t.save) {
    wb.put(column::outbox, batch_key(b.id), encode(b));
    seq = std::max(seq, b.id + 1);
  }
  if (seq)
    wb.put(column::outbox, prefix_ + "seq", std::to_string(seq));
  for (const auto& r : t.results) {
    json_writer w;
    w.begin_object();
    if (r.result.quantity_after)
      w.field("quantity_after", static_cast<std::int64_t>(*r.result.quantity_after));
    if (r.result.err)
      w.field("code", r.result.err->code).field("message", r.result.err->message);
    w.field("at", static_cast<std::int64_t>(t.at_unix));
    w.end_object();
    wb.put(column::outbox, result_key(r.item, r.location, r.op_id), std::move(w).str());
  }
  if (wb.empty())
    return ok_status();
  if (!t.remove.empty())
    crash_point("before_outbox_clear");
  return db_.write(wb);
}

result<std::optional<op_result>> link_outbox::find_result(inventory_item_id item, location_id location,
                                                          std::uint64_t op_id) const {
  auto v = db_.get(column::outbox, result_key(item, location, op_id));
  if (!v.ok())
    return v.error();
  if (!*v)
    return std::optional<op_result>{};
  std::string json = **v;
  json.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  thread_local od::parser parser;
  try {
    op_result r;
    std::string code, message;
    od::document doc = parser.iterate(json.data(), json.size(), json.capacity());
    for (auto f : doc.get_object()) {
      std::string_view k = f.unescaped_key();
      if (k == "quantity_after")
        r.quantity_after = std::int64_t(f.value().get_int64());
      else if (k == "code")
        code = std::string(std::string_view(f.value().get_string()));
      else if (k == "message")
        message = std::string(std::string_view(f.value().get_string()));
    }
    if (!code.empty()) {
      r.err = error{code, message};
      r.err->kind = error_kind_of_code(code); // only the code was kept
    }
    return std::optional<op_result>{r};
  } catch (const simdjson::simdjson_error& e) {
    return error{error_kind::outbox_corrupt, std::string("outbox result: ") + e.what()};
  }
}

result<std::size_t> link_outbox::prune_results(std::int64_t before_unix) {
  state_store::batch wb;
  std::optional<error> bad;
  auto st = db_.scan(column::outbox, prefix_ + "done/", [&](std::string_view k, std::string_view v) {
    // {"quantity_after":..,"at":N} or {"code":..,"message":..,"at":N}: "at" is the last field.
    auto pos = v.rfind("\"at\":");
    std::int64_t at = 0;
    if (pos != std::string_view::npos) {
      auto digits = v.substr(pos + 5);
      std::from_chars(digits.data(), digits.data() + digits.size(), at);
    }
    if (at < before_unix)
      wb.del(column::outbox, k);
    return true;
  });
  if (!st.ok())
    return st.error();
  auto n = wb.count();
  if (n) {
    auto w = db_.write(wb);
    if (!w.ok())
      return w.error();
  }
  return n;
}

} // namespace shopsync
