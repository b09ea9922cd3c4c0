#include "io/audit_log.hpp"

#include "io/json_writer.hpp"

#include <simdjson.h>

#include <deque>

namespace shopsync {

namespace {

std::int64_t micros(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

void put_be64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i)
    out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

std::string time_prefix(std::chrono::system_clock::time_point t) {
  std::string k;
  put_be64(k, static_cast<std::uint64_t>(micros(t)));
  return k;
}

} // namespace

std::string audit_log::to_json(const audit_entry& e) {
  json_writer w;
  w.begin_object();
  w.field("time_us", static_cast<std::int64_t>(micros(e.time)));
  w.field("group", e.group).field("subject", e.subject).field("store", e.store);
  if (e.location)
    w.field("location", static_cast<std::uint64_t>(e.location));
  w.field("kind", e.kind);
  w.field("before", e.before).field("after", e.after).field("delta", static_cast<std::int64_t>(e.delta));
  w.field("cause", e.cause);
  w.end_object();
  return std::move(w).str();
}

void audit_log::append(state_store::batch& b, const audit_entry& e) {
  // Time first for range scans; a process-wide counter keeps same-microsecond entries apart.
  auto key = time_prefix(e.time);
  put_be64(key, counter_.fetch_add(1, std::memory_order_relaxed));
  b.put(column::audit, key, to_json(e));
}

result<std::vector<std::string>> audit_log::query(const audit_query& q) const {
  std::deque<std::string> out;
  simdjson::dom::parser parser;
  auto start = q.since ? time_prefix(*q.since) : std::string();
  // Scan from `since`; keep the newest `limit` matches.
  bool started = false;
  auto st = store_.scan(column::audit, "", [&](std::string_view key, std::string_view value) {
    if (!started) {
      if (key < start)
        return true;
      started = true;
    }
    if (!q.subject.empty()) {
      simdjson::dom::element doc;
      std::string_view subject;
      if (parser.parse(value.data(), value.size()).get(doc) || doc["subject"].get_string().get(subject) ||
          subject != q.subject)
        return true;
    }
    out.emplace_back(value);
    if (q.limit && out.size() > q.limit)
      out.pop_front();
    return true;
  });
  if (!st)
    return st.error();
  return std::vector<std::string>(std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()));
}

result<std::size_t> audit_log::purge(std::chrono::system_clock::time_point before) {
  auto limit = time_prefix(before);
  state_store::batch b;
  auto st = store_.scan(column::audit, "", [&](std::string_view key, std::string_view) {
    if (key >= limit)
      return false;
    b.del(column::audit, key);
    return b.count() < 100000;
  });
  if (!st)
    return st.error();
  auto n = b.count();
  if (n)
    if (auto w = store_.write(b); !w)
      return w.error();
  return n;
}

} // namespace shopsync
