// keel run --max-depth / --max-derived record their limits with the rule
// set's activation: keel replay derives under them and says the log matches,
// keel ingest continues under them, and keel whatif of the same rules finds
// no difference (issue 19, item 4).
#include <filesystem>

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

using nlohmann::json;

class RecordedLimitsCommandTest : public KeelCliTest {
 protected:
  // Every comment makes another: only a limit ends the cascade.
  std::string EndlessComments() {
    std::filesystem::create_directories(dir_ / "rules");
    WriteFile("rules/open.yaml", "id: open\non: task.created\nthen: [{add_comment: \"opened\"}]\n");
    WriteFile("rules/echo.yaml", "id: echo\non: comment.added\nthen: [{add_comment: \"echo\"}]\n");
    return (dir_ / "rules").string();
  }

  KeelRun Run(const std::vector<std::string>& limits) {
    std::string events = WriteFile("first.ndjson", JoinLines({TaskCreated("e1", "T-1", "One")}));
    std::vector<std::string> args = {"run", "--rules", EndlessComments(), "--events", events, "--db", db(), "--json"};
    args.insert(args.end(), limits.begin(), limits.end());
    return RunKeel(args);
  }

  void ExpectReplayIdentical() {
    KeelRun replay = RunKeel({"replay", "--db", db(), "--json"});
    EXPECT_EQ(replay.exit_code, 0) << replay.Describe();
    EXPECT_EQ(json::parse(replay.out, nullptr, false)["identical"], true) << replay.out;
  }

  // The comments the rules added on `task`.
  int Comments(const std::string& task) {
    KeelRun log = RunKeel({"log", "--db", db(), "--json"});
    EXPECT_EQ(log.exit_code, 0) << log.Describe();
    int comments = 0;
    for (const std::string& line : Lines(log.out)) {
      json e = json::parse(line);
      comments += e["type"] == "comment.added" && e["subject"] == "task/" + task;
    }
    return comments;
  }
};

TEST_F(RecordedLimitsCommandTest, ReplayMatchesALogRunWithAnotherMaxDepth) {
  KeelRun run = Run({"--max-depth", "3"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(json::parse(run.out)["halted"], 1) << run.out;
  EXPECT_EQ(Comments("T-1"), 3);
  ExpectReplayIdentical();
}

TEST_F(RecordedLimitsCommandTest, ReplayMatchesALogRunWithAnotherMaxDerived) {
  KeelRun run = Run({"--max-derived", "5"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(json::parse(run.out)["halted"], 1) << run.out;
  EXPECT_EQ(Comments("T-1"), 5);
  ExpectReplayIdentical();
}

TEST_F(RecordedLimitsCommandTest, IngestContinuesUnderTheLimitsTheRunRecorded) {
  KeelRun run = Run({"--max-depth", "2", "--max-derived", "50"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  KeelRun ingest = Ingest({TaskCreated("e2", "T-2", "Two", "2026-03-02T11:00:00Z")});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.Describe();
  EXPECT_EQ(Comments("T-2"), 2) << "ingest cascades only as deep as the run did";
  ExpectReplayIdentical();
}

TEST_F(RecordedLimitsCommandTest, RunningAgainUnderOtherLimitsIsRecordedAndReplays) {
  ASSERT_EQ(Run({"--max-depth", "4"}).exit_code, 0);
  std::string events = WriteFile("second.ndjson", JoinLines({TaskCreated("e2", "T-2", "Two", "2026-03-02T11:00:00Z")}));
  KeelRun second = RunKeel({"run", "--rules", (dir_ / "rules").string(), "--events", events, "--db", db(),
                            "--max-depth", "2"});
  ASSERT_EQ(second.exit_code, 0) << second.Describe();
  EXPECT_NE(second.out.find("activated at seq"), std::string::npos) << second.out;
  EXPECT_EQ(Comments("T-1"), 4);
  EXPECT_EQ(Comments("T-2"), 2);
  ExpectReplayIdentical();
}

TEST_F(RecordedLimitsCommandTest, WhatIfOfTheSameRulesFindsNoDifferenceUnderRecordedLimits) {
  ASSERT_EQ(Run({"--max-depth", "3"}).exit_code, 0);
  KeelRun whatif = RunKeel({"whatif", "--db", db(), "--rules", (dir_ / "rules").string(), "--json"});
  ASSERT_EQ(whatif.exit_code, 0) << whatif.Describe();
  json result = json::parse(whatif.out);
  EXPECT_EQ(result["added"], 0) << whatif.out;
  EXPECT_EQ(result["removed"], 0) << whatif.out;
  EXPECT_EQ(result["changed"], 0) << whatif.out;
}

}  // namespace
}  // namespace keel::testing
