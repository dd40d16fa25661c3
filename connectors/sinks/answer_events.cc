#include "connectors/sinks/answer_events.h"

#include "engine/sha256.h"

namespace keel::sinks {

std::string SinkAnswerId(std::string_view event_id, std::string_view sink, size_t index) {
  std::string material("sink.answer\0", 12);
  material.append(event_id);
  material.push_back('\0');
  material.append(sink);
  material.push_back('\0');
  material.append(std::to_string(index));
  return "a-" + HashToHex(Sha256(material)).substr(0, 32);
}

void CompleteAnswerEvents(const Event& sent, std::string_view sink, std::vector<nlohmann::json>& answers) {
  for (size_t i = 0; i < answers.size(); ++i) {
    nlohmann::json& answer = answers[i];
    if (!answer.is_object()) continue;  // the log refuses it, naming why
    answer["id"] = SinkAnswerId(sent.id, sink, i);
    if (!answer.contains("specversion")) answer["specversion"] = "1.0";
    if (!answer.contains("source")) answer["source"] = "keel/sinks/" + std::string(sink);
    if (!answer.contains("workspace")) answer["workspace"] = sent.workspace;
    if (!answer.contains("time")) answer["time"] = sent.time;
  }
}

}  // namespace keel::sinks
