#include "engine/schema/event_decoder.h"

#include <array>

#include "engine/canonical_json.h"
#include "engine/derived_ids.h"
#include "engine/schema/json_number_error.h"
#include "engine/json_time.h"

namespace keel {
namespace {

constexpr std::array<std::string_view, 6> kEngineAttributes = {
    "seq", "hash", "causationid", "correlationid", "ruleid", "rulesethash"};

// Event types only the engine appends: accepting them from outside would let
// anyone forge a rule set's activation or a rule's failure in the audit trail.
// timer.fired too: it takes its timer off the pending list.
constexpr std::array<std::string_view, 4> kEngineEventTypes = {"ruleset.activated", "rule.failed",
                                                               "rule.halted", "timer.fired"};

std::string_view JsonTypeName(simdjson::dom::element_type type) {
  using simdjson::dom::element_type;
  switch (type) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    case element_type::STRING: return "a string";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
    default: return "a number";
  }
}

Status CheckEngineAttributes(simdjson::dom::object object, bool input) {
  if (!input) return Status::OK();
  for (auto member : object) {
    for (std::string_view attribute : kEngineAttributes) {
      if (member.key == attribute) {
        return Status::InvalidArgument("attribute '" + std::string(attribute) +
                                       "' is set by the engine and cannot appear in an input event");
      }
    }
  }
  return Status::OK();
}

// Copies the envelope attributes out of a validated event: the schemas made
// sure each is there with the right type.
Status FillEnvelope(simdjson::dom::object object, Event* event) {
  for (auto member : object) {
    std::string_view key = member.key;
    std::string* target = nullptr;
    if (key == "id") target = &event->id;
    else if (key == "type") target = &event->type;
    else if (key == "workspace") target = &event->workspace;
    else if (key == "subject") target = &event->subject;
    else if (key == "time") target = &event->time;
    else if (key == "actor") target = &event->actor;
    else if (key == "causationid") target = &event->causation_id;
    else if (key == "correlationid") target = &event->correlation_id;
    else if (key == "ruleid") target = &event->rule_id;
    else if (key == "rulesethash") target = &event->ruleset_hash;
    if (target == nullptr) continue;
    std::string_view text;
    if (member.value.get_string().get(text)) return Status::InvalidArgument("'" + std::string(key) + "' must be a string");
    target->assign(text);
  }
  if (!ParseEntityRef(event->subject, &event->entity)) {
    return Status::InvalidArgument("subject '" + event->subject + "' is not KIND/ID");
  }
  KEEL_ASSIGN_OR_RETURN(event->time_micros, ParseRfc3339Micros(event->time));
  return Status::OK();
}

}  // namespace

EventDecoder::EventDecoder(const SchemaRegistry* schemas, DecodeOptions options)
    : schemas_(schemas), options_(options) {}

Result<Event> EventDecoder::DecodeInput(std::string_view bytes) { return DecodeNew(bytes, true); }

Status EventDecoder::DecodeInputInto(std::string_view bytes, Event* event) { return Decode(bytes, true, event); }

Result<Event> EventDecoder::DecodeDerived(std::string_view bytes) { return DecodeNew(bytes, false); }

Result<Event> EventDecoder::DecodeNew(std::string_view bytes, bool input) {
  Event event;
  KEEL_RETURN_IF_ERROR(Decode(bytes, input, &event));
  return event;
}

Status EventDecoder::Decode(std::string_view bytes, bool input, Event* out) {
  if (bytes.size() > options_.max_event_bytes) {
    return Status::ResourceExhausted("event is " + std::to_string(bytes.size()) +
                                     " bytes, over the limit of " +
                                     std::to_string(options_.max_event_bytes) + " bytes");
  }
  // simdjson reads up to SIMDJSON_PADDING bytes past the end; copy into a
  // buffer that has them rather than let it allocate one per event.
  padded_.assign(bytes);
  padded_.resize(bytes.size() + simdjson::SIMDJSON_PADDING, '\0');
  simdjson::dom::element root;
  auto error = parser_.parse(padded_.data(), bytes.size(), false).get(root);
  if (error == simdjson::UTF8_ERROR) return Status::InvalidArgument("invalid UTF-8");
  if (error == simdjson::NUMBER_ERROR) {
    if (std::optional<std::string> what = DescribeNumberError(bytes)) return Status::InvalidArgument(*what);
  }
  if (error) return Status::InvalidArgument(std::string("malformed JSON: ") + simdjson::error_message(error));
  if (root.type() != simdjson::dom::element_type::OBJECT) {
    return Status::InvalidArgument("an event must be a JSON object, got " +
                                   std::string(JsonTypeName(root.type())));
  }
  KEEL_RETURN_IF_ERROR(CheckEngineAttributes(root.get_object().value_unsafe(), input));
  // Canonical form first: it refuses duplicate keys, which validation would
  // otherwise meet as a confusing error (the schema picked by the first
  // "type" of two, then checked against the rest).
  Event& event = *out;
  event.canonical.reserve(bytes.size());
  CanonicalSpan data;
  KEEL_RETURN_IF_ERROR(AppendCanonicalJson(root, &event.canonical, "data", &data));
  KEEL_RETURN_IF_ERROR(schemas_->Validate(root));
  event.data_offset = data.offset;
  event.data_length = data.length;
  KEEL_RETURN_IF_ERROR(FillEnvelope(root.get_object().value_unsafe(), &event));
  if (input) {
    // Invariant 8: the system workspace holds keel's own events (a rule
    // set's activation, which reaches every workspace); an id of the derived
    // form would take the place of an event a rule derives later; and a time
    // far from the clock would move every workspace's schedules.
    if (IsReservedWorkspace(event.workspace)) {
      return Status::InvalidArgument("workspace '" + event.workspace +
                                     "' is reserved for the engine's own events and cannot be ingested");
    }
    KEEL_RETURN_IF_ERROR(options_.time_window.Check(event.time, event.time_micros));
    if (IsDerivedEventId(event.id)) {
      return Status::InvalidArgument("event id '" + event.id +
                                     "' has the form of the ids keel gives the events it derives (d- or f- and 32 "
                                     "hex digits, ruleset-N- and 16); an input event must use another id");
    }
    for (std::string_view type : kEngineEventTypes) {
      if (event.type == type) {
        return Status::InvalidArgument("event type '" + event.type +
                                       "' is appended by the engine only and cannot be ingested");
      }
    }
  }
  return Status::OK();
}

}  // namespace keel
