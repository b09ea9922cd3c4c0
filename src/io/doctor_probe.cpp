#include "io/doctor_probe.hpp"

#include "io/admin_api.hpp"
#include "io/admin_client.hpp"
#include "io/graphql_documents.hpp"
#include "io/io_threads.hpp"
#include "io/subscription_api.hpp"
#include "io/token_source.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <future>
#include <memory>

namespace shopsync {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// host and port of the Admin API: base_url when set (the simulator), else https://{shop_domain}.
std::pair<std::string, std::string> address_of(const store_config& s) {
  if (s.base_url.empty())
    return {s.shop_domain, "443"};
  std::string rest = s.base_url;
  std::string port = "443";
  if (rest.rfind("http://", 0) == 0) {
    rest = rest.substr(7);
    port = "80";
  } else if (rest.rfind("https://", 0) == 0) {
    rest = rest.substr(8);
  }
  rest = rest.substr(0, rest.find('/'));
  if (auto c = rest.rfind(':'); c != std::string::npos && rest.find(']') == std::string::npos) {
    port = rest.substr(c + 1);
    rest.resize(c);
  }
  return {rest, port};
}

// Resolves and connects within `timeout`; the reason when it cannot.
std::optional<std::string> unreachable(const std::string& host, const std::string& port,
                                       std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  tcp::socket socket(ioc);
  asio::steady_timer timer(ioc, timeout);
  std::optional<std::string> why = std::string("timed out");
  bool done = false;
  timer.async_wait([&](const boost::system::error_code& ec) {
    if (!ec && !done) {
      resolver.cancel();
      boost::system::error_code ignored;
      socket.close(ignored);
    }
  });
  resolver.async_resolve(host, port, [&](const boost::system::error_code& ec, tcp::resolver::results_type results) {
    if (ec) {
      done = true;
      why = "cannot resolve " + host + ": " + ec.message();
      timer.cancel();
      return;
    }
    asio::async_connect(socket, results, [&](const boost::system::error_code& cec, const tcp::endpoint&) {
      done = true;
      timer.cancel();
      if (cec)
        why = cec.message();
      else
        why.reset();
    });
  });
  ioc.run();
  return why;
}

template <class T>
std::optional<result<T>> await_for(std::future<result<T>>& f, std::chrono::milliseconds timeout) {
  if (f.wait_for(timeout) != std::future_status::ready)
    return std::nullopt;
  return f.get();
}

result<std::string> call_data(admin_api& api, const char* op, std::string_view doc, std::string vars,
                              std::chrono::milliseconds timeout) {
  auto p = std::make_shared<std::promise<result<std::string>>>();
  auto f = p->get_future();
  api.execute(op, std::string(doc), std::move(vars), request_safety::query,
              [p](result<std::string> r) { p->set_value(std::move(r)); });
  auto r = await_for(f, timeout);
  if (!r)
    return error{error_kind::doctor_timeout, std::string(op) + " did not answer in time"};
  if (!r->ok())
    return r->error();
  return "{\"data\":" + r->value() + "}";
}

void probe_one(const config& cfg, const store_config& s, io_threads& io, std::chrono::milliseconds timeout,
               state_store* db, store_probe& p) {
  auto [host, port] = address_of(s);
  p.address = host + ":" + port;
  p.unreachable = unreachable(host, port, timeout);
  if (p.unreachable)
    return;
  admin_endpoint ep{s.name, s.shop_domain, s.base_url, s.api_version, s.access_token, nullptr};
  if (s.auth != auth_method::static_token)
    ep.tokens = make_token_source({s, cfg.find_app(s.app), &io.context(), db});
  admin_client_options o;
  o.backoff.max_attempts = 2; // a doctor reports; it does not insist
  o.backoff.initial = std::chrono::milliseconds(200);
  o.connect_timeout = timeout;
  o.read_timeout = timeout;
  auto client = admin_client::make(io.context(), ep, o);
  admin_api api(client);
  auto inst = call_data(api, "AppInstallation", graphql::app_installation, "{}", timeout);
  if (!inst) {
    p.call_error = inst.error().message;
    const auto& m = inst.error().message;
    p.unauthorized = inst.error().kind == error_kind::admin_unauthorized || m.find("HTTP 401") != std::string::npos ||
                     m.find("HTTP 403") != std::string::npos;
    client->close();
    return;
  }
  if (auto a = parse_app_installation(*inst)) {
    for (auto& v : a->api_versions)
      p.api_versions.push_back({v.handle, v.supported});
    p.scopes = a->scopes;
  }
  {
    auto pr = std::make_shared<std::promise<result<std::vector<location_row>>>>();
    auto f = pr->get_future();
    api.locations([pr](result<std::vector<location_row>> r) { pr->set_value(std::move(r)); });
    auto r = await_for(f, timeout);
    if (!r)
      p.locations_error = "Locations did not answer in time";
    else if (!r->ok())
      p.locations_error = r->error().message;
    else {
      p.locations.emplace();
      for (auto& l : r->value())
        if (l.active)
          p.locations->push_back({l.id, l.name});
    }
  }
  std::vector<present_subscription> subs;
  std::optional<std::string> after;
  for (int page = 0; page < 50; ++page) {
    auto body = call_data(api, "WebhookSubscriptions", graphql::webhook_subscriptions,
                          subscriptions_page_variables(subscription_page_size, after), timeout);
    if (!body) {
      p.subscriptions_error = body.error().message;
      break;
    }
    auto pg = parse_subscriptions_page(*body);
    if (!pg) {
      p.subscriptions_error = pg.error().message;
      break;
    }
    for (auto& s2 : pg->subscriptions)
      subs.push_back(std::move(s2));
    if (!pg->has_next) {
      p.subscriptions = std::move(subs);
      break;
    }
    after = pg->end_cursor;
  }
  client->close();
}

} // namespace

std::vector<store_probe> probe_stores(const config& cfg, std::chrono::milliseconds per_call_timeout,
                                      state_store* db) {
  io_threads io{1};
  std::vector<store_probe> out(cfg.stores.size());
  for (std::size_t i = 0; i < cfg.stores.size(); ++i) {
    out[i].store = cfg.stores[i].name;
    probe_one(cfg, cfg.stores[i], io, per_call_timeout, db, out[i]);
  }
  io.stop();
  return out;
}

} // namespace shopsync
