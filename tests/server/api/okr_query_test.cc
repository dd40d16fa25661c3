// OkrTree over examples/02-okr-rollup (run as its README says) and the
// quickstart's initiative: the expected values are worked out by hand from
// the packs' events.ndjson and READMEs (see each test).
#include "server/api/okr_query.h"

#include <gtest/gtest.h>

#include "tests/server/api/pack_log.h"

namespace keel::api {
namespace {

using nlohmann::json;

class OkrQueryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { okr_ = new testing::InProcessPackLog("02-okr-rollup", "2026-04-01T00:00:00Z"); }
  static void TearDownTestSuite() {
    delete okr_;
    okr_ = nullptr;
  }

  static json Tree(std::string_view from, std::string_view to, std::string_view points,
                   const VisibleToCaller& visible = nullptr) {
    auto query = ParseOkrQuery(from, to, points);
    EXPECT_TRUE(query.ok()) << query.status().ToString();
    auto tree = OkrTree(okr_->log(), "acme", *query, visible);
    EXPECT_TRUE(tree.ok()) << tree.status().ToString();
    return tree.ok() ? *tree : json();
  }

  static json Series(const json& node) {
    json values = json::array();
    for (const json& point : node["series"]) values.push_back(point["progress"]);
    return values;
  }

  static std::vector<std::string> Refs(const json& list) {
    std::vector<std::string> refs;
    for (const json& item : list) refs.push_back(item["ref"]);
    return refs;
  }

  static testing::InProcessPackLog* okr_;
};

testing::InProcessPackLog* OkrQueryTest::okr_ = nullptr;

// README: O-1 (KR-1: T-1, T-2; KR-2: T-3, T-4), O-2 (KR-3: T-4, T-5, T-6);
// at the end O-1 is achieved at 100, O-2 missed at 66.67, KR-1 and KR-2 at 100,
// KR-3 at 66.67 (the roll-ups write percentages; the API gives shares).
TEST_F(OkrQueryTest, TheTreeLinksKeyResultsByParentAndTasksByTheirLinks) {
  json tree = Tree("", "", "");
  EXPECT_EQ(tree["workspace"], "acme");
  ASSERT_EQ(Refs(tree["objectives"]), (std::vector<std::string>{"goal/O-1", "goal/O-2"}));
  const json& o1 = tree["objectives"][0];
  const json& o2 = tree["objectives"][1];
  EXPECT_EQ(o1["title"], "Grow self-serve revenue");
  EXPECT_EQ(o1["owner"], "user:olga");
  EXPECT_EQ(o1["status"], "achieved");
  EXPECT_EQ(o1["progress"], 1.0);
  EXPECT_EQ(o2["status"], "missed");
  EXPECT_EQ(o2["progress"], 0.6667);
  ASSERT_EQ(Refs(o1["key_results"]), (std::vector<std::string>{"key_result/KR-1", "key_result/KR-2"}));
  ASSERT_EQ(Refs(o2["key_results"]), (std::vector<std::string>{"key_result/KR-3"}));
  const json& kr1 = o1["key_results"][0];
  EXPECT_EQ(kr1["owner"], "user:ana");
  EXPECT_EQ(kr1["progress"], 1.0);
  EXPECT_EQ(kr1["initiatives"], json::array());
  EXPECT_EQ(Refs(kr1["tasks"]), (std::vector<std::string>{"task/T-1", "task/T-2"}));
  EXPECT_EQ(kr1["tasks"][0], (json{{"ref", "task/T-1"}, {"title", "Card payment in the trial upgrade"},
                                   {"status", "done"}, {"assignee", "user:dev"}}));
  EXPECT_EQ(Refs(o1["key_results"][1]["tasks"]), (std::vector<std::string>{"task/T-3", "task/T-4"}));
  EXPECT_EQ(o2["key_results"][0]["progress"], 0.6667);
  EXPECT_EQ(Refs(o2["key_results"][0]["tasks"]), (std::vector<std::string>{"task/T-4", "task/T-5", "task/T-6"}));
  EXPECT_EQ(o2["key_results"][0]["tasks"][2]["status"], "todo");
}

// Default range: the first change (O-1 created, 2 March 08:00) to the last (O-2
// missed at the quarter's end timer, 31 March 16:00Z), 30 points.
TEST_F(OkrQueryTest, TheDefaultRangeIsTheWorkspacesFirstToLastChangeIn30Points) {
  json tree = Tree("", "", "");
  EXPECT_EQ(tree["from"], "2026-03-02T08:00:00Z");
  EXPECT_EQ(tree["to"], "2026-03-31T16:00:00Z");
  const json& o2 = tree["objectives"][1];
  ASSERT_EQ(o2["series"].size(), 30u);
  EXPECT_EQ(o2["series"][0], (json{{"time", "2026-03-02T08:00:00Z"}, {"progress", nullptr}}));  // O-2: 08:01
  EXPECT_EQ(o2["series"][29], (json{{"time", "2026-03-31T16:00:00Z"}, {"progress", 0.6667}}));
  // O-1 at 08:00 exists, without progress yet (the first roll-up is at 10:00).
  EXPECT_EQ(tree["objectives"][0]["series"][0]["progress"], nullptr);
}

// Five points a week apart from 2 March 00:00 to 30 March 00:00. By hand from
// events.ndjson: T-1 done 10 Mar (KR-1 50, O-1 25), T-3 13 Mar (KR-2 50,
// O-1 50), T-2 18 Mar (KR-1 100, O-1 75), T-5 20 Mar (KR-3 33.33, O-2 33.33),
// T-4 27 Mar (KR-2 100, O-1 100, KR-3 66.67, O-2 66.67); before 2 March 08:00
// nothing exists, and the first roll-ups (2 and 3 March) give 0.
TEST_F(OkrQueryTest, TheSeriesIsTheProgressAsOfEachPoint) {
  json tree = Tree("2026-03-02T00:00:00Z", "2026-03-30T00:00:00Z", "5");
  const json& o1 = tree["objectives"][0];
  const json& o2 = tree["objectives"][1];
  EXPECT_EQ(o1["series"][1]["time"], "2026-03-09T00:00:00Z");
  EXPECT_EQ(o1["series"][4]["time"], "2026-03-30T00:00:00Z");
  EXPECT_EQ(Series(o1), json::parse("[null, 0, 0.5, 0.75, 1]"));
  EXPECT_EQ(Series(o2), json::parse("[null, 0, 0, 0.3333, 0.6667]"));
  EXPECT_EQ(Series(o1["key_results"][0]), json::parse("[null, 0, 0.5, 1, 1]"));
  EXPECT_EQ(Series(o1["key_results"][1]), json::parse("[null, 0, 0.5, 0.5, 1]"));
  EXPECT_EQ(Series(o2["key_results"][0]), json::parse("[null, 0, 0, 0.3333, 0.6667]"));
  // Progress "now" is the end state whatever the range.
  EXPECT_EQ(o1["progress"], 1.0);
}

// 15 March, the middle of the quarter, as one point: O-1 at 50 (T-1 and T-3
// done), KR-1 50, KR-2 50; O-2 and KR-3 still at 0.
TEST_F(OkrQueryTest, OnePointIsTheProgressAsOfThatTime) {
  json tree = Tree("2026-03-15T00:00:00Z", "2026-03-15T00:00:00Z", "1");
  EXPECT_EQ(Series(tree["objectives"][0]), json::parse("[0.5]"));
  EXPECT_EQ(Series(tree["objectives"][0]["key_results"][0]), json::parse("[0.5]"));
  EXPECT_EQ(Series(tree["objectives"][0]["key_results"][1]), json::parse("[0.5]"));
  EXPECT_EQ(Series(tree["objectives"][1]), json::parse("[0]"));
}

// Both objectives: created 2 March 08:00/08:01, due 31 March 16:00Z (about 704 h).
// On 15 March 00:00 about 0.43 of it has passed: O-1 at 0.5 is on track, O-2 at
// 0 is at risk. On 30 March 00:00 (0.94): O-1 at 1 is fine, O-2 at 0.6667 is
// 0.28 behind. Key results have no due date: never at risk.
TEST_F(OkrQueryTest, AtRiskComparesTheTimeElapsedWithTheProgressAtTheRangesEnd) {
  json middle = Tree("2026-03-02T00:00:00Z", "2026-03-15T00:00:00Z", "");
  EXPECT_FALSE(middle["objectives"][0]["at_risk"]);
  EXPECT_TRUE(middle["objectives"][1]["at_risk"]);
  EXPECT_FALSE(middle["objectives"][1]["key_results"][0]["at_risk"]);
  json late = Tree("", "2026-03-30T00:00:00Z", "");
  EXPECT_FALSE(late["objectives"][0]["at_risk"]);
  EXPECT_TRUE(late["objectives"][1]["at_risk"]);
  // 3 March 00:00: about 0.02 of the time has passed; nobody is behind yet.
  json early = Tree("", "2026-03-03T00:00:00Z", "");
  EXPECT_FALSE(early["objectives"][1]["at_risk"]);
}

TEST_F(OkrQueryTest, AHiddenEntityIsLeftOutWithEverythingUnderIt) {
  json tree = Tree("", "", "2", [](const EntityState& state) {
    std::string title = state.GetString("title");
    return title != "Trial-to-paid conversion at 3%" && title != "In-app tour of plans and the first project";
  });
  ASSERT_EQ(Refs(tree["objectives"][0]["key_results"]), (std::vector<std::string>{"key_result/KR-2"}));
  EXPECT_EQ(Refs(tree["objectives"][0]["key_results"][0]["tasks"]), (std::vector<std::string>{"task/T-3"}));
  EXPECT_EQ(Refs(tree["objectives"][1]["key_results"][0]["tasks"]), (std::vector<std::string>{"task/T-5", "task/T-6"}));
  json none = Tree("", "", "", [](const EntityState&) { return false; });
  EXPECT_EQ(none["objectives"], json::array());
  EXPECT_EQ(none["from"], nullptr);
  EXPECT_EQ(none["to"], nullptr);
}

TEST_F(OkrQueryTest, AnUnknownWorkspaceHasAnEmptyTree) {
  auto tree = OkrTree(okr_->log(), "globex", OkrQuery{});
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_EQ(*tree, json::parse(R"({"workspace":"globex","from":null,"to":null,"objectives":[]})"));
}

TEST(OkrQueryParseTest, BadParametersAreNamed) {
  EXPECT_EQ(ParseOkrQuery("yesterday", "", "").status().message(),
            "query parameter 'from': 'yesterday' is not an RFC 3339 time (e.g. 2026-03-15T00:00:00Z)");
  EXPECT_EQ(ParseOkrQuery("", "", "0").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseOkrQuery("", "", "1001").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseOkrQuery("", "", "3x").status().code(), StatusCode::kInvalidArgument);
  auto reversed = ParseOkrQuery("2026-03-10T00:00:00Z", "2026-03-01T00:00:00Z", "");
  EXPECT_EQ(reversed.status().code(), StatusCode::kInvalidArgument);
  auto ok = ParseOkrQuery("2026-03-01T00:00:00Z", "2026-03-10T00:00:00Z", "12");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->points, 12);
}

// The quickstart: initiative IN-7 supports KR-1 (an initiative.linked) and
// has T-101..T-103 as children (parent). KR-1's progress comes from
// key_result.progress_reported: 180 of a target of 500, a share of 0.36.
TEST(OkrQueryQuickstartTest, InitiativesServeTheKeyResultsTheyLinkTo) {
  testing::InProcessPackLog quickstart("quickstart", "");
  auto tree = OkrTree(quickstart.log(), "acme", OkrQuery{});
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  const json& kr1 = (*tree)["objectives"][0]["key_results"][0];
  EXPECT_EQ(kr1["ref"], "key_result/KR-1");
  EXPECT_EQ(kr1["progress"], 0.36);
  ASSERT_EQ(kr1["initiatives"].size(), 1u);
  const json& in7 = kr1["initiatives"][0];
  EXPECT_EQ(in7["ref"], "initiative/IN-7");
  EXPECT_EQ(in7["status"], "in_progress");
  EXPECT_EQ(in7["progress"], nullptr);
  std::vector<std::string> tasks;
  for (const json& task : in7["tasks"]) tasks.push_back(task["ref"]);
  EXPECT_EQ(tasks, (std::vector<std::string>{"task/T-101", "task/T-102", "task/T-103"}));
  EXPECT_EQ(in7["tasks"][1]["assignee"], "user:carol");
  EXPECT_EQ((*tree)["objectives"][0]["key_results"][1]["initiatives"], json::array());
}

}  // namespace
}  // namespace keel::api
