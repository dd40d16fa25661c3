#include "engine/log/event_record.h"

#include <initializer_list>

#include "engine/canonical_json.h"
#include "engine/json_time.h"

namespace keel {

namespace {

// DecodeJsonString into `*out`, keeping its buffer when nothing is escaped
// (nearly always).
void AssignJsonString(std::string_view raw_value, std::string* out) {
  if (!IsJsonString(raw_value)) {
    out->clear();
  } else if (raw_value.find('\\') == std::string_view::npos) {
    out->assign(raw_value.substr(1, raw_value.size() - 2));
  } else {
    *out = DecodeJsonString(raw_value);
  }
}

}  // namespace

Status FillEventFromCanonical(Event* event) {
  std::string_view text = event->canonical;
  if (text.size() < 2 || text.front() != '{') return Status::Corruption("event record is not a JSON object");
  CanonicalObjectReader reader(text);
  std::string_view key, value;
  bool has_data = false;
  while (reader.Next(&key, &value)) {
    if (key == "id") AssignJsonString(value, &event->id);
    else if (key == "type") AssignJsonString(value, &event->type);
    else if (key == "workspace") AssignJsonString(value, &event->workspace);
    else if (key == "subject") AssignJsonString(value, &event->subject);
    else if (key == "time") AssignJsonString(value, &event->time);
    else if (key == "actor") AssignJsonString(value, &event->actor);
    else if (key == "causationid") AssignJsonString(value, &event->causation_id);
    else if (key == "correlationid") AssignJsonString(value, &event->correlation_id);
    else if (key == "ruleid") AssignJsonString(value, &event->rule_id);
    else if (key == "rulesethash") AssignJsonString(value, &event->ruleset_hash);
    else if (key == "data") {
      has_data = true;
      event->data_offset = static_cast<size_t>(value.data() - text.data());
      event->data_length = value.size();
    }
  }
  if (reader.malformed()) return Status::Corruption("event record is not canonical JSON");
  if (!has_data) {  // schemas require data; keep the view valid regardless
    event->data_offset = 0;
    event->data_length = 0;
  }
  if (!ParseEntityRef(event->subject, &event->entity)) {
    return Status::Corruption("event " + event->id + " has no KIND/ID subject");
  }
  auto micros = ParseRfc3339Micros(event->time);
  if (!micros.ok()) return Status::Corruption("event " + event->id + " has a bad time");
  event->time_micros = *micros;
  return Status::OK();
}

Result<Event> EventFromCanonical(std::string canonical) {
  Event event;
  event.canonical = std::move(canonical);
  KEEL_RETURN_IF_ERROR(FillEventFromCanonical(&event));
  return event;
}

Status ReadEventInto(std::string_view canonical, Event* event) {
  for (std::string* member : {&event->id, &event->type, &event->workspace, &event->subject, &event->entity.kind,
                              &event->entity.id, &event->time, &event->actor, &event->causation_id,
                              &event->correlation_id, &event->rule_id, &event->ruleset_hash}) {
    member->clear();
  }
  event->time_micros = 0;
  event->canonical.assign(canonical);
  return FillEventFromCanonical(event);
}

}  // namespace keel
