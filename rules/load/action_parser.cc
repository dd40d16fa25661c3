// Reading a rule's `then` items into typed actions.
#include <algorithm>

#include "rules/load/rule_loader.h"
#include "rules/load/yaml_values.h"

namespace keel::rules {

namespace {

constexpr std::string_view kActionNames[] = {
    "create_task", "apply_template", "set_status", "assign", "set_field", "add_comment",
    "link", "request_approval", "schedule", "notify", "emit", "roll_up"};

// What a field may hold. Templates are allowed wherever a value is not
// "literal"; a template is a string, so "string" shapes accept them.
enum class Shape : uint8_t {
  kString,          // a string
  kStringOrNull,    // a string or null
  kStrings,         // a list of strings, or one string (a list of one)
  kAny,             // any value
  kObject,          // a mapping
  kLiteralString,   // a string without templates
  kLiteralStrings,  // a string or a list of strings, without templates
};

struct FieldSpec {
  std::string_view name;
  Shape shape;
  bool required = false;
};

struct ActionTable {
  ActionKind kind;
  std::string_view shorthand;  // the field a bare value (not a mapping) fills, or ""
  std::vector<FieldSpec> fields;
};

const std::vector<ActionTable>& Tables() {
  static const std::vector<ActionTable> tables = {
      {ActionKind::kCreateTask, "",
       {{"title", Shape::kString, true}, {"description", Shape::kString}, {"assignee", Shape::kStringOrNull},
        {"owner", Shape::kStringOrNull}, {"due", Shape::kStringOrNull}, {"priority", Shape::kStringOrNull},
        {"parent", Shape::kStringOrNull}, {"status", Shape::kString}, {"labels", Shape::kStrings},
        {"fields", Shape::kObject}}},
      {ActionKind::kApplyTemplate, "template",
       {{"template", Shape::kLiteralString, true}, {"parent", Shape::kString}, {"start", Shape::kString},
        {"roles", Shape::kObject}, {"priority", Shape::kStringOrNull}, {"labels", Shape::kStrings}}},
      {ActionKind::kSetStatus, "to", {{"to", Shape::kString, true}, {"entity", Shape::kString}}},
      {ActionKind::kAssign, "to", {{"to", Shape::kStringOrNull, true}, {"entity", Shape::kString}}},
      {ActionKind::kSetField, "",
       {{"field", Shape::kLiteralString, true}, {"value", Shape::kAny, true}, {"entity", Shape::kString}}},
      {ActionKind::kAddComment, "text",
       {{"text", Shape::kString, true}, {"mentions", Shape::kStrings}, {"entity", Shape::kString}}},
      {ActionKind::kLink, "",
       {{"relation", Shape::kString, true}, {"target", Shape::kString, true}, {"entity", Shape::kString}}},
      {ActionKind::kRequestApproval, "",
       {{"approvers", Shape::kStrings, true}, {"reason", Shape::kString}, {"target", Shape::kString}}},
      {ActionKind::kSchedule, "",
       {{"name", Shape::kString, true}, {"at", Shape::kString}, {"after", Shape::kString},
        {"payload", Shape::kObject}, {"entity", Shape::kString}}},
      {ActionKind::kNotify, "",
       {{"recipients", Shape::kStrings, true}, {"message", Shape::kString, true}, {"channel", Shape::kString},
        {"about", Shape::kString}}},
      {ActionKind::kEmit, "",
       {{"type", Shape::kLiteralString, true}, {"data", Shape::kObject}, {"subject", Shape::kString}}},
      {ActionKind::kRollUp, "",
       {{"from", Shape::kLiteralString, true}, {"to", Shape::kString}, {"field", Shape::kLiteralString},
        {"relation", Shape::kLiteralString}, {"done_statuses", Shape::kLiteralStrings},
        {"weight_field", Shape::kLiteralString}}},
  };
  return tables;
}

// A field as read: its node and place, and its value in the form its shape gives.
struct Field {
  YAML::Node node;
  Position position;
  std::optional<ValueTemplate> value;
  std::optional<std::string> literal;
  std::vector<std::string> literals;
};
using Fields = std::map<std::string, Field, std::less<>>;

bool ShapeAccepts(Shape shape, const YAML::Node& node) {
  bool is_string = IsStringScalar(node);
  bool is_null = !node.IsDefined() || node.IsNull();
  switch (shape) {
    case Shape::kString:
    case Shape::kLiteralString:
      return is_string;
    case Shape::kStringOrNull:
      return is_string || is_null;
    case Shape::kStrings:
    case Shape::kLiteralStrings:
      if (is_string) return true;
      if (!node.IsSequence() || node.size() == 0) return false;
      return std::all_of(node.begin(), node.end(), [](const YAML::Node& item) { return IsStringScalar(item); });
    case Shape::kAny:
      return true;
    case Shape::kObject:
      return node.IsMap();
  }
  return false;
}

std::string_view ShapeName(Shape shape) {
  switch (shape) {
    case Shape::kString:
    case Shape::kLiteralString:
      return "a string";
    case Shape::kStringOrNull:
      return "a string or null";
    case Shape::kStrings:
    case Shape::kLiteralStrings:
      return "a string or a non-empty list of strings";
    case Shape::kAny:
      return "a value";
    case Shape::kObject:
      return "a mapping";
  }
  return "a value";
}

std::optional<Field> ReadOneField(LoadContext& context, const std::string& what, const FieldSpec& spec,
                                  const YAML::Node& node, Position position) {
  if (IsUnquotedTemplate(node)) return std::nullopt;  // reported by the document check
  if (!ShapeAccepts(spec.shape, node)) {
    context.Error(position, what + ": expected " + std::string(ShapeName(spec.shape)) + ", got " + DescribeNode(node));
    return std::nullopt;
  }
  Field field{node, position, std::nullopt, std::nullopt, {}};
  if (spec.shape == Shape::kLiteralString) {
    field.literal = ReadLiteralString(context, node, position, what);
    if (!field.literal) return std::nullopt;
  } else if (spec.shape == Shape::kLiteralStrings) {
    auto literals = ReadLiteralStrings(context, node, position, what);
    if (!literals) return std::nullopt;
    field.literals = *std::move(literals);
  } else {
    field.value = ReadValue(context, node);
    if (!field.value) return std::nullopt;
  }
  return field;
}

std::optional<Fields> ReadFields(LoadContext& context, const ActionTable& table, const YAML::Node& body,
                                 Position body_position, Position name_position) {
  std::string name(ActionName(table.kind));
  Fields fields;
  if (!body.IsMap()) {
    if (table.shorthand.empty()) {
      context.Error(body_position, name + ": expected a mapping of its fields, got " + DescribeNode(body));
      return std::nullopt;
    }
    const FieldSpec& spec = *std::find_if(table.fields.begin(), table.fields.end(),
                                          [&](const FieldSpec& f) { return f.name == table.shorthand; });
    std::optional<Field> field = ReadOneField(context, name, spec, body, body_position);
    if (!field) return std::nullopt;
    fields.emplace(std::string(spec.name), *std::move(field));
    return fields;
  }
  std::vector<std::string_view> names;
  for (const FieldSpec& spec : table.fields) names.push_back(spec.name);
  size_t errors = context.error_count();
  FieldReader reader(context, body, name, names, name_position);
  // A field that could not be read fails the action even when its problem
  // was reported elsewhere (an unquoted template, by the document check): the
  // builders read every required field without looking again.
  bool all_read = true;
  for (const FieldSpec& spec : table.fields) {
    if (!reader.Has(spec.name)) {
      if (spec.required) all_read = reader.Require(spec.name) && all_read;
      continue;
    }
    std::string what = name + "." + std::string(spec.name);
    std::optional<Field> field = ReadOneField(context, what, spec, reader.Get(spec.name), reader.ValuePosition(spec.name));
    if (field) fields.emplace(std::string(spec.name), *std::move(field));
    all_read = all_read && field.has_value();
  }
  if (!all_read || context.error_count() != errors) return std::nullopt;
  return fields;
}

// REQUIRES: `name` is a required field, which ReadFields returns only when read.
ValueTemplate Value(const Fields& fields, std::string_view name) { return *fields.find(name)->second.value; }

OptionalValue Optional(const Fields& fields, std::string_view name) {
  auto it = fields.find(name);
  if (it == fields.end()) return std::nullopt;
  return it->second.value;
}

// [A-Za-z_][A-Za-z0-9_]{0,63}
bool IsFieldName(std::string_view name) {
  auto is_letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto is_letter_or_digit = [&](char c) { return is_letter(c) || (c >= '0' && c <= '9'); };
  return !name.empty() && name.size() <= 64 && is_letter(name[0]) &&
         std::all_of(name.begin() + 1, name.end(), is_letter_or_digit);
}

constexpr std::string_view kManagedFields[] = {"id", "kind", "workspace", "version", "created", "updated", "archived", "partial"};
constexpr std::string_view kTaskFields[] = {"title", "description", "assignee", "owner", "due", "priority", "parent", "status", "labels"};

bool IsManagedField(std::string_view name) {
  return std::find(std::begin(kManagedFields), std::end(kManagedFields), name) != std::end(kManagedFields);
}

// Custom fields of create_task: names a created event accepts, values with templates.
std::optional<NamedValues> ReadCustomFields(LoadContext& context, const YAML::Node& map) {
  NamedValues out;
  bool ok = true;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string& name = it->first.Scalar();
    Position where = NodePosition(it->first);
    if (!IsFieldName(name)) {
      context.Error(where, "fields: '" + name + "' is not a field name (^[A-Za-z_][A-Za-z0-9_]{0,63}$)");
      ok = false;
      continue;
    }
    if (IsManagedField(name) ||
        std::find(std::begin(kTaskFields), std::end(kTaskFields), name) != std::end(kTaskFields)) {
      context.Error(where, "fields: '" + name + "' is not a custom field; " +
                               (IsManagedField(name) ? std::string("the engine manages it")
                                                     : "set it with its own key, " + name + ":"));
      ok = false;
      continue;
    }
    std::optional<ValueTemplate> value = ReadValue(context, it->second);
    if (value) out.emplace_back(name, *std::move(value));
    ok = ok && value.has_value();
  }
  if (!ok) return std::nullopt;
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::optional<ActionSpec> BuildCreateTask(LoadContext& context, const Fields& f) {
  CreateTask a;
  a.title = Value(f, "title");
  a.description = Optional(f, "description");
  a.assignee = Optional(f, "assignee");
  a.owner = Optional(f, "owner");
  a.due = Optional(f, "due");
  a.priority = Optional(f, "priority");
  a.parent = Optional(f, "parent");
  a.status = Optional(f, "status");
  a.labels = Optional(f, "labels");
  if (auto it = f.find("fields"); it != f.end()) {
    std::optional<NamedValues> fields = ReadCustomFields(context, it->second.node);
    if (!fields) return std::nullopt;
    a.fields = *std::move(fields);
  }
  return a;
}

std::optional<ActionSpec> BuildApplyTemplate(LoadContext& context, const Fields& f, const LoadState& state) {
  ApplyTemplate a;
  const Field& name = f.find("template")->second;
  a.template_name = *name.literal;
  auto found = state.templates.find(a.template_name);
  if (found == state.templates.end()) {
    std::vector<std::string> names;
    for (const auto& entry : state.templates) names.push_back(entry.first);
    std::string hint = state.has_templates ? DidYouMean(a.template_name, names)
                                           : " (no templates folder was given: --templates DIR)";
    context.Error(name.position, "unknown template '" + a.template_name + "'" + hint);
    return std::nullopt;
  }
  a.task_template = found->second;
  a.overrides.parent = Optional(f, "parent");
  a.overrides.start = Optional(f, "start");
  a.overrides.priority = Optional(f, "priority");
  a.overrides.labels = Optional(f, "labels");
  if (auto it = f.find("roles"); it != f.end()) {
    bool ok = true;
    for (auto member = it->second.node.begin(); member != it->second.node.end(); ++member) {
      if (!member->first.IsScalar()) continue;
      const std::string& role = member->first.Scalar();
      if (!IsFieldName(role)) {
        context.Error(NodePosition(member->first), "roles: '" + role + "' is not a field name");
        ok = false;
        continue;
      }
      if (!ShapeAccepts(Shape::kStringOrNull, member->second)) {
        context.Error(ValuePosition(member->first, member->second),
                      "roles." + role + ": expected a string or null, got " + DescribeNode(member->second));
        ok = false;
        continue;
      }
      std::optional<ValueTemplate> person = ReadValue(context, member->second);
      if (person) a.overrides.roles.emplace_back(role, *std::move(person));
      ok = ok && person.has_value();
    }
    if (!ok) return std::nullopt;
    std::sort(a.overrides.roles.begin(), a.overrides.roles.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
  }
  return a;
}

std::optional<ActionSpec> BuildSetField(LoadContext& context, const Fields& f) {
  SetField a;
  const Field& field = f.find("field")->second;
  a.field = *field.literal;
  if (!IsFieldName(a.field)) {
    context.Error(field.position, "set_field.field: '" + a.field + "' is not a field name (^[A-Za-z_][A-Za-z0-9_]{0,63}$)");
    return std::nullopt;
  }
  if (IsManagedField(a.field)) {
    context.Warning(field.position, "set_field can never produce a valid event: '" + a.field +
                                        "' is managed by the engine and cannot be set");
  }
  a.value = Value(f, "value");
  a.entity = Optional(f, "entity");
  return a;
}

std::optional<ActionSpec> BuildSchedule(LoadContext& context, const Fields& f, Position position) {
  Schedule a;
  a.name = Value(f, "name");
  a.at = Optional(f, "at");
  a.after = Optional(f, "after");
  a.payload = Optional(f, "payload");
  a.entity = Optional(f, "entity");
  if (a.at.has_value() == a.after.has_value()) {
    context.Error(a.at ? f.find("after")->second.position : position,
                  "schedule: give exactly one of 'at' (a date-time) and 'after' (a duration such as \"72h\")");
    return std::nullopt;
  }
  return a;
}

std::optional<ActionSpec> BuildEmit(LoadContext& context, const Fields& f, const LoadState& state) {
  Emit a;
  const Field& type = f.find("type")->second;
  a.type = *type.literal;
  if (state.catalog.IsBuiltin(a.type)) {
    context.Error(type.position, "emit sends the custom event types declared under 'events:'; '" + a.type +
                                     "' is built in: produce it with its action (create_task, set_status, ...)");
    return std::nullopt;
  }
  if (!state.catalog.IsCustom(a.type)) {
    std::vector<std::string> custom;
    for (const std::string& t : state.catalog.all()) {
      if (state.catalog.IsCustom(t)) custom.push_back(t);
    }
    context.Error(type.position, "unknown event type '" + a.type + "': declare it under 'events:' in the rule set" +
                                     DidYouMean(a.type, custom));
    return std::nullopt;
  }
  a.data = f.count("data") ? Value(f, "data") : ValueTemplate::Literal(nlohmann::json::object());
  a.subject = Optional(f, "subject");
  return a;
}

std::optional<ActionSpec> BuildRollUp(LoadContext& context, const Fields& f) {
  RollUp a;
  const Field& from = f.find("from")->second;
  if (*from.literal == "tasks") {
    a.from = RollUp::Source::kTasks;
  } else if (*from.literal == "key_results") {
    a.from = RollUp::Source::kKeyResults;
  } else {
    context.Error(from.position, "roll_up.from: expected 'tasks' or 'key_results', got '" + *from.literal + "'");
    return std::nullopt;
  }
  std::string to = "{{ entity.parent }}";
  if (auto it = f.find("to"); it != f.end()) {
    const ValueTemplate& value = *it->second.value;
    if (value.is_literal() && value.literal() == "self") {
      to = "{{ event.subject }}";
      a.to_parent = false;
    } else if (value.is_literal() && value.literal() == "linked") {
      a.to_linked = true;
      a.to_parent = false;
      to.clear();
    } else if (!(value.is_literal() && value.literal() == "parent")) {
      a.to = value;
      a.to_parent = false;
      to.clear();
    }
  }
  if (!to.empty()) a.to = *ValueTemplate::Parse(to);
  bool ok = true;
  for (std::string_view name : {"field", "relation", "weight_field"}) {
    auto it = f.find(name);
    if (it == f.end()) continue;
    if (!IsFieldName(*it->second.literal)) {
      context.Error(it->second.position, "roll_up." + std::string(name) + ": '" + *it->second.literal + "' is not a field or relation name");
      ok = false;
    }
  }
  if (auto it = f.find("field"); it != f.end()) a.field = *it->second.literal;
  if (auto it = f.find("relation"); it != f.end()) a.relation = *it->second.literal;
  if (auto it = f.find("done_statuses"); it != f.end()) {
    if (a.from != RollUp::Source::kTasks) {
      context.Error(it->second.position, "roll_up.done_statuses applies to 'from: tasks' only");
      ok = false;
    }
    a.done_statuses = it->second.literals;
  }
  if (auto it = f.find("weight_field"); it != f.end()) {
    if (a.from != RollUp::Source::kKeyResults) {
      context.Error(it->second.position, "roll_up.weight_field applies to 'from: key_results' only");
      ok = false;
    }
    a.weight_field = *it->second.literal;
  }
  if (a.to_linked && a.relation == "parent") {
    context.Error(f.find("to")->second.position, "roll_up.to: 'linked' needs a link relation (relation: contributes_to, ...)");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return a;
}

std::optional<ActionSpec> BuildSpec(LoadContext& context, ActionKind kind, const Fields& f, Position position,
                                    const LoadState& state) {
  switch (kind) {
    case ActionKind::kCreateTask: return BuildCreateTask(context, f);
    case ActionKind::kApplyTemplate: return BuildApplyTemplate(context, f, state);
    case ActionKind::kSetStatus: return SetStatus{Value(f, "to"), Optional(f, "entity")};
    case ActionKind::kAssign: return Assign{Value(f, "to"), Optional(f, "entity")};
    case ActionKind::kSetField: return BuildSetField(context, f);
    case ActionKind::kAddComment: return AddComment{Value(f, "text"), Optional(f, "mentions"), Optional(f, "entity")};
    case ActionKind::kLink: return Link{Value(f, "relation"), Value(f, "target"), Optional(f, "entity")};
    case ActionKind::kRequestApproval:
      return RequestApproval{Value(f, "approvers"), Optional(f, "reason"), Optional(f, "target")};
    case ActionKind::kSchedule: return BuildSchedule(context, f, position);
    case ActionKind::kNotify:
      return Notify{Value(f, "recipients"), Value(f, "message"), Optional(f, "channel"), Optional(f, "about")};
    case ActionKind::kEmit: return BuildEmit(context, f, state);
    case ActionKind::kRollUp: return BuildRollUp(context, f);
  }
  return std::nullopt;
}

}  // namespace

std::string_view ActionName(ActionKind kind) { return kActionNames[static_cast<size_t>(kind)]; }

std::optional<ActionKind> ActionKindFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kActionNames); ++i) {
    if (kActionNames[i] == name) return static_cast<ActionKind>(i);
  }
  return std::nullopt;
}

std::span<const std::string_view> ActionNames() { return kActionNames; }

std::optional<Action> ReadAction(LoadContext& context, const YAML::Node& node, size_t index, const Rule& rule,
                                 const LoadState& state) {
  Position position = NodePosition(node);
  std::string names = "create_task, apply_template, set_status, assign, set_field, add_comment, link, "
                      "request_approval, schedule, notify, emit, roll_up";
  if (!node.IsMap() || node.size() == 0) {
    context.Error(position, "an action is a mapping with one key, the action's name (" + names + "); got " +
                                DescribeNode(node));
    return std::nullopt;
  }
  if (node.size() > 1) {
    std::string keys;
    for (auto it = node.begin(); it != node.end(); ++it) keys += (keys.empty() ? "'" : ", '") + YAML::Dump(it->first) + "'";
    context.Error(position, "an action has exactly one key, its name; found " + keys +
                                " (write each action as its own list item)");
    return std::nullopt;
  }
  YAML::Node key = node.begin()->first;
  YAML::Node body = node.begin()->second;
  std::string name = key.IsScalar() ? key.Scalar() : YAML::Dump(key);
  std::optional<ActionKind> kind = ActionKindFromName(name);
  Position key_position = NodePosition(key);
  if (!kind) {
    context.Error(key_position, "unknown action '" + name + "'" + DidYouMean(name, ActionNames()) +
                                    " (actions: " + names + ")");
    return std::nullopt;
  }
  if (IsUnquotedTemplate(body)) return std::nullopt;  // reported by the document check
  const ActionTable& table = Tables()[static_cast<size_t>(*kind)];
  std::optional<Fields> fields = ReadFields(context, table, body, ValuePosition(key, body), key_position);
  if (!fields) return std::nullopt;
  std::optional<ActionSpec> spec = BuildSpec(context, *kind, *fields, key_position, state);
  if (!spec) return std::nullopt;
  Action action;
  action.kind = *kind;
  action.path = "then[" + std::to_string(index) + "]";
  action.line = key_position.line;
  action.col = key_position.col;
  action.spec = *std::move(spec);
  action.emits = EmittedTypes(action, rule, state.catalog);
  std::map<std::string, Position> positions;
  for (const auto& [field_name, field] : *fields) positions[field_name] = field.position;
  positions[""] = key_position;
  CheckActionCandidates(context, action, rule, state, positions);
  return action;
}

// For tests of the schema against the loader: the fields of each action.
std::vector<std::pair<std::string, std::vector<std::pair<std::string, bool>>>> ActionFieldTable() {
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, bool>>>> out;
  for (const ActionTable& table : Tables()) {
    std::vector<std::pair<std::string, bool>> fields;
    for (const FieldSpec& spec : table.fields) fields.emplace_back(spec.name, spec.required);
    out.emplace_back(ActionName(table.kind), std::move(fields));
  }
  return out;
}

}  // namespace keel::rules
