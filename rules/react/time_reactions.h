// What the reactor does with time triggers (rules/README.md, "Time"):
// arming schedules when a rule set is activated, keeping due-date timers in
// step with their entities, and telling which rule a timer.fired is for.
// Every timer is requested as an event (timer.scheduled, timer.cancelled),
// so the log says why each one exists. Internal to rules/.
#pragma once

#include <optional>
#include <vector>

#include "engine/log/reactor.h"
#include "rules/ruleset.h"

namespace keel::rules {

// For `ruleset.activated` of `rules` itself: a timer.scheduled per schedule
// rule and workspace of its scope, at the first occurrence after the
// activation's time, in that workspace.
Status ArmSchedules(const RuleSet& rules, const Event& activation, std::vector<DerivedEventRequest>* out);

// For `ruleset.activated` of `rules` itself: brings the due, overdue and
// schedule timers already pending in every workspace in line with the set
// (rules/README.md, "Activating a rule set"). A due timer the set implies
// for an existing entity is scheduled when it falls after the activation;
// one whose time moved is cancelled and rescheduled; one whose rule is gone,
// disabled, out of scope or no longer due is cancelled, as is the pending
// timer of a schedule the set no longer has. Schedules the set keeps are
// re-armed by ArmSchedules. Timer ids are the ones KeepDueTimers and
// ArmSchedules derive, so an unchanged rule leaves its timers alone.
Status ReconcileTimers(const RuleSet& rules, const Event& activation, StateReader& state,
                       std::vector<DerivedEventRequest>* out);

// For an event that changed an entity (`before`/`after` of ReactionInput):
// for each due or overdue rule on its kind whose fire time moved,
// timer.cancelled for the pending timer and timer.scheduled for the new
// time. The fire time depends only on the states, never on the clock.
Status KeepDueTimers(const RuleSet& rules, const ReactionInput& input, StateReader& state,
                     std::vector<DerivedEventRequest>* out);

// For a timer.fired: the time rule it fires (nullptr when none: not a time
// rule's timer, the rule is gone, disabled or out of scope, or its entity was
// done meanwhile). A schedule's next occurrence is appended to `out`.
Result<const Rule*> TimeRuleFor(const RuleSet& rules, const Event& fired, StateReader& state,
                                std::vector<DerivedEventRequest>* out);

// When a due or overdue rule fires for an entity in `state` (nullopt: not
// at all: no due date, done, archived). Microseconds since the epoch.
Result<std::optional<int64_t>> DueFireTime(const TimeTrigger& trigger, const EntityState* state,
                                           const cel::BusinessCalendar* calendar);

}  // namespace keel::rules
