// Progress over time: an entity's `progress` at evenly spaced times, folded
// from its own stream through the reducers (the same fold as `keel state
// --as-of`), for the API's OKR charts.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/event.h"
#include "engine/log/event_log.h"
#include "engine/state/entity_state.h"
#include "engine/status.h"

namespace keel::api {

// `count` times from `from` to `to` (microseconds), evenly spaced, both ends
// included; one point is `to`. REQUIRES: count >= 1, from <= to.
std::vector<int64_t> EvenlySpacedTimes(int64_t from_micros, int64_t to_micros, int count);

// A `progress` value as a share from 0 to 1, rounded to 4 decimals and
// clamped. Two writers set it: the roll-ups write a percentage
// (rules/README.md, roll_up: 66.67), key_result.progress_reported a share
// (the reducer's current / target: 0.36). nullopt when `raw` is no number.
std::optional<double> ProgressShare(std::string_view raw, bool written_as_share);

// The share of a state the progress_reported reducer did not write last (an
// initiative's, say): its `progress` read as a percentage.
inline std::optional<double> ProgressShare(const EntityState& state) {
  return ProgressShare(state.Get("progress"), false);
}

struct ProgressSeries {
  std::optional<double> now;                // after the whole stream
  std::vector<std::optional<double>> at;    // one per time asked
};

// The entity's progress share now and as of each of `times` (ascending): the
// state folded from the events of its stream dated at or before that time.
// The fold knows which event wrote each value, so a progress_reported share
// and a roll-up percentage both read right.
Result<ProgressSeries> ProgressOverTime(const EventLog& log, std::string_view workspace, const EntityRef& entity,
                                        const std::vector<int64_t>& times);

}  // namespace keel::api
