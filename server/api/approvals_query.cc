#include "server/api/approvals_query.h"

#include <algorithm>

namespace keel::api {
namespace {

nlohmann::json Member(const nlohmann::json& state, const char* field) {
  auto found = state.find(field);
  return found == state.end() ? nlohmann::json(nullptr) : *found;
}

bool ListsApprover(const nlohmann::json& state, const std::string& person) {
  auto approvers = state.find("approvers");
  if (approvers == state.end() || !approvers->is_array()) return false;
  return std::any_of(approvers->begin(), approvers->end(), [&](const nlohmann::json& a) { return a == person; });
}

// APPROVAL from the state and the approval's stream (the times of its last
// request and decision, and who decided when the event did not say).
Result<nlohmann::json> ApprovalJson(const EventLog& log, std::string_view workspace, const EntityRef& ref,
                                    const nlohmann::json& state) {
  nlohmann::json requested_time = nullptr, decided_time = nullptr, decided_actor = nullptr;
  Status error;
  KEEL_RETURN_IF_ERROR(log.ScanStream(workspace, ref, [&](uint64_t seq) {
    auto stored = log.Read(seq);
    if (!stored.ok()) {
      error = stored.status();
      return false;
    }
    const Event& e = stored->event;
    if (e.type == "approval.requested") {
      requested_time = e.time;
      decided_time = nullptr;
      decided_actor = nullptr;
    } else if (e.type == "approval.granted" || e.type == "approval.rejected") {
      decided_time = e.time;
      decided_actor = e.actor;
    }
    return true;
  }));
  KEEL_RETURN_IF_ERROR(error);
  nlohmann::json approvers = Member(state, "approvers");
  nlohmann::json decided_by = Member(state, "decided_by");
  if (decided_by.is_null() && !decided_time.is_null()) decided_by = decided_actor;
  nlohmann::json target = Member(state, "target");
  nlohmann::json reason = Member(state, "reason");
  nlohmann::json status = Member(state, "status");
  return nlohmann::json{{"ref", ref.ToString()},
                        {"target", target.is_string() ? target : nlohmann::json(nullptr)},
                        {"approvers", approvers.is_array() ? approvers : nlohmann::json::array()},
                        {"reason", reason.is_string() ? reason : nlohmann::json(nullptr)},
                        {"status", status.is_string() ? status : nlohmann::json("pending")},
                        {"requested_time", requested_time},
                        {"decided_by", decided_by},
                        {"decided_time", decided_time}};
}

}  // namespace

std::string DecisionEventId(std::string_view approval_id, bool grant) {
  return "api-approval-" + std::string(approval_id) + (grant ? "-granted" : "-rejected");
}

Result<nlohmann::json> ListApprovals(const EventLog& log, std::string_view workspace, const Caller& caller, bool all) {
  nlohmann::json approvals = nlohmann::json::array();
  Status error;
  KEEL_RETURN_IF_ERROR(log.ScanEntities(workspace, EntityRef{"approval", ""},
                                        [&](const EntityRef& entity, const EntityState& state) {
    if (entity.kind != "approval") return false;
    nlohmann::json fields = nlohmann::json::parse(state.canonical_view());
    if (!caller.admin() && !ListsApprover(fields, caller.person)) return true;
    if (!all && fields.value("status", "pending") != "pending") return true;
    auto approval = ApprovalJson(log, workspace, entity, fields);
    if (!approval.ok()) {
      error = approval.status();
      return false;
    }
    approvals.push_back(std::move(*approval));
    return true;
  }));
  KEEL_RETURN_IF_ERROR(error);
  return nlohmann::json{{"approvals", std::move(approvals)}};
}

Result<nlohmann::json> GetApproval(const EventLog& log, std::string_view workspace, std::string_view id) {
  EntityRef ref{"approval", std::string(id)};
  KEEL_ASSIGN_OR_RETURN(std::optional<EntityState> state, log.GetEntity(workspace, ref));
  if (!state) return Status::NotFound("no approval/" + std::string(id) + " in workspace '" + std::string(workspace) + "'");
  return ApprovalJson(log, workspace, ref, nlohmann::json::parse(state->canonical_view()));
}

std::variant<nlohmann::json, ApiError> DecideApproval(ApiBackend& backend, const EventLog& log,
                                                      std::string_view workspace, std::string_view id,
                                                      const Caller& caller, const Decision& decision) {
  auto internal = [](const Status& status) { return ApiError{500, "internal", status.ToString(), {}}; };
  if (caller.guest()) return ApiError{403, "forbidden", "a guest token cannot grant or reject approvals", {}};
  if (backend.read_only()) {
    return ApiError{409, "read_only", "this serve is read-only (keel serve --db): it appends nothing", {}};
  }
  EntityRef ref{"approval", std::string(id)};
  auto state = log.GetEntity(workspace, ref);
  if (!state.ok()) return internal(state.status());
  if (!state->has_value()) {
    return ApiError{404, "not_found", "no approval/" + std::string(id) + " in workspace '" + std::string(workspace) + "'", {}};
  }
  nlohmann::json fields = nlohmann::json::parse((*state)->canonical_view());
  if (!caller.admin() && !ListsApprover(fields, caller.person)) {
    return ApiError{403, "forbidden", caller.person + " is not an approver of approval/" + std::string(id), {}};
  }
  std::string wanted = decision.grant ? "granted" : "rejected";
  std::string status = fields.value("status", "pending");
  std::string event_id = DecisionEventId(id, decision.grant);
  nlohmann::json event_ref = {{"id", event_id}, {"seq", nullptr}};
  bool changed = false;
  if (status == wanted) {
    auto seq = log.FindSeqById(workspace, event_id);
    if (seq.ok() && seq->has_value()) event_ref["seq"] = **seq;
  } else if (status != "pending") {
    return ApiError{409, "already_decided", "approval/" + std::string(id) + " is already " + status, {}};
  } else {
    nlohmann::json data = {{"by", caller.person}};
    if (!decision.reason.empty()) data[decision.grant ? "comment" : "reason"] = decision.reason;
    nlohmann::json event = {{"specversion", "1.0"},
                            {"id", event_id},
                            {"source", "keel-api"},
                            {"type", "approval." + wanted},
                            {"subject", ref.ToString()},
                            {"time", decision.time},
                            {"workspace", std::string(workspace)},
                            {"actor", caller.person},
                            {"data", data}};
    auto seq = backend.Submit(event.dump());
    if (!seq.ok()) {
      if (seq.status().code() == StatusCode::kFailedPrecondition) {
        return ApiError{409, "read_only", seq.status().message(), {}};
      }
      if (seq.status().code() == StatusCode::kInvalidArgument) {
        return ApiError{400, "bad_request", seq.status().message(), {}};
      }
      return ApiError{503, "unavailable", "the decision could not be appended: " + seq.status().message(), {}};
    }
    if (*seq) event_ref["seq"] = **seq;
    changed = true;
  }
  auto approval = GetApproval(log, workspace, id);
  if (!approval.ok()) return internal(approval.status());
  if (changed && (*approval)["status"] != wanted) {
    // Kafka mode: the partition's writer appends it after the ack; answer
    // what it will be.
    (*approval)["status"] = wanted;
    (*approval)["decided_by"] = caller.person;
    (*approval)["decided_time"] = decision.time;
  }
  return nlohmann::json{{"approval", std::move(*approval)}, {"event", std::move(event_ref)}, {"changed", changed}};
}

}  // namespace keel::api
