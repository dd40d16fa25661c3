// JSON on stdout, for every command's --json.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/log/event_log.h"

namespace keel::cli {

// Prints one JSON value on its own line to stdout.
void PrintJson(const nlohmann::ordered_json& value);

// The event as JSON with its `seq` and `hash`, for output.
nlohmann::json StoredEventToJson(const StoredEvent& stored);

}  // namespace keel::cli
