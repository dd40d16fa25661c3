// RulesOf and RuleSetsOf over examples/02-okr-rollup, run as its README says.
// The counts are read by hand off expected/derived.ndjson (54 derived events):
// a firing is one rule reacting to one trigger and deriving something.
#include "server/api/rules_query.h"

#include <gtest/gtest.h>

#include "tests/server/api/pack_log.h"
#include "tests/support/events.h"

namespace keel::api {
namespace {

using nlohmann::json;

const json* FindRule(const json& answer, std::string_view id) {
  for (const json& rule : answer["rules"]) {
    if (rule["id"] == id) return &rule;
  }
  return nullptr;
}

class RulesQueryTest : public ::testing::Test {
 protected:
  testing::InProcessPackLog okr_{"02-okr-rollup", "2026-04-01T00:00:00Z"};
  RuleStats stats_;
};

// derived.ndjson, by rule, distinct causation ids:
//   objective-missed: okr-001, okr-002 (quarter-end timers), the cancel after
//     O-1 is achieved (line 36), the quarter's end for O-2 (lines 53-54): 4
//   check-in-start: KR-1..KR-3 created: 3
//   task-to-key-result: okr-006, 008, 009, 013, 014, 015, 016, 017 (which
//     updates two key results, lines 45 and 47, one firing): 8
//   key-result-to-objective: lines 7, 10, 21, 23, 34, 39, 46, 48: 8
//   check-in: 9, 16 March for three key results, 23 and 30 March for KR-3
//     (lines 12-13 ... 50-51, a notification and the next timer each): 8
//   objective-achieved: O-1 on 18 March (lines 35 and 37): 1
TEST_F(RulesQueryTest, EachRuleWithItsFiringsFromTheDerivedEvents) {
  auto answer = RulesOf(okr_.log(), "acme", stats_);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  std::map<std::string, uint64_t> fired;
  for (const json& rule : (*answer)["rules"]) {
    fired[rule["id"]] = rule["fired"];
    EXPECT_EQ(rule["failed"], 0);
  }
  EXPECT_EQ(fired, (std::map<std::string, uint64_t>{{"check-in", 8},
                                                     {"check-in-start", 3},
                                                     {"key-result-to-objective", 8},
                                                     {"objective-achieved", 1},
                                                     {"objective-missed", 4},
                                                     {"task-to-key-result", 8}}));
  // The last event each derived: line 54 (O-2 missed, 31 March 16:00Z) and
  // line 47 (KR-3 at 66.67, 27 March 16:00Z).
  const json* missed = FindRule(*answer, "objective-missed");
  ASSERT_NE(missed, nullptr);
  EXPECT_EQ((*missed)["last_fired"]["time"], "2026-03-31T16:00:00Z");
  auto stored = okr_.log().Read((*missed)["last_fired"]["seq"].get<uint64_t>());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->event.type, "notification.requested");
  EXPECT_EQ(stored->event.id, (*missed)["last_fired"]["event_id"]);
  const json* roll_up = FindRule(*answer, "task-to-key-result");
  ASSERT_NE(roll_up, nullptr);
  EXPECT_EQ((*roll_up)["last_fired"]["time"], "2026-03-27T16:00:00Z");
  EXPECT_EQ((*roll_up)["on"], json::parse(R"(["task.created","task.status_changed","task.linked","task.archived"])"));
  EXPECT_EQ((*roll_up)["description"],
            "A key result's progress is the share of its contributing tasks that are done: recomputed whenever such "
            "a task is created, changes status or gets a new link, for every key result the task contributes to.");
  EXPECT_EQ((*roll_up)["source"].get<std::string>().substr(0, 25), "id: task-to-key-result\nde");
  EXPECT_NE((*roll_up)["source"].get<std::string>().find("      done_statuses: [done]\n"), std::string::npos);
  // The second rule of weekly-check-in.yaml: its own lines, not the file's.
  const json* check_in = FindRule(*answer, "check-in");
  ASSERT_NE(check_in, nullptr);
  std::string source = (*check_in)["source"];
  EXPECT_EQ(source.rfind("  - id: check-in\n    description: Ask the key result's owner", 0), 0u) << source;
  EXPECT_EQ(source.find("check-in-start"), std::string::npos) << source;
  EXPECT_EQ((*check_in)["on"], json::parse(R"(["timer.fired"])"));
}

TEST_F(RulesQueryTest, TheActiveRuleSetIsTheOneActivatedBeforeTheFirstEvent) {
  auto answer = RulesOf(okr_.log(), "acme", stats_);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  auto active = okr_.log().ActiveRuleSet();
  ASSERT_TRUE(active.ok() && active->has_value());
  EXPECT_EQ((*answer)["ruleset"]["hash"], **active);
  EXPECT_EQ((*answer)["ruleset"]["activated_seq"], 1);
  EXPECT_EQ((*answer)["ruleset"]["activated_time"], "2026-03-02T08:00:00Z");
  EXPECT_EQ((*answer)["rules"].size(), 6u);

  auto sets = RuleSetsOf(okr_.log(), stats_);
  ASSERT_TRUE(sets.ok()) << sets.status().ToString();
  ASSERT_EQ((*sets)["activations"].size(), 1u);
  const json& first = (*sets)["activations"][0];
  EXPECT_EQ(first["seq"], 1);
  EXPECT_EQ(first["hash"], **active);
  EXPECT_EQ(first["time"], "2026-03-02T08:00:00Z");
  std::vector<std::string> ids = first["rules"];
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"check-in", "check-in-start", "key-result-to-objective",
                                           "objective-achieved", "objective-missed", "task-to-key-result"}));
}

TEST_F(RulesQueryTest, CountsFollowTheEventsAppendedSinceTheLastAnswer) {
  ASSERT_TRUE(RulesOf(okr_.log(), "acme", stats_).ok());
  // A failure and a new firing of task-to-key-result (T-6 done: KR-3 100).
  auto failed = okr_.mutable_log().Append(
      {{testing::MakeEvent({.id = "x-failed", .type = "rule.failed", .subject = "task/T-6", .time = "2026-04-02T09:00:00Z",
                            .data = {{"rule", "check-in"}, {"trigger", "okr-017"}, {"reason", "test"}}}),
        std::nullopt},
       {testing::MakeEvent({.id = "x-done", .subject = "task/T-6", .time = "2026-04-02T10:00:00Z",
                            .data = {{"from", "todo"}, {"to", "done"}}}),
        std::nullopt}});
  ASSERT_TRUE(failed.ok()) << failed.status().ToString();
  auto answer = RulesOf(okr_.log(), "acme", stats_);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ((*FindRule(*answer, "check-in"))["failed"], 1);
  EXPECT_EQ((*FindRule(*answer, "check-in"))["fired"], 8);
  EXPECT_EQ((*FindRule(*answer, "task-to-key-result"))["fired"], 9);
  EXPECT_EQ((*FindRule(*answer, "task-to-key-result"))["last_fired"]["time"], "2026-04-02T10:00:00Z");
}

TEST_F(RulesQueryTest, AnotherWorkspaceHasTheRulesAndNoFirings) {
  auto answer = RulesOf(okr_.log(), "globex", stats_);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  ASSERT_EQ((*answer)["rules"].size(), 6u);
  for (const json& rule : (*answer)["rules"]) {
    EXPECT_EQ(rule["fired"], 0);
    EXPECT_EQ(rule["last_fired"], nullptr);
  }
}

TEST(RulesQueryNoRulesTest, ALogWithoutRulesHasNoRuleSet) {
  testing::InProcessPackLog quickstart("quickstart", "");
  RuleStats stats;
  auto answer = RulesOf(quickstart.log(), "acme", stats);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(*answer, json::parse(R"({"ruleset":null,"rules":[]})"));
  auto sets = RuleSetsOf(quickstart.log(), stats);
  ASSERT_TRUE(sets.ok());
  EXPECT_EQ(*sets, json::parse(R"({"activations":[]})"));
}

}  // namespace
}  // namespace keel::api
