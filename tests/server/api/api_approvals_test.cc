// The approval inbox and its actions: pack 04's request for task/R-2 waits
// for user:priya after its first 7 events (gr-008 grants it); the full pack
// has one granted and one rejected approval.
#include <gtest/gtest.h>

#include "tests/server/api/api_test_support.h"

namespace keel::testing {
namespace {

using Json = nlohmann::json;

const std::string kPack = "04-sensitive-data-guardrails";
const std::string kApprovals = "/api/v1/workspaces/acme/approvals";
const std::string kApproval = kApprovals + "/a-35f66492b002dec9";

const Json kPending = Json::parse(R"({
  "ref": "approval/a-35f66492b002dec9", "target": "task/R-2", "approvers": ["user:priya"],
  "reason": "Health-insurance quote form collects name, email, date_of_birth, health", "status": "pending",
  "requested_time": "2026-03-02T09:30:00Z", "decided_by": null, "decided_time": null})");

class PendingApproval : public ::testing::Test {
 protected:
  ApiHarness api_{PackLog(kPack, 7), ApiHarness::Mode::kWritable};
};

TEST_F(PendingApproval, WaitsForItsApproverAndIsSeenByAdmins) {
  EXPECT_EQ(api_.Get(kApprovals, Token("priya")).body, Json({{"approvals", {kPending}}}));
  EXPECT_EQ(api_.Get(kApprovals, Token("admin")).body, Json({{"approvals", {kPending}}}));
  // user:dev is a member of acme, not an approver.
  EXPECT_EQ(api_.Get(kApprovals, Token("acme")).body, Json::parse(R"({"approvals":[]})"));
  EXPECT_EQ(api_.Get(kApprovals + "?state=all", Token("acme_guest")).body, Json::parse(R"({"approvals":[]})"));
}

TEST_F(PendingApproval, GrantAppendsAnEventWithThePersonAsActorOnce) {
  Reply grant = api_.Post(kApproval + "/grant", Token("priya"), R"({"reason":"Consent text is fine."})");
  ASSERT_EQ(grant.status, 200) << grant.text;
  EXPECT_EQ(grant.body["changed"], true);
  EXPECT_EQ(grant.body["event"]["id"], "api-approval-a-35f66492b002dec9-granted");
  ASSERT_TRUE(grant.body["event"]["seq"].is_number());
  EXPECT_EQ(grant.body["approval"]["status"], "granted");
  EXPECT_EQ(grant.body["approval"]["decided_by"], "user:priya");

  uint64_t seq = grant.body["event"]["seq"];
  auto stored = api_.log().Read(seq);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->event.type, "approval.granted");
  EXPECT_EQ(stored->event.actor, "user:priya");
  EXPECT_EQ(stored->event.subject, "approval/a-35f66492b002dec9");
  Json event = Json::parse(stored->event.canonical);
  EXPECT_EQ(event["source"], "keel-api");
  EXPECT_EQ(event["data"], Json::parse(R"({"by":"user:priya","comment":"Consent text is fine."})"));
  EXPECT_EQ(grant.body["approval"]["decided_time"], event["time"]);

  // A second click: nothing appended, the same event.
  uint64_t head = api_.log().Head().seq;
  Reply again = api_.Post(kApproval + "/grant", Token("priya"), R"({"reason":"Consent text is fine."})");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["changed"], false);
  EXPECT_EQ(again.body["event"]["seq"], seq);
  EXPECT_EQ(again.body["approval"]["status"], "granted");
  EXPECT_EQ(api_.log().Head().seq, head);

  // Rejecting it now: already decided.
  Reply reject = api_.Post(kApproval + "/reject", Token("priya"), R"({"reason":"changed my mind"})");
  EXPECT_EQ(reject.status, 409);
  EXPECT_EQ(reject.body, Json::parse(
                             R"({"error":{"code":"already_decided","message":"approval/a-35f66492b002dec9 is already granted"}})"));
  EXPECT_EQ(api_.log().Head().seq, head);
  // No longer pending.
  EXPECT_EQ(api_.Get(kApprovals, Token("priya")).body, Json::parse(R"({"approvals":[]})"));
  EXPECT_EQ(api_.Get(kApprovals + "?state=all", Token("priya")).body["approvals"][0]["status"], "granted");
}

TEST_F(PendingApproval, RejectCarriesTheReason) {
  Reply reject = api_.Post(kApproval + "/reject", Token("admin"), R"({"reason":"Use the payment form."})");
  ASSERT_EQ(reject.status, 200) << reject.text;
  EXPECT_EQ(reject.body["approval"]["status"], "rejected");
  EXPECT_EQ(reject.body["approval"]["decided_by"], "user:root");
  auto stored = api_.log().Read(reject.body["event"]["seq"].get<uint64_t>());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->event.id, "api-approval-a-35f66492b002dec9-rejected");
  EXPECT_EQ(Json::parse(stored->event.canonical)["data"],
            Json::parse(R"({"by":"user:root","reason":"Use the payment form."})"));
  EXPECT_EQ(api_.Post(kApproval + "/grant", Token("priya"), "").status, 409);
}

TEST_F(PendingApproval, OnlyApproversAndAdminsMayDecide) {
  uint64_t head = api_.log().Head().seq;
  Reply member = api_.Post(kApproval + "/grant", Token("acme"), "{}");
  EXPECT_EQ(member.status, 403);
  EXPECT_EQ(member.body, Json::parse(
                             R"({"error":{"code":"forbidden","message":"user:dev is not an approver of approval/a-35f66492b002dec9"}})"));
  Reply guest = api_.Post(kApproval + "/grant", Token("acme_guest"), "{}");
  EXPECT_EQ(guest.status, 403);
  EXPECT_EQ(guest.body["error"]["code"], "forbidden");
  EXPECT_EQ(api_.log().Head().seq, head);
}

TEST_F(PendingApproval, BadBodiesAndUnknownApprovals) {
  EXPECT_EQ(api_.Post(kApproval + "/grant", Token("priya"), "[1]").status, 400);
  EXPECT_EQ(api_.Post(kApproval + "/grant", Token("priya"), R"({"reason":5})").status, 400);
  EXPECT_EQ(api_.Post(kApproval + "/grant", Token("priya"), "{").status, 400);
  Reply unknown = api_.Post(kApprovals + "/a-nope/grant", Token("priya"), "{}");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body["error"]["code"], "not_found");
  Reply get = api_.Get(kApproval + "/grant", Token("priya"));
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.Header("Allow"), "POST");
}

TEST(ReadOnlyApprovals, ActionsAreAnsweredReadOnly) {
  ApiHarness api(PackLog(kPack, 7), ApiHarness::Mode::kReadOnly);
  Reply grant = api.Post(kApproval + "/grant", Token("priya"), "{}");
  EXPECT_EQ(grant.status, 409);
  EXPECT_EQ(grant.body["error"]["code"], "read_only");
}

TEST(DecidedApprovals, AllListsTheDecidedOnesWithWhoAndWhen) {
  ApiHarness api(PackLog(kPack), ApiHarness::Mode::kReadOnly);
  EXPECT_EQ(api.Get(kApprovals, Token("priya")).body, Json::parse(R"({"approvals":[]})"));
  Reply all = api.Get(kApprovals + "?state=all", Token("priya"));
  ASSERT_EQ(all.body["approvals"].size(), 2u);
  Json granted = kPending;
  granted["status"] = "granted";
  granted["decided_by"] = "user:priya";
  granted["decided_time"] = "2026-03-06T10:00:00Z";
  EXPECT_EQ(all.body["approvals"][0], granted);
  const Json& rejected = all.body["approvals"][1];
  EXPECT_EQ(rejected["ref"], "approval/a-415743c3d0affaba");
  EXPECT_EQ(rejected["target"], "task/R-3");
  EXPECT_EQ(rejected["status"], "rejected");
  EXPECT_EQ(rejected["decided_by"], "user:priya");
  EXPECT_EQ(rejected["decided_time"], "2026-03-09T14:00:00Z");
}

}  // namespace
}  // namespace keel::testing
