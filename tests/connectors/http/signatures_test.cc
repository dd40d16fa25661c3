// Each tool's signature with the right, a wrong and a missing one. The
// right signatures were computed apart from keel (GitHub's from its
// documentation, the others with `openssl dgst -sha256 -hmac SECRET`).
#include "connectors/http/signatures.h"

#include <gtest/gtest.h>

namespace keel::testing {
namespace {

using http::SignatureCheck;
using Headers = std::map<std::string, std::string>;

// A right signature, the same with one digit changed, and none.
void ExpectRightWrongMissing(const SignatureCheck& check, const std::string& secret, const std::string& body,
                             const std::string& header, const std::string& right) {
  EXPECT_TRUE(http::VerifySignature(check, secret, {{header, right}}, body).ok()) << check.header;
  std::string wrong = right;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  Status refused = http::VerifySignature(check, secret, {{header, wrong}}, body);
  EXPECT_FALSE(refused.ok()) << check.header;
  EXPECT_EQ(refused.message().find(secret), std::string::npos) << refused.message();
  Status missing = http::VerifySignature(check, secret, {{"content-type", "application/json"}}, body);
  EXPECT_EQ(missing.message(), "the " + check.header + " header is missing");
  // An HMAC of another body is wrong too (a token does not depend on the body).
  if (check.scheme == http::SignatureScheme::kHmacSha256) {
    EXPECT_FALSE(http::VerifySignature(check, secret, {{header, right}}, body + " ").ok()) << check.header;
  }
}

// docs.github.com, "Validating webhook deliveries", "Testing the webhook
// payload validation".
TEST(SignaturesTest, GitHubDocumentedTestVector) {
  std::string secret = "It's a Secret to Everybody";
  std::string body = "Hello, World!";
  std::string right = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
  ExpectRightWrongMissing(http::GitHubSignature(), secret, body, "x-hub-signature-256", right);
  EXPECT_EQ(http::HmacSha256Hex(secret, body), right.substr(7));
}

TEST(SignaturesTest, JiraHubSignatureWithSha256Prefix) {
  ExpectRightWrongMissing(http::JiraSignature(), "jira-secret", R"({"webhookEvent":"jira:issue_created"})",
                          "x-hub-signature",
                          "sha256=4ce4f83412227a95fec604b770261b97c7f5650cf98949a1edb42156781a6f57");
}

TEST(SignaturesTest, ClickUpSignatureIsBareHex) {
  ExpectRightWrongMissing(http::ClickUpSignature(), "clickup-secret", R"({"event":"taskCreated","task_id":"1vj37mc"})",
                          "x-signature", "31ea36382a89040b6a5bcab0996a48dac0dc36291aa3a3c44a4cd5396ad230ce");
}

TEST(SignaturesTest, LinearSignatureIsBareHex) {
  ExpectRightWrongMissing(http::LinearSignature(), "linear-secret", R"({"action":"create","type":"Issue"})",
                          "linear-signature", "43f422497d56b0228b33fa8d906c3a295e3a381be3de68f1ceaf26d20f7c712e");
}

TEST(SignaturesTest, GitLabTokenIsTheSecretItself) {
  ExpectRightWrongMissing(http::GitLabSignature(), "gitlab-secret", R"({"object_kind":"issue"})", "x-gitlab-token",
                          "gitlab-secret");
  // A prefix or a suffix of the secret is not the secret.
  EXPECT_FALSE(http::VerifySignature(http::GitLabSignature(), "gitlab-secret", {{"x-gitlab-token", "gitlab"}}, "").ok());
  EXPECT_FALSE(
      http::VerifySignature(http::GitLabSignature(), "gitlab-secret", {{"x-gitlab-token", "gitlab-secret2"}}, "").ok());
}

TEST(SignaturesTest, BearerTokenForEvents) {
  ExpectRightWrongMissing(http::BearerToken(), "events-token", "{}", "authorization", "Bearer events-token");
  // RFC 6750: the scheme name is case-insensitive.
  EXPECT_TRUE(http::VerifySignature(http::BearerToken(), "events-token", {{"authorization", "bearer events-token"}}, "")
                  .ok());
  Status basic = http::VerifySignature(http::BearerToken(), "events-token", {{"authorization", "Basic ZXZlbnRz"}}, "");
  EXPECT_EQ(basic.message(), "the Authorization header does not start with \"Bearer \"");
}

TEST(SignaturesTest, MalformedDigestsAreRefusedWithTheirReason) {
  SignatureCheck github = http::GitHubSignature();
  std::string secret = "It's a Secret to Everybody";
  auto verify = [&](const std::string& value) {
    return http::VerifySignature(github, secret, {{"x-hub-signature-256", value}}, "Hello, World!").message();
  };
  EXPECT_EQ(verify("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
            "the X-Hub-Signature-256 header does not start with \"sha256=\"");
  EXPECT_EQ(verify("sha256=757107ea"),
            "the X-Hub-Signature-256 header has 8 characters where an HMAC-SHA256 has 64 hex digits");
  EXPECT_EQ(verify("sha256=z57107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
            "the X-Hub-Signature-256 header is not a hexadecimal digest");
  std::string wrong = verify("sha256=0000000000000000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(wrong,
            "the X-Hub-Signature-256 header does not match the body: the secret differs, or the body was changed on "
            "the way");
  EXPECT_EQ(wrong.find("757107ea"), std::string::npos);  // never the expected digest
  EXPECT_EQ(http::VerifySignature(github, "", {{"x-hub-signature-256", "sha256=00"}}, "").message(),
            "no secret is configured for X-Hub-Signature-256");
}

TEST(SignaturesTest, SchemesByName) {
  EXPECT_EQ(http::SignatureSchemeNamed("hmac-sha256").value(), http::SignatureScheme::kHmacSha256);
  EXPECT_EQ(http::SignatureSchemeNamed("token").value(), http::SignatureScheme::kToken);
  EXPECT_EQ(http::SignatureSchemeNamed("md5").status().message(),
            "unknown signature scheme \"md5\"; the schemes are hmac-sha256 and token");
}

}  // namespace
}  // namespace keel::testing
