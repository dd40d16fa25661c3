// The query modules called directly (api_routes_test.cc calls them through
// HTTP): plain functions over an EventLog.
#include <gtest/gtest.h>

#include "engine/log/projection.h"
#include "server/api/approvals_query.h"
#include "server/api/entities_query.h"
#include "server/api/explain_query.h"
#include "server/api/history_query.h"
#include "tests/server/api/api_test_support.h"

namespace keel::testing {
namespace {

using Json = nlohmann::json;

std::unique_ptr<EventLog> OpenPack(const std::string& pack) {
  LogOptions options;
  options.read_only = true;
  auto log = EventLog::Open(PackLog(pack), options);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return std::move(log).value();
}

TEST(EntitiesQuery, ListsFiltersAndPages) {
  auto log = OpenPack("02-okr-rollup");
  api::EntityFilter filter;
  filter.kind = "key_result";
  filter.limit = 2;
  auto page = api::ListEntities(*log, "acme", filter);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ((*page)["entities"].size(), 2u);
  EXPECT_EQ((*page)["next"], "key_result/KR-2");
  filter.after = "key_result/KR-2";
  auto rest = api::ListEntities(*log, "acme", filter);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ((*rest)["entities"].size(), 1u);
  EXPECT_EQ((*rest)["entities"][0]["ref"], "key_result/KR-3");
  EXPECT_EQ((*rest)["entities"][0]["state"]["owner"], "user:cleo");
  EXPECT_EQ((*rest)["next"], nullptr);
  // Another workspace's entities are not in this one's list.
  auto none = api::ListEntities(*log, "globex", {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)["entities"], Json::array());
}

TEST(EntitiesQuery, GetsAnEntityAsOfAPoint) {
  auto log = OpenPack("02-okr-rollup");
  auto as_of = ParseAsOf("2026-03-11T00:00:00Z");  // README: 10 March KR-1 0 -> 50
  ASSERT_TRUE(as_of.ok());
  auto kr1 = api::GetEntity(*log, "acme", EntityRef{"key_result", "KR-1"}, *as_of, false);
  ASSERT_TRUE(kr1.ok()) << kr1.status().ToString();
  EXPECT_EQ((*kr1)["state"]["progress"], 50);
  auto missing = api::GetEntity(*log, "acme", EntityRef{"task", "T-9"}, std::nullopt, false);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "no task/T-9 in workspace 'acme'");
}

TEST(HistoryQuery, ChangesOfEachKindOfEvent) {
  auto log = OpenPack("06-client-visibility");
  auto history = api::EntityHistory(*log, "studio", EntityRef{"task", "T-5"}, 100, std::nullopt);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  std::map<std::string, Json> changes;
  for (const Json& event : (*history)["events"]) changes[event["id"]] = event["changes"];
  EXPECT_EQ(changes["cv-012"], Json::parse(R"({"assignee":{"from":"user:li","to":"guest:fred"}})"));
  EXPECT_EQ(changes["cv-013"], Json::parse(R"({"status":{"from":"todo","to":"in_progress"}})"));
  EXPECT_EQ(changes["d-203aafa961412300992370550214a18c"], Json::parse(R"({"visibility":{"to":"internal"}})"));
  EXPECT_EQ(changes["d-a535566678a50f9233167f30292d621f"],
            Json::parse(R"({"text":{"to":"guest:fred is a guest and hears nothing about this internal task. Set its visibility to guest to keep them informed, or reassign it."}})"));
}

TEST(ExplainQuery, LeavesHiddenNodesOutForGuests) {
  auto log = OpenPack("06-client-visibility");
  // cv-006 created T-5 without a visibility; a rule made it internal.
  auto member = api::ExplainEvent(*log, "studio", "cv-006", false);
  ASSERT_TRUE(member.ok());
  EXPECT_EQ((*member)["explained"]["children"].size(), 1u);
  EXPECT_EQ((*member)["explained"]["children"][0]["rule"]["id"], "visibility-defaults-to-internal");
  EXPECT_EQ(api::ExplainEvent(*log, "studio", "cv-006", true).status().code(), StatusCode::kNotFound);
}

TEST(ApprovalsQuery, GetsAnApprovalWithItsTimes) {
  auto log = OpenPack("04-sensitive-data-guardrails");
  auto approval = api::GetApproval(*log, "acme", "a-415743c3d0affaba");
  ASSERT_TRUE(approval.ok()) << approval.status().ToString();
  EXPECT_EQ((*approval)["status"], "rejected");
  EXPECT_EQ((*approval)["decided_time"], "2026-03-09T14:00:00Z");
  EXPECT_EQ(api::DecisionEventId("a-1", true), "api-approval-a-1-granted");
  EXPECT_EQ(api::DecisionEventId("a-1", false), "api-approval-a-1-rejected");
}

}  // namespace
}  // namespace keel::testing
