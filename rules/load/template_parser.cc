// Reading task templates (templates/*.yaml).
#include <algorithm>
#include <functional>

#include "rules/load/name_pattern.h"
#include "rules/load/rule_loader.h"
#include "rules/load/yaml_values.h"

namespace keel::rules {

namespace {

constexpr std::string_view kTemplateFields[] = {"name", "description", "tasks"};
constexpr std::string_view kTaskFields[] = {"key", "title", "description", "assignee", "owner", "due_in",
                                            "priority", "checklist", "labels", "depends_on", "fields"};
constexpr std::string_view kPersonFields[] = {"role"};
constexpr std::string_view kBuiltinFields[] = {"id", "kind", "workspace", "version", "created", "updated",
                                               "archived", "partial", "title", "description", "assignee", "owner",
                                               "due", "priority", "parent", "status", "labels", "links",
                                               "checklist", "template"};

bool Matches(const std::string& text, const char* pattern) { return MatchesWhole(text, pattern); }

std::optional<PersonSpec> ReadPerson(LoadContext& context, const YAML::Node& node, Position where,
                                     const std::string& what) {
  PersonSpec person;
  if (node.IsMap()) {
    FieldReader f(context, node, what, kPersonFields);
    if (!f.Require("role")) return std::nullopt;
    auto role = ReadLiteralString(context, f.Get("role"), f.ValuePosition("role"), what + ".role");
    if (!role) return std::nullopt;
    if (!Matches(*role, "[A-Za-z_][A-Za-z0-9_]{0,63}")) {
      context.Error(f.ValuePosition("role"), what + ".role: '" + *role + "' is not a field name of the entity");
      return std::nullopt;
    }
    person.role = *role;
    return person;
  }
  if (!IsStringScalar(node) && !node.IsNull()) {
    context.Error(where, what + ": expected a person (a string), {role: FIELD} or null, got " + DescribeNode(node));
    return std::nullopt;
  }
  auto value = ReadValue(context, node);
  if (!value) return std::nullopt;
  person.value = *std::move(value);
  return person;
}

std::optional<std::vector<std::string>> ReadStringList(LoadContext& context, const FieldReader& f, std::string_view name,
                                                       const std::string& what) {
  const YAML::Node node = f.Get(name);
  if (!node.IsSequence()) {
    context.Error(f.ValuePosition(name), what + ": expected a list of strings, got " + DescribeNode(node));
    return std::nullopt;
  }
  return ReadLiteralStrings(context, node, f.ValuePosition(name), what);
}

std::optional<NamedValues> ReadTaskFields(LoadContext& context, const YAML::Node& node, Position where) {
  if (!node.IsMap()) {
    context.Error(where, "fields: expected a mapping of custom fields, got " + DescribeNode(node));
    return std::nullopt;
  }
  NamedValues out;
  bool ok = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string& name = it->first.Scalar();
    bool builtin = std::find(std::begin(kBuiltinFields), std::end(kBuiltinFields), name) != std::end(kBuiltinFields);
    if (!Matches(name, "[A-Za-z_][A-Za-z0-9_]{0,63}") || builtin) {
      context.Error(NodePosition(it->first), "fields: '" + name + "' is not a custom field name" +
                                                 (builtin ? " (it is built in)" : ""));
      ok = false;
      continue;
    }
    auto value = ReadValue(context, it->second);
    if (value) out.emplace_back(name, *std::move(value));
    ok = ok && value.has_value();
  }
  if (!ok) return std::nullopt;
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::optional<TemplateTask> ReadTask(LoadContext& context, const YAML::Node& node) {
  size_t errors = context.error_count();
  FieldReader f(context, node, "task", kTaskFields);
  if (!node.IsMap()) return std::nullopt;
  TemplateTask task;
  Position at = NodePosition(node);
  task.line = at.line;
  task.col = at.col;
  if (f.Require("key")) {
    auto key = ReadLiteralString(context, f.Get("key"), f.ValuePosition("key"), "key");
    if (key && !Matches(*key, "[a-z0-9][a-z0-9_-]*")) {
      context.Error(f.ValuePosition("key"), "key: '" + *key + "' is not a task key (^[a-z0-9][a-z0-9_-]*$)");
    }
    if (key) task.key = *key;
  }
  std::string what = "task '" + task.key + "'";
  if (f.Require("title")) {
    if (!IsStringScalar(f.Get("title"))) {
      context.Error(f.ValuePosition("title"), "title: expected a string, got " + DescribeNode(f.Get("title")));
    } else if (auto title = ReadValue(context, f.Get("title"))) {
      task.title = *std::move(title);
    }
  }
  for (std::string_view name : {"description", "priority"}) {
    if (!f.Has(name)) continue;
    const YAML::Node value = f.Get(name);
    if (!IsStringScalar(value) && !(name == "priority" && value.IsNull())) {
      context.Error(f.ValuePosition(name), std::string(name) + ": expected a string, got " + DescribeNode(value));
      continue;
    }
    auto parsed = ReadValue(context, value);
    (name == "description" ? task.description : task.priority) = parsed;
  }
  if (f.Has("assignee")) task.assignee = ReadPerson(context, f.Get("assignee"), f.ValuePosition("assignee"), "assignee");
  if (f.Has("owner")) task.owner = ReadPerson(context, f.Get("owner"), f.ValuePosition("owner"), "owner");
  if (f.Has("due_in")) {
    nlohmann::json days = ScalarToJson(f.Get("due_in"));
    if (!days.is_number_integer() || days.get<int64_t>() < 0 || days.get<int64_t>() > 3650) {
      context.Error(f.ValuePosition("due_in"), "due_in: expected a whole number of business days from 0 to 3650, got " +
                                                   (f.Get("due_in").IsScalar() ? "'" + f.Get("due_in").Scalar() + "'"
                                                                               : DescribeNode(f.Get("due_in"))));
    } else {
      task.due_in = days.get<int64_t>();
    }
  }
  if (f.Has("checklist")) task.checklist = ReadStringList(context, f, "checklist", "checklist").value_or(std::vector<std::string>{});
  if (f.Has("labels")) task.labels = ReadStringList(context, f, "labels", "labels").value_or(std::vector<std::string>{});
  if (f.Has("depends_on")) task.depends_on = ReadStringList(context, f, "depends_on", "depends_on").value_or(std::vector<std::string>{});
  if (f.Has("fields")) task.fields = ReadTaskFields(context, f.Get("fields"), f.ValuePosition("fields")).value_or(NamedValues{});
  if (context.error_count() != errors) return std::nullopt;
  return task;
}

// depends_on names tasks of the template and has no cycle; the creation order
// puts each task after those it depends on.
bool CheckDependencies(LoadContext& context, const YAML::Node& tasks_node, TaskTemplate* t) {
  std::map<std::string, size_t> index;
  bool ok = true;
  for (size_t i = 0; i < t->tasks.size(); ++i) {
    auto [first, inserted] = index.emplace(t->tasks[i].key, i);
    if (!inserted) {
      context.Error({t->tasks[i].line, t->tasks[i].col}, "duplicate task key '" + t->tasks[i].key +
                                                             "' (first at line " + std::to_string(t->tasks[first->second].line) + ")");
      ok = false;
    }
  }
  std::vector<std::string> keys;
  for (const TemplateTask& task : t->tasks) keys.push_back(task.key);
  auto dependency_position = [&](size_t task, size_t k) {
    const YAML::Node list = Member(tasks_node[task], "depends_on");
    return list.IsSequence() && k < list.size() ? NodePosition(list[k]) : Position{t->tasks[task].line, t->tasks[task].col};
  };
  for (size_t i = 0; i < t->tasks.size(); ++i) {
    for (size_t k = 0; k < t->tasks[i].depends_on.size(); ++k) {
      const std::string& key = t->tasks[i].depends_on[k];
      if (!index.count(key)) {
        context.Error(dependency_position(i, k), "depends_on: unknown task key '" + key + "'" + DidYouMean(key, keys));
        ok = false;
      }
    }
  }
  if (!ok) return false;
  // Depth-first search; a task met again while still on the path closes a cycle.
  enum class Mark : uint8_t { kNew, kOnPath, kDone };
  std::vector<Mark> marks(t->tasks.size(), Mark::kNew);
  std::vector<size_t> path;
  bool cycle = false;
  std::function<void(size_t)> visit = [&](size_t i) {
    marks[i] = Mark::kOnPath;
    path.push_back(i);
    for (size_t k = 0; k < t->tasks[i].depends_on.size() && !cycle; ++k) {
      size_t j = index.at(t->tasks[i].depends_on[k]);
      if (marks[j] == Mark::kOnPath) {
        std::string text;
        auto from = std::find(path.begin(), path.end(), j);
        for (auto it = from; it != path.end(); ++it) text += t->tasks[*it].key + " -> ";
        text += t->tasks[j].key;
        context.Error(dependency_position(i, k), "depends_on: dependency cycle " + text);
        cycle = true;
      } else if (marks[j] == Mark::kNew) {
        visit(j);
      }
    }
    path.pop_back();
    marks[i] = Mark::kDone;
    if (!cycle) t->creation_order.push_back(i);
  };
  for (size_t i = 0; i < t->tasks.size() && !cycle; ++i) {
    if (marks[i] == Mark::kNew) visit(i);
  }
  return !cycle;
}

}  // namespace

std::optional<TaskTemplate> ReadTemplate(LoadContext& context, const YAML::Node& root) {
  size_t errors = context.error_count();
  FieldReader f(context, root, "template", kTemplateFields);
  if (!root.IsMap()) return std::nullopt;
  TaskTemplate t;
  t.file = context.file().key();
  Position at = f.position();
  if (f.Require("name")) {
    at = f.ValuePosition("name");
    auto name = ReadLiteralString(context, f.Get("name"), at, "name");
    if (name && !Matches(*name, "[a-z0-9][a-z0-9_.-]*")) {
      context.Error(at, "name: '" + *name + "' is not a template name (^[a-z0-9][a-z0-9_.-]*$)");
    }
    if (name) t.name = *name;
  }
  t.line = at.line;
  if (f.Has("description")) {
    if (IsStringScalar(f.Get("description"))) {
      t.description = f.Get("description").Scalar();
    } else {
      context.Error(f.ValuePosition("description"), "description: expected a string, got " + DescribeNode(f.Get("description")));
    }
  }
  if (f.Require("tasks")) {
    const YAML::Node tasks = f.Get("tasks");
    if (!tasks.IsSequence() || tasks.size() == 0) {
      context.Error(f.ValuePosition("tasks"), "tasks: expected a non-empty list of tasks, got " +
                                                  (tasks.IsSequence() ? std::string("an empty list") : DescribeNode(tasks)));
    } else {
      bool all = true;
      for (const YAML::Node& item : tasks) {
        auto task = ReadTask(context, item);
        if (task) t.tasks.push_back(*std::move(task));
        all = all && task.has_value();
      }
      if (all) CheckDependencies(context, tasks, &t);
    }
  }
  if (context.error_count() != errors) return std::nullopt;
  return t;
}

}  // namespace keel::rules
