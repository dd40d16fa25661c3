#include "engine/sha256.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace keel {

Hash ChainHash(const Hash& previous, std::string_view canonical_bytes) {
  // The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP,
  // but EVP allocates a context per call; this runs once per event.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, previous.data(), previous.size());
  SHA256_Update(&ctx, canonical_bytes.data(), canonical_bytes.size());
  Hash out;
  SHA256_Final(out.data(), &ctx);
#pragma GCC diagnostic pop
  return out;
}

Hash Sha256(std::string_view bytes) {
  Hash out;
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), out.data(), &length, EVP_sha256(), nullptr);
  return out;
}

}  // namespace keel
