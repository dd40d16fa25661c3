// Loading refuses bad rule files and names every problem at its file:line:col.
#include <gtest/gtest.h>

#include "tests/rules/rule_pack.h"

namespace keel::rules {
namespace {

using Strings = std::vector<std::string>;
using testing::RulePack;
using testing::SimpleRule;

TEST(RuleSetLoaderTest, ValidRuleLoads) {
  RulePack pack;
  pack.Add("rules/a.yaml",
           "id: close-parent\n"
           "description: Close the parent when a subtask closes.\n"
           "on: task.status_changed\n"
           "if: event.data.to == 'done'\n"
           "then:\n"
           "  - assign: {to: \"{{ entity.owner }}\", entity: \"{{ entity.parent }}\"}\n");
  RuleSet set = pack.LoadOk();
  ASSERT_EQ(set.rules().size(), 1u);
  const Rule& rule = set.rules()[0];
  EXPECT_EQ(rule.id, "close-parent");
  EXPECT_EQ(rule.description, "Close the parent when a subtask closes.");
  EXPECT_TRUE(rule.enabled);
  EXPECT_EQ(rule.event_types, (Strings{"task.status_changed"}));
  EXPECT_TRUE(rule.condition.has_value());
  ASSERT_EQ(rule.actions.size(), 1u);
  EXPECT_EQ(rule.actions[0].kind, ActionKind::kAssign);
  EXPECT_EQ(rule.actions[0].path, "then[0]");
  EXPECT_EQ(rule.actions[0].line, 6);
  EXPECT_EQ(rule.actions[0].col, 5);
  EXPECT_EQ(rule.file, "rules/a.yaml");
  EXPECT_EQ(rule.line, 1);
  EXPECT_TRUE(pack.diagnostics().empty()) << pack.Report();
}

TEST(RuleSetLoaderTest, BadYamlIsReportedAtItsLineAndColumn) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: [task.created\nthen: []\n");
  EXPECT_FALSE(pack.Load().ok());
  ASSERT_EQ(pack.Problems().size(), 1u) << pack.Report();
  EXPECT_EQ(pack.Problems()[0], "rules/a.yaml:3:5: error: invalid YAML: end of sequence flow not found");
}

TEST(RuleSetLoaderTest, UnknownActionIsAnErrorAtItsNameWithASuggestion) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.created\nthen:\n  - creat_task: {title: x}\n");
  EXPECT_FALSE(pack.Load().ok());
  ASSERT_EQ(pack.Problems().size(), 1u) << pack.Report();
  EXPECT_EQ(pack.Problems()[0].substr(0, 95),
            "rules/a.yaml:4:5: error: [a] unknown action 'creat_task'; did you mean 'create_task'? (actions:");
  EXPECT_EQ(pack.diagnostics()[0].snippet, "  - creat_task: {title: x}\n    ^");
}

TEST(RuleSetLoaderTest, MisspelledFieldsAreErrorsAtTheirKeys) {
  RulePack pack;
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: task.created\n"
           "iff: true\n"
           "then:\n"
           "  - create_task:\n"
           "      titel: Follow up\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(),
              (Strings{"rules/a.yaml:3:1: error: [a] unknown field 'iff' in rule; did you mean 'if'?",
                          "rules/a.yaml:5:5: error: [a] create_task: missing required field 'title'",
                          "rules/a.yaml:6:7: error: [a] unknown field 'titel' in create_task; did you mean 'title'?"}))
      << pack.Report();
}

TEST(RuleSetLoaderTest, BadConditionPointsAtTheExpressionWithACaret) {
  RulePack pack;
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: initiative.status_changed\n"
           "if: event.data.to == \"in_progress\" && entity.team == markting\n"
           "then: [{add_comment: hi}]\n");
  EXPECT_FALSE(pack.Load().ok());
  ASSERT_EQ(pack.diagnostics().size(), 1u) << pack.Report();
  EXPECT_EQ(FormatDiagnostic(pack.diagnostics()[0]),
            "rules/a.yaml:3:54: error: [a] undeclared reference to 'markting'\n"
            "if: event.data.to == \"in_progress\" && entity.team == markting\n"
            "                                                     ^");
}

TEST(RuleSetLoaderTest, TypeErrorsCelSeesAtLoadAreErrors) {
  RulePack pack;
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: task.created\n"
           "if: >-\n"
           "  entity.points > 3 &&\n"
           "  size(12) > 1\n"
           "then: [{add_comment: hi}]\n");
  EXPECT_FALSE(pack.Load().ok());
  ASSERT_EQ(pack.Problems().size(), 1u) << pack.Report();
  EXPECT_EQ(pack.diagnostics()[0].line, 5);
  EXPECT_EQ(pack.diagnostics()[0].col, 3);
  EXPECT_NE(pack.diagnostics()[0].message.find("size"), std::string::npos) << pack.Report();
}

TEST(RuleSetLoaderTest, ConditionMustBeABool) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.created\nif: \"'done'\"\nthen: [{add_comment: hi}]\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), (Strings{"rules/a.yaml:3:6: error: [a] if: the condition must be a bool; "
                                           "this expression yields string"}));
  pack.Add("rules/a.yaml", "id: a\non: task.created\nif: entity.title + 'x'\nthen: [{add_comment: hi}]\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), (Strings{"rules/a.yaml:3:5: error: [a] if: the condition must be a bool; "
                                           "this expression yields another type"}));
}

TEST(RuleSetLoaderTest, TemplateErrorsPointInsideTheQuotedValue) {
  RulePack pack;
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: task.created\n"
           "then:\n"
           "  - create_task:\n"
           "      title: \"Brief for {{ entity.title + }}\"\n");
  EXPECT_FALSE(pack.Load().ok());
  ASSERT_EQ(pack.diagnostics().size(), 1u) << pack.Report();
  const Diagnostic& d = pack.diagnostics()[0];
  EXPECT_EQ(d.line, 5);
  EXPECT_EQ(d.col, 43);
  EXPECT_EQ(d.snippet, "      title: \"Brief for {{ entity.title + }}\"\n"
                       "                                          ^");
}

TEST(RuleSetLoaderTest, TemplateErrorsKeepTheirPlaceAfterEscapesAndFolding) {
  RulePack pack;
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: task.created\n"
           "then:\n"
           "  - add_comment: \"\\u00e9t\\u00e9 {{ 1 + 'a' }}\"\n"
           "  - add_comment: >-\n"
           "      first line\n"
           "      then {{ entity.x +\n"
           "      'y' + }}\n");
  EXPECT_FALSE(pack.Load().ok());
  ASSERT_EQ(pack.diagnostics().size(), 2u) << pack.Report();
  // The escapes take 12 characters of the line for 2 of the value.
  EXPECT_EQ(pack.diagnostics()[0].line, 4);
  EXPECT_EQ(pack.diagnostics()[0].col, 38) << pack.Report();  // the +
  EXPECT_EQ(pack.diagnostics()[1].line, 8);
  EXPECT_EQ(pack.diagnostics()[1].col, 13) << pack.Report();  // where the expression ends
}

TEST(RuleSetLoaderTest, UnterminatedTemplateIsAnError) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.created\nthen:\n  - add_comment: 'Hi {{ entity.owner'\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), (Strings{"rules/a.yaml:4:22: error: [a] '{{' without a matching '}}'"}));
}

TEST(RuleSetLoaderTest, UnquotedTemplateIsExplained) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.created\nthen:\n  - assign: {{ entity.owner }}\n");
  EXPECT_FALSE(pack.Load().ok());
  ASSERT_EQ(pack.Problems().size(), 1u) << pack.Report();
  EXPECT_EQ(pack.Problems()[0], "rules/a.yaml:4:13: error: [a] a {{ }} template must be quoted (\"{{ ... }}\"): "
                                "YAML reads an unquoted '{' as the start of a mapping");
}

TEST(RuleSetLoaderTest, DuplicateKeysAreErrors) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.created\non: task.updated\nthen: [{add_comment: hi}]\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), (Strings{"rules/a.yaml:3:1: error: [a] duplicate key 'on' (first at line 2)"}));
}

TEST(RuleSetLoaderTest, DuplicateIdsNameBothFiles) {
  RulePack pack;
  pack.Add("rules/a.yaml", SimpleRule("same"));
  pack.Add("rules/sub/b.yaml", "rules:\n  - " + std::string("id: other\n    on: task.created\n    then: [{add_comment: x}]\n") +
                                   "  - id: same\n    on: task.updated\n    then: [{add_comment: x}]\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), (Strings{"rules/sub/b.yaml:5:9: error: [same] duplicate rule id 'same' "
                                           "(also defined at rules/a.yaml:1:5)"}));
}

TEST(RuleSetLoaderTest, BadRuleIdIsRefused) {
  RulePack pack;
  pack.Add("rules/a.yaml", SimpleRule("Bad Id"));
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), (Strings{"rules/a.yaml:1:5: error: [Bad Id] id: 'Bad Id' is not a rule id "
                                           "(^[a-z0-9][a-z0-9_.-]*$)"}));
}

TEST(RuleSetLoaderTest, UnknownTemplateIsAnError) {
  RulePack pack;
  pack.Add("templates/onboarding.yaml", "name: onboarding\ntasks:\n  - {key: a, title: A}\n");
  pack.Add("rules/a.yaml", "id: a\non: task.created\nthen:\n  - apply_template: onbaording\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), (Strings{"rules/a.yaml:4:21: error: [a] unknown template 'onbaording'; "
                                           "did you mean 'onboarding'?"}));
}

TEST(RuleSetLoaderTest, UnknownTemplateWithoutTemplatesFolderSaysSo) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.created\nthen:\n  - apply_template: {template: kickoff}\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), (Strings{"rules/a.yaml:4:32: error: [a] unknown template 'kickoff' "
                                           "(no templates folder was given: --templates DIR)"}));
}

TEST(RuleSetLoaderTest, UnknownEventTypeInOnIsAnErrorWithASuggestion) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: [task.created, task.status_change]\nthen: [{add_comment: hi}]\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), (Strings{"rules/a.yaml:2:20: error: [a] unknown event type 'task.status_change'; "
                                           "did you mean 'task.status_changed'?"}));
}

TEST(RuleSetLoaderTest, OnHoldsLiteralTypesOnly) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: 5\nthen: [{add_comment: hi}]\n");
  pack.Add("rules/b.yaml", "id: b\non: [task.created, '{{ x }}']\nthen: [{add_comment: hi}]\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(),
            (Strings{"rules/a.yaml:2:5: error: [a] on: expected a string, got an integer",
                     "rules/b.yaml:2:21: error: [b] on: {{ }} templates are not allowed here; write the value literally"}));
}

TEST(RuleSetLoaderTest, GlobThatMatchesNothingIsAnError) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: tsk.*\nthen: [{add_comment: hi}]\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), (Strings{"rules/a.yaml:2:5: error: [a] on: 'tsk.*' matches no event type"}));
}

TEST(RuleSetLoaderTest, WrongValueShapesAreErrors) {
  RulePack pack;
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: task.created\n"
           "order: high\n"
           "then:\n"
           "  - create_task: {title: 5}\n"
           "  - notify: {recipients: [], message: hi}\n"
           "  - schedule: {name: remind, at: '2026-03-02T09:00:00Z', after: 2h}\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(),
              (Strings{"rules/a.yaml:3:8: error: [a] order: expected an integer, got a string",
                          "rules/a.yaml:5:26: error: [a] create_task.title: expected a string, got an integer",
                          "rules/a.yaml:6:26: error: [a] notify.recipients: expected a string or a non-empty list of "
                          "strings, got a list",
                          "rules/a.yaml:7:65: error: [a] schedule: give exactly one of 'at' (a date-time) and 'after' "
                          "(a duration such as \"72h\")"}))
      << pack.Report();
}

TEST(RuleSetLoaderTest, AnActionIsOneKeyedMapping) {
  RulePack pack;
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: task.created\n"
           "then:\n"
           "  - add_comment: hi\n"
           "    assign: bob\n"
           "  - just text\n");
  EXPECT_FALSE(pack.Load().ok());
  ASSERT_EQ(pack.Problems().size(), 2u) << pack.Report();
  EXPECT_EQ(pack.Problems()[0], "rules/a.yaml:4:5: error: [a] an action has exactly one key, its name; found "
                                "'add_comment', 'assign' (write each action as its own list item)");
  EXPECT_EQ(pack.Problems()[1], "rules/a.yaml:6:5: error: [a] an action is a mapping with one key, the action's name "
                                "(create_task, apply_template, set_status, assign, set_field, add_comment, link, "
                                "request_approval, schedule, notify, emit, roll_up); got a string");
}

TEST(RuleSetLoaderTest, EmitNeedsADeclaredCustomType) {
  RulePack pack;
  pack.Add("rules/ruleset.yaml", "events:\n  deal.won:\n    type: object\n");
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: task.created\n"
           "then:\n"
           "  - emit: {type: deal.wonn}\n"
           "  - emit: {type: task.created}\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(),
              (Strings{"rules/a.yaml:4:18: error: [a] unknown event type 'deal.wonn': declare it under 'events:' in "
                          "the rule set; did you mean 'deal.won'?",
                          "rules/a.yaml:5:18: error: [a] emit sends the custom event types declared under 'events:'; "
                          "'task.created' is built in: produce it with its action (create_task, set_status, ...)"}));
}

TEST(RuleSetLoaderTest, CustomEventDeclarationsAreChecked) {
  RulePack pack;
  pack.Add("rules/ruleset.yaml",
           "events:\n"
           "  task.created: {type: object}\n"
           "  Deal: {type: object}\n"
           "  deal.lost: {type: object, frobnicate: 1}\n");
  pack.Add("rules/more.yaml", "events:\n  deal.won: {type: object}\n  deal.won2: {type: object}\n");
  pack.Add("rules/x.yaml", "events:\n  deal.won: {type: object}\n");
  EXPECT_FALSE(pack.Load().ok());
  ASSERT_EQ(pack.Problems().size(), 4u) << pack.Report();
  EXPECT_EQ(pack.Problems()[0], "rules/ruleset.yaml:2:3: error: events: 'task.created' is a built-in event type");
  EXPECT_EQ(pack.Problems()[1], "rules/ruleset.yaml:3:3: error: events: 'Deal' is not an event type name "
                                "(^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$)");
  EXPECT_EQ(pack.Problems()[2].substr(0, 81),
            "rules/ruleset.yaml:4:3: error: events: the schema of 'deal.lost' cannot be used: ");
  EXPECT_EQ(pack.Problems()[3], "rules/x.yaml:2:3: error: events: 'deal.won' is declared twice "
                                "(also in rules/more.yaml:2:3)");
}

TEST(RuleSetLoaderTest, EveryProblemOfEveryFileIsCollected) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.nope\nthen:\n  - set_status: {to: done, entity: '{{ 1 + }}'}\n");
  pack.Add("rules/b.yaml", "id: b\non: task.created\nthen: []\n");
  pack.Add("rules/c.yaml", "id: c\n  on: x\n");
  pack.Add("templates/t.yaml", "name: t\ntasks:\n  - {key: a, title: A, depends_on: [b]}\n");
  Result<RuleSet> set = pack.Load();
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().message().substr(0, 26), "5 errors in the rule set\nr");
  std::vector<std::string> files;
  for (const Diagnostic& d : pack.diagnostics()) files.push_back(d.file + ":" + std::to_string(d.line));
  EXPECT_EQ(files, (Strings{"rules/a.yaml:2", "rules/a.yaml:4", "rules/b.yaml:3", "rules/c.yaml:2",
                                 "templates/t.yaml:3"}))
      << pack.Report();
}

TEST(RuleSetLoaderTest, EmptyAndMultiDocumentFilesAreRefused) {
  RulePack pack;
  pack.Add("rules/a.yaml", "# nothing here\n");
  pack.Add("rules/b.yaml", SimpleRule("b") + "---\n" + SimpleRule("c"));
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), (Strings{"rules/a.yaml:1:1: error: the file holds no YAML document",
                                           "rules/b.yaml:6:1: error: one YAML document per file; this is document 2 of 2"}))
      << pack.Report();
}

TEST(RuleSetLoaderTest, LiteralOnlyFieldsRefuseTemplates) {
  RulePack pack;
  pack.Add("rules/a.yaml", "id: a\non: task.created\nthen:\n  - set_field: {field: '{{ entity.f }}', value: 1}\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(), (Strings{"rules/a.yaml:4:25: error: [a] set_field.field: {{ }} templates are not "
                                           "allowed here; write the value literally"}));
}

}  // namespace
}  // namespace keel::rules
