// Rule and template files go through LoadYaml (engine/yaml_load.h): a file
// whose aliases add more than 100,000 nodes ("billion laughs": 6 levels once
// took 40 s and 3.9 GB, 10 never finished, because the loader walks an
// aliased node once per alias) is refused at the alias that passes the
// bound, as is an alias inside its own anchor (a walk would never end).
#include <gtest/gtest.h>

#include "tests/rules/rule_pack.h"

namespace keel::rules {
namespace {

using testing::RulePack;
using testing::SimpleRule;

// Lines "xN: &aN [...]": a list of 10 scalars, then `levels` lists of 10
// aliases of the one before.
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

constexpr const char* kBound =
    "error: more than 100000 YAML nodes added by aliases (each alias repeats the whole node its anchor names); "
    "a file's aliases may add at most 100000";

TEST(YamlBoundsTest, ARuleFileOfNestedAliasesIsRefusedAtTheAliasPastTheBound) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.created\n" + Laughs(10));
  EXPECT_FALSE(pack.Load().ok());
  // The aliases of x1 to x3 add 12,330 nodes, each *a3 of x4 11,111: the
  // 8th, at column 45, passes 100,000.
  EXPECT_EQ(pack.Problems(), std::vector<std::string>{std::string("rules/a.yaml:7:45: ") + kBound}) << pack.Report();
}

TEST(YamlBoundsTest, ATemplateFileOfNestedAliasesIsRefusedToo) {
  RulePack pack;
  pack.Add("rules/r.yaml", SimpleRule("r"));
  pack.Add("templates/t.yaml", "name: t\n" + Laughs(10));
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), std::vector<std::string>{std::string("templates/t.yaml:6:45: ") + kBound})
      << pack.Report();
}

TEST(YamlBoundsTest, AnAliasInsideItsOwnAnchorIsRefused) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.created\nthen: &t [*t]\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), std::vector<std::string>{"rules/a.yaml:3:11: error: an alias inside the node its anchor "
                                                      "names: the node would contain itself without end"})
      << pack.Report();
}

TEST(YamlBoundsTest, AliasesWithinTheBoundStillLoad) {
  RulePack pack;
  pack.Add("rules/a.yaml", "rules:\n"
                           "  - id: a\n"
                           "    on: task.created\n"
                           "    then: &comment [{add_comment: seen}]\n"
                           "  - id: b\n"
                           "    on: task.updated\n"
                           "    then: *comment\n");
  RuleSet set = pack.LoadOk();
  EXPECT_EQ(set.rules().size(), 2u);
}

}  // namespace
}  // namespace keel::rules
