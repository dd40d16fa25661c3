// Running an action mapping: the scope bound from the event, the sink's vars
// and the entity (then the lets), the first matching case's request built,
// and later its answers from the response. Every failure names the case and
// the field.
#include "connectors/actions/action_run.h"

#include <simdjson.h>

#include "connectors/webhooks/data_template.h"
#include "engine/schema/schema_registry.h"
#include "engine/sha256.h"

namespace keel::actions {
namespace {

using webhooks::DescribeValue;
using webhooks::EvaluateData;
using webhooks::ValueText;

Status Refuse(std::string reason) { return Status::InvalidArgument(std::move(reason)); }
Status Refuse(const std::string& where, const Status& why) { return Refuse(where + ": " + why.message()); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Forgets the people file when a run ends: the scope outlives the run, the
// file may not.
class PeopleReset {
 public:
  explicit PeopleReset(ExpressionScope& scope) : scope_(scope) {}
  ~PeopleReset() { scope_.SetPeople(nullptr); }
  PeopleReset(const PeopleReset&) = delete;
  PeopleReset& operator=(const PeopleReset&) = delete;

 private:
  ExpressionScope& scope_;
};

// Binds event, vars, entity and the people, then evaluates the lets.
Status BindInput(const ActionMapping& mapping, const ActionInput& input, ExpressionScope& scope) {
  scope.Clear();
  if (input.event == nullptr) return Status::Internal("an action run without an event");
  if (Status bound = scope.BindJsonText(kEventVar, input.event->event.canonical); !bound.ok()) {
    return Refuse("event", bound);
  }
  nlohmann::json vars = nlohmann::json::object();
  if (input.vars != nullptr) {
    for (const auto& [name, value] : *input.vars) vars[name] = value;
  }
  scope.BindJson(kVarsVar, vars);
  scope.BindJson(kEntityVar, input.entity);
  scope.SetPeople(input.people);
  for (const webhooks::Let& let : mapping.lets) {
    if (Status s = let.value->EvaluateInto(scope, let.name); !s.ok()) return Refuse("let " + let.name, s);
  }
  return Status::OK();
}

Result<std::string> Text(const Expression& expression, const ExpressionScope& scope, const std::string& where) {
  Result<nlohmann::json> value = expression.Evaluate(scope);
  if (!value.ok()) return Refuse(where, value.status());
  std::optional<std::string> text = ValueText(*value);
  if (!text || text->empty()) return Refuse(where + ": expected text, got " + DescribeValue(*value));
  return *text;
}

Result<ActionRequest> BuildRequest(const RequestSpec& spec, const ExpressionScope& scope, const std::string& where) {
  ActionRequest out;
  KEEL_ASSIGN_OR_RETURN(out.method, Text(*spec.method, scope, where + ".method"));
  if (out.method != "GET" && out.method != "POST" && out.method != "PUT" && out.method != "PATCH" &&
      out.method != "DELETE") {
    return Refuse(where + ".method: '" + out.method + "' is not GET, POST, PUT, PATCH or DELETE");
  }
  KEEL_ASSIGN_OR_RETURN(out.url, Text(*spec.url, scope, where + ".url"));
  if (!out.url.starts_with("https://") && !out.url.starts_with("http://")) {
    return Refuse(where + ".url: '" + out.url.substr(0, 80) + "' is not an http:// or https:// URL");
  }
  for (const auto& [name, expression] : spec.headers) {
    Result<nlohmann::json> value = expression->Evaluate(scope);
    if (!value.ok()) return Refuse(where + ".headers." + name, value.status());
    if (value->is_null()) continue;
    std::optional<std::string> text = ValueText(*value);
    if (!text) return Refuse(where + ".headers." + name + ": expected text, got " + DescribeValue(*value));
    if (text->find_first_of("\r\n") != std::string::npos) {
      return Refuse(where + ".headers." + name + ": a header value holds no line break");
    }
    out.headers.emplace_back(name, std::move(*text));
  }
  if (spec.has_body) {
    KEEL_ASSIGN_OR_RETURN(nlohmann::json body, EvaluateData(spec.body, scope, "body", where));
    // One template alone gives the body's text; a tree is sent as JSON.
    out.body = body.is_string() && spec.body.type == DataNode::Type::kValue ? body.get<std::string>() : body.dump();
  }
  return out;
}

Status Validate(const SchemaRegistry& schemas, const nlohmann::json& event, const std::string& where) {
  thread_local simdjson::dom::parser parser;
  std::string text = event.dump();
  simdjson::dom::element element;
  if (parser.parse(text).get(element) != simdjson::SUCCESS) return Refuse(where + ": the event is not JSON");
  if (Status valid = schemas.Validate(element); !valid.ok()) return Refuse(where, valid);
  return Status::OK();
}

}  // namespace

std::string AnswerEventId(std::string_view event_id, std::string_view sink, size_t index) {
  std::string input = "sink.answer";
  input += '\0';
  input += event_id;
  input += '\0';
  input += sink;
  input += '\0';
  input += std::to_string(index);
  return "a-" + HashToHex(Sha256(input)).substr(0, 32);
}

nlohmann::json ResponseJson(const ActionResponse& response) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [name, value] : response.headers) headers[Lower(name)] = value;
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) body = response.body;
  return {{"status", response.status}, {"headers", std::move(headers)}, {"body", std::move(body)}};
}

Result<PreparedAction> PrepareAction(const ActionMapping& mapping, const ActionInput& input, ExpressionScope& scope) {
  PeopleReset reset(scope);
  KEEL_RETURN_IF_ERROR(BindInput(mapping, input, scope));
  PreparedAction out;
  for (size_t i = 0; i < mapping.cases.size(); ++i) {
    const ActionCase& one = mapping.cases[i];
    std::string where = "case \"" + one.name + "\"";
    if (one.condition) {
      Result<bool> matches = one.condition->EvaluateBool(scope);
      if (!matches.ok()) return Refuse(where + ", if", matches.status());
      if (!*matches) continue;
    }
    out.case_index = i;
    out.case_name = one.name;
    if (one.ignore) {
      out.ignored = true;
      Result<nlohmann::json> reason = one.ignore->Evaluate(scope);
      if (!reason.ok()) return Refuse(where + ", ignore", reason.status());
      out.reason = ValueText(*reason).value_or(reason->dump());
      return out;
    }
    if (one.find) {
      KEEL_ASSIGN_OR_RETURN(out.find, BuildRequest(one.find->request, scope, where + ", find"));
    }
    KEEL_ASSIGN_OR_RETURN(out.request, BuildRequest(one.request, scope, where + ", request"));
    return out;
  }
  if (mapping.otherwise_ignore) {
    out.ignored = true;
    Result<nlohmann::json> reason = mapping.otherwise_ignore->Evaluate(scope);
    if (!reason.ok()) return Refuse("otherwise, ignore", reason.status());
    out.reason = ValueText(*reason).value_or(reason->dump());
    return out;
  }
  return Refuse("no case of action mapping \"" + mapping.name + "\" matches this event, and it has no otherwise:");
}

Result<bool> Found(const ActionMapping& mapping, const PreparedAction& prepared, const ActionInput& input,
                   const ActionResponse& response, ExpressionScope& scope) {
  PeopleReset reset(scope);
  const ActionCase& one = mapping.cases.at(prepared.case_index);
  if (!one.find) return Status::Internal("case \"" + one.name + "\" has no find:");
  KEEL_RETURN_IF_ERROR(BindInput(mapping, input, scope));
  scope.BindJson(kResponseVar, ResponseJson(response));
  Result<bool> found = one.find->found->EvaluateBool(scope);
  if (!found.ok()) return Refuse("case \"" + one.name + "\", find.found", found.status());
  return *found;
}

Result<bool> Succeeded(const ActionMapping& mapping, const PreparedAction& prepared, const ActionInput& input,
                       const ActionResponse& response, ExpressionScope& scope) {
  PeopleReset reset(scope);
  const ActionCase& one = mapping.cases.at(prepared.case_index);
  if (!one.ok) return true;
  KEEL_RETURN_IF_ERROR(BindInput(mapping, input, scope));
  scope.BindJson(kResponseVar, ResponseJson(response));
  Result<bool> ok = one.ok->EvaluateBool(scope);
  if (!ok.ok()) return Refuse("case \"" + one.name + "\", ok", ok.status());
  return *ok;
}

Result<std::vector<nlohmann::json>> AnswerEvents(const ActionMapping& mapping, const PreparedAction& prepared,
                                                 const ActionInput& input, const ActionResponse& response,
                                                 bool from_find, ExpressionScope& scope) {
  PeopleReset reset(scope);
  const ActionCase& one = mapping.cases.at(prepared.case_index);
  if (from_find && !one.find) return Status::Internal("case \"" + one.name + "\" has no find:");
  const std::vector<AnswerSpec>& specs = from_find ? one.find->answer : one.answer;
  std::vector<nlohmann::json> events;
  if (specs.empty()) return events;
  KEEL_RETURN_IF_ERROR(BindInput(mapping, input, scope));
  scope.BindJson(kResponseVar, ResponseJson(response));
  const Event& trigger = input.event->event;
  std::string base = "case \"" + one.name + "\", " + (from_find ? "find.answer " : "answer ");
  for (size_t i = 0; i < specs.size(); ++i) {
    const AnswerSpec& spec = specs[i];
    std::string where = base + std::to_string(i + 1);
    if (spec.condition) {
      Result<bool> wanted = spec.condition->EvaluateBool(scope);
      if (!wanted.ok()) return Refuse(where + ", if", wanted.status());
      if (!*wanted) continue;
    }
    KEEL_ASSIGN_OR_RETURN(std::string type, Text(*spec.type, scope, where + ", type"));
    KEEL_ASSIGN_OR_RETURN(std::string subject, Text(*spec.subject, scope, where + ", subject"));
    nlohmann::json data = nlohmann::json::object();
    if (spec.has_data) {
      KEEL_ASSIGN_OR_RETURN(data, EvaluateData(spec.data, scope, "data", where));
    }
    nlohmann::json event = {{"specversion", "1.0"},
                            {"id", AnswerEventId(trigger.id, input.sink, events.size())},
                            {"source", "keel/sink/" + input.sink},
                            {"type", type},
                            {"subject", subject},
                            {"time", trigger.time},
                            {"workspace", trigger.workspace},
                            {"actor", "system:sink/" + input.sink},
                            {"data", std::move(data)}};
    if (input.schemas != nullptr) KEEL_RETURN_IF_ERROR(Validate(*input.schemas, event, where));
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace keel::actions
