// What happened to one entity, for the API: its events newest first, each
// with who (actor), which rule (ruleid), what caused it (causationid) and
// what changed: {"events":[HISTORY_ITEM...],"next":SEQ|null}.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/log/event_log.h"
#include "engine/status.h"

namespace keel::api {

// Up to `limit` events of the entity's stream with seq < `before` (all when
// nullopt), newest first; `next` is the seq to pass as `before` for the
// older ones, null when there are none. NotFound when the log has no stream
// for it.
Result<nlohmann::json> EntityHistory(const EventLog& log, std::string_view workspace, const EntityRef& entity,
                                     size_t limit, std::optional<uint64_t> before);

// HISTORY_ITEM's `changes` of one event: data.changes of an .updated event;
// from/to of status_changed and assigned as the field status or assignee;
// else each member of data as {"to": value}.
nlohmann::json ChangesOf(const Event& event);

}  // namespace keel::api
