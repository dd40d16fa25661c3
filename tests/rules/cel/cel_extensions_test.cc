// cel-go's extension libraries in keel's CEL: values written by hand from
// cel-go's ext/README.md, and the evaluation bounds every new function that
// builds a string or a list keeps.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

void ExpectTrue(std::string_view expr, const Activation& a = Activation()) {
  Result<Value> v = Eval(expr, a);
  ASSERT_TRUE(v.ok()) << expr << ": " << v.status().ToString();
  EXPECT_TRUE(v->kind() == Kind::kBool && v->AsBool()) << expr << " gave " << v->DebugString();
}

void ExpectError(std::string_view expr, std::string_view text, const Activation& a = Activation()) {
  Result<Value> v = Eval(expr, a);
  ASSERT_FALSE(v.ok()) << expr << " gave " << v->DebugString();
  EXPECT_NE(v.status().message().find(text), std::string::npos) << expr << ": " << v.status().message();
}

void ExpectExhausted(std::string_view expr, const EvalOptions& options, const Activation& a = Activation()) {
  Result<Value> v = Eval(expr, a, options);
  ASSERT_FALSE(v.ok()) << expr << " gave " << v->DebugString();
  EXPECT_EQ(v.status().code(), StatusCode::kResourceExhausted) << expr << ": " << v.status().ToString();
}

TEST(CelStringsExtensionTest, IndexesCountCodePoints) {
  ExpectTrue("'hello'.charAt(4) == 'o' && 'hello'.charAt(5) == ''");
  ExpectTrue("'hello mellow'.indexOf('ello', 2) == 7 && 'hello mellow'.indexOf('jello') == -1");
  ExpectTrue("'hello mellow'.lastIndexOf('ello') == 7 && 'hello mellow'.lastIndexOf('ello', 6) == 1");
  ExpectTrue("'tacocat'.substring(4) == 'cat' && 'tacocat'.substring(0, 4) == 'taco'");
  ExpectTrue("'ta©o©αT'.substring(2, 6) == '©o©α' && 'ta©o©αT'.indexOf('©', 3) == 4");
  ExpectError("'hello'.charAt(-1)", "index out of range: -1");
  ExpectError("'hello'.substring(3, 2)", "invalid substring range");
}

TEST(CelStringsExtensionTest, CaseReplaceSplitReverseQuote) {
  ExpectTrue("'TacoCÆt'.lowerAscii() == 'tacocÆt' && 'tacoCαt'.upperAscii() == 'TACOCαT'");
  ExpectTrue("'{0} days {0} hours'.replace('{0}', '2', 1) == '2 days {0} hours'");
  ExpectTrue("'a,b,c'.split(',', 2) == ['a', 'b,c'] && 'a,b'.split(',', 0) == []");
  ExpectTrue("'gums'.reverse() == 'smug' && [1, 2].reverse() == [2, 1]");
  ExpectTrue("strings.quote('line\\nbreak \"q\"') == '\"line\\\\nbreak \\\\\"q\\\\\"\"'");
}

TEST(CelStringsExtensionTest, FormatWritesEveryKind) {
  ExpectTrue("'%s has %d items at %.2f, %e'.format(['cart', 3, 2.5, 1000.0]) == "
             "'cart has 3 items at 2.50, 1.000000e+03'");
  ExpectTrue("'%x %X %o %b'.format([255, 255, 8, 5]) == 'ff FF 10 101'");
  ExpectTrue("'%s'.format([{'b': [1, 2.5], 'a': null}]) == '{a: null, b: [1, 2.5]}'");
  ExpectTrue("'%s %s'.format([duration('90s'), timestamp('2026-03-02T09:00:00Z')]) == "
             "'90s 2026-03-02T09:00:00Z'");
  ExpectTrue("'100%%'.format([]) == '100%'");
  ExpectError("'%d %d'.format([1])", "index 1 out of range");
  ExpectError("'%d'.format(['a'])", "decimal clause can only be used on integers");
  ExpectError("'%q'.format([1])", "unrecognized formatting clause");
}

TEST(CelMathExtensionTest, GreatestLeastAndRounding) {
  ExpectTrue("math.greatest(1, 2.5, 3u) == 3u && math.least([4, -1.5, 2]) == -1.5");
  ExpectTrue("math.greatest(7) == 7");
  ExpectTrue("math.round(2.5) == 3.0 && math.round(-2.5) == -3.0 && math.trunc(-1.7) == -1.0");
  ExpectTrue("math.ceil(1.2) == 2.0 && math.floor(-1.2) == -2.0");
  ExpectTrue("math.abs(-3) == 3 && math.sign(-2.5) == -1.0 && math.isNaN(0.0 / 0.0)");
  ExpectTrue("math.bitAnd(6, 3) == 2 && math.bitOr(1u, 2u) == 3u && math.bitShiftRight(-1024, 3) == 2305843009213693824");
  ExpectError("math.abs(-9223372036854775808)", "overflow");
  ExpectError("math.greatest([])", "no arguments");
  ExpectError("math.greatest(['a'])", "no such overload");
}

TEST(CelEncodersExtensionTest, Base64RoundTrips) {
  ExpectTrue("base64.encode(b'hello') == 'aGVsbG8='");
  ExpectTrue("base64.decode('aGVsbG8=') == b'hello' && base64.decode('aGVsbG8') == b'hello'");
  ExpectError("base64.decode('a?==')", "illegal base64 data");
}

TEST(CelListsExtensionTest, ListFunctions) {
  ExpectTrue("lists.range(4) == [0, 1, 2, 3]");
  ExpectTrue("[1, 2, 3, 4].slice(1, 3) == [2, 3]");
  ExpectTrue("[1, [2, [3]]].flatten() == [1, 2, [3]] && [1, [2, [3]]].flatten(2) == [1, 2, 3]");
  ExpectTrue("[1, 2, 1.0, 'a', 'a'].distinct() == [1, 2, 'a']");
  ExpectTrue("[3, 1, 2].sort() == [1, 2, 3] && ['b', 'a'].sort() == ['a', 'b']");
  ExpectError("[1, 'a'].sort()", "same type");
  ExpectError("[1, 2].slice(1, 3)", "list is length 2");
}

TEST(CelExtensionBoundsTest, BuildersCountTowardTheLimits) {
  EvalOptions small;
  small.max_list_size = 1000;
  small.max_string_size = 1000;
  ExpectExhausted("lists.range(1001)", small);
  ExpectExhausted("lists.range(1000000000)", EvalOptions());
  ExpectExhausted("lists.range(600).map(i, [i, i]).flatten()", small);
  ExpectExhausted("'%s'.format([lists.range(900)])", small);
  ExpectExhausted("'ab'.replace('', 'xxxxxxxxxx')", [] {
    EvalOptions o;
    o.max_string_size = 10;
    return o;
  }());
  // Cost: a format of a long list spends a step per element written.
  EvalOptions cheap;
  cheap.max_cost = 500;
  ExpectExhausted("'%s'.format([lists.range(400)])", cheap);
  ExpectExhausted("lists.range(400).sort()", cheap);
  ExpectExhausted("lists.range(100).distinct()", cheap);
  ExpectExhausted("'%s'.format([lists.range(400)]).split('')", cheap);
}

}  // namespace
}  // namespace keel::cel

namespace keel::cel {
namespace {

TEST(CelBindTest, BindsOnceForTheBody) {
  ExpectTrue("cel.bind(t, 'ab', t + t) == 'abab'");
  ExpectTrue("cel.bind(a, 1, cel.bind(b, a + 1, [a, b])) == [1, 2]");
  ExpectTrue("cel.bind(m, {'k': [1, 2]}, m.k)[1] == 2");
  // An error bound but never read does not fail the expression.
  ExpectTrue("cel.bind(e, 1 / 0, true)");
  ExpectError("cel.bind(e, 1 / 0, e + 1)", "division by zero");
}

TEST(CelTwoVariableComprehensionTest, IndexAndElementOrKeyAndValue) {
  ExpectTrue("[10, 20].all(i, v, v == (i + 1) * 10)");
  ExpectTrue("{'a': 1, 'b': 2}.exists(k, v, k == 'b' && v == 2)");
  ExpectTrue("[1, 2, 3].existsOne(i, v, i == v)  == false && [0, 5].existsOne(i, v, i == v)");
  ExpectTrue("[1, 2, 3].transformList(i, v, i * v) == [0, 2, 6]");
  ExpectTrue("[1, 2, 3].transformList(i, v, v > 1, v * 10) == [20, 30]");
  ExpectTrue("{'a': 1, 'b': 2}.transformMap(k, v, v + 1) == {'a': 2, 'b': 3}");
  ExpectTrue("['x', 'y'].transformMap(i, v, v + v) == {0: 'xx', 1: 'yy'}");
  ExpectTrue("{'a': 1}.transformMapEntry(k, v, {v: k}) == {1: 'a'}");
  ExpectError("{'a': 1, 'b': 1}.transformMapEntry(k, v, {v: k})", "repeated");
  ExpectError("[1].all(i, i, true)", "different names");
}

TEST(CelListsExtensionTest, SortByFirstAndLast) {
  ExpectTrue("[{'n': 'b', 'p': 2}, {'n': 'a', 'p': 1}].sortBy(e, e.p).map(e, e.n) == ['a', 'b']");
  ExpectTrue("[3, 1, 2].first() == optional.of(3) && [3, 1, 2].last().value() == 2");
  ExpectTrue("![].first().hasValue()");
}

TEST(CelOptionalTest, SelectIndexAndDefaults) {
  Activation a;
  a.Bind("x", FromJson(nlohmann::json::parse(R"({"labels": ["q2"], "owner": null, "team": ""})")));
  ExpectTrue("x.?labels.orValue([]) == ['q2'] && x.?missing.orValue([]) == []", a);
  ExpectTrue("x.?owner.hasValue() && x.?owner.value() == null", a);
  ExpectTrue("!x.?missing.hasValue() && !x.?missing.deeper.hasValue()", a);
  ExpectTrue("x.labels[?0] == optional.of('q2') && !x.labels[?5].hasValue()", a);
  ExpectTrue("x[?'team'].orValue('none') == '' && optional.ofNonZeroValue(x.team).orValue('none') == 'none'", a);
  ExpectTrue("optional.none().or(optional.of(2)).value() == 2", a);
  ExpectTrue("x.?labels.optMap(l, size(l)).value() == 1 && !x.?nope.optMap(l, size(l)).hasValue()", a);
  ExpectTrue("x.?labels.optFlatMap(l, l[?0]) == optional.of('q2')", a);
  ExpectTrue("[?x.?missing, ?x.?labels, 1] == [['q2'], 1]", a);
  ExpectTrue("{?'a': x.?missing, ?'b': optional.of(2)} == {'b': 2}", a);
  ExpectTrue("type(optional.none()) == optional_type", a);
  ExpectError("x.?missing.value()", "optional.none()", a);
  ExpectError("[?1]", "must be optional", a);
}

TEST(CelOptionalTest, OptionalSelectionsAreReadPaths) {
  CompileOptions options;
  options.variables = {{"entity", Kind::kDyn}};
  Result<Program> program = Compile("entity.?labels.orValue([]).size() > 0 && has(entity.?team.name)", options);
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  std::optional<std::span<const std::string>> members = program->SelectedMembers("entity");
  ASSERT_TRUE(members.has_value());
  EXPECT_EQ(std::vector<std::string>(members->begin(), members->end()), (std::vector<std::string>{"labels", "team"}));
  bool labels = false;
  for (const auto& path : program->reads().whole) labels |= path == std::vector<std::string>{"entity", "labels"};
  EXPECT_TRUE(labels);
}

TEST(CelExtensionBoundsTest, ComprehensionsAndOptionalsCountTowardTheLimits) {
  EvalOptions cheap;
  cheap.max_cost = 500;
  ExpectExhausted("lists.range(300).transformList(i, v, i + v)", cheap);
  ExpectExhausted("lists.range(300).transformMap(i, v, v)", cheap);
  ExpectExhausted("lists.range(300).sortBy(v, -v)", cheap);
  ExpectExhausted("cel.bind(l, lists.range(300), l.all(i, v, v >= 0) && l.all(i, v, v >= 0))", cheap);
}

}  // namespace
}  // namespace keel::cel
