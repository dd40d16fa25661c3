// Why something is in the log, for the API: the explanation of one event
// (rules/audit/explain.h, as JSON the way `keel explain --json` prints it),
// or of the event that created an entity (the first of its stream). For a
// guest, nodes about entities hidden from guests are left out, and an event
// about a hidden entity is not found.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/log/event_log.h"
#include "engine/status.h"

namespace keel::api {

Result<nlohmann::json> ExplainEvent(const EventLog& log, std::string_view workspace, std::string_view event_id,
                                    bool guests_only);
Result<nlohmann::json> ExplainCreation(const EventLog& log, std::string_view workspace, const EntityRef& entity,
                                       bool guests_only);

}  // namespace keel::api
