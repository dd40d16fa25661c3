// Turning one action of a rule that fired into the events it requests. Each
// action only produces events (DESIGN.md): nothing here writes anything.
// Internal to rules/; the reactor calls it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/event.h"
#include "engine/log/reactor.h"
#include "rules/actions.h"
#include "rules/cel/cel.h"
#include "rules/ruleset.h"

namespace keel::rules {

// What an action sees of its trigger.
struct ActionScope {
  const Event& event;
  const Rule& rule;
  const cel::Activation& activation;
  const nlohmann::json& entity;  // the triggering entity's state (after, else before); null when none
  StateReader& state;
};

// Appends to `out` the events `action` produces. An action that would change
// nothing (set_status to the status the entity has, ...) produces nothing.
// Errors are the reason for a rule.failed.
Status EvaluateAction(const Action& action, const ActionScope& scope, std::vector<DerivedEventRequest>* out);

// roll_up (roll_up.cc).
Status EvaluateRollUp(const Action& action, const RollUp& roll_up, const ActionScope& scope,
                      std::vector<DerivedEventRequest>* out);

// The entity an action acts on: `entity` evaluated (KIND/ID), or the trigger's subject.
Result<EntityRef> TargetOf(const OptionalValue& entity, const ActionScope& scope);
// The state of `ref` in the trigger's workspace as JSON; null when it has none.
Result<nlohmann::json> StateOf(const EntityRef& ref, const ActionScope& scope);

}  // namespace keel::rules
