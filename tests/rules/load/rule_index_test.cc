// The index finds the rules an event type can trigger: globs resolved at
// load, by order then id, enabled rules only; scope is the rule's to answer.
#include <gtest/gtest.h>

#include "tests/rules/rule_pack.h"

namespace keel::rules {
namespace {

using Strings = std::vector<std::string>;
using testing::RulePack;
using testing::SimpleRule;

Strings Ids(std::span<const Rule* const> rules) {
  Strings out;
  for (const Rule* rule : rules) out.push_back(rule->id);
  return out;
}

TEST(RuleIndexTest, GlobsResolveToTheKnownTypes) {
  RulePack pack;
  pack.Add("rules/a.yaml", SimpleRule("tasks", "task.*"));
  pack.Add("rules/b.yaml", SimpleRule("statuses", "'*.status_changed'"));
  RuleSet set = pack.LoadOk();
  EXPECT_EQ(set.FindRule("tasks")->event_types,
            (Strings{"task.archived", "task.assigned", "task.created", "task.linked", "task.status_changed",
                     "task.updated"}));
  EXPECT_EQ(set.FindRule("tasks")->on, (Strings{"task.*"}));
  EXPECT_EQ(set.FindRule("statuses")->event_types,
            (Strings{"approval.status_changed", "goal.status_changed", "initiative.status_changed",
                     "key_result.status_changed", "kpi.status_changed", "task.status_changed"}));
  EXPECT_EQ(Ids(set.Candidates("task.status_changed")), (Strings{"statuses", "tasks"}));
  EXPECT_EQ(Ids(set.Candidates("goal.status_changed")), (Strings{"statuses"}));
  EXPECT_EQ(Ids(set.Candidates("kpi.measured")), Strings{});
  EXPECT_EQ(Ids(set.Candidates("no.such_type")), Strings{});
}

TEST(RuleIndexTest, OnTakesAListOfTypesAndGlobs) {
  RulePack pack;
  pack.Add("rules/a.yaml", SimpleRule("a", "[kpi.measured, 'goal.*', kpi.measured]"));
  RuleSet set = pack.LoadOk();
  EXPECT_EQ(set.FindRule("a")->event_types,
            (Strings{"goal.archived", "goal.assigned", "goal.created", "goal.linked", "goal.status_changed",
                     "goal.updated", "kpi.measured"}));
}

TEST(RuleIndexTest, CandidatesRunByOrderThenId) {
  RulePack pack;
  pack.Add("rules/z.yaml", SimpleRule("z"));
  pack.Add("rules/a.yaml", SimpleRule("a") + "order: 5\n");
  pack.Add("rules/b.yaml", SimpleRule("b") + "order: 5\n");
  pack.Add("rules/c.yaml", SimpleRule("c") + "order: -1\n");
  RuleSet set = pack.LoadOk();
  EXPECT_EQ(Ids(set.Candidates("task.created")), (Strings{"c", "z", "a", "b"}));
  Strings all;
  for (const Rule& rule : set.rules()) all.push_back(rule.id);
  EXPECT_EQ(all, (Strings{"c", "z", "a", "b"}));
  EXPECT_EQ(set.FindRule("a")->order, 5);
}

TEST(RuleIndexTest, DisabledRulesAreLoadedButNeverCandidates) {
  RulePack pack;
  pack.Add("rules/a.yaml", SimpleRule("off") + "enabled: false\n");
  pack.Add("rules/b.yaml", SimpleRule("on"));
  RuleSet set = pack.LoadOk();
  ASSERT_NE(set.FindRule("off"), nullptr);
  EXPECT_FALSE(set.FindRule("off")->enabled);
  EXPECT_EQ(Ids(set.Candidates("task.created")), (Strings{"on"}));
}

TEST(RuleIndexTest, ScopeNamesTheWorkspacesARuleAppliesTo) {
  RulePack pack;
  pack.Add("rules/a.yaml", SimpleRule("everywhere"));
  pack.Add("rules/b.yaml", SimpleRule("one") + "scope: acme\n");
  pack.Add("rules/c.yaml", SimpleRule("two") + "scope: [globex, acme, globex]\n");
  RuleSet set = pack.LoadOk();
  EXPECT_TRUE(set.FindRule("everywhere")->AppliesTo("anything"));
  EXPECT_TRUE(set.FindRule("one")->AppliesTo("acme"));
  EXPECT_FALSE(set.FindRule("one")->AppliesTo("globex"));
  EXPECT_EQ(set.FindRule("two")->scope, (Strings{"acme", "globex"}));
  EXPECT_TRUE(set.FindRule("two")->AppliesTo("globex"));
  EXPECT_FALSE(set.FindRule("two")->AppliesTo("initech"));
}

TEST(RuleIndexTest, BadScopesAreRefused) {
  RulePack pack;
  pack.Add("rules/a.yaml", SimpleRule("a") + "scope: ['bad name']\n");
  pack.Add("rules/b.yaml", SimpleRule("b") + "scope: []\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(),
            (Strings{"rules/a.yaml:5:9: error: [a] scope: 'bad name' is not a workspace name "
                     "(^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$)",
                     "rules/b.yaml:5:8: error: [b] scope: the list is empty; leave scope out to apply the rule to "
                     "every workspace"}));
}

TEST(RuleIndexTest, CustomEventTypesCanBeListenedTo) {
  RulePack pack;
  pack.Add("rules/ruleset.yaml", "events:\n  deal.won: {type: object}\n  deal.lost: {type: object}\n");
  pack.Add("rules/a.yaml", SimpleRule("deals", "deal.*"));
  RuleSet set = pack.LoadOk();
  EXPECT_EQ(set.FindRule("deals")->event_types, (Strings{"deal.lost", "deal.won"}));
  EXPECT_EQ(Ids(set.Candidates("deal.won")), (Strings{"deals"}));
  auto types = set.event_types();
  EXPECT_NE(std::find(types.begin(), types.end(), "deal.won"), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), "task.created"), types.end());
}

TEST(RuleIndexTest, EachRuleKnowsWhatItsActionsEmit) {
  RulePack pack;
  pack.Add("rules/ruleset.yaml", "events:\n  deal.won: {type: object}\n");
  pack.Add("rules/a.yaml",
           "rules:\n"
           "  - id: own-kind\n"
           "    on: initiative.status_changed\n"
           "    then:\n"
           "      - set_status: done\n"
           "      - assign: {to: bob, entity: goal/G-1}\n"
           "      - emit: {type: deal.won}\n"
           "  - id: any-kind\n"
           "    on: comment.added\n"
           "    then:\n"
           "      - link: {relation: mentions, target: task/T-1}\n"
           "      - schedule: {name: remind, after: 24h}\n"
           "      - notify: {recipients: [ops], message: hi}\n"
           "      - roll_up: {from: tasks}\n"
           "      - request_approval: {approvers: boss}\n");
  RuleSet set = pack.LoadOk();
  EXPECT_EQ(set.FindRule("own-kind")->emits, (Strings{"deal.won", "goal.assigned", "initiative.status_changed"}));
  EXPECT_EQ(set.FindRule("any-kind")->emits,
            (Strings{"approval.linked", "approval.requested", "goal.linked", "initiative.linked",
                     "key_result.linked", "key_result.updated", "kpi.linked", "notification.requested",
                     "task.linked", "timer.fired", "timer.scheduled"}));
  EXPECT_EQ(set.FindRule("own-kind")->actions[1].emits, (Strings{"goal.assigned"}));
}

TEST(RuleIndexTest, ActionsAreTyped) {
  RulePack pack;
  pack.Add("rules/ruleset.yaml", "events:\n  deal.won: {type: object}\n");
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: task.status_changed\n"
           "then:\n"
           "  - create_task:\n"
           "      title: \"Review {{ entity.title }}\"\n"
           "      assignee: \"{{ entity.owner }}\"\n"
           "      due: \"{{ add_business_days(now(), 2) }}\"\n"
           "      labels: [review]\n"
           "      fields: {cost_center: 42, team: \"{{ entity.team }}\"}\n"
           "  - set_field: {field: budget_eur, value: 1000}\n"
           "  - roll_up: {from: key_results, to: self, weight_field: weight}\n"
           "  - roll_up: {from: tasks, relation: contributes_to, done_statuses: [done, closed]}\n"
           "  - emit: {type: deal.won, data: {amount: \"{{ entity.amount }}\"}}\n"
           "  - apply_template: {template: t, roles: {designer: user:dana}, labels: x}\n"
           "  - schedule: {name: check, at: \"{{ add_business_days(now(), 1) }}\", payload: {n: 1}}\n");
  pack.Add("templates/t.yaml", "name: t\ntasks:\n  - {key: a, title: A}\n");
  RuleSet set = pack.LoadOk();
  const Rule& rule = *set.FindRule("a");
  ASSERT_EQ(rule.actions.size(), 7u);
  const auto& create = std::get<CreateTask>(rule.actions[0].spec);
  EXPECT_FALSE(create.title.is_literal());
  ASSERT_TRUE(create.labels.has_value());
  EXPECT_EQ(create.labels->literal(), nlohmann::json::array({"review"}));
  ASSERT_EQ(create.fields.size(), 2u);
  EXPECT_EQ(create.fields[0].first, "cost_center");
  EXPECT_EQ(create.fields[1].first, "team");
  EXPECT_EQ(std::get<SetField>(rule.actions[1].spec).field, "budget_eur");
  const auto& up = std::get<RollUp>(rule.actions[2].spec);
  EXPECT_EQ(up.from, RollUp::Source::kKeyResults);
  EXPECT_EQ(up.weight_field, "weight");
  const auto& tasks_up = std::get<RollUp>(rule.actions[3].spec);
  EXPECT_EQ(tasks_up.relation, "contributes_to");
  EXPECT_EQ(tasks_up.done_statuses, (Strings{"done", "closed"}));
  EXPECT_EQ(std::get<Emit>(rule.actions[4].spec).type, "deal.won");
  const auto& apply = std::get<ApplyTemplate>(rule.actions[5].spec);
  EXPECT_EQ(apply.task_template, set.FindTemplate("t"));
  ASSERT_EQ(apply.overrides.roles.size(), 1u);
  EXPECT_EQ(apply.overrides.roles[0].second.literal(), "user:dana");
  EXPECT_TRUE(std::get<Schedule>(rule.actions[6].spec).at.has_value());
}

TEST(RuleIndexTest, RollUpOptionsBelongToTheirSource) {
  RulePack pack;
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: task.status_changed\n"
           "then:\n"
           "  - roll_up: {from: tasks, weight_field: w}\n"
           "  - roll_up: {from: goals}\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(),
            (Strings{"rules/a.yaml:4:42: error: [a] roll_up.weight_field applies to 'from: key_results' only",
                     "rules/a.yaml:5:21: error: [a] roll_up.from: expected 'tasks' or 'key_results', got 'goals'"}));
}

}  // namespace
}  // namespace keel::rules
