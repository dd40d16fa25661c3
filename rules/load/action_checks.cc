// What an action can emit, and whether the event it would produce can ever
// pass the event schemas.
#include <algorithm>
#include <set>

#include <simdjson.h>

#include "rules/load/rule_loader.h"

namespace keel::rules {

namespace {

// The kinds of entity an action that takes `entity` acts on: a literal
// KIND/ID names one; by default it is the trigger's subject, whose kind the
// rule's event types give; otherwise any kind.
std::vector<std::string> KindsActedOn(const OptionalValue& entity, const Rule& rule) {
  std::vector<std::string> all(std::begin(kEntityKinds), std::end(kEntityKinds));
  if (entity) {
    const auto& constant = entity->constant();
    if (constant && constant->is_string()) {
      std::string kind = constant->get<std::string>().substr(0, constant->get<std::string>().find('/'));
      if (IsEntityKind(kind)) return {kind};
    }
    return all;
  }
  std::set<std::string> kinds;
  for (const std::string& type : rule.event_types) {
    std::string_view kind = KindOfType(type);
    if (kind.empty()) return all;  // comment.added, timer.fired, custom types: any subject
    kinds.emplace(kind);
  }
  return {kinds.begin(), kinds.end()};
}

std::vector<std::string> PerKind(const std::vector<std::string>& kinds, std::string_view suffix,
                                 const EventTypeCatalog& catalog) {
  std::vector<std::string> out;
  for (const std::string& kind : kinds) {
    std::string type = kind + "." + std::string(suffix);
    if (catalog.Has(type)) out.push_back(type);
  }
  return out;
}

}  // namespace

std::vector<std::string> EmittedTypes(const Action& action, const Rule& rule, const EventTypeCatalog& catalog) {
  std::vector<std::string> out;
  switch (action.kind) {
    case ActionKind::kCreateTask:
      out = {"task.created"};
      break;
    case ActionKind::kApplyTemplate: {
      out = {"task.created"};
      const TaskTemplate* t = std::get<ApplyTemplate>(action.spec).task_template;
      if (t && std::any_of(t->tasks.begin(), t->tasks.end(), [](const TemplateTask& task) { return !task.depends_on.empty(); })) {
        out.push_back("task.linked");
      }
      break;
    }
    case ActionKind::kSetStatus:
      out = PerKind(KindsActedOn(std::get<SetStatus>(action.spec).entity, rule), "status_changed", catalog);
      break;
    case ActionKind::kAssign:
      out = PerKind(KindsActedOn(std::get<Assign>(action.spec).entity, rule), "assigned", catalog);
      break;
    case ActionKind::kSetField:
      out = PerKind(KindsActedOn(std::get<SetField>(action.spec).entity, rule), "updated", catalog);
      break;
    case ActionKind::kAddComment:
      out = {"comment.added"};
      break;
    case ActionKind::kLink:
      out = PerKind(KindsActedOn(std::get<Link>(action.spec).entity, rule), "linked", catalog);
      break;
    case ActionKind::kRequestApproval:
      out = {"approval.requested"};
      break;
    case ActionKind::kSchedule:
      out = {"timer.scheduled", "timer.fired"};  // now, and by the timer when it is due
      break;
    case ActionKind::kNotify:
      out = {"notification.requested"};
      break;
    case ActionKind::kEmit:
      out = {std::get<Emit>(action.spec).type};
      break;
    case ActionKind::kRollUp:
      out = {std::get<RollUp>(action.spec).from == RollUp::Source::kTasks ? "key_result.updated" : "goal.updated"};
      break;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// An event around `data`, with the values the engine would fill in.
std::string CandidateEvent(std::string_view type, const std::string& subject, const nlohmann::json& data,
                           const std::string& rule_id) {
  nlohmann::json event = {{"specversion", "1.0"}, {"id", "rules-check"}, {"source", "keel/rules"},
                          {"type", type},         {"subject", subject},  {"time", "2026-01-05T09:00:00Z"},
                          {"workspace", "check"}, {"actor", "rule:" + (rule_id.empty() ? "check" : rule_id)},
                          {"data", data}};
  return event.dump();
}

// The schemas' verdict on a candidate event: "" when valid.
std::string Verdict(const SchemaRegistry& registry, const std::string& event) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(event).get(element) != simdjson::SUCCESS) return "";
  Status status = registry.Validate(element);
  return status.ok() ? "" : status.message();
}

// Reports `verdict` when it is about one of `constant_fields` (the others
// hold placeholders or were left out), at that field's place.
void Report(LoadContext& context, const Action& action, std::string_view type, const std::string& verdict,
            const std::map<std::string, std::string>& constant_fields,
            const std::map<std::string, Position>& positions) {
  if (verdict.empty()) return;
  std::string field;
  for (const auto& [path, name] : constant_fields) {
    if ((verdict.starts_with(path) && (verdict.size() == path.size() || verdict[path.size()] == ':' ||
                                       verdict[path.size()] == '.' || verdict[path.size()] == '[')) &&
        path.size() > field.size()) {
      field = path;
    }
  }
  if (field.empty()) return;
  auto where = positions.find(constant_fields.at(field));
  Position position = where != positions.end() ? where->second : positions.at("");
  context.Warning(position, std::string(ActionName(action.kind)) + " can never produce a valid " + std::string(type) +
                                " event: " + verdict);
}

// Adds `value`'s constant under data[name] (recording it), or the placeholder.
void Put(nlohmann::json* data, std::map<std::string, std::string>* constant_fields, const std::string& name,
         const OptionalValue& value, const nlohmann::json& placeholder = nullptr, bool as_list = false) {
  if (value && value->constant()) {
    nlohmann::json v = *value->constant();
    if (as_list && v.is_string()) v = nlohmann::json::array({v});
    (*data)[name] = v;
    (*constant_fields)["data." + name] = name;
  } else if (!placeholder.is_null()) {
    (*data)[name] = placeholder;
  }
}

std::string SubjectFor(const OptionalValue& entity, const std::string& kind,
                       std::map<std::string, std::string>* constant_fields, const std::string& field = "entity") {
  if (entity && entity->constant() && entity->constant()->is_string()) {
    (*constant_fields)["subject"] = field;
    return entity->constant()->get<std::string>();
  }
  return kind + "/check";
}

// A constant `at` must read as a timestamp and a constant `after` as a duration.
void CheckScheduleTimes(LoadContext& context, const Schedule& schedule, const std::map<std::string, Position>& positions) {
  auto check = [&](const OptionalValue& value, const char* field, const char* function, const char* example) {
    if (!value || !value->constant()) return;
    cel::CompileOptions options;
    options.variables = {{"v", cel::Kind::kDyn}};
    Result<cel::Program> program = cel::Compile(std::string(function) + "(v)", options);
    if (!program.ok()) return;
    cel::Activation activation;
    activation.Bind("v", cel::FromJson(*value->constant()));
    Result<cel::Value> result = program->Evaluate(activation);
    if (result.ok()) return;
    context.Warning(positions.at(field), std::string("schedule can never set its timer: ") + field + " " +
                                             value->constant()->dump() + " is not " + example);
  };
  check(schedule.at, "at", "timestamp", "an RFC 3339 date-time (2026-03-02T09:00:00Z)");
  check(schedule.after, "after", "duration", "a duration (\"72h\", \"90m\", \"1h30m\")");
}

}  // namespace

void CheckActionCandidates(LoadContext& context, const Action& action, const Rule& rule, const LoadState& state,
                           const std::map<std::string, Position>& positions) {
  if (!state.registry) return;
  const SchemaRegistry& registry = *state.registry;
  std::map<std::string, std::string> constants;  // JSON path in the event -> action field
  nlohmann::json data = nlohmann::json::object();
  std::string type;
  std::string subject;
  std::string kind = "task";
  if (!action.emits.empty() && !KindOfType(action.emits.front()).empty()) {
    kind = std::string(KindOfType(action.emits.front()));
  }
  switch (action.kind) {
    case ActionKind::kCreateTask: {
      const auto& a = std::get<CreateTask>(action.spec);
      type = "task.created";
      subject = "task/check";
      Put(&data, &constants, "title", a.title, "placeholder");
      Put(&data, &constants, "description", a.description);
      Put(&data, &constants, "assignee", a.assignee);
      Put(&data, &constants, "owner", a.owner);
      Put(&data, &constants, "due", a.due);
      Put(&data, &constants, "priority", a.priority);
      Put(&data, &constants, "parent", a.parent);
      Put(&data, &constants, "status", a.status);
      Put(&data, &constants, "labels", a.labels, nullptr, true);
      for (const auto& [name, value] : a.fields) {
        if (value.constant()) data[name] = *value.constant();
      }
      break;
    }
    case ActionKind::kSetStatus: {
      const auto& a = std::get<SetStatus>(action.spec);
      if (!a.to.constant()) return;
      type = kind + ".status_changed";
      subject = SubjectFor(a.entity, kind, &constants);
      Put(&data, &constants, "to", a.to);
      break;
    }
    case ActionKind::kAssign: {
      const auto& a = std::get<Assign>(action.spec);
      if (!a.to.constant()) return;
      type = kind + ".assigned";
      subject = SubjectFor(a.entity, kind, &constants);
      Put(&data, &constants, "to", a.to);
      break;
    }
    case ActionKind::kSetField: {
      const auto& a = std::get<SetField>(action.spec);
      if (!a.value.constant() || a.field == "id" || a.field == "kind" || a.field == "workspace" ||
          a.field == "version" || a.field == "created" || a.field == "updated" || a.field == "archived" ||
          a.field == "partial") {
        return;
      }
      type = kind + ".updated";
      subject = SubjectFor(a.entity, kind, &constants);
      data["changes"][a.field]["to"] = *a.value.constant();
      constants["data.changes." + a.field] = "value";
      break;
    }
    case ActionKind::kAddComment: {
      const auto& a = std::get<AddComment>(action.spec);
      type = "comment.added";
      subject = SubjectFor(a.entity, "task", &constants);
      Put(&data, &constants, "text", a.text, "placeholder");
      Put(&data, &constants, "mentions", a.mentions, nullptr, true);
      break;
    }
    case ActionKind::kLink: {
      const auto& a = std::get<Link>(action.spec);
      type = kind + ".linked";
      subject = SubjectFor(a.entity, kind, &constants);
      Put(&data, &constants, "relation", a.relation, "placeholder");
      Put(&data, &constants, "target", a.target, "task/placeholder");
      break;
    }
    case ActionKind::kRequestApproval: {
      const auto& a = std::get<RequestApproval>(action.spec);
      type = "approval.requested";
      subject = "approval/check";
      Put(&data, &constants, "approvers", a.approvers, nlohmann::json::array({"placeholder"}), true);
      Put(&data, &constants, "reason", a.reason);
      Put(&data, &constants, "target", a.target, "task/placeholder");
      break;
    }
    case ActionKind::kNotify: {
      const auto& a = std::get<Notify>(action.spec);
      type = "notification.requested";
      subject = "task/check";
      Put(&data, &constants, "recipients", a.recipients, nlohmann::json::array({"placeholder"}), true);
      Put(&data, &constants, "message", a.message, "placeholder");
      Put(&data, &constants, "channel", a.channel);
      Put(&data, &constants, "about", a.about);
      break;
    }
    case ActionKind::kEmit: {
      const auto& a = std::get<Emit>(action.spec);
      type = a.type;
      subject = SubjectFor(a.subject, "task", &constants, "subject");
      if (a.data.constant()) {
        data = *a.data.constant();
        constants["data"] = "data";
      } else {
        // Partly computed: check the members written literally; what the
        // schema says of the others is decided when the rule runs.
        data = a.data.ConstantMembers();
        for (const auto& [name, value] : data.items()) constants["data." + name] = "data";
      }
      break;
    }
    case ActionKind::kSchedule:
      CheckScheduleTimes(context, std::get<Schedule>(action.spec), positions);
      return;
    default:
      return;  // apply_template and roll_up produce events from run-time data
  }
  Report(context, action, type, Verdict(registry, CandidateEvent(type, subject, data, rule.id)), constants, positions);
}

}  // namespace keel::rules
