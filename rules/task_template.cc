#include "rules/task_template.h"

namespace keel::rules {

namespace {

// add_business_days(start, days), where start is a timestamp or its RFC 3339 text.
const cel::Program& DueProgram() {
  static const cel::Program program = [] {
    cel::CompileOptions options;
    options.variables = {{"start", cel::Kind::kDyn}, {"days", cel::Kind::kInt}};
    return *cel::Compile("add_business_days(type(start) == string ? timestamp(start) : start, days)", options);
  }();
  return program;
}

Result<nlohmann::json> DueDate(const cel::Value& start, int64_t days, const cel::Activation& event) {
  cel::Activation activation;
  activation.Bind("start", start);
  activation.Bind("days", cel::Value::Int(days));
  activation.SetCalendar(event.calendar());
  Result<cel::Value> due = DueProgram().Evaluate(activation);
  if (!due.ok()) return due.status().WithContext("due_in " + std::to_string(days));
  return cel::ToJson(*due);
}

// What an apply_template's overrides evaluate to, once per application.
struct Resolved {
  cel::Value start;
  nlohmann::json parent;
  nlohmann::json priority;
  std::vector<std::string> labels;
  std::map<std::string, nlohmann::json> roles;
};

Result<Resolved> ResolveOverrides(const TemplateOverrides& overrides, const cel::Activation& activation) {
  Resolved r;
  r.start = activation.now();
  if (overrides.start) {
    KEEL_ASSIGN_OR_RETURN(nlohmann::json start, overrides.start->Evaluate(activation));
    r.start = cel::FromJson(start);
  }
  if (overrides.parent) {
    KEEL_ASSIGN_OR_RETURN(r.parent, overrides.parent->Evaluate(activation));
  } else if (const cel::Value* event = activation.Find("event"); event && event->kind() == cel::Kind::kMap) {
    if (const cel::Value* subject = event->MapFind("subject")) r.parent = cel::ToJson(*subject);
  }
  if (overrides.priority) {
    KEEL_ASSIGN_OR_RETURN(r.priority, overrides.priority->Evaluate(activation));
  }
  if (overrides.labels) {
    KEEL_ASSIGN_OR_RETURN(nlohmann::json labels, overrides.labels->Evaluate(activation));
    if (labels.is_string()) labels = nlohmann::json::array({labels});
    for (const auto& label : labels) {
      if (!label.is_string()) return Status::InvalidArgument("labels: " + label.dump() + " is not a string");
      r.labels.push_back(label.get<std::string>());
    }
  }
  for (const auto& [role, person] : overrides.roles) {
    KEEL_ASSIGN_OR_RETURN(r.roles[role], person.Evaluate(activation));
  }
  return r;
}

Result<nlohmann::json> Person(const PersonSpec& spec, const Resolved& resolved, const cel::Activation& activation,
                              const nlohmann::json& entity) {
  if (spec.role.empty()) return spec.value.Evaluate(activation);
  if (auto it = resolved.roles.find(spec.role); it != resolved.roles.end()) return it->second;
  KEEL_ASSIGN_OR_RETURN(std::string person, ResolveRole(spec.role, entity));
  return nlohmann::json(person);
}

Result<TaskSpec> Instantiate(const TaskTemplate& t, const TemplateTask& task, const Resolved& resolved,
                             const cel::Activation& activation, const nlohmann::json& entity) {
  TaskSpec spec;
  spec.key = task.key;
  spec.depends_on = task.depends_on;
  nlohmann::json& data = spec.data;
  KEEL_ASSIGN_OR_RETURN(data["title"], task.title.Evaluate(activation));
  if (task.description) {
    KEEL_ASSIGN_OR_RETURN(data["description"], task.description->Evaluate(activation));
  }
  if (task.assignee) {
    KEEL_ASSIGN_OR_RETURN(data["assignee"], Person(*task.assignee, resolved, activation, entity));
  }
  if (task.owner) {
    KEEL_ASSIGN_OR_RETURN(data["owner"], Person(*task.owner, resolved, activation, entity));
  }
  if (task.due_in) {
    KEEL_ASSIGN_OR_RETURN(data["due"], DueDate(resolved.start, *task.due_in, activation));
  }
  if (task.priority) {
    KEEL_ASSIGN_OR_RETURN(data["priority"], task.priority->Evaluate(activation));
  } else if (!resolved.priority.is_null()) {
    data["priority"] = resolved.priority;
  }
  if (!resolved.parent.is_null()) data["parent"] = resolved.parent;
  std::vector<std::string> labels = task.labels;
  for (const std::string& label : resolved.labels) {
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(label);
  }
  if (!labels.empty()) data["labels"] = labels;
  if (!task.checklist.empty()) {
    nlohmann::json checklist = nlohmann::json::array();
    for (const std::string& item : task.checklist) checklist.push_back({{"text", item}, {"done", false}});
    data["checklist"] = std::move(checklist);
  }
  data["template"] = {{"name", t.name}, {"key", task.key}};
  for (const auto& [name, value] : task.fields) {
    KEEL_ASSIGN_OR_RETURN(data[name], value.Evaluate(activation));
  }
  return spec;
}

}  // namespace

Result<std::string> ResolveRole(std::string_view role, const nlohmann::json& entity) {
  std::string name(role);
  if (!entity.is_object() || !entity.contains(name)) {
    return Status::InvalidArgument("role '" + name + "': the triggering entity has no field '" + name + "'");
  }
  const nlohmann::json& person = entity.at(name);
  if (!person.is_string() || person.get_ref<const std::string&>().empty()) {
    return Status::InvalidArgument("role '" + name + "': entity." + name + " is " + person.dump() + ", not a person");
  }
  return person.get<std::string>();
}

Result<std::vector<TaskSpec>> InstantiateTemplate(const TaskTemplate& task_template, const TemplateOverrides& overrides,
                                                  const cel::Activation& activation, const nlohmann::json& entity) {
  KEEL_ASSIGN_OR_RETURN(Resolved resolved, ResolveOverrides(overrides, activation));
  std::vector<TaskSpec> out;
  for (size_t index : task_template.creation_order) {
    const TemplateTask& task = task_template.tasks[index];
    Result<TaskSpec> spec = Instantiate(task_template, task, resolved, activation, entity);
    if (!spec.ok()) {
      return spec.status().WithContext("template '" + task_template.name + "', task '" + task.key + "'");
    }
    out.push_back(*std::move(spec));
  }
  return out;
}

}  // namespace keel::rules
