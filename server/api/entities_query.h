// The entities of a workspace for the API: a filtered, paged list, and one
// entity now or as of an earlier point. ENTITY is
// {"kind","id","ref","version","seq","state":{...}} (schemas/openapi.json).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/log/event_log.h"
#include "engine/log/projection.h"
#include "engine/status.h"

namespace keel::api {

struct EntityFilter {
  std::string kind, status, assignee, label;
  std::string text;  // q: a case-insensitive substring of the title or the id
  size_t limit = 50;
  std::string after;  // the cursor: the ref of the last entity of the page before
  bool guests_only = false;  // a guest asks: only entities visible to guests
};

// {"entities":[ENTITY...],"next":CURSOR|null}, in (kind, id) order.
Result<nlohmann::json> ListEntities(const EventLog& log, std::string_view workspace, const EntityFilter& filter);

// ENTITY, now or as of `as_of`. NotFound when the entity did not exist (then),
// or a guest asks (`guests_only`) and it is not visible to guests now.
Result<nlohmann::json> GetEntity(const EventLog& log, std::string_view workspace, const EntityRef& entity,
                                 const std::optional<AsOf>& as_of, bool guests_only);

// The seq of the last event of the entity's stream at or before `as_of`; 0 when none.
Result<uint64_t> LastSeqOf(const EventLog& log, std::string_view workspace, const EntityRef& entity,
                           const AsOf& as_of = {});

// ENTITY from its parts.
nlohmann::json EntityJson(const EntityRef& entity, const EntityState& state, uint64_t seq);

// NotFound "no ENTITY in workspace WS", the answer for a missing or hidden one.
Status NoSuchEntity(const EntityRef& entity, std::string_view workspace);

}  // namespace keel::api
