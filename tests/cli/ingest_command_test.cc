// `keel ingest FILE|- --db DIR`, run as a user runs it: the counts it prints,
// its JSON summary, its exit code, and what ends up in the log.
#include <gtest/gtest.h>

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

using json = nlohmann::ordered_json;

class IngestCommandTest : public KeelCliTest {
 protected:
  std::vector<std::string> ThreeValidEvents() {
    return {TaskCreated("e1", "T-1", "Write the brief"), TaskStatusChanged("e2", "T-1", "in_progress"),
            TaskCreated("e3", "T-2", "Review the copy")};
  }

  // The ids in the log, in seq order, read back with `keel log --json`.
  std::vector<std::string> IdsInLog() {
    KeelRun run = RunKeel({"log", "--db", db(), "--json"});
    EXPECT_EQ(run.exit_code, 0) << run.Describe();
    std::vector<std::string> ids;
    for (const std::string& line : Lines(run.out)) ids.push_back(json::parse(line)["id"]);
    return ids;
  }
};

TEST_F(IngestCommandTest, ValidFilePrintsTheCountsAndExitsZero) {
  KeelRun run = Ingest(ThreeValidEvents());
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(run.out, "appended 3, duplicates 0, rejected 0\n");
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(IdsInLog(), (std::vector<std::string>{"e1", "e2", "e3"}));
}

TEST_F(IngestCommandTest, JsonSummaryHasExactlyTheDocumentedKeys) {
  KeelRun run;
  json summary = IngestJson(ThreeValidEvents(), &run);
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(summary.dump(), R"({"appended":3,"duplicates":0,"rejected":0,"ruleset":null,"errors":[]})");
}

TEST_F(IngestCommandTest, IngestingTheSameFileAgainCountsDuplicatesAndChangesNothing) {
  IngestValid(ThreeValidEvents());
  KeelRun run;
  json summary = IngestJson(ThreeValidEvents(), &run);
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(summary.dump(), R"({"appended":0,"duplicates":3,"rejected":0,"ruleset":null,"errors":[]})");
  EXPECT_EQ(IdsInLog().size(), 3u);
}

TEST_F(IngestCommandTest, ValidLinesAreAppendedWhenOtherLinesAreRejected) {
  KeelRun run;
  json summary = IngestJson({TaskCreated("e1", "T-1", "Brief"), "{not json", TaskStatusChanged("e2", "T-1", "done"),
                             "[]", TaskCreated("e3", "T-2", "Copy")},
                            &run);
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_EQ(summary["appended"], 3);
  EXPECT_EQ(summary["duplicates"], 0);
  EXPECT_EQ(summary["rejected"], 2);
  ASSERT_EQ(summary["errors"].size(), 2u) << summary.dump();
  EXPECT_EQ(summary["errors"][0]["line"], 2);
  EXPECT_EQ(summary["errors"][1]["line"], 4);
  EXPECT_EQ(IdsInLog(), (std::vector<std::string>{"e1", "e2", "e3"}));
}

TEST_F(IngestCommandTest, ErrorEntriesHaveExactlyLineAndReason) {
  json summary = IngestJson({"42"});
  ASSERT_EQ(summary["errors"].size(), 1u) << summary.dump();
  std::vector<std::string> keys;
  for (const auto& [key, value] : summary["errors"][0].items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"line", "reason"}));
  EXPECT_TRUE(summary["errors"][0]["reason"].is_string());
}

TEST_F(IngestCommandTest, LineNumbersCountBlankLines) {
  json summary = IngestJson({TaskCreated("e1", "T-1", "Brief"), "", "   ", "{oops"});
  ASSERT_EQ(summary["errors"].size(), 1u) << summary.dump();
  EXPECT_EQ(summary["errors"][0]["line"], 4);
  EXPECT_EQ(summary["appended"], 1);
}

TEST_F(IngestCommandTest, TextOutputNamesEachRejectedLine) {
  KeelRun run = Ingest({TaskCreated("e1", "T-1", "Brief"), "{oops", "7"});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  std::string all = run.out + run.err;
  EXPECT_NE(all.find("rejected 2"), std::string::npos) << run.Describe();
  EXPECT_NE(all.find("line 2: malformed JSON"), std::string::npos) << run.Describe();
  EXPECT_NE(all.find("line 3: an event must be a JSON object, got a number"), std::string::npos) << run.Describe();
}

TEST_F(IngestCommandTest, DashReadsStandardInput) {
  KeelRun run = RunKeel({"ingest", "-", "--db", db(), "--json"}, JoinLines(ThreeValidEvents()));
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(run.out, "{\"appended\":3,\"duplicates\":0,\"rejected\":0,\"ruleset\":null,\"errors\":[]}\n");
  EXPECT_EQ(IdsInLog(), (std::vector<std::string>{"e1", "e2", "e3"}));
}

TEST_F(IngestCommandTest, DashReportsBadLinesOfStandardInputByLineNumber) {
  std::string input = JoinLines({TaskCreated("e1", "T-1", "Brief"), "{oops"});
  KeelRun run = RunKeel({"ingest", "-", "--db", db(), "--json"}, input);
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_EQ(json::parse(run.out)["errors"][0]["line"], 2) << run.Describe();
}

TEST_F(IngestCommandTest, EmptyInputAppendsNothingAndExitsZero) {
  KeelRun run = RunKeel({"ingest", "-", "--db", db(), "--json"}, "");
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(run.out, "{\"appended\":0,\"duplicates\":0,\"rejected\":0,\"ruleset\":null,\"errors\":[]}\n");
}

TEST_F(IngestCommandTest, EventAboutAnEntityNeverCreatedIsAcceptedAndItsStateIsPartial) {
  KeelRun run = Ingest({TaskStatusChanged("e1", "T-404", "blocked")});
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  KeelRun state = RunKeel({"state", "task/T-404", "--db", db(), "--json"});
  ASSERT_EQ(state.exit_code, 0) << state.Describe();
  json parsed = json::parse(state.out);
  EXPECT_EQ(parsed["partial"], true) << state.out;
  EXPECT_EQ(parsed["status"], "blocked") << state.out;
}

TEST_F(IngestCommandTest, GroupsSmallerThanTheFileGiveTheSameLog) {
  std::vector<std::string> lines;
  for (int i = 0; i < 25; ++i) lines.push_back(TaskCreated("e" + std::to_string(i), "T-" + std::to_string(i), "Task"));
  lines.insert(lines.begin() + 10, "{oops");
  KeelRun run;
  run = Ingest(lines, {"--batch", "3", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  json summary = json::parse(run.out);
  EXPECT_EQ(summary["appended"], 25);
  EXPECT_EQ(summary["errors"][0]["line"], 11);
  EXPECT_EQ(IdsInLog().size(), 25u);
}

TEST_F(IngestCommandTest, RejectedLinesAreReportedInLineOrderAcrossGroups) {
  // Oversized lines are refused as they are read, invalid ones once their
  // group is decoded: the report is still in line order.
  std::vector<std::string> lines = {TaskCreated("e1", "T-1", "Task"), "{oops", TaskCreated("e2", "T-2", "Task"),
                                    TaskCreated("e3", "T-3", std::string(600, 'x')), TaskCreated("e4", "T-4", "Task")};
  KeelRun run = Ingest(lines, {"--batch", "2", "--max-event-bytes", "500", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  json summary = json::parse(run.out);
  EXPECT_EQ(summary["appended"], 3) << run.out;
  ASSERT_EQ(summary["errors"].size(), 2u) << run.out;
  EXPECT_EQ(summary["errors"][0]["line"], 2) << run.out;
  EXPECT_EQ(summary["errors"][1]["line"], 4) << run.out;
}

}  // namespace
}  // namespace keel::testing
