// Who may call the API and what they see: the tokens file, bearer tokens,
// the failed-login limit, workspaces (another one is not found, never
// forbidden) and guests (only what the workspace marks visible to them).
#include <gtest/gtest.h>

#include "server/api/api_access.h"
#include "server/api/api_tokens.h"
#include "tests/server/api/api_test_support.h"

namespace keel::testing {
namespace {

using api::ApiTokens;
using Json = nlohmann::json;

const std::string kDigest = "3f5c2a0d9b8e7f6a5c4b3a29181706f5e4d3c2b1a09f8e7d6c5b4a3928170605";

TEST(ApiTokensFile, ReadsEveryEntry) {
  auto tokens = ApiTokens::Parse("tokens:\n"
                                 "  - name: olga-laptop\n"
                                 "    sha256: " + kDigest + "\n"
                                 "    person: user:olga\n"
                                 "    role: member\n"
                                 "    workspaces: [acme, globex]\n"
                                 "  - name: ops\n"
                                 "    sha256: " + std::string(64, 'a') + "\n"
                                 "    person: user:root\n"
                                 "    role: admin\n"
                                 "    workspaces: ['*']\n",
                                 "api-tokens.yaml");
  ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
  ASSERT_EQ(tokens->tokens().size(), 2u);
  EXPECT_EQ(tokens->tokens()[0].name, "olga-laptop");
  EXPECT_EQ(HashToHex(tokens->tokens()[0].sha256), kDigest);
  EXPECT_EQ(tokens->tokens()[0].person, "user:olga");
  EXPECT_EQ(tokens->tokens()[0].role, api::ApiRole::kMember);
  EXPECT_EQ(tokens->tokens()[0].workspaces, (std::vector<std::string>{"acme", "globex"}));
  EXPECT_TRUE(tokens->tokens()[1].SeesWorkspace("anything"));
  EXPECT_FALSE(tokens->tokens()[0].SeesWorkspace("initech"));
}

TEST(ApiTokensFile, RefusesWithFileLineAndColumn) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::string head = "tokens:\n  - name: a\n    sha256: " + kDigest + "\n    person: user:a\n";
  std::vector<Case> cases = {
      {head + "    role: boss\n    workspaces: [acme]\n",
       "t.yaml:5:11: role must be admin, member or guest, not 'boss'"},
      {"tokens:\n  - name: a\n    sha256: ABC\n    person: user:a\n    role: member\n    workspaces: [acme]\n",
       "t.yaml:3:13: sha256 must be 64 lower-case hex digits (the SHA-256 of the token)"},
      {head + "    role: member\n    workspaces: ['*']\n",
       "t.yaml:6:18: only an admin token may name every workspace (\"*\")"},
      {head + "    role: member\n    workspaces: [acme]\n    token: keel_x\n",
       "t.yaml:7:5: unknown key 'token' (a token has name, sha256, person, role, workspaces)"},
      {head + "    role: member\n", "t.yaml:2:5: workspaces must be a non-empty list of workspace names"},
      {"tokenz: []\n", "t.yaml:1:1: unknown key 'tokenz' (the file has only 'tokens')"},
      {head + "    role: member\n    workspaces: [acme]\n" + "  - name: a\n    sha256: " + std::string(64, 'b') +
           "\n    person: user:b\n    role: guest\n    workspaces: [acme]\n",
       "t.yaml:7:11: the name 'a' is used twice"},
  };
  for (const Case& c : cases) {
    auto tokens = ApiTokens::Parse(c.text, "t.yaml");
    ASSERT_FALSE(tokens.ok()) << c.text;
    EXPECT_EQ(tokens.status().message(), c.message) << c.text;
  }
}

TEST(ApiTokensFile, FindsATokenByItsDigestOnly) {
  ApiTokens tokens = TestApiTokens();
  const api::ApiToken* found = tokens.Find("keel_test_priya");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->person, "user:priya");
  EXPECT_EQ(tokens.Find("keel_test_priyA"), nullptr);
  EXPECT_EQ(tokens.Find(""), nullptr);
}

TEST(ApiTokensFile, NewTokensAreKeelAnd32RandomBytesInBase64Url) {
  auto a = api::NewToken();
  auto b = api::NewToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  ASSERT_EQ(a->size(), 5u + 43u);  // 256 bits in 6-bit letters
  EXPECT_EQ(a->substr(0, 5), "keel_");
  EXPECT_EQ(a->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 5),
            std::string::npos);
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(api::TokenDigestHex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(FailedLoginLimiter, RefusesAnAddressAfterTenFailuresInAMinute) {
  api::FailedLoginLimiter limiter(10, std::chrono::seconds(60));
  auto t0 = api::FailedLoginLimiter::Clock::now();
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(limiter.Blocked("10.0.0.1", t0 + std::chrono::seconds(i)));
    limiter.RecordFailure("10.0.0.1", t0 + std::chrono::seconds(i));
  }
  auto wait = limiter.Blocked("10.0.0.1", t0 + std::chrono::seconds(10));
  ASSERT_TRUE(wait);
  EXPECT_EQ(wait->count(), 50);  // the first failure leaves the window at t0 + 60 s
  EXPECT_FALSE(limiter.Blocked("10.0.0.2", t0 + std::chrono::seconds(10)));
  EXPECT_FALSE(limiter.Blocked("10.0.0.1", t0 + std::chrono::seconds(60)));
}

TEST(ClientAddress, DropsThePort) {
  EXPECT_EQ(api::ClientAddress("127.0.0.1:5555"), "127.0.0.1");
  EXPECT_EQ(api::ClientAddress("[::1]:5555"), "::1");
  EXPECT_EQ(api::ClientAddress("::1:5555"), "::1");
}

class ApiAccessTest : public ::testing::Test {
 protected:
  // Pack 01 has workspaces acme and globex.
  ApiHarness api_{PackLog("01-initiative-kickoff"), ApiHarness::Mode::kReadOnly};
};

TEST_F(ApiAccessTest, NoTokenIsUnauthorized) {
  Reply reply = api_.Get("/api/v1/me", "");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.body["error"]["code"], "unauthorized");
  EXPECT_EQ(reply.Header("WWW-Authenticate"), "Bearer realm=\"keel\"");
}

TEST_F(ApiAccessTest, AWrongTokenIsUnauthorizedAndNotEchoed) {
  Reply reply = api_.Get("/api/v1/me", "keel_test_nobody");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.body, Json::parse(R"({"error":{"code":"unauthorized","message":"the token is not known"}})"));
  Reply basic = api_.Get("/api/v1/workspaces", "");
  EXPECT_EQ(basic.status, 401);
}

TEST_F(ApiAccessTest, TenFailedLoginsFromAnAddressAreThenRefusedWithRetryAfter) {
  for (int i = 0; i < 10; ++i) EXPECT_EQ(api_.Get("/api/v1/me", "keel_wrong_" + std::to_string(i)).status, 401);
  Reply limited = api_.Get("/api/v1/me", Token("admin"));  // even a good token, from that address
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body["error"]["code"], "rate_limited");
  int retry_after = std::stoi(limited.Header("Retry-After"));
  EXPECT_GE(retry_after, 55);
  EXPECT_LE(retry_after, 60);
}

TEST_F(ApiAccessTest, MeSaysWhoTheTokenIs) {
  Reply reply = api_.Get("/api/v1/me", Token("acme"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, Json::parse(R"({"person":"user:dev","role":"member","workspaces":["acme"]})"));
}

TEST_F(ApiAccessTest, WorkspacesAreThoseTheTokenSeesAndTheServeHolds) {
  EXPECT_EQ(api_.Get("/api/v1/workspaces", Token("admin")).body,
            Json::parse(R"({"workspaces":[{"id":"acme"},{"id":"globex"}]})"));
  EXPECT_EQ(api_.Get("/api/v1/workspaces", Token("acme")).body, Json::parse(R"({"workspaces":[{"id":"acme"}]})"));
  // studio is not in this log.
  EXPECT_EQ(api_.Get("/api/v1/workspaces", Token("studio")).body, Json::parse(R"({"workspaces":[]})"));
}

TEST_F(ApiAccessTest, AnotherWorkspaceIsNotFoundLikeAnUnknownOne) {
  Reply other = api_.Get("/api/v1/workspaces/globex/entities", Token("acme"));
  Reply unknown = api_.Get("/api/v1/workspaces/globex/entities", Token("studio"));
  Reply missing = api_.Get("/api/v1/workspaces/initech/entities", Token("admin"));
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.body, Json::parse(R"({"error":{"code":"not_found","message":"no workspace 'globex'"}})"));
  EXPECT_EQ(unknown.body, other.body);
  EXPECT_EQ(missing.body, Json::parse(R"({"error":{"code":"not_found","message":"no workspace 'initech'"}})"));
  // Every route under the workspace, the entity of the same id too.
  EXPECT_EQ(api_.Get("/api/v1/workspaces/globex/entities/initiative/IN-42", Token("acme")).body, other.body);
  EXPECT_EQ(api_.Get("/api/v1/workspaces/globex/approvals", Token("acme")).body, other.body);
  EXPECT_EQ(api_.Post("/api/v1/workspaces/globex/approvals/x/grant", Token("acme"), "{}").body, other.body);
  // The globex member sees its own.
  Reply own = api_.Get("/api/v1/workspaces/globex/entities/initiative/IN-42", Token("globex"));
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(own.body["state"]["title"], "Partner portal");
}

class GuestAccessTest : public ::testing::Test {
 protected:
  // Pack 06: T-1 client, T-2 internal, T-3 and T-4 guest, T-5 internal (set by
  // a rule); the initiative GLX-APP has no visibility.
  ApiHarness api_{PackLog("06-client-visibility"), ApiHarness::Mode::kReadOnly};
};

TEST_F(GuestAccessTest, AGuestListsOnlyEntitiesVisibleToGuests) {
  Reply guest = api_.Get("/api/v1/workspaces/studio/entities", Token("fred"));
  ASSERT_EQ(guest.status, 200);
  std::vector<std::string> refs;
  for (const Json& entity : guest.body["entities"]) refs.push_back(entity["ref"]);
  EXPECT_EQ(refs, (std::vector<std::string>{"task/T-1", "task/T-3", "task/T-4"}));
  Reply member = api_.Get("/api/v1/workspaces/studio/entities", Token("studio"));
  EXPECT_EQ(member.body["entities"].size(), 6u);
}

TEST_F(GuestAccessTest, AGuestTokenOnAnInternalTaskIsNotFound) {
  const std::string not_found = R"({"error":{"code":"not_found","message":"no task/T-2 in workspace 'studio'"}})";
  EXPECT_EQ(api_.Get("/api/v1/workspaces/studio/entities/task/T-2", Token("fred")).body, Json::parse(not_found));
  EXPECT_EQ(api_.Get("/api/v1/workspaces/studio/entities/task/T-2/history", Token("fred")).body,
            Json::parse(not_found));
  EXPECT_EQ(api_.Get("/api/v1/workspaces/studio/entities/task/T-2/explain", Token("fred")).body,
            Json::parse(not_found));
  EXPECT_EQ(api_.Get("/api/v1/workspaces/studio/events/cv-003/explain", Token("fred")).status, 404);
  // Made internal by a rule, after its creation without a visibility.
  EXPECT_EQ(api_.Get("/api/v1/workspaces/studio/entities/task/T-5", Token("fred")).status, 404);
  EXPECT_EQ(api_.Get("/api/v1/workspaces/studio/entities/initiative/GLX-APP", Token("fred")).status, 404);
  // A member sees it.
  Reply member = api_.Get("/api/v1/workspaces/studio/entities/task/T-2", Token("studio"));
  EXPECT_EQ(member.status, 200);
  EXPECT_EQ(member.body["state"]["visibility"], "internal");
}

TEST_F(GuestAccessTest, AGuestSeesAVisibleTaskAndItsHistory) {
  Reply task = api_.Get("/api/v1/workspaces/studio/entities/task/T-3", Token("fred"));
  ASSERT_EQ(task.status, 200);
  EXPECT_EQ(task.body["state"]["title"], "App store screenshots");
  EXPECT_EQ(task.body["state"]["status"], "in_review");
  Reply history = api_.Get("/api/v1/workspaces/studio/entities/task/T-3/history", Token("fred"));
  ASSERT_EQ(history.status, 200);
  // cv-004 created, cv-009 and its two notifications, cv-010, cv-011 and its two.
  EXPECT_EQ(history.body["events"].size(), 8u);
}

TEST_F(GuestAccessTest, AGuestCannotActAndSeesNoOnesApprovals) {
  Reply grant = api_.Post("/api/v1/workspaces/studio/approvals/any/grant", Token("fred"), "");
  EXPECT_EQ(grant.status, 403);
  EXPECT_EQ(grant.body["error"]["code"], "forbidden");
  Reply approvals = api_.Get("/api/v1/workspaces/studio/approvals?state=all", Token("fred"));
  EXPECT_EQ(approvals.body, Json::parse(R"({"approvals":[]})"));
}

TEST_F(GuestAccessTest, AGuestsExplanationLeavesHiddenEntitiesOut) {
  // cv-009 moved T-3 (guest-visible); its notifications are about T-3 too.
  Reply x = api_.Get("/api/v1/workspaces/studio/events/cv-009/explain", Token("fred"));
  ASSERT_EQ(x.status, 200);
  EXPECT_EQ(x.body["explained"]["event"]["id"], "cv-009");
  EXPECT_EQ(x.body["explained"]["children"].size(), 2u);
  // cv-015 moved the initiative, which guests do not see.
  EXPECT_EQ(api_.Get("/api/v1/workspaces/studio/events/cv-015/explain", Token("fred")).status, 404);
  EXPECT_EQ(api_.Get("/api/v1/workspaces/studio/events/cv-015/explain", Token("studio")).status, 200);
}

}  // namespace
}  // namespace keel::testing
