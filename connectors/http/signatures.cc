#include "connectors/http/signatures.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <utility>

namespace keel::http {
namespace {

constexpr size_t kDigestBytes = SHA256_DIGEST_LENGTH;

using Digest = Sha256Digest;

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && Lower(text.substr(0, prefix.size())) == Lower(prefix);
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

Status VerifyHmac(const SignatureCheck& check, const HmacSha256Key& key, std::string_view hex, std::string_view body) {
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
  Digest expected = key.Sign(body);
  if (CRYPTO_memcmp(sent.data(), expected.data(), kDigestBytes) != 0) {
    return Refuse(check, "does not match the body: the secret differs, or the body was changed on the way");
  }
  return Status::OK();
}

// Both sides hashed first, so the comparison takes the same time whatever
// the lengths (a plain comparison would tell the token's length).
Status VerifyToken(const SignatureCheck& check, const Digest& expected, std::string_view token) {
  Digest sent = Sha256(token);
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

SignatureVerifier::SignatureVerifier(SignatureCheck check, std::string_view secret)
    : check_(std::move(check)), header_(Lower(check_.header)), has_secret_(!secret.empty()) {
  if (check_.scheme == SignatureScheme::kHmacSha256) {
    key_ = std::make_shared<const HmacSha256Key>(secret);
  } else {
    token_digest_ = Sha256(secret);
  }
}

Status SignatureVerifier::Verify(const std::map<std::string, std::string>& headers, std::string_view body) const {
  if (!has_secret_) return Status::InvalidArgument("no secret is configured for " + check_.header);
  auto found = headers.find(header_);
  if (found == headers.end() || found->second.empty()) return Refuse(check_, "is missing");
  std::string_view value = found->second;
  if (!StartsWithIgnoringCase(value, check_.prefix)) {
    return Refuse(check_, "does not start with \"" + check_.prefix + "\"");
  }
  value.remove_prefix(check_.prefix.size());
  return check_.scheme == SignatureScheme::kHmacSha256 ? VerifyHmac(check_, *key_, value, body)
                                                       : VerifyToken(check_, token_digest_, value);
}

Status VerifySignature(const SignatureCheck& check, std::string_view secret,
                       const std::map<std::string, std::string>& headers, std::string_view body) {
  return SignatureVerifier(check, secret).Verify(headers, body);
}

std::string HmacSha256Hex(std::string_view secret, std::string_view body) {
  return DigestHex(HmacSha256Key(secret).Sign(body));
}

}  // namespace keel::http
