// Invariant 9 at the command line: each kind of bad input line is answered
// with its line number and what is wrong, the exit code is 1, and the valid
// lines around it are appended all the same.
#include <functional>

#include <gtest/gtest.h>

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

using json = nlohmann::ordered_json;

class IngestBadInputTest : public KeelCliTest {
 protected:
  // Ingests a valid line, `bad` on line 2, and another valid line. Expects
  // exit 1, both valid lines appended, and one error on line 2; returns its reason.
  std::string RejectionOfLine2(const std::string& bad, std::vector<std::string> extra = {}) {
    extra.push_back("--json");
    KeelRun run = Ingest({TaskCreated("ok-1", "T-1", "Brief"), bad, TaskCreated("ok-2", "T-2", "Copy")}, extra);
    EXPECT_EQ(run.exit_code, 1) << run.Describe();
    std::vector<std::string> out = Lines(run.out);
    if (out.size() != 1) {
      ADD_FAILURE() << "expected one JSON summary line\n" << run.Describe();
      return "";
    }
    json summary = json::parse(out[0]);
    EXPECT_EQ(summary["appended"], 2) << out[0];
    EXPECT_EQ(summary["rejected"], 1) << out[0];
    if (summary["errors"].size() != 1) {
      ADD_FAILURE() << "expected one error\n" << out[0];
      return "";
    }
    EXPECT_EQ(summary["errors"][0]["line"], 2) << out[0];
    return summary["errors"][0]["reason"];
  }

  static std::string ValidStatusChangeWith(const std::function<void(json&)>& change) {
    json event = json::parse(TaskStatusChanged("bad-1", "T-1", "done"));
    change(event);
    return event.dump();
  }
};

::testing::AssertionResult Mentions(const std::string& reason, const std::string& expected) {
  if (reason.find(expected) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "reason '" << reason << "' does not mention '" << expected << "'";
}

TEST_F(IngestBadInputTest, MalformedJsonIsRejectedNamingTheLine) {
  std::string reason = RejectionOfLine2(R"({"specversion":"1.0","id":"x",)");
  EXPECT_TRUE(Mentions(reason, "malformed JSON"));
}

TEST_F(IngestBadInputTest, MissingRequiredAttributeIsRejectedNamingTheAttribute) {
  std::string reason = RejectionOfLine2(ValidStatusChangeWith([](json& e) { e.erase("actor"); }));
  EXPECT_TRUE(Mentions(reason, "missing"));
  EXPECT_TRUE(Mentions(reason, "'actor'"));
}

TEST_F(IngestBadInputTest, MissingRequiredDataFieldIsRejectedNamingTheField) {
  std::string reason = RejectionOfLine2(ValidStatusChangeWith([](json& e) { e["data"] = json::object(); }));
  EXPECT_TRUE(Mentions(reason, "to"));
  EXPECT_TRUE(Mentions(reason, "missing"));
}

TEST_F(IngestBadInputTest, UnknownEventTypeIsRejectedNamingTheType) {
  std::string reason = RejectionOfLine2(ValidStatusChangeWith([](json& e) { e["type"] = "task.exploded"; }));
  EXPECT_TRUE(Mentions(reason, "unknown event type"));
  EXPECT_TRUE(Mentions(reason, "task.exploded"));
}

TEST_F(IngestBadInputTest, WrongDataTypeIsRejectedNamingTheFieldAndTheTypes) {
  std::string reason = RejectionOfLine2(ValidStatusChangeWith([](json& e) { e["data"]["to"] = 5; }));
  EXPECT_TRUE(Mentions(reason, "data.to"));
  EXPECT_TRUE(Mentions(reason, "string"));
  EXPECT_TRUE(Mentions(reason, "number"));
}

TEST_F(IngestBadInputTest, EventOverMaxEventBytesIsRejectedNamingSizeAndLimit) {
  std::string big = ValidStatusChangeWith([](json& e) { e["data"]["to"] = std::string(600, 'x'); });
  std::string reason = RejectionOfLine2(big, {"--max-event-bytes", "500"});
  EXPECT_TRUE(Mentions(reason, std::to_string(big.size()) + " bytes"));
  EXPECT_TRUE(Mentions(reason, "limit of 500 bytes"));
}

TEST_F(IngestBadInputTest, TwoMebibyteLineIsRejectedByTheDefaultOneMebibyteLimit) {
  std::string big = ValidStatusChangeWith([](json& e) { e["data"]["to"] = std::string(size_t{2} << 20, 'x'); });
  std::string reason = RejectionOfLine2(big);
  EXPECT_TRUE(Mentions(reason, std::to_string(big.size()) + " bytes"));
  EXPECT_TRUE(Mentions(reason, "limit of 1048576 bytes"));
}

TEST_F(IngestBadInputTest, TwoMebibyteLineOnStandardInputIsRejectedAndTheRestAppended) {
  std::string big = ValidStatusChangeWith([](json& e) { e["data"]["to"] = std::string(size_t{2} << 20, 'x'); });
  std::string input = JoinLines({TaskCreated("ok-1", "T-1", "Brief"), big, TaskCreated("ok-2", "T-2", "Copy")});
  KeelRun run = RunKeel({"ingest", "-", "--db", db(), "--json"}, input);
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  json summary = json::parse(run.out);
  EXPECT_EQ(summary["appended"], 2);
  ASSERT_EQ(summary["errors"].size(), 1u);
  EXPECT_EQ(summary["errors"][0]["line"], 2);
}

TEST_F(IngestBadInputTest, InvalidUtf8IsRejectedNamingTheLine) {
  std::string line = TaskStatusChanged("bad-1", "T-1", "done");
  line.replace(line.find("done"), 4, "d\xff\xfe" "e");
  std::string reason = RejectionOfLine2(line);
  EXPECT_TRUE(Mentions(reason, "UTF-8"));
}

TEST_F(IngestBadInputTest, ArrayLineIsRejectedAsNotAnObject) {
  std::string reason = RejectionOfLine2("[" + TaskCreated("in-array", "T-3", "Nested") + "]");
  EXPECT_TRUE(Mentions(reason, "must be a JSON object"));
  EXPECT_TRUE(Mentions(reason, "array"));
}

TEST_F(IngestBadInputTest, NumberLineIsRejectedAsNotAnObject) {
  std::string reason = RejectionOfLine2("12345");
  EXPECT_TRUE(Mentions(reason, "must be a JSON object"));
  EXPECT_TRUE(Mentions(reason, "number"));
}

TEST_F(IngestBadInputTest, EngineAttributeInAnInputEventIsRejected) {
  std::string reason = RejectionOfLine2(ValidStatusChangeWith([](json& e) { e["seq"] = 1; }));
  EXPECT_TRUE(Mentions(reason, "'seq'"));
}

TEST_F(IngestBadInputTest, SameIdSameContentTwiceInOneFileCountsAsADuplicate) {
  std::string line = TaskCreated("twice", "T-1", "Brief");
  KeelRun run;
  json summary = IngestJson({line, line}, &run);
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(summary.dump(), R"({"appended":1,"duplicates":1,"rejected":0,"ruleset":null,"errors":[]})");
}

TEST_F(IngestBadInputTest, SameIdOtherContentInOneFileIsAConflictNamingBothVersions) {
  KeelRun run;
  json summary = IngestJson({TaskCreated("twice", "T-1", "First title"), TaskCreated("twice", "T-1", "Second title")},
                            &run);
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_EQ(summary["appended"], 1);
  ASSERT_EQ(summary["errors"].size(), 1u) << summary.dump();
  EXPECT_EQ(summary["errors"][0]["line"], 2);
  std::string reason = summary["errors"][0]["reason"];
  EXPECT_TRUE(Mentions(reason, "'twice'"));
  EXPECT_TRUE(Mentions(reason, "First title"));
  EXPECT_TRUE(Mentions(reason, "Second title"));
}

TEST_F(IngestBadInputTest, SameIdOtherContentAcrossRunsIsAConflictNamingBothVersions) {
  IngestValid({TaskCreated("again", "T-1", "First title")});
  KeelRun run;
  json summary = IngestJson({TaskCreated("again", "T-1", "Second title")}, &run);
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  ASSERT_EQ(summary["errors"].size(), 1u) << summary.dump();
  std::string reason = summary["errors"][0]["reason"];
  EXPECT_TRUE(Mentions(reason, "First title"));
  EXPECT_TRUE(Mentions(reason, "Second title"));
}

TEST_F(IngestBadInputTest, DbUnderARegularFileFailsWithAClearError) {
  std::string file = WriteFile("not-a-folder", "plain text\n");
  std::string events = WriteFile("events.ndjson", TaskCreated("e1", "T-1", "Brief") + "\n");
  KeelRun run = RunKeel({"ingest", events, "--db", file + "/db"});
  EXPECT_NE(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.err.find("keel ingest: error:"), std::string::npos) << run.Describe();
  EXPECT_NE(run.err.find(file + "/db"), std::string::npos) << run.Describe();
  EXPECT_TRUE(std::filesystem::is_regular_file(file));
}

TEST_F(IngestBadInputTest, MissingInputFileFailsNamingIt) {
  std::string missing = (dir_ / "no-such.ndjson").string();
  KeelRun run = RunKeel({"ingest", missing, "--db", db()});
  EXPECT_NE(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.err.find("no-such.ndjson"), std::string::npos) << run.Describe();
}

}  // namespace
}  // namespace keel::testing
