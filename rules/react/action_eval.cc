#include "rules/react/action_eval.h"

#include <variant>

#include "engine/derived_ids.h"
#include "rules/task_template.h"

namespace keel::rules {
namespace {

using nlohmann::json;

// The events one action requests. Each has a path unique within the rule's
// reaction, part of the derived event's id: the action's own ("then[2]") for
// one event, extended ("then[2]/brief") when it produces several.
class Requests {
 public:
  Requests(const Action& action, const ActionScope& scope, std::vector<DerivedEventRequest>* out)
      : action_(action), scope_(scope), out_(out) {}

  const std::string& path() const { return action_.path; }
  // The id of an entity this action creates; `suffix` tells several apart.
  std::string NewId(std::string_view prefix, std::string_view suffix = {}) const {
    return DerivedEntityId(prefix, scope_.event.id, scope_.rule.id, PathOf(suffix));
  }
  void Add(std::string type, std::string subject, const json& data, std::string_view suffix = {}) {
    out_->push_back({scope_.rule.id, PathOf(suffix), std::move(type), std::move(subject), data.dump(), {}});
  }

 private:
  std::string PathOf(std::string_view suffix) const {
    return suffix.empty() ? action_.path : action_.path + "/" + std::string(suffix);
  }

  const Action& action_;
  const ActionScope& scope_;
  std::vector<DerivedEventRequest>* out_;
};

Result<json> Eval(const ValueTemplate& value, const ActionScope& scope, std::string_view field) {
  Result<json> result = value.Evaluate(scope.activation);
  if (!result.ok()) return result.status().WithContext(field);
  return result;
}

Result<std::string> EvalString(const ValueTemplate& value, const ActionScope& scope, std::string_view field) {
  KEEL_ASSIGN_OR_RETURN(json result, Eval(value, scope, field));
  if (!result.is_string()) {
    return Status::InvalidArgument(std::string(field) + ": expected a string, got " + result.dump());
  }
  return result.get<std::string>();
}

// A list of strings, written as a list or as one string.
Result<json> EvalStrings(const ValueTemplate& value, const ActionScope& scope, std::string_view field) {
  KEEL_ASSIGN_OR_RETURN(json result, Eval(value, scope, field));
  if (result.is_string()) return json::array({result});
  bool strings = result.is_array();
  for (const json& item : result) strings = strings && item.is_string();
  if (!strings) return Status::InvalidArgument(std::string(field) + ": expected a list of strings, got " + result.dump());
  return result;
}

Result<EntityRef> ParseRef(const json& value, std::string_view field) {
  EntityRef ref;
  if (!value.is_string() || !ParseEntityRef(value.get<std::string>(), &ref)) {
    return Status::InvalidArgument(std::string(field) + ": expected KIND/ID, got " + value.dump());
  }
  return ref;
}

Result<EntityRef> RefOr(const OptionalValue& value, const ActionScope& scope, std::string_view field) {
  if (!value) return scope.event.entity;
  KEEL_ASSIGN_OR_RETURN(json result, Eval(*value, scope, field));
  return ParseRef(result, field);
}

// data[name] = the value, when given and not null.
Status SetOptional(json& data, const std::string& name, const OptionalValue& value, const ActionScope& scope,
                   std::string_view field) {
  if (!value) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(json result, Eval(*value, scope, field));
  if (!result.is_null()) data[name] = std::move(result);
  return Status::OK();
}

json MemberOf(const json& state, std::string_view name) {
  if (!state.is_object()) return nullptr;
  auto it = state.find(name);
  return it == state.end() ? json(nullptr) : *it;
}

Status DoCreateTask(const CreateTask& a, const ActionScope& scope, Requests& requests) {
  json data = json::object();
  KEEL_ASSIGN_OR_RETURN(data["title"], EvalString(a.title, scope, "create_task.title"));
  const std::pair<const char*, const OptionalValue*> optional[] = {
      {"description", &a.description}, {"assignee", &a.assignee}, {"owner", &a.owner},
      {"due", &a.due},                 {"priority", &a.priority}, {"parent", &a.parent},
      {"status", &a.status}};
  for (const auto& [name, value] : optional) {
    KEEL_RETURN_IF_ERROR(SetOptional(data, name, *value, scope, std::string("create_task.") + name));
  }
  if (a.labels) {
    KEEL_ASSIGN_OR_RETURN(data["labels"], EvalStrings(*a.labels, scope, "create_task.labels"));
  }
  for (const auto& [name, value] : a.fields) {
    KEEL_ASSIGN_OR_RETURN(json field, Eval(value, scope, "create_task.fields." + name));
    if (!field.is_null()) data[name] = std::move(field);
  }
  requests.Add("task.created", "task/" + requests.NewId("t-"), data);
  return Status::OK();
}

// task.created per task in creation order, then task.linked per dependency
// (so every link's target exists by the time it is appended).
Status DoApplyTemplate(const ApplyTemplate& a, const ActionScope& scope, Requests& requests) {
  if (a.task_template == nullptr) return Status::Internal("template '" + a.template_name + "' was not resolved");
  KEEL_ASSIGN_OR_RETURN(std::vector<TaskSpec> tasks,
                        InstantiateTemplate(*a.task_template, a.overrides, scope.activation, scope.entity));
  std::map<std::string, std::string> ids;
  for (const TaskSpec& task : tasks) ids[task.key] = requests.NewId("t-", task.key);
  for (const TaskSpec& task : tasks) requests.Add("task.created", "task/" + ids[task.key], task.data, task.key);
  for (const TaskSpec& task : tasks) {
    for (const std::string& dependency : task.depends_on) {
      json link = {{"relation", "depends_on"}, {"target", "task/" + ids[dependency]}};
      requests.Add("task.linked", "task/" + ids[task.key], link, task.key + "/depends_on/" + dependency);
    }
  }
  return Status::OK();
}

Status DoSetStatus(const SetStatus& a, const ActionScope& scope, Requests& requests) {
  KEEL_ASSIGN_OR_RETURN(EntityRef ref, RefOr(a.entity, scope, "set_status.entity"));
  KEEL_ASSIGN_OR_RETURN(std::string to, EvalString(a.to, scope, "set_status.to"));
  KEEL_ASSIGN_OR_RETURN(json state, StateOf(ref, scope));
  json from = MemberOf(state, "status");
  if (from == to) return Status::OK();
  requests.Add(ref.kind + ".status_changed", ref.ToString(), {{"from", from}, {"to", to}});
  return Status::OK();
}

Status DoAssign(const Assign& a, const ActionScope& scope, Requests& requests) {
  KEEL_ASSIGN_OR_RETURN(EntityRef ref, RefOr(a.entity, scope, "assign.entity"));
  KEEL_ASSIGN_OR_RETURN(json to, Eval(a.to, scope, "assign.to"));
  if (!to.is_string() && !to.is_null()) {
    return Status::InvalidArgument("assign.to: expected a person or null, got " + to.dump());
  }
  KEEL_ASSIGN_OR_RETURN(json state, StateOf(ref, scope));
  json from = MemberOf(state, "assignee");
  if (from == to) return Status::OK();
  requests.Add(ref.kind + ".assigned", ref.ToString(), {{"from", from}, {"to", to}});
  return Status::OK();
}

Status DoSetField(const SetField& a, const ActionScope& scope, Requests& requests) {
  KEEL_ASSIGN_OR_RETURN(EntityRef ref, RefOr(a.entity, scope, "set_field.entity"));
  KEEL_ASSIGN_OR_RETURN(json to, Eval(a.value, scope, "set_field.value"));
  KEEL_ASSIGN_OR_RETURN(json state, StateOf(ref, scope));
  json change = {{"to", to}};
  if (state.is_object() && state.contains(a.field)) {
    if (state[a.field] == to) return Status::OK();
    change["from"] = state[a.field];
  }
  requests.Add(ref.kind + ".updated", ref.ToString(), {{"changes", {{a.field, change}}}});
  return Status::OK();
}

Status DoAddComment(const AddComment& a, const ActionScope& scope, Requests& requests) {
  KEEL_ASSIGN_OR_RETURN(EntityRef ref, RefOr(a.entity, scope, "add_comment.entity"));
  json data = json::object();
  KEEL_ASSIGN_OR_RETURN(data["text"], EvalString(a.text, scope, "add_comment.text"));
  if (a.mentions) {
    KEEL_ASSIGN_OR_RETURN(data["mentions"], EvalStrings(*a.mentions, scope, "add_comment.mentions"));
  }
  requests.Add("comment.added", ref.ToString(), data);
  return Status::OK();
}

Status DoLink(const Link& a, const ActionScope& scope, Requests& requests) {
  KEEL_ASSIGN_OR_RETURN(EntityRef ref, RefOr(a.entity, scope, "link.entity"));
  KEEL_ASSIGN_OR_RETURN(std::string relation, EvalString(a.relation, scope, "link.relation"));
  KEEL_ASSIGN_OR_RETURN(json target_value, Eval(a.target, scope, "link.target"));
  KEEL_ASSIGN_OR_RETURN(EntityRef target, ParseRef(target_value, "link.target"));
  json link = {{"relation", relation}, {"target", target.ToString()}};
  KEEL_ASSIGN_OR_RETURN(json state, StateOf(ref, scope));
  json links = MemberOf(state, "links");
  if (links.is_array()) {
    for (const json& existing : links) {
      if (existing == link) return Status::OK();
    }
  }
  requests.Add(ref.kind + ".linked", ref.ToString(), link);
  return Status::OK();
}

Status DoRequestApproval(const RequestApproval& a, const ActionScope& scope, Requests& requests) {
  KEEL_ASSIGN_OR_RETURN(EntityRef target, RefOr(a.target, scope, "request_approval.target"));
  json data = {{"target", target.ToString()}};
  KEEL_ASSIGN_OR_RETURN(data["approvers"], EvalStrings(a.approvers, scope, "request_approval.approvers"));
  KEEL_RETURN_IF_ERROR(SetOptional(data, "reason", a.reason, scope, "request_approval.reason"));
  requests.Add("approval.requested", "approval/" + requests.NewId("a-"), data);
  return Status::OK();
}

// `at` as RFC 3339, or the event's time plus `after`: CEL's own timestamp
// and duration rules, so what `rules check` accepted is what runs.
Result<std::string> ScheduledFor(const Schedule& a, const ActionScope& scope) {
  static const cel::Program at_program = [] {
    cel::CompileOptions options;
    options.variables = {{"at", cel::Kind::kString}};
    return *cel::Compile("timestamp(at)", options);
  }();
  static const cel::Program after_program = [] {
    cel::CompileOptions options;
    options.variables = {{"start", cel::Kind::kTimestamp}, {"after", cel::Kind::kString}};
    return *cel::Compile("start + duration(after)", options);
  }();
  const char* field = a.at ? "schedule.at" : "schedule.after";
  KEEL_ASSIGN_OR_RETURN(json when, Eval(a.at ? *a.at : *a.after, scope, field));
  if (!when.is_string()) return Status::InvalidArgument(std::string(field) + ": expected a string, got " + when.dump());
  cel::Activation activation;
  Result<cel::Value> time = Status::Internal("unset");
  if (a.at) {
    activation.Bind("at", cel::Value::String(when.get<std::string>()));
    time = at_program.Evaluate(activation);
  } else {
    activation.Bind("start", scope.activation.now());
    activation.Bind("after", cel::Value::String(when.get<std::string>()));
    time = after_program.Evaluate(activation);
  }
  if (!time.ok()) return time.status().WithContext(std::string(field) + " " + when.dump());
  return cel::ToJson(*time).get<std::string>();
}

Status DoSchedule(const Schedule& a, const ActionScope& scope, Requests& requests) {
  KEEL_ASSIGN_OR_RETURN(EntityRef ref, RefOr(a.entity, scope, "schedule.entity"));
  json data = {{"timer", requests.NewId("tm-")}};
  KEEL_ASSIGN_OR_RETURN(data["name"], EvalString(a.name, scope, "schedule.name"));
  KEEL_ASSIGN_OR_RETURN(data["scheduled_for"], ScheduledFor(a, scope));
  if (a.payload) {
    KEEL_ASSIGN_OR_RETURN(json payload, Eval(*a.payload, scope, "schedule.payload"));
    if (!payload.is_object() && !payload.is_null()) {
      return Status::InvalidArgument("schedule.payload: expected a mapping, got " + payload.dump());
    }
    if (payload.is_object()) data["payload"] = std::move(payload);
  }
  requests.Add("timer.scheduled", ref.ToString(), data);
  return Status::OK();
}

Status DoNotify(const Notify& a, const ActionScope& scope, Requests& requests) {
  KEEL_ASSIGN_OR_RETURN(EntityRef about, RefOr(a.about, scope, "notify.about"));
  json data = {{"about", about.ToString()}};
  KEEL_ASSIGN_OR_RETURN(data["recipients"], EvalStrings(a.recipients, scope, "notify.recipients"));
  KEEL_ASSIGN_OR_RETURN(data["message"], EvalString(a.message, scope, "notify.message"));
  KEEL_RETURN_IF_ERROR(SetOptional(data, "channel", a.channel, scope, "notify.channel"));
  requests.Add("notification.requested", about.ToString(), data);
  return Status::OK();
}

Status DoEmit(const Emit& a, const ActionScope& scope, Requests& requests) {
  KEEL_ASSIGN_OR_RETURN(EntityRef subject, RefOr(a.subject, scope, "emit.subject"));
  KEEL_ASSIGN_OR_RETURN(json data, Eval(a.data, scope, "emit.data"));
  if (data.is_null()) data = json::object();
  if (!data.is_object()) return Status::InvalidArgument("emit.data: expected a mapping, got " + data.dump());
  requests.Add(a.type, subject.ToString(), data);
  return Status::OK();
}

}  // namespace

Result<EntityRef> TargetOf(const OptionalValue& entity, const ActionScope& scope) {
  return RefOr(entity, scope, "entity");
}

Result<json> StateOf(const EntityRef& ref, const ActionScope& scope) {
  if (!IsEntityKind(ref.kind)) return json(nullptr);
  KEEL_ASSIGN_OR_RETURN(std::optional<EntityState> state, scope.state.Get(scope.event.workspace, ref));
  if (!state) return json(nullptr);
  return json::parse(state->ToCanonical());
}

Status EvaluateAction(const Action& action, const ActionScope& scope, std::vector<DerivedEventRequest>* out) {
  Requests requests(action, scope, out);
  return std::visit(
      [&](const auto& spec) -> Status {
        using Spec = std::decay_t<decltype(spec)>;
        if constexpr (std::is_same_v<Spec, CreateTask>) return DoCreateTask(spec, scope, requests);
        else if constexpr (std::is_same_v<Spec, ApplyTemplate>) return DoApplyTemplate(spec, scope, requests);
        else if constexpr (std::is_same_v<Spec, SetStatus>) return DoSetStatus(spec, scope, requests);
        else if constexpr (std::is_same_v<Spec, Assign>) return DoAssign(spec, scope, requests);
        else if constexpr (std::is_same_v<Spec, SetField>) return DoSetField(spec, scope, requests);
        else if constexpr (std::is_same_v<Spec, AddComment>) return DoAddComment(spec, scope, requests);
        else if constexpr (std::is_same_v<Spec, Link>) return DoLink(spec, scope, requests);
        else if constexpr (std::is_same_v<Spec, RequestApproval>) return DoRequestApproval(spec, scope, requests);
        else if constexpr (std::is_same_v<Spec, Schedule>) return DoSchedule(spec, scope, requests);
        else if constexpr (std::is_same_v<Spec, Notify>) return DoNotify(spec, scope, requests);
        else if constexpr (std::is_same_v<Spec, Emit>) return DoEmit(spec, scope, requests);
        else return EvaluateRollUp(action, spec, scope, out);
      },
      action.spec);
}

}  // namespace keel::rules
