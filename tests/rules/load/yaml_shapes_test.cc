// YAML that parses but has the wrong shape where the loader reads a field:
// null where a value is needed, a mapping where a string is, a list where a
// mapping is, a mapping or list as a key, an unquoted {{ }} (which YAML reads
// as a mapping whose key is a mapping). Each is refused with a diagnostic at
// the offending node's file:line:col, never a crash: an unquoted {{ }} in
// add_comment once made BuildSpec read a field that was never stored. The
// same shapes seed the rule_file and template_file fuzzers
// (tests/fuzz/corpus/).
#include <gtest/gtest.h>

#include "tests/rules/rule_pack.h"

namespace keel::rules {
namespace {

using testing::RulePack;
using testing::SimpleRule;

struct Shape {
  const char* name;
  const char* text;
  const char* place;     // "line:col" of the offending node
  const char* fragment;  // what the message must say
};

// `text` as rules/a.yaml (or templates/t.yaml beside a simple rule); the
// load fails, every problem has a place, and one of them is `place` with
// `fragment`.
void ExpectRefusedAt(const std::string& path, const Shape& shape) {
  SCOPED_TRACE(shape.name);
  RulePack pack;
  pack.Add(path, shape.text);
  if (path.starts_with("templates/")) pack.Add("rules/r.yaml", SimpleRule("r"));
  EXPECT_FALSE(pack.Load().ok());
  std::string prefix = path + ":" + shape.place + ": error: ";
  bool found = false;
  for (const Diagnostic& d : pack.diagnostics()) {
    EXPECT_GE(d.line, 1) << pack.Report();
    EXPECT_GE(d.col, 1) << pack.Report();
    std::string headline = FormatHeadline(d);
    if (headline.starts_with(prefix) && headline.find(shape.fragment) != std::string::npos) found = true;
  }
  EXPECT_TRUE(found) << "expected " << prefix << "..." << shape.fragment << "...\ngot:\n" << pack.Report();
}

constexpr const char* kHead = "id: a\non: task.created\nthen:\n";

std::string WithAction(const char* action) { return std::string(kHead) + action; }

TEST(YamlShapesTest, UnquotedTemplateAsAFlowMappingFieldIsADiagnosticNotACrash) {
  std::string text = WithAction("  - add_comment: {text: {{ entity.assignee }}}\n");
  ExpectRefusedAt("rules/a.yaml", {"flow", text.c_str(), "4:25", "a {{ }} template must be quoted"});
  text = WithAction("  - add_comment:\n      text: {{ entity.assignee }}\n");
  ExpectRefusedAt("rules/a.yaml", {"block", text.c_str(), "5:13", "a {{ }} template must be quoted"});
  text = WithAction("  - create_task: {title: {{ entity.title }}, assignee: x}\n");
  ExpectRefusedAt("rules/a.yaml", {"required field", text.c_str(), "4:26", "a {{ }} template must be quoted"});
  text = WithAction("  - link: {relation: blocks, target: {{ event.subject }}}\n");
  ExpectRefusedAt("rules/a.yaml", {"second required field", text.c_str(), "4:38", "a {{ }} template must be quoted"});
}

TEST(YamlShapesTest, WrongShapesInARuleAreDiagnosticsAtTheirNode) {
  const std::vector<std::pair<std::string, Shape>> shapes = {
      {WithAction("  - ~\n"), {"null action", "", "4:5", "an action is a mapping with one key"}},
      {WithAction("  - create_task:\n"), {"null action body", "", "4:5", "create_task: expected a mapping of its fields, got null"}},
      {WithAction("  - set_status: {to: {state: done}}\n"),
       {"mapping for a string", "", "4:22", "set_status.to: expected a string, got a mapping"}},
      {WithAction("  - create_task: [title, x]\n"),
       {"list for a mapping", "", "4:18", "create_task: expected a mapping of its fields, got a list"}},
      {WithAction("  - create_task: {? {a: b} : c, title: x}\n"),
       {"mapping as a key", "", "4:21", "a key must be a plain string, not a mapping"}},
      {WithAction("  - apply_template: {template: t, roles: {? [a] : b}}\n"),
       {"list as a key", "", "4:45", "a key must be a plain string, not a list"}},
      {"id: a\non: task.created\n? [x]\n: y\nthen:\n  - add_comment: hi\n",
       {"list as a rule key", "", "3:3", "a key must be a plain string, not a list"}},
      {"id:\non: task.created\nthen:\n  - add_comment: hi\n", {"null id", "", "1:1", "id: expected a string, got null"}},
      {"id: {a: b}\non: task.created\nthen:\n  - add_comment: hi\n",
       {"mapping id", "", "1:5", "id: expected a string, got a mapping"}},
      {"id: a\non: [[task.created]]\nthen:\n  - add_comment: hi\n",
       {"list in on", "", "2:6", "on: expected a string, got a list"}},
      {"id: a\non: {timer: [a]}\nthen:\n  - add_comment: hi\n",
       {"list timer name", "", "2:13", "on.timer: expected a string, got a list"}},
      {"id: a\non: {timer: {{ x }}}\nthen:\n  - add_comment: hi\n",
       {"unquoted timer name", "", "2:13", "a {{ }} template must be quoted"}},
      {"id: a\non: task.created\nif: {a: b}\nthen:\n  - add_comment: hi\n",
       {"mapping condition", "", "3:5", "if: expected a CEL expression (a string), got a mapping"}},
      {"id: a\non: task.created\nscope: {a: b}\nthen:\n  - add_comment: hi\n",
       {"mapping scope", "", "3:8", "scope: expected a string, got a mapping"}},
      {"id: a\non: task.created\nthen: ~\n", {"null then", "", "3:7", "then: expected a non-empty list of actions, got null"}},
      {"id: a\non: task.created\nthen: {add_comment: hi}\n",
       {"mapping then", "", "3:7", "then: expected a non-empty list of actions, got a mapping"}},
      {"- id: a\n", {"list document", "", "1:1", "a rules file holds one rule"}},
      {"rules: {a: b}\n", {"mapping rules", "", "1:8", "rules: expected a list of rules, got a mapping"}},
      {"rules: [~]\n", {"null rule", "", "1:9", "rule: expected a mapping, got null"}},
      {"events: [a]\n", {"list events", "", "1:9", "events: expected a mapping of event type"}},
      {"events: {x.y: [a]}\n", {"list event schema", "", "1:15", "events.x.y: expected the JSON Schema"}},
      {"calendars: {acme: [a]}\n", {"list calendar", "", "1:19", "calendars.acme: expected a mapping"}},
  };
  for (const auto& [text, shape] : shapes) ExpectRefusedAt("rules/a.yaml", {shape.name, text.c_str(), shape.place, shape.fragment});
}

TEST(YamlShapesTest, WrongShapesInATemplateAreDiagnosticsAtTheirNode) {
  const std::vector<std::pair<std::string, Shape>> shapes = {
      {"name: t\ntasks:\n  - ~\n", {"null task", "", "3:5", "task: expected a mapping, got null"}},
      {"name: t\ntasks:\n  - [a]\n", {"list task", "", "3:5", "task: expected a mapping, got a list"}},
      {"name: t\ntasks: ~\n", {"null tasks", "", "2:8", "tasks: expected a non-empty list of tasks, got null"}},
      {"- a\n", {"list document", "", "1:1", "template: expected a mapping, got a list"}},
      {"name: t\ntasks:\n  - key: a\n    title: {{ entity.title }}\n",
       {"unquoted title", "", "4:12", "a {{ }} template must be quoted"}},
      {"name: t\ntasks:\n  - {key: a, title: x, fields: {? {a: b} : c, d: e}}\n",
       {"mapping as a field key", "", "3:35", "a key must be a plain string, not a mapping"}},
      {"name: t\ntasks:\n  - {key: a, title: x, assignee: {role: {a: b}}}\n",
       {"mapping role", "", "3:41", "assignee.role: expected a string, got a mapping"}},
      {"name: t\ntasks:\n  - {key: a, title: x, depends_on: [[b]]}\n",
       {"list dependency", "", "3:37", "depends_on: expected a string, got a list"}},
      {"name: t\ntasks:\n  - {key: {a: b}, title: x}\n", {"mapping key", "", "3:11", "key: expected a string, got a mapping"}},
  };
  for (const auto& [text, shape] : shapes) ExpectRefusedAt("templates/t.yaml", {shape.name, text.c_str(), shape.place, shape.fragment});
}

}  // namespace
}  // namespace keel::rules
