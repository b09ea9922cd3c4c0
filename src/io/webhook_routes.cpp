#include "io/webhook_routes.hpp"

namespace shopsync {

route_match match_route(std::string_view target, bool is_get, bool is_post, bool has_oauth_callback) {
  target = target.substr(0, target.find('?'));
  constexpr std::string_view prefix = "/webhooks";
  if (target == prefix || (target.size() > prefix.size() && target.substr(0, prefix.size() + 1) == "/webhooks/")) {
    if (!is_post)
      return {server_route::webhook_not_post, {}};
    auto path_topic = target.size() > prefix.size() + 1 ? target.substr(prefix.size() + 1) : std::string_view{};
    return {server_route::webhook, path_topic};
  }
  if (target == "/healthz" && is_get)
    return {server_route::healthz, {}};
  if (target == "/metrics" && is_get)
    return {server_route::metrics, {}};
  if (target == "/auth/callback" && is_get && has_oauth_callback)
    return {server_route::oauth_callback, {}};
  return {server_route::not_found, {}};
}

health_answer answer_health(bool ready, bool stopping, const std::vector<std::string>& problems,
                            std::string_view target) {
  if (!ready || stopping)
    return {503, stopping ? "stopping\n" : "starting\n"};
  if (problems.empty())
    return {200, "ok\n"};
  std::string body = "degraded\n";
  for (auto& p : problems)
    body += p + "\n";
  const bool strict = target.find("strict=1") != std::string_view::npos;
  return {strict ? 503 : 200, body};
}

} // namespace shopsync
