#include "rules/react/entity_source.h"

namespace keel::rules {
namespace {

Status CheckKind(std::string_view kind) {
  if (IsEntityKind(kind)) return Status::OK();
  return Status::InvalidArgument("'" + std::string(kind) +
                                 "' is not an entity kind (task, initiative, goal, key_result, kpi, approval)");
}

Result<cel::Value> StateValue(const EntityState& state) {
  if (state.empty()) return cel::Value::Null();
  return cel::FromJsonText(state.canonical_view());
}

// Whether every field `where` names holds an equal value; only those fields
// are converted, so a scan costs little for the entities that do not match.
Result<bool> Matches(const EntityState& state, std::span<const cel::MapEntry> where) {
  for (const cel::MapEntry& entry : where) {
    std::string_view raw = state.Get(entry.first.AsString());
    if (raw.empty() || entry.second.IsError()) return false;
    KEEL_ASSIGN_OR_RETURN(cel::Value value, cel::FromJsonText(raw));
    if (!value.Equals(entry.second)) return false;
  }
  return true;
}

}  // namespace

Status WorkspaceEntities::Remember(Status status) const {
  if (storage_failure_.ok()) storage_failure_ = status;
  return status;
}

Result<cel::Value> WorkspaceEntities::Lookup(std::string_view kind, std::string_view id) const {
  KEEL_RETURN_IF_ERROR(CheckKind(kind));
  Result<std::optional<EntityState>> state = state_.Get(workspace_, EntityRef{std::string(kind), std::string(id)});
  if (!state.ok()) return Remember(state.status());
  if (!*state) return cel::Value::Null();
  return StateValue(**state);
}

Result<int64_t> WorkspaceEntities::ForEach(std::string_view kind, std::span<const cel::MapEntry> where,
                                           const std::function<void(cel::Value state)>& visit) const {
  KEEL_RETURN_IF_ERROR(CheckKind(kind));
  int64_t read = 0;
  Status failed = Status::OK();
  Status scanned = state_.ForEachEntity(workspace_, kind, [&](std::string_view, const EntityState& state) {
    ++read;
    if (state.Get("archived") == "true") return true;  // archived work is out of every count, as in roll_up
    Result<bool> match = Matches(state, where);
    Result<cel::Value> value = match.ok() && *match ? StateValue(state) : Result<cel::Value>(cel::Value::Null());
    if (!match.ok() || !value.ok()) {
      failed = match.ok() ? value.status() : match.status();
      return false;
    }
    if (*match) visit(std::move(*value));
    return true;
  });
  if (!scanned.ok()) return Remember(scanned);
  KEEL_RETURN_IF_ERROR(failed);
  return read;
}

}  // namespace keel::rules
