// The rule graph leaves out edges that an action's constant values rule out:
// the listener's equality guard requires another value than the action writes.
#include <gtest/gtest.h>

#include "rules/load/rule_graph.h"
#include "tests/rules/rule_pack.h"

namespace keel::rules {
namespace {

using Strings = std::vector<std::string>;
using testing::RulePack;

TEST(EdgeGuardsTest, AGuardThatMovesATaskBackToReviewDoesNotTriggerItself) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(id: guard
on: task.status_changed
if: event.data.to == "done" && entity.approved != true
then:
  - set_status: review
  - add_comment: "not yet"
)");
  pack.LoadOk();
  EXPECT_TRUE(pack.Problems().empty()) << pack.Report();
}

TEST(EdgeGuardsTest, AStatusThatMeetsTheGuardStillMakesACycle) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: again\non: task.status_changed\nif: event.data.to == \"done\"\nthen: [{set_status: done}]\n");
  pack.LoadOk();
  ASSERT_EQ(pack.Problems().size(), 1u) << pack.Report();
  EXPECT_NE(pack.Problems()[0].find("rule can trigger itself"), std::string::npos) << pack.Report();
}

TEST(EdgeGuardsTest, AComputedStatusCouldBeAnythingAndKeepsTheEdge) {
  RulePack pack;
  pack.Add("rules/a.yaml",
           "id: echo\non: task.status_changed\nif: event.data.to == \"done\"\nthen: [{set_status: \"{{ entity.next }}\"}]\n");
  pack.LoadOk();
  EXPECT_EQ(pack.Problems().size(), 1u) << pack.Report();
}

TEST(EdgeGuardsTest, ConstantFieldValuesAndTypesAreComparedAcrossRules) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(rules:
  - id: mark
    on: task.updated
    if: event.data.changes.state.to == "open"
    then: [{set_field: {field: state, value: closed}}]
  - id: reopen
    on: task.updated
    if: event.data.changes.state.to == "closed"
    then: [{set_field: {field: state, value: open}}]
)");
  RuleSet set = pack.LoadOk();
  RuleGraph graph = BuildRuleGraph(set.rules());
  ASSERT_EQ(graph.edges.size(), 2u);  // mark -> reopen and reopen -> mark; neither to itself
  EXPECT_NE(graph.edges[0].from, graph.edges[0].to);
  EXPECT_NE(graph.edges[1].from, graph.edges[1].to);
  EXPECT_EQ(graph.cycles.size(), 1u);  // they do feed each other
}

TEST(EdgeGuardsTest, ATimerThatReArmsItselfAFixedTimeLaterRecursWithoutACycle) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(id: weekly
on: {timer: check-in}
then:
  - notify: {recipients: ops, message: check in}
  - schedule: {name: check-in, after: 168h}
)");
  RuleSet set = pack.LoadOk();
  EXPECT_TRUE(pack.Problems().empty()) << pack.Report();
  RuleGraph graph = BuildRuleGraph(set.rules());
  ASSERT_EQ(graph.edges.size(), 1u);  // still shown: it does trigger itself, a week later
  EXPECT_TRUE(graph.edges[0].later);
  EXPECT_NE(RenderGraphText(graph).find("weekly (via timer.fired, later)"), std::string::npos) << RenderGraphText(graph);
}

TEST(EdgeGuardsTest, ATimerReArmedAtAComputedTimeMayFireAtOnceAndIsACycle) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(id: again
on: {timer: check-in}
then:
  - schedule: {name: check-in, at: "{{ event.time }}"}
)");
  pack.LoadOk();
  ASSERT_EQ(pack.Problems().size(), 1u) << pack.Report();
  EXPECT_NE(pack.Problems()[0].find("rule can trigger itself"), std::string::npos) << pack.Report();
}

TEST(EdgeGuardsTest, ATimerOfAnotherNameTriggersNothing) {
  RulePack pack;
  pack.Add("rules/a.yaml", R"(rules:
  - id: arm
    on: task.created
    then: [{schedule: {name: ping, at: "{{ event.time }}"}}]
  - id: pong
    on: {timer: pong}
    then: [{notify: {recipients: ops, message: pong}}]
)");
  RuleSet set = pack.LoadOk();
  EXPECT_TRUE(BuildRuleGraph(set.rules()).edges.empty());
}

}  // namespace
}  // namespace keel::rules
