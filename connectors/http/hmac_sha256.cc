#include "connectors/http/hmac_sha256.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

namespace keel::http {

struct HmacSha256Key::Keyed {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* context = nullptr;  // keyed; only ever duplicated
  ~Keyed() {
    EVP_MAC_CTX_free(context);
    EVP_MAC_free(mac);
  }
};

HmacSha256Key::HmacSha256Key(std::string_view secret) : secret_(secret) {
  auto keyed = std::make_unique<Keyed>();
  keyed->mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  if (keyed->mac == nullptr) return;
  keyed->context = EVP_MAC_CTX_new(keyed->mac);
  if (keyed->context == nullptr) return;
  char digest_name[] = OSSL_DIGEST_NAME_SHA2_256;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                         OSSL_PARAM_construct_end()};
  // HMAC takes an empty key (the receiver refuses an empty secret before
  // it gets here), but EVP_MAC_init treats a null key as "keep the old one".
  static const unsigned char kNoKey = 0;
  const auto* key = secret.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(secret.data());
  if (EVP_MAC_init(keyed->context, key, secret.size(), params) != 1) return;
  keyed_ = std::move(keyed);
}

HmacSha256Key::~HmacSha256Key() = default;

Sha256Digest HmacSha256Key::Sign(std::string_view body) const {
  Sha256Digest digest{};
  const auto* data = reinterpret_cast<const unsigned char*>(body.data());
  if (keyed_ != nullptr) {
    EVP_MAC_CTX* copy = EVP_MAC_CTX_dup(keyed_->context);
    size_t length = 0;
    bool done = copy != nullptr && EVP_MAC_update(copy, data, body.size()) == 1 &&
                EVP_MAC_final(copy, digest.data(), &length, digest.size()) == 1 && length == digest.size();
    EVP_MAC_CTX_free(copy);
    if (done) return digest;
  }
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()), data, body.size(), digest.data(), &length);
  return digest;
}

std::string DigestHex(const Sha256Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * digest.size());
  for (unsigned char byte : digest) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 15];
  }
  return hex;
}

}  // namespace keel::http
