// Late binding: an activation's LateBinder binds a variable when an
// evaluation first reads it unbound, and never for one it does not reach.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules/cel/cel.h"

namespace keel::cel {
namespace {

// Binds `entity` (a map, or nothing) on first read and records every call.
class RecordingBinder final : public LateBinder {
 public:
  explicit RecordingBinder(Activation& activation) : activation_(activation) { activation.SetLateBinder(this); }
  ~RecordingBinder() override { activation_.SetLateBinder(nullptr); }

  void BindOnFirstRead(std::string_view name) override {
    calls.emplace_back(name);
    if (name != "entity" || !bind_entity) return;
    Result<Value> entity = FromJsonText(R"({"status":"blocked","points":5})");
    ASSERT_TRUE(entity.ok());
    activation_.Bind("entity", *entity);
  }

  std::vector<std::string> calls;
  bool bind_entity = true;

 private:
  Activation& activation_;
};

Result<Value> Evaluate(std::string_view expression, const Activation& activation) {
  KEEL_ASSIGN_OR_RETURN(Program program, Compile(expression));
  return program.Evaluate(activation);
}

Activation WithEvent() {
  Activation activation;
  Result<Value> event = FromJsonText(R"({"actor":"user:ann","points":2})");
  activation.Bind("event", event.ok() ? *event : Value::Null());
  return activation;
}

TEST(CelLateBindingTest, AVariableTheEvaluationDoesNotReachIsNeverBound) {
  Activation activation = WithEvent();
  RecordingBinder binder(activation);
  Result<Value> result = Evaluate(R"(event.actor == "user:bob" && entity.status == "blocked")", activation);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->AsBool());
  EXPECT_TRUE(binder.calls.empty());
  EXPECT_EQ(activation.Find("entity"), nullptr);
}

TEST(CelLateBindingTest, TheFirstReadBindsOnceAndLaterReadsSeeTheBinding) {
  Activation activation = WithEvent();
  RecordingBinder binder(activation);
  Result<Value> result =
      Evaluate(R"(event.actor == "user:ann" && entity.status == "blocked" && entity.points > 1)", activation);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->AsBool());
  EXPECT_EQ(binder.calls, std::vector<std::string>{"entity"});
  // Bound now: the next evaluation reads it without asking.
  ASSERT_TRUE(Evaluate("entity.points == 5", activation).ok());
  EXPECT_EQ(binder.calls.size(), 1u);
}

// The evaluation holds `event` when `entity` gets its new binding: binding
// a new name must leave the values already bound where they are.
TEST(CelLateBindingTest, BindingInTheMiddleOfAnEvaluationKeepsTheValuesItHolds) {
  Activation activation = WithEvent();
  for (int i = 0; i < 40; ++i) activation.Bind("filler" + std::to_string(i), Value::Int(i));
  RecordingBinder binder(activation);
  Result<Value> result = Evaluate("event.points + entity.points + event.points", activation);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->Equals(Value::Int(9))) << result->DebugString();
}

TEST(CelLateBindingTest, AVariableTheBinderLeavesUnboundIsAnError) {
  Activation activation = WithEvent();
  RecordingBinder binder(activation);
  binder.bind_entity = false;
  Result<Value> result = Evaluate(R"(entity.status == "blocked")", activation);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("no value is bound to variable 'entity'"), std::string::npos)
      << result.status().message();
  EXPECT_EQ(binder.calls, std::vector<std::string>{"entity"});
}

TEST(CelLateBindingTest, UnbindHidesAValueUntilItIsBoundAgain) {
  Activation activation = WithEvent();
  activation.Bind("entity", Value::Int(1));
  activation.Unbind("entity");
  EXPECT_EQ(activation.Find("entity"), nullptr);
  RecordingBinder binder(activation);
  Result<Value> result = Evaluate("entity.points", activation);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->Equals(Value::Int(5)));
  activation.Unbind("entity");
  activation.Bind("entity", Value::Int(2));
  ASSERT_NE(activation.Find("entity"), nullptr);
  EXPECT_TRUE(activation.Find("entity")->Equals(Value::Int(2)));
}

TEST(CelLateBindingTest, WithoutABinderAnUnboundVariableIsAnError) {
  Activation activation = WithEvent();
  Result<Value> result = Evaluate(R"(entity.status == "blocked")", activation);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("'entity'"), std::string::npos) << result.status().message();
}

}  // namespace
}  // namespace keel::cel
