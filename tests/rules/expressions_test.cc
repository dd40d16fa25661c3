// rules/expressions.h: engine/expression.h over keel's CEL, as
// connectors/webhooks uses it.
#include "rules/expressions.h"

#include <gtest/gtest.h>

namespace keel::rules {
namespace {

const std::vector<std::string> kVars = {"headers", "body", "endpoint", "item"};

std::shared_ptr<const Expression> Compile(std::string_view text, ExpressionForm form) {
  Result<std::shared_ptr<const Expression>> e = CelExpressions().Compile(text, form, kVars);
  EXPECT_TRUE(e.ok()) << text << ": " << e.status().ToString();
  return e.ok() ? *e : nullptr;
}

TEST(CelExpressions, EvaluatesOverABodyBoundFromText) {
  auto scope = CelExpressions().NewScope();
  ASSERT_TRUE(scope->BindJsonText("body", R"({"issue":{"id":10001,"title":"Fix it","points":2.5}})").ok());
  std::vector<std::pair<std::string, std::string>> headers = {{"x-github-event", "issues"}};
  scope->BindStringMap("headers", headers);
  EXPECT_EQ(*Compile("body.issue.id", ExpressionForm::kCel)->Evaluate(*scope), nlohmann::json(10001));
  EXPECT_EQ(*Compile("{{ body.issue.id }}", ExpressionForm::kTemplate)->Evaluate(*scope), nlohmann::json(10001));
  EXPECT_EQ(*Compile("task/jira:{{ body.issue.id }}", ExpressionForm::kTemplate)->Evaluate(*scope),
            nlohmann::json("task/jira:10001"));
  EXPECT_EQ(*Compile("{{ body.issue.points }}", ExpressionForm::kTemplate)->Evaluate(*scope), nlohmann::json(2.5));
  EXPECT_TRUE(*Compile("headers['x-github-event'] == 'issues'", ExpressionForm::kCel)->EvaluateBool(*scope));
  EXPECT_EQ(*Compile("{{ parse_time('2016-06-21 10:00:00 UTC') }}", ExpressionForm::kTemplate)->Evaluate(*scope),
            nlohmann::json("2016-06-21T10:00:00Z"));
}

TEST(CelExpressions, LetAndForEachKeepTheEvaluatorsValues) {
  auto scope = CelExpressions().NewScope();
  ASSERT_TRUE(scope->BindJsonText("body", R"({"items":[{"f":"status"},{"f":"x"},{"f":"status"}]})").ok());
  std::vector<std::string> vars = {"body", "issue", "item", "list"};
  auto let = CelExpressions().Compile("body.items.filter(i, i.f == 'status')", ExpressionForm::kCel, vars);
  ASSERT_TRUE(let.ok());
  ASSERT_TRUE((*let)->EvaluateInto(*scope, "issue").ok());
  auto list = CelExpressions().Compile("issue", ExpressionForm::kCel, vars);
  Result<size_t> size = (*list)->EvaluateList(*scope, "list");
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 2u);
  scope->BindListItem("item", "list", 1);
  auto f = CelExpressions().Compile("item.f", ExpressionForm::kCel, vars);
  EXPECT_EQ(*(*f)->Evaluate(*scope), nlohmann::json("status"));
}

TEST(CelExpressions, PlacesCompileErrorsInsideTheText) {
  ExpressionError error;
  auto bad = CelExpressions().Compile("body.a &&", ExpressionForm::kCel, kVars, &error);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(error.line, 1);
  EXPECT_EQ(error.column, 10);
  auto unknown = CelExpressions().Compile("Title: {{ bodyy.x }}", ExpressionForm::kTemplate, kVars, &error);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(error.line, 1);
  EXPECT_EQ(error.column, 11);
  EXPECT_NE(error.message.find("bodyy"), std::string::npos) << error.message;
  auto unclosed = CelExpressions().Compile("a {{ b", ExpressionForm::kTemplate, kVars, &error);
  ASSERT_FALSE(unclosed.ok());
  EXPECT_EQ(error.column, 3);
}

TEST(CelExpressions, ReportsEvaluationErrorsWithoutPlace) {
  auto scope = CelExpressions().NewScope();
  ASSERT_TRUE(scope->BindJsonText("body", R"({"issue":{}})").ok());
  Result<nlohmann::json> v = Compile("{{ body.issue.title }}", ExpressionForm::kTemplate)->Evaluate(*scope);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "no such key: 'title'");
  Result<bool> b = Compile("body.issue", ExpressionForm::kCel)->EvaluateBool(*scope);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("expected a bool"), std::string::npos);
}

TEST(CelExpressions, FoldsConstants) {
  EXPECT_EQ(*Compile("task.created", ExpressionForm::kTemplate)->constant(), nlohmann::json("task.created"));
  EXPECT_EQ(*Compile("{{ 'a' + 'b' }}", ExpressionForm::kTemplate)->constant(), nlohmann::json("ab"));
  EXPECT_FALSE(Compile("{{ body.x }}", ExpressionForm::kTemplate)->constant().has_value());
  EXPECT_FALSE(Compile("{{ person('github', 'x') }}", ExpressionForm::kTemplate)->constant().has_value());
}

}  // namespace
}  // namespace keel::rules

namespace keel::rules {
namespace {

TEST(CelExpressions, BindsOnlyTheSelectedPartsOfABody) {
  std::vector<std::string> vars = {"body", "issue", "items"};
  auto compile = [&](std::string_view text) { return CelExpressions().Compile(text, ExpressionForm::kCel, vars).value(); };
  auto issue = compile("body.issue");                                       // an alias
  auto items = compile("body.log.items.filter(i, i.f == 'status')");       // reads body.log.items whole
  auto title = compile("issue.fields.title");
  auto has_due = compile("has(issue.fields.due)");
  std::vector<std::pair<std::string, const Expression*>> lets = {{"issue", issue.get()}, {"items", items.get()}};
  std::vector<const Expression*> uses = {title.get(), has_due.get()};
  std::shared_ptr<const JsonSelection> selection = CelExpressions().SelectionOf("body", uses, lets);
  ASSERT_NE(selection, nullptr);
  auto scope = CelExpressions().NewScope();
  ASSERT_TRUE(scope->BindJsonText("body", R"({"issue":{"fields":{"title":"T","big":[1,2,3]},"x":1},
      "log":{"items":[{"f":"status","g":1}],"other":2},"unread":{"a":1}})", selection.get()).ok());
  EXPECT_EQ(*compile("body")->Evaluate(*scope),
            nlohmann::json::parse(R"({"issue":{"fields":{"title":"T"}},"log":{"items":[{"f":"status","g":1}]}})"));
  // Reading the whole body, or a let used whole, keeps everything below it.
  auto whole = compile("size(body) > 0");
  EXPECT_EQ(CelExpressions().SelectionOf("body", std::vector<const Expression*>{whole.get()}, lets), nullptr);
  auto issue_whole = compile("size(issue) > 0");
  auto kept = CelExpressions().SelectionOf("body", std::vector<const Expression*>{issue_whole.get()}, lets);
  ASSERT_TRUE(scope->BindJsonText("body", R"({"issue":{"x":1,"y":{"z":2}},"unread":3})", kept.get()).ok());
  EXPECT_EQ(*compile("body")->Evaluate(*scope), nlohmann::json::parse(R"({"issue":{"x":1,"y":{"z":2}}})"));
}


// A let that is a part of the body or a constant (`x != null ? x.y : {}`) is
// an alias too: reading a member of it reads that member of the part, and
// the tests on the way (x != null, has(x.y)) keep only that x is there.
TEST(CelExpressions, ConditionalLetsAndNullTestsKeepOnlyWhatIsRead) {
  std::vector<std::string> vars = {"body", "issue", "fields"};
  auto compile = [&](std::string_view text) { return CelExpressions().Compile(text, ExpressionForm::kCel, vars).value(); };
  auto issue = compile("body.issue");
  auto fields = compile("issue != null && has(issue.fields) ? issue.fields : {}");
  auto summary = compile("fields.summary");
  auto has_parent = compile("has(fields.parent) && fields.parent != null ? fields.parent.id : null");
  std::vector<std::pair<std::string, const Expression*>> lets = {{"issue", issue.get()}, {"fields", fields.get()}};
  std::vector<const Expression*> uses = {summary.get(), has_parent.get()};
  std::shared_ptr<const JsonSelection> selection = CelExpressions().SelectionOf("body", uses, lets);
  ASSERT_NE(selection, nullptr);
  auto scope = CelExpressions().NewScope();
  ASSERT_TRUE(scope->BindJsonText("body", R"({"issue":{"key":"K-1","fields":{"summary":"S",
      "parent":{"id":"7","fields":{"big":1}},"customfield_1":[1,2,3]}},"user":{"name":"n"}})", selection.get()).ok());
  EXPECT_EQ(*compile("body")->Evaluate(*scope),
            nlohmann::json::parse(R"({"issue":{"fields":{"summary":"S","parent":{"id":"7"}}}})"));
  // The same let with a computed branch is a value of its own: what it is
  // computed from is kept whole.
  auto computed = compile("issue != null ? issue.fields : {'user': body.user}");
  auto size_of = compile("size(fields) > 0");
  std::vector<std::pair<std::string, const Expression*>> computed_lets = {{"issue", issue.get()},
                                                                          {"fields", computed.get()}};
  auto kept = CelExpressions().SelectionOf("body", std::vector<const Expression*>{size_of.get()}, computed_lets);
  ASSERT_NE(kept, nullptr);
  ASSERT_TRUE(scope->BindJsonText("body", R"({"issue":{"fields":{"a":1},"x":2},"user":{"n":1},"other":3})",
                                  kept.get()).ok());
  EXPECT_EQ(*compile("body")->Evaluate(*scope),
            nlohmann::json::parse(R"({"issue":{"fields":{"a":1}},"user":{"n":1}})"));
}

}  // namespace
}  // namespace keel::rules
