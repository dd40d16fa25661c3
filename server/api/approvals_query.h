// Approvals for the API: those waiting for a person, and granting or
// rejecting one. A decision appends approval.granted or approval.rejected
// (source keel-api, the caller's person as actor and as data.by, the reason
// as the comment or reason) with an id derived from the approval and the
// decision (api-approval-ID-granted), so a second identical click appends
// nothing. APPROVAL is {"ref","target","approvers","reason","status",
// "requested_time","decided_by","decided_time"} (schemas/openapi.json).
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "engine/log/event_log.h"
#include "engine/status.h"
#include "server/api/api_access.h"
#include "server/api/api_backend.h"

namespace keel::api {

// {"approvals":[APPROVAL...]}: those that list `caller`'s person among their
// approvers (an admin: every one), pending only unless `all`.
Result<nlohmann::json> ListApprovals(const EventLog& log, std::string_view workspace, const Caller& caller, bool all);

// APPROVAL of approval/`id`; NotFound when there is none.
Result<nlohmann::json> GetApproval(const EventLog& log, std::string_view workspace, std::string_view id);

struct Decision {
  bool grant = true;
  std::string reason;
  std::string time;  // RFC 3339: the event's time
};

// {"approval":APPROVAL,"event":{"id","seq"},"changed":bool}, or the error
// answer: 403 forbidden (a guest, or not an approver), 404, 409
// already_decided (decided the other way), 409 read_only.
std::variant<nlohmann::json, ApiError> DecideApproval(ApiBackend& backend, const EventLog& log,
                                                      std::string_view workspace, std::string_view id,
                                                      const Caller& caller, const Decision& decision);

// The id of the event a decision appends: api-approval-ID-granted|rejected.
std::string DecisionEventId(std::string_view approval_id, bool grant);

}  // namespace keel::api
