#include "domain/subscription_plan.hpp"

#include <algorithm>

namespace shopsync {

const char* to_string(topic_state s) {
  switch (s) {
    case topic_state::subscribed: return "subscribed";
    case topic_state::missing: return "missing";
    case topic_state::points_elsewhere: return "points_elsewhere";
    case topic_state::unwanted: return "unwanted";
    case topic_state::foreign: return "foreign";
  }
  return "?";
}

bool is_ours(const present_subscription& s, const subscription_policy& p) {
  return (!p.marker.empty() && s.name == p.marker) || (!p.uri.empty() && s.uri == p.uri);
}

subscription_plan plan_subscriptions(const std::vector<topic_need>& wanted,
                                     const std::vector<present_subscription>& present,
                                     const subscription_policy& policy) {
  subscription_plan plan;
  auto of_topic = [&](const std::string& t) {
    std::vector<const present_subscription*> out;
    for (auto& s : present)
      if (s.topic == t)
        out.push_back(&s);
    return out;
  };
  auto fill = [](topic_row& row, const std::vector<const present_subscription*>& subs) {
    for (auto* s : subs) {
      row.ids.push_back(s->id);
      row.uris.push_back(s->uri);
    }
  };
  for (auto& w : wanted) {
    topic_row row;
    row.topic = w.topic;
    row.wanted = true;
    row.feature = w.feature;
    auto subs = of_topic(w.topic);
    fill(row, subs);
    const present_subscription* keep = nullptr;
    std::vector<const present_subscription*> ours_elsewhere;
    for (auto* s : subs) {
      if (!is_ours(*s, policy))
        continue;
      if (!policy.uri.empty() && s->uri == policy.uri) {
        if (!keep)
          keep = s;
        else
          plan.remove.push_back(s->id); // a duplicate of ours
      } else {
        ours_elsewhere.push_back(s);
      }
    }
    if (keep) {
      row.state = topic_state::subscribed;
      for (auto* s : ours_elsewhere)
        plan.remove.push_back(s->id);
    } else if (!ours_elsewhere.empty()) {
      row.state = topic_state::points_elsewhere;
      if (!policy.uri.empty()) {
        plan.repoint.push_back({ours_elsewhere.front()->id, w.topic});
        for (std::size_t i = 1; i < ours_elsewhere.size(); ++i)
          plan.remove.push_back(ours_elsewhere[i]->id);
      }
    } else {
      row.state = topic_state::missing;
      if (!policy.uri.empty())
        plan.create.push_back(w.topic);
    }
    plan.rows.push_back(std::move(row));
  }
  // Present topics nobody wants, in the order the API listed them.
  std::vector<std::string> others;
  for (auto& s : present) {
    bool is_wanted = std::any_of(wanted.begin(), wanted.end(), [&](const topic_need& w) { return w.topic == s.topic; });
    if (!is_wanted && std::find(others.begin(), others.end(), s.topic) == others.end())
      others.push_back(s.topic);
  }
  for (auto& t : others) {
    topic_row row;
    row.topic = t;
    auto subs = of_topic(t);
    fill(row, subs);
    row.state = topic_state::foreign;
    for (auto* s : subs)
      if (is_ours(*s, policy)) {
        row.state = topic_state::unwanted;
        plan.remove.push_back(s->id);
      }
    plan.rows.push_back(std::move(row));
  }
  if (!policy.manage) {
    plan.create.clear();
    plan.repoint.clear();
    plan.remove.clear();
  }
  return plan;
}

std::vector<std::string> vanished_topics(const std::set<std::string>& confirmed, const subscription_plan& plan) {
  std::vector<std::string> out;
  for (auto& r : plan.rows)
    if (r.wanted && r.state == topic_state::missing && confirmed.count(r.topic))
      out.push_back(r.topic);
  return out;
}

std::set<std::string> subscribed_topics(const subscription_plan& plan) {
  std::set<std::string> out;
  for (auto& r : plan.rows)
    if (r.wanted && r.state == topic_state::subscribed)
      out.insert(r.topic);
  return out;
}

heal_kind heal_for_topic(const std::string& topic) {
  auto starts = [&](const char* p) { return topic.rfind(p, 0) == 0; };
  if (starts("inventory_levels/") || starts("inventory_items/") || starts("products/"))
    return heal_kind::inventory;
  if (starts("orders/") || starts("draft_orders/"))
    return heal_kind::orders;
  return heal_kind::none;
}

} // namespace shopsync
