// HMAC-SHA256 under one secret, keyed once. OpenSSL's one-shot HMAC()
// fetches the digest and schedules the key on every call, which for a
// webhook body of 15 KB costs about a third as much again as hashing the
// body; a receiver checks thousands of bodies under the same secret, so it
// keeps one keyed context per endpoint and copies it for each body.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

namespace keel::http {

using Sha256Digest = std::array<unsigned char, 32>;

class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view secret);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;

  // HMAC-SHA256(secret, body). Safe from many threads at once: the keyed
  // context is only read (copied), never updated in place.
  Sha256Digest Sign(std::string_view body) const;

 private:
  struct Keyed;
  std::string secret_;             // for the one-shot path when OpenSSL cannot key a context
  std::unique_ptr<Keyed> keyed_;  // null: that path
};

// Lower-case hex of a digest.
std::string DigestHex(const Sha256Digest& digest);

}  // namespace keel::http
