#pragma once
// One blocking HTTP/1.1 POST with connect and answer deadlines (for webhook deliveries).
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace shopsync::sim {

struct post_result {
  int status = 0;     // 0: no answer (refused, reset, timed out)
  std::string error;  // why there was no answer
};

// url: http://host:port/path (plain HTTP only).
post_result http_post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& body, std::chrono::milliseconds connect_timeout,
                      std::chrono::milliseconds answer_timeout);

} // namespace shopsync::sim
