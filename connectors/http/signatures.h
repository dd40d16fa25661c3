// Request signatures: how a receiver knows a delivery comes from the tool
// that holds the shared secret. Checked on the raw body, in constant time,
// before anything else reads the request. A refusal's reason says what is
// wrong with the header, never the secret nor the digest that was expected.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "connectors/http/hmac_sha256.h"
#include "engine/status.h"

namespace keel::http {

enum class SignatureScheme {
  kHmacSha256,  // the header holds PREFIX + hex HMAC-SHA256(secret, body)
  kToken,       // the header holds PREFIX + the secret itself
};

// "hmac-sha256" or "token"; anything else is an error naming both.
Result<SignatureScheme> SignatureSchemeNamed(std::string_view name);

struct SignatureCheck {
  SignatureScheme scheme = SignatureScheme::kHmacSha256;
  std::string header;  // as the tool spells it, e.g. "X-Hub-Signature-256"; matched ignoring case
  std::string prefix;  // before the digest or token, e.g. "sha256=" or "Bearer "; matched ignoring case
};

// The checks of the tools keel knows (connectors/http/README.md, "Signatures").
SignatureCheck GitHubSignature();    // X-Hub-Signature-256: sha256=HEX
SignatureCheck JiraSignature();      // X-Hub-Signature: sha256=HEX
SignatureCheck GitLabSignature();    // X-Gitlab-Token: SECRET
SignatureCheck ClickUpSignature();   // X-Signature: HEX
SignatureCheck LinearSignature();    // Linear-Signature: HEX
SignatureCheck BearerToken();        // Authorization: Bearer TOKEN

// A check with its secret, prepared once (per endpoint): an HMAC secret is
// kept as a keyed context, a token only as its SHA-256. Safe to use from
// many threads at once.
class SignatureVerifier {
 public:
  SignatureVerifier(SignatureCheck check, std::string_view secret);

  // OK when `headers` (lower-case names, as HttpRequest has them) carry a
  // valid signature of `body`; otherwise InvalidArgument with the reason
  // (the receiver answers 401 with it). An empty secret refuses every
  // request.
  Status Verify(const std::map<std::string, std::string>& headers, std::string_view body) const;

  const SignatureCheck& check() const { return check_; }

 private:
  SignatureCheck check_;
  std::string header_;  // lower case, as HttpRequest has header names
  bool has_secret_ = false;
  Sha256Digest token_digest_{};           // kToken: SHA-256 of the token
  std::shared_ptr<const HmacSha256Key> key_;  // kHmacSha256
};

// The same check, preparing the secret on each call (for one-off checks).
Status VerifySignature(const SignatureCheck& check, std::string_view secret,
                       const std::map<std::string, std::string>& headers, std::string_view body);

// Lower-case hex HMAC-SHA256(secret, body): what a sender puts after the
// prefix (for clients such as `keel bench`).
std::string HmacSha256Hex(std::string_view secret, std::string_view body);

}  // namespace keel::http
