// The OKR tree of a workspace for the API (GET /api/v1/workspaces/{ws}/okr):
// objectives (goals), their key results (by `parent`), the initiatives that
// serve each key result and the tasks of each initiative or key result, with
// progress now, at risk, and progress over a time range for charts.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/log/event_log.h"
#include "engine/state/entity_state.h"
#include "engine/status.h"

namespace keel::api {

inline constexpr int kDefaultOkrPoints = 30;
inline constexpr int kMaxOkrPoints = 1000;

struct OkrQuery {
  // The series' range; unset: the first and the last change of an entity of
  // the tree (what the chart is about; no scan of the whole log).
  std::optional<int64_t> from_micros;
  std::optional<int64_t> to_micros;
  int points = kDefaultOkrPoints;  // 1 to kMaxOkrPoints
};

// The query parameters `from`, `to` (RFC 3339) and `points`; an empty text is
// an absent parameter. InvalidArgument names the parameter and the problem.
Result<OkrQuery> ParseOkrQuery(std::string_view from, std::string_view to, std::string_view points);

// Whether the caller may see an entity (a guest sees only those marked
// visible); nullptr: every entity.
using VisibleToCaller = std::function<bool(const EntityState& state)>;

// {"workspace","from","to","objectives":[...]}, the shape schemas/openapi.json
// gives as OkrTree. Linking, as the roll-ups read it: a key result belongs to
// the goal its `parent` names; an initiative to each key result it is the
// child of or links to (any relation); a task to each initiative or key result
// it is the child of or links to. A key result's `tasks` are those linked to
// it directly (pack 02's contributes_to). An entity the filter hides is left
// out with everything under it; archived entities are left out.
// `progress` is the share (0..1, server/api/progress_series.h) now; `series` is the progress at
// `points` evenly spaced times from `from` to `to`; `at_risk` is true when the
// share of the time from `created` to `due` elapsed at `to` exceeds the
// progress at `to` by more than 0.2 (no `due`: false).
Result<nlohmann::json> OkrTree(const EventLog& log, std::string_view workspace, const OkrQuery& query,
                               const VisibleToCaller& visible = nullptr);

}  // namespace keel::api
