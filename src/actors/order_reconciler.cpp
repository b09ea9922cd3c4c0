#include "actors/order_reconciler.hpp"

#include "actors/order_actor.hpp"
#include "domain/iso8601.hpp"
#include "io/control_protocol.hpp"
#include "io/json_writer.hpp"
#include "io/metrics.hpp"

#include <algorithm>

#include <simdjson.h>
#include <spdlog/spdlog.h>

namespace shopsync {

namespace {

using self_ptr = order_reconciler_actor::stateful_pointer<order_reconciler_state>;

const char* kind_name(reconcile_doc k) { return k == reconcile_doc::orders ? "orders" : "draft_orders"; }

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string label(const order_reconciler_state& st, const order_cursor& c) {
  return st.group.name + "/" + c.store + "/" + kind_name(c.kind);
}

void persist(self_ptr self, const order_cursor& c) {
  auto& st = self->state;
  state_store::batch b;
  b.put(column::orders, order_cursor_key(st.group.name, c.store, c.kind), c.machine.encode());
  if (auto w = st.ctx->store->write(b); !w)
    spdlog::error("order reconciler {}: cannot persist its watermark: {}", label(st, c), w.error().message);
}

// Whether the order path already has the document at this time: a state exists (orders), or
// the state applied an updated_at at least this recent (draft orders).
bool known(const order_reconciler_state& st, const order_cursor& c, shopify_id id, std::int64_t at) {
  order_key k{st.group.name, c.store, c.kind == reconcile_doc::orders ? order_doc_kind::order : order_doc_kind::draft_order,
              id};
  auto v = st.ctx->store->get(column::orders, order_state_key(k));
  if (!v)
    return true; // unreadable now: left alone this round (the next one asks again)
  if (!*v)
    return false;
  if (c.kind == reconcile_doc::orders)
    return true;
  auto m = order_sync::decode(**v, order_sync_settings{});
  // Equal is not enough: updated_at has one-second resolution, so an update in the same second
  // as the version the state applied would be missed; it is read once more instead (the order
  // machine sends nothing when the content is what the Source draft already has).
  return !m || m->state().destination_updated > at;
}

void handle(self_ptr self, std::size_t i, reconcile_output out);

void list(self_ptr self, std::size_t i, reconcile_query q) {
  auto& st = self->state;
  auto& c = st.cursors[i];
  auto* link = st.ctx->link(c.store);
  if (!link) {
    handle(self, i, c.machine.abort());
    return;
  }
  auto call = make_listing_call(c.kind, q);
  graphql_request req{call.operation, std::move(call.document), std::move(call.variables_json), false};
  self->request(graphql_executor_actor{*link}, std::chrono::minutes(3), execute_atom::value, std::move(req))
    .then(
      [self, i](graphql_answer& a) {
        auto& st = self->state;
        auto& c = st.cursors[i];
        auto page = a.ok ? parse_listing(a.body, c.kind) : result<listing_page>(a.err);
        if (!page) {
          spdlog::warn("order reconciler {}: listing failed: {}: {}", label(st, c), page.error().code,
                       page.error().message);
          handle(self, i, c.machine.abort());
          return;
        }
        std::vector<listed_document> docs;
        for (auto& d : page->docs)
          docs.push_back({d.id, d.at, known(st, c, d.id, d.at)});
        handle(self, i, c.machine.page(docs, page->has_next, page->end_cursor));
      },
      [self, i](caf::error& e) {
        auto& st = self->state;
        spdlog::warn("order reconciler {}: listing unanswered: {}", label(st, st.cursors[i]), self->system().render(e));
        handle(self, i, st.cursors[i].machine.abort());
      });
}

// The lines of a later answer appended to the document read so far.
void append_lines(webhook_event& so_far, webhook_event&& page) {
  auto append = [](auto& into, auto& from) { into.insert(into.end(), std::make_move_iterator(from.begin()),
                                                          std::make_move_iterator(from.end())); };
  if (auto* o = std::get_if<order_created>(&so_far); o && std::holds_alternative<order_created>(page))
    append(o->lines, std::get<order_created>(page).lines);
  else if (auto* d = std::get_if<draft_order_changed>(&so_far); d && std::holds_alternative<draft_order_changed>(page))
    append(d->lines, std::get<draft_order_changed>(page).lines);
}

// Shopify refused the read as one that can never run on this store: its requested cost is above
// the bucket's size (THROTTLED for ever) or the single-query limit. Nothing ran.
bool never_fits(const error& e) { return e.kind == error_kind::admin_exceeds_bucket || e.code == "MAX_COST_EXCEEDED"; }

// Asks for half the lines from now on; false (with the stall at warn, naming the store) when a
// read of one line is already refused.
bool shrink_reads(const order_reconciler_state& st, order_cursor& c, const error& e) {
  if (c.lines_per_read <= 1) {
    spdlog::warn("store {}: stalled: reading even one line of an order costs more than a single request may cost on "
                 "this store ({}: {}); missed orders cannot be read until the store's plan gives a bigger bucket",
                 c.store, e.code, e.message);
    return false;
  }
  c.lines_per_read = std::max<std::size_t>(1, c.lines_per_read / 2);
  spdlog::info("order reconciler {}: a document read does not fit the store's cost bucket ({}): {} lines per read "
               "from now on", label(st, c), e.code, c.lines_per_read);
  return true;
}

// Reads one document in full (several answers when it has more than 100 lines) and hands it to
// the order path; its answer comes back as order_fed_atom. A document that cannot be synced at
// all (deleted since it was listed) counts as fed: asking again would not change it. `so_far`
// holds what earlier answers gave, `lines_after` where the next lines start.
void read_document(self_ptr self, std::size_t i, listed_document d, std::optional<webhook_event> so_far,
                   std::string lines_after) {
  auto& st = self->state;
  auto& c = st.cursors[i];
  const bool draft = c.kind == reconcile_doc::draft_orders;
  auto me = caf::actor_cast<order_reconciler_actor>(self);
  auto ack = [me, store = c.store, draft, d](bool ok) {
    caf::anon_send(me, order_fed_atom::value, store, draft, static_cast<std::uint64_t>(d.id), d.at, ok);
  };
  auto* link = st.ctx->link(c.store);
  if (!link) {
    ack(false);
    return;
  }
  auto call = draft ? make_draft_order_read_call(d.id, lines_after, c.lines_per_read)
                     : make_order_read_call(d.id, lines_after, c.lines_per_read);
  graphql_request req{call.operation, std::move(call.document), std::move(call.variables_json), false};
  self->request(graphql_executor_actor{*link}, std::chrono::minutes(3), execute_atom::value, std::move(req))
    .then(
      [self, i, d, draft, ack, before = std::move(so_far), lines_after](graphql_answer& a) {
        auto& st = self->state;
        auto& c = st.cursors[i];
        std::optional<error> err;
        std::optional<std::string> more;
        std::optional<webhook_event> page;
        if (!a.ok) {
          err = a.err;
        } else if (draft) {
          if (auto e = parse_draft_order_read(a.body)) {
            page = std::move(e->event);
            more = std::move(e->more_lines_after);
          } else {
            err = e.error();
          }
        } else {
          if (auto e = parse_order_read(a.body)) {
            page = std::move(e->event);
            more = std::move(e->more_lines_after);
          } else {
            err = e.error();
          }
        }
        if (err && never_fits(*err) && shrink_reads(st, c, *err)) {
          read_document(self, i, d, before, lines_after);
          return;
        }
        if (err) {
          const bool permanent = err->kind == error_kind::order_reconcile_gone;
          spdlog::log(permanent ? spdlog::level::err : spdlog::level::warn,
                      "order reconciler {}: cannot read {} {}: {}: {}", label(st, c), draft ? "draft order" : "order",
                      d.id, err->code, err->message);
          ack(permanent);
          return;
        }
        std::optional<webhook_event> so_far = before;
        if (so_far)
          append_lines(*so_far, std::move(*page));
        else
          so_far = std::move(page);
        if (more) {
          read_document(self, i, d, std::move(so_far), std::move(*more));
          return;
        }
        auto* sc = st.ctx->cfg.find_store(c.store);
        if (!sc) {
          ack(false);
          return;
        }
        webhook_envelope env;
        env.topic = draft ? "draft_orders/update" : "orders/create";
        env.webhook_id = "reconcile";
        env.event = std::move(*so_far);
        env.shop_domain = sc->shop_domain;
        spdlog::info("event=order_found_by_reconcile group={} store={} kind={} id={}", st.group.name, c.store,
                     kind_name(c.kind), d.id);
        st.path->dispatch_found(st.group.name, env, *sc, ack);
      },
      [self, i, ack](caf::error& e) {
        spdlog::warn("order reconciler {}: read unanswered: {}", label(self->state, self->state.cursors[i]),
                     self->system().render(e));
        ack(false);
      });
}

void feed(self_ptr self, std::size_t i, listed_document d) { read_document(self, i, d, std::nullopt, {}); }

void dry_run_done(self_ptr self, std::size_t would_feed) {
  auto& st = self->state;
  st.dry_run_count += would_feed;
  if (!st.dry_run_reply || --st.dry_run_left > 0)
    return;
  json_writer w;
  w.begin_object().field("group", st.group.name).field("dry_run", true).field("since", iso8601_utc(st.dry_run_since))
    .field("would_import", static_cast<std::uint64_t>(st.dry_run_count)).end_object();
  st.dry_run_reply->deliver(control_ok(std::move(w).str()));
  st.dry_run_reply.reset();
}

void handle(self_ptr self, std::size_t i, reconcile_output out) {
  auto& st = self->state;
  auto& c = st.cursors[i];
  if (out.persist)
    persist(self, c);
  for (auto& d : out.feed)
    feed(self, i, d);
  if (out.query)
    list(self, i, *out.query);
  if (!out.done)
    return;
  if (st.dry_run_reply && st.dry_run_left > 0 && !out.persist) {
    dry_run_done(self, out.would_feed);
    return;
  }
  if (st.ctx->metrics)
    st.ctx->metrics
      ->counter("shopsync_order_reconcile_rounds_total", "Order reconciler rounds completed",
                {{"group", st.group.name}, {"store", c.store}, {"kind", kind_name(c.kind)}})
      .inc();
  spdlog::debug("order reconciler {}: round done, watermark {}", label(st, c), iso8601_utc(c.machine.watermark()));
}

void start_rounds(self_ptr self) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.cursors.size(); ++i)
    if (!st.cursors[i].machine.running())
      handle(self, i, st.cursors[i].machine.begin(now_s()));
}

caf::result<std::string> control(self_ptr self, const std::string& args) {
  auto& st = self->state;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view action = "reconcile", since_text;
  bool apply = false;
  if (!args.empty() && parser.parse(args).get(root) == simdjson::SUCCESS && root.is_object()) {
    std::string_view v;
    if (root["action"].get(v) == simdjson::SUCCESS)
      action = v;
    if (root["since"].get(v) == simdjson::SUCCESS)
      since_text = v;
    bool b = false;
    if (root["apply"].get(b) == simdjson::SUCCESS)
      apply = b;
  }
  if (action == "reconcile") {
    start_rounds(self);
    return control_ok(R"({"reconcile":"started","orders":true})");
  }
  if (action != "import")
    return control_error("bad_request", "unknown action '" + std::string(action) + "'");
  auto since = parse_iso8601_seconds(since_text);
  if (!since)
    return control_error("bad_request", "--since wants an ISO-8601 time, e.g. 2026-12-01T00:00:00Z");
  for (auto& c : st.cursors)
    if (c.machine.running())
      return control_error("busy", "a reconcile round of group " + st.group.name + " is running: try again");
  if (apply) {
    for (auto& c : st.cursors) {
      c.machine.import_since(*since);
      persist(self, c);
    }
    spdlog::info("order reconciler group={}: importing orders since {}", st.group.name, iso8601_utc(*since));
    start_rounds(self);
    return control_ok(R"({"group":")" + st.group.name + R"(","import":"started","since":")" + iso8601_utc(*since) +
                      "\"}");
  }
  if (st.dry_run_reply)
    return control_error("busy", "a dry run is running");
  auto rp = self->make_response_promise<std::string>();
  st.dry_run_reply = rp;
  st.dry_run_left = st.cursors.size();
  st.dry_run_count = 0;
  st.dry_run_since = *since;
  for (std::size_t i = 0; i < st.cursors.size(); ++i)
    handle(self, i, st.cursors[i].machine.begin(now_s(), *since, true));
  return rp;
}

} // namespace

std::string order_cursor_key(const std::string& group, const store_name& store, reconcile_doc kind) {
  return "r/" + group + "/" + store + "/" + kind_name(kind);
}

order_reconciler_actor::behavior_type order_reconciler(self_ptr self, const sync_context* ctx, group_config group,
                                                       std::shared_ptr<order_path> path) {
  auto& st = self->state;
  st.ctx = ctx;
  st.group = std::move(group);
  st.path = std::move(path);
  const auto& opts = ctx->cfg.daemon.order_reconcile;
  for (const auto& dest : st.group.destinations) {
    std::vector<reconcile_doc> kinds{reconcile_doc::orders};
    if (st.group.strategy == sync_strategy::draft_order)
      kinds.push_back(reconcile_doc::draft_orders);
    for (auto kind : kinds) {
      order_cursor c{dest, kind, order_reconcile(opts), 0};
      auto key = order_cursor_key(st.group.name, dest, kind);
      auto stored = ctx->store->get(column::orders, key);
      if (stored && *stored) {
        if (auto m = order_reconcile::decode(**stored, opts))
          c.machine = std::move(*m);
        else
          spdlog::error("order reconciler {}: unreadable state, starting afresh: {}", key, m.error().message);
      }
      if (!c.machine.started()) {
        // A new group: its watermark starts now (no history import; import-orders backfills).
        c.machine.start(now_s());
        st.cursors.push_back(std::move(c));
        persist(self, st.cursors.back());
      } else {
        st.cursors.push_back(std::move(c));
      }
    }
  }
  if (ctx->metrics) // at zero from the start, so an alert on its rate has a series
    ctx->metrics->counter("shopsync_orders_found_by_reconcile_total",
                          "Orders and draft orders the order reconciler found before (or without) their webhook",
                          {{"group", st.group.name}, {"kind", "order"}});
  self->delayed_send(self, ctx->cfg.daemon.order_reconcile_interval, reconcile_atom::value, true);
  return {
    [self](reconcile_atom, bool periodic) {
      start_rounds(self);
      if (periodic)
        self->delayed_send(self, self->state.ctx->cfg.daemon.order_reconcile_interval, reconcile_atom::value, true);
    },
    [self](order_fed_atom, const std::string& store, bool draft, std::uint64_t id, std::int64_t at, bool ok) {
      auto& st = self->state;
      const auto kind = draft ? reconcile_doc::draft_orders : reconcile_doc::orders;
      for (std::size_t i = 0; i < st.cursors.size(); ++i)
        if (st.cursors[i].store == store && st.cursors[i].kind == kind) {
          if (ok)
            st.cursors[i].found++;
          handle(self, i, st.cursors[i].machine.fed(id, at, ok));
        }
    },
    [self](order_recon_atom, const std::string& args) -> caf::result<std::string> { return control(self, args); },
  };
}

} // namespace shopsync
