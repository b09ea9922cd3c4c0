#include "sim/hmac.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace shopsync::sim {

std::string hmac_sha256_base64(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  static const unsigned char empty = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       body.empty() ? &empty : reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac,
       &mac_len);
  std::string out(4 * ((mac_len + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(mac_len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

} // namespace shopsync::sim
