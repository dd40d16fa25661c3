// keel rules test: test files run against their rule set, failures shown as
// expected against got.
#include <filesystem>

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

using nlohmann::json;

class RulesTestCommandTest : public KeelCliTest {
 protected:
  // A pack with one rule and one test file holding `tests`.
  std::string Pack(const std::string& tests) {
    std::filesystem::create_directories(dir_ / "pack/rules");
    std::filesystem::create_directories(dir_ / "pack/tests");
    WriteFile("pack/rules/hello.yaml", R"(id: hello
on: task.created
if: event.data.title != "quiet"
then:
  - add_comment: "hello {{ event.data.title }}"
)");
    WriteFile("pack/tests/hello.yaml", "rules: ../rules\ntests:\n" + tests);
    return (dir_ / "pack").string();
  }
};

TEST_F(RulesTestCommandTest, TheKickoffPacksTestsPass) {
  KeelRun run = RunKeel({"rules", "test", "examples/01-initiative-kickoff"});
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.out.find("4 tests: 4 passed, 0 failed"), std::string::npos) << run.out;
}

TEST_F(RulesTestCommandTest, AFailingExpectationPrintsItsLineExpectedAndGot) {
  std::string pack = Pack(R"(  - name: greets
    events:
      - {type: task.created, subject: task/T-1, data: {title: One}}
    expect:
      - {type: comment.added, data: {text: "hello Two"}}
  - name: quiet
    events:
      - {type: task.created, subject: task/T-2, data: {title: quiet}}
    expect: []
)");
  KeelRun run = RunKeel({"rules", "test", pack});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find("FAIL  greets"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("line 7: expected derived event 1 {\"data\":{\"text\":\"hello Two\"},\"type\":\"comment.added\"}"),
            std::string::npos) << run.out;
  EXPECT_NE(run.out.find("got: {\"data\":{\"text\":\"hello One\"}"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("PASS  quiet"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("2 tests: 1 passed, 1 failed"), std::string::npos) << run.out;
}

TEST_F(RulesTestCommandTest, UnexpectedExtraEventsFailUnlessAllowed) {
  std::string pack = Pack(R"(  - name: strict
    events:
      - {type: task.created, subject: task/T-1, data: {title: One}}
    expect: []
  - name: loose
    allow_other: true
    events:
      - {type: task.created, subject: task/T-1, data: {title: One}}
    expect: []
    expect_state:
      task/T-1: {title: One, status: null}
)");
  KeelRun run = RunKeel({"rules", "test", pack, "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  json report = json::parse(run.out);
  EXPECT_EQ(report["passed"], 0);
  EXPECT_EQ(report["failed"], 2);
  EXPECT_NE(report["tests"][0]["failures"][0].get<std::string>().find("was not expected"), std::string::npos);
  // status is absent from the state, and null in the test: absent is not null.
  EXPECT_NE(report["tests"][1]["failures"][0].get<std::string>().find("expected task/T-1 to match"), std::string::npos)
      << report;
}

TEST_F(RulesTestCommandTest, ABadTestFileIsNamedWithItsPlace) {
  std::string pack = Pack("  - name: x\n    event: []\n");
  KeelRun run = RunKeel({"rules", "test", pack});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find("hello.yaml:4:5: unknown key 'event'"), std::string::npos) << run.out;
}

TEST_F(RulesTestCommandTest, AnInvalidInputEventFailsTheTestWithTheReason) {
  std::string pack = Pack(R"(  - name: bad input
    events:
      - {type: task.created, subject: task/T-1, data: {}}
    expect: []
)");
  KeelRun run = RunKeel({"rules", "test", pack});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find("input event 1 is not valid"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("title"), std::string::npos) << run.out;
}

TEST_F(RulesTestCommandTest, NoTestFilesIsAnError) {
  std::filesystem::create_directories(dir_ / "empty");
  KeelRun run = RunKeel({"rules", "test", (dir_ / "empty").string()});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.err.find("no test files"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace keel::testing
