// Every route of the API over the example packs' logs; expected values come
// from the packs' README and events (written by hand), and every answer is
// checked against schemas/openapi.json by the harness.
#include <gtest/gtest.h>

#include "tests/server/api/api_test_support.h"

namespace keel::testing {
namespace {

using Json = nlohmann::json;

std::vector<std::string> Refs(const Json& entities) {
  std::vector<std::string> refs;
  for (const Json& entity : entities) refs.push_back(entity["ref"]);
  return refs;
}

std::vector<std::string> Ids(const Json& events) {
  std::vector<std::string> ids;
  for (const Json& event : events) ids.push_back(event["id"]);
  return ids;
}

class OkrPackRoutes : public ::testing::Test {
 protected:
  // Pack 02: goals O-1, O-2; key results KR-1..3; tasks T-1..T-6 (README).
  ApiHarness api_{PackLog("02-okr-rollup"), ApiHarness::Mode::kReadOnly};
  const std::string ws_ = "/api/v1/workspaces/acme";
};

TEST_F(OkrPackRoutes, EntitiesAreListedInKindAndIdOrder) {
  Reply all = api_.Get(ws_ + "/entities", Token("acme"));
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(Refs(all.body["entities"]),
            (std::vector<std::string>{"goal/O-1", "goal/O-2", "key_result/KR-1", "key_result/KR-2", "key_result/KR-3",
                                      "task/T-1", "task/T-2", "task/T-3", "task/T-4", "task/T-5", "task/T-6"}));
  EXPECT_EQ(all.body["next"], nullptr);
  const Json& o1 = all.body["entities"][0];
  EXPECT_EQ(o1["kind"], "goal");
  EXPECT_EQ(o1["id"], "O-1");
  EXPECT_EQ(o1["state"]["title"], "Grow self-serve revenue");
}

TEST_F(OkrPackRoutes, EntitiesAreFiltered) {
  auto refs = [&](const std::string& query) { return Refs(api_.Get(ws_ + "/entities?" + query, Token("acme")).body["entities"]); };
  EXPECT_EQ(refs("kind=goal"), (std::vector<std::string>{"goal/O-1", "goal/O-2"}));
  EXPECT_EQ(refs("kind=task&assignee=user:dev"), (std::vector<std::string>{"task/T-1", "task/T-4", "task/T-6"}));
  EXPECT_EQ(refs("kind=task&status=done"),
            (std::vector<std::string>{"task/T-1", "task/T-2", "task/T-3", "task/T-4", "task/T-5"}));
  // q: a case-insensitive substring of the title or the id.
  EXPECT_EQ(refs("q=PROJECT"),
            (std::vector<std::string>{"key_result/KR-3", "task/T-4", "task/T-5", "task/T-6"}));
  EXPECT_EQ(refs("q=kr-2"), (std::vector<std::string>{"key_result/KR-2"}));
  EXPECT_EQ(refs("status=achieved"), (std::vector<std::string>{"goal/O-1"}));
  EXPECT_EQ(refs("status=missed"), (std::vector<std::string>{"goal/O-2"}));
  EXPECT_EQ(refs("kind=approval"), (std::vector<std::string>{}));
  EXPECT_EQ(refs("q=self-serve+revenue"), (std::vector<std::string>{"goal/O-1"}));
}

TEST_F(OkrPackRoutes, EntitiesArePaged) {
  Reply first = api_.Get(ws_ + "/entities?kind=task&limit=4", Token("acme"));
  EXPECT_EQ(Refs(first.body["entities"]), (std::vector<std::string>{"task/T-1", "task/T-2", "task/T-3", "task/T-4"}));
  ASSERT_EQ(first.body["next"], "task/T-4");
  Reply second = api_.Get(ws_ + "/entities?kind=task&limit=4&after=task/T-4", Token("acme"));
  EXPECT_EQ(Refs(second.body["entities"]), (std::vector<std::string>{"task/T-5", "task/T-6"}));
  EXPECT_EQ(second.body["next"], nullptr);
  // Across kinds.
  Reply kinds = api_.Get(ws_ + "/entities?limit=3&after=goal/O-2", Token("acme"));
  EXPECT_EQ(Refs(kinds.body["entities"]),
            (std::vector<std::string>{"key_result/KR-1", "key_result/KR-2", "key_result/KR-3"}));
  EXPECT_EQ(kinds.body["next"], "key_result/KR-3");
}

TEST_F(OkrPackRoutes, QueryBoundsAreChecked) {
  for (const std::string& query : {"limit=0", "limit=501", "limit=ten", "limit=", "limit=-1"}) {
    Reply reply = api_.Get(ws_ + "/entities?" + query, Token("acme"));
    EXPECT_EQ(reply.status, 400) << query;
    EXPECT_EQ(reply.body["error"]["code"], "bad_request") << query;
  }
  EXPECT_EQ(api_.Get(ws_ + "/entities?limit=500", Token("acme")).status, 200);
  EXPECT_EQ(api_.Get(ws_ + "/entities?after=nonsense", Token("acme")).status, 400);
  EXPECT_EQ(api_.Get(ws_ + "/entities/goal/O-1?as_of=yesterday", Token("acme")).status, 400);
  EXPECT_EQ(api_.Get(ws_ + "/entities/goal/O-1/history?limit=1001", Token("acme")).status, 400);
  EXPECT_EQ(api_.Get(ws_ + "/entities/goal/O-1/history?before=0", Token("acme")).status, 400);
  EXPECT_EQ(api_.Get(ws_ + "/approvals?state=some", Token("acme")).status, 400);
  Reply limit = api_.Get(ws_ + "/entities?limit=501", Token("acme"));
  EXPECT_EQ(limit.body["error"]["message"], "query parameter limit must be a whole number from 1 to 500, not '501'");
}

TEST_F(OkrPackRoutes, UnknownPathsAndMethods) {
  Reply path = api_.Get("/api/v1/nothing", Token("acme"));
  EXPECT_EQ(path.status, 404);
  EXPECT_EQ(path.body["error"]["code"], "not_found");
  Reply method = api_.Post(ws_ + "/entities", Token("acme"), "{}");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(method.Header("Allow"), "GET");
  EXPECT_EQ(api_.Get(ws_ + "/entities/widget/W-1", Token("acme")).status, 404);
  EXPECT_EQ(api_.Get(ws_ + "/entities/goal/O-9", Token("acme")).status, 404);
}

TEST_F(OkrPackRoutes, AnEntityNowAndAsOfATime) {
  Reply now = api_.Get(ws_ + "/entities/goal/O-1", Token("acme"));
  ASSERT_EQ(now.status, 200);
  EXPECT_EQ(now.body["ref"], "goal/O-1");
  EXPECT_EQ(now.body["state"]["status"], "achieved");
  EXPECT_EQ(now.body["state"]["progress"], 100);
  // README: 13 March O-1 25 -> 50, 18 March 50 -> 75 and achieved.
  Reply mid = api_.Get(ws_ + "/entities/goal/O-1?as_of=2026-03-15T00:00:00Z", Token("acme"));
  ASSERT_EQ(mid.status, 200);
  EXPECT_EQ(mid.body["state"]["progress"], 50);
  EXPECT_EQ(mid.body["state"]["status"], "active");
  EXPECT_LT(mid.body["seq"].get<uint64_t>(), now.body["seq"].get<uint64_t>());
  EXPECT_LT(mid.body["version"].get<int64_t>(), now.body["version"].get<int64_t>());
  Reply before = api_.Get(ws_ + "/entities/goal/O-1?as_of=2026-03-01T00:00:00Z", Token("acme"));
  EXPECT_EQ(before.status, 404);
}

TEST_F(OkrPackRoutes, AnEntityAsOfASeq) {
  Reply history = api_.Get(ws_ + "/entities/goal/O-1/history", Token("acme"));
  ASSERT_EQ(history.status, 200);
  const Json& created = history.body["events"].back();
  ASSERT_EQ(created["id"], "okr-001");
  Reply first = api_.Get(ws_ + "/entities/goal/O-1?as_of=" + std::to_string(created["seq"].get<uint64_t>()),
                         Token("acme"));
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body["version"], 1);
  EXPECT_EQ(first.body["seq"], created["seq"]);
  EXPECT_EQ(first.body["state"]["status"], "active");
  EXPECT_FALSE(first.body["state"].contains("progress"));
}

TEST_F(OkrPackRoutes, HistoryIsNewestFirstWithWhoWhichRuleAndWhatChanged) {
  // O-1's stream: okr-001, its timer, progress 0, 25, 50, 75, achieved, the
  // timer cancelled, olga told, progress 100 (expected/derived.ndjson).
  Reply all = api_.Get(ws_ + "/entities/goal/O-1/history", Token("acme"));
  ASSERT_EQ(all.body["events"].size(), 10u);
  EXPECT_EQ(all.body["next"], nullptr);
  const Json& created = all.body["events"][9];
  EXPECT_EQ(created["type"], "goal.created");
  EXPECT_EQ(created["actor"], "user:olga");
  EXPECT_EQ(created["ruleid"], nullptr);
  EXPECT_EQ(created["causationid"], nullptr);
  EXPECT_EQ(created["time"], "2026-03-02T08:00:00Z");
  EXPECT_EQ(created["changes"], Json::parse(R"({"title":{"to":"Grow self-serve revenue"},"status":{"to":"active"},
      "owner":{"to":"user:olga"},"target":{"to":75},"unit":{"to":"%"},"due":{"to":"2026-03-31T16:00:00Z"}})"));

  Reply page = api_.Get(ws_ + "/entities/goal/O-1/history?limit=3", Token("acme"));
  EXPECT_EQ(Ids(page.body["events"]),
            (std::vector<std::string>{"d-99906abac759377a18b5c191a4a32ecd", "d-85cafd5c6a83eb13038a31c77d7ad7e7",
                                      "d-ebc573629ad4801aacde3a5fca391908"}));
  const Json& hundred = page.body["events"][0];
  EXPECT_EQ(hundred["ruleid"], "key-result-to-objective");
  EXPECT_EQ(hundred["causationid"], "d-e6a29e457ae819b11fa7f2f83d198547");
  EXPECT_EQ(hundred["changes"], Json::parse(R"({"progress":{"from":75,"to":100}})"));
  ASSERT_EQ(page.body["next"], page.body["events"][2]["seq"]);

  Reply older = api_.Get(ws_ + "/entities/goal/O-1/history?limit=2&before=" +
                             std::to_string(page.body["next"].get<uint64_t>()),
                         Token("acme"));
  EXPECT_EQ(Ids(older.body["events"]),
            (std::vector<std::string>{"d-2f607d68d16473646d40e206ae07ca59", "d-ac55a56be2f1c03379caa42dc2e6dfcd"}));
  EXPECT_EQ(older.body["events"][0]["changes"], Json::parse(R"({"status":{"from":"active","to":"achieved"}})"));
  EXPECT_EQ(older.body["events"][0]["ruleid"], "objective-achieved");
  EXPECT_EQ(older.body["events"][1]["changes"], Json::parse(R"({"progress":{"from":50,"to":75}})"));
}

TEST_F(OkrPackRoutes, HistoryOfAnAssignmentAndAStatusChange) {
  // okr-013: T-1 todo -> done.
  Reply history = api_.Get(ws_ + "/entities/task/T-1/history", Token("acme"));
  bool seen = false;
  for (const Json& event : history.body["events"]) {
    if (event["id"] != "okr-013") continue;
    seen = true;
    EXPECT_EQ(event["changes"], Json::parse(R"({"status":{"from":"todo","to":"done"}})"));
  }
  EXPECT_TRUE(seen);
}

class KickoffPackRoutes : public ::testing::Test {
 protected:
  ApiHarness api_{PackLog("01-initiative-kickoff"), ApiHarness::Mode::kReadOnly};
};

TEST_F(KickoffPackRoutes, ExplainOfASpawnedTaskNamesItsRuleAndTheInputEvent) {
  Reply x = api_.Get("/api/v1/workspaces/acme/entities/task/t-c7bdaca5875ebc5e/explain", Token("acme"));
  ASSERT_EQ(x.status, 200);
  ASSERT_EQ(x.body["ancestors"].size(), 1u);
  EXPECT_EQ(x.body["ancestors"][0]["event"]["id"], "ko-002");
  EXPECT_EQ(x.body["ancestors"][0]["event"]["type"], "initiative.status_changed");
  EXPECT_FALSE(x.body["ancestors"][0].contains("rule"));
  const Json& explained = x.body["explained"];
  EXPECT_EQ(explained["event"]["id"], "d-c7bdaca5875ebc5e4b9e53330fff59bd");
  EXPECT_EQ(explained["event"]["type"], "task.created");
  EXPECT_EQ(explained["rule"]["id"], "kickoff-initiative");
  EXPECT_NE(explained["rule"]["source"].get<std::string>().find("kickoff-initiative"), std::string::npos);
  EXPECT_EQ(explained["rule"]["lines"].size(), 2u);
  std::vector<std::string> children;
  for (const Json& child : explained["children"]) children.push_back(child["event"]["id"]);
  EXPECT_EQ(children, (std::vector<std::string>{"d-e628a50a0a4270caee2f6c4ec3736a7a"}));
  EXPECT_EQ(explained["children"][0]["rule"]["id"], "link-task-to-initiative");
}

TEST_F(KickoffPackRoutes, ExplainOfAnInputEventHasItsDerivedEventsBelow) {
  Reply x = api_.Get("/api/v1/workspaces/acme/events/ko-002/explain", Token("acme"));
  ASSERT_EQ(x.status, 200);
  EXPECT_EQ(x.body["ancestors"], Json::array());
  EXPECT_EQ(x.body["explained"]["event"]["id"], "ko-002");
  EXPECT_EQ(x.body["explained"]["event"]["actor"], "user:dana");
  EXPECT_FALSE(x.body["explained"]["children"].empty());
  EXPECT_EQ(api_.Get("/api/v1/workspaces/acme/events/nope/explain", Token("acme")).body,
            Json::parse(R"({"error":{"code":"not_found","message":"no event with id 'nope' in workspace 'acme'"}})"));
  // ko-003 is globex's.
  EXPECT_EQ(api_.Get("/api/v1/workspaces/acme/events/ko-003/explain", Token("acme")).status, 404);
}

}  // namespace
}  // namespace keel::testing
