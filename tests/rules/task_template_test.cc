// Task templates: loaded and checked, and the tasks they create for one
// trigger (roles read from the entity, business-day due dates).
#include <gtest/gtest.h>

#include "tests/rules/rule_pack.h"

namespace keel::rules {
namespace {

using Strings = std::vector<std::string>;
using testing::RulePack;

constexpr int64_t kFriday0900 = 1772787600;  // 2026-03-06T09:00:00Z

const char* kLaunch =
    "name: launch\n"
    "description: Launch work\n"
    "tasks:\n"
    "  - key: ship\n"
    "    title: \"Ship {{ entity.title }}\"\n"
    "    assignee: {role: tech_lead}\n"
    "    due_in: 3\n"
    "    depends_on: [design, brief]\n"
    "  - key: design\n"
    "    title: Design\n"
    "    assignee: {role: designer}\n"
    "    owner: {role: owner}\n"
    "    due_in: 1\n"
    "    priority: high\n"
    "    depends_on: [brief]\n"
    "    checklist: [Mockups, Review]\n"
    "    fields: {effort: 3}\n"
    "  - key: brief\n"
    "    title: Brief\n"
    "    assignee: user:olga\n"
    "    labels: [docs]\n";

cel::Activation EventActivation(const nlohmann::json& entity) {
  cel::Activation activation;
  activation.Bind("event", cel::FromJson({{"subject", "initiative/IN-7"}, {"type", "initiative.status_changed"}}));
  activation.Bind("entity", cel::FromJson(entity));
  activation.SetNow(*cel::Value::Timestamp(kFriday0900));
  return activation;
}

TEST(TaskTemplateTest, TemplateLoadsWithItsTasksInDependencyOrder) {
  RulePack pack;
  pack.Add("rules/r.yaml", testing::SimpleRule("r"));
  pack.Add("templates/launch.yaml", kLaunch);
  pack.Add("rules/a.yaml", "id: a\non: initiative.status_changed\nthen: [{apply_template: launch}]\n");
  RuleSet set = pack.LoadOk();
  const TaskTemplate* t = set.FindTemplate("launch");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->description, "Launch work");
  EXPECT_EQ(t->file, "templates/launch.yaml");
  ASSERT_EQ(t->tasks.size(), 3u);
  EXPECT_EQ(t->tasks[0].key, "ship");
  EXPECT_EQ(t->tasks[0].depends_on, (Strings{"design", "brief"}));
  EXPECT_EQ(t->tasks[1].assignee->role, "designer");
  EXPECT_EQ(t->tasks[1].owner->role, "owner");
  EXPECT_EQ(t->tasks[1].due_in, 1);
  EXPECT_EQ(t->tasks[1].checklist, (Strings{"Mockups", "Review"}));
  EXPECT_TRUE(t->tasks[2].assignee->role.empty());
  EXPECT_EQ(t->tasks[2].assignee->value.literal(), "user:olga");
  EXPECT_EQ(t->creation_order, (std::vector<size_t>{2, 1, 0}));
  EXPECT_EQ(set.FindRule("a")->emits, (Strings{"task.created", "task.linked"}));
}

TEST(TaskTemplateTest, TasksTakeTheirPeopleFromTheEntitysRoles) {
  RulePack pack;
  pack.Add("rules/r.yaml", testing::SimpleRule("r"));
  pack.Add("templates/launch.yaml", kLaunch);
  RuleSet set = pack.LoadOk();
  nlohmann::json entity = {{"title", "Spring launch"}, {"designer", "user:dana"}, {"tech_lead", "user:tom"},
                           {"owner", "user:olga"}};
  Result<std::vector<TaskSpec>> tasks =
      InstantiateTemplate(*set.FindTemplate("launch"), {}, EventActivation(entity), entity);
  ASSERT_TRUE(tasks.ok()) << tasks.status().ToString();
  ASSERT_EQ(tasks->size(), 3u);
  const TaskSpec& brief = (*tasks)[0];
  const TaskSpec& design = (*tasks)[1];
  const TaskSpec& ship = (*tasks)[2];
  EXPECT_EQ(brief.key, "brief");
  EXPECT_EQ(brief.data, nlohmann::json({{"title", "Brief"},
                                        {"assignee", "user:olga"},
                                        {"parent", "initiative/IN-7"},
                                        {"labels", {"docs"}},
                                        {"template", {{"name", "launch"}, {"key", "brief"}}}}));
  EXPECT_EQ(design.data["assignee"], "user:dana");
  EXPECT_EQ(design.data["owner"], "user:olga");
  EXPECT_EQ(design.data["priority"], "high");
  EXPECT_EQ(design.data["effort"], 3);
  EXPECT_EQ(design.data["checklist"], nlohmann::json::parse(R"([{"text":"Mockups","done":false},{"text":"Review","done":false}])"));
  EXPECT_EQ(ship.data["title"], "Ship Spring launch");
  EXPECT_EQ(ship.data["assignee"], "user:tom");
  EXPECT_EQ(ship.depends_on, (Strings{"design", "brief"}));
  // Business days from Friday 09:00: +1 is Monday, +3 is Wednesday.
  EXPECT_EQ(design.data["due"], "2026-03-09T09:00:00Z");
  EXPECT_EQ(ship.data["due"], "2026-03-11T09:00:00Z");
  EXPECT_FALSE(brief.data.contains("due"));
}

TEST(TaskTemplateTest, ApplyTemplateOverridesRolesStartParentPriorityAndLabels) {
  RulePack pack;
  pack.Add("rules/r.yaml", testing::SimpleRule("r"));
  pack.Add("templates/launch.yaml", kLaunch);
  pack.Add("rules/a.yaml",
           "id: a\n"
           "on: initiative.status_changed\n"
           "then:\n"
           "  - apply_template:\n"
           "      template: launch\n"
           "      roles: {designer: \"{{ entity.owner }}\"}\n"
           "      start: '2026-03-02T08:00:00Z'\n"
           "      parent: goal/G-1\n"
           "      priority: low\n"
           "      labels: [q2, docs]\n");
  RuleSet set = pack.LoadOk();
  const auto& apply = std::get<ApplyTemplate>(set.FindRule("a")->actions[0].spec);
  nlohmann::json entity = {{"title", "X"}, {"tech_lead", "user:tom"}, {"owner", "user:olga"}};
  auto tasks = InstantiateTemplate(*apply.task_template, apply.overrides, EventActivation(entity), entity);
  ASSERT_TRUE(tasks.ok()) << tasks.status().ToString();
  const TaskSpec& brief = (*tasks)[0];
  const TaskSpec& design = (*tasks)[1];
  EXPECT_EQ(design.data["assignee"], "user:olga");  // the role given by the rule, not entity.designer
  EXPECT_EQ(design.data["due"], "2026-03-03T08:00:00Z");
  EXPECT_EQ(design.data["priority"], "high");       // the task's own wins
  EXPECT_EQ(brief.data["priority"], "low");
  EXPECT_EQ(brief.data["parent"], "goal/G-1");
  EXPECT_EQ(brief.data["labels"], nlohmann::json({"docs", "q2"}));
}

TEST(TaskTemplateTest, MissingRoleFailsNamingTheTemplateTaskAndField) {
  RulePack pack;
  pack.Add("rules/r.yaml", testing::SimpleRule("r"));
  pack.Add("templates/launch.yaml", kLaunch);
  RuleSet set = pack.LoadOk();
  nlohmann::json entity = {{"title", "X"}, {"tech_lead", "user:tom"}, {"owner", nullptr}};
  auto tasks = InstantiateTemplate(*set.FindTemplate("launch"), {}, EventActivation(entity), entity);
  ASSERT_FALSE(tasks.ok());
  EXPECT_EQ(tasks.status().message(),
            "template 'launch', task 'design': role 'designer': the triggering entity has no field 'designer'");
  EXPECT_EQ(ResolveRole("owner", entity).status().message(), "role 'owner': entity.owner is null, not a person");
  EXPECT_EQ(*ResolveRole("tech_lead", entity), "user:tom");
}

TEST(TaskTemplateTest, UnknownDependencyIsAnErrorAtItsEntry) {
  RulePack pack;
  pack.Add("rules/r.yaml", testing::SimpleRule("r"));
  pack.Add("templates/t.yaml",
           "name: t\n"
           "tasks:\n"
           "  - key: a\n"
           "    title: A\n"
           "    depends_on: [b, brief]\n"
           "  - key: brif\n"
           "    title: B\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(),
            (Strings{"templates/t.yaml:5:18: error: depends_on: unknown task key 'b'",
                     "templates/t.yaml:5:21: error: depends_on: unknown task key 'brief'; did you mean 'brif'?"}));
}

TEST(TaskTemplateTest, DependencyCycleIsAnError) {
  RulePack pack;
  pack.Add("rules/r.yaml", testing::SimpleRule("r"));
  pack.Add("templates/t.yaml",
           "name: t\n"
           "tasks:\n"
           "  - {key: a, title: A, depends_on: [c]}\n"
           "  - {key: b, title: B, depends_on: [a]}\n"
           "  - {key: c, title: C, depends_on: [b]}\n");
  pack.Add("templates/self.yaml", "name: self\ntasks:\n  - {key: a, title: A, depends_on: [a]}\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(),
            (Strings{"templates/self.yaml:3:37: error: depends_on: dependency cycle a -> a",
                     "templates/t.yaml:4:37: error: depends_on: dependency cycle a -> c -> b -> a"}));
}

TEST(TaskTemplateTest, TemplateMistakesAreErrors) {
  RulePack pack;
  pack.Add("rules/r.yaml", testing::SimpleRule("r"));
  pack.Add("templates/t.yaml",
           "name: t\n"
           "tasks:\n"
           "  - {key: a, title: A, due_in: -2}\n"
           "  - {key: a, title: B, assignee: {rol: designer}}\n"
           "  - {key: Bad, title: C, checklist: one}\n");
  pack.Add("templates/u.yaml", "name: t\ntasks:\n  - {key: a, title: A}\n");
  pack.Add("templates/v.yaml", "name: v\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(),
            (Strings{"templates/t.yaml:3:32: error: due_in: expected a whole number of business days from 0 to 3650, got '-2'",
                     "templates/t.yaml:4:34: error: assignee: missing required field 'role'",
                     "templates/t.yaml:4:35: error: unknown field 'rol' in assignee; did you mean 'role'?",
                     "templates/t.yaml:5:11: error: key: 'Bad' is not a task key (^[a-z0-9][a-z0-9_-]*$)",
                     "templates/t.yaml:5:37: error: checklist: expected a list of strings, got a string",
                     "templates/v.yaml:1:1: error: template: missing required field 'tasks'"}))
      << pack.Report();
}

TEST(TaskTemplateTest, DuplicateTemplateNamesNameBothFiles) {
  RulePack pack;
  pack.Add("rules/r.yaml", testing::SimpleRule("r"));
  pack.Add("templates/a.yaml", "name: t\ntasks: [{key: a, title: A}]\n");
  pack.Add("templates/b.yaml", "name: t\ntasks: [{key: a, title: A}]\n");
  EXPECT_FALSE(pack.Load().ok());
  EXPECT_EQ(pack.Problems(),
            (Strings{"templates/b.yaml:1:1: error: duplicate template name 't' (also defined in templates/a.yaml:1)"}));
}

}  // namespace
}  // namespace keel::rules
