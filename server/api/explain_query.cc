#include "server/api/explain_query.h"

#include <map>

#include "rules/audit/explain.h"
#include "rules/audit/explain_json.h"
#include "server/api/api_access.h"
#include "server/api/entities_query.h"

namespace keel::api {
namespace {

// Whether guests may see what `event` is about: an entity visible to guests
// now. Events about no entity (a notification, a rule failure) go with the
// entity they name in their subject, which has no state: hidden.
class GuestView {
 public:
  explicit GuestView(const EventLog& log) : log_(log) {}
  bool Sees(const Event& event) {
    std::string key = event.workspace + "\n" + event.subject;
    auto known = seen_.find(key);
    if (known != seen_.end()) return known->second;
    auto state = log_.GetEntity(event.workspace, event.entity);
    bool visible = state.ok() && state->has_value() && VisibleToGuest(**state);
    seen_.emplace(key, visible);
    return visible;
  }

 private:
  const EventLog& log_;
  std::map<std::string, bool> seen_;
};

Result<nlohmann::json> ExplainSeq(const EventLog& log, uint64_t seq, bool guests_only) {
  KEEL_ASSIGN_OR_RETURN(rules::Explanation x, rules::Explain(log, seq));
  if (!guests_only) return nlohmann::json(rules::ExplanationToJson(x));
  GuestView view(log);
  if (!view.Sees(x.nodes[x.event].stored.event)) return Status::NotFound("no such event");
  return nlohmann::json(rules::ExplanationToJson(x, [&](const StoredEvent& stored) { return view.Sees(stored.event); }));
}

}  // namespace

Result<nlohmann::json> ExplainEvent(const EventLog& log, std::string_view workspace, std::string_view event_id,
                                    bool guests_only) {
  KEEL_ASSIGN_OR_RETURN(std::optional<uint64_t> seq, log.FindSeqById(workspace, event_id));
  if (!seq) {
    return Status::NotFound("no event with id '" + std::string(event_id) + "' in workspace '" +
                            std::string(workspace) + "'");
  }
  auto answer = ExplainSeq(log, *seq, guests_only);
  if (!answer.ok() && answer.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("no event with id '" + std::string(event_id) + "' in workspace '" +
                            std::string(workspace) + "'");
  }
  return answer;
}

Result<nlohmann::json> ExplainCreation(const EventLog& log, std::string_view workspace, const EntityRef& entity,
                                       bool guests_only) {
  uint64_t first = 0;
  KEEL_RETURN_IF_ERROR(log.ScanStream(workspace, entity, [&](uint64_t seq) {
    first = seq;
    return false;
  }));
  if (first == 0) return NoSuchEntity(entity, workspace);
  if (guests_only) {
    KEEL_ASSIGN_OR_RETURN(std::optional<EntityState> state, log.GetEntity(workspace, entity));
    if (!state || !VisibleToGuest(*state)) return NoSuchEntity(entity, workspace);
  }
  return ExplainSeq(log, first, guests_only);
}

}  // namespace keel::api
