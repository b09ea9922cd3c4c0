#pragma once
// Which of the webhook server's handlers a request goes to, from its method and target, and
// what GET /healthz answers: decided without sockets (webhook_server.hpp lists the paths).
#include <string>
#include <string_view>
#include <vector>

namespace shopsync {

enum class server_route {
  webhook,            // POST /webhooks or /webhooks/<topic>
  webhook_not_post,   // another method there: 405, Allow: POST
  healthz,            // GET /healthz
  metrics,            // GET /metrics
  oauth_callback,     // GET /auth/callback (only when the server has a handler for it)
  not_found,          // anything else: 404
};

struct route_match {
  server_route route = server_route::not_found;
  std::string_view path_topic; // webhook: <topic> of /webhooks/<topic>, empty for /webhooks
};

// `target` is the request target, query included (it is ignored); `is_get`/`is_post` its method.
route_match match_route(std::string_view target, bool is_get, bool is_post, bool has_oauth_callback);

struct health_answer {
  int status = 200;
  std::string body;
};

// GET /healthz: "ok" when ready; "degraded" and one line per problem while some work waits
// (503 instead of 200 when the target asks ?strict=1); 503 "starting" or "stopping" otherwise.
health_answer answer_health(bool ready, bool stopping, const std::vector<std::string>& problems,
                            std::string_view target);

} // namespace shopsync
