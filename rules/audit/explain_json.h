// An explanation (rules/audit/explain.h) as JSON: what `keel explain --json`
// prints and the API's explain routes answer, so a page can draw the tree.
// Each node has its event (as stored, with seq and hash), on derived events
// the rule (id, rule set, file, lines, source, condition and the values it
// read), and below the explained event its children.
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "engine/log/event_log.h"
#include "rules/audit/explain.h"

namespace keel::rules {

// The event as JSON with its `seq` and `hash`.
nlohmann::json StoredEventToJson(const StoredEvent& stored);

// {"ancestors":[NODE...], "explained":NODE}. When `keep` is given, a node it
// refuses is left out with everything below it (an ancestor it refuses is
// left out alone).
nlohmann::ordered_json ExplanationToJson(const Explanation& x,
                                         const std::function<bool(const StoredEvent&)>& keep = nullptr);

}  // namespace keel::rules
