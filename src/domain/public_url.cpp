#include "domain/public_url.hpp"

namespace shopsync {

std::optional<std::string> public_url_problem(const std::string& url) {
  const std::string usage = " (expected https://your.host/webhooks, the address nginx serves)";
  if (url.empty())
    return "must not be empty" + usage;
  for (char c : url)
    if (static_cast<unsigned char>(c) <= ' ' || c == '"' || c == '<' || c == '>')
      return "\"" + url + "\" contains a space or a character a URL cannot hold";
  std::string rest;
  bool https = url.rfind("https://", 0) == 0;
  if (https)
    rest = url.substr(8);
  else if (url.rfind("http://", 0) == 0)
    rest = url.substr(7);
  else
    return "\"" + url + "\" is not an https:// URL" + usage;
  auto slash = rest.find('/');
  auto host = rest.substr(0, slash);
  if (auto colon = host.rfind(':'); colon != std::string::npos && host.find(']') == std::string::npos)
    host.resize(colon);
  if (host.empty())
    return "\"" + url + "\" has no host" + usage;
  if (!https && host != "127.0.0.1" && host != "localhost" && host != "[::1]")
    return "\"" + url + "\": Shopify delivers webhooks only over https (plain http is for a loopback test host)";
  if (url.find('#') != std::string::npos)
    return "\"" + url + "\" must not have a #fragment";
  return std::nullopt;
}

} // namespace shopsync
