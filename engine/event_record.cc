#include "engine/event_record.h"

#include "engine/canonical_json.h"
#include "engine/json_time.h"

namespace keel {

Status FillEventFromCanonical(Event* event) {
  std::string_view text = event->canonical;
  if (text.size() < 2 || text.front() != '{') return Status::Corruption("event record is not a JSON object");
  CanonicalObjectReader reader(text);
  std::string_view key, value;
  bool has_data = false;
  while (reader.Next(&key, &value)) {
    auto as_string = [&] { return IsJsonString(value) ? DecodeJsonString(value) : std::string(); };
    if (key == "id") event->id = as_string();
    else if (key == "type") event->type = as_string();
    else if (key == "workspace") event->workspace = as_string();
    else if (key == "subject") event->subject = as_string();
    else if (key == "time") event->time = as_string();
    else if (key == "actor") event->actor = as_string();
    else if (key == "causationid") event->causation_id = as_string();
    else if (key == "correlationid") event->correlation_id = as_string();
    else if (key == "ruleid") event->rule_id = as_string();
    else if (key == "rulesethash") event->ruleset_hash = as_string();
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

}  // namespace keel
