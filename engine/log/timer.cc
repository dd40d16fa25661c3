#include "engine/log/timer.h"

#include "engine/canonical_json.h"
#include "engine/derived_ids.h"
#include "engine/log/event_record.h"
#include "engine/json_time.h"
#include "engine/log_format.h"

namespace keel {
namespace {

// Appends ,"key":raw when raw is not empty (raw is canonical JSON already).
void AppendRawMember(std::string_view key, std::string_view raw, std::string* out) {
  if (raw.empty()) return;
  out->append(",\"").append(key).append("\":").append(raw);
}

std::string StringMember(std::string_view object, std::string_view key) {
  std::string_view raw = FindCanonicalMember(object, key);
  return IsJsonString(raw) ? DecodeJsonString(raw) : std::string();
}

}  // namespace

bool ChangesTimers(std::string_view event_type) {
  return event_type == kTimerScheduled || event_type == kTimerCancelled || event_type == kTimerFired;
}

Result<PendingTimer> TimerFromScheduledEvent(const Event& scheduled) {
  std::string_view data = scheduled.data();
  PendingTimer timer;
  timer.workspace = scheduled.workspace;
  timer.timer_id = StringMember(data, "timer");
  timer.name = StringMember(data, "name");
  timer.scheduled_for = StringMember(data, "scheduled_for");
  if (timer.timer_id.empty() || timer.name.empty()) {
    return Status::InvalidArgument("timer.scheduled " + scheduled.id + " has no data.timer or data.name");
  }
  auto micros = ParseRfc3339Micros(timer.scheduled_for);
  if (!micros.ok()) return micros.status().WithContext("timer.scheduled " + scheduled.id + " data.scheduled_for");
  timer.fire_micros = *micros;
  timer.subject = scheduled.subject;
  timer.scheduled_by = scheduled.id;
  timer.correlation_id = scheduled.correlation_id.empty() ? scheduled.id : scheduled.correlation_id;
  timer.target = std::string(FindCanonicalMember(data, "target"));
  timer.payload = std::string(FindCanonicalMember(data, "payload"));
  return timer;
}

std::string EncodeTimerRecord(const PendingTimer& timer) {
  std::string out(1, static_cast<char>(log_format::kTimerRecordV1));
  // Members in canonical (sorted) order.
  out += "{\"correlation\":" + JsonQuote(timer.correlation_id) + ",\"name\":" + JsonQuote(timer.name);
  AppendRawMember("payload", timer.payload, &out);
  out += ",\"scheduled_by\":" + JsonQuote(timer.scheduled_by) + ",\"scheduled_for\":" + JsonQuote(timer.scheduled_for);
  out += ",\"subject\":" + JsonQuote(timer.subject);
  AppendRawMember("target", timer.target, &out);
  out += ",\"timer\":" + JsonQuote(timer.timer_id) + ",\"workspace\":" + JsonQuote(timer.workspace) + "}";
  return out;
}

Result<PendingTimer> DecodeTimerRecord(std::string_view record) {
  if (record.empty() || static_cast<uint8_t>(record[0]) != log_format::kTimerRecordV1) {
    return Status::Corruption("timer record has an unknown version");
  }
  std::string_view json = record.substr(1);
  PendingTimer timer;
  timer.correlation_id = StringMember(json, "correlation");
  timer.name = StringMember(json, "name");
  timer.payload = std::string(FindCanonicalMember(json, "payload"));
  timer.scheduled_by = StringMember(json, "scheduled_by");
  timer.scheduled_for = StringMember(json, "scheduled_for");
  timer.subject = StringMember(json, "subject");
  timer.target = std::string(FindCanonicalMember(json, "target"));
  timer.timer_id = StringMember(json, "timer");
  timer.workspace = StringMember(json, "workspace");
  auto micros = ParseRfc3339Micros(timer.scheduled_for);
  if (!micros.ok() || timer.timer_id.empty()) return Status::Corruption("timer record is malformed");
  timer.fire_micros = *micros;
  return timer;
}

Result<Event> TimerFiredEvent(const PendingTimer& timer, int64_t fired_at_micros) {
  std::string id = TimerFiringId(timer.scheduled_by);
  std::string data = "{";
  std::optional<std::string> fired_at;
  if (fired_at_micros - timer.fire_micros >= kLateFiringMicros) fired_at = FormatRfc3339Micros(fired_at_micros);
  if (fired_at) data += "\"fired_at\":" + JsonQuote(*fired_at) + ",";
  data += "\"name\":" + JsonQuote(timer.name);
  AppendRawMember("payload", timer.payload, &data);
  data += ",\"scheduled_for\":" + JsonQuote(timer.scheduled_for);
  AppendRawMember("target", timer.target, &data);
  data += ",\"timer\":" + JsonQuote(timer.timer_id) + "}";
  std::string text = "{\"actor\":" + JsonQuote(kEngineActor) + ",\"causationid\":" + JsonQuote(timer.scheduled_by);
  text += ",\"correlationid\":" + JsonQuote(timer.correlation_id) + ",\"data\":" + data;
  text += ",\"id\":" + JsonQuote(id) + ",\"source\":" + JsonQuote(kTimerSource) + ",\"specversion\":\"1.0\"";
  text += ",\"subject\":" + JsonQuote(timer.subject) + ",\"time\":" + JsonQuote(timer.scheduled_for);
  text += ",\"type\":\"timer.fired\",\"workspace\":" + JsonQuote(timer.workspace) + "}";
  return EventFromCanonical(std::move(text));
}

}  // namespace keel
