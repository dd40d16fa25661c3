// examples/01-initiative-kickoff: the rule pack checks cleanly, and an initiative moving to
// "in_progress" selects its rules and spawns the template's tasks by role.
#include <gtest/gtest.h>

#include "rules/ruleset.h"

namespace keel::rules {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

const std::string kPack = std::string(KEEL_SOURCE_DIR) + "/examples/01-initiative-kickoff";

TEST(KickoffExampleTest, PackLoadsWithNoErrorsAndNoWarnings) {
  std::vector<Diagnostic> diagnostics;
  Result<RuleSet> set = RuleSet::Load(kPack + "/rules", kPack + "/templates", {}, &diagnostics);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  for (const Diagnostic& d : diagnostics) ADD_FAILURE() << FormatDiagnostic(d);
  EXPECT_EQ(set->rules().size(), 3u);  // kickoff, announce, link to the initiative
  EXPECT_NE(set->FindTemplate("initiative-kickoff"), nullptr);
}

TEST(KickoffExampleTest, InitiativeInProgressSpawnsTasksByRoleWithBusinessDayDueDates) {
  Result<RuleSet> set = RuleSet::Load(kPack + "/rules", kPack + "/templates");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  json event = json::parse(R"({"specversion":"1.0","id":"e-2","source":"jira/acme",
      "type":"initiative.status_changed","subject":"initiative/IN-7","time":"2026-03-06T09:00:00Z",
      "workspace":"acme","actor":"user:alice","data":{"from":"planned","to":"in_progress"}})");
  json entity = {{"title", "Spring launch"}, {"status", "in_progress"}, {"owner", "user:olga"},
                 {"designer", "user:dana"}, {"engineer", "user:tom"}};
  cel::Activation activation;
  activation.Bind("event", cel::FromJson(event));
  activation.Bind("entity", cel::FromJson(entity));
  activation.Bind("before", cel::FromJson(entity));
  activation.Bind("parent", cel::Value::Null());
  activation.Bind("workspace", cel::FromJson({{"id", "acme"}}));
  activation.SetNow(*cel::Value::Timestamp(1772787600));  // the event's time, a Friday

  Strings fired;
  const Rule* kickoff = nullptr;
  for (const Rule* rule : set->Candidates("initiative.status_changed")) {
    ASSERT_TRUE(rule->AppliesTo("acme"));
    Result<cel::Value> holds = rule->condition->Evaluate(activation);
    ASSERT_TRUE(holds.ok()) << holds.status().ToString();
    if (holds->AsBool()) fired.push_back(rule->id);
    if (rule->id == "kickoff-initiative") kickoff = rule;
  }
  EXPECT_EQ(fired, (Strings{"kickoff-initiative", "announce-kickoff"}));
  ASSERT_NE(kickoff, nullptr);
  const auto& apply = std::get<ApplyTemplate>(kickoff->actions[0].spec);
  Result<std::vector<TaskSpec>> tasks = InstantiateTemplate(*apply.task_template, apply.overrides, activation, entity);
  ASSERT_TRUE(tasks.ok()) << tasks.status().ToString();
  Strings summary;
  for (const TaskSpec& task : *tasks) {
    summary.push_back(task.key + " | " + task.data["title"].get<std::string>() + " | " +
                      task.data["assignee"].get<std::string>() + " | " + task.data["due"].get<std::string>() +
                      " | " + task.data["parent"].get<std::string>() + " | " + task.data["labels"].dump());
  }
  EXPECT_EQ(summary,
            (Strings{
                "brief | Write the brief for Spring launch | user:olga | 2026-03-10T09:00:00Z | initiative/IN-7 | [\"kickoff\"]",
                "design | Design: Spring launch | user:dana | 2026-03-13T09:00:00Z | initiative/IN-7 | [\"kickoff\"]",
                "build | Build: Spring launch | user:tom | 2026-03-27T09:00:00Z | initiative/IN-7 | [\"kickoff\"]",
                "launch-review | Launch review of Spring launch | user:olga | 2026-03-31T09:00:00Z | initiative/IN-7 | "
                "[\"kickoff\"]"}));
  EXPECT_EQ((*tasks)[3].depends_on, (Strings{"build"}));
}

}  // namespace
}  // namespace keel::rules
