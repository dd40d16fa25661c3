// Errors in an expression point at the place in the rule file, with a caret.
#include <gtest/gtest.h>

#include "rules/cel/cel.h"

namespace keel::cel {
namespace {

TEST(CelDiagnosticTest, CaretUnderTheErrorInTheRuleFile) {
  const std::string file =
      "id: kickoff\n"
      "on: initiative.status_changed\n"
      "if: event.data.to == \"in_progress\" && entity.team == markting\n";
  const std::string expr = "event.data.to == \"in_progress\" && entity.team == markting";
  Diagnostic d;
  ASSERT_FALSE(Compile(expr, {}, &d).ok());
  EXPECT_EQ(d.position.line, 1);
  EXPECT_EQ(d.position.column, 50);
  std::string text = FormatDiagnostic("rules/kickoff.yaml", {3, 5, 0}, expr, d, file);
  EXPECT_EQ(text,
            "rules/kickoff.yaml:3:54: undeclared reference to 'markting'\n"
            "if: event.data.to == \"in_progress\" && entity.team == markting\n"
            "                                                     ^");
}

TEST(CelDiagnosticTest, BlockScalarLinesKeepTheirIndent) {
  const std::string file =
      "if: >-\n"
      "    event.data.to == 'done' &&\n"
      "    entity.team == 1 +\n";
  const std::string expr = "event.data.to == 'done' &&\nentity.team == 1 +";
  Diagnostic d;
  ASSERT_FALSE(Compile(expr, {}, &d).ok());
  EXPECT_EQ(d.position.line, 2);
  EXPECT_EQ(d.position.column, 19);
  std::string text = FormatDiagnostic("r.yaml", {2, 5, 4}, expr, d, file);
  EXPECT_EQ(text,
            "r.yaml:3:23: unexpected end of expression\n"
            "    entity.team == 1 +\n"
            "                      ^");
}

TEST(CelDiagnosticTest, TabsAreKeptSoTheCaretLinesUp) {
  const std::string file = "\tif: 1 +\n";
  Diagnostic d{{1, 4}, "unexpected end of expression"};
  std::string text = FormatDiagnostic("r.yaml", {1, 6, 0}, "1 +", d, file);
  EXPECT_EQ(text, "r.yaml:1:9: unexpected end of expression\n\tif: 1 +\n\t       ^");
}

TEST(CelDiagnosticTest, WithoutTheFileTheExpressionIsShown) {
  Diagnostic d;
  ASSERT_FALSE(Compile("size('a') +", {}, &d).ok());
  std::string text = FormatDiagnostic("", {10, 7, 0}, "size('a') +", d);
  EXPECT_EQ(text, "10:18: unexpected end of expression\nsize('a') +\n           ^");
}

TEST(CelDiagnosticTest, EvaluationErrorsCarryTheirPosition) {
  Result<Program> p = Compile("entity.count > 0 &&\n  10 / entity.count > 1");
  ASSERT_TRUE(p.ok());
  Activation a;
  Result<Value> m = Value::Map({{Value::String("count"), Value::Int(0)}});
  ASSERT_TRUE(m.ok());
  a.Bind("entity", *m);
  // count == 0: the && absorbs the division's error.
  Result<Value> v = p->Evaluate(a);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_FALSE(v->AsBool());

  Result<Program> q = Compile("entity.count == 0 &&\n  10 / entity.count > 1");
  ASSERT_TRUE(q.ok());
  Diagnostic d;
  Result<Value> w = q->Evaluate(a, {}, &d);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message(), "2:6: division by zero");
  EXPECT_EQ(d.position.line, 2);
  EXPECT_EQ(d.position.column, 6);
  EXPECT_EQ(FormatDiagnostic("r.yaml", {4, 5, 4}, q->source(), d),
            "r.yaml:5:10: division by zero\n  10 / entity.count > 1\n     ^");
}

TEST(CelDiagnosticTest, MissingKeyPointsAtTheField) {
  Result<Program> p = Compile("event.data.too == 'x'");
  ASSERT_TRUE(p.ok());
  Activation a;
  a.Bind("event", *Value::Map({{Value::String("data"), *Value::Map({})}}));
  Result<Value> v = p->Evaluate(a);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "1:12: no such key: 'too'");
}

}  // namespace
}  // namespace keel::cel
