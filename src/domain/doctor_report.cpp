#include "domain/doctor_report.hpp"

#include "domain/store_needs.hpp"

#include <algorithm>

namespace shopsync {

namespace {

const store_probe* probe_of(const std::vector<store_probe>& probes, const std::string& store) {
  for (auto& p : probes)
    if (p.store == store)
      return &p;
  return nullptr;
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (auto& s : v)
    out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string quoted_names(const std::vector<location_info>& locs) {
  std::vector<std::string> names;
  for (auto& l : locs)
    names.push_back("\"" + l.name + "\"");
  return join(names);
}

bool in_group(const group_config& g, const std::string& store) {
  return g.source == store || std::find(g.destinations.begin(), g.destinations.end(), store) != g.destinations.end();
}

// The location check of one store: every group it is in, mapped with the probes' locations.
doctor_line locations_line(const config& cfg, const store_config& s, const std::vector<store_probe>& probes) {
  doctor_line l{s.name, "locations found and mapped", check_status::ok, ""};
  auto* mine = probe_of(probes, s.name);
  if (!mine || !mine->locations) {
    l.status = check_status::fail;
    l.detail = "cannot read the store's locations" + (mine && !mine->locations_error.empty() ? ": " + mine->locations_error : "") +
               "; fix the checks above";
    return l;
  }
  if (mine->locations->empty()) {
    l.status = check_status::fail;
    l.detail = "the store has no active location: activate one in Settings > Locations";
    return l;
  }
  std::vector<std::string> problems;
  check_status worst = check_status::ok;
  std::vector<std::string> mapped;
  for (auto& g : cfg.groups) {
    if (!in_group(g, s.name))
      continue;
    auto* src = probe_of(probes, g.source);
    if (!src || !src->locations) {
      problems.push_back("group " + g.name + ": cannot compare with the Source " + g.source + " (unreachable)");
      worst = check_status::fail;
      continue;
    }
    // Destinations that could not be read have their own failing lines; map the others.
    std::vector<store_locations> dests;
    std::vector<std::string> unread;
    for (auto& d : g.destinations) {
      auto* dp = probe_of(probes, d);
      if (dp && dp->locations)
        dests.push_back({d, *dp->locations});
      else
        unread.push_back(d);
    }
    const bool is_source = g.source == s.name;
    if (is_source && !unread.empty()) {
      problems.push_back("group " + g.name + ": cannot compare with " + join(unread) + " (see their lines)");
      worst = std::max(worst, check_status::warn);
    }
    std::vector<location_pair> pairs;
    for (auto& pr : g.location_pairs)
      if (std::find(unread.begin(), unread.end(), pr.store) == unread.end())
        pairs.push_back(pr);
    auto m = map_locations({g.source, *src->locations}, dests, g.locations_by_name, pairs);
    std::size_t mine_mapped = 0;
    for (auto& slot : m.slots) {
      if (is_source) {
        ++mine_mapped;
        mapped.push_back(slot.name);
        continue;
      }
      auto idx = static_cast<std::size_t>(
          std::find_if(dests.begin(), dests.end(), [&](auto& d) { return d.store == s.name; }) - dests.begin());
      if (auto loc = slot.in_store(idx + 1)) {
        ++mine_mapped;
        for (auto& li : *mine->locations)
          if (li.id == *loc)
            mapped.push_back(li.name == slot.name ? li.name : slot.name + " -> " + li.name);
      }
    }
    for (auto& p : m.problems) {
      bool concerns = is_source ? (p.kind == location_problem_kind::unknown_source_location ||
                                   (p.kind == location_problem_kind::ambiguous_name && p.store == s.name))
                                : p.store == s.name;
      if (!concerns)
        continue;
      std::string what;
      switch (p.kind) {
        case location_problem_kind::unmapped_source_location:
          what = "Source location \"" + p.name + "\" has no counterpart here: its stock is not synced to " + s.name +
                 " (name a location the same, or add a [[groups.location_pairs]])";
          break;
        case location_problem_kind::unmapped_destination_location:
          what = "location \"" + p.name + "\" is not mapped to any Source location: its stock is not synced "
                 "(rename it to match one, or add a [[groups.location_pairs]])";
          break;
        case location_problem_kind::unknown_source_location:
        case location_problem_kind::unknown_destination_location:
          what = "a location pair names \"" + p.name + "\", which the store does not have (its locations: " +
                 quoted_names(*mine->locations) + "): fix the pair";
          break;
        default:
          what = std::string(to_string(p.kind)) + " \"" + p.name + "\": fix the group's location mapping";
      }
      problems.push_back("group " + g.name + ": " + what);
      worst = std::max(worst, p.error ? check_status::fail : check_status::warn);
    }
    if (mine_mapped == 0) {
      problems.push_back("group " + g.name + ": no location of this store is mapped, nothing will sync");
      worst = check_status::fail;
    }
  }
  l.status = worst;
  l.detail = std::to_string(mine->locations->size()) + " found (" + quoted_names(*mine->locations) + ")";
  std::sort(mapped.begin(), mapped.end());
  mapped.erase(std::unique(mapped.begin(), mapped.end()), mapped.end());
  if (!mapped.empty())
    l.detail += ", mapped: " + join(mapped);
  if (!problems.empty())
    l.detail += "; " + join(problems, "; ");
  return l;
}

doctor_line subscriptions_line(const config& cfg, const store_config& s, const store_probe& p, bool daemon_running) {
  doctor_line l{s.name, "subscriptions present", check_status::ok, ""};
  auto wanted = topics_needed(cfg, s.name);
  if (!cfg.webhooks.manage) {
    std::vector<std::string> topics;
    for (auto& w : wanted)
      topics.push_back(w.topic);
    l.status = check_status::warn;
    l.detail = "left to the app's shopify.app.toml ([webhooks] manage = false), which the Admin API does not list: "
               "make sure it subscribes " + join(topics) + " at " +
               (cfg.webhooks.public_url.empty() ? std::string("the public URL") : cfg.webhooks.public_url);
    return l;
  }
  if (!p.subscriptions) {
    l.status = check_status::fail;
    l.detail = "cannot list the store's subscriptions" + (p.subscriptions_error.empty() ? "" : ": " + p.subscriptions_error);
    return l;
  }
  subscription_policy policy{cfg.webhooks.public_url};
  auto plan = plan_subscriptions(wanted, *p.subscriptions, policy);
  std::vector<std::string> missing, elsewhere;
  std::size_t ok = 0;
  for (auto& r : plan.rows) {
    if (!r.wanted)
      continue;
    if (r.state == topic_state::subscribed)
      ++ok;
    else if (r.state == topic_state::points_elsewhere)
      elsewhere.push_back(r.topic + " (to " + join(r.uris) + ")");
    else
      missing.push_back(r.topic);
  }
  l.detail = std::to_string(ok) + " of " + std::to_string(wanted.size()) + " topics subscribed";
  if (missing.empty() && elsewhere.empty())
    return l;
  l.status = daemon_running ? check_status::fail : check_status::warn;
  if (!missing.empty())
    l.detail += "; missing: " + join(missing);
  if (!elsewhere.empty())
    l.detail += "; pointing elsewhere: " + join(elsewhere);
  l.detail += cfg.webhooks.public_url.empty()
                ? "; set [webhooks] public_url so shopsyncd can subscribe them"
                : daemon_running ? "; shopsyncd keeps them: see its log (\"webhooks store=" + s.name + "\") for why it cannot"
                                 : "; shopsyncd subscribes them when it starts";
  return l;
}

} // namespace

const char* to_string(check_status s) {
  switch (s) {
    case check_status::ok: return "ok";
    case check_status::warn: return "warn";
    case check_status::fail: return "FAIL";
    case check_status::skipped: return "skip";
  }
  return "?";
}

std::vector<doctor_line> doctor_report(const config& cfg, const std::vector<store_probe>& probes, bool daemon_running) {
  std::vector<doctor_line> out;
  for (auto& s : cfg.stores) {
    auto* p = probe_of(probes, s.name);
    store_probe none;
    none.store = s.name;
    none.unreachable = "not probed";
    if (!p)
      p = &none;
    auto skipped = [&](const char* check) {
      out.push_back({s.name, check, check_status::skipped, "fix the line above first"});
    };
    // 1. domain
    if (p->unreachable) {
      out.push_back({s.name, "domain reachable", check_status::fail,
                     "cannot reach " + p->address + " (" + *p->unreachable +
                       "): check shop_domain (name.myshopify.com), base_url, DNS and outbound HTTPS from this machine"});
      for (auto* c : {"token obtained", "API version supported", "scopes", "locations found and mapped",
                      "subscriptions present"})
        skipped(c);
    } else {
      out.push_back({s.name, "domain reachable", check_status::ok, p->address});
      // 2. token
      if (p->call_error) {
        out.push_back({s.name, "token obtained", check_status::fail,
                       p->unauthorized
                         ? "the Admin API refused the token (" + *p->call_error +
                             "): check the store's credentials, and that the app is installed in " + s.shop_domain
                         : "an Admin API call failed (" + *p->call_error + "): check base_url and api_version"});
        for (auto* c : {"API version supported", "scopes", "locations found and mapped", "subscriptions present"})
          skipped(c);
      } else {
        out.push_back({s.name, "token obtained", check_status::ok, "an Admin API call succeeded"});
        // 3. API version
        std::vector<std::string> supported;
        bool ok = false;
        for (auto& v : p->api_versions) {
          if (v.supported)
            supported.push_back(v.handle);
          ok |= v.supported && v.handle == s.api_version;
        }
        if (ok || p->api_versions.empty())
          out.push_back({s.name, "API version supported", ok ? check_status::ok : check_status::warn,
                         ok ? s.api_version : s.api_version + " (Shopify did not list its versions)"});
        else
          out.push_back({s.name, "API version supported", check_status::fail,
                         s.api_version + " is not supported by Shopify (supported: " + join(supported) +
                           "): set api_version to " + (supported.empty() ? std::string("a supported one") : supported.back())});
        // 4. scopes
        if (!p->scopes) {
          out.push_back({s.name, "scopes", check_status::fail, "cannot read the app's access scopes"});
        } else {
          auto missing = missing_scopes(scopes_needed(cfg, s.name), *p->scopes);
          if (missing.empty()) {
            out.push_back({s.name, "scopes", check_status::ok, "every scope the groups need is granted"});
          } else {
            std::vector<std::string> msgs;
            for (auto& m : missing)
              msgs.push_back(m.scope + " (for " + m.feature + ")");
            out.push_back({s.name, "scopes", check_status::fail,
                           "missing " + join(msgs) +
                             ": add them to the app's access scopes (Dev Dashboard, new app version) and approve "
                             "them in the store"});
          }
        }
        // 5. locations
        out.push_back(locations_line(cfg, s, probes));
        // 6. subscriptions
        out.push_back(subscriptions_line(cfg, s, *p, daemon_running));
      }
    }
    // 7. public URL (configuration only)
    if (cfg.webhooks.public_url.empty())
      out.push_back({s.name, "public URL configured", check_status::fail,
                     "[webhooks] public_url is not set: set it to the https address nginx serves for shopsync's "
                     "webhooks, e.g. https://sync.example.com/webhooks"});
    else
      out.push_back({s.name, "public URL configured", check_status::ok, cfg.webhooks.public_url});
  }
  return out;
}

std::string render_doctor(const std::vector<doctor_line>& lines) {
  std::size_t w_store = 0, w_check = 0;
  for (auto& l : lines) {
    w_store = std::max(w_store, l.store.size());
    w_check = std::max(w_check, l.check.size());
  }
  std::string out;
  for (auto& l : lines) {
    std::string status = to_string(l.status);
    out += l.store + std::string(w_store - l.store.size() + 2, ' ') + status + std::string(6 - status.size(), ' ') +
           l.check + std::string(w_check - l.check.size() + 2, ' ') + l.detail + "\n";
  }
  return out;
}

bool doctor_passed(const std::vector<doctor_line>& lines) {
  return std::none_of(lines.begin(), lines.end(), [](auto& l) { return l.status == check_status::fail; });
}

} // namespace shopsync
