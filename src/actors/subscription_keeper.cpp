#include "actors/subscription_keeper.hpp"

#include "io/graphql_documents.hpp"
#include "io/json_writer.hpp"
#include "io/subscription_api.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace shopsync {

namespace {

using self_ptr = subscription_keeper_actor::stateful_pointer<subscription_keeper_state>;

// A listing or a write that does not come back within this is given up until the next check.
constexpr auto call_timeout = std::chrono::seconds(120);

void count(self_ptr self, const char* name, const char* help, std::uint64_t n = 1) {
  auto& st = self->state;
  if (st.ctx->metrics)
    st.ctx->metrics->counter(name, help, {{"store", st.opts.store.name}}).inc(n);
}

void gauge(self_ptr self, const char* name, const char* help, double v) {
  auto& st = self->state;
  if (st.ctx->metrics)
    st.ctx->metrics->gauge(name, help, {{"store", st.opts.store.name}}).set(v);
}

template <class OnOk>
void call(self_ptr self, std::string operation, std::string_view document, std::string variables, bool mutation,
          OnOk on_ok, std::function<void(const error&)> on_error) {
  graphql_request req{std::move(operation), std::string(document), std::move(variables), mutation};
  self->request(self->state.opts.link, call_timeout, execute_atom::value, std::move(req))
    .then(
      [on_ok, on_error](const graphql_answer& a) {
        if (a.ok)
          on_ok(a.body);
        else
          on_error(a.err);
      },
      [on_error](const caf::error& e) { on_error(error{error_kind::keeper_request_failed, caf::to_string(e)}); });
}

// --- scopes

void check_scopes(self_ptr self) {
  call(
    self, "AppInstallation", graphql::app_installation, "{}", false,
    [self](const std::string& body) {
      auto& st = self->state;
      auto inst = parse_app_installation(body);
      if (!inst) {
        st.scope_error = inst.error().message;
        spdlog::warn("webhooks store={}: cannot read the app's access scopes: {}", st.opts.store.name,
                     st.scope_error);
        return;
      }
      st.scope_error.clear();
      st.granted = inst->scopes;
      st.missing = missing_scopes(st.needed_scopes, inst->scopes);
      gauge(self, "shopsync_missing_scopes", "Access scopes a store's groups need that its token lacks",
            static_cast<double>(st.missing.size()));
      std::set<std::string> now;
      for (auto& m : st.missing) {
        auto msg = missing_scope_message(st.opts.store.name, m);
        now.insert(m.scope);
        if (!st.reported_missing.count(m.scope))
          spdlog::error("{}", msg); // once per scope until it is granted
      }
      if (st.missing.empty() && !st.reported_missing.empty())
        spdlog::info("webhooks store={}: every access scope shopsync needs is granted", st.opts.store.name);
      st.reported_missing = std::move(now);
    },
    [self](const error& e) {
      self->state.scope_error = e.message;
      spdlog::warn("webhooks store={}: cannot read the app's access scopes: {}", self->state.opts.store.name,
                   e.message);
    });
}

// --- subscriptions

void list_page(self_ptr self, std::optional<std::string> after);
void plan_and_apply(self_ptr self);

void check_done(self_ptr self) {
  auto& st = self->state;
  if (st.outstanding > 0)
    return;
  st.running = false;
}

void start_check(self_ptr self) {
  auto& st = self->state;
  if (st.running)
    return;
  st.running = true;
  st.verify = false;
  st.listing.clear();
  st.checks++;
  list_page(self, std::nullopt);
}

void list_page(self_ptr self, std::optional<std::string> after) {
  call(
    self, "WebhookSubscriptions", graphql::webhook_subscriptions,
    subscriptions_page_variables(subscription_page_size, after), false,
    [self](const std::string& body) {
      auto& st = self->state;
      auto page = parse_subscriptions_page(body);
      if (!page) {
        st.list_error = page.error().message;
        spdlog::warn("webhooks store={}: cannot list subscriptions: {}", st.opts.store.name, st.list_error);
        st.running = false;
        return;
      }
      for (auto& s : page->subscriptions)
        st.listing.push_back(std::move(s));
      if (page->has_next)
        list_page(self, page->end_cursor);
      else
        plan_and_apply(self);
    },
    [self](const error& e) {
      auto& st = self->state;
      st.list_error = e.message;
      spdlog::warn("webhooks store={}: cannot list subscriptions: {}", st.opts.store.name, e.message);
      st.running = false;
    });
}

// A gap in deliveries: reconcile what it may have cost.
void heal(self_ptr self, const std::vector<std::string>& topics) {
  auto& st = self->state;
  bool inventory = false;
  std::vector<std::string> order_topics;
  for (auto& t : topics) {
    auto k = heal_for_topic(t);
    inventory |= k == heal_kind::inventory;
    if (k == heal_kind::orders)
      order_topics.push_back(t);
  }
  if (inventory)
    for (auto& g : st.ctx->cfg.groups)
      if (g.source == st.opts.store.name ||
          std::find(g.destinations.begin(), g.destinations.end(), st.opts.store.name) != g.destinations.end()) {
        spdlog::info("webhooks store={}: asking group {} for a reconcile round", st.opts.store.name, g.name);
        self->send(st.opts.supervisor, reconcile_atom::value, g.name);
      }
  if (!order_topics.empty())
    for (auto& g : st.ctx->cfg.groups)
      if ((g.strategy == sync_strategy::order || g.strategy == sync_strategy::draft_order) &&
          std::find(g.destinations.begin(), g.destinations.end(), st.opts.store.name) != g.destinations.end()) {
        spdlog::info("webhooks store={}: asking group {} for an order reconcile round ({} was unsubscribed)",
                     st.opts.store.name, g.name, order_topics.front());
        self->send(st.opts.supervisor, order_recon_atom::value, g.name);
      }
}

void write_done(self_ptr self) {
  auto& st = self->state;
  if (--st.outstanding > 0)
    return;
  // Show what Shopify now holds: list once more, acting on nothing.
  st.verify = true;
  st.listing.clear();
  list_page(self, std::nullopt);
}

void apply_plan(self_ptr self, const subscription_plan& plan) {
  auto& st = self->state;
  const auto& store = st.opts.store.name;
  st.outstanding = plan.create.size() + plan.repoint.size() + plan.remove.size();
  auto failed = [self, store](std::string what) {
    return [self, store, what](const error& e) {
      self->state.write_errors++;
      spdlog::error("webhooks store={}: {} failed: {}", store, what, e.message);
      write_done(self);
    };
  };
  for (auto& topic : plan.create)
    call(
      self, "WebhookSubscriptionCreate", graphql::webhook_subscription_create,
      subscription_create_variables(topic, st.policy.uri, st.policy.marker), true,
      [self, store, topic](const std::string& body) {
        if (auto s = parse_subscription_written(body, "webhookSubscriptionCreate"); !s) {
          self->state.write_errors++;
          spdlog::error("webhooks store={}: subscribing {} failed: {}", store, topic, s.error().message);
        } else {
          self->state.created++;
          self->state.confirmed.insert(topic);
          count(self, "shopsync_webhook_subscriptions_created_total", "Webhook subscriptions shopsync created");
          spdlog::info("webhooks store={}: subscribed {} -> {}", store, topic, s->uri);
        }
        write_done(self);
      },
      failed("subscribing " + topic));
  for (auto& r : plan.repoint)
    call(
      self, "WebhookSubscriptionUpdate", graphql::webhook_subscription_update,
      subscription_update_variables(r.id, st.policy.uri, st.policy.marker), true,
      [self, store, r](const std::string& body) {
        if (auto s = parse_subscription_written(body, "webhookSubscriptionUpdate"); !s) {
          self->state.write_errors++;
          spdlog::error("webhooks store={}: repointing {} failed: {}", store, r.topic, s.error().message);
        } else {
          self->state.repointed++;
          self->state.confirmed.insert(r.topic);
          spdlog::info("webhooks store={}: {} now delivers to {}", store, r.topic, s->uri);
        }
        write_done(self);
      },
      failed("repointing " + r.topic));
  for (auto& id : plan.remove)
    call(
      self, "WebhookSubscriptionDelete", graphql::webhook_subscription_delete, subscription_delete_variables(id), true,
      [self, store, id](const std::string& body) {
        if (auto s = parse_subscription_deleted(body); !s) {
          self->state.write_errors++;
          spdlog::error("webhooks store={}: removing subscription {} failed: {}", store, id, s.error().message);
        } else {
          self->state.removed++;
          spdlog::info("webhooks store={}: removed subscription {} (no longer needed)", store, id);
        }
        write_done(self);
      },
      failed("removing subscription " + id));
}

void plan_and_apply(self_ptr self) {
  auto& st = self->state;
  st.list_error.clear();
  auto plan = plan_subscriptions(st.wanted, st.listing, st.policy);
  if (!st.verify) {
    auto gone = vanished_topics(st.confirmed, plan);
    for (auto& t : gone) {
      st.vanished++;
      count(self, "shopsync_webhook_subscriptions_vanished_total",
            "Subscriptions found missing that were present at the previous check (Shopify deletes one after 8 "
            "failed deliveries)");
      spdlog::warn("webhooks store={}: the subscription to {} has vanished (Shopify deletes one after 8 failed "
                   "deliveries; is {} reachable?): {}",
                   st.opts.store.name, t, st.policy.uri.empty() ? "the public URL" : st.policy.uri,
                   st.policy.manage ? "recreating it and reconciling what it missed" : "recreate it");
    }
    st.confirmed = subscribed_topics(plan);
    if (!gone.empty())
      heal(self, gone);
  } else {
    st.confirmed = subscribed_topics(plan);
  }
  std::size_t missing = 0;
  for (auto& r : plan.rows)
    missing += r.wanted && r.state != topic_state::subscribed;
  gauge(self, "shopsync_webhook_subscriptions_missing", "Wanted webhook topics without a subscription of shopsync's",
        st.policy.manage ? static_cast<double>(missing) : 0.0);
  st.plan = plan;
  if (!st.verify && plan.actions()) {
    apply_plan(self, plan);
    return;
  }
  if (!st.verify && st.policy.manage && st.policy.uri.empty() && missing > 0)
    spdlog::warn("webhooks store={}: {} topics are not subscribed and [webhooks] public_url is not set: shopsync "
                 "cannot subscribe them",
                 st.opts.store.name, missing);
  check_done(self);
}

std::string view_json(const subscription_keeper_state& st) {
  json_writer w;
  w.begin_object().field("store", st.opts.store.name).field("shop_domain", st.opts.store.shop_domain);
  w.field("public_url", st.policy.uri).field("manage", st.policy.manage).field("checks", st.checks);
  w.field("created", st.created).field("repointed", st.repointed).field("removed", st.removed);
  w.field("vanished", st.vanished).field("write_errors", st.write_errors);
  w.key("list_error");
  st.list_error.empty() ? w.null() : w.value(st.list_error);
  w.key("topics").begin_array();
  if (st.plan)
    for (auto& r : st.plan->rows) {
      w.begin_object().field("topic", r.topic).field("wanted", r.wanted).field("feature", r.feature);
      w.field("state", st.policy.manage || r.state != topic_state::missing ? to_string(r.state) : "not_listed");
      w.key("uris").begin_array();
      for (auto& u : r.uris)
        w.value(u);
      w.end_array().end_object();
    }
  else
    for (auto& t : st.wanted)
      w.begin_object().field("topic", t.topic).field("wanted", true).field("feature", t.feature)
        .field("state", "unknown").key("uris").begin_array().end_array().end_object();
  w.end_array();
  w.key("scopes").begin_object();
  w.key("granted");
  if (st.granted) {
    w.begin_array();
    for (auto& g : *st.granted)
      w.value(g);
    w.end_array();
  } else {
    w.null();
  }
  w.key("missing").begin_array();
  for (auto& m : st.missing)
    w.begin_object().field("scope", m.scope).field("feature", m.feature)
      .field("message", missing_scope_message(st.opts.store.name, m)).end_object();
  w.end_array();
  w.key("error");
  st.scope_error.empty() ? w.null() : w.value(st.scope_error);
  w.end_object();
  w.end_object();
  return std::move(w).str();
}

} // namespace

subscription_keeper_actor::behavior_type
subscription_keeper(subscription_keeper_actor::stateful_pointer<subscription_keeper_state> self,
                    const sync_context* ctx, subscription_keeper_options opts) {
  auto& st = self->state;
  st.ctx = ctx;
  st.opts = std::move(opts);
  st.wanted = topics_needed(ctx->cfg, st.opts.store.name);
  st.needed_scopes = scopes_needed(ctx->cfg, st.opts.store.name);
  st.policy.uri = ctx->cfg.webhooks.public_url;
  st.policy.manage = ctx->cfg.webhooks.manage;
  if (st.policy.uri.empty() && st.policy.manage)
    spdlog::warn("webhooks store={}: [webhooks] public_url is not set: shopsync cannot subscribe this store to "
                 "the webhooks it needs (set it to the https address nginx serves)",
                 st.opts.store.name);
  return {
    [self](subs_check_atom, bool periodic) {
      check_scopes(self);
      start_check(self);
      if (periodic)
        self->delayed_send(self, self->state.ctx->cfg.webhooks.check_interval, subs_check_atom::value, true);
    },
    [self](scopes_atom) {
      spdlog::info("webhooks store={}: the app's access scopes changed; checking them", self->state.opts.store.name);
      check_scopes(self);
    },
    [self](webhooks_atom) { return view_json(self->state); },
  };
}

} // namespace shopsync
