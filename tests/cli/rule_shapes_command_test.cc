// keel rules check and keel rules test on YAML of the wrong shape: an
// unquoted {{ }} in add_comment made `rules check` (and `serve`) segfault
// (exit 139, nothing printed), and a mapping as a key in a test file ended
// `rules test` with an uncaught yaml-cpp exception. Both now exit 1 with the
// problem at its file:line:col.
#include <filesystem>

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

class RuleShapesCommandTest : public KeelCliTest {
 protected:
  std::string Pack(const std::string& rule) {
    std::filesystem::create_directories(dir_ / "pack/rules");
    std::filesystem::create_directories(dir_ / "pack/tests");
    WriteFile("pack/rules/r.yaml", rule);
    return (dir_ / "pack").string();
  }
};

TEST_F(RuleShapesCommandTest, CheckReportsAnUnquotedTemplateInAFlowMappingInsteadOfCrashing) {
  std::string pack = Pack("id: a\non: task.created\nthen:\n  - add_comment: {text: {{ entity.assignee }}}\n");
  KeelRun run = RunKeel({"rules", "check", pack});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find("r.yaml:4:25: error: [a] a {{ }} template must be quoted"), std::string::npos)
      << run.Describe();
}

TEST_F(RuleShapesCommandTest, RulesTestReportsAMappingAsAKeyInATestFile) {
  std::string pack = Pack("id: a\non: task.created\nthen:\n  - add_comment: seen\n");
  std::string file = WriteFile("pack/tests/t.yaml", "rules: ../rules\n"
                                                    "tests:\n"
                                                    "  - name: one\n"
                                                    "    ? {a: b}\n"
                                                    "    : x\n"
                                                    "    events: []\n");
  KeelRun run = RunKeel({"rules", "test", file});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find(file + ":4:7: a key must be a plain string, not a mapping"), std::string::npos)
      << run.Describe();
  file = WriteFile("pack/tests/t.yaml", "rules: ../rules\nworkspace: {a: b}\ntests: [{events: []}]\n");
  run = RunKeel({"rules", "test", file});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find(file + ":2:12: workspace: expected a workspace name, got a mapping"), std::string::npos)
      << run.Describe();
}

}  // namespace
}  // namespace keel::testing
