// The limits that keep hostile or careless rule files safe (issue 8): names
// and numbers of any length are checked without recursion, regular
// expressions run through RE2 in linear time, and a rule set, or a rule test,
// cannot read files outside its folders.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "rules/cel/cel.h"
#include "rules/audit/rule_tests.h"
#include "rules/ruleset.h"
#include "tests/rules/rule_pack.h"
#include "tests/support/temp_dir.h"

namespace keel::rules {
namespace {

namespace fs = std::filesystem;
using testing::RulePack;
using testing::SimpleRule;

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

bool AnyProblemContains(const RulePack& pack, const std::string& text) {
  for (const std::string& problem : pack.Problems()) {
    if (problem.find(text) != std::string::npos) return true;
  }
  return false;
}

// A 200,000-character scalar once went through std::regex, whose matcher
// recursed per character and overflowed the stack.
TEST(RuleFileLimitsTest, HugeScalarsAreCheckedWithoutRecursion) {
  const std::string digits(200000, '7');
  RulePack numbers;
  numbers.Add("rules/order.yaml", "id: big-order\non: task.created\norder: " + digits +
                                      "\nthen:\n  - add_comment: \"seen\"\n");
  // Too big for int64 and uint64: read as a number, refused as an order.
  EXPECT_FALSE(numbers.Load().ok());
  EXPECT_TRUE(AnyProblemContains(numbers, "order: expected an integer")) << numbers.Report();

  RulePack ids;
  ids.Add("rules/id.yaml", SimpleRule(std::string(200000, 'a') + "!"));
  EXPECT_FALSE(ids.Load().ok());
  EXPECT_TRUE(AnyProblemContains(ids, "id")) << ids.Report();

  RulePack floats;
  floats.Add("rules/float.yaml", "id: float-order\non: task.created\norder: " + digits + "." + digits +
                                     "\nthen:\n  - add_comment: \"seen\"\n");
  EXPECT_FALSE(floats.Load().ok());
  EXPECT_TRUE(AnyProblemContains(floats, "order: expected an integer")) << floats.Report();
}

// `matches` uses RE2: a pattern that makes backtracking engines take
// exponential time is answered in linear time (a backtracking engine would
// not finish this test).
TEST(RuleFileLimitsTest, RegularExpressionsRunInLinearTime) {
  Result<cel::Program> program = cel::Compile(R"(event.data.title.matches("^(a+)+$"))");
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  cel::Activation activation;
  Result<cel::Value> event = cel::FromJsonText(R"({"data": {"title": ")" + std::string(5000, 'a') + R"(b"}})");
  ASSERT_TRUE(event.ok());
  activation.Bind("event", *event);
  Result<cel::Value> result = program->Evaluate(activation);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->AsBool());
}

TEST(RuleFileLimitsTest, ATemplateIsNamedNotReachedByPath) {
  RulePack pack;
  pack.Add("rules/spawn.yaml", "id: spawn\non: initiative.created\nthen:\n  - apply_template: ../../etc/passwd\n");
  pack.Add("templates/kickoff.yaml", "name: kickoff\ntasks:\n  - key: one\n    title: One\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_TRUE(AnyProblemContains(pack, "unknown template '../../etc/passwd'")) << pack.Report();
}

TEST(RuleFolderLimitsTest, ALinkToAFileOutsideTheFolderIsRefused) {
  keel::testing::TempDir dir;
  Write(dir / "secret.yaml", SimpleRule("secret"));
  Write(dir / "pack/rules/real.yaml", SimpleRule("real"));
  fs::create_symlink(dir / "secret.yaml", dir / "pack/rules/linked.yaml");
  Result<RuleSet> set = RuleSet::Load(dir / "pack/rules", "");
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("outside"), std::string::npos) << set.status().ToString();
  EXPECT_NE(set.status().message().find("linked.yaml"), std::string::npos) << set.status().ToString();
}

TEST(RuleFolderLimitsTest, ALinkThatStaysInsideTheFolderIsRead) {
  keel::testing::TempDir dir;
  Write(dir / "pack/rules/shared/real.yaml", SimpleRule("real"));
  fs::create_symlink(dir / "pack/rules/shared/real.yaml", dir / "pack/rules/alias.yml");
  Result<RuleSet> set = RuleSet::Load(dir / "pack/rules", "");
  // Both names hold the same rule id: the link was followed, and the set
  // reports the duplicate rather than reading outside anything.
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("real"), std::string::npos) << set.status().ToString();
}

TEST(RuleTestLimitsTest, ATestFileCannotNameFoldersOutsideItsPack) {
  keel::testing::TempDir dir;
  Write(dir / "elsewhere/rules/other.yaml", SimpleRule("other"));
  Write(dir / "pack/rules/real.yaml", SimpleRule("real"));
  const std::string tests = "tests:\n  - name: t\n    events: []\n    expect: []\n";
  Write(dir / "pack/tests/absolute.yaml", "rules: " + (dir / "elsewhere/rules").string() + "\n" + tests);
  Write(dir / "pack/tests/climbing.yaml", "rules: ../../elsewhere/rules\n" + tests);
  Write(dir / "pack/tests/templates.yaml", "rules: ../rules\ntemplates: ../../elsewhere\n" + tests);

  auto absolute = RunRuleTestFile(dir / "pack/tests/absolute.yaml");
  ASSERT_FALSE(absolute.ok());
  EXPECT_NE(absolute.status().message().find("absolute path"), std::string::npos) << absolute.status().ToString();
  auto climbing = RunRuleTestFile(dir / "pack/tests/climbing.yaml");
  ASSERT_FALSE(climbing.ok());
  EXPECT_NE(climbing.status().message().find("leaves the pack"), std::string::npos) << climbing.status().ToString();
  auto templates = RunRuleTestFile(dir / "pack/tests/templates.yaml");
  ASSERT_FALSE(templates.ok());
  EXPECT_NE(templates.status().message().find("templates: '../../elsewhere' leaves the pack"), std::string::npos)
      << templates.status().ToString();
}

}  // namespace
}  // namespace keel::rules
