// FromJson and ToJson: events in, template results out.
#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rules/cel/cel.h"

namespace keel::cel {
namespace {

using json = nlohmann::json;

Result<Value> Eval(std::string_view expr, const Activation& activation) {
  KEEL_ASSIGN_OR_RETURN(Program program, Compile(expr));
  return program.Evaluate(activation);
}

TEST(CelJsonTest, NumbersBecomeIntUintOrDouble) {
  EXPECT_EQ(FromJson(json(42)).kind(), Kind::kInt);
  EXPECT_EQ(FromJson(json(-42)).AsInt(), -42);
  EXPECT_EQ(FromJson(json(9223372036854775807ull)).kind(), Kind::kInt);
  Value big = FromJson(json(18446744073709551615ull));
  EXPECT_EQ(big.kind(), Kind::kUint);
  EXPECT_EQ(big.AsUint(), 18446744073709551615ull);
  EXPECT_EQ(FromJson(json(1.5)).kind(), Kind::kDouble);
  EXPECT_EQ(FromJson(json::parse("2.0")).kind(), Kind::kDouble);
}

// Plain string literals skip the parser (FromJsonText's fast path); every
// other literal goes through it, and both must give what the JSON says.
TEST(CelJsonTest, StringLiteralsFromTextAreTheirJsonStrings) {
  for (const char* text : {R"("user:alice")", R"("")", R"("caf\u00e9 \"quoted\"")", "\"caf\xc3\xa9\"",
                           R"("tab\there")"}) {
    auto value = FromJsonText(text);
    ASSERT_TRUE(value.ok()) << text << ": " << value.status().ToString();
    ASSERT_EQ(value->kind(), Kind::kString) << text;
    EXPECT_EQ(value->AsString(), json::parse(text).get<std::string>()) << text;
  }
  EXPECT_FALSE(FromJsonText("\"a\tb\"").ok());      // a raw control character
  EXPECT_FALSE(FromJsonText("\"\xff\xfe\"").ok());  // not UTF-8
  EXPECT_FALSE(FromJsonText(R"("a"b")").ok());
  EXPECT_FALSE(FromJsonText(R"("unterminated)").ok());
}

TEST(CelJsonTest, ObjectsBecomeMapsWithStringKeys) {
  Value v = FromJson(json::parse(R"({"a": null, "b": true, "c": "x", "d": [1, {"e": 2}]})"));
  ASSERT_EQ(v.kind(), Kind::kMap);
  EXPECT_EQ(v.MapSize(), 4u);
  EXPECT_TRUE(v.MapFind("a")->IsNull());
  EXPECT_TRUE(v.MapFind("b")->AsBool());
  EXPECT_EQ(v.MapFind("c")->AsString(), "x");
  ASSERT_EQ(v.MapFind("d")->kind(), Kind::kList);
  EXPECT_EQ(v.MapFind("d")->ListItems()[1].MapFind("e")->AsInt(), 2);
  EXPECT_EQ(v.MapFind("missing"), nullptr);
}

TEST(CelJsonTest, LargeObjectsAreIndexed) {
  json object = json::object();
  for (int i = 0; i < 100; ++i) object["key" + std::to_string(i)] = i;
  Value v = FromJson(object);
  for (int i = 0; i < 100; ++i) {
    const Value* found = v.MapFind("key" + std::to_string(i));
    ASSERT_NE(found, nullptr) << i;
    EXPECT_EQ(found->AsInt(), i);
  }
  EXPECT_EQ(v.MapFind("key100"), nullptr);
  EXPECT_EQ(v.MapFind(Value::Int(1)), nullptr);
}

TEST(CelJsonTest, ARuleConditionOverAnEvent) {
  Activation a;
  a.Bind("event", FromJson(json::parse(R"({
    "type": "initiative.status_changed", "time": "2026-03-02T09:00:00Z",
    "data": {"from": "planned", "to": "in_progress"}})")));
  a.Bind("entity", FromJson(json::parse(R"({"team": "marketing", "title": "Launch", "points": 5})")));
  Result<Value> v = Eval(
      "event.data.to == 'in_progress' && entity.team in ['marketing', 'it'] && entity.points > 3 && "
      "timestamp(event.time).getDayOfWeek() == 1",
      a);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->AsBool());
}

TEST(CelJsonTest, TemplateResultsBecomeJson) {
  Activation a;
  auto to_json = [&](std::string_view expr) {
    Result<Value> v = Eval(expr, a);
    EXPECT_TRUE(v.ok()) << expr << ": " << v.status().ToString();
    return v.ok() ? ToJson(*v) : json();
  };
  EXPECT_EQ(to_json("add_business_days(timestamp('2026-03-06T09:00:00Z'), 1)"), json("2026-03-09T09:00:00Z"));
  EXPECT_EQ(to_json("timestamp('2026-03-06T09:00:00.120Z')"), json("2026-03-06T09:00:00.12Z"));
  EXPECT_EQ(to_json("duration('90s')"), json("90s"));
  EXPECT_EQ(to_json("duration('1h') + duration('500ms')"), json("3600.5s"));
  EXPECT_EQ(to_json("b'\\x00\\xff'"), json("AP8="));
  EXPECT_EQ(to_json("b'abc'"), json("YWJj"));
  EXPECT_EQ(to_json("{1: 'a', true: [1u, 2.5, null]}"), json::parse(R"({"1": "a", "true": [1, 2.5, null]})"));
  EXPECT_EQ(to_json("0.0 / 0.0"), json("NaN"));
  EXPECT_EQ(to_json("-1.0 / 0.0"), json("-Infinity"));
  EXPECT_EQ(to_json("type(1)"), json("int"));
  EXPECT_EQ(to_json("18446744073709551615u"), json(18446744073709551615ull));
}

TEST(CelJsonTest, RoundTrip) {
  json doc = json::parse(R"({"id": "T-1", "n": -3, "x": 0.25, "ok": false, "tags": ["a", "b"],
                             "nested": {"empty": {}, "list": [], "none": null}})");
  EXPECT_EQ(ToJson(FromJson(doc)), doc);
}

}  // namespace
}  // namespace keel::cel
