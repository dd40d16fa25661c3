// What a receiver answered, as events for the log (an action's answer:
// `task.linked` to the Jira issue it created). The runner gives each answer
// event an id derived from the event sent, the sink and the answer's place,
// never drawn at random: a re-send after a crash derives the same ids, so
// the log finds the second answer a duplicate instead of appending it twice.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/event.h"

namespace keel::sinks {

// "a-" and 32 hex digits of SHA-256 over "sink.answer" NUL `event_id` NUL
// `sink` NUL the decimal `index`: actions::AnswerEventId (action_run.h). Not a shape the engine derives (d-, f-),
// so the log takes it as an input's id.
std::string SinkAnswerId(std::string_view event_id, std::string_view sink, size_t index);

// Sets each answer's `id` (SinkAnswerId; one the mapping gave is replaced)
// and, where the answer has none, `specversion` 1.0, `source`
// "keel/sink/SINK", `workspace` and `time` of the event sent (its time, not
// the wall clock, so that a re-send's answer is the same event).
void CompleteAnswerEvents(const Event& sent, std::string_view sink, std::vector<nlohmann::json>& answers);

}  // namespace keel::sinks
