#include "server/api/entities_query.h"

#include <algorithm>
#include <cctype>

#include "server/api/api_access.h"

namespace keel::api {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool HasLabel(const nlohmann::json& state, const std::string& label) {
  auto labels = state.find("labels");
  if (labels == state.end() || !labels->is_array()) return false;
  return std::any_of(labels->begin(), labels->end(), [&](const nlohmann::json& l) { return l == label; });
}

bool Matches(const EntityFilter& filter, const EntityRef& entity, const nlohmann::json& state,
             const std::string& lower_text) {
  auto text_of = [&](const char* field) {
    auto member = state.find(field);
    return member != state.end() && member->is_string() ? member->get<std::string>() : std::string();
  };
  if (!filter.status.empty() && text_of("status") != filter.status) return false;
  if (!filter.assignee.empty() && text_of("assignee") != filter.assignee) return false;
  if (!filter.label.empty() && !HasLabel(state, filter.label)) return false;
  if (!lower_text.empty() && Lower(text_of("title")).find(lower_text) == std::string::npos &&
      Lower(entity.id).find(lower_text) == std::string::npos) {
    return false;
  }
  return true;
}

}  // namespace

Status NoSuchEntity(const EntityRef& entity, std::string_view workspace) {
  return Status::NotFound("no " + entity.ToString() + " in workspace '" + std::string(workspace) + "'");
}

nlohmann::json EntityJson(const EntityRef& entity, const EntityState& state, uint64_t seq) {
  return {{"kind", entity.kind},
          {"id", entity.id},
          {"ref", entity.ToString()},
          {"version", state.version()},
          {"seq", seq},
          {"state", nlohmann::json::parse(state.canonical_view())}};
}

Result<uint64_t> LastSeqOf(const EventLog& log, std::string_view workspace, const EntityRef& entity,
                           const AsOf& as_of) {
  uint64_t last = 0;
  Status error;
  KEEL_RETURN_IF_ERROR(log.ScanStream(workspace, entity, [&](uint64_t seq) {
    if (seq > as_of.seq) return false;
    if (as_of.time_micros) {
      auto stored = log.Read(seq);
      if (!stored.ok()) {
        error = stored.status();
        return false;
      }
      if (stored->event.time_micros > *as_of.time_micros) return true;
    }
    last = seq;
    return true;
  }));
  KEEL_RETURN_IF_ERROR(error);
  return last;
}

Result<nlohmann::json> ListEntities(const EventLog& log, std::string_view workspace, const EntityFilter& filter) {
  EntityRef start;
  if (!filter.after.empty() && !ParseEntityRef(filter.after, &start)) {
    return Status::InvalidArgument("after must be the cursor `next` of a page (KIND/ID), not '" + filter.after + "'");
  }
  if (start.kind.empty() && !filter.kind.empty()) start = EntityRef{filter.kind, ""};
  if (!filter.kind.empty() && start.kind < filter.kind) start = EntityRef{filter.kind, ""};
  std::string lower_text = Lower(filter.text);
  nlohmann::json entities = nlohmann::json::array();
  std::optional<EntityRef> last;
  bool more = false;
  Status error;
  KEEL_RETURN_IF_ERROR(log.ScanEntities(workspace, start, [&](const EntityRef& entity, const EntityState& state) {
    if (!filter.after.empty() && entity == start) return true;  // the page before ended here
    if (!filter.kind.empty() && entity.kind != filter.kind) return entity.kind < filter.kind;
    if (filter.guests_only && !VisibleToGuest(state)) return true;
    nlohmann::json fields = nlohmann::json::parse(state.canonical_view());
    if (!Matches(filter, entity, fields, lower_text)) return true;
    if (entities.size() == filter.limit) {
      more = true;
      return false;
    }
    auto seq = LastSeqOf(log, workspace, entity);
    if (!seq.ok()) {
      error = seq.status();
      return false;
    }
    entities.push_back({{"kind", entity.kind},
                        {"id", entity.id},
                        {"ref", entity.ToString()},
                        {"version", state.version()},
                        {"seq", *seq},
                        {"state", std::move(fields)}});
    last = entity;
    return true;
  }));
  KEEL_RETURN_IF_ERROR(error);
  nlohmann::json next = more && last ? nlohmann::json(last->ToString()) : nlohmann::json(nullptr);
  return nlohmann::json{{"entities", std::move(entities)}, {"next", std::move(next)}};
}

Result<nlohmann::json> GetEntity(const EventLog& log, std::string_view workspace, const EntityRef& entity,
                                 const std::optional<AsOf>& as_of, bool guests_only) {
  KEEL_ASSIGN_OR_RETURN(std::optional<EntityState> now, log.GetEntity(workspace, entity));
  if (!now || (guests_only && !VisibleToGuest(*now))) return NoSuchEntity(entity, workspace);
  if (!as_of) {
    KEEL_ASSIGN_OR_RETURN(uint64_t seq, LastSeqOf(log, workspace, entity));
    return EntityJson(entity, *now, seq);
  }
  KEEL_ASSIGN_OR_RETURN(std::optional<EntityState> then, StateAsOf(log, workspace, entity, *as_of));
  if (!then) return Status::NotFound(entity.ToString() + " did not exist yet at that point");
  KEEL_ASSIGN_OR_RETURN(uint64_t seq, LastSeqOf(log, workspace, entity, *as_of));
  return EntityJson(entity, *then, seq);
}

}  // namespace keel::api
