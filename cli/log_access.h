// What the reading commands (state, history, explain, export, log) share
// to find things in a log: opening it read-only, and naming an entity and
// its workspace from the command line.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/log/event_log.h"
#include "engine/status.h"

namespace keel::cli {

// Opens an existing log for reading; never creates anything.
Result<std::unique_ptr<EventLog>> OpenLogForReading(const std::string& db);

// Parses "KIND/ID" from the command line.
Result<EntityRef> ParseEntityArgument(std::string_view text);

// The workspace that holds `entity`: `requested` when given; otherwise the
// only workspace whose log has events about it (an error when none or
// several do).
Result<std::string> ResolveWorkspace(const EventLog& log, const EntityRef& entity,
                                     const std::string& requested);

}  // namespace keel::cli
