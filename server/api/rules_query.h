// The rules of a workspace for the API: GET /api/v1/workspaces/{ws}/rules
// (each rule of the active rule set with its source, what it listens to, how
// often it fired and failed there and its last firing) and .../rulesets (the
// rule sets activated over time).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/log/event_log.h"
#include "engine/status.h"
#include "server/api/rule_stats.h"

namespace keel::api {

// {"ruleset":{"hash","activated_seq","activated_time"}|null,"rules":[RULE...]}
// (schemas/openapi.json, Rules), the rules in the set's order (order, then
// id), those whose `scope` leaves `workspace` out left out. RULE: {"id",
// "description","on":[...],"source","fired","failed","last_fired":{"seq",
// "time","event_id"}|null}; `on` as written, or the event type a time rule
// listens to (timer.fired); `source` the rule's lines in its file.
Result<nlohmann::json> RulesOf(const EventLog& log, std::string_view workspace, RuleStats& stats);

// {"activations":[{"seq","time","hash","rules":[ids]}]}, oldest first: rule
// sets are the log's, shared by its workspaces.
Result<nlohmann::json> RuleSetsOf(const EventLog& log, RuleStats& stats);

}  // namespace keel::api
