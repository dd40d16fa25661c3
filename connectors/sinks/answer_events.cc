#include "connectors/sinks/answer_events.h"

#include "connectors/actions/action_run.h"

namespace keel::sinks {

// One derivation for every answer, whichever channel made it: the action
// mappings' own (an http sink's answers already carry it).
std::string SinkAnswerId(std::string_view event_id, std::string_view sink, size_t index) {
  return actions::AnswerEventId(event_id, sink, index);
}

void CompleteAnswerEvents(const Event& sent, std::string_view sink, std::vector<nlohmann::json>& answers) {
  for (size_t i = 0; i < answers.size(); ++i) {
    nlohmann::json& answer = answers[i];
    if (!answer.is_object()) continue;  // the log refuses it, naming why
    answer["id"] = SinkAnswerId(sent.id, sink, i);
    if (!answer.contains("specversion")) answer["specversion"] = "1.0";
    if (!answer.contains("source")) answer["source"] = "keel/sink/" + std::string(sink);
    if (!answer.contains("workspace")) answer["workspace"] = sent.workspace;
    if (!answer.contains("time")) answer["time"] = sent.time;
  }
}

}  // namespace keel::sinks
