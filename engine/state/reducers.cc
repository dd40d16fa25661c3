#include "engine/state/reducers.h"

#include <string>
#include <unordered_map>

#include "engine/canonical_json.h"

namespace keel {
namespace {

using Reducer = void (*)(const Event& event, EntityState* state);

// Lets the table be searched with a string_view, without building a string.
struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
};
using ReducerMap = std::unordered_map<std::string, Reducer, TransparentHash, std::equal_to<>>;

std::string_view DataMember(const Event& event, std::string_view name) {
  return FindCanonicalMember(event.data(), name);
}

// Sets `field` from a raw JSON value; null clears it (absent reads as null).
void SetOrErase(EntityState* state, std::string_view field, std::string_view raw) {
  if (raw.empty() || IsJsonNull(raw)) {
    state->Erase(field);
  } else {
    state->Set(field, raw);
  }
}

void ReduceCreated(const Event& event, EntityState* state) {
  // On a partial entity, fields that later events already set win: they are newer.
  bool was_partial = !state->Get("partial").empty();
  CanonicalObjectReader reader(event.data());
  std::string_view field, value;
  while (reader.Next(&field, &value)) {
    if (was_partial && !state->Get(field).empty()) continue;
    SetOrErase(state, field, value);
  }
  state->Erase("partial");
  state->SetString("created", event.time);
}

void ReduceUpdated(const Event& event, EntityState* state) {
  CanonicalObjectReader changes(DataMember(event, "changes"));
  std::string_view field, change;
  while (changes.Next(&field, &change)) SetOrErase(state, field, FindCanonicalMember(change, "to"));
}

void ReduceStatusChanged(const Event& event, EntityState* state) {
  SetOrErase(state, "status", DataMember(event, "to"));
}

void ReduceAssigned(const Event& event, EntityState* state) {
  SetOrErase(state, "assignee", DataMember(event, "to"));
}

void ReduceLinked(const Event& event, EntityState* state) {
  std::string link = "{\"relation\":";
  link.append(DataMember(event, "relation"));
  link.append(",\"target\":");
  link.append(DataMember(event, "target"));
  link.push_back('}');
  std::string_view links = state->Get("links");
  if (links.empty()) {
    state->Set("links", "[" + link + "]");
    return;
  }
  if (links.find(link) != std::string_view::npos) return;  // already linked
  std::string updated(links.substr(0, links.size() - 1));
  if (updated.size() > 1) updated.push_back(',');
  updated += link + "]";
  state->Set("links", std::move(updated));
}

void ReduceArchived(const Event& event, EntityState* state) { state->Set("archived", "true"); }

void ReduceProgressReported(const Event& event, EntityState* state) {
  std::string_view value = DataMember(event, "value");
  state->Set("current", value);
  double current = 0, target = 0;
  if (ParseJsonNumber(value, &current) && ParseJsonNumber(state->Get("target"), &target) && target != 0) {
    std::string progress;
    AppendJsonDouble(current / target, &progress);
    state->Set("progress", std::move(progress));
  }
}

void ReduceMeasured(const Event& event, EntityState* state) {
  state->Set("value", DataMember(event, "value"));
}

void ReduceApprovalRequested(const Event& event, EntityState* state) {
  state->SetString("status", "pending");
  SetOrErase(state, "target", DataMember(event, "target"));
  SetOrErase(state, "approvers", DataMember(event, "approvers"));
  SetOrErase(state, "reason", DataMember(event, "reason"));
}

void ReduceApprovalDecided(const Event& event, EntityState* state, std::string_view status) {
  state->SetString("status", status);
  SetOrErase(state, "decided_by", DataMember(event, "by"));
  std::string_view note = DataMember(event, status == "granted" ? "comment" : "reason");
  SetOrErase(state, "decision_note", note);
}

void ReduceApprovalGranted(const Event& event, EntityState* state) {
  ReduceApprovalDecided(event, state, "granted");
}

void ReduceApprovalRejected(const Event& event, EntityState* state) {
  ReduceApprovalDecided(event, state, "rejected");
}

void ReduceCommentAdded(const Event&, EntityState*) {}  // counts in version and `updated` only

const ReducerMap& ReducerTable() {
  static const auto* table = [] {
    auto* t = new ReducerMap();
    for (const char* kind : {"goal", "key_result", "kpi", "initiative", "task", "approval"}) {
      std::string k(kind);
      (*t)[k + ".created"] = ReduceCreated;
      (*t)[k + ".updated"] = ReduceUpdated;
      (*t)[k + ".status_changed"] = ReduceStatusChanged;
      (*t)[k + ".assigned"] = ReduceAssigned;
      (*t)[k + ".linked"] = ReduceLinked;
      (*t)[k + ".archived"] = ReduceArchived;
    }
    (*t)["key_result.progress_reported"] = ReduceProgressReported;
    (*t)["kpi.measured"] = ReduceMeasured;
    (*t)["approval.requested"] = ReduceApprovalRequested;
    (*t)["approval.granted"] = ReduceApprovalGranted;
    (*t)["approval.rejected"] = ReduceApprovalRejected;
    (*t)["comment.added"] = ReduceCommentAdded;
    return t;
  }();
  return *table;
}

void StartEntity(const Event& event, EntityState* state, bool partial) {
  state->SetString("id", event.entity.id);
  state->SetString("kind", event.entity.kind);
  state->SetString("workspace", event.workspace);
  state->SetString("created", event.time);
  if (partial) state->Set("partial", "true");
}

bool IsCreated(std::string_view type) {
  return type.size() > 8 && type.substr(type.size() - 8) == ".created";
}

// An approval is born of its request: a rule's request_approval appends
// approval.requested and nothing before it, and the request carries what
// makes the approval (its target). Unlike a `created` event it may come
// again (asking anew), so it does not conflict with an existing approval.
bool StartsCompleteEntity(std::string_view type) { return IsCreated(type) || type == "approval.requested"; }

}  // namespace

bool ChangesEntityState(std::string_view type) {
  return ReducerTable().find(type) != ReducerTable().end();
}

Status ApplyEvent(const Event& event, EntityState* state) {
  const auto& table = ReducerTable();
  auto it = table.find(event.type);
  if (it == table.end()) return Status::Internal("no reducer for event type " + event.type);
  bool created = IsCreated(event.type);
  if (created && !state->empty() && state->Get("partial").empty()) {
    return Status::Conflict(event.entity.ToString() + " already exists in workspace '" +
                            event.workspace + "' (created " + state->GetString("created") + ")");
  }
  if (state->empty()) StartEntity(event, state, /*partial=*/!StartsCompleteEntity(event.type));
  it->second(event, state);
  state->IncrementVersion();
  state->SetString("updated", event.time);
  return Status::OK();
}

}  // namespace keel
