// AttachRuleSet: the one way a rule set is plugged into a log, so that every
// event appended from then on runs its rules.
#pragma once

#include <memory>

#include "engine/log/event_log.h"
#include "rules/react/rule_reactor.h"
#include "rules/ruleset.h"

namespace keel::rules {

// Gives `log` a reactor of its own running `rules`; the events it derives are
// validated against `schemas`, which must outlive the log (and hold the set's
// custom event types). Replaces the reactor the log had. Returns the reactor,
// for its stats; the log shares it. Activating the set (ActivateRuleSet) is a
// separate step: attaching writes nothing.
std::shared_ptr<RuleReactor> AttachRuleSet(EventLog& log, RuleSet rules, const SchemaRegistry* schemas);

}  // namespace keel::rules
