#include "server/api/api_routes.h"

#include "engine/clock.h"
#include "engine/json_time.h"
#include "engine/log/projection.h"
#include "server/api/approvals_query.h"
#include "server/api/entities_query.h"
#include "server/api/event_stream.h"
#include "server/api/explain_query.h"
#include "server/api/history_query.h"
#include "server/api/okr_query.h"
#include "server/api/rules_query.h"

namespace keel::api {
namespace {

http::HttpResponse Me(ApiCall& call) {
  return JsonAnswer(
      {{"person", call.caller.person}, {"role", RoleName(call.caller.role)}, {"workspaces", call.caller.workspaces}});
}

http::HttpResponse Workspaces(ApiCall& call) {
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& workspace : call.backend.Workspaces()) {
    if (call.caller.SeesWorkspace(workspace)) list.push_back({{"id", workspace}});
  }
  return JsonAnswer({{"workspaces", list}});
}

http::HttpResponse Entities(ApiCall& call) {
  auto limit = call.query.Int("limit", 50, 1, 500);
  if (!limit.ok()) return StatusAnswer(limit.status());
  EntityFilter filter;
  filter.kind = call.query.GetOr("kind", "");
  filter.status = call.query.GetOr("status", "");
  filter.assignee = call.query.GetOr("assignee", "");
  filter.label = call.query.GetOr("label", "");
  filter.text = call.query.GetOr("q", "");
  filter.after = call.query.GetOr("after", "");
  filter.limit = static_cast<size_t>(*limit);
  filter.guests_only = call.caller.guest();
  return Answer(ListEntities(*call.log, call.workspace, filter));
}

// The {kind}/{id} of the path; NotFound for a kind that has no entities.
Result<EntityRef> EntityOf(const ApiCall& call) {
  EntityRef entity{call.Param("kind"), call.Param("id")};
  if (!IsEntityKind(entity.kind)) return NoSuchEntity(entity, call.workspace);
  return entity;
}

// NotFound unless the caller may see the entity now (guests: visible ones).
Status CheckVisible(const ApiCall& call, const EntityRef& entity) {
  if (!call.caller.guest()) return Status::OK();
  KEEL_ASSIGN_OR_RETURN(std::optional<EntityState> state, call.log->GetEntity(call.workspace, entity));
  if (!state || !VisibleToGuest(*state)) return NoSuchEntity(entity, call.workspace);
  return Status::OK();
}

http::HttpResponse Entity(ApiCall& call) {
  auto entity = EntityOf(call);
  if (!entity.ok()) return StatusAnswer(entity.status());
  std::optional<AsOf> as_of;
  if (auto text = call.query.Get("as_of")) {
    auto parsed = ParseAsOf(*text);
    if (!parsed.ok()) return ErrorAnswer(400, "bad_request", "as_of: " + parsed.status().message());
    as_of = *parsed;
  }
  return Answer(GetEntity(*call.log, call.workspace, *entity, as_of, call.caller.guest()));
}

http::HttpResponse History(ApiCall& call) {
  auto entity = EntityOf(call);
  if (!entity.ok()) return StatusAnswer(entity.status());
  if (Status visible = CheckVisible(call, *entity); !visible.ok()) return StatusAnswer(visible);
  auto limit = call.query.Int("limit", 100, 1, 1000);
  if (!limit.ok()) return StatusAnswer(limit.status());
  auto before = call.query.Int("before", 0, 1, INT64_MAX);
  if (!before.ok()) return StatusAnswer(before.status());
  std::optional<uint64_t> bound;
  if (*before > 0) bound = static_cast<uint64_t>(*before);
  return Answer(EntityHistory(*call.log, call.workspace, *entity, static_cast<size_t>(*limit), bound));
}

http::HttpResponse ExplainEntityRoute(ApiCall& call) {
  auto entity = EntityOf(call);
  if (!entity.ok()) return StatusAnswer(entity.status());
  return Answer(ExplainCreation(*call.log, call.workspace, *entity, call.caller.guest()));
}

http::HttpResponse ExplainEventRoute(ApiCall& call) {
  return Answer(ExplainEvent(*call.log, call.workspace, call.Param("event_id"), call.caller.guest()));
}

http::HttpResponse Approvals(ApiCall& call) {
  std::string state = call.query.GetOr("state", "pending");
  if (state != "pending" && state != "all") {
    return ErrorAnswer(400, "bad_request", "query parameter state must be pending or all, not '" + state + "'");
  }
  return Answer(ListApprovals(*call.log, call.workspace, call.caller, state == "all"));
}

http::HttpResponse Decide(ApiCall& call, bool grant) {
  Decision decision;
  decision.grant = grant;
  if (!call.request.body.empty()) {
    nlohmann::json body = nlohmann::json::parse(call.request.body, nullptr, false);
    if (!body.is_object() || (body.contains("reason") && !body["reason"].is_string())) {
      return ErrorAnswer(400, "bad_request", "the body must be a JSON object {\"reason\": \"...\"}");
    }
    decision.reason = body.value("reason", "");
    if (decision.reason.size() > 2000) return ErrorAnswer(400, "bad_request", "the reason is longer than 2000 bytes");
  }
  decision.time = FormatRfc3339Micros(SystemClock().NowMicros()).value_or("");
  auto outcome = DecideApproval(call.backend, *call.log, call.workspace, call.Param("id"), call.caller, decision);
  if (auto* error = std::get_if<ApiError>(&outcome)) return ErrorAnswer(*error);
  return JsonAnswer(std::get<nlohmann::json>(outcome));
}

http::HttpResponse OkrRoute(ApiCall& call) {
  auto query = ParseOkrQuery(call.query.GetOr("from", ""), call.query.GetOr("to", ""), call.query.GetOr("points", ""));
  if (!query.ok()) return StatusAnswer(query.status());
  return Answer(OkrTree(*call.log, call.workspace, *query, call.caller.guest() ? VisibleToGuest : VisibleToCaller()));
}

}  // namespace

void AddApiRoutes(ApiRouter& router) {
  const std::string ws = "/api/v1/workspaces/{ws}";
  router.Get("/api/v1/me", Me);
  router.Get("/api/v1/workspaces", Workspaces);
  router.Get(ws + "/entities", Entities);
  router.Get(ws + "/entities/{kind}/{id}", Entity);
  router.Get(ws + "/entities/{kind}/{id}/history", History);
  router.Get(ws + "/entities/{kind}/{id}/explain", ExplainEntityRoute);
  router.Get(ws + "/events/{event_id}/explain", ExplainEventRoute);
  router.Get(ws + "/approvals", Approvals);
  router.Post(ws + "/approvals/{id}/grant", [](ApiCall& call) { return Decide(call, true); });
  router.Post(ws + "/approvals/{id}/reject", [](ApiCall& call) { return Decide(call, false); });
  router.Get(ws + "/stream", StreamAnswer);
  router.Get(ws + "/okr", OkrRoute);
  // The rules' counts are kept between requests (server/api/rule_stats.h).
  auto rule_stats = std::make_shared<RuleStats>();
  router.Get(ws + "/rules", [rule_stats](ApiCall& call) { return Answer(RulesOf(*call.log, call.workspace, *rule_stats)); },
             RouteAccess::kNoGuests);
  router.Get(ws + "/rulesets", [rule_stats](ApiCall& call) { return Answer(RuleSetsOf(*call.log, *rule_stats)); },
             RouteAccess::kNoGuests);
}

}  // namespace keel::api
