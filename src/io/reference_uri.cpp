#include "io/reference_uri.hpp"

namespace shopsync {

std::string percent_encode_segment(std::string_view in) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

std::string batch_reference_uri(std::string_view store, std::uint64_t batch_id) {
  return "gid://shopsync/SyncBatch/" + percent_encode_segment(store) + "/" + std::to_string(batch_id);
}

} // namespace shopsync
