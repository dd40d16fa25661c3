// Syntax and check errors: each names the line and column it refers to.
#include <string>

#include <gtest/gtest.h>

#include "rules/cel/cel.h"

namespace keel::cel {
namespace {

// The diagnostic of an expression that must not compile.
Diagnostic CompileError(std::string_view expr, const CompileOptions& options = {}) {
  Diagnostic d;
  Result<Program> program = Compile(expr, options, &d);
  EXPECT_FALSE(program.ok()) << expr << " compiled";
  if (!program.ok()) {
    EXPECT_EQ(program.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(program.status().message().find(std::to_string(d.position.line) + ":" +
                                              std::to_string(d.position.column) + ": "),
              std::string::npos)
        << program.status().message();
  }
  return d;
}

void ExpectErrorAt(std::string_view expr, int line, int column, std::string_view text) {
  Diagnostic d = CompileError(expr);
  EXPECT_EQ(d.position.line, line) << expr << ": " << d.message;
  EXPECT_EQ(d.position.column, column) << expr << ": " << d.message;
  EXPECT_NE(d.message.find(text), std::string::npos) << expr << ": " << d.message;
}

TEST(CelParserTest, MissingOperandPointsAtTheEnd) { ExpectErrorAt("1 +", 1, 4, "end of expression"); }

TEST(CelParserTest, UnbalancedParenthesis) { ExpectErrorAt("(event.data.to == 'x'", 1, 22, "expected ')'"); }

TEST(CelParserTest, ErrorOnSecondLineCountsColumnsFromThatLine) {
  ExpectErrorAt("event.data.to == 'done' &&\n  entity.team = 'it'", 2, 15, "'=='");
}

TEST(CelParserTest, ColumnsCountCharactersNotBytes) {
  // 'é' is two bytes; the error is at the 9th character.
  ExpectErrorAt("'café' + )", 1, 10, "unexpected");
}

TEST(CelParserTest, UnterminatedString) { ExpectErrorAt("entity.title == 'abc", 1, 17, "unterminated string"); }

TEST(CelParserTest, InvalidEscape) { ExpectErrorAt(R"('a\qb')", 1, 3, "invalid escape"); }

TEST(CelParserTest, IntegerLiteralOutOfRange) {
  ExpectErrorAt("9223372036854775808", 1, 1, "out of range");
  ExpectErrorAt("18446744073709551616u", 1, 1, "out of range");
  EXPECT_TRUE(Compile("-9223372036854775808").ok());
  EXPECT_TRUE(Compile("18446744073709551615u").ok());
}

TEST(CelParserTest, ReservedWordsAreNotIdentifiers) { ExpectErrorAt("1 + package", 1, 5, "reserved word"); }

TEST(CelParserTest, SingleEqualsSignIsRefused) { ExpectErrorAt("a = 1", 1, 3, "'=='"); }

TEST(CelParserTest, HasNeedsAFieldSelection) { ExpectErrorAt("has(event)", 1, 5, "has() needs a field selection"); }

TEST(CelParserTest, MacroNeedsAVariableName) {
  ExpectErrorAt("[1, 2].all(1, true)", 1, 12, "variable name");
}

TEST(CelParserTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(5000, '(');
  deep += "1";
  deep += std::string(5000, ')');
  EXPECT_NE(CompileError(deep).message.find("nested too deeply"), std::string::npos);
  std::string chain = "1";
  for (int i = 0; i < 5000; ++i) chain += " + 1";
  EXPECT_NE(CompileError(chain).message.find("nested too deeply"), std::string::npos);
  std::string nots(5000, '!');
  EXPECT_NE(CompileError(nots + "true").message.find("nested too deeply"), std::string::npos);
}

TEST(CelParserTest, OverlongExpressionIsRefused) {
  CompileOptions options;
  options.max_expression_bytes = 10;
  EXPECT_NE(CompileError("1 + 2 + 3 + 4", options).message.find("longer than"), std::string::npos);
}

TEST(CelParserTest, InvalidUtf8IsRefusedWithItsPosition) {
  ExpectErrorAt("'ab\xff'", 1, 4, "UTF-8");
}

TEST(CelParserTest, CommentsAndNewlinesAreWhitespace) {
  Result<Program> p = Compile("1 + // one\n  2 // two");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  Result<Value> v = p->Evaluate(Activation());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->AsInt(), 3);
}

TEST(CelCheckTest, UndeclaredVariableIsACompileError) {
  ExpectErrorAt("event.data.to == status", 1, 18, "undeclared reference to 'status'");
}

TEST(CelCheckTest, UndeclaredFunctionIsACompileError) {
  ExpectErrorAt("entity.title.size() > 1 && shout(entity.title)", 1, 28, "undeclared function 'shout'");
}

TEST(CelCheckTest, WrongArgumentCountNamesTheFunction) {
  ExpectErrorAt("size('a', 'b')", 1, 1, "'size' does not take 2 arguments");
}

TEST(CelCheckTest, MethodCalledAsFunction) { ExpectErrorAt("startsWith('a', 'b')", 1, 1, "is a method"); }

TEST(CelCheckTest, NoOverloadForKnownKinds) {
  ExpectErrorAt("1 + 'a'", 1, 3, "no matching overload for '+' applied to (int, string)");
  ExpectErrorAt("size(12)", 1, 1, "no matching overload for 'size'");
  ExpectErrorAt("'a' && true", 1, 5, "'&&' needs bool operands");
  ExpectErrorAt("1 ? 'a' : 'b'", 1, 1, "condition of '?:' must be bool");
  ExpectErrorAt("[1, 2].all(x, x + 1)", 1, 17, "predicate of all() must be bool");
}

TEST(CelCheckTest, DynVariablesAreCheckedWhenEvaluated) {
  // entity is dyn: the call compiles, and a wrong kind fails at evaluation.
  EXPECT_TRUE(Compile("entity.title + 1 == 2").ok());
}

TEST(CelCheckTest, InvalidConstantRegexIsACompileError) {
  ExpectErrorAt("entity.title.matches('a(b')", 1, 22, "invalid regular expression");
}

TEST(CelCheckTest, MessageConstructionIsRefused) {
  ExpectErrorAt("Task{title: 'x'}", 1, 5, "no protobuf messages");
}

TEST(CelCheckTest, DeclaredVariablesAreTheOnlyVariables) {
  CompileOptions options;
  options.variables = {{"x", Kind::kInt}};
  EXPECT_TRUE(Compile("x + 1", options).ok());
  Diagnostic d = CompileError("event", options);
  EXPECT_NE(d.message.find("undeclared reference to 'event'"), std::string::npos);
}

TEST(CelCheckTest, MacrosCanBeTurnedOff) {
  CompileOptions options;
  options.enable_macros = false;
  Diagnostic d = CompileError("[1].all(x, x > 0)", options);
  EXPECT_NE(d.message.find("all"), std::string::npos) << d.message;
}

TEST(CelCheckTest, UncheckedModeDefersUnknownNamesToEvaluation) {
  CompileOptions options;
  options.type_check = false;
  Result<Program> p = Compile("missing || true", options);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  Result<Value> v = p->Evaluate(Activation());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->AsBool());
  Result<Program> q = Compile("f(1)", options);
  ASSERT_TRUE(q.ok());
  Result<Value> w = q->Evaluate(Activation());
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("undeclared function 'f'"), std::string::npos) << w.status().message();
}

}  // namespace
}  // namespace keel::cel
