// How soon a timer armed as a timer fires may be due. Internal to engine/ and
// the rule graph's check (rules/load/edge_guards.cc), which must say the same.
#pragma once

#include <cstdint>

namespace keel {

// A timer that the cascade of a timer.fired schedules must be due at least
// this long after that firing; a sooner one is refused (rule.failed). So a
// timer that re-arms itself (`schedule: {after: 0s}` in a rule on that timer)
// stops instead of firing again in the same pass forever, and a chain of
// timers advances with the clock. One minute: the step of the shortest
// schedule (cron), so the time rules' own timers always pass.
inline constexpr int64_t kMinTimerRearmDelayMicros = 60'000'000;

}  // namespace keel
