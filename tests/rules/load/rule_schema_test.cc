// schemas/rule.schema.json and schemas/template.schema.json describe exactly
// what the loader reads: the same actions and fields, every example passes
// them, and what the loader refuses for its shape they refuse too.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "rules/load/rule_loader.h"
#include "rules/load/yaml_values.h"
#include "tests/rules/rule_pack.h"
#include "tests/support/file_text.h"

namespace keel::rules {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;
using testing::RulePack;

json SchemaJson(const std::string& name) {
  return json::parse(keel::testing::ReadFileText(std::filesystem::path(KEEL_SOURCE_DIR) / "schemas" / name));
}

class SchemaFile {
 public:
  explicit SchemaFile(const std::string& name) : document_(SchemaJson(name)) {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(document_);
    parser.populateSchema(adapter, schema_);
  }
  bool Accepts(const std::string& yaml) const {
    json value = NodeToJson(YAML::Load(yaml));
    valijson::Validator validator;
    valijson::adapters::NlohmannJsonAdapter adapter(value);
    return validator.validate(schema_, adapter, nullptr);
  }
  const json& document() const { return document_; }

 private:
  json document_;
  valijson::Schema schema_;
};

const SchemaFile& RuleSchema() {
  static const SchemaFile schema("rule.schema.json");
  return schema;
}
const SchemaFile& TemplateSchema() {
  static const SchemaFile schema("template.schema.json");
  return schema;
}
const SchemaFile& PeopleSchema() {
  static const SchemaFile schema("people.schema.json");
  return schema;
}
const SchemaFile& RuleTestSchema() {
  static const SchemaFile schema("rule-test.schema.json");
  return schema;
}

TEST(RuleSchemaTest, SchemasAreDraft07WithDescriptions) {
  for (const char* name : {"rule.schema.json", "template.schema.json", "rule-test.schema.json"}) {
    json schema = SchemaJson(name);
    EXPECT_EQ(schema["$schema"], "http://json-schema.org/draft-07/schema#") << name;
    EXPECT_TRUE(schema.contains("description")) << name;
  }
}

// The object form of an action's schema (some also take a shorthand).
const json& ObjectForm(const json& action) {
  if (!action.contains("anyOf")) return action;
  for (const json& branch : action["anyOf"]) {
    if (branch.value("type", json()) == "object") return branch;
  }
  return action;
}

TEST(RuleSchemaTest, ActionsAndTheirFieldsMatchTheLoader) {
  const json& definitions = RuleSchema().document()["definitions"];
  Strings schema_actions;
  for (const auto& [name, ref] : definitions["action"]["properties"].items()) schema_actions.push_back(name);
  Strings loader_actions(ActionNames().begin(), ActionNames().end());
  std::sort(schema_actions.begin(), schema_actions.end());
  std::sort(loader_actions.begin(), loader_actions.end());
  EXPECT_EQ(schema_actions, loader_actions);
  for (const auto& [action, fields] : ActionFieldTable()) {
    const json& schema = ObjectForm(definitions[action]);
    Strings schema_fields, loader_fields, schema_required, loader_required;
    for (const auto& [field, sub] : schema["properties"].items()) schema_fields.push_back(field);
    for (const json& field : schema.value("required", json::array())) schema_required.push_back(field);
    for (const auto& [field, required] : fields) {
      loader_fields.push_back(field);
      if (required) loader_required.push_back(field);
    }
    for (Strings* v : {&schema_fields, &loader_fields, &schema_required, &loader_required}) std::sort(v->begin(), v->end());
    EXPECT_EQ(schema_fields, loader_fields) << action;
    EXPECT_EQ(schema_required, loader_required) << action;
    EXPECT_FALSE(schema.value("additionalProperties", true)) << action;
    EXPECT_TRUE(definitions[action].contains("description")) << action;
  }
}

// Every *.yaml of examples/ (rules, templates, rule tests, people files), and
// the $schema line that points editors at the schema.
TEST(RuleSchemaTest, EveryExampleNamesItsSchemaAndPassesIt) {
  std::filesystem::path examples = std::filesystem::path(KEEL_SOURCE_DIR) / "examples";
  size_t checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(examples)) {
    if (entry.path().extension() != ".yaml" && entry.path().extension() != ".yml") continue;
    // A pack's serve.yaml is keel serve's settings, which have no JSON Schema
    // yet; serve_config's own tests check its reading.
    if (entry.path().filename() == "serve.yaml") continue;
    std::string text = keel::testing::ReadFileText(entry.path());
    std::string first_line = text.substr(0, text.find('\n'));
    const std::string prefix = "# yaml-language-server: $schema=";
    ASSERT_EQ(first_line.rfind(prefix, 0), 0u) << entry.path();
    std::filesystem::path schema = entry.path().parent_path() / first_line.substr(prefix.size());
    EXPECT_TRUE(std::filesystem::exists(schema)) << entry.path() << " names " << schema;
    const SchemaFile& expected = schema.filename() == "template.schema.json"    ? TemplateSchema()
                                 : schema.filename() == "rule-test.schema.json" ? RuleTestSchema()
                                 : schema.filename() == "people.schema.json"    ? PeopleSchema()
                                                                                : RuleSchema();
    EXPECT_TRUE(expected.Accepts(text)) << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 3u);
}

// Documents the loader refuses for their shape; the schema must refuse them too.
TEST(RuleSchemaTest, ShapesTheLoaderRefusesTheSchemaRefuses) {
  const Strings bad_rules = {
      "id: a\non: task.created\nthen: [{add_comment: x}]\nextra: 1\n",
      "id: a\non: task.created\nthen: [{creat_task: {title: x}}]\n",
      "id: a\non: task.created\nthen: [{create_task: {titel: x}}]\n",
      "id: a\non: task.created\nthen: [{create_task: {title: 5}}]\n",
      "id: a\non: task.created\nthen: [{create_task: {title: x, fields: {title: y}}}]\n",
      "id: a\non: task.created\nthen: [{add_comment: x, assign: y}]\n",
      "id: a\non: task.created\nthen: []\n",
      "id: a\non: []\nthen: [{add_comment: x}]\n",
      "id: Bad\non: task.created\nthen: [{add_comment: x}]\n",
      "id: a\non: task.created\norder: 1.5\nthen: [{add_comment: x}]\n",
      "id: a\non: task.created\nenabled: 'yes'\nthen: [{add_comment: x}]\n",
      "id: a\non: task.created\nscope: []\nthen: [{add_comment: x}]\n",
      "id: a\non: task.created\nthen: [{set_field: {field: x}}]\n",
      "id: a\non: task.created\nthen: [{notify: {recipients: [], message: x}}]\n",
      "id: a\non: task.created\nthen: [{roll_up: {from: goals}}]\n",
      "id: a\non: task.created\nthen: [{emit: {type: Deal}}]\n",
      "on: task.created\nthen: [{add_comment: x}]\n",
      "rules: [{id: a, on: task.created}]\n",
      "events: {Deal: {type: object}}\n",
  };
  for (const std::string& text : bad_rules) {
    RulePack pack;
    pack.Add("rules/a.yaml", text);
    EXPECT_FALSE(pack.Load().ok()) << text;
    EXPECT_FALSE(RuleSchema().Accepts(text)) << text;
  }
  const Strings bad_templates = {
      "name: t\n",
      "name: t\ntasks: []\n",
      "name: t\ntasks: [{key: a}]\n",
      "name: t\ntasks: [{key: a, title: A, due_in: -1}]\n",
      "name: t\ntasks: [{key: a, title: A, due_in: 1.5}]\n",
      "name: t\ntasks: [{key: a, title: A, assignee: {rol: x}}]\n",
      "name: t\ntasks: [{key: a, title: A, checklist: x}]\n",
      "name: t\ntasks: [{key: A, title: A}]\n",
      "name: t\nowner: x\ntasks: [{key: a, title: A}]\n",
  };
  for (const std::string& text : bad_templates) {
    RulePack pack;
    pack.Add("rules/r.yaml", testing::SimpleRule("r")).Add("templates/t.yaml", text);
    EXPECT_FALSE(pack.Load().ok()) << text;
    EXPECT_FALSE(TemplateSchema().Accepts(text)) << text;
  }
}

TEST(RuleSchemaTest, WhatTheLoaderAcceptsTheSchemaAccepts) {
  const Strings rules = {
      "id: a\non: [task.created, 'goal.*']\nif: true\nscope: acme\norder: -3\nenabled: false\n"
      "then:\n  - set_status: done\n  - assign: null\n  - add_comment: {text: hi, mentions: bob}\n",
      "id: b\non: task.created\nthen:\n  - create_task: {title: x, due: null, labels: a, fields: {team: '{{ entity.team }}'}}\n"
      "  - apply_template: {template: t, roles: {designer: null}, start: '{{ event.time }}'}\n"
      "  - link: {relation: blocks, target: task/T-2}\n"
      "  - request_approval: {approvers: [a, b], reason: why}\n"
      "  - schedule: {name: r, after: 2h, payload: {x: 1}}\n"
      "  - notify: {recipients: ops, message: m, channel: email, about: task/T-1}\n"
      "  - set_field: {field: budget, value: [1, 2]}\n"
      "  - roll_up: {from: key_results, to: self, weight_field: w}\n",
      "rules:\n  - id: c\n    on: deal.won\n    then: [{emit: {type: deal.won, data: {}}}]\nevents:\n  deal.won: {type: object}\n",
  };
  for (const std::string& text : rules) {
    RulePack pack;
    pack.Add("rules/a.yaml", text).Add("templates/t.yaml", "name: t\ntasks: [{key: a, title: A}]\n");
    if (text.find("deal.won") == std::string::npos) pack.Add("rules/ruleset.yaml", "events: {}\n");
    Result<RuleSet> set = pack.Load();
    EXPECT_TRUE(set.ok()) << text << pack.Report();
    EXPECT_TRUE(RuleSchema().Accepts(text)) << text;
  }
}

TEST(RuleSchemaTest, SchemaFailuresPointAtTheYamlPlace) {
  SourceFile file("rules/a.yaml", "rules/a.yaml",
                  "id: a\non: task.created\nthen:\n  - create_task:\n      title: x\n      bogus: 1\n");
  std::vector<Diagnostic> diagnostics;
  LoadContext context(file, &diagnostics);
  CheckAgainstSchema(context, YAML::Load(file.text()), /*is_template=*/false);
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(FormatHeadline(diagnostics[0]),
            "rules/a.yaml:6:7: error: does not match schemas/rule.schema.json at then[0].create_task: Object contains "
            "a property that could not be validated using 'properties' or 'additionalProperties' constraints: 'bogus'.");
}

}  // namespace
}  // namespace keel::rules
