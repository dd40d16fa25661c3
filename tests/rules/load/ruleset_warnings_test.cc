// Warnings: the rule set loads, but something in it is likely wrong.
#include <gtest/gtest.h>

#include "tests/rules/rule_pack.h"

namespace keel::rules {
namespace {

using Strings = std::vector<std::string>;
using testing::RulePack;

TEST(RuleSetWarningsTest, WarningsAloneDoNotRefuseTheSet) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: '*'\nthen: [{notify: {recipients: ops, message: seen}}]\n");
  Result<RuleSet> set = pack.Load();
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_FALSE(set->warnings().empty());
  EXPECT_EQ(set->warnings().size(), pack.diagnostics().size());
  for (const Diagnostic& d : set->warnings()) EXPECT_EQ(d.severity, Severity::kWarning);
}

TEST(RuleSetWarningsTest, GlobMatchingEveryTypeHasNoEventTypeFilter) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: '*'\nthen: [{notify: {recipients: ops, message: seen}}]\n");
  pack.Add("rules/b.yaml", "id: b\non: ['*.*', task.created]\nthen: [{notify: {recipients: ops, message: seen}}]\n");
  pack.Add("rules/c.yaml", "id: c\non: '*.created'\nthen: [{notify: {recipients: ops, message: seen}}]\n");
  pack.LoadOk();
  Strings filters;
  for (const std::string& p : pack.Problems()) {
    if (p.find("no event-type filter") != std::string::npos) filters.push_back(p.substr(0, p.find(" warning")));
  }
  EXPECT_EQ(filters, (Strings{"rules/a.yaml:2:5:", "rules/b.yaml:2:5:"})) << pack.Report();
}

TEST(RuleSetWarningsTest, RuleThatTriggersItselfIsACycle) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: touch\non: task.updated\nthen:\n  - set_field: {field: touched, value: true}\n");
  pack.LoadOk();
  EXPECT_EQ(pack.Problems(),
            (Strings{"rules/a.yaml:1:5: warning: [touch] rule can trigger itself: touch emits task.updated, which it "
                     "listens to itself; cascades stop at the depth limit with rule.halted"}));
}

TEST(RuleSetWarningsTest, TwoRulesFeedingEachOtherAreACycle) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a-spawn\non: task.status_changed\nthen:\n  - create_task: {title: follow up}\n");
  pack.Add("rules/b.yaml", "id: b-start\non: task.created\nthen:\n  - set_status: started\n");
  pack.LoadOk();
  EXPECT_EQ(pack.Problems(),
            (Strings{"rules/a.yaml:1:5: warning: [a-spawn] cycle in the rule graph a-spawn -> b-start -> a-spawn: "
                     "a-spawn emits task.created, which b-start listens to; b-start emits task.status_changed, which "
                     "a-spawn listens to; cascades stop at the depth limit with rule.halted"}))
      << pack.Report();
}

TEST(RuleSetWarningsTest, RulesOfDisjointScopesDoNotFormACycle) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.status_changed\nscope: acme\nthen:\n  - create_task: {title: x}\n");
  pack.Add("rules/b.yaml", "id: b\non: task.created\nscope: [globex]\nthen:\n  - set_status: started\n");
  pack.LoadOk();
  EXPECT_TRUE(pack.diagnostics().empty()) << pack.Report();
}

TEST(RuleSetWarningsTest, DisabledRulesDoNotFormACycle) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.updated\nenabled: false\nthen:\n  - set_field: {field: x, value: 1}\n");
  pack.LoadOk();
  EXPECT_TRUE(pack.diagnostics().empty()) << pack.Report();
}

TEST(RuleSetWarningsTest, EmptyLiteralStatusCanNeverValidate) {
  RulePack pack;
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: initiative.created\n"
           "then:\n"
           "  - set_status: {to: ''}\n"
           "  - set_status: \"{{ '' }}\"\n"
           "  - set_status: \"{{ entity.next_status }}\"\n");
  pack.LoadOk();
  ASSERT_EQ(pack.Problems().size(), 2u) << pack.Report();
  EXPECT_EQ(pack.Problems()[0].substr(0, 93),
            "rules/a.yaml:4:22: warning: [a] set_status can never produce a valid initiative.status_change");
  EXPECT_NE(pack.Problems()[0].find("data.to"), std::string::npos) << pack.Report();
  EXPECT_EQ(pack.Problems()[1].substr(0, 31), "rules/a.yaml:5:17: warning: [a]");
}

TEST(RuleSetWarningsTest, EmitOfLiteralDataTheDeclaredSchemaRefuses) {
  RulePack pack;
  pack.Add("rules/ruleset.yaml",
           "events:\n"
           "  deal.won:\n"
           "    type: object\n"
           "    required: [amount]\n"
           "    properties:\n"
           "      amount: {type: number}\n"
           "      currency: {type: string, enum: [EUR, USD]}\n"
           "    additionalProperties: false\n");
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: task.status_changed\n"
           "then:\n"
           "  - emit: {type: deal.won, data: {amount: lots}}\n"
           "  - emit: {type: deal.won, data: {amount: '{{ entity.amount }}', currency: YEN}}\n"
           "  - emit: {type: deal.won, data: {amount: '{{ entity.amount }}', currency: EUR}}\n"
           "  - emit: {type: deal.won, data: {amount: 12.5}}\n");
  RuleSet set = pack.LoadOk();
  ASSERT_EQ(pack.Problems().size(), 2u) << pack.Report();
  EXPECT_EQ(pack.Problems()[0].substr(0, 79),
            "rules/a.yaml:4:34: warning: [a] emit can never produce a valid deal.won event: ");
  EXPECT_NE(pack.Problems()[0].find("data.amount"), std::string::npos) << pack.Report();
  EXPECT_EQ(pack.Problems()[1].substr(0, 31), "rules/a.yaml:5:34: warning: [a]");
  EXPECT_NE(pack.Problems()[1].find("data.currency"), std::string::npos) << pack.Report();
  ASSERT_EQ(set.custom_event_types().count("deal.won"), 1u);
  EXPECT_EQ(set.custom_event_types().at("deal.won")["required"], nlohmann::json::array({"amount"}));
}

TEST(RuleSetWarningsTest, OtherActionsThatCanNeverValidate) {
  RulePack pack;
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: task.assigned\n"
           "then:\n"
           "  - set_field: {field: version, value: 3}\n"
           "  - set_field: {field: due, value: next week}\n"
           "  - add_comment: ''\n"
           "  - link: {relation: blocks, target: T-9}\n"
           "  - create_task: {title: x, parent: nowhere}\n"
           "  - schedule: {name: remind, after: 3 days}\n"
           "  - notify: {recipients: ops, message: '', channel: email}\n");
  pack.LoadOk();
  Strings places;
  for (const Diagnostic& d : pack.diagnostics()) places.push_back(std::to_string(d.line) + ":" + std::to_string(d.col));
  EXPECT_EQ(places, (Strings{"4:24", "5:36", "6:18", "7:38", "8:37", "9:37", "10:40"})) << pack.Report();
}

}  // namespace
}  // namespace keel::rules
