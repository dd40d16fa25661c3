// Projections read back in time: the state of an entity as of an earlier
// point, by folding its stream through the reducers, and a full rebuild of
// every entity from the events (what the `entities` column family must equal).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "engine/state/entity_state.h"
#include "engine/log/event_log.h"

namespace keel {

// A point in the log: events up to `seq`, and, when set, with `time` at or
// before `time_micros`.
struct AsOf {
  uint64_t seq = UINT64_MAX;
  std::optional<int64_t> time_micros;
};

// Parses `--as-of` text: a sequence number ("42") or an RFC 3339 time.
Result<AsOf> ParseAsOf(std::string_view text);

// Called by StateAsOf with each event it folds and the state that event left.
using FoldVisitor = std::function<void(const Event& event, const EntityState& after)>;

// The entity's state as of `as_of`, or nullopt when it did not exist yet.
// `after_each`, when set, sees every step of the fold (the API's progress
// series samples it), so one pass gives the state at every point.
Result<std::optional<EntityState>> StateAsOf(const EventLog& log, std::string_view workspace,
                                             const EntityRef& entity, const AsOf& as_of,
                                             const FoldVisitor& after_each = nullptr);

// Every entity's state rebuilt from the whole log, keyed like the `entities`
// column family. Holds all states in memory.
Result<std::map<std::string, EntityState>> RebuildEntities(const EventLog& log);

}  // namespace keel
