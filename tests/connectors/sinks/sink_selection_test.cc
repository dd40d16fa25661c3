// Which events a sink sends: the engine's (derived, timer.fired) by default,
// by type or KIND.*, and by a CEL condition over the event.
#include "connectors/sinks/sink_selection.h"

#include <gtest/gtest.h>

#include "engine/log/event_record.h"
#include "rules/expressions.h"

namespace keel::sinks {
namespace {

// An event as the engine derives it (with a causation id), or an input.
StoredEvent MakeEvent(const std::string& type, const std::string& workspace, bool derived,
                nlohmann::json data = nlohmann::json::object()) {
  nlohmann::json j = {{"specversion", "1.0"}, {"id", derived ? "d-00000000000000000000000000000001" : "in-1"},
                      {"source", "test"},     {"type", type},
                      {"subject", "task/T-1"}, {"workspace", workspace},
                      {"time", "2026-03-02T09:00:00Z"}, {"actor", "user:alice"},
                      {"data", data}};
  if (derived) {
    j["causationid"] = "in-1";
    j["correlationid"] = "in-1";
    j["ruleid"] = "notify-owner";
    j["rulesethash"] = std::string(64, 'a');
  }
  auto event = EventFromCanonical(j.dump());
  EXPECT_TRUE(event.ok()) << event.status().ToString();
  StoredEvent stored;
  stored.seq = 7;
  stored.event = std::move(event).value();
  return stored;
}

SelectionOptions Types(std::vector<std::string> types) {
  SelectionOptions options;
  options.types = std::move(types);
  return options;
}

SelectionOptions Condition(std::string condition) {
  SelectionOptions options;
  options.condition = std::move(condition);
  return options;
}

std::unique_ptr<SinkSelection> Selection(SelectionOptions options) {
  static const rules::CelExpressionCompiler compiler;
  auto selection = SinkSelection::Create("ops-feed", std::move(options), &compiler);
  EXPECT_TRUE(selection.ok()) << selection.status().ToString();
  return std::move(selection).value();
}

TEST(SinkSelectionTest, ByDefaultEveryEventTheEngineAppendedAndNoInput) {
  auto selection = Selection({});
  std::string failed;
  EXPECT_TRUE(selection->Selects(MakeEvent("notification.requested", "acme", true), &failed));
  EXPECT_FALSE(selection->Selects(MakeEvent("task.created", "acme", false), &failed));
  EXPECT_FALSE(selection->Selects(MakeEvent("comment.added", "system", true), &failed));

  SelectionOptions with_inputs;
  with_inputs.inputs_too = true;
  auto inputs_too = Selection(with_inputs);
  EXPECT_TRUE(inputs_too->Selects(MakeEvent("task.created", "acme", false), &failed));
}

TEST(SinkSelectionTest, TypesAreExactNamesOrKindGlobs) {
  auto selection = Selection(Types({"task.*", "notification.requested"}));
  std::string failed;
  EXPECT_TRUE(selection->Selects(MakeEvent("task.created", "acme", true), &failed));
  EXPECT_TRUE(selection->Selects(MakeEvent("task.status_changed", "acme", true), &failed));
  EXPECT_TRUE(selection->Selects(MakeEvent("notification.requested", "acme", true), &failed));
  EXPECT_FALSE(selection->Selects(MakeEvent("comment.added", "acme", true), &failed));
  EXPECT_FALSE(selection->Selects(MakeEvent("taskx.created", "acme", true), &failed));

  EXPECT_TRUE(TypeMatches("*", "goal.created"));
  EXPECT_FALSE(TypeMatches("task.created", "task.created2"));
  EXPECT_TRUE(IsTypePattern("key_result.*"));
  for (const char* bad : {"", "*.created", "task.*.x", ".task", "task.", "ta sk"}) {
    EXPECT_FALSE(IsTypePattern(bad)) << bad;
  }
}

TEST(SinkSelectionTest, TheConditionReadsTheEvent) {
  auto selection = Selection(Condition(R"(event.workspace == "acme" && event.data.channel == "slack")"));
  std::string failed;
  EXPECT_TRUE(selection->Selects(
      MakeEvent("notification.requested", "acme", true, {{"channel", "slack"}, {"message", "hi"}}), &failed));
  EXPECT_FALSE(selection->Selects(
      MakeEvent("notification.requested", "globex", true, {{"channel", "slack"}, {"message", "hi"}}), &failed));
  EXPECT_TRUE(failed.empty());
  // A member the condition reads is missing: not sent, and it says why.
  EXPECT_FALSE(selection->Selects(MakeEvent("notification.requested", "acme", true, {{"message", "hi"}}), &failed));
  EXPECT_FALSE(failed.empty());
  // The event as the channels' templates see it: with its seq.
  auto by_seq = Selection(Condition("event.seq == 7"));
  EXPECT_TRUE(by_seq->Selects(MakeEvent("notification.requested", "acme", true), &failed)) << failed;
}

TEST(SinkSelectionTest, AConditionThatDoesNotCompileNamesTheSinkAndThePlace) {
  static const rules::CelExpressionCompiler compiler;
  auto selection = SinkSelection::Create("ops-feed", Condition("event.workspace =="), &compiler);
  ASSERT_EQ(selection.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(selection.status().message().find("sink ops-feed: if: 1:"), std::string::npos)
      << selection.status().message();
  auto unknown = SinkSelection::Create("ops-feed", Condition("body.x == 1"), &compiler);
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace keel::sinks
