// Evaluation: errors as values, overflow, the cost bound and growth limits.
#include <gtest/gtest.h>

#include "rules/cel/cel.h"

namespace keel::cel {
namespace {

Result<Value> Eval(std::string_view expr, const Activation& activation = Activation(),
                   const EvalOptions& eval_options = {}) {
  CompileOptions options;
  options.variables.push_back({"x", Kind::kDyn});
  KEEL_ASSIGN_OR_RETURN(Program program, Compile(expr, options));
  return program.Evaluate(activation, eval_options);
}

void ExpectError(std::string_view expr, std::string_view text, const Activation& a = Activation()) {
  Result<Value> v = Eval(expr, a);
  ASSERT_FALSE(v.ok()) << expr << " gave " << v->DebugString();
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument) << v.status().ToString();
  EXPECT_NE(v.status().message().find(text), std::string::npos) << expr << ": " << v.status().message();
}

void ExpectValue(std::string_view expr, const Value& expected, const Activation& a = Activation()) {
  Result<Value> v = Eval(expr, a);
  ASSERT_TRUE(v.ok()) << expr << ": " << v.status().ToString();
  EXPECT_EQ(v->kind(), expected.kind()) << expr << " gave " << v->DebugString();
  EXPECT_TRUE(v->Equals(expected)) << expr << " gave " << v->DebugString() << ", expected "
                                   << expected.DebugString();
}

TEST(CelOverflowTest, IntArithmeticOverflowIsAnError) {
  ExpectError("9223372036854775807 + 1", "integer overflow");
  ExpectError("-9223372036854775808 - 1", "integer overflow");
  ExpectError("5000000000 * 5000000000", "integer overflow");
  ExpectError("-(-9223372036854775808)", "integer overflow");
  ExpectError("-9223372036854775808 / -1", "integer overflow");
  ExpectError("-9223372036854775808 % -1", "integer overflow");
  ExpectValue("9223372036854775806 + 1", Value::Int(INT64_MAX));
}

TEST(CelOverflowTest, UintArithmeticOverflowIsAnError) {
  ExpectError("0u - 1u", "unsigned integer overflow");
  ExpectError("18446744073709551615u + 1u", "unsigned integer overflow");
  ExpectValue("18446744073709551614u + 1u", Value::Uint(UINT64_MAX));
}

TEST(CelOverflowTest, ConversionsOutOfRangeAreErrors) {
  ExpectError("int(18446744073709551615u)", "out of range");
  ExpectError("int(9.3e18)", "out of range");
  ExpectError("int(-9223372036854775808.0)", "out of range");
  ExpectError("uint(-1)", "out of range");
  ExpectError("uint(-0.5)", "out of range");
  ExpectError("int(0.0 / 0.0)", "out of range");
  ExpectValue("int(-7.9)", Value::Int(-7));
  ExpectValue("uint(1e19)", Value::Uint(10000000000000000000ull));
}

TEST(CelOverflowTest, DivisionByZero) {
  ExpectError("1 / 0", "division by zero");
  ExpectError("1 % 0", "modulus by zero");
  ExpectError("1u / 0u", "division by zero");
  ExpectValue("1.0 / 0.0 > 1e308", Value::Bool(true));
}

TEST(CelEvalTest, ErrorsAreAbsorbedByDecidingOperands) {
  ExpectValue("1 / 0 == 1 || true", Value::Bool(true));
  ExpectValue("false && 1 / 0 == 1", Value::Bool(false));
  ExpectValue("1 / 0 == 1 && false", Value::Bool(false));
  ExpectError("1 / 0 == 1 && true", "division by zero");
  ExpectValue("[1, 0].exists(n, 1 / n == 1)", Value::Bool(true));
  ExpectError("[0, 1].all(n, 1 / n == 1)", "division by zero");
  ExpectValue("[0, 2].all(n, 1 / n == 1)", Value::Bool(false));
}

TEST(CelEvalTest, HeterogeneousNumbersCompare) {
  ExpectValue("dyn(1) == 1.0 && dyn(1u) == 1 && dyn(2) < 2.5 && dyn(3u) > -1", Value::Bool(true));
  ExpectValue("{1: 'a'}[1u] == 'a' && {1u: 'b'}[1.0] == 'b'", Value::Bool(true));
  ExpectValue("dyn('1') == 1", Value::Bool(false));
}

TEST(CelEvalTest, InOnListsAndMaps) {
  ExpectValue("'it' in ['marketing', 'it']", Value::Bool(true));
  ExpectValue("2 in [1.0, 2.0]", Value::Bool(true));
  ExpectValue("'k' in {'k': 1}", Value::Bool(true));
  ExpectValue("'v' in {'k': 'v'}", Value::Bool(false));
  ExpectError("1 in dyn('abc')", "'in' needs a list or a map");
}

TEST(CelEvalTest, MacrosOverMapsIterateKeys) {
  ExpectValue("{'a': 1, 'b': 2}.map(k, k + k)", Value::List({Value::String("aa"), Value::String("bb")}));
  ExpectValue("{'a': 1, 'b': 2}.filter(k, k == 'b')", Value::List({Value::String("b")}));
  ExpectValue("[1, 2, 3, 4].map(n, n % 2 == 0, n * 10)", Value::List({Value::Int(20), Value::Int(40)}));
  ExpectValue("[1, 2, 3].exists_one(n, n > 2)", Value::Bool(true));
}

TEST(CelEvalTest, NestedMacrosShadowTheirVariables) {
  ExpectValue("[1, 2].all(x, [10, 20].exists(x, x > 15))", Value::Bool(true));
  ExpectValue("[[1], [2, 3]].map(l, l.map(x, x * 2))",
              Value::List({Value::List({Value::Int(2)}), Value::List({Value::Int(4), Value::Int(6)})}));
}

TEST(CelEvalTest, HasTestsMapKeys) {
  Activation a;
  a.Bind("x", *Value::Map({{Value::String("team"), Value::String("it")}}));
  ExpectValue("has(x.team) && !has(x.owner)", Value::Bool(true), a);
  ExpectError("has(x.team.name)", "has() needs a map", a);
}

TEST(CelEvalTest, RepeatedMapKeyIsAnError) {
  ExpectError("{'a': 1, 'a': 2}", "repeated map key");
  ExpectError("{1: 'a', 1u: 'b'}", "repeated map key");
}

TEST(CelEvalTest, LargeMapsFindKeysAcrossNumericKinds) {
  const std::string map = "{0: 'a', 1: 'b', 2: 'c', 3: 'd', 4: 'e', 5: 'f', 6: 'g', 7: 'h', 8: 'i', 9: 'j', 'k': 'l'}";
  ExpectValue(map + "[dyn(9u)] == 'j' && " + map + "[dyn(3.0)] == 'd' && " + map + "['k'] == 'l'", Value::Bool(true));
  ExpectValue("size(" + map + ") == 11 && !(10 in " + map + ") && !(dyn(2.5) in " + map + ")", Value::Bool(true));
  ExpectError("{0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1, 3u: 1}", "repeated map key");
}

TEST(CelEvalTest, ListIndexing) {
  ExpectValue("[7, 8, 9][1]", Value::Int(8));
  ExpectValue("[7, 8, 9][dyn(2u)]", Value::Int(9));
  ExpectError("[7, 8, 9][3]", "index 3 out of range");
  ExpectError("[7, 8, 9][-1]", "out of range");
  ExpectError("[7, 8, 9][dyn(0.5)]", "not an integer");
  ExpectError("[7, 8, 9][dyn(1e19)]", "not an integer");
}

TEST(CelEvalTest, StringSizeCountsCodePointsAtAnyLength) {
  ExpectValue("size('Prepare launch brief')", Value::Int(20));
  ExpectValue("size('abcdefgh') == 8 && size('abcdefghé') == 9 && size('éabcdefgh') == 9", Value::Bool(true));
  ExpectValue("size('πέντε πέντε πέντε')", Value::Int(17));
  ExpectValue("size('🐱😀😛🐱😀😛🐱')", Value::Int(7));
  ExpectValue("size('') == 0 && size('ab') == 2 && size(b'\\xff\\xff') == 2", Value::Bool(true));
}

TEST(CelEvalTest, UnboundDeclaredVariableFailsWhenUsed) {
  ExpectError("x + 1", "no value is bound to variable 'x'");
  ExpectValue("true || x", Value::Bool(true));
}

TEST(CelEvalTest, DeclaredKindIsEnforced) {
  Activation a;
  a.Bind("event", Value::String("not a map"));
  Result<Program> p = Compile("event.type == 'x'");
  ASSERT_TRUE(p.ok());
  Result<Value> v = p->Evaluate(a);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("declared map"), std::string::npos) << v.status().message();
}

TEST(CelEvalTest, TypesAreValues) {
  ExpectValue("type(1) == int && type('a') == string && type(type(1)) == type", Value::Bool(true));
  Activation a;
  a.Bind("x", Value::Uint(1));
  ExpectValue("type(null) == null_type && type(x) == uint && type(x) != int", Value::Bool(true), a);
}

TEST(CelCostTest, RunawayComprehensionStopsAtTheBudget) {
  // 1000^3 iterations: far beyond the default budget of 100000 steps.
  Activation a;
  std::vector<Value> items;
  for (int i = 0; i < 1000; ++i) items.push_back(Value::Int(i));
  a.Bind("x", Value::List(std::move(items)));
  Result<Value> v = Eval("x.all(i, x.all(j, x.all(k, i + j + k >= 0)))", a);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(v.status().message().find("cost exceeded"), std::string::npos) << v.status().message();
}

TEST(CelCostTest, ExceedingTheBudgetIsNotAbsorbedByOr) {
  Activation a;
  std::vector<Value> items(5000, Value::Int(1));
  a.Bind("x", Value::List(std::move(items)));
  EvalOptions options;
  options.max_cost = 1000;
  Result<Value> v = Eval("x.all(i, i == 1) || true", a, options);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kResourceExhausted);
  options.max_cost = 100000;
  EXPECT_TRUE(Eval("x.all(i, i == 1) || true", a, options).ok());
}

TEST(CelCostTest, ListGrowthIsBounded) {
  EvalOptions options;
  options.max_list_size = 1000;
  Activation a;
  a.Bind("x", Value::List(std::vector<Value>(600, Value::Int(1))));
  EXPECT_TRUE(Eval("x + [1, 2]", a, options).ok());
  Result<Value> v = Eval("[1, 2].map(i, x + x).size() > 0", a, options);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kResourceExhausted) << v.status().ToString();
  EXPECT_NE(v.status().message().find("list would exceed"), std::string::npos) << v.status().message();
}

TEST(CelCostTest, StringGrowthIsBounded) {
  EvalOptions options;
  options.max_string_size = 1000;
  Activation a;
  a.Bind("x", Value::String(std::string(600, 'a')));
  Result<Value> v = Eval("x + x", a, options);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(v.status().message().find("string would exceed"), std::string::npos);
  EXPECT_TRUE(Eval("x + 'b'", a, options).ok());
}

TEST(CelCostTest, BudgetCoversLongListScans) {
  Activation a;
  std::vector<Value> items(50000, Value::Int(1));
  a.Bind("x", Value::List(std::move(items)));
  EvalOptions options;
  options.max_cost = 100000;
  // Three scans of 50000 elements each exceed 100000 steps.
  Result<Value> v = Eval("2 in x || 3 in x || 4 in x", a, options);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kResourceExhausted);
}

TEST(CelProgramTest, CopiesShareTheCompiledForm) {
  Result<Program> p = Compile("1 + 2");
  ASSERT_TRUE(p.ok());
  Program copy = *p;
  EXPECT_EQ(copy.source(), "1 + 2");
  EXPECT_EQ(copy.Evaluate(Activation())->AsInt(), 3);
}

}  // namespace
}  // namespace keel::cel
