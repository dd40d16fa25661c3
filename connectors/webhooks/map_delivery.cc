// MapDelivery: the body bound once, the delivery-wide values (delivery id,
// workspace, lets) evaluated once, the source with the first event, then the first matching case's
// events built and checked. Every failure names the case, the event and the
// field.
#include "connectors/webhooks/map_delivery.h"

#include <simdjson.h>

#include "connectors/webhooks/data_template.h"
#include "engine/event.h"
#include "engine/json_time.h"
#include "engine/schema/schema_registry.h"
#include "engine/sha256.h"

namespace keel::webhooks {
namespace {

constexpr std::string_view kForEachList = "__keel_for_each";
constexpr size_t kMaxIdChars = 256;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<std::string> AsText(const nlohmann::json& value) { return ValueText(value); }
std::string Describe(const nlohmann::json& value) { return DescribeValue(value); }

class Mapper {
 public:
  Mapper(const Mapping& mapping, const Delivery& delivery, const MapOptions& options, ExpressionScope& scope)
      : mapping_(mapping), delivery_(delivery), options_(options), scope_(scope) {}

  MappingOutcome Run() {
    Status status = Prepare();
    if (status.ok()) status = MapCases();
    if (!status.ok()) {
      out_.kind = MappingOutcome::Kind::kRefused;
      out_.reason = status.message();
      out_.events.clear();
    }
    scope_.SetPeople(nullptr);
    return std::move(out_);
  }

 private:
  static Status Refuse(std::string reason) { return Status::InvalidArgument(std::move(reason)); }
  static Status Refuse(std::string_view where, const Status& why) {
    return Refuse(std::string(where) + ": " + why.message());
  }

  Status Prepare() {
    if (delivery_.body.size() > options_.max_body_bytes) {
      return Refuse("body: " + std::to_string(delivery_.body.size()) + " bytes, over the limit of " +
                    std::to_string(options_.max_body_bytes));
    }
    scope_.Clear();
    if (Status bound = scope_.BindJsonText(kBodyVar, delivery_.body, mapping_.body_selection.get()); !bound.ok()) {
      return Refuse("body: " + bound.message());
    }
    scope_.BindStringMap(kHeadersVar, delivery_.headers);
    scope_.BindString(kEndpointVar, delivery_.endpoint);
    out_.delivery_id = DeliveryId();
    KEEL_RETURN_IF_ERROR(ChooseWorkspace());
    scope_.SetPeople(options_.people ? options_.people(workspace_) : nullptr);
    for (const Let& let : mapping_.lets) {
      if (Status s = let.value->EvaluateInto(scope_, let.name); !s.ok()) return Refuse("let " + let.name, s);
    }
    return Status::OK();
  }

  // The events' source, evaluated with the first event: an ignored delivery
  // need not have what it reads.
  Status EvaluateSource() {
    if (!source_.empty()) return Status::OK();
    Result<nlohmann::json> source = mapping_.source->Evaluate(scope_);
    if (!source.ok()) return Refuse("source", source.status());
    std::optional<std::string> text = AsText(*source);
    if (!text || text->empty()) return Refuse("source: expected text, got " + Describe(*source));
    source_ = *text;
    return Status::OK();
  }

  // The tool's delivery id; when the mapping reads none (missing header,
  // null, empty), the body's SHA-256, so a redelivery still maps to the same ids.
  std::string DeliveryId() {
    if (mapping_.delivery_id) {
      Result<nlohmann::json> id = mapping_.delivery_id->Evaluate(scope_);
      if (id.ok()) {
        if (std::optional<std::string> text = AsText(*id); text && !text->empty()) return *text;
      }
    }
    return HashToHex(Sha256(delivery_.body));
  }

  Status ChooseWorkspace() {
    workspace_ = options_.workspace;
    if (workspace_.empty() && mapping_.workspace) {
      Result<nlohmann::json> ws = mapping_.workspace->Evaluate(scope_);
      if (!ws.ok()) return Refuse("workspace", ws.status());
      std::optional<std::string> text = AsText(*ws);
      if (!text) return Refuse("workspace: expected text, got " + Describe(*ws));
      workspace_ = *text;
    }
    if (workspace_.empty()) workspace_ = options_.default_workspace;
    if (workspace_.empty()) return Refuse("no workspace: the endpoint names none and the mapping has no workspace:");
    return Status::OK();
  }

  Status MapCases() {
    for (const Case& one : mapping_.cases) {
      std::string where = "case \"" + one.name + "\"";
      if (one.condition) {
        Result<bool> matches = one.condition->EvaluateBool(scope_);
        if (!matches.ok()) return Refuse(where + ", if", matches.status());
        if (!*matches) continue;
      }
      out_.case_name = one.name;
      if (one.ignore) return Ignore(*one.ignore, where + ", ignore");
      out_.kind = MappingOutcome::Kind::kEvents;
      for (size_t i = 0; i < one.events.size(); ++i) {
        KEEL_RETURN_IF_ERROR(MapEvents(one.events[i], where + ", event " + std::to_string(i + 1)));
      }
      return Status::OK();
    }
    if (mapping_.otherwise_ignore) return Ignore(*mapping_.otherwise_ignore, "otherwise, ignore");
    return Refuse("no case of mapping \"" + mapping_.name + "\" matches this delivery, and it has no otherwise:");
  }

  Status Ignore(const Expression& reason, const std::string& where) {
    Result<nlohmann::json> text = reason.Evaluate(scope_);
    if (!text.ok()) return Refuse(where, text.status());
    out_.kind = MappingOutcome::Kind::kIgnored;
    out_.reason = AsText(*text).value_or(text->dump());
    return Status::OK();
  }

  Status MapEvents(const EventSpec& spec, const std::string& where) {
    if (!spec.for_each) return MapEvent(spec, where);
    Result<size_t> count = spec.for_each->EvaluateList(scope_, kForEachList);
    if (!count.ok()) return Refuse(where + ", for_each", count.status());
    for (size_t k = 0; k < *count; ++k) {
      scope_.BindListItem(kItemVar, kForEachList, k);
      scope_.BindInt(kIndexVar, static_cast<int64_t>(k));
      KEEL_RETURN_IF_ERROR(MapEvent(spec, where + ", item " + std::to_string(k)));
    }
    scope_.Unbind(kItemVar);
    scope_.Unbind(kIndexVar);
    return Status::OK();
  }

  Result<std::string> TextField(const Expression& expression, const std::string& where, std::string_view key) {
    Result<nlohmann::json> value = expression.Evaluate(scope_);
    if (!value.ok()) return Refuse(where + ", " + std::string(key), value.status());
    std::optional<std::string> text = AsText(*value);
    if (!text || text->empty()) {
      return Refuse(where + ", " + std::string(key) + ": expected text, got " + Describe(*value));
    }
    return *text;
  }

  Status MapEvent(const EventSpec& spec, const std::string& where) {
    if (spec.condition) {
      Result<bool> wanted = spec.condition->EvaluateBool(scope_);
      if (!wanted.ok()) return Refuse(where + ", if", wanted.status());
      if (!*wanted) return Status::OK();
    }
    if (out_.events.size() >= options_.max_events) {
      return Refuse(where + ": more than " + std::to_string(options_.max_events) + " events from one delivery");
    }
    KEEL_RETURN_IF_ERROR(EvaluateSource());
    std::string key = std::to_string(out_.events.size());
    if (spec.id) {
      KEEL_ASSIGN_OR_RETURN(key, TextField(*spec.id, where, "id"));
    }
    KEEL_ASSIGN_OR_RETURN(std::string type, TextField(*spec.type, where, "type"));
    KEEL_ASSIGN_OR_RETURN(std::string subject, TextField(*spec.subject, where, "subject"));
    KEEL_ASSIGN_OR_RETURN(std::string time, TextField(*spec.time, where, "time"));
    if (!TryParseRfc3339Micros(time)) {
      return Refuse(where + ", time: '" + time.substr(0, 64) +
                    "' is not an RFC 3339 time (read the tool's times with parse_time())");
    }
    std::string actor = "system:" + mapping_.name;
    if (spec.actor) {
      Result<nlohmann::json> value = spec.actor->Evaluate(scope_);
      if (!value.ok()) return Refuse(where + ", actor", value.status());
      if (!value->is_null()) {
        std::optional<std::string> text = AsText(*value);
        if (!text || text->empty()) return Refuse(where + ", actor: expected text, got " + Describe(*value));
        actor = *text;
      }
    }
    nlohmann::json data = nlohmann::json::object();
    if (spec.has_data) {
      KEEL_ASSIGN_OR_RETURN(data, Data(spec.data, "data", where));
    }

    nlohmann::ordered_json event;
    event["specversion"] = "1.0";
    event["id"] = MappedEventId(delivery_.endpoint, out_.delivery_id, key);
    event["source"] = source_;
    event["type"] = type;
    event["subject"] = subject;
    event["time"] = time;
    event["workspace"] = workspace_;
    event["actor"] = actor;
    event["data"] = nlohmann::ordered_json::parse(data.dump());
    if (options_.schemas != nullptr) KEEL_RETURN_IF_ERROR(Check(event, where));
    out_.events.push_back(std::move(event));
    return Status::OK();
  }

  Status Check(const nlohmann::ordered_json& event, const std::string& where) {
    thread_local simdjson::dom::parser parser;
    std::string text = event.dump();
    simdjson::dom::element element;
    if (parser.parse(text).get(element) != simdjson::SUCCESS) return Refuse(where + ": the event is not JSON");
    if (Status valid = options_.schemas->Validate(element); !valid.ok()) return Refuse(where, valid);
    return Status::OK();
  }

  Result<nlohmann::json> Data(const DataNode& node, const std::string& path, const std::string& where) {
    return EvaluateData(node, scope_, path, where);
  }

  const Mapping& mapping_;
  const Delivery& delivery_;
  const MapOptions& options_;
  ExpressionScope& scope_;
  MappingOutcome out_;
  std::string workspace_;
  std::string source_;
};

}  // namespace

void LowerCaseHeaders(std::vector<std::pair<std::string, std::string>>* headers) {
  for (auto& header : *headers) header.first = Lower(header.first);
}

std::string MappedEventId(std::string_view endpoint, std::string_view delivery_id, std::string_view key) {
  std::string id = std::string(endpoint) + ":" + std::string(delivery_id) + ":" + std::string(key);
  size_t chars = 0;
  bool control = false;
  for (unsigned char c : id) {
    chars += (c & 0xC0) != 0x80;
    control = control || c < 0x20 || c == 0x7F;
  }
  if (chars <= kMaxIdChars && !control) return id;
  return std::string(endpoint) + ":sha256:" + HashToHex(Sha256(id));
}

std::string_view OutcomeKindName(MappingOutcome::Kind kind) {
  switch (kind) {
    case MappingOutcome::Kind::kEvents: return "events";
    case MappingOutcome::Kind::kIgnored: return "ignored";
    case MappingOutcome::Kind::kRefused: return "refused";
  }
  return "refused";
}

MappingOutcome MapDelivery(const Mapping& mapping, const Delivery& delivery, const MapOptions& options,
                           ExpressionScope& scope) {
  return Mapper(mapping, delivery, options, scope).Run();
}

}  // namespace keel::webhooks
