// Reducers: how each event type changes the state of the entity it is about.
// The `entities` column family holds the result; folding an entity's stream
// through the same reducers gives its state at any earlier point.
#pragma once

#include <string_view>

#include "engine/state/entity_state.h"
#include "engine/event.h"
#include "engine/status.h"

namespace keel {

// True when events of `type` change entity state and count in its version.
// Other events (timer.fired, rule.failed, ...) may name an entity as their
// subject; they appear in its history but leave its state alone.
bool ChangesEntityState(std::string_view type);

// Applies `event` to `*state`. An empty state means the log has not seen the
// entity: a `created` event starts it; any other event starts it from what
// the event says and marks it `partial` (streams are often joined midway).
// An approval.requested starts a complete approval too: it is how approvals
// are created.
// REQUIRES: ChangesEntityState(event.type).
// Errors: Conflict when a `created` event names an entity that already exists.
// On error `*state` is unchanged.
Status ApplyEvent(const Event& event, EntityState* state);

}  // namespace keel
