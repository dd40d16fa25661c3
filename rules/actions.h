// The actions a rule's `then` lists, as typed structs. Each action only
// produces events; these structs say what to produce, with every value a
// compiled ValueTemplate. Field by field documentation: rules/README.md and
// schemas/rule.schema.json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "rules/value_template.h"

namespace keel::rules {

struct TaskTemplate;

// Persisted nowhere; the names are the YAML keys.
enum class ActionKind : uint8_t {
  kCreateTask,
  kApplyTemplate,
  kSetStatus,
  kAssign,
  kSetField,
  kAddComment,
  kLink,
  kRequestApproval,
  kSchedule,
  kNotify,
  kEmit,
  kRollUp,
};

std::string_view ActionName(ActionKind kind);  // "create_task", ...
std::optional<ActionKind> ActionKindFromName(std::string_view name);
// Every action name, in ActionKind order.
std::span<const std::string_view> ActionNames();

using OptionalValue = std::optional<ValueTemplate>;
using NamedValues = std::vector<std::pair<std::string, ValueTemplate>>;  // sorted by name

// Every action that acts on an entity takes `entity` (KIND/ID); absent, it is
// the triggering event's subject.

// task.created. The task's id is derived by the evaluator.
struct CreateTask {
  ValueTemplate title;
  OptionalValue description, assignee, owner, due, priority, parent, status, labels;
  NamedValues fields;  // custom fields, by name
};

// Overrides an apply_template may give the template's tasks.
struct TemplateOverrides {
  OptionalValue parent;    // the tasks' parent; default: the triggering entity
  OptionalValue start;     // what due_in counts from; default: the event's time
  NamedValues roles;       // role -> person, instead of the entity's field
  OptionalValue priority;  // for tasks that set none
  OptionalValue labels;    // added to every task's labels
};

// task.created for each of the template's tasks, task.linked (depends_on)
// for each dependency.
struct ApplyTemplate {
  std::string template_name;
  const TaskTemplate* task_template = nullptr;  // resolved at load; owned by the RuleSet
  TemplateOverrides overrides;
};

struct SetStatus {  // <kind>.status_changed
  ValueTemplate to;
  OptionalValue entity;
};

struct Assign {  // <kind>.assigned; `to` null unassigns
  ValueTemplate to;
  OptionalValue entity;
};

struct SetField {  // <kind>.updated with one change
  std::string field;
  ValueTemplate value;
  OptionalValue entity;
};

struct AddComment {  // comment.added
  ValueTemplate text;
  OptionalValue mentions;
  OptionalValue entity;
};

struct Link {  // <kind>.linked
  ValueTemplate relation;
  ValueTemplate target;  // KIND/ID
  OptionalValue entity;
};

struct RequestApproval {  // approval.requested about `target`
  ValueTemplate approvers;  // a list of people
  OptionalValue reason;
  OptionalValue target;     // default: the triggering entity
};

// A durable timer; when due it fires timer.fired {timer, name, scheduled_for,
// target, payload}. Exactly one of `at` (a date-time) and `after` (a duration
// such as "72h", counted from the event's time) is set.
struct Schedule {
  ValueTemplate name;
  OptionalValue at, after;
  OptionalValue payload;
  OptionalValue entity;
};

struct Notify {  // notification.requested
  ValueTemplate recipients;
  ValueTemplate message;
  OptionalValue channel;
  OptionalValue about;  // KIND/ID; default: the triggering entity
};

struct Emit {  // a custom event type declared under `events:` in the rule set
  std::string type;
  ValueTemplate data;     // default {}
  OptionalValue subject;  // default: the triggering event's subject
};

// Progress rolled up to a parent:
//   from: tasks        the target is a key result; progress = 100 * members
//                      whose status is in done_statuses / members
//   from: key_results  the target is a goal; progress = the members' mean
//                      progress, weighted by weight_field when given
// Members are the entities of that kind whose `parent` is the target (relation
// "parent") or that link to it with `relation`; archived members do not count;
// no members gives 0. Written as <target kind>.updated {changes: {field: ...}}.
struct RollUp {
  enum class Source : uint8_t { kTasks, kKeyResults };
  Source from = Source::kTasks;
  ValueTemplate to;  // the target; default "{{ entity.parent }}" ("parent"), or "self"
  bool to_parent = true;  // `to` is the default: an entity without a parent rolls up nothing
  // `to: linked`: every entity the triggering entity links to with `relation`
  // is a target (a task contributing to two key results updates both).
  bool to_linked = false;
  std::string field = "progress";
  std::string relation = "parent";
  std::vector<std::string> done_statuses = {"done"};  // from: tasks
  std::string weight_field;                            // from: key_results; "" = unweighted
};

using ActionSpec = std::variant<CreateTask, ApplyTemplate, SetStatus, Assign, SetField, AddComment, Link,
                                RequestApproval, Schedule, Notify, Emit, RollUp>;

struct Action {
  ActionKind kind = ActionKind::kCreateTask;
  std::string path;  // "then[2]": stable within the rule; part of derived ids
  int line = 0;      // where it is written
  int col = 0;
  ActionSpec spec;
  std::vector<std::string> emits;  // the event types it can produce, sorted
};

}  // namespace keel::rules
