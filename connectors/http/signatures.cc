#include "connectors/http/signatures.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <array>
#include <cctype>
#include <cstdint>

namespace keel::http {
namespace {

constexpr size_t kDigestBytes = SHA256_DIGEST_LENGTH;

using Digest = std::array<unsigned char, kDigestBytes>;

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && Lower(text.substr(0, prefix.size())) == Lower(prefix);
}

Digest Hmac(std::string_view secret, std::string_view body) {
  Digest digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), digest.data(), &length);
  return digest;
}

Digest Sha256(std::string_view text) {
  Digest digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  return digest;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status Refuse(const SignatureCheck& check, const std::string& what) {
  return Status::InvalidArgument("the " + check.header + " header " + what);
}

Status VerifyHmac(const SignatureCheck& check, std::string_view secret, std::string_view hex, std::string_view body) {
  if (hex.size() != 2 * kDigestBytes) {
    return Refuse(check, "has " + std::to_string(hex.size()) + " characters where an HMAC-SHA256 has " +
                             std::to_string(2 * kDigestBytes) + " hex digits");
  }
  Digest sent{};
  for (size_t i = 0; i < kDigestBytes; ++i) {
    int high = HexValue(hex[2 * i]);
    int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) return Refuse(check, "is not a hexadecimal digest");
    sent[i] = static_cast<unsigned char>(high * 16 + low);
  }
  Digest expected = Hmac(secret, body);
  if (CRYPTO_memcmp(sent.data(), expected.data(), kDigestBytes) != 0) {
    return Refuse(check, "does not match the body: the secret differs, or the body was changed on the way");
  }
  return Status::OK();
}

// Both sides hashed first, so the comparison takes the same time whatever
// the lengths (a plain comparison would tell the token's length).
Status VerifyToken(const SignatureCheck& check, std::string_view secret, std::string_view token) {
  Digest sent = Sha256(token);
  Digest expected = Sha256(secret);
  if (CRYPTO_memcmp(sent.data(), expected.data(), kDigestBytes) != 0) {
    return Refuse(check, "does not hold the configured token");
  }
  return Status::OK();
}

}  // namespace

Result<SignatureScheme> SignatureSchemeNamed(std::string_view name) {
  if (name == "hmac-sha256") return SignatureScheme::kHmacSha256;
  if (name == "token") return SignatureScheme::kToken;
  return Status::InvalidArgument("unknown signature scheme \"" + std::string(name) +
                                 "\"; the schemes are hmac-sha256 and token");
}

SignatureCheck GitHubSignature() { return {SignatureScheme::kHmacSha256, "X-Hub-Signature-256", "sha256="}; }
SignatureCheck JiraSignature() { return {SignatureScheme::kHmacSha256, "X-Hub-Signature", "sha256="}; }
SignatureCheck GitLabSignature() { return {SignatureScheme::kToken, "X-Gitlab-Token", ""}; }
SignatureCheck ClickUpSignature() { return {SignatureScheme::kHmacSha256, "X-Signature", ""}; }
SignatureCheck LinearSignature() { return {SignatureScheme::kHmacSha256, "Linear-Signature", ""}; }
SignatureCheck BearerToken() { return {SignatureScheme::kToken, "Authorization", "Bearer "}; }

Status VerifySignature(const SignatureCheck& check, std::string_view secret,
                       const std::map<std::string, std::string>& headers, std::string_view body) {
  if (secret.empty()) return Status::InvalidArgument("no secret is configured for " + check.header);
  auto found = headers.find(Lower(check.header));
  if (found == headers.end() || found->second.empty()) return Refuse(check, "is missing");
  std::string_view value = found->second;
  if (!StartsWithIgnoringCase(value, check.prefix)) return Refuse(check, "does not start with \"" + check.prefix + "\"");
  value.remove_prefix(check.prefix.size());
  return check.scheme == SignatureScheme::kHmacSha256 ? VerifyHmac(check, secret, value, body)
                                                      : VerifyToken(check, secret, value);
}

std::string HmacSha256Hex(std::string_view secret, std::string_view body) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : Hmac(secret, body)) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 15];
  }
  return hex;
}

}  // namespace keel::http
