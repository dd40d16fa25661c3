#include "server/api/history_query.h"

#include <vector>

namespace keel::api {
namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

nlohmann::json FromTo(const nlohmann::json& data) {
  nlohmann::json change = {{"to", data.value("to", nlohmann::json(nullptr))}};
  if (data.contains("from")) change["from"] = data["from"];
  return change;
}

nlohmann::json NullOr(const std::string& text) { return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text); }

}  // namespace

nlohmann::json ChangesOf(const Event& event) {
  nlohmann::json data = nlohmann::json::parse(event.data(), nullptr, false);
  nlohmann::json changes = nlohmann::json::object();
  if (!data.is_object()) return changes;
  if (EndsWith(event.type, ".updated") && data.contains("changes") && data["changes"].is_object()) {
    for (const auto& [field, change] : data["changes"].items()) {
      changes[field] = change.is_object() ? change : nlohmann::json{{"to", change}};
    }
  } else if (EndsWith(event.type, ".status_changed")) {
    changes["status"] = FromTo(data);
  } else if (EndsWith(event.type, ".assigned")) {
    changes["assignee"] = FromTo(data);
  } else {
    for (const auto& [field, value] : data.items()) changes[field] = {{"to", value}};
  }
  return changes;
}

Result<nlohmann::json> EntityHistory(const EventLog& log, std::string_view workspace, const EntityRef& entity,
                                     size_t limit, std::optional<uint64_t> before) {
  std::vector<uint64_t> seqs;
  KEEL_RETURN_IF_ERROR(log.ScanStream(workspace, entity, [&](uint64_t seq) {
    if (before && seq >= *before) return false;
    seqs.push_back(seq);
    return true;
  }));
  if (seqs.empty() && !before) {
    return Status::NotFound("no " + entity.ToString() + " in workspace '" + std::string(workspace) + "'");
  }
  nlohmann::json events = nlohmann::json::array();
  size_t taken = 0;
  for (auto it = seqs.rbegin(); it != seqs.rend() && taken < limit; ++it, ++taken) {
    KEEL_ASSIGN_OR_RETURN(StoredEvent stored, log.Read(*it));
    const Event& e = stored.event;
    events.push_back({{"seq", stored.seq},
                      {"id", e.id},
                      {"type", e.type},
                      {"time", e.time},
                      {"actor", e.actor},
                      {"ruleid", NullOr(e.rule_id)},
                      {"causationid", NullOr(e.causation_id)},
                      {"changes", ChangesOf(e)}});
  }
  nlohmann::json next = taken < seqs.size() ? nlohmann::json(seqs[seqs.size() - taken]) : nlohmann::json(nullptr);
  return nlohmann::json{{"events", std::move(events)}, {"next", std::move(next)}};
}

}  // namespace keel::api
