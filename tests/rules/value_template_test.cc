// {{ }} templates in values: compiled at load, evaluated to data that is
// never evaluated again.
#include <gtest/gtest.h>

#include "rules/value_template.h"
#include "tests/rules/rule_pack.h"

namespace keel::rules {
namespace {

using nlohmann::json;
using testing::RulePack;

cel::Activation EntityActivation(const json& entity) {
  cel::Activation activation;
  activation.Bind("entity", cel::FromJson(entity));
  activation.Bind("event", cel::FromJson({{"subject", "task/T-1"}}));
  return activation;
}

json Eval(const json& value, const json& entity) {
  Result<ValueTemplate> t = ValueTemplate::Parse(value);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  if (!t.ok()) return nullptr;
  Result<json> out = t->Evaluate(EntityActivation(entity));
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : json();
}

TEST(ValueTemplateTest, LiteralsStayAsTheyAre) {
  ValueTemplate t = *ValueTemplate::Parse(json{{"a", {1, "two", nullptr, true}}, {"b", "text } {"}});
  EXPECT_TRUE(t.is_literal());
  EXPECT_EQ(t.literal(), json({{"a", {1, "two", nullptr, true}}, {"b", "text } {"}}));
  EXPECT_EQ(*t.constant(), t.literal());
}

TEST(ValueTemplateTest, OneTemplateAloneKeepsTheExpressionsType) {
  json entity = {{"budget", 1200}, {"tags", {"a", "b"}}, {"open", true}, {"meta", {{"k", 1.5}}}};
  EXPECT_EQ(Eval("{{ entity.budget }}", entity), 1200);
  EXPECT_EQ(Eval("  {{ entity.budget * 2 }} ", entity), 2400);
  EXPECT_EQ(Eval("{{ entity.tags }}", entity), json({"a", "b"}));
  EXPECT_EQ(Eval("{{ entity.open }}", entity), true);
  EXPECT_EQ(Eval("{{ entity.meta }}", entity), json({{"k", 1.5}}));
  EXPECT_TRUE(ValueTemplate::Parse("{{ entity.budget }}")->is_single_expression());
}

TEST(ValueTemplateTest, TextAroundTemplatesMakesAString) {
  json entity = {{"title", "Launch"}, {"n", 3}, {"tags", {"a"}}};
  EXPECT_EQ(Eval("Brief for {{ entity.title }} ({{ entity.n }} of {{ entity.tags }})", entity),
            "Brief for Launch (3 of [\"a\"])");
  EXPECT_EQ(Eval("{{ entity.title }}{{ entity.title }}", entity), "LaunchLaunch");
}

TEST(ValueTemplateTest, TemplatesInsideListsAndMappings) {
  json entity = {{"owner", "user:olga"}, {"n", 2}};
  EXPECT_EQ(Eval(json{{"to", {"{{ entity.owner }}", "ops"}}, {"count", "{{ entity.n + 1 }}"}}, entity),
            json({{"to", {"user:olga", "ops"}}, {"count", 3}}));
}

TEST(ValueTemplateTest, AResultIsDataAndIsNeverEvaluatedAgain) {
  json entity = {{"title", "{{ entity.secret }}"}, {"secret", "leaked"}, {"note", "{{ 1 + 1 }}"}};
  EXPECT_EQ(Eval("Brief for {{ entity.title }}", entity), "Brief for {{ entity.secret }}");
  EXPECT_EQ(Eval("{{ entity.note }}", entity), "{{ 1 + 1 }}");
  EXPECT_EQ(Eval(json{{"t", "{{ entity.title }}"}}, entity), json({{"t", "{{ entity.secret }}"}}));
}

TEST(ValueTemplateTest, LiteralBracesAreWrittenAsATemplate) {
  EXPECT_EQ(Eval("use {{ \"{{\" }} name }} in templates", json::object()), "use {{ name }} in templates");
}

TEST(ValueTemplateTest, BracesAndStringsInsideTheExpressionDoNotEndIt) {
  EXPECT_EQ(Eval("{{ {'a': {'b': 1}}['a']['b'] }}", json::object()), 1);
  EXPECT_EQ(Eval("x{{ '}}' + \"}}\" }}y", json::object()), "x}}}}y");
  EXPECT_EQ(Eval("{{ r'\\d}}' }}", json::object()), "\\d}}");
}

TEST(ValueTemplateTest, ConstantsAreKnownAtLoad) {
  EXPECT_EQ(*ValueTemplate::Parse("{{ 1 + 2 }}")->constant(), 3);
  EXPECT_EQ(*ValueTemplate::Parse("n={{ 1 + 2 }}")->constant(), "n=3");
  EXPECT_EQ(*ValueTemplate::Parse(json{{"a", "{{ 'x' }}"}})->constant(), json({{"a", "x"}}));
  EXPECT_FALSE(ValueTemplate::Parse("{{ entity.x }}")->constant().has_value());
  EXPECT_FALSE(ValueTemplate::Parse("{{ now() }}")->constant().has_value());
  ValueTemplate mixed = *ValueTemplate::Parse(json{{"a", "{{ entity.x }}"}, {"b", 2}});
  EXPECT_EQ(mixed.ConstantMembers(), json({{"b", 2}}));
}

TEST(ValueTemplateTest, MalformedTemplatesAreRefusedWithTheirOffset) {
  EXPECT_EQ(ValueTemplate::Parse("Hi {{ entity.x").status().message(), ": 3: '{{' without a matching '}}'");
  EXPECT_EQ(ValueTemplate::Parse(json{{"a", {"ok", "{{   }}"}}}).status().message(),
            "/a/1: 0: empty template '{{ }}': write an expression between the braces");
  EXPECT_EQ(ValueTemplate::Parse("ab {{ 1 + }}").status().message(), ": 10: unexpected end of expression");
  EXPECT_EQ(ValueTemplate::Parse("{{ nobody }}").status().message(), ": 3: undeclared reference to 'nobody'");
}

TEST(ValueTemplateTest, EvaluationErrorsNameTheTemplateAndItsPlace) {
  RulePack pack;
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: task.created\n"
           "then:\n"
           "  - create_task:\n"
           "      title: \"For {{ entity.designer }}\"\n");
  RuleSet set = pack.LoadOk();
  const auto& create = std::get<CreateTask>(set.rules()[0].actions[0].spec);
  Result<json> out = create.title.Evaluate(EntityActivation({{"title", "x"}}));
  ASSERT_FALSE(out.ok());
  // The place of "designer" in the file.
  EXPECT_EQ(out.status().message(), "rules/a.yaml:5:29: no such key: 'designer' (in {{ entity.designer }})");
  Result<json> text = ValueTemplate::Parse("ab {{ 1 / entity.zero }}")->Evaluate(EntityActivation({{"zero", 0}}));
  EXPECT_EQ(text.status().message(), "1:9: division by zero (in {{ 1 / entity.zero }})");
}

TEST(ValueTemplateTest, RuleValuesReadFromYamlAreTyped) {
  RulePack pack;
  pack.Add("rules/ruleset.yaml", "events:\n  x.happened: {type: object}\n");
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: task.created\n"
           "then:\n"
           "  - emit:\n"
           "      type: x.happened\n"
           "      data:\n"
           "        n: 10\n"
           "        ratio: 0.5\n"
           "        flag: yes\n"
           "        none: ~\n"
           "        quoted: '10'\n"
           "        budget: \"{{ entity.budget }}\"\n"
           "        title: \"About {{ entity.title }}\"\n"
           "        list: [1, \"{{ entity.budget }}\"]\n");
  RuleSet set = pack.LoadOk();
  const auto& emit = std::get<Emit>(set.rules()[0].actions[0].spec);
  Result<json> data = emit.data.Evaluate(EntityActivation({{"title", "{{ entity.budget }}"}, {"budget", 7}}));
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, json({{"n", 10},
                         {"ratio", 0.5},
                         {"flag", "yes"},  // YAML 1.2: only true and false are booleans
                         {"none", nullptr},
                         {"quoted", "10"},
                         {"budget", 7},
                         {"title", "About {{ entity.budget }}"},
                         {"list", {1, 7}}}));
}

}  // namespace
}  // namespace keel::rules
