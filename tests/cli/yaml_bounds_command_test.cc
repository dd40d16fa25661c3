// Every YAML file keel reads from outside goes through one bounded loader
// (engine/yaml_load.h): serve.yaml and rule test files too. Nested aliases
// that add more than 100,000 nodes, an alias inside its own anchor, and (in test files) a
// duplicate key are refused with file:line:col.
#include <filesystem>

#include "tests/cli/cli_fixture.h"

namespace keel::testing {
namespace {

std::string Laughs(int levels) {
  std::string text = "x0: &a0 [l, l, l, l, l, l, l, l, l, l]\n";
  for (int level = 1; level <= levels; ++level) {
    std::string before = "*a" + std::to_string(level - 1);
    text += "x" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", " : "") + before;
    text += "]\n";
  }
  return text;
}

class YamlBoundsCommandTest : public KeelCliTest {};

TEST_F(YamlBoundsCommandTest, ServeRefusesAConfigurationOfNestedAliases) {
  std::string path = WriteFile("serve.yaml", Laughs(10));
  KeelRun run = RunKeel({"serve", "--config", path});
  EXPECT_NE(run.exit_code, 0) << run.Describe();
  // The aliases of x1 to x3 add 12,330 nodes, then 11,111 per *a3: the 8th.
  EXPECT_NE(run.err.find(path + ":5:45: more than 100000 YAML nodes added by aliases"), std::string::npos)
      << run.Describe();
}

TEST_F(YamlBoundsCommandTest, RulesTestRefusesADuplicateKeyInATestFile) {
  std::filesystem::create_directories(dir_ / "pack/rules");
  std::filesystem::create_directories(dir_ / "pack/tests");
  WriteFile("pack/rules/r.yaml", "id: r\non: task.created\nthen:\n  - add_comment: seen\n");
  std::string file = WriteFile("pack/tests/t.yaml", "rules: ../rules\n"
                                                    "tests:\n"
                                                    "  - name: one\n"
                                                    "    events: [{type: task.created, subject: task/T-1, data: {title: x}}]\n"
                                                    "    events: []\n");
  KeelRun run = RunKeel({"rules", "test", file});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.out.find(file + ":5:5: duplicate key 'events' (first at line 4)"), std::string::npos)
      << run.Describe();
}

TEST_F(YamlBoundsCommandTest, RulesTestRefusesNestedAliasesInATestFile) {
  std::filesystem::create_directories(dir_ / "pack/rules");
  std::filesystem::create_directories(dir_ / "pack/tests");
  WriteFile("pack/rules/r.yaml", "id: r\non: task.created\nthen:\n  - add_comment: seen\n");
  std::string file = WriteFile("pack/tests/t.yaml", "rules: ../rules\n" + Laughs(10));
  KeelRun run = RunKeel({"rules", "test", file});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  // As in serve.yaml, one line further down: the 8th *a3.
  EXPECT_NE(run.out.find(file + ":6:45: more than 100000 YAML nodes"), std::string::npos) << run.Describe();
}

}  // namespace
}  // namespace keel::testing
