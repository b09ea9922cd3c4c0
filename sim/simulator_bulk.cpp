// Bulk query operations (sim/bulk_operations.hpp): bulkOperationRunQuery, bulkOperation(id),
// currentBulkOperation(type), and the JSONL files under /_sim/bulk/. Dispatched on the
// document's top-level field, whatever the operationName, and answered with exactly the fields
// the document selects (the 2026-10 BulkOperation, BulkOperationRunQueryPayload and
// BulkOperationUserError fields).
#include "sim/answer_parts.hpp"
#include "sim/simulator.hpp"

#include "io/json_writer.hpp"
#include "sim/json_read.hpp"

#include <algorithm>
#include <cmath>

namespace shopsync::sim {

namespace {

std::string utc(i64 t) { return format_time(t, "+00:00").substr(0, 19) + "Z"; }

// A string argument, literal or through a variable.
std::optional<std::string> string_arg(const gql_selection& f, std::string_view name, element vars) {
  auto* v = f.arg(name);
  if (!v)
    return std::nullopt;
  if (v->k == gql_value::kind::string || v->k == gql_value::kind::enumeration)
    return v->text;
  if (v->k == gql_value::kind::variable)
    if (auto s = as_str(member(vars, v->text)))
      return std::string(*s);
  return std::nullopt;
}

std::optional<bool> bool_arg(const gql_selection& f, std::string_view name, element vars) {
  auto* v = f.arg(name);
  if (!v)
    return std::nullopt;
  if (v->k == gql_value::kind::boolean)
    return v->flag;
  if (v->k == gql_value::kind::variable)
    return as_bool(member(vars, v->text));
  return std::nullopt;
}

struct user_error {
  std::optional<std::string> code;
  std::vector<std::string> field;
  std::string message;
};

// The fields of `sels` (and of fragments on `type`), in document order.
template <class F>
void each_field(const gql_document& doc, const std::vector<gql_selection>& sels, std::string_view type, F&& f) {
  for (auto& s : sels) {
    if (s.k == gql_selection::kind::field) {
      f(s);
    } else if (s.k == gql_selection::kind::inline_fragment) {
      if (s.type_condition.empty() || s.type_condition == type)
        each_field(doc, s.children, type, f);
    } else if (auto* frag = doc.fragment(s.name); frag && frag->type_condition == type) {
      each_field(doc, frag->selections, type, f);
    }
  }
}

} // namespace

std::string simulator::bulk_url(i64 id, bool partial) const {
  return (public_url_.empty() ? std::string("http://127.0.0.1") : public_url_) + "/_sim/bulk/" +
         std::to_string(id) + ".jsonl" + (partial ? "?partial=1" : "");
}

void simulator::write_bulk_operation(json_writer& w, const gql_document& doc, const gql_selection& field,
                                     const bulk_operation* op, bool just_created) {
  if (!op) {
    w.null();
    return;
  }
  auto st = bulk_status_at(*op, std::chrono::steady_clock::now(), just_created);
  w.begin_object();
  each_field(doc, field.children, "BulkOperation", [&](const gql_selection& f) {
    w.key(f.response_key());
    const auto& n = f.name;
    if (n == "__typename") w.value("BulkOperation");
    else if (n == "id") w.value(gid("BulkOperation", op->id));
    else if (n == "status") w.value(st.status);
    else if (n == "errorCode") w.value(st.error_code);
    else if (n == "objectCount") w.value(std::to_string(st.object_count)); // UnsignedInt64: a string
    else if (n == "rootObjectCount") w.value(std::to_string(st.root_object_count));
    else if (n == "fileSize") st.url ? w.value(std::to_string(st.file_size)) : w.null();
    else if (n == "url") st.url ? w.value(bulk_url(op->id, false)) : w.null();
    else if (n == "partialDataUrl") st.partial_url ? w.value(bulk_url(op->id, true)) : w.null();
    else if (n == "createdAt") w.value(utc(op->created_at));
    else if (n == "completedAt") st.completed_at ? w.value(utc(*st.completed_at)) : w.null();
    else if (n == "query") w.value(op->query);
    else if (n == "type") w.value("QUERY");
    else w.null(); // not a BulkOperation field (tests/schema refuses such documents)
  });
  w.end_object();
}

simulator::op_result simulator::op_bulk(store& s, const gql_document& doc, const gql_operation& gop, element vars) {
  op_result r;
  r.outcome = "read";
  json_writer w;
  w.begin_object();
  for (auto& f : gop.selections) {
    if (f.k != gql_selection::kind::field)
      continue;
    w.key(f.response_key());
    if (f.name == "bulkOperation") {
      auto id = gid_number(string_arg(f, "id", vars).value_or(""), "BulkOperation");
      const bulk_operation* found = nullptr;
      for (auto& op : s.bulk_ops)
        if (id && op.id == *id)
          found = &op;
      write_bulk_operation(w, doc, f, found, false);
    } else if (f.name == "currentBulkOperation") {
      // type: QUERY (default) or MUTATION; the simulator runs no bulk mutations.
      auto type = string_arg(f, "type", vars).value_or("QUERY");
      write_bulk_operation(w, doc, f, type == "QUERY" && !s.bulk_ops.empty() ? &s.bulk_ops.back() : nullptr, false);
    } else if (f.name == "bulkOperationRunQuery") {
      r.outcome = "applied";
      std::vector<user_error> errs;
      const bulk_operation* made = nullptr;
      auto query = string_arg(f, "query", vars);
      const bool group = bool_arg(f, "groupObjects", vars).value_or(false); // 2026-10 default: false
      const auto cfg = faults_.config();
      const auto now = std::chrono::steady_clock::now();
      std::string why;
      std::optional<bulk_plan> plan;
      if (!query || !(plan = plan_bulk_query(*query, why))) {
        errs.push_back({"INVALID", {"query"}, query ? why : "Query can't be blank."});
      } else {
        int running = 0;
        for (auto& op : s.bulk_ops)
          running += bulk_running(op, now) ? 1 : 0;
        if (running >= cfg.bulk_query_limit) {
          // One at a time (API versions before 2026-01): "already in progress"; several: the limit.
          if (cfg.bulk_query_limit == 1)
            errs.push_back({"OPERATION_IN_PROGRESS", {},
                            "A bulk query operation for this app and shop is already in progress: " +
                                gid("BulkOperation", s.bulk_ops.back().id) + "."});
          else
            errs.push_back({"LIMIT_REACHED", {},
                            "Bulk operations limit reached: " + std::to_string(cfg.bulk_query_limit) +
                                " bulk query operations are already running. Please try again later."});
        }
      }
      if (errs.empty()) {
        bulk_operation op;
        op.id = s.next_bulk_id++;
        op.query = *query;
        op.group_objects = group;
        op.created_at = unix_now();
        op.objects_per_second = cfg.bulk_objects_per_second;
        op.file = std::make_shared<bulk_file>();
        auto [code, at] = faults_.draw_bulk_failure();
        op.fail_code = code;
        // A query reading what the token may not read fails as ACCESS_DENIED (the enum value's
        // description: "access denied due to missing access scopes").
        auto granted = [&](const char* scope) {
          return std::find(s.scopes.begin(), s.scopes.end(), scope) != s.scopes.end();
        };
        const auto& root = plan->root->name;
        if (((root == "productVariants" || root == "products") && !granted("read_products")) ||
            ((root == "inventoryItems" || query->find("inventoryLevel") != std::string::npos) && !granted("read_inventory")) ||
            (root == "locations" && !granted("read_locations")))
          op.fail_code = "ACCESS_DENIED";
        op.total = run_bulk_query(*plan, s, group, [&](const std::string& text, bool) { op.file->append(text); });
        op.file->finish();
        // The failure strikes once its share of the objects is read: a second pass finds where.
        if (!op.fail_code.empty() && op.fail_code != "ACCESS_DENIED") {
          op.fail_objects = static_cast<std::uint64_t>(std::floor(static_cast<double>(op.total.objects) * at));
          std::uint64_t n = 0, bytes = 0, rts = 0;
          run_bulk_query(*plan, s, group, [&](const std::string& text, bool root) {
            if (n++ < op.fail_objects) {
              bytes += text.size();
              rts += root ? 1 : 0;
            }
          });
          op.fail_bytes = bytes;
          op.fail_roots = rts;
        }
        op.started = std::chrono::steady_clock::now();
        s.bulk_ops.push_back(std::move(op));
        made = &s.bulk_ops.back();
      }
      w.begin_object();
      each_field(doc, f.children, "BulkOperationRunQueryPayload", [&](const gql_selection& p) {
        w.key(p.response_key());
        if (p.name == "bulkOperation") {
          write_bulk_operation(w, doc, p, made, true);
        } else if (p.name == "userErrors") {
          w.begin_array();
          for (auto& e : errs) {
            w.begin_object();
            each_field(doc, p.children, "BulkOperationUserError", [&](const gql_selection& u) {
              w.key(u.response_key());
              if (u.name == "code") w.value(e.code);
              else if (u.name == "message") w.value(e.message);
              else if (u.name == "field") {
                if (e.field.empty()) {
                  w.null();
                } else {
                  w.begin_array();
                  for (auto& x : e.field)
                    w.value(x);
                  w.end_array();
                }
              } else if (u.name == "__typename") w.value("BulkOperationUserError");
              else w.null();
            });
            w.end_object();
          }
          w.end_array();
        } else if (p.name == "__typename") {
          w.value("BulkOperationRunQueryPayload");
        } else {
          w.null();
        }
      });
      w.end_object();
      if (!errs.empty())
        r.outcome = "user_errors";
    } else {
      w.null();
    }
  }
  w.end_object();
  r.data = std::move(w).str();
  return r;
}

http_answer simulator::control_bulk_file(const std::string& path, const std::string& query) {
  // /_sim/bulk/<id>.jsonl: the operation's result; ?partial=1: what a failed one read.
  auto name = path.substr(std::string("/_sim/bulk/").size());
  auto dot = name.find(".jsonl");
  i64 id = 0;
  try {
    id = dot == std::string::npos ? 0 : std::stoll(name.substr(0, dot));
  } catch (const std::exception&) {
    id = 0;
  }
  const bool partial = query.find("partial=1") != std::string::npos;
  for (auto& sp : stores_) {
    std::lock_guard l(sp->mu);
    for (auto& op : sp->bulk_ops) {
      if (op.id != id)
        continue;
      auto st = bulk_status_at(op, std::chrono::steady_clock::now());
      if (!(partial ? st.partial_url : st.url))
        break;
      http_answer a;
      a.content_type = "application/jsonl";
      a.body_size = partial ? st.partial_size : st.file_size;
      a.body_source = [file = op.file](std::uint64_t offset, char* buf, std::size_t n) {
        return file->read(offset, buf, n);
      };
      return a;
    }
  }
  http_answer a;
  a.status = 404;
  a.content_type = "application/xml"; // as the storage service behind Shopify's URLs answers
  a.body = "<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code></Error>";
  return a;
}

http_answer simulator::control_bulk_list(store& s) {
  json_writer w;
  w.begin_object().key("bulk_operations").begin_array();
  const auto now = std::chrono::steady_clock::now();
  for (auto& op : s.bulk_ops) {
    auto st = bulk_status_at(op, now);
    w.begin_object().field("id", gid("BulkOperation", op.id)).field("status", st.status)
        .field("error_code", st.error_code).field("object_count", st.object_count)
        .field("root_object_count", st.root_object_count).field("total_objects", op.total.objects)
        .field("file_size", op.total.bytes).field("group_objects", op.group_objects)
        .field("query", op.query).end_object();
  }
  w.end_array().end_object();
  return json_answer(200, std::move(w).str());
}

} // namespace shopsync::sim
