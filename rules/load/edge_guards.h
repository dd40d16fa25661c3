// Whether one rule's action can trigger another rule, as far as can be known
// at load. An action that writes a member of its event's data as a constant
// (set_status's `to`, set_field's value, ...) cannot satisfy a listener whose
// condition requires another value there (a cel::EqualityGuard such as
// `event.data.to == "done"`): the condition is false for every event the
// action can produce. The rule graph leaves such edges out, so a guard rule
// that moves a task back to "review" when it reaches "done" is not reported
// as triggering itself.
#pragma once

#include <string_view>

#include "rules/ruleset.h"

namespace keel::rules {

// True unless every action of `from` that emits `type` writes a constant that
// contradicts one of `to`'s equality guards on `event.type` or `event.data`,
// or, for timer.fired, schedules a timer under another name than `to`'s
// `on: {timer: NAME}`.
bool CanTrigger(const Rule& from, std::string_view type, const Rule& to);

// True when `from` reaches `to` through `type` only by timers that fire a
// constant time of at least the engine's re-arm delay (a minute,
// kMinTimerRearmDelayMicros; `schedule: {after: 7d}`) after the event that
// armed them. Such a timer fires later, as an input of its own, never inside the
// cascade that armed it: a loop through it recurs with the clock (a weekly
// check-in that re-arms itself) and is not a cycle that needs the depth limit.
bool TriggersOnlyLater(const Rule& from, std::string_view type, const Rule& to);

}  // namespace keel::rules
