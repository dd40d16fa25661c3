// Task templates (templates/*.yaml): named sets of tasks with titles,
// business-day due dates, assignees by role, checklists, priorities and
// dependencies. A rule applies one with `apply_template`. Format:
// rules/README.md and schemas/template.schema.json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/status.h"
#include "rules/actions.h"
#include "rules/cel/cel.h"
#include "rules/value_template.h"

namespace keel::rules {

// Who a task goes to: a role, read from the triggering entity's field of that
// name (`{role: designer}` reads entity.designer), or a value (a literal
// person or a template).
struct PersonSpec {
  std::string role;    // non-empty for a role
  ValueTemplate value;  // otherwise
};

struct TemplateTask {
  std::string key;  // unique in the template; what depends_on names
  ValueTemplate title;
  OptionalValue description;
  std::optional<PersonSpec> assignee, owner;
  std::optional<int64_t> due_in;  // business days after the start (the event's time)
  OptionalValue priority;
  std::vector<std::string> checklist;
  std::vector<std::string> labels;
  std::vector<std::string> depends_on;  // keys of tasks of the same template
  NamedValues fields;                   // custom fields
  int line = 0;
  int col = 0;
};

struct TaskTemplate {
  std::string name;
  std::string description;
  std::vector<TemplateTask> tasks;  // in file order
  // Task indexes such that each task comes after the tasks it depends on
  // (file order among independent ones).
  std::vector<size_t> creation_order;
  std::string file;  // key in the rule set's sources: "templates/kickoff.yaml"
  int line = 0;
};

// One task of an applied template, ready to become task.created.
struct TaskSpec {
  std::string key;
  // The task.created data: title, and when set description, assignee, owner,
  // due (RFC 3339), priority, parent, labels, checklist ([{text, done:
  // false}]), template ({name, key}), custom fields.
  nlohmann::json data;
  std::vector<std::string> depends_on;  // keys
};

// The tasks `task_template` creates for one triggering event, in creation
// order. `activation` is the event's (now() = its time; its calendar counts
// business days); `entity` is the triggering entity's state, where roles are
// read. Fails (for rule.failed) when a role's field is missing or not a
// person, or a template fails.
Result<std::vector<TaskSpec>> InstantiateTemplate(const TaskTemplate& task_template,
                                                  const TemplateOverrides& overrides,
                                                  const cel::Activation& activation,
                                                  const nlohmann::json& entity);

// The person a role names: entity[role] when it is a non-empty string.
Result<std::string> ResolveRole(std::string_view role, const nlohmann::json& entity);

}  // namespace keel::rules
